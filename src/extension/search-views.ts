import * as vscode from 'vscode';
import type { StepwiseController } from './controller';
import { SearchTreeProvider } from './tree-view';
import { TreePictureView } from './tree-picture';
import { CursorSync } from './cursor-sync';
import type { TreeRow } from './tree-rows';

/** The side bar's Search Tree and Search Picture, the cursor sync, and the commands on a tree node. */
export function registerSearchViews(context: vscode.ExtensionContext, controller: StepwiseController, log: vscode.LogOutputChannel): { searchTree: SearchTreeProvider; treeView: vscode.TreeView<TreeRow> } {
  const searchTree = new SearchTreeProvider();
  const revealNode = (nodeId: number) => {
    const search = controller.last;
    const holder = search?.candidateThrough(nodeId);
    if (!search || !holder) return;
    if (holder.nodeId !== nodeId && !search.pathTo(holder.nodeId).some((n) => n.id === nodeId)) void vscode.window.setStatusBarMessage('Stepwise: no candidate finished below this step; showing the one it branched from', 4000);
    controller.showSearch(search, holder.nodeId);
  };
  const picture = new TreePictureView(context.extensionUri, revealNode, log);
  const treeView = vscode.window.createTreeView('stepwise.searchTree', { treeDataProvider: searchTree, showCollapseAll: true });
  context.subscriptions.push(
    treeView,
    new CursorSync(controller, searchTree, treeView),
    controller.onSearch((s) => {
      searchTree.show(s);
      picture.show(s);
    }),
    vscode.window.registerWebviewViewProvider(TreePictureView.viewType, picture),
    vscode.commands.registerCommand('stepwise.revealNode', (nodeId: number) => revealNode(nodeId)),
    vscode.commands.registerCommand('stepwise.continueFrom', (row?: TreeRow) => {
      const target = row ?? treeView.selection[0];
      const search = controller.last;
      if (!target || !search) return undefined;
      return controller.solve(search.state.problem, { prefix: searchTree.pathText(target.node.id) });
    }),
    vscode.commands.registerCommand('stepwise.copyPath', async (row?: TreeRow) => {
      const target = row ?? treeView.selection[0];
      const search = controller.last;
      if (!target || !search) return;
      await vscode.env.clipboard.writeText([search.state.problem, ...searchTree.pathText(target.node.id)].join('\n'));
      void vscode.window.setStatusBarMessage('Stepwise: path copied as a solution', 3000);
    }),
  );
  return { searchTree, treeView };
}
