import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { parseMessage } from '../core/protocol/worker';
import { ExplainToHostSchema, type ExplainToHost, type HostToExplain } from '../core/protocol/panel';
import type { ExplainResult } from '../core/protocol/results';
import type { StepwiseController } from './controller';
import type { SearchTreeProvider } from './tree-view';
import type { TreeRow } from './tree-rows';
import { readSolution } from './solution-document';

/** A step to explain: the problem, the solution's steps, and which of them. */
export interface StepToExplain {
  problem: string;
  steps: string[];
  index: number;
}

/** Raw logits per token sent to the view: every token of a small vocabulary, the likeliest of a big one. */
const LOGITS_PER_TOKEN = 256;

/**
 * The Explain Step view (Transformer Explainer for search): the step's tokens shaded by the
 * policy's probability, each token's alternatives, a temperature slider that reshapes the same
 * logits in the view, the PRM's score along the path, the checker's verdict, and what-ifs.
 */
export class ExplainPanel {
  private static current: ExplainPanel | undefined;
  private ready = false;
  private shown: { target: StepToExplain; result: ExplainResult } | null = null;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly controller: StepwiseController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((data: unknown) => void this.receive(data));
    panel.onDidDispose(() => {
      if (ExplainPanel.current === this) ExplainPanel.current = undefined;
    });
  }

  /** The Explain Step command: a tree row's path, a step handed over (panel, hover), or the cursor's line. */
  static register(context: vscode.ExtensionContext, controller: StepwiseController, log: vscode.LogOutputChannel, searchTree: SearchTreeProvider, treeView: vscode.TreeView<TreeRow>): void {
    const targetOf = (arg: TreeRow | StepToExplain | undefined): StepToExplain | null => {
      if (arg && 'node' in arg) {
        const search = controller.last;
        const steps = searchTree.pathText(arg.node.id);
        return search && steps.length ? { problem: search.state.problem, steps, index: steps.length - 1 } : null;
      }
      if (arg) return arg;
      const editor = vscode.window.activeTextEditor;
      const solution = editor && readSolution(editor.document);
      const index = solution?.steps.findIndex((s) => s.line === editor!.selection.active.line) ?? -1;
      return solution && index >= 0 ? { problem: solution.problem, steps: solution.steps.slice(0, index + 1).map((s) => s.text), index } : null;
    };
    context.subscriptions.push(
      vscode.commands.registerCommand('stepwise.explainStep', (arg?: TreeRow | StepToExplain) => {
        const target = targetOf(arg ?? treeView.selection[0]);
        if (!target) {
          void vscode.window.showInformationMessage('Stepwise: put the cursor on a step of a solution (or choose a step in the Search Tree) to explain it.');
          return undefined;
        }
        return ExplainPanel.show(target, context.extensionUri, controller, log);
      }),
    );
  }

  /** Opens (or reuses) the view on a step and asks the engine for its tokens. */
  static async show(target: StepToExplain, extensionUri: vscode.Uri, controller: StepwiseController, log: vscode.LogOutputChannel): Promise<ExplainResult | undefined> {
    if (!ExplainPanel.current) {
      const panel = vscode.window.createWebviewPanel('stepwise.explain', 'Explain Step', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] });
      ExplainPanel.current = new ExplainPanel(panel, extensionUri, controller, log);
    } else ExplainPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    return ExplainPanel.current.explain(target);
  }

  private async explain(target: StepToExplain): Promise<ExplainResult | undefined> {
    try {
      const result = await vscode.window.withProgress({ location: { viewId: 'stepwise.searchTree' } }, async () => (await this.controller.ready()).explain(target.problem, target.steps, LOGITS_PER_TOKEN));
      this.shown = { target, result };
      this.post({ type: 'explain', problem: target.problem, step: target.index, result });
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.post({ type: 'failed', message });
      void vscode.window.showErrorMessage(`Stepwise: cannot explain this step: ${message}`);
      return undefined;
    }
  }

  private async receive(data: unknown): Promise<void> {
    const parsed = parseMessage(ExplainToHostSchema, data);
    if (!parsed.ok) return this.log.warn(`dropped an invalid message from the Explain view (${parsed.error})`);
    const m: ExplainToHost = parsed.value;
    if (m.type === 'ready') {
      this.ready = true;
      if (this.shown) this.post({ type: 'explain', problem: this.shown.target.problem, step: this.shown.target.index, result: this.shown.result });
      return;
    }
    const shown = this.shown;
    const tokens = shown?.result.steps[m.step]?.tokens;
    if (!shown || !tokens || m.position >= tokens.length) return;
    // The step's tokens before the chosen place, then the chosen alternative: the policy writes the rest.
    const beginning = tokens.slice(0, m.position).map((t) => t.token).join('') + m.token;
    try {
      const result = await (await this.controller.ready()).whatIf(shown.target.problem, shown.target.steps.slice(0, m.step), beginning.replace(/\n$/, ''), 0, m.temperature);
      this.post({ type: 'whatIf', step: m.step, position: m.position, token: m.token, result });
    } catch (e) {
      this.post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private post(m: HostToExplain): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'explain.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'explain.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="viewport" content="width=device-width, initial-scale=1.0"><link rel="stylesheet" href="${style}"><title>Explain Step</title></head><body><main id="explain" aria-live="polite"><p class="empty">Loading the step…</p></main><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }
}
