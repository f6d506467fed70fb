/**
 * Training data for the Make 24 models, from the TypeScript domain (one source of truth for the
 * format, the split and the solver's labels). Train-split puzzles only; 5 % of them are held back
 * for validation during training. The test split is never read here (test/make24-split.test.ts).
 *
 *   node --import tsx models/train/make24_data.ts [--policy N] [--prm N] [--seed S] [--policy-file NAME]
 * writes models/train/data/make24_{policy,prm,val_policy,val_nodes}.jsonl. The row builders are
 * exported for test/unit/make24.test.ts, which proves that no test-split puzzle gets into them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng';
import { allNumberSets, splitOf } from '../../src/core/domains/make24/generate';
import { canReach, legalMoves, moveLine, randomSolution, solutionLines, type Move } from '../../src/core/domains/make24/solver';
import { checkLines } from '../../src/core/domains/make24/checker';
import { puzzleText, type Puzzle } from '../../src/core/domains/make24/puzzle';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const OUT = join(__dirname, 'data');

/** Train-split puzzles: target 24 with 3, 4 and 5 numbers, and other targets 1-60 with 3 and 4. */
export function trainPuzzles(): { main: Puzzle[][]; other: Puzzle[] } {
  const main = [3, 4, 5].map((k) => allNumberSets(k).map((numbers) => ({ numbers, target: 24 })).filter((p) => splitOf(p) === 'train'));
  const other: Puzzle[] = [];
  for (const k of [3, 4]) for (const numbers of allNumberSets(k)) for (let t = 1; t <= 60; t++) if (t !== 24 && splitOf({ numbers, target: t }) === 'train') other.push({ numbers, target: t });
  return { main, other };
}

// Validation: a fixed 5 % of the train puzzles (by a hash of the text), kept out of both training sets.
const { main, other } = trainPuzzles();
export const isValidation = (p: Puzzle) => {
  let h = 7;
  for (const ch of puzzleText(p)) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h % 20 === 0;
};
const trainMain = main.map((ps) => ps.filter((p) => !isValidation(p)));
const valMain = main.map((ps) => ps.filter(isValidation));
const trainOther = other.filter((p) => !isValidation(p));

/** Which puzzle a row draws: 4 numbers 55 %, 5 numbers 25 %, 3 numbers 5 %, other targets 15 %. */
function drawPuzzle(rng: Rng, sets: Puzzle[][], others: Puzzle[], solvableOnly: boolean): Puzzle {
  for (;;) {
    const r = rng.next();
    const p = r < 0.55 ? rng.pick(sets[1]) : r < 0.8 ? rng.pick(sets[2]) : r < 0.85 ? rng.pick(sets[0]) : rng.pick(others);
    if (!solvableOnly || canReach(p.numbers, p.target)) return p;
  }
}

const lines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

export function policyRows(n: number, rng: Rng): { problem: string; solution: string }[] {
  const rows: { problem: string; solution: string }[] = [];
  for (let i = 0; i < n; i++) {
    const p = drawPuzzle(rng, trainMain, trainOther, true);
    rows.push({ problem: puzzleText(p), solution: solutionLines(randomSolution(p.numbers, p.target, rng)!, p.numbers, p.target).join('\n') });
  }
  return rows;
}

/** A move line with one thing wrong: the result, an operand that is not there, or the numbers left. */
function corrupt(rng: Rng, m: Move, left: readonly number[]): string {
  const r = rng.next();
  if (r < 0.5) {
    const wrong = m.result + rng.pick([-2, -1, 1, 2, 10]);
    return `${m.a} ${m.op} ${m.b} = ${Math.max(0, wrong === m.result ? m.result + 1 : wrong)} (left: ${m.left.join(' ')})`;
  }
  if (r < 0.75) {
    const absent = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].filter((x) => !left.includes(x));
    return absent.length ? moveLine({ ...m, a: rng.pick(absent) }) : `${m.a} ${m.op} ${m.b} = ${m.result + 1} (left: ${m.left.join(' ')})`;
  }
  const shown = [...m.left];
  shown[rng.int(0, shown.length - 1)] += rng.pick([-1, 1]);
  return `${m.a} ${m.op} ${m.b} = ${m.result} (left: ${shown.map((x) => Math.max(0, x)).sort((a, b) => a - b).join(' ')})`;
}

