import * as vscode from 'vscode';
import type { LiveSearch } from './live-search';
import { TreeRows, type TreeRow } from './tree-rows';

const fmt = (s: number | null) => (s === null ? '' : s.toFixed(2));

/** The last search as a native tree: steps as the search expanded them (identical siblings once), scores, verdicts, pruning. */
export class SearchTreeProvider implements vscode.TreeDataProvider<TreeRow> {
  private search: LiveSearch | null = null;
  private rows: TreeRows | null = null;
  private readonly changed = new vscode.EventEmitter<TreeRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private pending: NodeJS.Timeout | undefined;

  /** Rebuilds (at most every 200 ms while a search streams). */
  show(search: LiveSearch): void {
    this.search = search;
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.rows = new TreeRows(this.search?.nodes.values() ?? []);
      this.changed.fire(undefined);
    }, 200);
  }

  get current(): LiveSearch | null {
    return this.search;
  }

  /** The row that shows a node (for reveal). */
  rowOf(nodeId: number): TreeRow | undefined {
    return this.rows?.rowOf.get(nodeId);
  }

  getChildren(row?: TreeRow): TreeRow[] {
    if (!this.rows) return [];
    if (!row) return this.rows.root ? [this.rows.root] : [];
    return this.rows.children(row);
  }

  getParent(row: TreeRow): TreeRow | undefined {
    return row.node.parentId === null ? undefined : this.rows?.rowOf.get(row.node.parentId);
  }

  getTreeItem(row: TreeRow): vscode.TreeItem {
    const { node } = row;
    const hasChildren = (this.rows?.children(row).length ?? 0) > 0;
    const item = new vscode.TreeItem(node.text, node.parentId === null ? vscode.TreeItemCollapsibleState.Expanded : hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `node-${node.id}`;
    if (node.parentId === null) {
      item.iconPath = new vscode.ThemeIcon('symbol-numeric');
      item.description = this.search?.state.strategy;
      item.contextValue = 'stepwiseProblem';
      return item;
    }
    const copies = row.members.length;
    const parts = [fmt(node.score), copies > 1 ? `×${copies}` : ''];
    if (node.status === 'pruned') parts.push('pruned');
    if (node.status === 'finished') parts.push(node.answer !== null ? `→ ${node.answer}` : 'dead end');
    item.description = parts.filter(Boolean).join(' · ');
    const why = node.status === 'pruned' && this.search ? this.rows!.prunedReason(node, this.search.nodes.values()) : node.status;
    const times = copies > 1 ? `\n\n**Written** ${copies} times by the search at this point` : '';
    item.tooltip = new vscode.MarkdownString(`**PRM score** ${fmt(node.score)} (the process reward model's estimate that this step leads to a right answer)\n\n**Checker** ${node.valid === true ? 'correct' : node.valid === false ? 'wrong' : 'cannot check'}: ${node.reason}\n\n**Status** ${why}${times}`);
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
