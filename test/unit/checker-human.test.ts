/**
 * The StepMath checker on solutions written by people. test/fixtures/gsm8k-sample.jsonl holds 41
 * solutions from the GSM8K train split (github.com/openai/grade-school-math, MIT, Copyright (c)
 * 2021 OpenAI; each record names its line) with the verdict expected on every line; the calculator
 * annotations (<<48/2=24>>) are removed and "#### 72" read as "Answer: 72", as bench/gsm8k-checker.ts
 * does. The lines expected false are the writers' own slips ("6*2.5 = $18.00", "50-8 = 44").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DOMAIN } from '../../src/core/domains';
import { BadInputError, recogniseProblem } from '../../src/core/input';
import { checkSolution } from '../../src/core/domains/stepmath/verify';
import { corrupt, humanLines, isTrueLine, siteIsEquation } from '../../bench/gsm8k-checker';

const FIXTURE = join(__dirname, '../fixtures/gsm8k-sample.jsonl');
const records = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { source: string; question: string; answer: string; verdicts: (boolean | null)[] });

/** What `stepwise verify` does: the problem through recogniseProblem, then its domain's checker. */
function verify(problem: string, steps: string[]) {
  const { problem: prepared, domain } = recogniseProblem(problem);
  return (domain ?? DEFAULT_DOMAIN).check(prepared, steps).steps;
}

/** A reason for "wrong" says what the arithmetic gives: "7 * 2 is 14, not 15", never a bare "80, not 12". */
function assertReadable(reason: string, line: string): void {
  assert.match(reason, /^.+ is .+, (not|but) .+$/, `${line}: ${reason}`);
  assert.doesNotMatch(reason, /^-?[\d.,/]+, not /, `${line}: ${reason}`);
}

test('GSM8K sample: every solution is accepted and every line gets its expected verdict', () => {
  assert.ok(records.length >= 40);
  for (const r of records) {
    const lines = humanLines(r.answer);
    const verdicts = verify(r.question, lines.map((l) => l.text));
    lines.forEach((l, i) => {
      assert.equal(verdicts[i].valid, r.verdicts[i], `${r.source}\n${l.text}\n(${verdicts[i].reason})`);
      if (verdicts[i].valid === false) assertReadable(verdicts[i].reason, l.text);
    });
  }
});

test('GSM8K sample: a true line whose result is made wrong (+1, x10) is never called right', () => {
  let corrupted = 0;
  let wrong = 0;
  for (const r of records) {
    const lines = humanLines(r.answer);
    const steps = lines.map((l) => l.text);
    lines.forEach((l, i) => {
      if (!isTrueLine(l)) return;
      l.sites.forEach((_, k) => {
        if (!siteIsEquation(l, k)) return;
        for (const times10 of [false, true]) {
          const changed = corrupt(l, k, times10);
          const v = verify(r.question, [...steps.slice(0, i), changed, ...steps.slice(i + 1)])[i];
          corrupted++;
          assert.notEqual(v.valid, true, `${changed}\n(${v.reason})`);
          if (v.valid === false) {
            wrong++;
            assertReadable(v.reason, changed);
          }
        }
      });
    });
  }
  assert.ok(corrupted > 150, `${corrupted} corrupted lines`);
  assert.ok(wrong >= 0.9 * corrupted, `${wrong} of ${corrupted} corrupted lines called wrong`);
});

const WORD_PROBLEM = 'A bakery sells 23 slices at $4 each. How much does it make?';
const cases: [string, boolean | null, string?][] = [
  // dashes and the minus sign
  ['1000 – 250 = 750', true],
  ['1000 – 250 = 760', false, '1000 – 250 is 750, not 760'],
  ['1000 — 250 = 750', true],
  ['1000 − 250 = 750', true],
  ['Therefore, the fifth house had 20 total gnomes – 12 gnomes = 8 gnomes.', true],
  // times as x, ×, · with units and prices between the numbers
  ['25 miles per gallon x 12 gallons = 300 miles', true],
  ['25 miles per gallon x 12 gallons = 310 miles', false, '25 x 12 is 300, not 310'],
  ['23 slices x $4 = $92', true],
  ['23 slices x $4 = $93', false, '23 x 4 is 92, not 93'],
  ['23 slices × $4 = $92', true],
  ['23 · 4 = 92', true],
  ['8 units/floor * 15 floors = 120 units', true],
  ['8 units/floor * 15 floors = 125 units', false, '8 * 15 is 120, not 125'],
  ['3 trains x 40 miles/train = 120 miles', true],
  ['Noah earned $60/large painting x 8 large paintings = $480 for the large paintings.', true],
  // ÷, percentages, thousands
  ['60 ÷ 5 = 12', true],
  ['60 ÷ 5 = 13', false, '60 ÷ 5 is 12, not 13'],
  ['15% of 80 = 12', true],
  ['15% of 80 = 14', false, '15% of 80 is 12, not 14'],
  ['20% * 50 = 10', true],
  ['20% * 50 = 11', false, '20% * 50 is 10, not 11'],
  ['After the first spray kills 50% of germs, there will be 100 - 50 = 50% left.', true],
  ['1,000 + 250 = 1,250', true],
  ['1,000 + 250 = 1,350', false, '1,000 + 250 is 1250, not 1350'],
  ['7 * 2 = 15', false, '7 * 2 is 14, not 15'],
  // rounded results, fractions written tight, a computation that runs on
  ['10 / 3 = 3.33 each', true],
  ['$2000 / 2/3 = $3000', true],
  ['7 minutes x 60 seconds per minute = 420 seconds + 23 seconds = 443 seconds', true],
  ['7 minutes x 60 seconds per minute = 420 seconds + 23 seconds = 444 seconds', false, '420 + 23 is 443, not 444'],
  // what the arithmetic alone cannot tell: not checked, never "wrong"
  ['So he walked 2 hours = 120 minutes', null],
  ['It takes 3 hours + 30 minutes = 3.5 hours', null],
  ['He spends 50 cents because $1 / 2 = 50 cents', null],
  ['Half of 80 = 40', null],
  ['20 less than 50 - 5 = 25', null],
  ['She used all but $16 of her budget, so S + 143 = 184', null],
  ['He had 5 apples - 3 + 2 = 5', null],
  ['1000 / 7 = 142 weeks', null],
  ['Combining like terms, we get 9m = 27', null],
  ['x + 3 = 7', null],
  ['Let me think about it.', null],
];

