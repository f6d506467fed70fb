// Bundles the extension host, the CLI, the engine worker and the webview with esbuild.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', target: 'node20' };
const nodeExternal = ['vscode', 'onnxruntime-node'];

const builds = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', external: nodeExternal, banner: { js: '#!/usr/bin/env node' } },
  // The banner stamps when the bundle starts loading, so activation time includes module loading.
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: nodeExternal, banner: { js: 'globalThis.__stepwiseLoadStart = performance.now();' } },
  { entryPoints: ['src/worker/worker.ts'], outfile: 'dist/worker.js', platform: 'node', format: 'cjs', external: nodeExternal },
  // Decoding shards: worker threads that run part of each batch (src/core/model/shard.ts); found next to the bundle that loads a model.
  { entryPoints: ['src/core/model/decoder-shard.ts'], outfile: 'dist/decoder-shard.js', platform: 'node', format: 'cjs', external: nodeExternal },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { entryPoints: ['webview/tree-picture.ts'], outfile: 'dist/tree-picture.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { entryPoints: ['webview/explain.ts'], outfile: 'dist/explain.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((b) => existsSync(b.entryPoints[0]));

await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
