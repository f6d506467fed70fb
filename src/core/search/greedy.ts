import type { SearchStrategy } from './strategy';
import { sampleSolutions } from './sampling-loop';

/** One solution, the most likely token each time: the baseline every search must beat. */
export const greedy: SearchStrategy = {
  name: 'greedy',
  description: 'one argmax solution',
  run: (ctx) => sampleSolutions(ctx, 1, 0),
};
