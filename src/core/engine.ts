import type { PolicyBackend } from './backends/policy';
import { LocalPrm, type RewardBackend } from './backends/prm';
import { SearchContext } from './search/context';
import { DEFAULT_PARAMS, type SearchParams } from './search/params';
import { STRATEGIES } from './search/registry';
import { claimsChecked, isChecked, pathOf, viewOf, type SearchEvent, type SearchNode } from './search/tree';
import { DEFAULT_DOMAIN, type Domain } from './domains';
import type { Candidate, ExplainResult, SolveOptions, SolveResult, VerifyResult, WhatIfResult } from './protocol/results';
import { Rng } from './rng';
import { LocalPolicy } from './backends/policy';
import { tokenViews } from './explain';
import { BadInputError, recogniseProblem } from './input';

/** A policy and a PRM that answer problems together. */
export interface ModelPair {
  policy: PolicyBackend;
  reward: RewardBackend;
}

/**
 * The models for a domain's problems when they are not the default pair (the domain's bundled
 * models), or null to use the default pair. Called once per domain; the result is kept.
 */
export type DomainModels = (domain: Domain) => Promise<ModelPair> | null;

/** The engine behind the CLI, the worker and the extension: models per domain, and the strategies. */
export class Engine {
  private readonly loaded = new Map<string, Promise<ModelPair>>();

  constructor(
    readonly policy: PolicyBackend,
    readonly reward: RewardBackend,
    private readonly domainModels: DomainModels = () => null,
  ) {}

  /** The models that answer a domain's problems (null: text no domain recognises, the default pair). */
  async modelsFor(domain: Domain | null): Promise<ModelPair> {
    if (!domain) return this;
    let pair = this.loaded.get(domain.name);
    if (!pair) {
      pair = this.domainModels(domain) ?? Promise.resolve<ModelPair>(this);
      this.loaded.set(domain.name, pair);
      // A failed load is not kept: the next solve tries again (the folder may have been fixed).
      pair.catch(() => this.loaded.delete(domain.name));
    }
    return pair;
  }

  async solve(rawProblem: string, options: SolveOptions = {}, onEvent: (e: SearchEvent) => void = () => {}, signal?: AbortSignal): Promise<SolveResult> {
    const started = performance.now();
    const { problem, domain } = recogniseProblem(rawProblem);
    const strategyName = options.strategy ?? 'auto';
    const strategy = Object.hasOwn(STRATEGIES, strategyName) ? STRATEGIES[strategyName] : undefined;
    if (!strategy) throw new BadInputError(`unknown strategy "${strategyName}" (one of ${Object.keys(STRATEGIES).join(', ')})`);
    const { strategy: _s, seed: _seed, prefix: _prefix, ...knobs } = options;
    const params: SearchParams = { ...DEFAULT_PARAMS, ...definedOnly(knobs) };
    const { policy, reward } = await this.modelsFor(domain);
    onEvent({ type: 'plan', strategy: strategyName, budget: params.budget, difficulty: null });
    const before = { policy: policy.tokensProcessed, reward: reward.tokensProcessed };
    const searched = domain ?? DEFAULT_DOMAIN;
    const ctx = await SearchContext.create(problem, searched, params, policy, reward, options.seed ?? 0, onEvent, signal, options.prefix ?? []);
    const ranked = await strategy.run(ctx);
    const policyTokens = policy.tokensProcessed - before.policy;
    const prmTokens = reward.tokensProcessed - before.reward;
    // With Verifier `checked`, a solution whose steps' own claims all check outranks any other.
    const ordered = params.verifier === 'checked' ? [...ranked.filter(claimsChecked), ...ranked.filter((leaf) => !claimsChecked(leaf))] : ranked;
    const candidates = ordered.map((leaf) => this.candidateOf(ctx, leaf));
    return {
      problem,
      domain: domain?.name ?? null,
      answer: candidates[0]?.answer ?? null,
      strategy: strategyName,
      chosen: ctx.chosen,
      budget: params.budget,
      difficulty: ctx.difficulty,
      tokens: ctx.generatedTokens,
      prm_tokens: prmTokens,
      flops: 2 * policy.parameters * policyTokens + 2 * reward.parameters * prmTokens,
      ms: Math.round(performance.now() - started),
      candidates,
      tree: ctx.nodes.map(viewOf),
    };
  }

