import { resolve } from 'node:path';
import type { Engine } from '../../src/core/engine';
import { createEngine } from '../../src/core/backends';
import { modelSignature } from './sweep';

export const POLICY_DIR = resolve(__dirname, '../../models/stepmath-policy');
export const PRM_DIR = resolve(__dirname, '../../models/stepmath-prm');

export function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export async function loadBundled(): Promise<{ engine: Engine; signature: string }> {
  const engine = await createEngine({ policyDir: POLICY_DIR, prmDir: PRM_DIR, threads: argValue('threads', 2) });
  return { engine, signature: modelSignature([POLICY_DIR, PRM_DIR]) };
}
