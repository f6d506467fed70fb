import * as vscode from 'vscode';
import type { NodeView } from '../core/protocol/results';
import type { LiveSearch } from './live-search';

const fmt = (s: number | null) => (s === null ? '' : s.toFixed(2));

/** The last search as a native tree: steps as the search expanded them, scores, verdicts, pruning. */
export class SearchTreeProvider implements vscode.TreeDataProvider<NodeView> {
  private search: LiveSearch | null = null;
  private children = new Map<number, NodeView[]>();
  private readonly changed = new vscode.EventEmitter<NodeView | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private pending: NodeJS.Timeout | undefined;

  /** Rebuilds (at most every 200 ms while a search streams). */
  show(search: LiveSearch): void {
    this.search = search;
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.children = new Map();
      for (const n of this.search?.nodes.values() ?? []) {
        if (n.parentId === null) continue;
        const list = this.children.get(n.parentId) ?? [];
        list.push(n);
        this.children.set(n.parentId, list);
      }
      for (const list of this.children.values()) list.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
      this.changed.fire(undefined);
    }, 200);
  }

  get current(): LiveSearch | null {
    return this.search;
  }

  getChildren(node?: NodeView): NodeView[] {
    if (!this.search) return [];
    if (!node) {
      const root = this.search.nodes.get(0);
      return root ? [root] : [];
    }
    return this.children.get(node.id) ?? [];
  }

  getParent(node: NodeView): NodeView | undefined {
    return node.parentId === null ? undefined : this.search?.nodes.get(node.parentId);
  }

  getTreeItem(node: NodeView): vscode.TreeItem {
    const hasChildren = (this.children.get(node.id)?.length ?? 0) > 0;
    const item = new vscode.TreeItem(node.text, node.parentId === null ? vscode.TreeItemCollapsibleState.Expanded : hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `node-${node.id}`;
    if (node.parentId === null) {
      item.iconPath = new vscode.ThemeIcon('symbol-numeric');
      item.description = this.search?.state.strategy;
      item.contextValue = 'stepwiseProblem';
      return item;
    }
    const parts = [fmt(node.score)];
    if (node.status === 'pruned') parts.push('pruned');
    if (node.status === 'finished') parts.push(node.answer !== null ? `→ ${node.answer}` : 'dead end');
    item.description = parts.filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(`**PRM score** ${fmt(node.score)}\n\n**Checker** ${node.valid === true ? 'correct' : node.valid === false ? 'wrong' : 'cannot check'}: ${node.reason}\n\n**Status** ${node.status}`);
    const verdict = node.valid === true ? ['pass', 'testing.iconPassed'] : node.valid === false ? ['error', 'testing.iconFailed'] : ['question', 'descriptionForeground'];
    item.iconPath = node.status === 'pruned' ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')) : new vscode.ThemeIcon(verdict[0], new vscode.ThemeColor(verdict[1]));
    item.contextValue = 'stepwiseStep';
    item.command = { command: 'stepwise.revealNode', title: 'Reveal in panel', arguments: [node.id] };
    return item;
  }

  /** The steps from the problem down to a node, as solution lines. */
  pathText(nodeId: number): string[] {
    return this.search?.pathTo(nodeId).map((n) => n.text) ?? [];
  }
}
