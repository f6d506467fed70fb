import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { parseMessage } from '../core/protocol/worker';
import { PanelStateSchema, PanelToHostSchema, type PanelState, type PanelToHost } from '../core/protocol/panel';

export interface PanelHandlers {
  onMessage(m: Exclude<PanelToHost, { type: 'ready' }>): void;
  log: vscode.LogOutputChannel;
}

/**
 * The solve panel beside the editor. One instance owns the panel's whole life: create or
 * reveal, post state (throttled while a search streams), restore after a reload, dispose.
 */
export class SolvePanel {
  static readonly viewType = 'stepwise.solvePanel';
  private static current: SolvePanel | undefined;

  private state: PanelState | null = null;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data), null, this.disposables);
  }

  static get instance(): SolvePanel | undefined {
    return SolvePanel.current;
  }

  static show(extensionUri: vscode.Uri, handlers: PanelHandlers): SolvePanel {
    if (SolvePanel.current) {
      SolvePanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return SolvePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(SolvePanel.viewType, 'Stepwise', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(extensionUri));
    SolvePanel.current = new SolvePanel(panel, extensionUri, handlers);
    return SolvePanel.current;
  }

  /** After a window reload: VS Code hands back the panel and the state the webview saved. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, saved: unknown, handlers: PanelHandlers): SolvePanel {
    SolvePanel.current?.dispose();
    SolvePanel.current = new SolvePanel(panel, extensionUri, handlers);
    const parsed = parseMessage(PanelStateSchema, saved);
    if (parsed.ok) SolvePanel.current.state = { ...parsed.value, status: parsed.value.status === 'running' ? 'cancelled' : parsed.value.status };
    return SolvePanel.current;
  }

  get currentState(): PanelState | null {
    return this.state;
  }

  /** Sends the state now or within 100 ms: streaming events would otherwise flood the webview. */
  update(state: PanelState, immediately = false): void {
    this.state = state;
    if (immediately) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), 100);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.ready && this.state) void this.panel.webview.postMessage({ type: 'state', state: this.state });
  }

  private receive(data: unknown): void {
    const parsed = parseMessage(PanelToHostSchema, data);
    if (!parsed.ok) {
      this.handlers.log.warn(`dropped an invalid message from the solve panel (${parsed.error})`);
      return;
    }
    if (parsed.value.type === 'ready') {
      this.ready = true;
      this.flush();
      return;
    }
    this.handlers.onMessage(parsed.value);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.css'));
    const csp = [`default-src 'none'`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Stepwise</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (SolvePanel.current === this) SolvePanel.current = undefined;
    clearTimeout(this.timer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')], retainContextWhenHidden: false };
}
