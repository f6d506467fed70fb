import * as vscode from 'vscode';
import type { StepwiseController } from './controller';
import type { SearchTreeProvider } from './tree-view';
import type { TreeRow } from './tree-rows';
import { readSolution } from './solution-document';

/**
 * The Lean infoview's idea for solutions: the step under the cursor is found in the last search
 * and highlighted in the panel and the Search Tree, with its verdict and score in the panel's
 * header; choosing a node in the tree puts the cursor on its line when the document has it.
 */
export class CursorSync implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Set while we move the tree or the cursor ourselves, so the other side does not echo it back. */
  private echo = false;

  constructor(
    private readonly controller: StepwiseController,
    private readonly tree: SearchTreeProvider,
    private readonly treeView: vscode.TreeView<TreeRow>,
  ) {
    this.subscriptions.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.echo || !isSolutionDocument(e.textEditor.document)) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.followCursor(e.textEditor), 120);
      }),
      treeView.onDidChangeSelection((e) => {
        if (!this.echo && e.selection[0]) void this.revealLine(e.selection[0]);
      }),
    );
  }

  /** The node for the steps up to the cursor's line, shown in the panel and selected in the tree. */
  async followCursor(editor: vscode.TextEditor): Promise<number | null> {
    const search = this.controller.last;
    const solution = readSolution(editor.document);
    if (!search || !solution) return null;
    const line = editor.selection.active.line;
    const upTo = solution.steps.findIndex((s) => s.line === line);
    const node = upTo < 0 ? null : search.nodeAlong(solution.steps.slice(0, upTo + 1).map((s) => s.text));
    this.controller.showCursor(search, node && { nodeId: node.id, cursor: { line: line + 1, text: node.text, score: node.score, valid: node.valid, reason: node.reason } });
    const row = node && this.tree.rowOf(node.id);
    if (row && this.treeView.visible) await this.quietly(() => this.treeView.reveal(row, { select: true, focus: false }));
    return node?.id ?? null;
  }

  /** Puts the cursor on the line of a tree node's step in a visible solution document that has its path. */
  private async revealLine(row: TreeRow): Promise<void> {
    const search = this.controller.last;
    if (!search) return;
    const path = search.pathTo(row.node.id).map((n) => n.text.trim());
    for (const editor of vscode.window.visibleTextEditors) {
      const solution = isSolutionDocument(editor.document) ? readSolution(editor.document) : null;
      if (!solution || solution.steps.length < path.length) continue;
      if (!path.every((text, i) => solution.steps[i].text.trim() === text)) continue;
      const line = solution.steps[path.length - 1]?.line;
      if (line === undefined) continue;
      const at = new vscode.Position(line, 0);
      await this.quietly(async () => {
        editor.selection = new vscode.Selection(at, at);
        editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      });
      return;
    }
  }

  private async quietly(body: () => Thenable<void> | Promise<void>): Promise<void> {
    this.echo = true;
    try {
      await body();
    } finally {
      setTimeout(() => (this.echo = false), 50);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}

const isSolutionDocument = (doc: vscode.TextDocument) => doc.languageId === 'plaintext' || doc.languageId === 'markdown';