/**
 * PRM rows: a path that follows a solution for a random number of moves, then random legal moves
 * (or random moves from the start on any puzzle, solvable or not); label 1 while the target is
 * still reachable from the numbers left (the solver's exact label), 0 after. Some paths end in a
 * corrupted move (label 0, path ends); finished paths get an answer line, labelled by the checker.
 */
export function prmRows(n: number, rng: Rng): { problem: string; steps: string[]; labels: number[] }[] {
  const rows: { problem: string; steps: string[]; labels: number[] }[] = [];
  for (let i = 0; i < n; i++) {
    const solvable = rng.chance(0.8);
    const p = drawPuzzle(rng, trainMain, trainOther, solvable);
    const guide = solvable ? randomSolution(p.numbers, p.target, rng) : null;
    const follow = guide ? rng.int(0, guide.length) : 0;
    const moves: Move[] = [];
    const steps: string[] = [];
    const labels: number[] = [];
    let state = [...p.numbers];
    let corrupted = false;
    while (state.length > 1) {
      const m = moves.length < follow && guide ? guide[moves.length] : rng.pick(legalMoves(state));
      if (rng.chance(0.06)) {
        steps.push(corrupt(rng, m, state));
        labels.push(0);
        corrupted = true;
        break;
      }
      moves.push(m);
      steps.push(moveLine(m));
      labels.push(canReach(m.left, p.target) ? 1 : 0);
      state = [...m.left];
    }
    if (!corrupted) {
      let answer = solutionLines(moves, p.numbers, p.target).at(-1)!;
      // A wrong answer line now and then: a number swapped, or the dead end's expression claimed as the target.
      if (rng.chance(0.15)) answer = answer.replace(/\d+/, (d) => String(Number(d) === 13 ? 12 : Number(d) + 1));
      steps.push(answer);
      labels.push(checkLines(p, [answer])[0].valid ? 1 : 0);
    }
    rows.push({ problem: puzzleText(p), steps, labels });
  }
  return rows;
}

/** Validation nodes: a state on a random path, and every distinct legal move from it with its label. */
export function valNodes(rng: Rng): { problem: string; prefix: string[]; depth: number; size: number; children: { step: string; label: number }[] }[] {
  const out: ReturnType<typeof valNodes> = [];
  for (const ps of valMain) {
    for (const p of ps) {
      if (!canReach(p.numbers, p.target)) continue;
      for (let depth = 0; depth < p.numbers.length - 1; depth++) {
        const guide = randomSolution(p.numbers, p.target, rng)!;
        const prefix = guide.slice(0, depth);
        const state = prefix.length ? prefix[prefix.length - 1].left : p.numbers;
        const children = legalMoves(state).map((m) => ({ step: moveLine(m), label: canReach(m.left, p.target) ? 1 : 0 }));
        if (children.some((c) => c.label) && children.some((c) => !c.label)) out.push({ problem: puzzleText(p), prefix: prefix.map(moveLine), depth, size: p.numbers.length, children });
      }
    }
  }
  return out;
}

/** The validation puzzles (solvable ones): the policy's greedy check during training. */
export const validationPuzzles = () => valMain.flat().filter((p) => canReach(p.numbers, p.target));

function writeAll(): void {
  const policyCount = arg('policy', 120_000);
  const policyOnly = process.argv.indexOf('--policy-file');
  if (policyOnly >= 0) {
    // only policy rows, under another name (the 4x policy's larger set), leaving the bundled models' data alone
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, process.argv[policyOnly + 1]), lines(policyRows(policyCount, new Rng(arg('seed', 24)))));
    console.log(`make24 data: ${policyCount} policy rows in ${process.argv[policyOnly + 1]}`);
    return;
  }
  const prmCount = arg('prm', 120_000);
  const rng = new Rng(arg('seed', 24));
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'make24_policy.jsonl'), lines(policyRows(policyCount, rng)));
  writeFileSync(join(OUT, 'make24_prm.jsonl'), lines(prmRows(prmCount, rng)));
  writeFileSync(join(OUT, 'make24_val_policy.jsonl'), lines(validationPuzzles().map((p) => ({ problem: puzzleText(p), numbers: p.numbers, target: p.target }))));
  writeFileSync(join(OUT, 'make24_val_nodes.jsonl'), lines(valNodes(rng)));
  console.log(`make24 data: ${policyCount} policy rows, ${prmCount} PRM rows, ${valMain.flat().length} validation puzzles`);
}

if (process.argv[1]?.endsWith('make24_data.ts')) writeAll();
