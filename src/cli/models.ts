import { resolve } from 'node:path';
import type { Engine } from '../core/engine';
import { createEngine } from '../core/backends';
import { bundledModels } from '../core/domains';
import { intFlag, stringFlag, UsageError, type ParsedArgs } from './args';

/** The bundled models sit beside dist/ in the package. */
export const MODELS_ROOT = resolve(__dirname, '..', 'models');
export const BUNDLED_POLICY = resolve(MODELS_ROOT, 'stepmath-policy');
export const BUNDLED_PRM = resolve(MODELS_ROOT, 'stepmath-prm');

export const MODEL_FLAGS = ['model', 'prm', 'threads', 'policy-url', 'prm-url', 'policy-model', 'prm-model', 'policy-config', 'prm-config', 'api-key-env', 'timeout-ms', 'policy-params', 'prm-params'];

function urlFlag(args: ParsedArgs, name: string): string | undefined {
  const url = stringFlag(args, name);
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--${name} must be a URL such as http://127.0.0.1:8000 (got "${url}")`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--${name} must be an http:// or https:// URL (got "${url}")`);
  return url;
}

function requires(args: ParsedArgs, flag: string, needs: string): void {
  if (args.flags.has(flag) && !args.flags.has(needs)) throw new UsageError(`--${flag} goes with --${needs}`);
}

function conflicts(args: ParsedArgs, a: string, b: string): void {
  if (args.flags.has(a) && args.flags.has(b)) throw new UsageError(`--${a} and --${b} both name the ${a === 'model' ? 'policy' : 'PRM'}; give one`);
}

/** Local ONNX folders by default; a server for the policy and/or the PRM when their URLs are given. */
export async function loadEngine(args: ParsedArgs): Promise<Engine> {
  const policyUrl = urlFlag(args, 'policy-url');
  const prmUrl = urlFlag(args, 'prm-url');
  for (const [flag, needs] of [['policy-model', 'policy-url'], ['policy-config', 'policy-url'], ['policy-params', 'policy-url'], ['prm-model', 'prm-url'], ['prm-config', 'prm-url'], ['prm-params', 'prm-url']]) requires(args, flag, needs);
  conflicts(args, 'model', 'policy-url');
  conflicts(args, 'prm', 'prm-url');
  const threads = intFlag(args, 'threads', 0, 0, 64);
  const timeoutMs = intFlag(args, 'timeout-ms', undefined, 100, 3_600_000);
  const keyEnv = stringFlag(args, 'api-key-env');
  if ((timeoutMs !== undefined || keyEnv !== undefined) && !policyUrl && !prmUrl) throw new UsageError(`--${keyEnv !== undefined ? 'api-key-env' : 'timeout-ms'} goes with --policy-url or --prm-url`);
  let apiKey: string | undefined;
  if (keyEnv !== undefined) {
    apiKey = process.env[keyEnv];
    if (!apiKey) throw new UsageError(`--api-key-env ${keyEnv}: the environment variable ${keyEnv} is not set`);
  }
  const policyDir = stringFlag(args, 'model');
  const prmDir = stringFlag(args, 'prm');
  // The user's own models (folders or servers) answer every problem; else each domain its bundled pair.
  const own = policyDir !== undefined || prmDir !== undefined || policyUrl !== undefined || prmUrl !== undefined;
  const bundled = bundledModels(MODELS_ROOT);
  return createEngine({
    policyDir: policyDir ?? bundled.policyDir,
    prmDir: prmDir ?? bundled.prmDir,
    domainModels: own ? undefined : bundled.domainModels,
    threads,
    policyUrl,
    policyModel: stringFlag(args, 'policy-model'),
    policyConfig: stringFlag(args, 'policy-config'),
    policyParams: intFlag(args, 'policy-params', undefined, 1, 1e13),
    prmUrl,
    prmModel: stringFlag(args, 'prm-model'),
    prmConfig: stringFlag(args, 'prm-config'),
    prmParams: intFlag(args, 'prm-params', undefined, 1, 1e13),
    apiKey,
    timeoutMs,
  });
}