test('hand-written arithmetic: dashes, x with units, ÷, %, $, thousands; readable reasons', () => {
  for (const [line, valid, reason] of cases) {
    const [v] = verify(WORD_PROBLEM, [line]);
    assert.equal(v.valid, valid, `${line}: ${v.reason}`);
    if (reason) assert.equal(v.reason, reason, line);
    if (valid === false) assertReadable(v.reason, line);
    if (valid === null) assert.doesNotMatch(v.reason, /, not \S+$/, `${line}: a line not checked does not read as wrong (${v.reason})`);
  }
});

test('a problem with its numbers in words is a word problem, checked line by line', () => {
  const problem = 'Cindy has four pets and buys three more. How many pets does she have now?';
  const { problem: prepared, domain } = recogniseProblem(problem);
  assert.equal(prepared, problem);
  assert.equal(domain, null, 'free text: the default checker and models');
  assert.deepEqual(
    verify(problem, ['4 + 3 = 7', '4 + 3 = 8']).map((v) => [v.valid, v.reason]),
    [
      [true, '4 + 3 is 7'],
      [false, '4 + 3 is 7, not 8'],
    ],
  );
  for (const text of ['Larry spends half an hour twice a day walking his dog. How many minutes is that?', 'Mel is three years younger than Katherine.']) assert.doesNotThrow(() => recogniseProblem(text), text);
  // Still no numbers at all: not a problem.
  assert.throws(() => recogniseProblem('Write me a poem about spring'), (e: Error) => e instanceof BadInputError && /no numbers/.test(e.message));
});

test('a bare arithmetic expression is the Compute problem, and its steps are followed', () => {
  for (const text of ['12 + 7 * (5 - 3)', '12+7*(5-3)', '12 + 7 * (5 - 3) =', 'compute 12+7*(5-3)']) {
    const { problem, domain } = recogniseProblem(text);
    assert.equal(problem, 'Compute 12 + 7 * ( 5 - 3 ).', text);
    assert.equal(domain?.name, 'stepmath', text);
  }
  assert.equal(recogniseProblem('3 x 4').problem, 'Compute 3 * 4.');
  assert.equal(recogniseProblem('$5 + $3').problem, 'Compute 5 + 3.');
  // Bare numbers are a Make 24 puzzle, a word problem stays as written, a lone number is not arithmetic.
  assert.equal(recogniseProblem('4 7 8 8').problem, 'Make 24 with 4 7 8 8.');
  assert.equal(recogniseProblem('A box holds 12 pens. How many pens are in 3 boxes?').problem, 'A box holds 12 pens. How many pens are in 3 boxes?');
  assert.equal(recogniseProblem('-5').domain, null);
  assert.throws(() => recogniseProblem('5 / 0'), /divides by zero/);
  assert.deepEqual(
    verify('12 + 7 * (5 - 3)', ['5 - 3 = 2', '7 * 2 = 14', '12 + 14 = 26', 'Answer: 26']).map((s) => s.valid),
    [true, true, true, true],
  );
  const v = verify('12 + 7 * (5 - 3)', ['12 + 7 = 19', '5 - 3 = 2', '7 * 2 = 15', 'Answer: 27']);
  assert.deepEqual(
    v.map((s) => [s.valid, s.reason]),
    [
      [false, '12 + 7 does not appear in 12 + 7 * ( 5 - 3 )'],
      [true, '5 - 3 is 2'],
      [false, '7 * 2 is 14, not 15'],
      [false, 'the answer is 26, not 27'],
    ],
  );
});

test('StepMath problems keep their exact checking: no rounding, no labels', () => {
  const [rounded] = checkSolution('Compute 10 / 3.', ['10 / 3 = 3.33']).steps;
  assert.equal(rounded.valid, false);
  assert.equal(rounded.reason, '10 / 3 is 10/3 (about 3.333), not 3.33');
  assert.equal(checkSolution('Compute 10 / 3.', ['10 / 3 = 10/3']).steps[0].valid, true);
  assert.equal(checkSolution('Compute 100 - 50.', ['100 - 50 = 50%']).steps[0].valid, false);
});
