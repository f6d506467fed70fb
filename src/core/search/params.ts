import type { Aggregation } from '../reward/aggregate';

/** Knobs shared by all strategies; each reads the ones it needs. */
export interface SearchParams {
  /** N: generations (samples, beams, particles), as in Snell et al. */
  budget: number;
  /** M: beam width (children per kept beam), DVTS subtree width. */
  width: number;
  /** k: lookahead rollout steps. */
  lookahead: number;
  /** T_b: REBASE softmax temperature. */
  rebaseTemperature: number;
  aggregation: Aggregation;
  temperature: number;
  topP: number;
  maxSteps: number;
}

export const DEFAULT_PARAMS: SearchParams = {
  budget: 16,
  width: 4,
  lookahead: 1,
  rebaseTemperature: 0.2,
  aggregation: 'last',
  temperature: 0.7,
  topP: 1,
  maxSteps: 12,
};
