// How well the PRM's step scores are calibrated, on held-out problems of each domain: the
// bundled policy samples solutions, the PRM scores every step (`engine.verify`, the raw score,
// before any checker override), and each step gets an exact label:
//   - StepMath: the checker accepts this step and every step before it (the PRM was trained on a
//     Monte-Carlo estimate of reaching the right answer that is 0 after a rejected step);
//   - Make 24: the checker accepts every step so far and the numbers left can still make the
//     target (the solver's label, the PRM's own training label; the solver is only used here).
// Reliability diagram (10 equal-width bins: mean score against the fraction of positive labels)
// and expected calibration error ECE = sum over bins of (steps in bin / all steps) x |fraction
// positive - mean score|. Writes docs/calibration-<domain>.svg, prints a table and one JSON line.
//
//   npm run bench:calibration -- [--per-level 4] [--puzzles 60] [--samples 8] [--seed 1] [--threads 2]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/core/backends';
import { domainNamed } from '../src/core/domains';
import { generateMake24 } from '../src/core/domains/make24/generate';
import { canReach } from '../src/core/domains/make24/solver';
import { testSet } from './lib/problems';
import { renderSvg } from './lib/plot';
import { reliability, type ScoredStep } from './lib/ece';

const { values: args } = parseArgs({
  options: {
    'per-level': { type: 'string', default: '4' },
    puzzles: { type: 'string', default: '60' },
    samples: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
  },
});
const ROOT = resolve(__dirname, '..');
const samples = Number(args.samples);
const seed = Number(args.seed);

/** The numbers a Make 24 move line leaves: "8 / 8 = 1 (left: 1 4 7)" gives [1, 4, 7]. */
function numbersLeft(line: string): number[] | null {
  const m = /\(left:\s*([\d\s]+)\)/.exec(line);
  return m ? m[1].trim().split(/\s+/).map(Number) : null;
}

interface DomainRun {
  name: 'stepmath' | 'make24';
  problems: { problem: string; target?: number }[];
  label: (steps: { text: string; valid: boolean | null }[], i: number, target?: number) => boolean;
}

const runs: DomainRun[] = [
  {
    name: 'stepmath',
    problems: testSet(Number(args['per-level'])).map((p) => ({ problem: p.problem })),
    label: (steps, i) => steps.slice(0, i + 1).every((s) => s.valid === true),
  },
  {
    name: 'make24',
    problems: [...generateMake24({ split: 'test', numbers: 4, count: Number(args.puzzles), seed })].map((p) => ({ problem: p.problem, target: p.target })),
    label: (steps, i, target) => {
      if (!steps.slice(0, i + 1).every((s) => s.valid === true)) return false;
      const left = numbersLeft(steps[i].text);
      return left === null ? true : canReach(left, target!); // the Answer line: checked, so right
    },
  },
];

async function main(): Promise<void> {
  const summary: Record<string, unknown> = {};
  for (const run of runs) {
    const domain = domainNamed(run.name)!;
    const engine = await createEngine({ policyDir: resolve(ROOT, 'models', domain.models.policy), prmDir: resolve(ROOT, 'models', domain.models.prm), threads: Number(args.threads) });
    const scored: ScoredStep[] = [];
    const started = Date.now();
    for (const [k, p] of run.problems.entries()) {
      // The policy's own samples, wrong steps included (the checked verifier would drop them).
      const solved = await engine.solve(p.problem, { strategy: 'majority', budget: samples, seed: seed + k, verifier: 'prm' });
      const seen = new Set<string>();
      for (const c of solved.candidates) {
        const texts = c.steps.map((s) => s.text);
        if (seen.has(texts.join('\n'))) continue;
        seen.add(texts.join('\n'));
        const verdict = await engine.verify(p.problem, texts);
        verdict.steps.forEach((s, i) => {
          if (s.score !== null) scored.push({ score: s.score, label: run.label(verdict.steps, i, p.target) });
        });
      }
    }
    await engine.dispose();
    const { bins, ece } = reliability(scored);
    const positive = scored.filter((s) => s.label).length / scored.length;
    console.log(`\n${run.name}: ${run.problems.length} held-out problems, ${samples} samples each, ${scored.length} distinct-solution steps (${(100 * positive).toFixed(1)} % positive), ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log('| score bin | steps | mean score | fraction positive |\n|---|---|---|---|');
    for (const b of bins) if (b.steps) console.log(`| ${b.from.toFixed(1)}-${b.to.toFixed(1)} | ${b.steps} | ${b.meanScore.toFixed(3)} | ${b.positive.toFixed(3)} |`);
    console.log(`ECE ${ece.toFixed(3)}`);
    const svg = await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `${run.name} PRM reliability on held-out steps (ECE ${ece.toFixed(3)})`,
      width: 360,
      height: 360,
      background: 'white',
      layer: [
        { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: 'gray' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
        {
          data: { values: bins.filter((b) => b.steps) },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'meanScore', type: 'quantitative', title: 'mean PRM score in bin', scale: { domain: [0, 1] } },
            y: { field: 'positive', type: 'quantitative', title: 'fraction of steps labelled positive', scale: { domain: [0, 1] } },
            size: { field: 'steps', type: 'quantitative', title: 'steps' },
          },
        },
      ],
    });
    writeFileSync(resolve(ROOT, `docs/calibration-${run.name}.svg`), svg);
    summary[run.name] = { problems: run.problems.length, steps: scored.length, positive: Number(positive.toFixed(3)), ece: Number(ece.toFixed(4)) };
  }
  console.log(JSON.stringify(summary));
}

if (require.main === module) void main();
