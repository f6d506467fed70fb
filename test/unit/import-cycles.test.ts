import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

test('no import cycles anywhere in the project (dependency-cruiser, type-only imports included)', () => {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'), '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src', 'bench', 'webview', 'test', 'models/train'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /no dependency violations found \((\d{3,}) modules/, 'it read the project (not a handful of files)');
});
