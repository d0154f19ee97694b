// Bundles the Worker with `wrangler deploy --dry-run` (what `wrangler deploy` would upload: its bundle, with the
// wasm as a module) into `outDir`, and returns Miniflare options that run it there. Shared by the demo and the tests.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bundles as `wrangler deploy` run in `cwd` with `args` would, into `outDir`; offline: no banner (its update check),
 *  no metrics. */
export async function wranglerBundle(outDir, cwd, args = []) {
  const env = { ...process.env, WRANGLER_HIDE_BANNER: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' };
  const cli = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', ...args, '--dry-run', '--outdir', outDir];
  await promisify(execFile)(process.execPath, cli, { cwd, env, timeout: 120_000 });
}

/** Miniflare options that run the bundle wrangler wrote to `outDir`: `script` (named after the entry) and its hashed
 *  `.wasm`. */
export function bundled(outDir, bindings, script = 'index.js') {
  return {
    modules: true, scriptPath: join(outDir, script), modulesRoot: outDir, bindings,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }], compatibilityDate: '2025-09-01',
  };
}

/** Bundles worker/ with wrangler into `outDir`; resolves to Miniflare options that run it with `bindings`. */
export async function buildWorker(outDir, bindings) {
  // `llm-files` in worker/src resolves to this package itself (its `exports`, the `workerd` condition: pkg/workerd.js).
  await wranglerBundle(outDir, join(root, 'worker'));
  return bundled(outDir, bindings);
}

/** Bindings that point every provider of the Worker at the mock, with `keys` as provider keys. */
export function mockBindings(mock, keys, extra = {}) {
  const b = {};
  for (const p of ['minimax', 'moonshot', 'zhipu', 'openai']) {
    b[`${p.toUpperCase()}_API_KEY`] = keys[p];
    b[`${p.toUpperCase()}_BASE_URL`] = mock.base(p);
  }
  // `extra` last: a test may point one provider elsewhere.
  return { ...b, ...extra };
}
