import * as vscode from 'vscode';
import { join } from 'node:path';
import { EngineClient, EngineError } from '../worker/client';
import type { SolveResult, VerifyResult } from '../core/protocol/results';
import type { PanelState, PanelToHost } from '../core/protocol/panel';
import { engineConfig, readSettings, solveOptions } from './settings';
import { LiveSearch } from './live-search';
import { SolvePanel } from './panel';
import { STRATEGY_NAMES } from '../core/search/registry';

/** Names offered in the panel's strategy picker (the engine validates them again). */
/** SecretStorage key of the API key sent to remote model servers. */
export const API_KEY_SECRET = 'stepwise.apiKey';

/** The registry's strategies, auto first (the default). */
export const STRATEGY_CHOICES = ['auto', ...STRATEGY_NAMES.filter((n) => n !== 'auto')];

/**
 * The extension's one stateful object: the engine client (worker started on first use,
 * restarted if it dies), the running solve and its cancel, the panel and the last search.
 * A new solve cancels the one running (documented in the README).
 */
const OUT_OF_SCOPE = 'The bundled models were not trained for this kind of problem (they know StepMath: Compute, Solve for x and its word-problem templates; and Make 24 puzzles), so this answer is a guess. A bigger model can be set in the stepwise.policyModelPath or stepwise.policyUrl settings (README, "Bigger models").';

export class StepwiseController implements vscode.Disposable {
  private client: EngineClient | null = null;
  private running: AbortController | null = null;
  private targetEditor: vscode.TextEditor | undefined;
  last: LiveSearch | null = null;
  private readonly searchListeners = new Set<(s: LiveSearch) => void>();
  private readonly resultListeners = new Set<(r: SolveResult) => void>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {}

  private apiKey: string | undefined;
  private secretLoaded: Promise<void> | null = null;

  /** The engine client; `ready()` first so the API key (SecretStorage) is in its configuration. */
  get engine(): EngineClient {
    this.client ??= new EngineClient(join(this.context.extensionPath, 'dist', 'worker.js'), engineConfig(readSettings(), this.context.extensionPath, this.apiKey), (m) => this.log.warn(m));
    return this.client;
  }

  async ready(): Promise<EngineClient> {
    this.secretLoaded ??= Promise.resolve(this.context.secrets.get(API_KEY_SECRET)).then((k) => {
      this.apiKey = k;
    });
    await this.secretLoaded;
    return this.engine;
  }

  /** Settings, trust and secret changes reach the engine without a reload. */
  async reconfigure(): Promise<void> {
    this.apiKey = await this.context.secrets.get(API_KEY_SECRET);
    this.client?.configure(engineConfig(readSettings(), this.context.extensionPath, this.apiKey));
    this.log.info('settings changed: the engine uses them from the next request');
  }

  onSearch(listener: (s: LiveSearch) => void): vscode.Disposable {
    this.searchListeners.add(listener);
    return new vscode.Disposable(() => this.searchListeners.delete(listener));
  }

  onResult(listener: (r: SolveResult) => void): vscode.Disposable {
    this.resultListeners.add(listener);
    return new vscode.Disposable(() => this.resultListeners.delete(listener));
  }

  /** Shows a search (a finished one from history, or the last one) in the panel, focused on a node. */
  showSearch(search: LiveSearch, focusNodeId: number | null = null): void {
    this.last = search;
    search.state = { ...search.state, focusNodeId };
    SolvePanel.show(this.context.extensionUri, this.panelHandlers()).update(search.state, true);
    for (const l of this.searchListeners) l(search);
  }

  /**
   * The step under the editor's cursor (or none): its card highlighted and its verdict in the
   * panel's header, when the panel is open; it is not opened for a cursor move.
   */
  showCursor(search: LiveSearch, step: { nodeId: number; cursor: NonNullable<PanelState['cursor']> } | null): void {
    if (search !== this.last) return;
    // The card to highlight is the best solution through the step's node.
    search.state = step ? { ...search.state, cursor: step.cursor, focusNodeId: search.candidateThrough(step.nodeId)?.nodeId ?? null } : { ...search.state, cursor: null };
    SolvePanel.instance?.update(search.state, true);
  }

  cancel(): void {
    this.running?.abort();
  }

