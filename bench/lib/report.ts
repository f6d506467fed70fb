import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mean, type Cell, type Config, type Run } from './sweep';
import { NUMBER_SIZES, type BenchProblem } from './problems';
import { renderSvg } from './plot';
import { BIG_POLICY_DIR } from './models';


interface ReportInput {
  runs: Run[];
  plan: { config: Config; budgets: number[] }[];
  cells: Record<string, Record<string, Cell>>;
  byOps: Record<string, Record<string, Record<string, number>>>;
  binOf: Map<string, number>;
  problems: BenchProblem[];
  big: number;
  tokensSvg: string;
  flopsSvg: string;
  /** The 4x policy's runs (majority, best-of-N, weighted best-of-N at N = 1, 4, 16); empty without it. */
  bigRuns: Run[];
  bigCells: Record<string, Record<string, Cell>>;
  /** Problems on which re-ranking a majority run gave the answer a weighted best-of-N run gave. */
  rerankCheck: { same: number; of: number } | null;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pctOrDash = (x: number | null) => (x === null ? '–' : pct(x));
type BinAccuracy = (label: string, budget: number, bin: number) => number | null;
/** One strategy's accuracy in bins 1..5 as table cells. */
const binRow = (binAccuracy: BinAccuracy, label: string, budget: number) => [1, 2, 3, 4, 5].map((bin) => pctOrDash(binAccuracy(label, budget, bin))).join(' | ');
/** Below this accuracy the comparisons are within noise on a few hundred problems. */
const MEANINGFUL = 0.1;

/**
 * Snell et al.'s question on our scale: the 4x policy with N samples against the small policy at
 * no more FLOPs (measured per solve: policy and PRM passes, so 4x parameters cost ~2.5x per sample).
 */
function flopsMatched(r: ReportInput, binAccuracy: BinAccuracy): string[] {
  if (!r.bigRuns.length) return ['Not measured: models/stepmath-policy-4x is missing (see models/train/README.md to train it).'];
  const gflops = (c: Cell) => `${(c.flops / 1e9).toFixed(2)} G`;
  const bigLabels = ['4x majority', '4x best-of-N', '4x weighted-bon'];
  const small = Object.entries(r.cells).flatMap(([label, byBudget]) => Object.entries(byBudget).map(([budget, cell]) => ({ label, budget: Number(budget), cell })));
  const best = <T extends { cell: Cell }>(xs: T[]) => xs.reduce<T | null>((a, x) => (!a || x.cell.accuracy > a.cell.accuracy ? x : a), null);
  const rows = Object.keys(r.bigCells['4x majority'] ?? {})
    .map(Number)
    .map((n) => {
      const budget = r.bigCells['4x majority'][n];
      const within = small.filter((x) => x.cell.flops <= budget.flops);
      return { n, budget, bestSmall: best(within), auto: best(within.filter((x) => x.label === 'auto')), bestBig: best(bigLabels.map((label) => ({ label, cell: r.bigCells[label][n] }))) };
    });
  const bigParams = (JSON.parse(readFileSync(resolve(BIG_POLICY_DIR, 'config.json'), 'utf8')) as { num_parameters: number }).num_parameters;
  const costRatio = r.bigCells['4x majority']?.[4] && r.cells.majority?.[4] ? r.bigCells['4x majority'][4].flops / r.cells.majority[4].flops : null;
  const name = (x: { label: string; budget: number; cell: Cell } | null) => (x ? `${x.label}@${x.budget}: ${pct(x.cell.accuracy)} (${gflops(x.cell)})` : 'none this cheap');
  const verdicts = rows.map(({ n, bestSmall, bestBig }) =>
    bestSmall && bestBig ? `at the FLOPs of the 4x policy's N=${n} the small policy ${bestSmall.cell.accuracy >= bestBig.cell.accuracy ? 'matches or beats' : 'loses to'} it: ${name(bestSmall)} vs ${bestBig.label} ${pct(bestBig.cell.accuracy)}` : `N=${n}: no small configuration this cheap`,
  );
  const greedy4x = r.bigCells['4x greedy']?.[1];
  return [
    `The 4x policy (models/stepmath-policy-4x, ${(bigParams / 1e6).toFixed(2)}M parameters: the bundled policy deepened to 16 layers with identity blocks and trained further on the same data; its card says how) samples N solutions. Best-of-N and weighted best-of-N for it are its majority runs re-ranked by the PRM: the three strategies rank the same seeded samples (unit-tested in test/integration/engine.test.ts${r.rerankCheck ? `; here re-ranking gave the answer of a real weighted best-of-N run on ${r.rerankCheck.same} of ${r.rerankCheck.of} problems` : ''}). FLOPs are measured per solve (policy and PRM passes), so one 4x sample costs ${costRatio ? costRatio.toFixed(1) : 'about 2.5'} small ones (majority at N=4), not 4. The small policy is credited with its best configuration whose mean FLOPs per problem are no more than the 4x policy's.${greedy4x ? ` Greedy: 4x policy ${pct(greedy4x.accuracy)} (${gflops(greedy4x)}), small ${pct(r.cells.greedy[1].accuracy)} (${gflops(r.cells.greedy[1])}).` : ''}`,
    '',
    '| 4x policy N | 4x majority | 4x best-of-N | 4x weighted-bon | 4x FLOPs | best small within those FLOPs | small `auto` within those FLOPs |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(({ n, budget, bestSmall, auto }) => `| ${n} | ${bigLabels.map((l) => pct(r.bigCells[l][n].accuracy)).join(' | ')} | ${gflops(budget)} | ${name(bestSmall)} | ${name(auto)} |`),
    '',
    ...verdicts.map((v) => `- ${v[0].toUpperCase()}${v.slice(1)}.`),
    '',
    'Per difficulty bin (bins from the small policy\'s greedy probe: its PRM scores and the problem\'s size, no checker verdict; the same problems for both).',
    '',
    '| 4x FLOPs | strategy | bin 1 | bin 2 | bin 3 | bin 4 | bin 5 |',
    '|---|---|---|---|---|---|---|',
    ...rows.flatMap(({ n, budget, auto }) =>
      [...(auto ? [[auto.label, auto.budget, `small auto, cap ${auto.budget}`] as const] : []), ...bigLabels.map((l) => [l, n, `${l}, N=${n}`] as const)].map(
        ([label, b, title]) => `| ${gflops(budget)} | ${title} | ${binRow(binAccuracy, label, b)} |`,
      ),
    ),
  ];
}

/** What the numbers say, computed from them so a regenerated report stays true. */
function findings(r: ReportInput): string[] {
  const greedy = r.cells.greedy[1];
  const at = (budget: number) => Object.entries(r.cells).filter(([label, c]) => c[budget] && label !== 'auto').map(([label, c]) => ({ label, cell: c[budget] }));
  const best = (budget: number) => at(budget).reduce((a, x) => (x.cell.accuracy > a.cell.accuracy ? x : a));
  const prmRanked = ['bon', 'beam', 'lookahead', 'dvts'];
  const below = prmRanked.filter((l) => [4, 16].every((b) => (r.cells[l]?.[b]?.accuracy ?? 1) < greedy.accuracy));
  const oracleBudget = r.cells.majority[r.big] ? r.big : 16;
  return [
    `Greedy decoding is right on ${pct(greedy.accuracy)} with ${Math.round(greedy.tokens)} generated tokens per problem. The most accurate strategy is ${[4, 16, r.big].filter((b) => at(b).length).map((b) => `${best(b).label} at N=${b} (${pct(best(b).cell.accuracy)})`).join(', ')}.`,
    below.length
      ? `Strategies that rank or prune by the PRM score alone (${below.join(', ')}) stay below greedy at N=4 and N=16: the bundled PRM separates easy problems from hard ones but not a right step from a wrong one on the same problem (models/stepmath-prm/README.md), so following it trades right samples for wrong ones.`
      : 'Every PRM-guided strategy reaches greedy accuracy at N=4 or N=16.',
    `Oracle pass@N reaches ${pct(r.cells.majority[oracleBudget].oracle)} at N=${oracleBudget}: the right answer is among the samples far more often than any of these verifiers picks it; a better step verifier is where the headroom is.`,
  ];
}

/** Writes docs/RESULTS.md and its SVG plots from one sweep; returns the headline figures. */
export async function writeReport(r: ReportInput): Promise<Record<string, number | null>> {
  const docs = resolve(__dirname, '../../docs');
  mkdirSync(docs, { recursive: true });
  writeFileSync(resolve(docs, 'accuracy-tokens.svg'), r.tokensSvg);
  writeFileSync(resolve(docs, 'accuracy-flops.svg'), r.flopsSvg);

  /** Accuracy of one strategy at one budget over the problems `keep` selects (null: none). */
  const allRuns = [...r.runs, ...r.bigRuns];
  const accuracyOver = (label: string, budget: number, keep: (problemId: string) => boolean) => {
    const list = allRuns.filter((x) => x.label === label && x.budget === budget && keep(x.problemId));
    return list.length ? mean(list.map((x) => (x.correct ? 1 : 0))) : null;
  };
  const binAccuracy = (label: string, budget: number, bin: number) => accuracyOver(label, budget, (id) => r.binOf.get(id) === bin);
  const sizeOf = new Map(r.problems.map((p) => [p.id, p.numbers]));
  const sizeAccuracy = (label: string, budget: number, numbers: number) => accuracyOver(label, budget, (id) => sizeOf.get(id) === numbers);
  const binCounts = [1, 2, 3, 4, 5].map((b) => [...r.binOf.values()].filter((x) => x === b).length);
  const labels = r.plan.map((p) => p.config.label).filter((l) => l !== 'greedy');
  // greedy (N=1) is drawn in both panels: it is the reference every search must beat
  const binValues = [4, 16].flatMap((budget) => ['greedy', ...labels].flatMap((label) => [1, 2, 3, 4, 5].map((bin) => ({ budget: `N=${budget}`, strategy: label, bin: `bin ${bin}`, accuracy: binAccuracy(label, label === 'greedy' ? 1 : budget, bin) ?? 0 }))));
  const binsSvg = await renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    background: 'white',
    data: { values: binValues },
    facet: { row: { field: 'budget', type: 'nominal', title: null, sort: ['N=4', 'N=16'] } },
    spec: {
      width: 520,
      height: 180,
      mark: 'bar',
      encoding: {
        x: { field: 'bin', type: 'nominal', title: 'difficulty bin (probe-estimated)' },
        xOffset: { field: 'strategy', type: 'nominal' },
        y: { field: 'accuracy', type: 'quantitative', axis: { format: '%' } },
        color: { field: 'strategy', type: 'nominal', scale: { scheme: 'tableau20' } },
      },
    },
  });
  writeFileSync(resolve(docs, 'accuracy-bins.svg'), binsSvg);

  // Compute efficiency: tokens auto needs to match a sampler at the largest budget (weighted
  // best-of-N is the issue's baseline; majority is the strongest sampler with this PRM).
  const autoCaps = (r.plan.find((p) => p.config.label === 'auto')?.budgets ?? []).map((b) => ({ cap: b, ...r.cells.auto[b] }));
  const efficiencyAgainst = (label: string) => {
    const target = r.cells[label][r.big];
    const reaching = autoCaps.find((a) => a.accuracy >= target.accuracy - 1e-9);
    return { label, target, reaching, ratio: reaching ? target.tokens / reaching.tokens : null };
  };
  const efficiency = [efficiencyAgainst('weighted-bon'), efficiencyAgainst('majority')];
  const { target, ratio } = efficiency[0];
  const verdict = ({ label, target, reaching, ratio }: (typeof efficiency)[number]) =>
    target.accuracy < MEANINGFUL
      ? `**No efficiency claim against ${label}**: ${label}@${r.big} is right on only ${pct(target.accuracy)} of the problems, so matching it says nothing${ratio !== null ? ` (the raw ratio would be ${ratio.toFixed(1)}x)` : ''}.`
      : ratio !== null
        ? `**Against ${label}@${r.big} (${pct(target.accuracy)}, ${Math.round(target.tokens)} tokens): auto reaches that accuracy at cap ${reaching!.cap} with ${ratio.toFixed(1)}x fewer generated tokens** (the issue's target: 4x).`
        : `**Against ${label}@${r.big} (${pct(target.accuracy)}, ${Math.round(target.tokens)} tokens): auto does not reach it at any cap tried** (best: ${pct(Math.max(...autoCaps.map((a) => a.accuracy)))}); no efficiency ratio can be claimed.`;

  const beamVsBon = [4, 16].map((budget) =>
    [1, 2, 3, 4, 5].map((bin) => {
      const beam = binAccuracy('beam', budget, bin);
      const bon = binAccuracy('weighted-bon', budget, bin);
      return beam === null || bon === null ? '–' : beam > bon ? 'beam' : beam < bon ? 'weighted-bon' : 'tie';
    }),
  );

  const lines: string[] = [];
  const strategiesRow = (label: string) => `| ${label} | ${[1, 4, 16, r.big].map((b) => (r.cells[label][b] ? `${pct(r.cells[label][b].accuracy)} (${Math.round(r.cells[label][b].tokens)} tok)` : '–')).join(' | ')} |`;
  const greedy = r.cells.greedy[1].accuracy;
  lines.push(
    '# Results: search strategies and compute-optimal `auto` on StepMath',
    '',
    '> Every search here ranks by the PRM alone (`--verifier prm`). With the checked verifier (the default since it landed) the checker drops steps whose own claims are wrong: both side by side in [RESULTS-verifiers.md](RESULTS-verifiers.md).',
    '',
    ...(greedy < MEANINGFUL
      ? [
          `> **Read this first.** The bundled policy is right on ${pct(greedy)} of these problems greedily and the bundled PRM gives nearly the same score to every step (see models/*/README.md), so the differences below are mostly noise: they show the harness works, not which strategy is better. Oracle pass@N shows the answers are in the samples; the verifier cannot pick them.`,
          '',
        ]
      : []),
    `One run of \`npm run report\` on ${r.problems.length} held-out problems (${r.problems.length / (6 * NUMBER_SIZES.length)} for each operation count 1..6 and each number size: numbers up to ${NUMBER_SIZES.join(', ')}; mixed families, seed 7; never seen in training), bundled policy and PRM, sampling seed 1, temperature 0.7. Generated tokens count every token the policy sampled (lookahead rollouts and auto's probe included); FLOPs are 2 x parameters x tokens for every forward pass of the policy and the PRM (prompts included).`,
    '',
    '## Findings',
    '',
    ...findings(r).map((f) => `- ${f}`),
    '',
    '## Accuracy vs compute',
    '',
    '![accuracy vs generated tokens](accuracy-tokens.svg)',
    '',
    '![accuracy vs FLOPs](accuracy-flops.svg)',
    '',
    `| strategy | N=1 | N=4 | N=16 | N=${r.big} |`,
    '|---|---|---|---|---|',
    ...r.plan.map((p) => strategiesRow(p.config.label)),
    `| oracle pass@N (any of the N samples right; majority's samples) | – | ${[4, 16, r.big].map((b) => (r.cells.majority[b] ? pct(r.cells.majority[b].oracle) : '–')).join(' | ')} |`,
    '',
    `For \`auto\`, N is the budget cap; it spends less when the probe says the problem is easy or the answers agree early.`,
    '',
    '## Accuracy per number size',
    '',
    `| strategy | N | ${NUMBER_SIZES.map((n) => `numbers <= ${n}`).join(' | ')} |`,
    `|---|---|${NUMBER_SIZES.map(() => '---|').join('')}`,
    ...r.plan.flatMap((p) => p.budgets.filter((b) => b <= 16).map((b) => `| ${p.config.label} | ${b} | ${NUMBER_SIZES.map((n) => pctOrDash(sizeAccuracy(p.config.label, b, n))).join(' | ')} |`)),
    '',
    '## Accuracy per difficulty bin',
    '',
    `Bins are auto's own estimate (greedy probe + PRM + operation count + number size, boundaries calibrated on a separate set); problems per bin: ${binCounts.join(', ')}.`,
    '',
    '![accuracy per bin](accuracy-bins.svg)',
    '',
    ...[4, 16].flatMap((budget) => [
      `**N=${budget}**`,
      '',
      '| strategy | bin 1 | bin 2 | bin 3 | bin 4 | bin 5 |',
      '|---|---|---|---|---|---|',
      `| greedy (N=1) | ${binRow(binAccuracy, 'greedy', 1)} |`,
      ...labels.filter((l) => r.cells[l][budget]).map((l) => `| ${l} | ${binRow(binAccuracy, l, budget)} |`),
      '',
      `Beam vs weighted best-of-N by bin: ${beamVsBon[budget === 4 ? 0 : 1].map((w, i) => `bin ${i + 1}: ${w}`).join(', ')}.`,
      '',
    ]),
    '## Compute efficiency of `auto`',
    '',
    `Greedy alone: ${pct(r.cells.greedy[1].accuracy)} with ${Math.round(r.cells.greedy[1].tokens)} generated tokens per problem.`,
    '',
    '| auto cap | accuracy | tokens |',
    '|---|---|---|',
    ...autoCaps.map((a) => `| ${a.cap} | ${pct(a.accuracy)} | ${Math.round(a.tokens)} |`),
    '',
    ...efficiency.flatMap((e) => [`- ${verdict(e)}`]),
    '',
    '## FLOPs-matched: small policy + search vs a 4x larger policy',
    '',
    ...flopsMatched(r, binAccuracy),
    '',
    `Reproduce: \`npm run report -- ${process.argv.slice(2).filter((a) => a !== '--report').join(' ')}\` (runs are cached in bench/results/search-runs.jsonl, keyed by the model files and the sampling revision, so an interrupted run resumes).`,
    '',
  );
  writeFileSync(resolve(docs, 'RESULTS.md'), lines.join('\n'));
  console.log('wrote docs/RESULTS.md and docs/*.svg');
  const majority = efficiency[1];
  return {
    auto_efficiency_ratio: target.accuracy < MEANINGFUL ? null : ratio,
    raw_ratio: ratio,
    weighted_bon_big: target.accuracy,
    weighted_bon_big_tokens: target.tokens,
    auto_vs_majority_ratio: majority.target.accuracy < MEANINGFUL ? null : majority.ratio,
  };
}
