import * as vscode from 'vscode';
import type { NodeView } from '../core/protocol/results';
import type { StepwiseController } from './controller';
import type { VerificationCache } from './verification';
import { readSolution } from './solution-document';

/** Markdown-escapes text that came from a document or the checker (spaces stay spaces). */
const escape = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');

const bar = (s: number) => '█'.repeat(Math.round(s * 10)) + '░'.repeat(10 - Math.round(s * 10));

/** Lines worth a hover: equations and answers, under a first line that looks like a problem. */
function looksLikeStep(line: string): boolean {
  return /=|\banswer\b|\\boxed/i.test(line);
}

/**
 * Hovering a step shows its PRM score in the context of the lines above, the checker's verdict
 * and reason, and, when the line came from the last search, how it ranked among the alternatives.
 */
export class StepHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly cache: VerificationCache,
    private readonly controller: StepwiseController,
  ) {}

  async provideHover(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const solution = readSolution(doc);
    if (!solution || !/\d/.test(solution.problem)) return undefined;
    const index = solution.steps.findIndex((s) => s.line === position.line);
    if (index < 0 || !looksLikeStep(solution.steps[index].text)) return undefined;
    let verification;
    try {
      verification = await this.cache.get(doc);
    } catch (e) {
      return new vscode.Hover(`Stepwise could not score this step: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!verification || token.isCancellationRequested) return undefined;
    const step = verification.result.steps[index];
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Stepwise** · step ${index + 1}\n\n`);
    // The checker's verdict first; the PRM's estimate second (and no bar for an unchecked step,
    // whose full bar would read as "right").
    const verdict = step.valid === true ? '✓ **correct**' : step.valid === false ? '✗ **wrong**' : '? **not checkable**';
    md.appendMarkdown(`${verdict}: ${escape(step.reason)}\n\n`);
    if (step.score !== null) md.appendMarkdown(`PRM score ${step.score.toFixed(2)}${step.valid === true ? ` \`${bar(step.score)}\`` : ''} given the lines above`);
    const ranking = this.ranking(solution.steps.slice(0, index + 1).map((s) => s.text.trim()));
    if (ranking) {
      md.appendMarkdown(`\n\nThe search ranked it **${ranking.rank} of ${ranking.of}** alternatives at this depth`);
      if (ranking.best && ranking.rank !== 1) {
        md.appendMarkdown(`; best: ${escape(ranking.best.text)} (${ranking.best.score?.toFixed(2)})`);
      }
      md.appendMarkdown('.');
    }
    const args = encodeURIComponent(JSON.stringify([{ problem: solution.problem, steps: solution.steps.slice(0, index + 1).map((s) => s.text), index }]));
    md.appendMarkdown(`\n\n[Explain this step](command:stepwise.explainStep?${args} "the policy's view of every token of this step")`);
    md.isTrusted = { enabledCommands: ['stepwise.explainStep'] };
    return new vscode.Hover(md, doc.lineAt(position.line).range);
  }

  /** Finds the line's node in the last search by following the path of step texts. */
  private ranking(path: string[]): { rank: number; of: number; best: NodeView | null } | null {
    const search = this.controller.last;
    if (!search) return null;
    const nodes = [...search.nodes.values()];
    let parentIds = [0];
    let match: NodeView | undefined;
    for (const text of path) {
      const candidates = nodes.filter((n) => n.parentId !== null && parentIds.includes(n.parentId) && n.text.trim() === text);
      if (!candidates.length) return null;
      match = candidates[0];
      parentIds = candidates.map((c) => c.id);
    }
    if (!match) return null;
    const siblings = nodes.filter((n) => n.parentId === match!.parentId).sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    return { rank: siblings.findIndex((s) => s.id === match!.id) + 1, of: siblings.length, best: siblings[0] ?? null };
  }
}
