import type { EngineConfig } from '../protocol/worker';
import type { DomainName } from '../protocol/results';
import { join } from 'node:path';

/**
 * Folders of each domain's bundled models under models/. Kept apart from the domains' code so the
 * extension host can name the folders without loading any domain (their parsers and math library).
 */
export const DOMAIN_MODELS: Record<DomainName, { readonly policy: string; readonly prm: string; readonly policy4x: string }> = {
  stepmath: { policy: 'stepmath-policy', prm: 'stepmath-prm', policy4x: 'stepmath-policy-4x' },
  make24: { policy: 'make24-policy', prm: 'make24-prm', policy4x: 'make24-policy-4x' },
};

/** The domain whose models answer text no domain recognises. */
export const DEFAULT_DOMAIN_NAME: DomainName = 'stepmath';

/** The bundled models under `root` (the package's models/ folder): the default pair, and each other domain's own pair. */
export function bundledModels(root: string): Pick<EngineConfig, 'policyDir' | 'prmDir' | 'domainModels'> {
  const dirs = (name: DomainName) => ({ policyDir: join(root, DOMAIN_MODELS[name].policy), prmDir: join(root, DOMAIN_MODELS[name].prm) });
  const others = (Object.keys(DOMAIN_MODELS) as DomainName[]).filter((n) => n !== DEFAULT_DOMAIN_NAME);
  return { ...dirs(DEFAULT_DOMAIN_NAME), domainModels: Object.fromEntries(others.map((n) => [n, dirs(n)])) };
}
