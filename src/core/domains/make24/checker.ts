import { applyOp, normalizeOp, type Op } from './arithmetic';
import type { Puzzle } from './puzzle';

/** true: checked and right; false: checked and wrong; null: not a line the checker can read. */
export interface LineVerdict {
  readonly valid: boolean | null;
  readonly reason: string;
}

const NUM = String.raw`(\d+)`;
const OP = String.raw`([+\-*/x×·÷−–—])`;
const MOVE = new RegExp(String.raw`^${NUM}\s*${OP}\s*${NUM}\s*=\s*${NUM}\s*(?:[,;]?\s*\(?\s*left\s*:?\s*([\d\s,]*?)\s*\)?)?\s*\.?$`, 'i');
const ANSWER = /^\s*answer\s*[:=]?\s*(.*?)\s*\.?$/i;

const list = (ns: readonly number[]) => (ns.length ? ns.join(' ') : 'nothing');

/** Removes one of each of `take` from `from`, or says which number is not there. */
function removeAll(from: readonly number[], take: readonly number[]): { rest: number[] } | { missing: number } {
  const rest = [...from];
  for (const t of take) {
    const i = rest.indexOf(t);
    if (i < 0) return { missing: t };
    rest.splice(i, 1);
  }
  return { rest };
}

const sameMultiset = (a: readonly number[], b: readonly number[]) => a.length === b.length && [...a].sort((x, y) => x - y).join(' ') === [...b].sort((x, y) => x - y).join(' ');

/**
 * Follows a Make 24 solution line by line: which numbers are left, whether each move is legal and
 * its arithmetic right, and whether the answer expression uses each given number once and makes
 * the target. Reads nothing but the puzzle and the lines: no solver, no reference answer.
 */
export class Make24Checker {
  private left: number[];

  constructor(private readonly puzzle: Puzzle) {
    this.left = [...puzzle.numbers];
  }

  check(line: string): LineVerdict {
    const text = line.trim();
    const answer = ANSWER.exec(text);
    if (answer) return this.checkAnswer(answer[1]);
    const move = MOVE.exec(text);
    if (move) return this.checkMove(Number(move[1]), normalizeOp(move[2])!, Number(move[3]), Number(move[4]), move[5]);
    return { valid: null, reason: 'not a move ("a + b = c (left: ...)") or an answer line' };
  }

  private checkMove(a: number, op: Op, b: number, stated: number, statedLeft: string | undefined): LineVerdict {
    const before = this.left;
    if (before.length < 2) return { valid: false, reason: `only ${list(before)} is left: there are no two numbers to combine` };
    const taken = removeAll(before, [a, b]);
    if ('missing' in taken) {
      const twice = a === b && before.includes(a);
      return { valid: false, reason: twice ? `${a} is left only once (left: ${list(before)})` : `${taken.missing} is not one of the numbers left (${list(before)})` };
    }
    const r = applyOp(a, op, b);
    if ('error' in r) return { valid: false, reason: r.error };
    const after = [...taken.rest, r.value].sort((x, y) => x - y);
    if (r.value !== stated) {
      // Later lines are read against what this line claims, so one slip is reported once.
      this.left = [...taken.rest, stated].sort((x, y) => x - y);
      return { valid: false, reason: `${a} ${op} ${b} is ${r.value}, not ${stated}` };
    }
    this.left = after;
    if (statedLeft !== undefined) {
      const claimed = (statedLeft.match(/\d+/g) ?? []).map(Number);
      if (!sameMultiset(claimed, after)) return { valid: false, reason: `the numbers left are ${list(after)}, not ${list(claimed)}` };
    }
    const { target } = this.puzzle;
    const left = after.length > 1 ? `leaving ${list(after)}` : after[0] === target ? `leaving ${target}, the target` : `leaving ${after[0]}, not ${target}: a dead end`;
    return { valid: true, reason: `${a} ${op} ${b} = ${stated}, ${left}` };
  }

