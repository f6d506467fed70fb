import { Rng } from '../../rng';
import { applyOp, combine, leaf, OPS, type Built, type Op } from './arithmetic';

/**
 * The exhaustive solver. Used for training labels, the generator's difficulty, tests and the
 * "this puzzle has no solution" message; never by a strategy, `auto` or the difficulty estimate.
 */

/** One move: two of the numbers left, combined. `left` is what remains after it, ascending. */
export interface Move {
  readonly a: number;
  readonly op: Op;
  readonly b: number;
  readonly result: number;
  readonly left: readonly number[];
}

export const sortedKey = (ns: readonly number[]) => [...ns].sort((x, y) => x - y).join(' ');

/** Every distinct legal move from a multiset of numbers (+ and * written larger first). */
export function legalMoves(numbers: readonly number[]): Move[] {
  const out: Move[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < numbers.length; i++) {
    for (let j = 0; j < numbers.length; j++) {
      if (i === j) continue;
      const [a, b] = [numbers[i], numbers[j]];
      const rest = numbers.filter((_, k) => k !== i && k !== j);
      for (const op of OPS) {
        if ((op === '+' || op === '*') && a < b) continue;
        const r = applyOp(a, op, b);
        if (!('value' in r)) continue;
        const key = `${a}${op}${b}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ a, op, b, result: r.value, left: [...rest, r.value].sort((x, y) => x - y) });
      }
    }
  }
  return out;
}

const reachableMemo = new Map<string, boolean>();

/** Can these numbers still make the target (each used once, integer rules)? */
export function canReach(numbers: readonly number[], target: number): boolean {
  if (numbers.length === 1) return numbers[0] === target;
  const key = `${sortedKey(numbers)}|${target}`;
  const known = reachableMemo.get(key);
  if (known !== undefined) return known;
  const ok = legalMoves(numbers).some((m) => canReach(m.left, target));
  if (reachableMemo.size > 2_000_000) reachableMemo.clear();
  reachableMemo.set(key, ok);
  return ok;
}

const randomPlayMemo = new Map<string, number>();

/** Chance that uniformly random legal moves make the target: the generator's notion of hard. */
export function randomPlaySuccess(numbers: readonly number[], target: number): number {
  if (numbers.length === 1) return numbers[0] === target ? 1 : 0;
  const key = `${sortedKey(numbers)}|${target}`;
  const known = randomPlayMemo.get(key);
  if (known !== undefined) return known;
  const moves = legalMoves(numbers);
  const p = moves.reduce((s, m) => s + randomPlaySuccess(m.left, target), 0) / moves.length;
  randomPlayMemo.set(key, p);
  return p;
}

/** A solution written in the domain's format: one line per move, then the answer line. */
export function solutionLines(moves: readonly Move[], numbers: readonly number[], target: number): string[] {
  // Each number left carries the expression that made it; equal values are interchangeable.
  let pool: Built[] = numbers.map(leaf);
  const take = (v: number): Built => {
    const i = pool.findIndex((e) => e.value === v);
    const [e] = pool.splice(i, 1);
    return e;
  };
  const lines = moves.map((m) => {
    const a = take(m.a);
    const b = take(m.b);
    pool = [...pool, combine(a, m.op, b, m.result)];
    return moveLine(m);
  });
  return [...lines, `Answer: ${pool[0].text} = ${target}`];
}

export const moveLine = (m: Move) => `${m.a} ${m.op} ${m.b} = ${m.result} (left: ${m.left.join(' ')})`;

/** A uniformly chosen move among those that keep the target reachable, at every step; null when unsolvable. */
export function randomSolution(numbers: readonly number[], target: number, rng: Rng): Move[] | null {
  if (!canReach(numbers, target)) return null;
  const moves: Move[] = [];
  let state = [...numbers];
  while (state.length > 1) {
    const good = legalMoves(state).filter((m) => canReach(m.left, target));
    const m = rng.pick(good);
    moves.push(m);
    state = [...m.left];
  }
  return moves;
}
