import * as vscode from 'vscode';
import type { SolveResult } from '../core/protocol/results';
import type { StepwiseController } from './controller';
import { LiveSearch } from './live-search';

export interface HistoryEntry {
  problem: string;
  answer: string | null;
  strategy: string;
  time: number;
  result: Omit<SolveResult, 'tree'> & { tree: SolveResult['tree'] };
}

const KEY = 'stepwise.history';
const LIMIT = 30;

/** Solves in this workspace, newest first, kept in workspace state (not settings). */
export class HistoryProvider implements vscode.TreeDataProvider<HistoryEntry> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  /** The History view, its commands, and every finished solve recorded. */
  static register(context: vscode.ExtensionContext, controller: StepwiseController): HistoryProvider {
    const history = new HistoryProvider(context.workspaceState);
    context.subscriptions.push(
      vscode.window.registerTreeDataProvider('stepwise.history', history),
      controller.onResult((r) => void history.add(r)),
      vscode.commands.registerCommand('stepwise.openHistory', (time: number) => {
        const entry = history.entries().find((e) => e.time === time);
        if (!entry) return;
        const search = new LiveSearch(entry.problem, entry.strategy, entry.result.budget, []);
        search.finish(entry.result);
        controller.showSearch(search);
      }),
      vscode.commands.registerCommand('stepwise.clearHistory', () => history.clear()),
    );
    return history;
  }

  entries(): HistoryEntry[] {
    return this.memento.get<HistoryEntry[]>(KEY, []);
  }

  async add(result: SolveResult): Promise<void> {
    const entry: HistoryEntry = { problem: result.problem, answer: result.answer, strategy: result.strategy, time: Date.now(), result };
    await this.memento.update(KEY, [entry, ...this.entries()].slice(0, LIMIT));
    this.changed.fire();
  }

  async clear(): Promise<void> {
    await this.memento.update(KEY, []);
    this.changed.fire();
  }

  getChildren(entry?: HistoryEntry): HistoryEntry[] {
    return entry ? [] : this.entries();
  }

  getTreeItem(e: HistoryEntry): vscode.TreeItem {
    // Answer, strategy and time first: a narrow side bar cuts the long problem text, not them.
    const item = new vscode.TreeItem(e.answer ?? '(no answer)', vscode.TreeItemCollapsibleState.None);
    item.description = `${e.strategy} · ${new Date(e.time).toLocaleTimeString()} · ${e.problem}`;
    item.tooltip = `${e.problem}\nanswer ${e.answer ?? '(none)'} · ${e.strategy} · ${new Date(e.time).toLocaleString()}`;
    item.iconPath = new vscode.ThemeIcon('history');
    item.command = { command: 'stepwise.openHistory', title: 'Reopen', arguments: [e.time] };
    return item;
  }
}
