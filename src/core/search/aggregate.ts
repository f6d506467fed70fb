import type { Aggregation } from '../search/params';

export type { Aggregation };

export function aggregateScores(scores: readonly number[], how: Aggregation): number {
  if (!scores.length) return 0;
  switch (how) {
    case 'last':
      return scores[scores.length - 1];
    case 'min':
      return Math.min(...scores);
    case 'prod':
      return scores.reduce((a, b) => a * b, 1);
    case 'mean':
      return scores.reduce((a, b) => a + b, 0) / scores.length;
  }
}
