import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A model folder the user (or we) pointed at is unusable: the message names the file and the problem. */
export class ModelError extends Error {}

/** What the runtime needs from a Hugging Face style config.json. */
export interface ModelConfig {
  dir: string;
  onnxPath: string;
  tokenizerPath: string;
  numLayers: number;
  numHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  numParameters: number;
}

function readJson(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ModelError(`${path} is missing`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModelError(`${path} cannot be read: ${(e as Error).message}`);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new ModelError(`${path} is not valid JSON (${(e as Error).message})`);
  }
}

function intField(config: Record<string, unknown>, path: string, names: string[], fallback?: number): number {
  for (const name of names) {
    const v = config[name];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  }
  if (fallback !== undefined) return fallback;
  throw new ModelError(`${path} has no usable ${names.join(' / ')}`);
}

/** Reads and checks a model folder in our layout: config.json, tokenizer.json, onnx/model.onnx. */
export function readModelFolder(dir: string): ModelConfig {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelError(`model folder ${dir} does not exist`);
  const configPath = join(dir, 'config.json');
  const config = readJson(configPath);
  const tokenizerPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) throw new ModelError(`${tokenizerPath} is missing`);
  const onnxPath = join(dir, 'onnx', 'model.onnx');
  if (!existsSync(onnxPath)) throw new ModelError(`${onnxPath} is missing`);
  const numLayers = intField(config, configPath, ['num_hidden_layers', 'n_layer']);
  const numHeads = intField(config, configPath, ['num_key_value_heads', 'num_attention_heads', 'n_head']);
  const hidden = intField(config, configPath, ['hidden_size', 'n_embd'], 0);
  const headDim = intField(config, configPath, ['head_dim'], hidden && numHeads ? hidden / intField(config, configPath, ['num_attention_heads', 'n_head']) : undefined);
  const vocabSize = intField(config, configPath, ['vocab_size']);
  const numParameters = intField(config, configPath, ['num_parameters'], 0);
  return {
    dir,
    onnxPath,
    tokenizerPath,
    numLayers,
    numHeads,
    headDim,
    vocabSize,
    maxPositions: intField(config, configPath, ['max_position_embeddings', 'n_positions'], 4096),
    bosTokenId: intField(config, configPath, ['bos_token_id'], -1),
    eosTokenId: intField(config, configPath, ['eos_token_id'], -1),
    padTokenId: intField(config, configPath, ['pad_token_id'], 0),
    numParameters: numParameters || estimateParameters(hidden, numLayers, vocabSize),
  };
}

/** Used only when config.json does not state the count: embeddings plus 12 d^2 per layer. */
function estimateParameters(hidden: number, layers: number, vocab: number): number {
  return vocab * hidden + layers * 12 * hidden * hidden;
}
