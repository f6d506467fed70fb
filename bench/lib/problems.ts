import { generateProblems } from '../../src/core/domain';

/** A benchmark problem with its gold answer. */
export interface BenchProblem {
  id: string;
  problem: string;
  answer: string;
  ops: number;
  family: string;
}

/**
 * Held-out sets. Training (models/train/data.py) removes every text generated with seeds 7 and 8
 * (mixed, ops 1..6, 150 each), so the test set (seed 7) and the calibration set (seed 8, minus
 * test texts) never overlap the training problems nor each other.
 */
function heldOut(seed: number, perOps: number, exclude: ReadonlySet<string>): BenchProblem[] {
  const rows: BenchProblem[] = [];
  for (let ops = 1; ops <= 6; ops++) {
    const seen = new Set<string>();
    for (const p of generateProblems({ family: 'mixed', ops, count: 150, seed })) {
      if (seen.has(p.problem) || exclude.has(p.problem)) continue;
      seen.add(p.problem);
      rows.push({ id: p.id, problem: p.problem, answer: p.answer, ops: p.ops, family: p.family });
      if (seen.size === perOps) break;
    }
  }
  return rows;
}

export function testSet(perOps = 50): BenchProblem[] {
  return heldOut(7, perOps, new Set());
}

export function calibrationSet(perOps = 20): BenchProblem[] {
  return heldOut(8, perOps, new Set(testSet(50).map((p) => p.problem)));
}
