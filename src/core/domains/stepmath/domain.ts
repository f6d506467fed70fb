import { STEPMATH_PLAN_TABLES } from '../../adapt/plan-table';
import type { Domain } from '../domain';
import { DOMAIN_MODELS } from '../models';
import { parseProblem } from './problem';
import { countProblemOps } from './generate';
import { prepareStepMath } from './prepare';
import { answerLineValue, answersKey, checkSolution } from './verify';

/** StepMath: Compute, Solve for x and word problems; the bundled models' first domain. */
export const stepmath: Domain = {
  name: 'stepmath',
  title: 'StepMath',
  recognise: prepareStepMath,
  check: (problem, steps) => checkSolution(problem, steps),
  checkClaims: (problem, steps) => checkSolution(problem, steps, true),
  answerOf: answerLineValue,
  answerKey: answersKey,
  // The checker works the problem out itself, so its verdict on an answer tells whether it is right.
  selfChecking: false,
  stepsAreChoices: false,
  size(problem) {
    const p = parseProblem(problem);
    return (p ? countProblemOps(p) : 3) / 6;
  },
  models: DOMAIN_MODELS.stepmath,
  planTables: STEPMATH_PLAN_TABLES,
};
