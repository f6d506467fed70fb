import { writeSync } from 'node:fs';
import { parseArgs, UsageError } from './args';
import { runGenerate } from './generate';
import { runVerify } from './verify';
import { runExplain } from './explain';
import { KNOB_HELP, runSolve } from './solve';
import { runServe } from '../server/serve';
import { BadInputError } from '../core/input';

const USAGE = `usage: stepwise <command> [options]
  solve "<problem>" [--strategy S] [--budget N] [--seed K] [--json]
  solve --input problems.jsonl [--json]
  solve's search options:
${KNOB_HELP}
  verify [--json] [--jsonl]     read a solution on stdin (problem first, then one step per line);
                                exit 0: no step wrong, 3: a step is wrong, 1: bad input, 2: runtime error
  generate [--family compute|solve|word|mixed] [--ops K] [--count N] [--seed S]
  generate --family make24 [--numbers 3|4|5] [--target T] [--split train|test] [--count N] [--seed S]
  explain [--json] [--temperature T] [--top K]   a solution on stdin like verify: each token's probability
                                and top alternatives under the policy, each step's PRM score and verdict
  serve --port P [--model DIR] [--prm DIR]   our models over HTTP (/v1/completions, /pooling) on 127.0.0.1
  (solve/verify: --policy-url URL / --prm-url URL use a server, e.g. vLLM; see README "Bigger models")`;

let pending = '';
function writeLine(line: string): void {
  pending += line + '\n';
  if (pending.length > 1 << 16) flush();
}
function flush(): void {
  let buf = Buffer.from(pending);
  pending = '';
  while (buf.length) {
    try {
      buf = buf.subarray(writeSync(1, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
      throw e;
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'generate':
      runGenerate(parseArgs(rest, new Set()), writeLine);
      return 0;
    case 'solve':
      return runSolve(parseArgs(rest, new Set(['json'])), writeLine);
    case 'verify':
      return runVerify(parseArgs(rest, new Set(['json', 'jsonl'])), writeLine);
    case 'explain':
      return runExplain(parseArgs(rest, new Set(['json'])), writeLine);
    case 'serve':
      return runServe(parseArgs(rest, new Set()));
    case undefined:
    case '--help':
    case 'help':
      process.stderr.write(USAGE + '\n');
      return command === undefined ? 1 : 0;
    default:
      throw new UsageError(`unknown command "${command}" (try: solve, verify, explain, generate, serve)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    flush();
    process.exitCode = code;
  },
  (e: unknown) => {
    flush();
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`stepwise: ${message}\n`);
    process.exitCode = e instanceof UsageError || e instanceof BadInputError ? 1 : 2;
  },
);
