import * as v from 'valibot';

/** How a path's step scores become one number (Snell et al. found `last` best for their PRM). */
export const AGGREGATIONS = ['last', 'min', 'prod', 'mean'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/**
 * What a search may trust besides the PRM: `checked` also uses the checker on what each step
 * itself claims (its arithmetic, its rewrite of what is left, an answer equal to the value the
 * steps reached; never the problem's answer worked out by the checker), and a step it proves
 * wrong is never kept; `prm` ranks by the PRM alone.
 */
export const VERIFIERS = ['checked', 'prm'] as const;
export type Verifier = (typeof VERIFIERS)[number];

interface NumberKnob {
  kind: 'int' | 'number';
  default: number;
  min: number;
  max: number;
  /** The CLI flag (`--max-steps`) and the VS Code setting (`stepwise.maxSteps`), where the knob has one. */
  flag?: string;
  setting?: string;
  description: string;
}
interface ChoiceKnob<T extends string = string> {
  kind: 'choice';
  default: T;
  choices: readonly T[];
  flag?: string;
  setting?: string;
  description: string;
}

/**
 * Every search knob, declared once: name, default, range and what it means. SearchParams, the
 * defaults, the protocol's schema, the CLI's flags and help, the extension's settings clamps, the
 * webview's bounds and the bench read this; a test checks package.json's settings against it.
 */
export const KNOBS = {
  budget: { kind: 'int', default: 16, min: 1, max: 1024, flag: 'budget', setting: 'budget', description: 'N: generations per solve (samples, beams or particles); for auto, the cap' },
  width: { kind: 'int', default: 4, min: 1, max: 64, flag: 'width', description: 'M: beam width (children per kept beam), DVTS subtree width' },
  lookahead: { kind: 'int', default: 1, min: 0, max: 8, flag: 'lookahead', description: 'k: lookahead rollout steps' },
  rebaseTemperature: { kind: 'number', default: 0.2, min: 0.001, max: 100, flag: 'rebase-temperature', description: 'T_b: REBASE softmax temperature' },
  aggregation: { kind: 'choice', default: 'last', choices: AGGREGATIONS, flag: 'aggregation', description: "how a path's step scores become one score" },
  verifier: { kind: 'choice', default: 'checked', choices: VERIFIERS, flag: 'verifier', setting: 'verifier', description: 'checked: the checker rejects steps whose own claims are wrong, the PRM ranks the rest; prm: the PRM alone' },
  temperature: { kind: 'number', default: 0.7, min: 0, max: 2, flag: 'temperature', setting: 'temperature', description: 'sampling temperature of the policy model' },
  topP: { kind: 'number', default: 1, min: 0, max: 1, description: 'nucleus sampling: keep the likeliest tokens up to this probability' },
  maxSteps: { kind: 'int', default: 12, min: 1, max: 64, flag: 'max-steps', setting: 'maxSteps', description: 'most reasoning steps in one solution' },
} as const satisfies Record<string, NumberKnob | ChoiceKnob>;

export type KnobName = keyof typeof KNOBS;

/** Knobs shared by all strategies; each reads the ones it needs (see KNOBS for each one's meaning). */
export type ChoiceKnobName = 'aggregation' | 'verifier';
export type SearchParams = { [K in Exclude<KnobName, ChoiceKnobName>]: number } & { aggregation: Aggregation; verifier: Verifier };

export const DEFAULT_PARAMS: SearchParams = Object.fromEntries(Object.entries(KNOBS).map(([k, knob]) => [k, knob.default])) as SearchParams;

/** A knob's value within its range (settings and the webview clamp; the CLI and protocol reject). */
export function clampKnob(name: Exclude<KnobName, ChoiceKnobName>, value: number): number {
  const knob: NumberKnob = KNOBS[name];
  const x = Math.max(knob.min, Math.min(knob.max, Number.isFinite(value) ? value : knob.default));
  return knob.kind === 'int' ? Math.round(x) : x;
}

/** The valibot schema of a number knob, for the protocol's messages. */
function schemaOf(knob: NumberKnob) {
  return v.optional(v.pipe(v.number(), v.check((x) => knob.kind === 'number' || Number.isInteger(x), 'must be a whole number'), v.minValue(knob.min), v.maxValue(knob.max)));
}

/** Every knob as an optional field of a solve request. */
export const KnobsSchema = v.object({
  budget: schemaOf(KNOBS.budget),
  width: schemaOf(KNOBS.width),
  lookahead: schemaOf(KNOBS.lookahead),
  rebaseTemperature: schemaOf(KNOBS.rebaseTemperature),
  aggregation: v.optional(v.picklist(AGGREGATIONS)),
  verifier: v.optional(v.picklist(VERIFIERS)),
  temperature: schemaOf(KNOBS.temperature),
  topP: schemaOf(KNOBS.topP),
  maxSteps: schemaOf(KNOBS.maxSteps),
});
