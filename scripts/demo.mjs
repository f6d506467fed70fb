// `npm run demo`: solves a few problems with the bundled models and verifies a hand-written solution.
import { spawnSync } from 'node:child_process';

// `verify` exits 3 when it finds a wrong step, which is what the demo's hand-written solution has.
const cli = (args, input, expected = 0) => {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { input, stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] });
  if (r.status !== expected) process.exit(r.status || 1);
};

const problems = [
  'Compute 12 + 7 * ( 5 - 3 ).',
  'Solve for x: 3 * x + 5 = 20.',
  'A shop sells pens for $3 each. Ana buys 4 pens and pays with a $20 bill. How much change does Ana get?',
  'Make 24 with 4 7 8 8.',
];
for (const p of problems) {
  console.log('\n=== solve ===');
  cli(['solve', p]);
}
console.log('\n=== verify a hand-written solution ===');
cli(['verify'], 'Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 15\n12 + 15 = 27\nAnswer: 27\n', 3);
cli(['verify'], 'Make 24 with 4 7 8 8.\n8 / 8 = 1 (left: 1 4 7)\n7 - 1 = 6 (left: 4 6)\n6 * 4 = 24 (left: 24)\nAnswer: (7 - 8 / 8) * 4 = 24\n');
