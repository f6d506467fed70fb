import type { DifficultyModel } from './difficulty';
import type { PlanChoice } from '../protocol/results';
import type { Verifier } from '../search/params';
import prmTable from './plan-table-prm.json';
import checkedTable from './plan-table-checked.json';

/** One cell of the compute-optimal table: what to run for a difficulty bin under a budget cap (the protocol's PlanChoice). */
export type { PlanChoice };

export interface PolicyTable {
  version: number;
  note: string;
  difficulty: DifficultyModel;
  /** bins["1".."5"][budget cap] -> choice */
  bins: Record<string, Record<string, PlanChoice>>;
  /** Stop once the leading answer holds this share of the PRM weight with this best score. */
  stopping: { agreement: number; score: number };
}

/** StepMath's tables, one per verifier (`npm run calibrate -- --verifier checked|prm`). */
export const STEPMATH_PLAN_TABLES: Record<Verifier, PolicyTable> = { prm: prmTable as PolicyTable, checked: checkedTable as PolicyTable };

/**
 * The choice for a bin under a cap: the largest calibrated budget not above the cap. A bin no
 * calibration puzzle fell in (tied difficulty scores can leave quintiles empty) borrows the row of
 * the nearest harder bin that has one, else of the nearest easier: a puzzle scored past the
 * calibrated ones is hard, and answering it greedily is the costly mistake.
 */
export function planFor(t: PolicyTable, bin: number, cap: number): PlanChoice {
  // The table's own bins, so a calibration with another number of bins needs no change here.
  const filled = Object.keys(t.bins)
    .map(Number)
    .filter((b) => Object.keys(t.bins[String(b)]).length > 0)
    .sort((a, b) => a - b);
  const row = t.bins[String(filled.find((b) => b >= bin) ?? filled.filter((b) => b < bin).pop())] ?? {};
  const budgets = Object.keys(row)
    .map(Number)
    .filter((b) => b <= cap)
    .sort((a, b) => b - a);
  if (!budgets.length) return { strategy: 'greedy', budget: 1 };
  return row[String(budgets[0])];
}
