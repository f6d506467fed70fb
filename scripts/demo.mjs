// `npm run demo`: solves a few problems with the bundled models and verifies a hand-written solution.
import { spawnSync } from 'node:child_process';

const cli = (args, input) => {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { input, stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const problems = [
  'Compute 12 + 7 * ( 5 - 3 ).',
  'Solve for x: 3 * x + 5 = 20.',
  'A shop sells pens for $3 each. Ana buys 4 pens and pays with a $20 bill. How much change does Ana get?',
];
for (const p of problems) {
  console.log('\n=== solve ===');
  cli(['solve', p]);
}
console.log('\n=== verify a hand-written solution ===');
cli(['verify'], 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15\n12 + 15 = 27\nAnswer: 27\n');
