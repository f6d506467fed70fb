import { FEATURE_NAMES, featureVector, type DifficultyModel, type ProbeFeatures } from '../../src/core/adapt/difficulty';
import { mean } from './sweep';

/** What the selection needs of one solve. */
export interface Outcome {
  problemId: string;
  correct: boolean;
  tokens: number;
}

export interface Option<K> {
  key: K;
  runs: Outcome[];
}

/**
 * One-sided exact sign test on paired outcomes: the chance that, of the `wins + losses` problems
 * where two strategies disagree, at least `wins` go the challenger's way if both were equally good.
 */
export function signTestP(wins: number, losses: number): number {
  const n = wins + losses;
  let p = 0;
  let choose = 1; // C(n, 0)
  for (let k = 0; k <= n; k++) {
    if (k >= wins) p += choose / 2 ** n;
    choose = (choose * (n - k)) / (k + 1);
  }
  return Math.min(1, p);
}

/**
 * The option for one difficulty bin: the most accurate one (fewer tokens on a tie) among those
 * that beat `baseline` on the same problems with sign-test p <= alpha; otherwise the baseline.
 * Picking the raw best of a dozen options on ~20 problems per bin picks noise (the winner's
 * curse): the test set then shows the "winner" below greedy.
 */
export function pickSignificant<K>(baseline: Option<K>, options: Option<K>[], alpha = 0.1): { key: K; accuracy: number; tokens: number; p: number } {
  const right = new Map(baseline.runs.map((r) => [r.problemId, r.correct]));
  let best = { key: baseline.key, accuracy: mean(baseline.runs.map((r) => (r.correct ? 1 : 0))), tokens: mean(baseline.runs.map((r) => r.tokens)), p: 1 };
  for (const option of options) {
    const paired = option.runs.filter((r) => right.has(r.problemId));
    const wins = paired.filter((r) => r.correct && !right.get(r.problemId)).length;
    const losses = paired.filter((r) => !r.correct && right.get(r.problemId)).length;
    const p = signTestP(wins, losses);
    if (p > alpha) continue;
    const accuracy = mean(paired.map((r) => (r.correct ? 1 : 0)));
    const tokens = mean(paired.map((r) => r.tokens));
    if (best.p === 1 || accuracy > best.accuracy + 1e-9 || (Math.abs(accuracy - best.accuracy) < 1e-9 && tokens < best.tokens)) best = { key: option.key, accuracy, tokens, p };
  }
  return best;
}

/** Logistic regression of "greedy fails" on the probe features, by plain gradient descent. */
export function fitDifficulty(features: ProbeFeatures[], failed: boolean[]): DifficultyModel['weights'] {
  const X = features.map((f) => FEATURE_NAMES.map((name) => featureVector(f)[name]));
  let w = FEATURE_NAMES.map(() => 0);
  let b = 0;
  for (let epoch = 0; epoch < 3000; epoch++) {
    const gw = FEATURE_NAMES.map(() => 0);
    let gb = 0;
    X.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-(b + x.reduce((s, xi, j) => s + xi * w[j], 0))));
      const err = p - (failed[i] ? 1 : 0);
      x.forEach((xi, j) => (gw[j] += err * xi));
      gb += err;
    });
    w = w.map((wj, j) => wj - (0.5 * gw[j]) / X.length - 1e-3 * wj);
    b -= (0.5 * gb) / X.length;
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return Object.fromEntries(FEATURE_NAMES.map((name, j) => [name, round(w[j])]));
}
