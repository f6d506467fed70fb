import type { SearchStrategy } from './strategy';
import { sampleSolutions } from './sampling-loop';

/** N samples; the one with the best PRM score wins. */
export const bestOfN: SearchStrategy = {
  name: 'bon',
  description: 'N samples, best PRM score',
  run: async (ctx) => (await sampleSolutions(ctx, ctx.params.budget)).sort((a, b) => ctx.scoreOf(b) - ctx.scoreOf(a)),
};
