import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateProblems, parseProblem, answerText, referenceSolution, TEMPLATES, formatExpr, countProblemOps, type Family } from '../../src/core/domains/stepmath';

const families: Family[] = ['compute', 'solve', 'word'];

test('the generator is deterministic per seed and differs across seeds', () => {
  const a = [...generateProblems({ family: 'mixed', count: 50, seed: 42 })];
  const b = [...generateProblems({ family: 'mixed', count: 50, seed: 42 })];
  const c = [...generateProblems({ family: 'mixed', count: 50, seed: 43 })];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((p) => p.problem), c.map((p) => p.problem));
});

test('problems follow the exact StepMath surface grammar (README, Command line)', () => {
  for (const p of generateProblems({ family: 'compute', count: 200, seed: 1 })) {
    assert.match(p.problem, /^Compute [0-9()+\-*/ ]+\.$/);
    assert.doesNotMatch(p.problem, / {2}/);
    for (const n of p.problem.match(/\d+/g)!) assert.ok(Number(n) <= 999, p.problem);
  }
  for (const p of generateProblems({ family: 'solve', count: 200, seed: 1 })) {
    assert.match(p.problem, /^Solve for x: [0-9x()+\-*/ ]+ = [0-9x()+\-*/ ]+\.$/);
    assert.doesNotMatch(p.problem, /\dx|x\d/, 'coefficients are written 3 * x');
  }
});

test('the operation knob gives exactly that many operations (word problems up to 5)', () => {
  for (const family of families)
    for (let ops = 1; ops <= 6; ops++)
      for (const p of generateProblems({ family, ops, count: 20, seed: ops })) assert.equal(p.ops, family === 'word' ? Math.min(ops, 5) : ops, p.problem);
});

test('there are at least 20 word templates, each used and each parsed back', () => {
  assert.ok(TEMPLATES.length >= 20);
  const seen = new Set<string>();
  for (const p of generateProblems({ family: 'word', count: 2000, seed: 9 })) {
    const parsed = parseProblem(p.problem);
    assert.ok(parsed && parsed.family === 'word', p.problem);
    seen.add(parsed.template);
  }
  assert.equal(seen.size, TEMPLATES.length);
});

test('grammar round trip: generated text parses back to the same problem', () => {
  fc.assert(
    fc.property(fc.constantFrom(...families), fc.integer({ min: 1, max: 6 }), fc.nat(), (family, ops, seed) => {
      const [g] = generateProblems({ family, ops, count: 1, seed });
      const p = parseProblem(g.problem);
      assert.ok(p, g.problem);
      assert.equal(p.family, family);
      assert.equal(p.text, g.problem);
      if (p.family === 'compute') assert.equal(`Compute ${formatExpr(p.expr)}.`, g.problem);
      if (p.family === 'solve') assert.equal(`Solve for x: ${formatExpr(p.lhs)} = ${formatExpr(p.rhs)}.`, g.problem);
      assert.equal(answerText(p), g.answer);
      assert.equal(countProblemOps(p), g.ops);
      assert.equal(referenceSolution(p).join('\n'), g.solution);
    }),
    { numRuns: 500 },
  );
});

test("the StepMath grammar's own examples come out exactly", () => {
  assert.deepEqual(referenceSolution(parseProblem('Compute 12 + 7 * ( 5 - 3 ).')!), ['5 - 3 = 2', '7 * 2 = 14', '12 + 14 = 26', 'Answer: 26']);
  assert.deepEqual(referenceSolution(parseProblem('Solve for x: 3 * x + 5 = 20.')!), ['3 * x = 20 - 5', '3 * x = 15', 'x = 15 / 3', 'x = 5', 'Answer: 5']);
});

test('text that is not StepMath is not parsed as a problem', () => {
  for (const t of ['', 'Compute.', 'Compute 2 +.', 'Solve for x: x * x = 4.', 'What is love?', 'Compute 1 / 0 + y.']) assert.equal(parseProblem(t), null, t);
});
