// Bundles the Worker as `wrangler deploy` would (workerd condition, wasm imported as a module) into `outDir`,
// and returns Miniflare options that run it there. Shared by the demo and the tests.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildWorker(outDir, bindings) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'worker/src/index.js')], bundle: true, format: 'esm', outfile: join(outDir, 'worker.js'),
    conditions: ['workerd', 'worker', 'browser'], external: ['*.wasm'], alias: { 'llm-files': join(root, 'pkg/workerd.js') }, logLevel: 'error',
  });
  cpSync(join(root, 'pkg/llm_files_bg.wasm'), join(outDir, 'llm_files_bg.wasm'));
  return {
    modules: true, scriptPath: join(outDir, 'worker.js'), modulesRoot: outDir, bindings,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }], compatibilityDate: '2025-09-01',
  };
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
