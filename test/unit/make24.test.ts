import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readPuzzle, puzzleText } from '../../src/core/domains/make24/puzzle';
import { checkLines } from '../../src/core/domains/make24/checker';
import { canReach, legalMoves, randomSolution, solutionLines } from '../../src/core/domains/make24/solver';
import { allNumberSets, generateMake24, splitOf } from '../../src/core/domains/make24/generate';
import { make24 } from '../../src/core/domains/make24';
import { recogniseProblem, BadInputError } from '../../src/core/input';
import { Rng } from '../../src/core/rng';
import { isValidation, policyRows, prmRows, trainPuzzles, valNodes, validationPuzzles } from '../../models/train/make24_data';

const puzzle = (text: string) => {
  const r = readPuzzle(text);
  assert.ok(r && 'puzzle' in r, `${text} is a puzzle`);
  return r.puzzle;
};

test('puzzles as people type them, in one surface form', () => {
  for (const text of ['Make 24 with 4 7 8 8.', 'Use 8, 4, 7, 8 to make 24', '4 7 8 8', 'make 24 from 8, 8, 7 and 4', '8 8 7 4 -> 24']) {
    assert.equal(recogniseProblem(text).problem, 'Make 24 with 4 7 8 8.', text);
    assert.equal(recogniseProblem(text).domain?.name, 'make24', text);
  }
  assert.deepEqual(puzzle('Make 10 with 1 2 3 4.'), { numbers: [1, 2, 3, 4], target: 10 });
  assert.equal(recogniseProblem('Compute 12 + 7 * ( 5 - 3 ).').domain?.name, 'stepmath');
  assert.equal(readPuzzle('12 + 7'), null);
  assert.equal(readPuzzle('4 7'), null, 'two bare numbers are not a puzzle');
  assert.throws(() => recogniseProblem('Make 24 with 4 7 8 80.'), (e: Error) => e instanceof BadInputError && /1 to 13 \(found 80\)/.test(e.message));
  assert.throws(() => recogniseProblem('Make 24 with 1 2 3 4 5 6.'), /3 to 5 numbers \(this one has 6\)/);
  assert.throws(() => recogniseProblem('Make 24 with 1 1 1 1.'), /has no solution/);
  assert.throws(() => recogniseProblem('1 5 5 5'), /has no solution/, 'needs a fraction: unsolvable under integer rules');
});

test('the checker follows the numbers left and says why a line is wrong', () => {
  const p = puzzle('Make 24 with 4 7 8 8.');
  const good = checkLines(p, ['8 / 8 = 1 (left: 1 4 7)', '7 - 1 = 6 (left: 4 6)', '6 * 4 = 24 (left: 24)', 'Answer: (7 - 8 / 8) * 4 = 24']);
  assert.deepEqual(good.map((v) => v.valid), [true, true, true, true]);
  assert.match(good[3].reason, /each of 4 7 8 8 used once/);
  const cases: [string[], RegExp][] = [
    [['8 / 8 = 2 (left: 2 4 7)'], /8 \/ 8 is 1, not 2/],
    [['9 - 1 = 8 (left: 4 7 8 8)'], /9 is not one of the numbers left \(4 7 8 8\)/],
    [['4 - 7 = 3 (left: 3 8 8)'], /negative/],
    [['7 / 4 = 1 (left: 1 8 8)'], /not a whole number/],
    [['8 / 8 = 1 (left: 1 4 8)'], /the numbers left are 1 4 7, not 1 4 8/],
    [['4 * 4 = 16 (left: 7 8 8 16)'], /4 is left only once/],
    [['Answer: (7 - 8 / 8) * 4 * 8 = 24'], /uses 8 3 times; the puzzle has it 2 times/],
    [['Answer: 7 + 8 + 8 = 24'], /does not use 4/],
    [['Answer: (7 - 8 / 8) * 4 = 25'], /the target is 24, not 25/],
    [['Answer: 8 * 4 - 8 + 7 = 24'], /is 31, not 24/],
    [['Answer: 4 - 7 + 8 + 8 = 24'], /4 - 7 is negative/],
    [['Answer: (7 - 8 / 8 * 4 = 24'], /cannot read/],
  ];
  for (const [lines, reason] of cases) {
    const v = checkLines(p, lines).at(-1)!;
    assert.equal(v.valid, false, lines.join(' | '));
    assert.match(v.reason, reason, lines.join(' | '));
  }
  assert.equal(checkLines(p, ['I think we should multiply'])[0].valid, null);
  // People's spellings: × and − and no (left: ...)
  assert.deepEqual(checkLines(p, ['8 ÷ 8 = 1', '7 − 1 = 6', '6 × 4 = 24', 'Answer: (7 − 8 ÷ 8) × 4 = 24']).map((v) => v.valid), [true, true, true, true]);
  // A legal move that ends on a number that is not the target says so, and stays a legal move.
  const dead = checkLines(p, ['8 + 8 = 16 (left: 4 7 16)', '16 + 7 = 23 (left: 4 23)', '23 + 4 = 27 (left: 27)']).at(-1)!;
  assert.equal(dead.valid, true);
  assert.match(dead.reason, /27, not 24: a dead end/);
});

