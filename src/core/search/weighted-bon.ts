import type { SearchStrategy } from './strategy';
import { sampleSolutions } from './sampling-loop';
import { rankByAnswer, sum } from './rank';

/** N samples; each answer's weight is the sum of its solutions' PRM scores (Snell et al.'s best-of-N weighted). */
export const weightedBestOfN: SearchStrategy = {
  name: 'weighted-bon',
  description: 'N samples, answer with the largest summed PRM score',
  run: async (ctx) => rankByAnswer(await sampleSolutions(ctx, ctx.params.budget), (n) => ctx.scoreOf(n), sum, ctx.domain.answerKey),
};
