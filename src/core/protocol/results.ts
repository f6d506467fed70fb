import * as v from 'valibot';
import { KnobsSchema } from '../search/params';

/**
 * Shapes of what the engine produces, declared once as schemas: the worker, the extension host
 * and the webview validate what they receive against these, and the types come from them.
 */
const Validity = v.nullable(v.boolean());
const Score = v.nullable(v.number());

export const NodeStatusSchema = v.picklist(['active', 'expanded', 'pruned', 'finished']);

export const NodeViewSchema = v.object({
  id: v.number(),
  parentId: v.nullable(v.number()),
  depth: v.number(),
  text: v.string(),
  score: Score,
  valid: Validity,
  reason: v.string(),
  status: NodeStatusSchema,
  answer: v.nullable(v.string()),
});

export const SearchEventSchema = v.variant('type', [
  v.object({ type: v.literal('node'), node: NodeViewSchema }),
  v.object({ type: v.literal('status'), ids: v.array(v.number()), status: NodeStatusSchema }),
  v.object({ type: v.literal('candidate'), nodeId: v.number(), answer: v.nullable(v.string()), score: v.number() }),
  v.object({ type: v.literal('plan'), strategy: v.string(), budget: v.number(), difficulty: v.nullable(v.object({ bin: v.number(), score: v.number() })), samplesAfter: v.optional(v.number()) }),
]);

export const StepSchema = v.object({ text: v.string(), score: Score, valid: Validity, reason: v.string() });

export const CandidateSchema = v.object({
  answer: v.nullable(v.string()),
  score: v.number(),
  verified: v.boolean(),
  nodeId: v.number(),
  steps: v.array(StepSchema),
});

export const DifficultySchema = v.object({ bin: v.number(), score: v.number() });

/** One cell of auto's table: a strategy, its budget and the knobs it sets (ranges from KNOBS). */
export const PlanChoiceSchema = v.object({
  strategy: v.string(),
  budget: v.number(),
  width: KnobsSchema.entries.width,
  lookahead: KnobsSchema.entries.lookahead,
  rebaseTemperature: KnobsSchema.entries.rebaseTemperature,
  aggregation: KnobsSchema.entries.aggregation,
  /** Calibration accuracy of this choice in its bin, for the record. */
  accuracy: v.optional(v.number()),
  /** Verifier `checked`: the independent samples auto drew after this plan found no checked solution. */
  samplesAfter: v.optional(v.number()),
});

/** The bundled domains (src/core/domains); null in a result: a problem none of them recognises. */
export const DomainNameSchema = v.picklist(['stepmath', 'make24']);

export const SolveResultSchema = v.object({
  problem: v.string(),
  domain: v.nullable(DomainNameSchema),
  answer: v.nullable(v.string()),
  strategy: v.string(),
  /** For `auto`: the strategy and budget it chose for the estimated difficulty. */
  chosen: v.nullable(PlanChoiceSchema),
  budget: v.number(),
  difficulty: v.nullable(DifficultySchema),
  tokens: v.number(),
  prm_tokens: v.number(),
  flops: v.number(),
  ms: v.number(),
  candidates: v.array(CandidateSchema),
  tree: v.array(NodeViewSchema),
});

export const VerifyResultSchema = v.object({
  steps: v.array(StepSchema),
  answer: v.nullable(v.string()),
});

/** One token of a step as the policy saw it: its probability and the most likely tokens at its place. */
export const TokenViewSchema = v.object({
  token: v.string(),
  p: v.number(),
  top: v.array(v.object({ token: v.string(), p: v.number() })),
  /**
   * The logits of the most likely tokens (all of them for a vocabulary of up to 256), raw: the
   * Explain view reshapes them at any temperature without asking the model again. Only on request.
   */
  logits: v.optional(v.array(v.object({ token: v.string(), logit: v.number() }))),
});

/** `explain`: every step's checker verdict, PRM score and the policy's view of each of its tokens. */
export const ExplainResultSchema = v.object({
  temperature: v.number(),
  steps: v.array(v.object({ text: v.string(), score: Score, valid: Validity, reason: v.string(), tokens: v.array(TokenViewSchema) })),
});

/** A what-if: the step the policy writes from a chosen token on, with its PRM score and verdict. */
export const WhatIfResultSchema = StepSchema;

export const SolveOptionsSchema = v.object({
  strategy: v.optional(v.string()),
  ...KnobsSchema.entries,
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** Steps kept fixed at the start of every solution ("continue search from here"). */
  prefix: v.optional(v.array(v.string())),
});

export type NodeStatus = v.InferOutput<typeof NodeStatusSchema>;
export type NodeView = v.InferOutput<typeof NodeViewSchema>;
export type SearchEvent = v.InferOutput<typeof SearchEventSchema>;
export type CandidateStep = v.InferOutput<typeof StepSchema>;
export type Candidate = v.InferOutput<typeof CandidateSchema>;
export type Difficulty = v.InferOutput<typeof DifficultySchema>;
export type SolveResult = v.InferOutput<typeof SolveResultSchema>;
export type VerifyResult = v.InferOutput<typeof VerifyResultSchema>;
export type SolveOptions = v.InferOutput<typeof SolveOptionsSchema>;
export type DomainName = v.InferOutput<typeof DomainNameSchema>;
export type PlanChoice = v.InferOutput<typeof PlanChoiceSchema>;
export type TokenView = v.InferOutput<typeof TokenViewSchema>;
export type ExplainResult = v.InferOutput<typeof ExplainResultSchema>;
export type WhatIfResult = v.InferOutput<typeof WhatIfResultSchema>;

/** What a finished search without a single candidate says (CLI and panel alike). */
export const NO_CANDIDATES =
  'No solution: the search kept no finished solution. With the checked verifier a step the checker proves wrong is dropped; a larger budget tries more steps, --verifier prm (setting stepwise.verifier) keeps them.';
