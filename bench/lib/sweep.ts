import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import type { Engine } from '../../src/core/engine';
import type { SolveOptions, SolveResult } from '../../src/core/protocol/results';
import { answersEquivalent } from '../../src/core/domains/stepmath/verify';
import { rankByAnswer } from '../../src/core/search/rank';
import type { BenchProblem } from './problems';
import { stepmath } from '../../src/core/domains/stepmath/domain';
import { DEFAULT_PARAMS, type Verifier } from '../../src/core/search/params';

/** One strategy with its hyper-parameters, named for tables and plots. */
export interface Config {
  label: string;
  strategy: string;
  width?: number;
  lookahead?: number;
  rebaseTemperature?: number;
  aggregation?: 'last' | 'min' | 'prod' | 'mean';
  /** What the search trusts besides the PRM (the engine's default, `checked`, when absent). */
  verifier?: Verifier;
  /** Part of the cache key only: what else the runs depend on (auto: the policy table). */
  cacheTag?: string;
}

/** One solve of one problem under one config and budget. */
export interface Run {
  key: string;
  problemId: string;
  label: string;
  budget: number;
  correct: boolean;
  /** Any candidate correct: the ceiling of any verifier (pass@N). */
  oracle: boolean;
  tokens: number;
  flops: number;
  ms: number;
  answer: string | null;
  steps: { score: number | null; valid: boolean | null }[];
  difficulty: { bin: number; score: number } | null;
  chosen: string | null;
  /** Every candidate's answer and final score (runs cached before this field lack it). */
  candidates?: { answer: string | null; score: number }[];
}

/** Runs are appended to a JSONL cache so an interrupted sweep resumes; the models' files key it. */
export class RunCache {
  private readonly runs = new Map<string, Run>();
  constructor(
    private readonly path: string,
    private readonly signature: string,
  ) {
    if (!existsSync(path)) return;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as Run & { signature?: string };
      if (r.signature === signature) this.runs.set(r.key, r);
    }
  }
  get(key: string): Run | undefined {
    return this.runs.get(key);
  }
  put(run: Run): void {
    this.runs.set(run.key, run);
    appendFileSync(this.path, JSON.stringify({ ...run, signature: this.signature }) + '\n');
  }
}

/** Bump when the engine draws different tokens for the same seed (2: one sampler per row), so older runs are not reused. */
const SAMPLING_REVISION = 2;

export function modelSignature(dirs: string[]): string {
  return [`sampling:${SAMPLING_REVISION}`, ...dirs.map((d) => `${d}:${statSync(`${d}/onnx/model.onnx`).size}:${statSync(`${d}/onnx/model.onnx`).mtimeMs}`)].join('|');
}

/** Whether a solve's first candidate is right, and whether any candidate is (pass@N). */
export type Grader = (result: SolveResult, p: BenchProblem) => { correct: boolean; oracle: boolean };

/** StepMath: the answer equals the problem's reference answer. */
export const byReferenceAnswer: Grader = (r, p) => ({
  correct: r.answer !== null && answersEquivalent(r.answer, p.answer),
  oracle: r.candidates.some((x) => x.answer !== null && answersEquivalent(x.answer, p.answer)),
});

export async function runOne(engine: Engine, p: BenchProblem, c: Config, budget: number, seed: number, cache: RunCache, grade: Grader = byReferenceAnswer): Promise<Run> {
  // The verifier is in the key: runs from before the checked verifier (no suffix) are not reused.
  const key = `${c.label}${c.cacheTag ? `#${c.cacheTag}` : ''}~${c.verifier ?? DEFAULT_PARAMS.verifier}|${budget}|${p.id}|${seed}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { label: _label, cacheTag: _tag, ...knobs } = c;
  const options: SolveOptions = { ...knobs, budget, seed };
  const r = await engine.solve(p.problem, options);
  const run: Run = {
    key,
    problemId: p.id,
    label: c.label,
    budget,
    ...grade(r, p),
    tokens: r.tokens,
    flops: r.flops,
    ms: r.ms,
    answer: r.answer,
    steps: (r.candidates[0]?.steps ?? []).map((s) => ({ score: s.score, valid: s.valid })),
    difficulty: r.difficulty,
    chosen: r.chosen ? `${r.chosen.strategy}/${r.chosen.budget}` : null,
    candidates: r.candidates.map((x) => ({ answer: x.answer, score: x.score })),
  };
  cache.put(run);
  return run;
}

export async function sweep(engine: Engine, problems: BenchProblem[], plan: { config: Config; budgets: number[] }[], seed: number, cache: RunCache, grade: Grader = byReferenceAnswer): Promise<Run[]> {
  const runs: Run[] = [];
  const total = plan.reduce((n, p) => n + p.budgets.length, 0) * problems.length;
  const started = Date.now();
  for (const { config, budgets } of plan) {
    for (const budget of budgets) {
      for (const p of problems) {
        runs.push(await runOne(engine, p, config, budget, seed, cache, grade));
        if (runs.length % 25 === 0) process.stderr.write(`\r${runs.length}/${total} solves, ${Math.round((Date.now() - started) / 1000)} s   `);
      }
    }
  }
  process.stderr.write('\n');
  return runs;
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * The run a sample-ranking strategy would have made from `run`'s samples: majority, best-of-N and
 * weighted best-of-N rank the same seeded samples (DESIGN: one sampling loop), so one majority run
 * gives all three; `weight` is how an answer's samples add up (count, max, sum).
 */
export function rerankRun(run: Run, label: string, weight: (scores: number[]) => number, gold: string): Run {
  if (!run.candidates) throw new Error(`run ${run.key} has no candidates to rank`);
  const answer = rankByAnswer(run.candidates, (c) => c.score, weight, stepmath.answerKey)[0]?.answer ?? null;
  return { ...run, key: `${label}|${run.budget}|${run.problemId}`, label, answer, correct: answer !== null && answersEquivalent(answer, gold) };
}

export interface Cell {
  accuracy: number;
  oracle: number;
  tokens: number;
  flops: number;
  ms: number;
  n: number;
}

export function summarize(runs: Run[]): Cell {
  return {
    accuracy: mean(runs.map((r) => (r.correct ? 1 : 0))),
    oracle: mean(runs.map((r) => (r.oracle ? 1 : 0))),
    tokens: mean(runs.map((r) => r.tokens)),
    flops: mean(runs.map((r) => r.flops)),
    ms: mean(runs.map((r) => r.ms)),
    n: runs.length,
  };
}
