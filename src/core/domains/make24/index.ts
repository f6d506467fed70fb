import { BadInputError } from '../../bad-input';
import type { PolicyTable } from '../../adapt/plan-table';
import type { Domain } from '../domain';
import { checkLines } from './checker';
import { canReach } from './solver';
import { MAX_COUNT, MIN_COUNT, puzzleText, readPuzzle } from './puzzle';
import checkedTable from './plan-table-checked.json';
import prmTable from './plan-table-prm.json';
import { DOMAIN_MODELS } from '../models';

const ANSWER_LINE = /^\s*answer\s*[:=]\s*(.*?)\s*\.?$/i;

/** Make 24: combine the given numbers with + - * / to reach the target; see puzzle.ts for the rules. */
export const make24: Domain = {
  name: 'make24',
  title: 'Make 24',
  recognise(text) {
    const read = readPuzzle(text);
    if (read === null) return null;
    if ('error' in read) throw new BadInputError(read.error);
    const problem = puzzleText(read.puzzle);
    // The solver answers "is there any solution" for the user, never for a search.
    if (!canReach(read.puzzle.numbers, read.puzzle.target)) throw new BadInputError(`${problem.replace(/\.$/, '')} has no solution: no way of combining ${read.puzzle.numbers.join(' ')} with + - * / (whole numbers at every step) makes ${read.puzzle.target}`);
    return problem;
  },
  check(problem, steps) {
    const read = readPuzzle(problem);
    if (read === null || 'error' in read) return { steps: steps.map((text) => ({ text, valid: null, reason: 'not a Make 24 puzzle' })), answer: null };
    const verdicts = checkLines(read.puzzle, steps);
    let answer: string | null = null;
    for (const s of steps) answer = make24.answerOf(s) ?? answer;
    return { steps: steps.map((text, i) => ({ text, ...verdicts[i] })), answer };
  },
  // Every Make 24 verdict reads only the puzzle and what the lines claim.
  checkClaims: (problem, steps) => make24.check(problem, steps),
  answerOf(step) {
    const m = ANSWER_LINE.exec(step);
    return m ? m[1] : null;
  },
  // Solutions that write the same expression vote together.
  answerKey: (answer) => answer.replace(/\s+/g, ''),
  selfChecking: true,
  stepsAreChoices: true,
  size(problem) {
    const read = readPuzzle(problem);
    const count = read && 'puzzle' in read ? read.puzzle.numbers.length : 4;
    return (count - MIN_COUNT + 1) / (MAX_COUNT - MIN_COUNT + 1);
  },
  models: DOMAIN_MODELS.make24,
  // One table per verifier: npm run calibrate:make24 -- --verifier checked|prm.
  planTables: { checked: checkedTable as PolicyTable, prm: prmTable as PolicyTable },
};
