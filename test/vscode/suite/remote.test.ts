// The remote settings: policy and PRM from a real `stepwise serve` on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { test } from '../runner';
import type { SolveResult } from '../../../src/core/protocol/results';

test('a solve through stepwise.policyUrl / stepwise.prmUrl uses the server', async () => {
  const root = vscode.extensions.getExtension('stepwise-dev.stepwise')!.extensionPath;
  const server = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'serve', '--port', '0', '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (m) resolve(m[0]);
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    });
    const config = vscode.workspace.getConfiguration('stepwise');
    await config.update('policyUrl', url, vscode.ConfigurationTarget.Global);
    await config.update('prmUrl', url, vscode.ConfigurationTarget.Global);
    await config.update('strategy', 'greedy', vscode.ConfigurationTarget.Global);
    try {
      const result = (await vscode.commands.executeCommand('stepwise.solveProblem', 'Compute 12 + 7 * ( 5 - 3 ).')) as SolveResult;
      assert.ok(result && result.candidates.length === 1);
      assert.ok(result.tokens > 0);
    } finally {
      for (const k of ['policyUrl', 'prmUrl', 'strategy']) await config.update(k, undefined, vscode.ConfigurationTarget.Global);
    }
  } finally {
    server.kill('SIGTERM');
  }
});
