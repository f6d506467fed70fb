import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelError, type ModelConfig } from './folder';

/** The model's own tokenizer.json, through @huggingface/tokenizers. */
export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly pieces = new Map<number, string>();

  constructor(config: ModelConfig) {
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
