import { Engine, type ModelPair } from './engine';
import { OnnxDecoder } from './model/session';
import { LocalPolicy, type PolicyBackend } from './model/policy';
import { LocalPrm, type RewardBackend } from './reward/prm';
import { RemotePolicy, readPolicyConvention } from './remote/policy';
import { RemotePrm, readPrmConvention } from './remote/prm';
import type { EngineConfig } from './protocol/worker';

/** Local ONNX folders by default; a server for the policy and/or the PRM when their URLs are set. */
export async function createEngine(c: EngineConfig): Promise<Engine> {
  const http = { timeoutMs: c.timeoutMs, apiKey: c.apiKey };
  const [policyLoad, rewardLoad] = await Promise.allSettled([
    c.policyUrl
      ? (new RemotePolicy({ url: c.policyUrl, model: c.policyModel, parameters: c.policyParams, ...(c.policyConfig ? readPolicyConvention(c.policyConfig) : {}), ...http }) as PolicyBackend)
      : OnnxDecoder.load(c.policyDir, 'logits', { threads: c.threads }).then((m) => new LocalPolicy(m) as PolicyBackend),
    c.prmUrl
      ? (new RemotePrm({ url: c.prmUrl, model: c.prmModel, parameters: c.prmParams, convention: c.prmConfig ? readPrmConvention(c.prmConfig) : undefined, ...http }) as RewardBackend)
      : OnnxDecoder.load(c.prmDir, 'scores', { threads: c.threads }).then((m) => new LocalPrm(m) as RewardBackend),
  ]);
  // Both loads settle before anything is thrown: a failed one must not leave the other loading
  // (disposing a worker mid-load aborts onnxruntime) or loaded and leaked.
  if (policyLoad.status === 'rejected' || rewardLoad.status === 'rejected') {
    await Promise.all([policyLoad, rewardLoad].map((l) => (l.status === 'fulfilled' ? l.value.dispose().catch(() => {}) : undefined)));
    throw policyLoad.status === 'rejected' ? policyLoad.reason : (rewardLoad as PromiseRejectedResult).reason;
  }
  const policy = policyLoad.value;
  const reward = rewardLoad.value;
  return new Engine(policy, reward, (domain) => {
    const dirs = c.domainModels?.[domain.name];
    return dirs ? loadLocalPair(dirs.policyDir, dirs.prmDir, c.threads) : null;
  });
}

/** A domain's own ONNX policy and PRM, loaded when its first problem comes. */
async function loadLocalPair(policyDir: string, prmDir: string, threads: number | undefined): Promise<ModelPair> {
  const [p, r] = await Promise.allSettled([OnnxDecoder.load(policyDir, 'logits', { threads }), OnnxDecoder.load(prmDir, 'scores', { threads })]);
  if (p.status === 'rejected' || r.status === 'rejected') {
    await Promise.all([p, r].map((l) => (l.status === 'fulfilled' ? l.value.release().catch(() => {}) : undefined)));
    throw p.status === 'rejected' ? p.reason : (r as PromiseRejectedResult).reason;
  }
  return { policy: new LocalPolicy(p.value), reward: new LocalPrm(r.value) };
}
