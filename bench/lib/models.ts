import { DEFAULT_PARAMS, VERIFIERS, type Verifier } from '../../src/core/search/params';
import { resolve } from 'node:path';
import type { Engine } from '../../src/core/engine';
import { createEngine } from '../../src/core/backends';
import { modelSignature } from './sweep';

export const POLICY_DIR = resolve(__dirname, '../../models/stepmath-policy');
export const PRM_DIR = resolve(__dirname, '../../models/stepmath-prm');
/** The 4x policy of the FLOPs-matched comparison (not shipped in the VSIX). */
export const BIG_POLICY_DIR = resolve(__dirname, '../../models/stepmath-policy-4x');

/** `--verifier checked|prm` (default: the engine's, checked). */
export function verifierArg(): Verifier {
  const at = process.argv.indexOf('--verifier');
  const value = at < 0 ? DEFAULT_PARAMS.verifier : process.argv[at + 1];
  if (!VERIFIERS.includes(value as Verifier)) throw new Error(`--verifier takes ${VERIFIERS.join(' or ')}, got ${value}`);
  return value as Verifier;
}

export function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * `--shard i/n`: a run takes only every n-th problem, into the shared run cache (one process per
 * core); a later run without it reads them all back and writes the results.
 */
export function shardArg(): { index: number; of: number } | null {
  const at = process.argv.indexOf('--shard');
  if (at < 0) return null;
  const arg = process.argv[at + 1];
  const m = /^(\d+)\/(\d+)$/.exec(arg ?? '');
  if (!m || Number(m[1]) >= Number(m[2])) throw new Error(`--shard takes i/n with 0 <= i < n, got ${arg}`);
  return { index: Number(m[1]), of: Number(m[2]) };
}

export function shardOf<T>(problems: readonly T[], shard: { index: number; of: number } | null): T[] {
  return shard ? problems.filter((_, k) => k % shard.of === shard.index) : [...problems];
}

/** An engine on `policyDir` (the bundled policy unless given) and the bundled PRM, with the run-cache key of both. */
export async function loadBundled(policyDir = POLICY_DIR): Promise<{ engine: Engine; signature: string }> {
  const engine = await createEngine({ policyDir, prmDir: PRM_DIR, threads: argValue('threads', 2) });
  return { engine, signature: modelSignature([policyDir, PRM_DIR]) };
}
