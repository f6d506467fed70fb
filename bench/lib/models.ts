import { resolve } from 'node:path';
import type { Engine } from '../../src/core/engine';
import { createEngine } from '../../src/core/backends';
import { modelSignature } from './sweep';

export const POLICY_DIR = resolve(__dirname, '../../models/stepmath-policy');
export const PRM_DIR = resolve(__dirname, '../../models/stepmath-prm');
/** The 4x policy of the FLOPs-matched comparison (not shipped in the VSIX). */
export const BIG_POLICY_DIR = resolve(__dirname, '../../models/stepmath-policy-4x');

export function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** An engine on `policyDir` (the bundled policy unless given) and the bundled PRM, with the run-cache key of both. */
export async function loadBundled(policyDir = POLICY_DIR): Promise<{ engine: Engine; signature: string }> {
  const engine = await createEngine({ policyDir, prmDir: PRM_DIR, threads: argValue('threads', 2) });
  return { engine, signature: modelSignature([policyDir, PRM_DIR]) };
}
