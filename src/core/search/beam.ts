import type { SearchStrategy } from './strategy';
import { beamSearch } from './beam-loop';

export const beam: SearchStrategy = {
  name: 'beam',
  description: 'PRM beam search: keep N/M beams per step, expand each into M',
  run: (ctx) => beamSearch(ctx, async (nodes) => nodes.map((n) => ctx.scoreOf(n))),
};
