import { resolve } from 'node:path';
import { Engine } from '../core/engine';
import { intFlag, stringFlag, type ParsedArgs } from './args';

/** The bundled models sit beside dist/ in the package. */
export const BUNDLED_POLICY = resolve(__dirname, '..', 'models', 'stepmath-policy');
export const BUNDLED_PRM = resolve(__dirname, '..', 'models', 'stepmath-prm');

export const MODEL_FLAGS = ['model', 'prm', 'threads'];

export function loadEngine(args: ParsedArgs): Promise<Engine> {
  return Engine.load({
    policyDir: stringFlag(args, 'model') ?? BUNDLED_POLICY,
    prmDir: stringFlag(args, 'prm') ?? BUNDLED_PRM,
    threads: intFlag(args, 'threads', 0, 0, 64),
  });
}
