import { Rng } from '../../rng';
import { canReach, randomPlaySuccess, randomSolution, solutionLines } from './solver';
import { DEFAULT_TARGET, MAX_COUNT, MAX_NUMBER, MIN_COUNT, MIN_NUMBER, puzzleText, type Puzzle } from './puzzle';

export type Split = 'train' | 'test';

/**
 * The held-out test split: a puzzle is a test puzzle when the FNV-1a hash of its sorted numbers
 * and target ("4 7 8 8|24") is 0 mod 5, about a fifth of all puzzles. Fixed by the puzzle alone,
 * so no seed or count moves a puzzle across the line; training data comes from the train split only.
 */
export function splitOf(p: Puzzle): Split {
  let h = 0x811c9dc5;
  for (const ch of `${p.numbers.join(' ')}|${p.target}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 5 === 0 ? 'test' : 'train';
}

/**
 * Difficulty 1-5 from the chance that random legal moves solve the puzzle (exact, by the solver):
 * 1 above 10 %, 2 above 3 %, 3 above 1 %, 4 above 0.3 %, 5 at most 0.3 %.
 */
export function difficultyOf(p: Puzzle): number {
  const s = randomPlaySuccess(p.numbers, p.target);
  return s > 0.1 ? 1 : s > 0.03 ? 2 : s > 0.01 ? 3 : s > 0.003 ? 4 : 5;
}

/** Every multiset of `count` numbers in 1-13, ascending. */
export function allNumberSets(count: number): number[][] {
  const out: number[][] = [];
  const walk = (from: number, acc: number[]) => {
    if (acc.length === count) return void out.push(acc);
    for (let n = from; n <= MAX_NUMBER; n++) walk(n, [...acc, n]);
  };
  walk(MIN_NUMBER, []);
  return out;
}

export interface Make24Problem {
  problem: string;
  numbers: number[];
  target: number;
  solution: string;
  difficulty: number;
}

export interface Make24Options {
  numbers?: number;
  target?: number;
  split?: Split;
  count: number;
  seed: number;
}

/** The solvable puzzles of one split, size and target, in a fixed order. */
export function solvablePuzzles(count: number, target: number, split: Split): Puzzle[] {
  return allNumberSets(count)
    .map((numbers) => ({ numbers, target }))
    .filter((p) => splitOf(p) === split && canReach(p.numbers, p.target));
}

/**
 * Seeded puzzles with a reference solution (one of the solutions, chosen at random). Each pass
 * goes through the split's solvable puzzles in a new random order, so a small count gives
 * distinct puzzles and a large one repeats them with other solutions.
 */
export function* generateMake24(o: Make24Options): Generator<Make24Problem> {
  if (o.count <= 0) return;
  const size = o.numbers ?? 4;
  if (size < MIN_COUNT || size > MAX_COUNT) throw new RangeError(`--numbers must be ${MIN_COUNT} to ${MAX_COUNT}`);
  const target = o.target ?? DEFAULT_TARGET;
  const pool = solvablePuzzles(size, target, o.split ?? 'train');
  if (!pool.length) return;
  const rng = new Rng(o.seed);
  let made = 0;
  while (true) {
    const order = [...pool];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const p of order) {
      const moves = randomSolution(p.numbers, p.target, rng)!;
      yield { problem: puzzleText(p), numbers: [...p.numbers], target, solution: solutionLines(moves, p.numbers, target).join('\n'), difficulty: difficultyOf(p) };
      if (++made >= o.count) return;
    }
  }
}
