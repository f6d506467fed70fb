import { resolve } from 'node:path';
import { Engine } from '../core/engine';
import { OnnxDecoder } from '../core/model/session';
import { LocalPolicy, type PolicyBackend } from '../core/model/policy';
import { LocalPrm, type RewardBackend } from '../core/reward/prm';
import { RemotePolicy, readPolicyConvention } from '../core/remote/policy';
import { RemotePrm, readPrmConvention } from '../core/remote/prm';
import type { HttpOptions } from '../core/remote/http';
import { intFlag, stringFlag, UsageError, type ParsedArgs } from './args';

/** The bundled models sit beside dist/ in the package. */
export const BUNDLED_POLICY = resolve(__dirname, '..', 'models', 'stepmath-policy');
export const BUNDLED_PRM = resolve(__dirname, '..', 'models', 'stepmath-prm');

export const MODEL_FLAGS = ['model', 'prm', 'threads', 'policy-url', 'prm-url', 'policy-model', 'prm-model', 'policy-config', 'prm-config', 'api-key-env', 'timeout-ms'];

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
  for (const [flag, needs] of [['policy-model', 'policy-url'], ['policy-config', 'policy-url'], ['prm-model', 'prm-url'], ['prm-config', 'prm-url']]) requires(args, flag, needs);
  conflicts(args, 'model', 'policy-url');
  conflicts(args, 'prm', 'prm-url');
  const threads = intFlag(args, 'threads', 0, 0, 64);
  const timeoutMs = intFlag(args, 'timeout-ms', undefined, 100, 3_600_000);
  const keyEnv = stringFlag(args, 'api-key-env');
  if ((timeoutMs !== undefined || keyEnv !== undefined) && !policyUrl && !prmUrl) throw new UsageError(`--${keyEnv !== undefined ? 'api-key-env' : 'timeout-ms'} goes with --policy-url or --prm-url`);
  if (!policyUrl && !prmUrl) return Engine.load({ policyDir: stringFlag(args, 'model') ?? BUNDLED_POLICY, prmDir: stringFlag(args, 'prm') ?? BUNDLED_PRM, threads });

  let apiKey: string | undefined;
  if (keyEnv !== undefined) {
    apiKey = process.env[keyEnv];
    if (!apiKey) throw new UsageError(`--api-key-env ${keyEnv}: the environment variable ${keyEnv} is not set`);
  }
  const http: Partial<HttpOptions> = { timeoutMs, apiKey };
  const policyConfig = stringFlag(args, 'policy-config');
  const prmConfig = stringFlag(args, 'prm-config');
  const [policy, reward] = await Promise.all([
    policyUrl
      ? (new RemotePolicy({ url: policyUrl, model: stringFlag(args, 'policy-model'), ...(policyConfig ? readPolicyConvention(policyConfig) : {}), ...http }) as PolicyBackend)
      : OnnxDecoder.load(stringFlag(args, 'model') ?? BUNDLED_POLICY, 'logits', { threads }).then((m) => new LocalPolicy(m) as PolicyBackend),
    prmUrl
      ? (new RemotePrm({ url: prmUrl, model: stringFlag(args, 'prm-model'), convention: prmConfig ? readPrmConvention(prmConfig) : undefined, ...http }) as RewardBackend)
      : OnnxDecoder.load(stringFlag(args, 'prm') ?? BUNDLED_PRM, 'scores', { threads }).then((m) => new LocalPrm(m) as RewardBackend),
  ]);
  return new Engine(policy, reward);
}
