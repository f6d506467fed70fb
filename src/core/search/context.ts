import { Rng } from '../rng';
import type { PolicyBackend } from '../backends/policy';
import type { RewardBackend } from '../backends/prm';
import { aggregateScores } from './aggregate';
import type { Domain } from '../domains/domain';
import { throwIfCancelled } from '../cancel';
import type { SearchParams } from './params';
import type { PlanChoice } from '../adapt/plan-table';
import type { Difficulty } from '../protocol/results';
import { pathOf, viewOf, type NodeStatus, type SearchEvent, type SearchNode } from './tree';

/**
 * Everything a strategy needs: the tree, one batched `expand` that generates, scores and checks
 * steps, and bookkeeping of the compute spent. Strategies decide only where to spend it.
 */
export class SearchContext {
  readonly nodes: SearchNode[] = [];
  generatedTokens = 0;
  /** What `auto` decided (null for a fixed strategy). */
  chosen: PlanChoice | null = null;
  difficulty: Difficulty | null = null;
  private readonly rng: Rng;

  private constructor(
    readonly problem: string,
    /** What the problem is: its checker and stop rule. */
    readonly domain: Domain,
    public params: SearchParams,
    private readonly policy: PolicyBackend,
    private readonly reward: RewardBackend,
    readonly root: SearchNode,
    seed: number,
    private readonly emit: (e: SearchEvent) => void,
    readonly signal: AbortSignal | undefined,
  ) {
    this.rng = new Rng(seed);
  }

  /**
   * Starts a search below `problem`, with `prefix` steps held fixed (continue from a node, solve
   * from a step): they become a chain of nodes, scored by the PRM, and `root` is the last of them.
   */
  static async create(problem: string, domain: Domain, params: SearchParams, policy: PolicyBackend, reward: RewardBackend, seed: number, emit: (e: SearchEvent) => void, signal?: AbortSignal, prefix: readonly string[] = []): Promise<SearchContext> {
    // Steps are newline-separated continuations of the prompt, so a prefix is part of the prompt.
    const [policyState, problemReward] = await Promise.all([policy.start([problem, ...prefix].join('\n'), signal), reward.start(problem, signal)]);
    const problemNode: SearchNode = { id: 0, parentId: null, depth: 0, text: problem, score: null, valid: null, reason: '', status: 'active', answer: null, parent: null, policy: null, reward: null, pathScores: [], claim: null };
    const chain: SearchNode[] = [problemNode];
    const verdicts = domain.check(problem, prefix).steps;
    const claims = params.verifier === 'checked' ? domain.checkClaims(problem, prefix).steps.map((v) => v.valid) : prefix.map(() => null);
    let rewardState = problemReward;
    for (const [i, text] of prefix.entries()) {
      const [scored] = await reward.score([rewardState], [text], signal);
      rewardState = scored.state;
      const parent = chain[chain.length - 1];
      parent.status = 'expanded';
      chain.push({ id: chain.length, parentId: parent.id, depth: i + 1, text, score: scored.score, valid: verdicts[i].valid, reason: verdicts[i].reason, status: 'active', answer: null, parent, policy: null, reward: null, pathScores: [...parent.pathScores, searchScore(scored.score, claims[i])], claim: claims[i] });
    }
    const root = chain[chain.length - 1];
    root.policy = policyState;
    root.reward = rewardState;
    const ctx = new SearchContext(problem, domain, params, policy, reward, root, seed, emit, signal);
    for (const n of chain) {
      ctx.nodes.push(n);
      emit({ type: 'node', node: viewOf(n) });
    }
    return ctx;
  }

  /** Records and announces the strategy and budget `auto` chose for the estimated difficulty. */
  setPlan(choice: PlanChoice, difficulty: Difficulty): void {
    this.chosen = choice;
    this.difficulty = difficulty;
    this.emit({ type: 'plan', strategy: choice.strategy, budget: choice.budget, difficulty, ...(choice.samplesAfter ? { samplesAfter: choice.samplesAfter } : {}) });
  }

  /** Runs `body` with some search knobs changed, then restores them. */
  async withParams<T>(overrides: Partial<SearchParams>, body: () => Promise<T>): Promise<T> {
    const saved = this.params;
    this.params = { ...saved, ...Object.fromEntries(Object.entries(overrides).filter(([k, v]) => v !== undefined && k in saved)) };
    try {
      return await body();
    } finally {
      this.params = saved;
    }
  }

  /** Path score under the configured aggregation. */
  scoreOf(n: SearchNode): number {
    return aggregateScores(n.pathScores, this.params.aggregation);
  }