  async solve(problem: string, override: { strategy?: string; budget?: number; prefix?: string[] } = {}): Promise<SolveResult | undefined> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    if (vscode.window.activeTextEditor) this.targetEditor = vscode.window.activeTextEditor;
    const options = solveOptions(readSettings(), override);
    const live = new LiveSearch(problem.trim(), options.strategy ?? 'auto', options.budget ?? 16, STRATEGY_CHOICES);
    let panel: SolvePanel | undefined;
    const publish = (immediately = false) => {
      // The panel opens only once the engine accepted the problem, so bad input leaves it as it was.
      panel ??= SolvePanel.show(this.context.extensionUri, this.panelHandlers());
      panel.update(live.state, immediately);
      for (const l of this.searchListeners) l(live);
    };
    this.log.info(`solve "${problem.slice(0, 120)}" with ${options.strategy}, budget ${options.budget}`);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Stepwise', cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      // Only a first solve starts the worker and loads models; later ones go straight to the search.
      progress.report({ message: this.client ? 'searching…' : 'starting the engine…' });
      try {
        const engine = await this.ready();
        const result = await engine.solve(
          problem,
          options,
          (e) => {
            live.apply(e);
            if (e.type === 'plan') this.last = live;
            progress.report({ message: `${live.state.nodes} steps explored, ${live.state.candidates.length} candidates` });
            publish();
          },
          controller.signal,
        );
        live.finish(result);
        // Honest about scope: the bundled models know StepMath and Make 24, nothing else.
        const settings = readSettings();
        const own = vscode.workspace.isTrusted && Boolean(settings.policyModelPath || settings.policyUrl);
        if (result.domain === null && !own) live.state = { ...live.state, notice: OUT_OF_SCOPE };
        this.last = live;
        publish(true);
        for (const l of this.resultListeners) l(result);
        this.log.info(`solved in ${result.ms} ms: answer ${result.answer}, ${result.tokens} tokens`);
        return result;
      } catch (e) {
        const error = e instanceof EngineError ? e : new EngineError('internal', e instanceof Error ? e.message : String(e));
        this.log.warn(`solve failed (${error.kind}): ${error.message}`);
        if (error.kind === 'cancelled') {
          live.stop('cancelled', 'Cancelled: the candidates found so far are shown.');
          if (this.last === live) publish(true);
        } else {
          if (this.last === live) {
            live.stop('error', error.message);
            publish(true);
          }
          void vscode.window.showErrorMessage(`Stepwise: ${error.message}`, 'Show Log').then((choice) => choice && this.log.show());
        }
        return undefined;
      } finally {
        if (this.running === controller) this.running = null;
      }
    });
  }

  async verify(problem: string, steps: string[]): Promise<VerifyResult | undefined> {
    try {
      return await (await this.ready()).verify(problem, steps);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.warn(`verify failed: ${message}`);
      void vscode.window.showErrorMessage(`Stepwise: ${message}`);
      return undefined;
    }
  }

  private panelHandlers() {
    return { log: this.log, onMessage: (m: Exclude<PanelToHost, { type: 'ready' }>) => void this.onPanelMessage(m) };
  }

  revivePanel(panel: vscode.WebviewPanel, state: unknown): void {
    SolvePanel.revive(panel, this.context.extensionUri, state, this.panelHandlers());
  }

  private async onPanelMessage(m: Exclude<PanelToHost, { type: 'ready' }>): Promise<void> {
    const state = SolvePanel.instance?.currentState;
    switch (m.type) {
      case 'cancel':
        this.cancel();
        return;
      case 'rerun':
        if (state) await this.solve(state.problem, { strategy: m.strategy, budget: m.budget });
        return;
      case 'insert': {
        const candidate = state?.candidates[m.candidate];
        if (!candidate) return;
        await this.insert(candidate.steps.map((s) => s.text).join('\n'));
        return;
      }
      case 'explain': {
        const candidate = state?.candidates[m.candidate];
        if (!candidate || !state || m.step >= candidate.steps.length) return;
        await vscode.commands.executeCommand('stepwise.explainStep', { problem: state.problem, steps: candidate.steps.map((s) => s.text), index: m.step });
        return;
      }
    }
  }

  /** Inserts below the line the problem came from, or into a new document if that editor is gone. */
  async insert(text: string): Promise<void> {
    const editor = this.targetEditor && vscode.window.visibleTextEditors.includes(this.targetEditor) ? this.targetEditor : undefined;
    if (!editor) {
      const doc = await vscode.workspace.openTextDocument({ content: `${this.last?.state.problem ?? ''}\n${text}\n`, language: 'plaintext' });
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      return;
    }
    const line = editor.selection.end.line;
    const end = editor.document.lineAt(line).range.end;
    await editor.edit((b) => b.insert(end, `\n${text}`));
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  }

  dispose(): void {
    this.running?.abort();
    void this.client?.dispose();
  }
}