  private checkAnswer(body: string): LineVerdict {
    const { target, numbers } = this.puzzle;
    const eq = body.split('=');
    if (eq.length > 2) return { valid: false, reason: 'the answer has more than one "="' };
    if (eq.length === 2) {
      const t = eq[1].trim();
      if (!/^\d+$/.test(t)) return { valid: false, reason: `the answer should end with "= ${target}"` };
      if (Number(t) !== target) return { valid: false, reason: `the target is ${target}, not ${t}` };
    }
    let tree: Node;
    try {
      tree = new ExprReader(eq[0]).read();
    } catch (e) {
      return { valid: false, reason: `cannot read the answer expression: ${(e as Error).message}` };
    }
    const used = leaves(tree);
    const extra = removeAll(numbers, used);
    if ('missing' in extra) {
      const given = numbers.filter((n) => n === extra.missing).length;
      return { valid: false, reason: given ? `the answer uses ${extra.missing} ${used.filter((n) => n === extra.missing).length} times; the puzzle has it ${given === 1 ? 'once' : `${given} times`}` : `the answer uses ${extra.missing}, which is not one of ${list(numbers)}` };
    }
    if (extra.rest.length) return { valid: false, reason: `the answer does not use ${list(extra.rest)}; every number must be used once` };
    const value = evaluate(tree);
    if ('error' in value) return { valid: false, reason: value.error };
    if (value.value !== target) return { valid: false, reason: `${eq[0].trim()} is ${value.value}, not ${target}` };
    return { valid: true, reason: `${eq[0].trim()} = ${target}, with each of ${list(numbers)} used once` };
  }
}

/** Checks every line of a solution in order. */
export function checkLines(puzzle: Puzzle, lines: readonly string[]): LineVerdict[] {
  const c = new Make24Checker(puzzle);
  return lines.map((l) => c.check(l));
}

type Node = { n: number } | { op: Op; l: Node; r: Node };

function leaves(e: Node): number[] {
  return 'n' in e ? [e.n] : [...leaves(e.l), ...leaves(e.r)];
}

function evaluate(e: Node): { value: number } | { error: string } {
  if ('n' in e) return { value: e.n };
  const l = evaluate(e.l);
  if ('error' in l) return l;
  const r = evaluate(e.r);
  if ('error' in r) return r;
  return applyOp(l.value, e.op, r.value);
}

/** Numbers, + - * / in their usual spellings, parentheses; the usual precedence, left to right. */
class ExprReader {
  private readonly tokens: string[];
  private at = 0;
  constructor(text: string) {
    this.tokens = text.match(/\d+|[()]|[+\-*/x×·÷−–—]|\S/gi) ?? [];
  }
  read(): Node {
    if (!this.tokens.length) throw new Error('it is empty');
    const e = this.sum();
    if (this.at < this.tokens.length) throw new Error(`unexpected "${this.tokens[this.at]}"`);
    return e;
  }
  private sum(): Node {
    let e = this.product();
    for (let op = this.peekOp('+-'); op; op = this.peekOp('+-')) {
      this.at++;
      e = { op, l: e, r: this.product() };
    }
    return e;
  }
  private product(): Node {
    let e = this.atom();
    for (let op = this.peekOp('*/'); op; op = this.peekOp('*/')) {
      this.at++;
      e = { op, l: e, r: this.atom() };
    }
    return e;
  }
  private atom(): Node {
    const t = this.tokens[this.at++];
    if (t === undefined) throw new Error('it ends too early');
    if (t === '(') {
      const e = this.sum();
      if (this.tokens[this.at++] !== ')') throw new Error('a "(" is not closed');
      return e;
    }
    if (/^\d+$/.test(t)) return { n: Number(t) };
    throw new Error(`unexpected "${t}"`);
  }
  private peekOp(kinds: string): Op | null {
    const t = this.tokens[this.at];
    const op = t === undefined ? null : normalizeOp(t);
    return op && kinds.includes(op) ? op : null;
  }
}
