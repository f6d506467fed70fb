import type { SearchStrategy } from './strategy';
import { beamSearch } from './beam-loop';

/** Beam search whose step score is the PRM's verdict k greedy steps further on (Snell et al.). */
export const lookahead: SearchStrategy = {
  name: 'lookahead',
  description: 'beam search scored by a k-step greedy rollout',
  run: (ctx) => beamSearch(ctx, (nodes) => ctx.lookaheadScores(nodes, ctx.params.lookahead)),
};
