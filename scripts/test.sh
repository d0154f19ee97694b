#!/usr/bin/env bash
# `npm test`: installs, builds, then runs every suite; each prints its own closing line, and the last line
# counts the suites that passed and failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
node scripts/build.mjs || exit 1
passed=0
failed=0
suite() {
  local name=$1
  shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "=== FAILED: $name"; fi
}
suite "cargo test: sans-IO core, call state machines and fuzz smoke (20,000 inputs)" cargo test --lib --test fuzz
suite "node --test: the package against the mock providers and the providers' OpenAPI pages (Prism), and the fetch executor" node --test --test-timeout=120000 tests/node/*.test.mjs
suite "worker proxy in workerd: forwarding, auth, CORS, limits, cron cleanup; a seeded fuzz of its handler" node --test --test-timeout=120000 tests/worker/*.test.mjs
suite "demo end to end in Chromium: against the mock and through the Worker proxy; Chromium's own resend over HTTP/2" node --test --test-timeout=120000 tests/e2e/*.test.mjs
suite "fault matrix: every provider x operation x fault" node tests/faults/matrix.mjs
suite "js fuzz: 3,000 random calls on the exported API" node tests/faults/jsfuzz.mjs 3000 1
suite "soak (short): 1,000 operations with 5 % faults in Node and workerd" node tests/faults/soak.mjs 1000 both
suite "tsc --strict (TypeScript 5.9 and 7): the .d.ts" node tests/types/check.mjs
suite "size budget: gzipped wasm + glue" node tests/size.mjs
suite "runtimes: packed tarball in Node 20, 22, 24, 26 and Yarn PnP (ESM, require), esbuild for Node (ESM, CJS), Deno (npm:, node_modules), Bun (ESM, require), Chromium (ESM page, Web Worker, service worker; esbuild, Rollup, webpack with and without exports, Vite 8 and 7 builds and dev servers), Next.js (Node, Edge, client component), workerd (wrangler bundle, Cloudflare's Vite plugin)" node tests/runtimes/run.mjs
echo "npm test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
