import type { SearchStrategy } from './strategy';
import { greedy } from './greedy';
import { majority } from './majority';
import { bestOfN } from './bon';
import { weightedBestOfN } from './weighted-bon';
import { beam } from './beam';
import { lookahead } from './lookahead';
import { dvts } from './dvts';
import { rebase } from './rebase';
import { revisions } from './revisions';
import { makeAuto } from './auto';

/** Every strategy by the name the CLI and the settings use. A new strategy is one file and one line here. */
export const STRATEGIES: Readonly<Record<string, SearchStrategy>> = Object.fromEntries(
  [greedy, majority, bestOfN, weightedBestOfN, beam, lookahead, dvts, rebase, revisions, makeAuto((name) => STRATEGIES[name])].map((s) => [s.name, s]),
);
export const STRATEGY_NAMES = Object.keys(STRATEGIES);