  /**
   * Generates `counts[i]` next steps below `parents[i]`, all in one batch, scores them with the PRM
   * (one pass over the new tokens only) and checks them. Children that end the solution are finished.
   * With `distinct` (tree searches), one parent's children are different steps where the domain's
   * steps are choices and the policy can tell (drawsDistinct): they are drawn without replacement,
   * one per parent per batch, over the node's whole life (SearchNode.drawn: expanded again, it
   * draws steps it has not drawn before), and a parent whose unseen steps hold less than SPENT of
   * the policy's probability gives no more, so fewer children than asked may come back.
   * Independent samples leave it off.
   */
  async expand(parents: readonly SearchNode[], counts: readonly number[], options: { temperature?: number; distinct?: boolean } = {}): Promise<SearchNode[]> {
    const temperature = options.temperature ?? this.params.temperature;
    const distinct = (options.distinct ?? false) && this.domain.stepsAreChoices && this.policy.drawsDistinct;
    throwIfCancelled(this.signal);
    // A node expanded before (auto's probe, a revision) gets its states back first.
    for (const [i, p] of parents.entries()) if (counts[i] > 0 && p.status !== 'finished' && (p.policy === null || p.reward === null)) await this.reopen(p);
    const rows: SearchNode[] = [];
    parents.forEach((p, i) => {
      for (let c = 0; c < counts[i]; c++) rows.push(p);
    });
    if (!rows.length) return [];
    const children = await this.drawRows(rows, temperature, distinct);
    // Verifier `checked`: a child whose own claims the checker proves wrong is never kept; its
    // parent draws again in its place (sampling, so greedy too gets another try), a few times.
    if (this.params.verifier === 'checked') {
      for (let retry = 0; retry < CHECKED_RETRIES; retry++) {
        const rejected = children.flatMap((c, i) => (c?.claim === false ? [i] : []));
        if (!rejected.length) break;
        const again = await this.drawRows(rejected.map((i) => rows[i]), Math.max(temperature, RETRY_TEMPERATURE), distinct);
        if (again.every((c) => c === null)) break;
        rejected.forEach((i, k) => {
          if (again[k] === null) return;
          this.prune([children[i]!]);
          children[i] = again[k];
        });
      }
    }
    const expanded = parents.filter((p, i) => counts[i] > 0 && (p.status === 'active' || p.status === 'expanded'));
    if (expanded.length) this.setStatus(expanded, 'expanded');
    expanded.forEach((p) => this.release(p));
    const drawn = children.filter((c): c is SearchNode => c !== null);
    for (const node of drawn) {
      if (node.claim === false) this.prune([node]);
      else if (node.answer !== null || node.policy === null || node.depth >= this.params.maxSteps) this.finish(node);
    }
    return drawn;
  }

  /**
   * One next step below each row. Without `distinct`, in one batch; with it, in rounds that take
   * each parent once, so every draw can leave out the steps drawn before it; null where a parent
   * was spent before its turn.
   */
  private async drawRows(rows: readonly SearchNode[], temperature: number, distinct: boolean): Promise<(SearchNode | null)[]> {
    if (!distinct) return this.draw(rows, temperature, false);
    const out = new Array<SearchNode | null>(rows.length).fill(null);
    let pending = rows.map((_, i) => i);
    while (pending.length) {
      const inRound = new Set<SearchNode>();
      const now: number[] = [];
      const later: number[] = [];
      for (const i of pending) {
        if (inRound.has(rows[i])) later.push(i);
        else {
          inRound.add(rows[i]);
          if (1 - (rows[i].drawn?.used ?? 0) >= SPENT) now.push(i);
        }
      }
      if (!now.length) break;
      const drawn = await this.draw(now.map((i) => rows[i]), temperature, true);
      now.forEach((i, k) => (out[i] = drawn[k]));
      pending = later;
    }
    return out;
  }

  /** One next step below each row, in one batch: decoded, scored by the PRM, checked, announced. */
  private async draw(rows: readonly SearchNode[], temperature: number, distinct: boolean): Promise<SearchNode[]> {
    const drafts = await this.policy.extend(
      rows.map((p) => p.policy),
      { temperature, topP: this.params.topP, suppress: [] },
      this.rng,
      this.signal,
      distinct ? rows.map((p) => (p.drawn ??= { used: 0, next: {} })) : undefined,
    );
    this.generatedTokens += drafts.reduce((n, d) => n + d.tokens, 0);
    // Siblings that wrote the same step are one step to the PRM: score each distinct one once.
    const firstIndex = new Map<string, number>();
    const unique: number[] = [];
    const which = drafts.map((d, i) => {
      const key = `${rows[i].id}\n${d.text}`;
      let j = firstIndex.get(key);
      if (j === undefined) {
        j = unique.length;
        firstIndex.set(key, j);
        unique.push(i);
      }
      return j;
    });
    const scoredDistinct = await this.reward.score(
      unique.map((i) => rows[i].reward),
      unique.map((i) => drafts[i].text),
      this.signal,
    );
    const scored = which.map((j) => scoredDistinct[j]);
    return drafts.map((d, i) => {
      const parent = rows[i];
      const answer = this.domain.answerOf(d.text);
      const path = [...pathOf(parent).map((n) => n.text), d.text];
      const verdict = this.domain.check(this.problem, path).steps[path.length - 1];
      // Where the checker reads only the claims anyway (selfChecking), its verdict is the claim's.
      const claim = this.params.verifier !== 'checked' ? null : this.domain.selfChecking ? verdict.valid : this.domain.checkClaims(this.problem, path).steps[path.length - 1].valid;
      const node: SearchNode = {
        id: this.nodes.length,
        parentId: parent.id,
        depth: parent.depth + 1,
        text: d.text,
        score: scored[i].score,
        valid: verdict.valid,
        reason: verdict.reason,
        status: 'active',
        answer,
        parent,
        policy: d.state,
        reward: scored[i].state,
        pathScores: [...parent.pathScores, searchScore(scored[i].score, claim)],
        claim,
      };
      this.nodes.push(node);
      this.emit({ type: 'node', node: viewOf(node) });
      return node;
    });
  }

