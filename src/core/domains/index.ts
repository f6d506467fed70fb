import type { Domain } from './domain';
import { make24 } from './make24';
import { stepmath } from './stepmath/domain';

export type { Domain, DomainName, SolutionVerdict, StepVerdict } from './domain';
export { bundledModels, DOMAIN_MODELS } from './models';
import { DEFAULT_DOMAIN_NAME } from './models';

/** Every domain, in the order their recognisers are asked (the most specific first). */
export const DOMAINS: readonly Domain[] = [make24, stepmath];

/** The domain whose bundled models answer text that no domain recognises. */
export const DEFAULT_DOMAIN: Domain = DOMAINS.find((d) => d.name === DEFAULT_DOMAIN_NAME)!;

export function domainNamed(name: string): Domain | undefined {
  return DOMAINS.find((d) => d.name === name);
}

/** The first domain that recognises the text, with the text in its surface form. */
export function recogniseDomain(text: string): { problem: string; domain: Domain | null } {
  for (const domain of DOMAINS) {
    const problem = domain.recognise(text);
    if (problem !== null) return { problem, domain };
  }
  return { problem: text, domain: null };
}

/** The domain of a problem already in surface form (null: none; the default models answer it). */
export function domainOf(problem: string): Domain | null {
  try {
    return recogniseDomain(problem).domain;
  } catch {
    return null;
  }
}
