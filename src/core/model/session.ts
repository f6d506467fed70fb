import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { BatchCache, emptyCache, type SequenceCache } from './kv-cache';
import { ModelError, readModelFolder, type ModelConfig } from './folder';
import { TextTokenizer } from './tokenizer';

export interface SessionOptions {
  /** Threads for one forward pass; 0 lets onnxruntime choose. */
  threads?: number;
}

/** Which output carries what we read: next-token logits (policy) or per-token scores (PRM). */
export type HeadOutput = 'logits' | 'scores';

/**
 * One decoder-only ONNX graph with KV cache (optimum I/O names), its config and tokenizer.
 * Both the policy and the PRM are one of these; they differ only in the head output.
 */
export class OnnxDecoder {
  /** Forward-pass tokens since load, for FLOPs accounting. */
  tokensProcessed = 0;

  private constructor(
    readonly config: ModelConfig,
    readonly tokenizer: TextTokenizer,
    private readonly session: ort.InferenceSession,
    readonly head: HeadOutput,
  ) {}

  static async load(dir: string, head: HeadOutput, options: SessionOptions = {}): Promise<OnnxDecoder> {
    const config = readModelFolder(dir);
    const tokenizer = new TextTokenizer(config);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(readFileSync(config.onnxPath), {
        intraOpNumThreads: options.threads ?? 0,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw new ModelError(`${config.onnxPath} cannot be loaded as an ONNX graph (${(e as Error).message.split('\n')[0]})`);
    }
    const needed = ['input_ids', 'attention_mask', 'position_ids'];
    for (let i = 0; i < config.numLayers; i++) needed.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    const missing = needed.filter((n) => !session.inputNames.includes(n));
    if (missing.length || !session.outputNames.includes(head)) await session.release();
    if (missing.length) throw new ModelError(`${config.onnxPath} lacks the inputs ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''} (found ${session.inputNames.slice(0, 4).join(', ')})`);
    if (!session.outputNames.includes(head)) throw new ModelError(`${config.onnxPath} has no "${head}" output (found ${session.outputNames.slice(0, 3).join(', ')})`);
    return new OnnxDecoder(config, tokenizer, session, head);
  }

  get shape() {
    return this.config;
  }

  emptyCache(): SequenceCache {
    return emptyCache(this.config);
  }

  assemble(caches: readonly SequenceCache[]): BatchCache {
    return BatchCache.assemble(this.config, caches);
  }

  /**
   * Feeds tokens[b] to row b after its past (rows with no tokens idle) and advances the cache.
   * Returns the head output of every position, [rows, T, width], T the longest row (left-padded).
   */
  async run(batch: BatchCache, tokens: readonly (readonly number[])[]): Promise<{ values: Float32Array; T: number; width: number }> {
    tokens.forEach((t, b) => {
      const length = batch.positions[b] + t.length;
      if (length > this.config.maxPositions) throw new ModelError(`a sequence of ${length} tokens is longer than the model's limit of ${this.config.maxPositions}`);
    });
    const feeds = batch.feeds(tokens, this.config.padTokenId);
    const outputs = await this.session.run(feeds);
    this.tokensProcessed += tokens.reduce((n, t) => n + t.length, 0);
    batch.advance(tokens, outputs);
    const width = this.head === 'logits' ? this.config.vocabSize : 1;
    return { values: outputs[this.head].data as Float32Array, T: Math.max(1, ...tokens.map((t) => t.length)), width };
  }

  /** Like run, but returns only each row's output at its last fed position (logits [vocab] or [score]). */
  async step(batch: BatchCache, tokens: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const { values, T, width } = await this.run(batch, tokens);
    return tokens.map((_, b) => values.slice((b * T + T - 1) * width, (b * T + T) * width));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
