import * as vscode from 'vscode';
import { join } from 'node:path';
import type { EngineConfig } from '../core/protocol/worker';
import type { SolveOptions } from '../core/protocol/results';
import { bundledModels } from '../core/domains/models';
import { clampKnob, KNOBS, VERIFIERS, type Verifier } from '../core/search/params';

/** Settings under `stepwise.*`, read fresh each time so changes apply without a reload. */
export interface StepwiseSettings {
  strategy: string;
  budget: number;
  temperature: number;
  maxSteps: number;
  verifier: Verifier;
  threads: number;
  policyModelPath: string;
  prmModelPath: string;
  policyUrl: string;
  policyModel: string;
  prmUrl: string;
  prmModel: string;
}

export function readSettings(): StepwiseSettings {
  const c = vscode.workspace.getConfiguration('stepwise');
  return {
    strategy: c.get<string>('strategy', 'auto'),
    budget: c.get<number>('budget', KNOBS.budget.default),
    temperature: c.get<number>('temperature', KNOBS.temperature.default),
    maxSteps: c.get<number>('maxSteps', KNOBS.maxSteps.default),
    verifier: oneOf(VERIFIERS, c.get<string>('verifier'), KNOBS.verifier.default),
    threads: c.get<number>('threads', 0),
    policyModelPath: c.get<string>('policyModelPath', '').trim(),
    prmModelPath: c.get<string>('prmModelPath', '').trim(),
    policyUrl: c.get<string>('policyUrl', '').trim(),
    policyModel: c.get<string>('policyModel', '').trim(),
    prmUrl: c.get<string>('prmUrl', '').trim(),
    prmModel: c.get<string>('prmModel', '').trim(),
  };
}

/**
 * Models: the user's folders or servers when set and the workspace is trusted, else the bundled
 * ones. The API key comes from SecretStorage, never from settings.
 */
export function engineConfig(s: StepwiseSettings, extensionPath: string, apiKey: string | undefined): EngineConfig {
  const trusted = vscode.workspace.isTrusted;
  const remote = (value: string) => (trusted && value ? value : undefined);
  const bundled = bundledModels(join(extensionPath, 'models'));
  // The user's own models (folders or servers) answer every problem; else each domain its bundled pair.
  const own = trusted && Boolean(s.policyModelPath || s.prmModelPath || s.policyUrl || s.prmUrl);
  return {
    policyDir: (trusted && s.policyModelPath) || bundled.policyDir,
    prmDir: (trusted && s.prmModelPath) || bundled.prmDir,
    domainModels: own ? undefined : bundled.domainModels,
    threads: s.threads,
    policyUrl: remote(s.policyUrl),
    policyModel: remote(s.policyModel),
    prmUrl: remote(s.prmUrl),
    prmModel: remote(s.prmModel),
    apiKey: trusted && (s.policyUrl || s.prmUrl) ? apiKey : undefined,
  };
}

export function solveOptions(s: StepwiseSettings, override: { strategy?: string; budget?: number; prefix?: string[] } = {}): SolveOptions {
  return {
    prefix: override.prefix,
    strategy: override.strategy ?? s.strategy,
    budget: clampKnob('budget', override.budget ?? s.budget),
    temperature: clampKnob('temperature', s.temperature),
    maxSteps: clampKnob('maxSteps', s.maxSteps),
    verifier: s.verifier,
  };
}

/** A setting's value when it is one of the choices (a hand-edited settings.json may hold anything). */
function oneOf<T extends string>(choices: readonly T[], value: string | undefined, fallback: T): T {
  return choices.find((c) => c === value) ?? fallback;
}
