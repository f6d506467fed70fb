import * as v from 'valibot';
import { ExplainResultSchema, SearchEventSchema, SolveOptionsSchema, SolveResultSchema, VerifyResultSchema, WhatIfResultSchema } from './results';

/** Messages between a host (extension, CLI, tests) and the engine's worker thread. */
export const EngineConfigSchema = v.object({
  policyDir: v.string(),
  prmDir: v.string(),
  /**
   * Models for a domain's problems (by domain name) when they differ from policyDir/prmDir: the
   * bundled ones of each domain. Left out when the user chose their own models for everything.
   */
  domainModels: v.optional(v.record(v.string(), v.object({ policyDir: v.string(), prmDir: v.string() }))),
  threads: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(64))),
  /** OpenAI-compatible completions server for the policy (replaces policyDir when set). */
  policyUrl: v.optional(v.string()),
  policyModel: v.optional(v.string()),
  /** A convention file (prompt, separator) for the remote policy. */
  policyConfig: v.optional(v.string()),
  policyParams: v.optional(v.number()),
  /** vLLM-style pooling endpoint for the PRM (replaces prmDir when set). */
  prmUrl: v.optional(v.string()),
  prmModel: v.optional(v.string()),
  prmConfig: v.optional(v.string()),
  prmParams: v.optional(v.number()),
  apiKey: v.optional(v.string()),
  timeoutMs: v.optional(v.number()),
});

export const HostMessageSchema = v.variant('type', [
  v.object({ type: v.literal('configure'), config: EngineConfigSchema }),
  v.object({ type: v.literal('solve'), id: v.number(), problem: v.string(), options: SolveOptionsSchema }),
  v.object({ type: v.literal('verify'), id: v.number(), problem: v.string(), steps: v.array(v.string()) }),
  v.object({ type: v.literal('explain'), id: v.number(), problem: v.string(), steps: v.array(v.string()), logits: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(256)) }),
  v.object({ type: v.literal('whatIf'), id: v.number(), problem: v.string(), steps: v.array(v.string()), beginning: v.string(), seed: v.pipe(v.number(), v.integer(), v.minValue(0)), temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(5)) }),
  v.object({ type: v.literal('cancel'), id: v.number() }),
  /** Stop after the running ONNX call returns: terminating a thread inside one aborts the process. */
  v.object({ type: v.literal('shutdown') }),
]);

export const ErrorKindSchema = v.picklist(['bad-input', 'model', 'cancelled', 'internal']);

export const WorkerMessageSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('event'), id: v.number(), event: SearchEventSchema }),
  v.object({ type: v.literal('solved'), id: v.number(), result: SolveResultSchema }),
  v.object({ type: v.literal('verified'), id: v.number(), result: VerifyResultSchema }),
  v.object({ type: v.literal('explained'), id: v.number(), result: ExplainResultSchema }),
  v.object({ type: v.literal('continued'), id: v.number(), result: WhatIfResultSchema }),
  v.object({ type: v.literal('error'), id: v.nullable(v.number()), kind: ErrorKindSchema, message: v.string() }),
  /** Sent when a job leaves the worker, whatever its outcome: the worker is idle for it. */
  v.object({ type: v.literal('idle'), id: v.number() }),
]);

export type EngineConfig = v.InferOutput<typeof EngineConfigSchema>;
export type HostMessage = v.InferOutput<typeof HostMessageSchema>;
export type WorkerMessage = v.InferOutput<typeof WorkerMessageSchema>;
export type ErrorKind = v.InferOutput<typeof ErrorKindSchema>;

/** Parses a message or returns why it is not one (first issue only: short enough to log). */
export function parseMessage<T>(schema: v.GenericSchema<unknown, T>, data: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const r = v.safeParse(schema, data);
  if (r.success) return { ok: true, value: r.output };
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, error: `${path ? path + ': ' : ''}${issue.message}` };
}
