import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate } from 'mathjs';
import { generateProblems, type Family } from '../../src/core/domains/stepmath';
import { answersEquivalent, checkSolution, extractAnswer } from '../../src/core/domains/stepmath/verify';

const families: Family[] = ['compute', 'solve', 'word'];
const genArb = fc.record({ family: fc.constantFrom(...families), ops: fc.integer({ min: 1, max: 6 }), seed: fc.nat() });
const gen = (g: { family: Family; ops: number; seed: number }) => [...generateProblems({ ...g, count: 1 })][0];

test('every reference solution verifies as all-valid', () => {
  fc.assert(
    fc.property(genArb, (g) => {
      const p = gen(g);
      const { steps } = checkSolution(p.problem, p.solution.split('\n'));
      for (const s of steps) assert.equal(s.valid, true, `${p.problem}\n${s.text}: ${s.reason}`);
    }),
    { numRuns: 1000 },
  );
});

// Independent oracle for a changed step: does the equation still hold at the reference answer?
// (A changed factor next to "* 0" leaves a Solve equation true, and the checker rightly accepts it.)
function stillHoldsAtAnswer(line: string, answer: string): boolean {
  const sides = line.split('=');
  if (sides.length !== 2) return false;
  const scope = { x: evaluate(answer) as number };
  return Math.abs(evaluate(sides[0], scope) - evaluate(sides[1], scope)) < 1e-9;
}

test('changing one result makes exactly that step invalid, unless the equation still holds', () => {
  let stillTrue = 0;
  fc.assert(
    fc.property(genArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (g, pick, delta) => {
      const p = gen(g);
      const lines = p.solution.split('\n');
      const i = pick % lines.length;
      const changed = lines[i].replace(/(\d+)(?!.*\d)/, (n) => String(Number(n) + delta));
      const { steps } = checkSolution(p.problem, [...lines.slice(0, i), changed]);
      for (let j = 0; j < i; j++) assert.equal(steps[j].valid, true);
      const expected = g.family === 'solve' && stillHoldsAtAnswer(changed, p.answer);
      if (expected) stillTrue++;
      assert.equal(steps[i].valid, expected, `${p.problem}\n${changed}: ${steps[i].reason}`);
    }),
    { numRuns: 1000 },
  );
  assert.ok(stillTrue < 100, `most changes must break the step (${stillTrue} of 1000 did not)`);
});

test('a true equation about numbers not in the expression is invalid exactly there', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(), fc.nat(), fc.integer({ min: 10000, max: 20000 }), fc.integer({ min: 10000, max: 20000 }), (ops, seed, pick, a, b) => {
      const p = gen({ family: 'compute', ops, seed });
      const lines = p.solution.split('\n');
      const i = pick % lines.length;
      const { steps } = checkSolution(p.problem, [...lines.slice(0, i), `${a} + ${b} = ${a + b}`, ...lines.slice(i)]);
      for (let j = 0; j < i; j++) assert.equal(steps[j].valid, true);
      assert.equal(steps[i].valid, false);
      assert.match(steps[i].reason, /does not appear in/);
      for (let j = i + 1; j < steps.length; j++) assert.equal(steps[j].valid, true, 'the state is unchanged by a rejected step');
    }),
    { numRuns: 500 },
  );
});

test('the checker never throws on arbitrary strings', () => {
  const problems = ['Compute 12 + 7 * ( 5 - 3 ).', 'Solve for x: 3 * x + 5 = 20.', 'A box holds 12 pens. How many pens are in 3 boxes?', 'hello'];
  fc.assert(
    fc.property(fc.constantFrom(...problems), fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[0-9x+\-*/=(). $%×÷]{0,40}$/)), (problem, line) => {
      const { steps } = checkSolution(problem, [line]);
      assert.ok([true, false, null].includes(steps[0].valid));
      assert.equal(typeof steps[0].reason, 'string');
    }),
    { numRuns: 5000 },
  );
});