  /** Checker verdicts and PRM scores for a written solution (the user's or ours). */
  async verify(rawProblem: string, steps: readonly string[]): Promise<VerifyResult> {
    const { problem, domain } = recogniseProblem(rawProblem);
    const checked = (domain ?? DEFAULT_DOMAIN).check(problem, steps);
    const { reward } = await this.modelsFor(domain);
    const scores = reward instanceof LocalPrm ? await reward.scoreSolution(problem, steps) : await scoreByPrefix(reward, problem, steps);
    return { steps: checked.steps.map((s, i) => ({ ...s, score: scores[i] ?? null })), answer: checked.answer };
  }

  /**
   * Every step of a written solution through the models' eyes: the checker's verdict, the PRM's
   * score (as verify gives it) and, for each token, the policy's probability of it and its top
   * alternatives at `temperature`, from one teacher-forced pass of the policy's own session.
   */
  async explain(rawProblem: string, steps: readonly string[], options: { temperature?: number; top?: number; logits?: number } = {}): Promise<ExplainResult> {
    const temperature = options.temperature ?? 1;
    const { problem, domain } = recogniseProblem(rawProblem);
    const { policy } = await this.modelsFor(domain);
    if (!(policy instanceof LocalPolicy)) throw new Error('explain needs a local policy model: a completions server does not return the logits of every token');
    const [verified, forced] = await Promise.all([this.verify(problem, steps), policy.stepLogits(problem, steps)]);
    const piece = (id: number) => policy.model.tokenizer.piece(id);
    return { temperature, steps: verified.steps.map((s, i) => ({ ...s, tokens: tokenViews(forced[i].ids, forced[i].logits, piece, temperature, options.top ?? 5, options.logits ?? 0) })) };
  }

  /**
   * What if the policy had written `beginning` (a step's first tokens, the last one chosen by the
   * user)? It writes the rest of that step (seeded), and the step gets its PRM score and verdict.
   */
  async whatIf(rawProblem: string, before: readonly string[], beginning: string, options: { seed?: number; temperature?: number } = {}): Promise<WhatIfResult> {
    const { problem, domain } = recogniseProblem(rawProblem);
    const { policy } = await this.modelsFor(domain);
    if (!(policy instanceof LocalPolicy)) throw new Error('what-if needs a local policy model');
    const text = await policy.continueStep(problem, before, beginning, { temperature: options.temperature ?? 0, topP: 1, suppress: [] }, new Rng(options.seed ?? 0));
    const verified = await this.verify(problem, [...before, text]);
    return verified.steps[verified.steps.length - 1];
  }

  private candidateOf(ctx: SearchContext, leaf: SearchNode): Candidate {
    const path = pathOf(leaf);
    const steps = path.map((n) => ({ text: n.text, score: n.score, valid: n.valid, reason: n.reason }));
    return { answer: leaf.answer, score: ctx.scoreOf(leaf), verified: isChecked(leaf.answer, steps), nodeId: leaf.id, steps };
  }

  async dispose(): Promise<void> {
    const pairs = await Promise.allSettled(this.loaded.values());
    const extra = pairs.flatMap((p) => (p.status === 'fulfilled' && p.value.policy !== this.policy ? [p.value] : []));
    await Promise.all([this.policy.dispose(), this.reward.dispose(), ...extra.flatMap((p) => [p.policy.dispose(), p.reward.dispose()])]);
  }
}

async function scoreByPrefix(reward: RewardBackend, problem: string, steps: readonly string[]): Promise<number[]> {
  let state = await reward.start(problem);
  const out: number[] = [];
  for (const s of steps) {
    const [r] = await reward.score([state], [s]);
    out.push(r.score);
    state = r.state;
  }
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
