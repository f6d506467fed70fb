import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { parseMessage } from '../core/protocol/worker';
import { TreePictureToHostSchema } from '../core/protocol/panel';
import type { LiveSearch } from './live-search';

/** The search tree drawn as a picture in the side bar (d3-hierarchy layout, SVG). */
export class TreePictureView implements vscode.WebviewViewProvider {
  static readonly viewType = 'stepwise.treePicture';
  private view: vscode.WebviewView | undefined;
  private search: LiveSearch | null = null;
  private ready = false;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onSelect: (nodeId: number) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
    const nonce = randomBytes(16).toString('base64');
    const script = view.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'tree-picture.js'));
    const style = view.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'tree-picture.css'));
    const csp = `default-src 'none'; style-src ${view.webview.cspSource}; script-src 'nonce-${nonce}'`;
    view.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><link rel="stylesheet" href="${style}"><title>Search picture</title></head><body><div id="picture"></div><p id="info" aria-live="polite"></p><p id="legend"></p><script nonce="${nonce}" src="${script}"></script></body></html>`;
    view.webview.onDidReceiveMessage((data: unknown) => {
      const m = parseMessage(TreePictureToHostSchema, data);
      if (!m.ok) return this.log.warn(`dropped an invalid message from the tree picture (${m.error})`);
      if (m.value.type === 'ready') {
        this.ready = true;
        this.post();
      } else this.onSelect(m.value.nodeId);
    });
    view.onDidDispose(() => (this.view = undefined));
  }

  show(search: LiveSearch): void {
    this.search = search;
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.post();
    }, 250);
  }

  private post(): void {
    if (!this.view || !this.ready || !this.search) return;
    const best = this.search.state.candidates[0];
    const chosen = best ? [0, ...this.search.pathTo(best.nodeId).map((n) => n.id)] : [];
    void this.view.webview.postMessage({ type: 'tree', nodes: [...this.search.nodes.values()], chosen });
  }
}
