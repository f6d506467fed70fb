import * as v from 'valibot';
import { KNOBS } from '../search/params';
import { CandidateSchema, DifficultySchema, ExplainResultSchema, NodeViewSchema, StepSchema, type Candidate } from './results';

/** Messages between the extension host and the solve panel's webview, declared once. */
export const RunStatusSchema = v.picklist(['idle', 'running', 'done', 'cancelled', 'error']);

export const PanelStateSchema = v.object({
  problem: v.string(),
  status: RunStatusSchema,
  message: v.string(),
  strategy: v.string(),
  /** What `auto` chose, shown next to it. */
  chosen: v.nullable(v.string()),
  budget: v.number(),
  difficulty: v.nullable(DifficultySchema),
  tokens: v.number(),
  flops: v.number(),
  ms: v.number(),
  candidates: v.array(CandidateSchema),
  /** How many candidates reached each answer, most first. */
  agreement: v.array(v.object({ answer: v.string(), count: v.number() })),
  nodes: v.number(),
  strategies: v.array(v.string()),
  /** The candidate to scroll to and highlight (from the tree view), or null. */
  focusNodeId: v.nullable(v.number()),
  /** Said above everything else: the problem is not one the bundled models were trained for. */
  notice: v.optional(v.string()),
  /** The step under the editor's cursor, when the document's lines came from this search. */
  cursor: v.optional(v.nullable(v.object({ line: v.number(), text: v.string(), score: v.nullable(v.number()), valid: v.nullable(v.boolean()), reason: v.string() }))),
});

export const HostToPanelSchema = v.variant('type', [v.object({ type: v.literal('state'), state: PanelStateSchema })]);

export const PanelToHostSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('rerun'), strategy: v.pipe(v.string(), v.maxLength(40)), budget: v.pipe(v.number(), v.integer(), v.minValue(KNOBS.budget.min), v.maxValue(KNOBS.budget.max)) }),
  v.object({ type: v.literal('cancel') }),
  v.object({ type: v.literal('insert'), candidate: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
  v.object({ type: v.literal('explain'), candidate: v.pipe(v.number(), v.integer(), v.minValue(0)), step: v.pipe(v.number(), v.integer(), v.minValue(0)) }),
]);

/** The Explain Step view: one step's tokens through the policy's eyes, and what-ifs. */
export const HostToExplainSchema = v.variant('type', [
  v.object({ type: v.literal('explain'), problem: v.string(), step: v.number(), result: ExplainResultSchema }),
  v.object({ type: v.literal('whatIf'), step: v.number(), position: v.number(), token: v.string(), result: StepSchema }),
  v.object({ type: v.literal('failed'), message: v.string() }),
]);
export const ExplainToHostSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({
    type: v.literal('whatIf'),
    step: v.pipe(v.number(), v.integer(), v.minValue(0)),
    position: v.pipe(v.number(), v.integer(), v.minValue(0)),
    token: v.pipe(v.string(), v.maxLength(64)),
    temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(5)),
  }),
]);
export type HostToExplain = v.InferOutput<typeof HostToExplainSchema>;
export type ExplainToHost = v.InferOutput<typeof ExplainToHostSchema>;

export type RunStatus = v.InferOutput<typeof RunStatusSchema>;
export type PanelState = v.InferOutput<typeof PanelStateSchema>;
export type HostToPanel = v.InferOutput<typeof HostToPanelSchema>;
export type PanelToHost = v.InferOutput<typeof PanelToHostSchema>;

/** The search-tree picture (a webview view in the Stepwise side bar). */
export const HostToTreePictureSchema = v.variant('type', [
  v.object({ type: v.literal('tree'), nodes: v.array(NodeViewSchema), chosen: v.array(v.number()) }),
]);
export const TreePictureToHostSchema = v.variant('type', [v.object({ type: v.literal('ready') }), v.object({ type: v.literal('select'), nodeId: v.pipe(v.number(), v.integer(), v.minValue(0)) })]);
export type HostToTreePicture = v.InferOutput<typeof HostToTreePictureSchema>;
export type TreePictureToHost = v.InferOutput<typeof TreePictureToHostSchema>;

/** One card of the panel: a distinct solution, the candidate that stands for it, how often the search reached it. */
export interface DistinctSolution {
  /** Index of the best copy in the ranked candidates (what Insert inserts). */
  index: number;
  candidate: Candidate;
  copies: number;
  /** Every copy's node, so a node chosen in the tree finds its card. */
  nodeIds: number[];
}

/** Candidates that wrote the same steps are one solution; best first, as the candidates are ranked. */
export function distinctSolutions(candidates: readonly Candidate[]): DistinctSolution[] {
  const byText = new Map<string, DistinctSolution>();
  candidates.forEach((candidate, index) => {
    const key = candidate.steps.map((s) => s.text).join('\n');
    const seen = byText.get(key);
    if (seen) {
      seen.copies++;
      seen.nodeIds.push(candidate.nodeId);
    } else byText.set(key, { index, candidate, copies: 1, nodeIds: [candidate.nodeId] });
  });
  return [...byText.values()];
}

/** What a score's colour may say. The checker's verdict comes first: a step it proved wrong is
 * "wrong" whatever the PRM thinks, and one it could not check is "unchecked" (a neutral colour),
 * so a high PRM score never looks like a verified step. Only checked-right steps are coloured
 * by their score. */
export type ScoreTone = 'wrong' | 'unchecked' | 'high' | 'mid' | 'low';

export function scoreTone(score: number | null, verdict: boolean | null): ScoreTone {
  if (verdict === false) return 'wrong';
  if (verdict === null || score === null) return 'unchecked';
  return score >= 0.7 ? 'high' : score >= 0.4 ? 'mid' : 'low';
}

/** A whole solution's verdict: verified, wrong when the checker rejects any step, else unchecked. */
export function solutionVerdict(candidate: Pick<Candidate, 'verified' | 'steps'>): boolean | null {
  if (candidate.verified) return true;
  return candidate.steps.some((s) => s.valid === false) ? false : null;
}
