import type { SearchStrategy } from './strategy';
import { sampleSolutions } from './sampling-loop';
import { count, rankByAnswer } from './rank';

/** N samples; the most frequent answer wins (self-consistency). The PRM does not vote. */
export const majority: SearchStrategy = {
  name: 'majority',
  description: 'N samples, most common answer',
  run: async (ctx) => rankByAnswer(await sampleSolutions(ctx, ctx.params.budget), (n) => ctx.scoreOf(n), count, ctx.domain.answerKey),
};
