import { generateProblems } from '../../src/core/domains/stepmath';

/** A benchmark problem with its gold answer. */
export interface BenchProblem {
  id: string;
  problem: string;
  answer: string;
  ops: number;
  family: string;
  /** Largest literal the generator could use: 99 (its default), 20 or 9 (DESIGN: difficulty is operations, number size and nesting). */
  numbers: number;
}

/** Number sizes of the held-out sets: the generator's default and the two small-number levels. */
export const NUMBER_SIZES = [99, 20, 9] as const;

/**
 * Held-out sets: `perLevel` problems for every number size x operation count (1..6). Training
 * (models/train/data.py) removes every text generated with seeds 7 and 8 (mixed, these sizes,
 * ops 1..6, 150 each), so the test set (seed 7) and the calibration set (seed 8, minus test
 * texts) never overlap the training problems nor each other.
 */
function heldOut(seed: number, perLevel: number, exclude: ReadonlySet<string>): BenchProblem[] {
  const rows: BenchProblem[] = [];
  for (const numbers of NUMBER_SIZES) {
    for (let ops = 1; ops <= 6; ops++) {
      const seen = new Set<string>();
      for (const p of generateProblems({ family: 'mixed', ops, count: 150, seed, maxNumber: numbers === 99 ? undefined : numbers })) {
        if (seen.has(p.problem) || exclude.has(p.problem)) continue;
        seen.add(p.problem);
        // the generator's ids repeat across ops levels and sizes (same seed): make them unique
        rows.push({ id: `${numbers}/${ops}/${p.id}`, problem: p.problem, answer: p.answer, ops: p.ops, family: p.family, numbers });
        if (seen.size === perLevel) break;
      }
    }
  }
  return rows;
}

export function testSet(perLevel = 20): BenchProblem[] {
  return heldOut(7, perLevel, new Set());
}

export function calibrationSet(perLevel = 10): BenchProblem[] {
  return heldOut(8, perLevel, new Set(testSet(50).map((p) => p.problem)));
}
