import { FAMILIES, generateProblems, MAX_OPS, type Family } from '../core/domain';
import { intFlag, rejectUnknown, stringFlag, UsageError, type ParsedArgs } from './args';

export function runGenerate(args: ParsedArgs, write: (line: string) => void): void {
  rejectUnknown(args, ['family', 'ops', 'count', 'seed', 'max-number', 'max-nesting']);
  const family = stringFlag(args, 'family') ?? 'mixed';
  if (family !== 'mixed' && !FAMILIES.includes(family as Family)) throw new UsageError(`--family must be one of compute, solve, word, mixed`);
  const options = {
    family: family as Family | 'mixed',
    ops: intFlag(args, 'ops', undefined, 1, MAX_OPS),
    count: intFlag(args, 'count', 10, 0, 10_000_000)!,
    seed: intFlag(args, 'seed', 1, 0, 2 ** 32 - 1)!,
    maxNumber: intFlag(args, 'max-number', undefined, 2, 999),
    maxNesting: intFlag(args, 'max-nesting', undefined, 0, 6),
  };
  for (const p of generateProblems(options)) write(JSON.stringify(p));
}