  /**
   * Gives a node whose caches were released (it was expanded) its states back, by prefilling the
   * problem and the node's path; the tokens count as compute like any other.
   */
  async reopen(n: SearchNode): Promise<void> {
    if (n.policy !== null && n.reward !== null) return;
    const text = [this.problem, ...pathOf(n).map((p) => p.text)].join('\n');
    [n.policy, n.reward] = await Promise.all([this.policy.start(text, this.signal), this.reward.start(text, this.signal)]);
    if (n.status === 'expanded') n.status = 'active';
  }

  /** Greedy rollouts k steps ahead; the PRM score at the end is the node's lookahead score. */
  async lookaheadScores(nodes: readonly SearchNode[], k: number): Promise<number[]> {
    const scores = nodes.map((n) => n.score ?? 0);
    let frontier = nodes.map((n, i) => ({ node: n, i }));
    for (let step = 0; step < k; step++) {
      frontier = frontier.filter((f) => f.node.status !== 'finished' && f.node.policy !== null);
      if (!frontier.length) break;
      const drafts = await this.policy.extend(frontier.map((f) => f.node.policy), { temperature: 0, topP: 1, suppress: [] }, this.rng, this.signal);
      this.generatedTokens += drafts.reduce((n, d) => n + d.tokens, 0);
      const scored = await this.reward.score(frontier.map((f) => f.node.reward), drafts.map((d) => d.text), this.signal);
      frontier = frontier.map((f, j) => {
        scores[f.i] = scored[j].score;
        const done = this.domain.answerOf(drafts[j].text) !== null || drafts[j].state === null;
        // A rollout node is scratch: never shown, never kept.
        const scratch = { ...f.node, policy: drafts[j].state, reward: scored[j].state, status: (done ? 'finished' : 'active') as NodeStatus };
        return { node: scratch, i: f.i };
      });
    }
    return scores;
  }

  finish(n: SearchNode): void {
    this.setStatus([n], 'finished');
    this.release(n);
    this.emit({ type: 'candidate', nodeId: n.id, answer: n.answer, score: this.scoreOf(n) });
  }

  prune(nodes: readonly SearchNode[]): void {
    const live = nodes.filter((n) => n.status === 'active');
    if (!live.length) return;
    this.setStatus(live, 'pruned');
    live.forEach((n) => this.release(n));
  }

  /** Nodes that can still be expanded. */
  isOpen(n: SearchNode): boolean {
    return n.status === 'active' && n.policy !== null;
  }

  leaves(): SearchNode[] {
    return this.nodes.filter((n) => n.status === 'finished');
  }

  tokensProcessed(): { policy: number; reward: number } {
    return { policy: this.policy.tokensProcessed, reward: this.reward.tokensProcessed };
  }

  private setStatus(nodes: readonly SearchNode[], status: NodeStatus): void {
    for (const n of nodes) n.status = status;
    this.emit({ type: 'status', ids: nodes.map((n) => n.id), status });
  }

  /** Caches are the big part of a node; only open nodes keep theirs. */
  private release(n: SearchNode): void {
    n.policy = null;
    n.reward = null;
  }
}

/**
 * `distinct` expansion: a parent whose steps not yet drawn hold less than this share of the
 * policy's probability is spent (what is left is mostly noise the policy itself rules out).
 * Chosen on train-split Make 24 puzzles: 0.005, 0.02 and 0.05 solved within a puzzle of each other
 * at beam@16; 0.02 spends a sixth fewer tokens than 0.005.
 */
const SPENT = 0.02;

/** Verifier `checked`: how many times a parent draws again for a child the checker rejected, and at what temperature at least. */
const CHECKED_RETRIES = 3;
const RETRY_TEMPERATURE = 0.7;

/**
 * The score the search ranks a step by: the PRM's, except that a step whose own claims the checker
 * proves wrong (Verifier `checked`) scores 0 (the node still shows the PRM's score).
 */
function searchScore(prmScore: number, claim: boolean | null): number {
  return claim === false ? 0 : prmScore;
}
