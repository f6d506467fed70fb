import { Engine, type ModelPair } from '../engine';
import { OnnxDecoder } from '../model/onnx-decoder';
import { LocalPolicy, type PolicyBackend } from './policy';
import { LocalPrm, type RewardBackend } from './prm';
import { RemotePolicy, readPolicyConvention } from './remote-policy';
import { RemotePrm, readPrmConvention } from './remote-prm';
import type { EngineConfig } from '../protocol/worker';

/**
 * Local ONNX folders by default; a server for the policy and/or the PRM when their URLs are set.
 * A domain with models of its own (c.domainModels) gets them on its first problem.
 */
export async function createEngine(c: EngineConfig): Promise<Engine> {
  const http = { timeoutMs: c.timeoutMs, apiKey: c.apiKey };
  const { policy, reward } = await loadPair(
    c.policyUrl
      ? Promise.resolve(new RemotePolicy({ url: c.policyUrl, model: c.policyModel, parameters: c.policyParams, ...(c.policyConfig ? readPolicyConvention(c.policyConfig) : {}), ...http }))
      : localPolicy(c.policyDir, c.threads),
    c.prmUrl
      ? Promise.resolve(new RemotePrm({ url: c.prmUrl, model: c.prmModel, parameters: c.prmParams, convention: c.prmConfig ? readPrmConvention(c.prmConfig) : undefined, ...http }))
      : localPrm(c.prmDir, c.threads),
  );
  return new Engine(policy, reward, (domain) => {
    const dirs = c.domainModels?.[domain.name];
    return dirs ? loadPair(localPolicy(dirs.policyDir, c.threads), localPrm(dirs.prmDir, c.threads)) : null;
  });
}

const localPolicy = (dir: string, threads: number | undefined): Promise<PolicyBackend> => OnnxDecoder.load(dir, 'logits', { threads }).then((m) => new LocalPolicy(m));
const localPrm = (dir: string, threads: number | undefined): Promise<RewardBackend> => OnnxDecoder.load(dir, 'scores', { threads }).then((m) => new LocalPrm(m));

/**
 * Both loads settle before anything is thrown: a failed one must not leave the other loading
 * (disposing a worker mid-load aborts onnxruntime) or loaded and leaked.
 */
async function loadPair(policy: Promise<PolicyBackend>, reward: Promise<RewardBackend>): Promise<ModelPair> {
  const [p, r] = await Promise.allSettled([policy, reward]);
  if (p.status === 'rejected' || r.status === 'rejected') {
    await Promise.all([p, r].map((l) => (l.status === 'fulfilled' ? l.value.dispose().catch(() => {}) : undefined)));
    throw p.status === 'rejected' ? p.reason : (r as PromiseRejectedResult).reason;
  }
  return { policy: p.value, reward: r.value };
}