test('the precedence of the current expression is respected', () => {
  const v = checkSolution('Compute 44 - 27 + 26.', ['27 + 26 = 53', '44 - 27 = 17', '17 + 26 = 43', 'Answer: 43']).steps;
  assert.deepEqual(v.map((s) => s.valid), [false, true, true, true]);
  assert.equal(v[0].reason, '27 + 26 does not appear in 44 - 27 + 26');
  const w = checkSolution('Compute 12 + 7 * ( 5 - 3 ).', ['12 + 7 = 19']).steps;
  assert.equal(w[0].valid, false);
  const wrong = checkSolution('Compute 12 + 7 * ( 5 - 3 ).', ['5 - 3 = 2', '7 * 2 = 15']).steps;
  assert.equal(wrong[1].reason, '7 * 2 is 14, not 15');
  assert.equal(checkSolution('Compute 12 + 7 * ( 5 - 3 ).', ['Answer: 25']).steps[0].valid, false);
  // Several operations in one line, commuted operands, and an intermediate expression are fine.
  assert.deepEqual(checkSolution('Compute 12 + 7 * ( 5 - 3 ).', ['( 5 - 3 ) * 7 = 14', '12 + 14 = 26']).steps.map((s) => s.valid), [true, true]);
  assert.deepEqual(checkSolution('Compute 12 + 7 * ( 5 - 3 ).', ['7 * ( 5 - 3 ) = 7 * 2', '2 * 7 = 14', '12 + 14 = 26', 'Answer: 26']).steps.map((s) => s.valid), [true, true, true, true]);
});

test('equation steps must keep the solution set', () => {
  const v = checkSolution('Solve for x: 3 * x + 5 = 20.', ['3x = 20 - 5', '3 * x = 25', 'x = 15/3', 'x = 5', 'Answer: x = 5', '0 * x = 0']).steps;
  assert.deepEqual(v.map((s) => s.valid), [true, false, true, true, true, false]);
  assert.match(v[1].reason, /x = 25\/3/);
  const zero = checkSolution('Solve for x: x + 1 = 8 / ( 3 - 1 ).', ['x + 1 = 8 / ( 3 - 3 )', 'x + 1 = 8 / 0 + x', 'Compute 4 / 0 = 1']).steps;
  assert.deepEqual(zero.map((s) => s.valid), [false, false, false]);
  for (const s of zero) assert.match(s.reason, /divides by zero/);
});

test('hand-written solutions: equations inside sentences are found and checked', () => {
  const problem = 'Janet sells 9 eggs a day at $2 each. How much does she make in a week?';
  const steps = [
    'She makes 9 * 2 = $18 every day.',
    'In a week that is 18 x 7 = $126.',
    'Each day she makes 9 * 2 = $20.',
    'So 3 hours * 4 = 12 hours of work.',
    'First, .5*4=2 and 3*1.5=4.5',
    '$1,200 + $300 = $1,500',
    '25% of the eggs: 16 * 25% = 4',
    'Let me think about it.',
    'The total is (3 + 4) × 2 = 14, then 14 ÷ 7 = 2.',
    'Oops 2 + 2 = 5 but 3 + 3 = 6',
    '-3 + 5 = 2',
    'The answer is $\\boxed{126}$.',
  ];
  const v = checkSolution(problem, steps).steps;
  assert.deepEqual(v.map((s) => s.valid), [true, true, false, true, true, true, true, null, true, false, true, null]);
  assert.equal(v[2].reason, '9 * 2 is 18, not 20');
  assert.equal(v[7].reason, 'not an equation I can check');
  assert.equal(v[9].reason, '2 + 2 is 4, not 5');
});

test('answer extraction', () => {
  assert.equal(extractAnswer('5 - 3 = 2\nAnswer: 26'), '26');
  assert.equal(extractAnswer('so the total is \\boxed{\\frac{1}{2}} in the end'), '\\frac{1}{2}');
  assert.equal(extractAnswer('we get 12 and then 15 apples'), '15');
  assert.equal(extractAnswer('no numbers here'), null);
});

test('answer equivalence', () => {
  const same: [string, string][] = [
    ['26', '26.0'],
    ['26', '52/2'],
    ['\\frac{1}{2}', '0.5'],
    ['-3', '- 3'],
    ['$18', '18'],
    ['1,200', '1200'],
    ['x = 5', '5'],
    ['\\boxed{7}', '7'],
    ['4.50', '9/2'],
    ['12 dollars', '12'],
  ];
  const different: [string, string][] = [
    ['26', '27'],
    ['0.5', '1/3'],
    ['-3', '3'],
    ['abc', '3'],
  ];
  for (const [a, b] of same) assert.ok(answersEquivalent(a, b), `${a} = ${b}`);
  for (const [a, b] of different) assert.ok(!answersEquivalent(a, b), `${a} != ${b}`);
});

test('after a wrong result, later steps are judged on the state they build on', () => {
  const v = checkSolution('Compute 12 + 7 * ( 5 - 3 ).', ['5 - 3 = 2', '7 * 2 = 15', '12 + 15 = 27', 'Answer: 27']).steps;
  assert.deepEqual(v.map((s) => s.valid), [true, false, true, false]);
  assert.equal(v[3].reason, 'the answer is 26, not 27');
});
