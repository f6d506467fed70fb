import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A model folder the user (or we) pointed at is unusable: the message names the file and the problem. */
export class ModelError extends Error {}

/** What the runtime needs from a Hugging Face style config.json. */
export interface ModelConfig {
  dir: string;
  onnxPath: string;
  /** onnx/model_inplace.onnx where the folder has it: the same weights in the form that updates its cache in place (export_inplace.py). */
  inPlaceOnnxPath?: string;
  tokenizerPath: string;
  numLayers: number;
  numHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  /** Every id that ends generation (config.json and generation_config.json may list several). */
  eosTokenIds: number[];
  numParameters: number;
  /** The model's chat template (tokenizer_config.json, chat_template.jinja or chat_template.json); null: plain `<bos>` + problem prompt. */
  chatTemplate: string | null;
  /** Text between two steps (and after the prompt when there is no chat template): "\n" unless stepwise.json says otherwise. */
  stepSeparator: string;
  /** System message for chat-template prompts (stepwise.json `system_prompt`), null for the default. */
  systemPrompt: string | null;
}

function optionalJson(path: string): Record<string, unknown> | null {
  return existsSync(path) ? readJson(path) : null;
}

function idList(v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0);
}

/** The chat template, from wherever transformers saved it; a template that cannot be used is a ModelError. */
function readChatTemplate(dir: string): string | null {
  const jinjaPath = join(dir, 'chat_template.jinja');
  if (existsSync(jinjaPath)) return readFileSync(jinjaPath, 'utf8');
  for (const name of ['chat_template.json', 'tokenizer_config.json']) {
    const path = join(dir, name);
    const value = optionalJson(path)?.chat_template;
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) {
      const named = value.find((t) => t?.name === 'default') ?? value[0];
      if (typeof named?.template === 'string') return named.template;
    }
    throw new ModelError(`${path} has a chat_template that is neither a string nor a list of {name, template}`);
  }
  return null;
}

/** Our own optional stepwise.json beside the model: {"step_separator": "\n\n", "system_prompt": "..."}. */
function readStepwiseJson(dir: string): { stepSeparator: string; systemPrompt: string | null } {
  const path = join(dir, 'stepwise.json');
  const json = optionalJson(path) ?? {};
  const sep = json.step_separator ?? '\n';
  if (typeof sep !== 'string' || !sep) throw new ModelError(`${path}: step_separator must be a non-empty string such as "\\n" or "\\n\\n"`);
  const system = json.system_prompt ?? null;
  if (system !== null && typeof system !== 'string') throw new ModelError(`${path}: system_prompt must be a string`);
  return { stepSeparator: sep, systemPrompt: system };
}

/** A JSON object from a file, or a ModelError naming the file and what is wrong with it. */
export function readJson(path: string): Record<string, unknown> {
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
  if (config.is_encoder_decoder === true) throw new ModelError(`${configPath} describes an encoder-decoder model; Stepwise needs a decoder-only one`);
  const tokenizerPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) throw new ModelError(`${tokenizerPath} is missing (Stepwise needs the fast tokenizer file; save it with transformers' tokenizer.save_pretrained)`);
  const onnxPath = join(dir, 'onnx', 'model.onnx');
  if (!existsSync(onnxPath)) throw new ModelError(`${onnxPath} is missing${otherOnnx(dir)}`);
  const inPlaceOnnxPath = join(dir, 'onnx', 'model_inplace.onnx');
  const generation = optionalJson(join(dir, 'generation_config.json')) ?? {};
  const eosTokenIds = [...new Set([...idList(config.eos_token_id), ...idList(generation.eos_token_id)])];
  const numLayers = intField(config, configPath, ['num_hidden_layers', 'n_layer']);
  const numHeads = intField(config, configPath, ['num_key_value_heads', 'num_attention_heads', 'n_head']);
  const hidden = intField(config, configPath, ['hidden_size', 'n_embd'], 0);
  const headDim = intField(config, configPath, ['head_dim'], hidden && numHeads ? hidden / intField(config, configPath, ['num_attention_heads', 'n_head']) : undefined);
  const vocabSize = intField(config, configPath, ['vocab_size']);
  const numParameters = intField(config, configPath, ['num_parameters'], 0);
  return {
    dir,
    onnxPath,
    ...(existsSync(inPlaceOnnxPath) ? { inPlaceOnnxPath } : {}),
    tokenizerPath,
    numLayers,
    numHeads,
    headDim,
    vocabSize,
    maxPositions: intField(config, configPath, ['max_position_embeddings', 'n_positions'], 4096),
    bosTokenId: intField(config, configPath, ['bos_token_id'], -1),
    eosTokenId: eosTokenIds[0] ?? -1,
    padTokenId: intField(config, configPath, ['pad_token_id'], 0),
    eosTokenIds,
    numParameters: numParameters || estimateParameters(hidden, numLayers, vocabSize),
    chatTemplate: readChatTemplate(dir),
    ...readStepwiseJson(dir),
  };
}

/** Names the ONNX files an export left elsewhere (onnx/model_q4.onnx, decoder_model_merged.onnx...), to say what to rename. */
function otherOnnx(dir: string): string {
  const found: string[] = [];
  for (const sub of ['', 'onnx']) {
    const d = join(dir, sub);
    if (existsSync(d) && statSync(d).isDirectory()) for (const f of readdirSync(d)) if (f.endsWith('.onnx')) found.push(join(sub, f));
  }
  return found.length ? ` (found ${found.slice(0, 4).join(', ')}: Stepwise loads onnx/model.onnx, a decoder with KV cache in optimum's layout; move or link the one you want there)` : '';
}

/** Used only when config.json does not state the count: embeddings plus 12 d^2 per layer. */
function estimateParameters(hidden: number, layers: number, vocab: number): number {
  return vocab * hidden + layers * 12 * hidden * hidden;
}
