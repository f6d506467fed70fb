import type { PolicyBackend } from './model/policy';
import { LocalPrm, type RewardBackend } from './reward/prm';
import { SearchContext } from './search/context';
import { DEFAULT_PARAMS, type SearchParams } from './search/strategy';
import { STRATEGIES } from './search/registry';
import { pathOf, viewOf, type SearchEvent, type SearchNode } from './search/tree';
import { checkSolution } from './verify';
import type { Candidate, SolveOptions, SolveResult, VerifyResult } from './protocol/results';
import { BadInputError, prepareProblem } from './input';

/** The engine behind the CLI, the worker and the extension: a policy, a PRM, and the strategies. */
export class Engine {
  constructor(
    readonly policy: PolicyBackend,
    readonly reward: RewardBackend,
  ) {}

  async solve(rawProblem: string, options: SolveOptions = {}, onEvent: (e: SearchEvent) => void = () => {}, signal?: AbortSignal): Promise<SolveResult> {
    const started = performance.now();
    const problem = prepareProblem(rawProblem);
    const strategyName = options.strategy ?? 'auto';
    const strategy = Object.hasOwn(STRATEGIES, strategyName) ? STRATEGIES[strategyName] : undefined;
    if (!strategy) throw new BadInputError(`unknown strategy "${strategyName}" (one of ${Object.keys(STRATEGIES).join(', ')})`);
    const { strategy: _s, seed: _seed, prefix: _prefix, ...knobs } = options;
    const params: SearchParams = { ...DEFAULT_PARAMS, ...definedOnly(knobs) };
    onEvent({ type: 'plan', strategy: strategyName, budget: params.budget, difficulty: null });
    const before = { policy: this.policy.tokensProcessed, reward: this.reward.tokensProcessed };
    const ctx = await SearchContext.create(problem, params, this.policy, this.reward, options.seed ?? 0, onEvent, signal, options.prefix ?? []);
    const ranked = await strategy.run(ctx);
    const policyTokens = this.policy.tokensProcessed - before.policy;
    const prmTokens = this.reward.tokensProcessed - before.reward;
    const candidates = ranked.map((leaf) => this.candidateOf(ctx, leaf));
    return {
      problem,
      answer: candidates[0]?.answer ?? null,
      strategy: strategyName,
      chosen: ctx.chosen,
      budget: params.budget,
      difficulty: ctx.difficulty,
      tokens: ctx.generatedTokens,
      prm_tokens: prmTokens,
      flops: 2 * this.policy.parameters * policyTokens + 2 * this.reward.parameters * prmTokens,
      ms: Math.round(performance.now() - started),
      candidates,
      tree: ctx.nodes.map(viewOf),
    };
  }

  /** Checker verdicts and PRM scores for a written solution (the user's or ours). */
  async verify(rawProblem: string, steps: readonly string[]): Promise<VerifyResult> {
    const problem = prepareProblem(rawProblem);
    const checked = checkSolution(problem, steps);
    const scores = this.reward instanceof LocalPrm ? await this.reward.scoreSolution(problem, steps) : await this.scoreByPrefix(problem, steps);
    return { steps: checked.steps.map((s, i) => ({ ...s, score: scores[i] ?? null })), answer: checked.answer };
  }

  private async scoreByPrefix(problem: string, steps: readonly string[]): Promise<number[]> {
    let state = await this.reward.start(problem);
    const out: number[] = [];
    for (const s of steps) {
      const [r] = await this.reward.score([state], [s]);
      out.push(r.score);
      state = r.state;
    }
    return out;
  }

  private candidateOf(ctx: SearchContext, leaf: SearchNode): Candidate {
    const path = pathOf(leaf);
    const steps = path.map((n) => ({ text: n.text, score: n.score, valid: n.valid, reason: n.reason }));
    const last = steps[steps.length - 1];
    const verified = leaf.answer !== null && steps.every((s) => s.valid !== false) && last?.valid === true;
    return { answer: leaf.answer, score: ctx.scoreOf(leaf), verified, nodeId: leaf.id, steps };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.policy.dispose(), this.reward.dispose()]);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
