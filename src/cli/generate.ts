import { FAMILIES, generateProblems, MAX_OPS, type Family } from '../core/domains/stepmath';
import { generateMake24, type Split } from '../core/domains/make24/generate';
import { MAX_COUNT, MAX_TARGET, MIN_COUNT } from '../core/domains/make24/puzzle';
import { intFlag, rejectUnknown, stringFlag, UsageError, type ParsedArgs } from './args';

const STEPMATH_FLAGS = ['ops', 'max-number', 'max-nesting'];
const MAKE24_FLAGS = ['numbers', 'target', 'split'];

export function runGenerate(args: ParsedArgs, write: (line: string) => void): void {
  rejectUnknown(args, ['family', 'count', 'seed', ...STEPMATH_FLAGS, ...MAKE24_FLAGS]);
  const family = stringFlag(args, 'family') ?? 'mixed';
  const count = intFlag(args, 'count', 10, 0, 10_000_000)!;
  const seed = intFlag(args, 'seed', 1, 0, 2 ** 32 - 1)!;
  if (family === 'make24') {
    const other = STEPMATH_FLAGS.find((f) => args.flags.has(f));
    if (other) throw new UsageError(`--${other} is for StepMath families; make24 takes --numbers, --target and --split`);
    const split = stringFlag(args, 'split') ?? 'train';
    if (split !== 'train' && split !== 'test') throw new UsageError('--split must be train or test');
    const options = { numbers: intFlag(args, 'numbers', 4, MIN_COUNT, MAX_COUNT), target: intFlag(args, 'target', 24, 1, MAX_TARGET), split: split as Split, count, seed };
    for (const p of generateMake24(options)) write(JSON.stringify(p));
    return;
  }
  if (family !== 'mixed' && !FAMILIES.includes(family as Family)) throw new UsageError(`--family must be one of compute, solve, word, mixed, make24`);
  const other = MAKE24_FLAGS.find((f) => args.flags.has(f));
  if (other) throw new UsageError(`--${other} is for --family make24`);
  const options = {
    family: family as Family | 'mixed',
    ops: intFlag(args, 'ops', undefined, 1, MAX_OPS),
    count,
    seed,
    maxNumber: intFlag(args, 'max-number', undefined, 2, 999),
    maxNesting: intFlag(args, 'max-nesting', undefined, 0, 6),
  };
  for (const p of generateProblems(options)) write(JSON.stringify(p));
}
