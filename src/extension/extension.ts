import * as vscode from 'vscode';
import { StepwiseController } from './controller';
import type { SearchTreeProvider } from './tree-view';
import { HistoryProvider } from './history';
import type { StepHoverProvider } from './hover';
import type { SolutionDiagnostics } from './diagnostics';
import { ExplainPanel } from './explain-panel';
import { registerSolveCommands } from './solve-commands';
import { registerSearchViews } from './search-views';
import { registerSolutionFeatures } from './solution-features';

/** What activation hands to tests (and nothing heavier: the engine's worker starts on first use). */
export interface StepwiseApi {
  /** Milliseconds from the bundle starting to load to the end of activate(). */
  activationMs: number;
  controller: StepwiseController;
  searchTree: SearchTreeProvider;
  history: HistoryProvider;
  hover: StepHoverProvider;
  diagnostics: SolutionDiagnostics;
}

/** Constructs the pieces; each registers its own views and commands. */
export function activate(context: vscode.ExtensionContext): StepwiseApi {
  const log = vscode.window.createOutputChannel('Stepwise', { log: true });
  const controller = new StepwiseController(context, log);
  context.subscriptions.push(log, controller);
  registerSolveCommands(context, controller, log);
  const { searchTree, treeView } = registerSearchViews(context, controller, log);
  const history = HistoryProvider.register(context, controller);
  const { hover, diagnostics } = registerSolutionFeatures(context, controller);
  ExplainPanel.register(context, controller, log, searchTree, treeView);
  const loadStart = (globalThis as { __stepwiseLoadStart?: number }).__stepwiseLoadStart ?? performance.now();
  const activationMs = Math.round((performance.now() - loadStart) * 10) / 10;
  log.info(`activated in ${activationMs} ms (no model loaded: the engine starts on first use)`);
  return { activationMs, controller, searchTree, history, hover, diagnostics };
}

export function deactivate(): void {}
