import type { Candidate, NodeView, SearchEvent, SolveResult } from '../core/protocol/results';
import type { PanelState, RunStatus } from '../core/protocol/panel';
import { isChecked } from '../core/search/tree';
import { furthestFirst } from './tree-rows';

/**
 * The panel's view of one solve, built from the worker's events as they stream in and
 * replaced by the engine's ranked result at the end. Plain data: no vscode here.
 */
export class LiveSearch {
  readonly nodes = new Map<number, NodeView>();
  private readonly finished: number[] = [];
  state: PanelState;

  constructor(problem: string, strategy: string, budget: number, strategies: string[]) {
    this.state = {
      problem,
      status: 'running',
      message: '',
      strategy,
      chosen: null,
      budget,
      difficulty: null,
      tokens: 0,
      flops: 0,
      ms: 0,
      candidates: [],
      agreement: [],
      nodes: 0,
      strategies,
      focusNodeId: null,
    };
  }

  apply(e: SearchEvent): void {
    switch (e.type) {
      case 'plan':
        // The engine announces the request first; `auto` then announces what it chose.
        this.state = e.difficulty ? { ...this.state, chosen: chosenText(e.strategy, e.budget, e.samplesAfter), difficulty: e.difficulty } : { ...this.state, strategy: e.strategy, budget: e.budget };
        return;
      case 'node':
        this.nodes.set(e.node.id, e.node);
        if (e.node.id === 0) this.state = { ...this.state, problem: e.node.text };
        this.state = { ...this.state, nodes: this.nodes.size };
        return;
      case 'status':
        for (const id of e.ids) {
          const n = this.nodes.get(id);
          if (n) this.nodes.set(id, { ...n, status: e.status });
        }
        return;
      case 'candidate': {
        this.finished.push(e.nodeId);
        const candidates = this.finished.map((id) => this.candidateAt(id)).sort((a, b) => b.score - a.score);
        this.state = { ...this.state, candidates, agreement: agreementOf(candidates) };
        return;
      }
    }
  }

  finish(r: SolveResult): void {
    for (const n of r.tree) this.nodes.set(n.id, n);
    this.state = {
      ...this.state,
      problem: r.problem,
      status: 'done',
      message: '',
      strategy: r.strategy,
      chosen: r.chosen ? chosenText(r.chosen.strategy, r.chosen.budget, r.chosen.samplesAfter) : null,
      budget: r.budget,
      difficulty: r.difficulty,
      tokens: r.tokens,
      flops: r.flops,
      ms: r.ms,
      candidates: r.candidates,
      agreement: agreementOf(r.candidates),
      nodes: r.tree.length,
    };
  }

  stop(status: RunStatus, message: string): void {
    this.state = { ...this.state, status, message };
  }

  /**
   * The node whose path from the root writes exactly these lines (a document's steps up to the
   * cursor), preferring the branch the search took furthest; null when the search never wrote them.
   */
  nodeAlong(lines: readonly string[]): NodeView | null {
    let at: NodeView | undefined = this.nodes.get(0);
    for (const line of lines) {
      const text = line.trim();
      const next: NodeView[] = [...this.nodes.values()].filter((n) => n.parentId === at!.id && n.text.trim() === text);
      if (!next.length) return null;
      at = next.sort(furthestFirst)[0];
    }
    return at && at.parentId !== null ? at : null;
  }

  /**
   * The best candidate whose path passes through a node (the panel's card for it), or, for a
   * branch where none finished, the best one through its nearest ancestor.
   */
  candidateThrough(nodeId: number): Candidate | undefined {
    const through = (id: number) => this.state.candidates.find((c) => c.nodeId === id || this.pathTo(c.nodeId).some((n) => n.id === id));
    for (let n = this.nodes.get(nodeId); n; n = n.parentId === null ? undefined : this.nodes.get(n.parentId)) {
      const holder = through(n.id);
      if (holder) return holder;
    }
    return this.state.candidates[0];
  }

  /** Path from the root to a node, root excluded. */
  pathTo(id: number): NodeView[] {
    const path: NodeView[] = [];
    for (let n = this.nodes.get(id); n && n.parentId !== null; n = this.nodes.get(n.parentId)) path.push(n);
    return path.reverse();
  }

  private candidateAt(id: number): Candidate {
    const path = this.pathTo(id);
    const steps = path.map((n) => ({ text: n.text, score: n.score, valid: n.valid, reason: n.reason }));
    const leaf = this.nodes.get(id);
    const last = steps[steps.length - 1];
    return {
      answer: leaf?.answer ?? null,
      score: last?.score ?? 0,
      verified: isChecked(leaf?.answer ?? null, steps),
      nodeId: id,
      steps,
    };
  }
}

export function agreementOf(candidates: readonly Candidate[]): { answer: string; count: number }[] {
  const counts = new Map<string, { answer: string; count: number }>();
  for (const c of candidates) {
    if (c.answer === null) continue;
    // Light normalisation only: the host bundle stays free of the math library.
    const key = c.answer.replace(/\s+/g, '').replace(/\.0+$/, '');
    const entry = counts.get(key) ?? { answer: c.answer, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/** What auto chose, in words: "greedy (1 sample)", "beam (16 beams)", "dvts (64 subtrees), then 40 samples". */
export function chosenText(strategy: string, budget: number, samplesAfter = 0): string {
  const unit = strategy === 'beam' || strategy === 'lookahead' ? 'beam' : strategy === 'dvts' ? 'subtree' : strategy === 'rebase' ? 'particle' : 'sample';
  const then = samplesAfter ? `, then ${samplesAfter} sample${samplesAfter === 1 ? '' : 's'} (no checked solution yet)` : '';
  return `${strategy} (${budget} ${unit}${budget === 1 ? '' : 's'})${then}`;
}
