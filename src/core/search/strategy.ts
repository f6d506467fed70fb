import type { SearchContext } from './context';
import type { SearchNode } from './tree';

/** A search strategy: explores from the context's root and returns finished leaves, best first. */
export interface SearchStrategy {
  readonly name: string;
  readonly description: string;
  run(ctx: SearchContext): Promise<SearchNode[]>;
}
