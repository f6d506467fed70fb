/**
 * What the cheap probe (one greedy solution scored by the PRM) tells about a problem. No checker
 * verdict: the checker works the problem out itself, so its verdict on the probe would tell auto
 * whether the greedy answer is right, which no verifier of a real problem can.
 */
export interface ProbeFeatures {
  /** How big the problem is, 0..1, as its domain measures it (StepMath: operations / 6). */
  size: number;
  /** Digits of the largest number in the problem text (1..3; 2 when it has none). */
  digits: number;
  /** Lowest PRM step score on the greedy solution (Snell's model-predicted difficulty, with one sample). */
  minScore: number;
  lastScore: number;
  finished: boolean;
}

/** Features of the probe: its steps' PRM scores and whether it reached an answer. */
export function probeFeatures(size: number, problem: string, steps: readonly { score: number | null }[], answer: string | null): ProbeFeatures {
  const scores = steps.map((s) => s.score ?? 0);
  const numbers = problem.match(/\d+/g) ?? [];
  return {
    size,
    digits: numbers.length ? Math.min(3, Math.max(...numbers.map((n) => n.replace(/^0+(?=\d)/, '').length))) : 2,
    minScore: scores.length ? Math.min(...scores) : 0,
    lastScore: scores.length ? scores[scores.length - 1] : 0,
    finished: answer !== null,
  };
}

/** The features in the order the calibration fits them; each scaled so that 1 is "hard". */
export const FEATURE_NAMES = ['ops', 'digits', 'minScore', 'lastScore', 'unfinished'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export function featureVector(f: ProbeFeatures): Record<FeatureName, number> {
  return {
    ops: f.size,
    digits: f.digits / 3,
    minScore: 1 - f.minScore,
    lastScore: 1 - f.lastScore,
    unfinished: f.finished ? 0 : 1,
  };
}

/** Higher is harder; weights come from the calibrated policy table (a missing weight is 0). */
export interface DifficultyModel {
  weights: Partial<Record<FeatureName, number>>;
  /** Four increasing boundaries: quintiles of the score on the calibration set. */
  edges: number[];
}

export function difficultyScore(f: ProbeFeatures, m: DifficultyModel): number {
  const v = featureVector(f);
  return FEATURE_NAMES.reduce((sum, name) => sum + (m.weights[name] ?? 0) * v[name], 0);
}

/** Bin 1 (easiest) to 5 (hardest). */
export function difficultyBin(score: number, edges: readonly number[]): number {
  let bin = 1;
  for (const e of edges) if (score > e) bin++;
  return Math.min(5, bin);
}

/** Quintile boundaries of a sample of scores. */
export function quintileEdges(scores: readonly number[]): number[] {
  const sorted = [...scores].sort((a, b) => a - b);
  return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}
