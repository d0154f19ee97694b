#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there: the wasm32 target, the npm dev
# dependencies from the lockfile (binaryen's wasm-opt among them), Chromium, openssl, Deno, Bun, Node 22,
# 24 and 26, and TypeScript 7.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "setup: cargo (Rust) is required" >&2; exit 1; }
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# Browser tests drive Debian's Chromium (npm's browser downloads cannot reach the internet from here); openssl makes
# the throwaway certificate of the HTTP/2 check (tests/e2e/resend-h2.test.mjs).
if [ ! -x /usr/bin/chromium ] || ! command -v openssl >/dev/null; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium openssl >/dev/null
fi
# Deno, Bun, Node 22, 24 and 26 (the LTS lines and Current; the runtimes suite runs the package in each) and
# TypeScript 7 (its native compiler; tests/types checks the types with it beside 5.9) stay out of package-lock.json:
# the registry here lacks their other platforms' packages, which npm ci would then demand. They are installed, pinned,
# into .tools/ instead; Node as npm's `node-<platform>-<arch>` build under an alias per line. Deno and Bun set up
# their binary in an install script, which npm 12 runs only where the project's package.json allows it
# (`allowScripts`; the root package.json allows esbuild's and workerd's): .tools/ gets one of its own. Checked by
# running each: an install whose scripts were skipped leaves commands that fail, and is redone from scratch.
t=.tools/node_modules
if ! { $t/.bin/deno --version && $t/.bin/bun --version && $t/node22/bin/node --version && $t/node24/bin/node --version && $t/node26/bin/node --version && $t/.bin/tsc --version; } >/dev/null 2>&1; then
  rm -rf $t && mkdir -p .tools
  echo '{ "private": true, "allowScripts": { "deno": true, "bun": true } }' > .tools/package.json
  node_bin="node-$(node -p 'process.platform + "-" + process.arch')"
  npm install --prefix .tools --no-save --no-audit --no-fund --no-package-lock deno@2.9.6 bun@1.4.5 \
    "node22@npm:$node_bin@22.23.3" "node24@npm:$node_bin@24.21.0" \
    "node26@npm:$node_bin@26.10.0" typescript@7.0.2 >/dev/null 2>&1
fi