test('solver: 1,346 of the 1,820 four-number puzzles make 24 under integer rules', () => {
  const sets = allNumberSets(4);
  assert.equal(sets.length, 1820);
  assert.equal(sets.filter((n) => canReach(n, 24)).length, 1346);
  assert.equal(canReach([1, 5, 5, 5], 24), false);
  assert.equal(canReach([4, 7, 8, 8], 24), true);
  // moves are distinct and legal: no negative results, no inexact division
  for (const m of legalMoves([2, 3, 3, 12])) assert.ok(m.result >= 0 && Number.isInteger(m.result));
});

test('every solution the solver writes passes the checker, for any solvable puzzle and target', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 3, maxLength: 5 }), fc.integer({ min: 1, max: 100 }), fc.integer(), (numbers, target, seed) => {
      const p = { numbers: [...numbers].sort((a, b) => a - b), target };
      const moves = randomSolution(p.numbers, target, new Rng(seed));
      if (!moves) return !canReach(p.numbers, target);
      const verdicts = checkLines(p, solutionLines(moves, p.numbers, target));
      return verdicts.every((v) => v.valid === true);
    }),
    { numRuns: 300 },
  );
});

test('generate: seeded, from one split only, with a reference solution and a difficulty', () => {
  const a = [...generateMake24({ split: 'test', numbers: 4, count: 20, seed: 3 })];
  const b = [...generateMake24({ split: 'test', numbers: 4, count: 20, seed: 3 })];
  assert.deepEqual(a, b);
  assert.equal(new Set(a.map((p) => p.problem)).size, 20, 'a small count gives distinct puzzles');
  for (const p of a) {
    assert.equal(splitOf({ numbers: p.numbers, target: p.target }), 'test');
    assert.ok(p.difficulty >= 1 && p.difficulty <= 5);
    assert.ok(make24.check(p.problem, p.solution.split('\n')).steps.every((s) => s.valid === true));
  }
  const five = [...generateMake24({ split: 'train', numbers: 5, target: 10, count: 5, seed: 1 })];
  assert.ok(five.every((p) => p.numbers.length === 5 && p.target === 10 && splitOf(p) === 'train'));
});

test('the training data never touches the test split (and validation stays out of training)', () => {
  const { main, other } = trainPuzzles();
  for (const p of [...main.flat(), ...other]) assert.equal(splitOf(p), 'train');
  const rng = new Rng(5);
  const texts = [...policyRows(400, rng).map((r) => r.problem), ...prmRows(400, rng).map((r) => r.problem), ...valNodes(rng).map((n) => n.problem)];
  for (const text of texts) assert.equal(splitOf(puzzle(text)), 'train', text);
  const training = new Set([...policyRows(2000, rng).map((r) => r.problem), ...prmRows(2000, rng).map((r) => r.problem)]);
  for (const p of validationPuzzles()) {
    assert.ok(isValidation(p));
    assert.ok(!training.has(puzzleText(p)), puzzleText(p));
  }
  // and the test split is a fifth of all puzzles, fixed by the puzzle alone
  const share = allNumberSets(4).filter((numbers) => splitOf({ numbers, target: 24 }) === 'test').length / 1820;
  assert.ok(share > 0.15 && share < 0.25, String(share));
});
