// Import cycles are errors; read with swc (dependency-cruiser cannot use TypeScript 7.0 API), type-only imports included.
module.exports = { forbidden: [{ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } }], options: { parser: 'swc', tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' }, exclude: { path: 'node_modules' } } };
