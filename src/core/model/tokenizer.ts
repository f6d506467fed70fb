import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { ModelError, type ModelConfig } from './folder';

/** The model's own tokenizer.json, through @huggingface/tokenizers. */
export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly pieces = new Map<number, string>();
  private readonly template: Template | null = null;
  private readonly specialTokens: Record<string, string> = {};

  constructor(private readonly config: ModelConfig) {
    let json: object;
    let tokenizerConfig: object = {};
    try {
      json = JSON.parse(readFileSync(config.tokenizerPath, 'utf8'));
    } catch (e) {
      throw new ModelError(`${config.tokenizerPath} is not valid JSON (${(e as Error).message})`);
    }
    try {
      tokenizerConfig = JSON.parse(readFileSync(join(config.dir, 'tokenizer_config.json'), 'utf8'));
    } catch {
      tokenizerConfig = {};
    }
    try {
      this.tokenizer = new Tokenizer(json, tokenizerConfig);
      this.tokenizer.encode('1 + 2 = 3\n', { add_special_tokens: false });
    } catch (e) {
      throw new ModelError(`${config.tokenizerPath} is not a tokenizer this runtime can load (${(e as Error).message})`);
    }
    const probe = this.encode('0');
    if (probe.some((id) => id >= config.vocabSize)) throw new ModelError(`${config.tokenizerPath} gives token ids beyond the model's vocabulary of ${config.vocabSize}`);
    if (config.chatTemplate !== null) {
      for (const name of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
        const v = (tokenizerConfig as Record<string, unknown>)[name];
        const text = typeof v === 'string' ? v : typeof (v as { content?: unknown })?.content === 'string' ? (v as { content: string }).content : undefined;
        if (text !== undefined) this.specialTokens[name] = text;
      }
      try {
        this.template = new Template(config.chatTemplate);
        this.renderChat('Compute 1 + 2.');
      } catch (e) {
        throw new ModelError(`the chat template of ${config.dir} cannot be used (${(e as Error).message.split('\n')[0]})`);
      }
    }
  }

  /**
   * Token ids a solution continues from: the chat template's rendering of the problem when the model
   * has one (special tokens come from the template, so no extra <bos>), else <bos> + problem + separator.
   */
  promptIds(problem: string): number[] {
    if (this.template) return this.encode(this.renderChat(problem));
    const { bosTokenId, stepSeparator } = this.config;
    return [...(bosTokenId >= 0 ? [bosTokenId] : []), ...this.encode(`${problem}${stepSeparator}`)];
  }

  private renderChat(problem: string): string {
    const system = this.config.systemPrompt ?? defaultSystemPrompt(this.config.stepSeparator);
    const render = (messages: { role: string; content: string }[]) => this.template!.render({ messages, add_generation_prompt: true, ...this.specialTokens });
    try {
      return render([
        { role: 'system', content: system },
        { role: 'user', content: problem },
      ]);
    } catch {
      // Some templates (Gemma's, Mistral's) refuse a system role: put the instructions in the user turn.
      return render([{ role: 'user', content: `${system}\n\n${problem}` }]);
    }
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Text of one token, cached: decoding is on the per-token hot path. */
  piece(id: number): string {
    let s = this.pieces.get(id);
    if (s === undefined) {
      s = this.tokenizer.decode([id], { skip_special_tokens: true });
      this.pieces.set(id, s);
    }
    return s;
  }

  decode(ids: readonly number[]): string {
    return ids.map((id) => this.piece(id)).join('');
  }
}

/** Instructions for chat models, so their steps come one per separator and end with the line our checker reads. */
export function defaultSystemPrompt(separator: string): string {
  const between = separator === '\n' ? 'on its own line' : `separated from the next by ${JSON.stringify(separator)}`;
  return `Solve the problem step by step. Write each step ${between}, as one equation where you can (e.g. 7 * 2 = 14). End with a final step of the form "Answer: <value>".`;
}
