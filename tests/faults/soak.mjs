// Soak: mixed operations, 200 at a time, through one client per provider, against the mock with 5 % random
// faults, in Node and in workerd. Checks that every operation settles and succeeds, that the mock holds exactly
// the files the operations say exist (nothing lost, nothing duplicated), that wasm memory does not grow after
// warm-up, and (Node) that no timer is left pending.  Usage: node soak.mjs [operations=10000] [node|workerd|both]
import { LlmFiles } from 'llm-files';
import { initSync } from '../../pkg/llm_files.js';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMock } from '../mock/server.mjs';
import { soak } from './soak-core.mjs';

const count = Number(process.argv[2] ?? 10_000);
const runtimes = (process.argv[3] ?? 'both') === 'both' ? ['node', 'workerd'] : [process.argv[3]];
const CONCURRENCY = 200;
const here = fileURLToPath(new URL('.', import.meta.url));
const checks = { passed: 0, failed: 0 };
const check = (name, ok, detail = '') => {
  checks[ok ? 'passed' : 'failed']++;
  console.log(`  ${ok ? '✓' : '✗'} ${name}${detail ? ` (${detail})` : ''}`);
};
// initSync returns the running instance when the package already initialised it.
const wasmMemory = () => initSync({ module: new Uint8Array() }).memory.buffer.byteLength;

function verify(runtime, mock, measured, warmUpResults, memory) {
  const failed = [...warmUpResults, ...measured].filter((r) => !r.ok);
  check(`${runtime}: all ${count} operations settled`, measured.length === count, `${measured.length}`);
  // Warm-up operations touched the same files: the books cover both.
  const results = [...warmUpResults, ...measured];
  check(`${runtime}: every operation succeeded despite ${mock.state.injected ?? 0} injected faults`, failed.length === 0,
    failed.slice(0, 3).map((r) => `${r.p} ${r.op}: ${r.kind} ${r.message}`).join('; '));
  let lost = 0;
  let extra = 0;
  let dupes = 0;
  for (const p of Object.keys(mock.state.files)) {
    const expected = new Set();
    for (const r of results) if (r.p === p && r.ok && r.op === 'create') expected.add(r.id);
    for (const r of results) if (r.p === p && r.op === 'delete' && r.ok) expected.delete(r.id);
    const stored = mock.state.files[p];
    for (const id of expected) if (!stored.has(id)) lost++;
    for (const id of stored.keys()) if (!expected.has(id)) extra++;
    const names = new Map();
    for (const f of stored.values()) names.set(f.filename, (names.get(f.filename) ?? 0) + 1);
    for (const n of names.values()) if (n > 1) dupes += n - 1;
  }
  check(`${runtime}: nothing lost`, lost === 0, `${lost} files missing`);
  check(`${runtime}: nothing duplicated or unaccounted for`, extra === 0 && dupes === 0, `${extra} unaccounted, ${dupes} duplicates`);
  check(`${runtime}: wasm memory does not grow after warm-up`, memory.after === memory.warm, `${memory.warm} → ${memory.after} bytes`);
}

// Warm-up runs batches until three in a row leave the memory size unchanged (the allocator has reached its
// steady state); only growth after that is a leak.
const WARM_BATCH = 500;
async function warmUp(run, memory) {
  const results = [];
  let before = await memory();
  let stable = 0;
  for (let k = 0; k < 16 && stable < 3; k++) {
    results.push(...(await run(k * WARM_BATCH, WARM_BATCH)));
    const now = await memory();
    stable = now === before ? stable + 1 : 0;
    before = now;
  }
  return { results, warm: before };
}

async function inNode(mock) {
  const t0 = performance.now();
  const run = (first, n) => soak({ LlmFiles, mockUrl: mock.url, count: n, concurrency: CONCURRENCY, seed: first + 1, first: -1 - first - n });
  const { results: warmResults, warm } = await warmUp(run, wasmMemory);
  const results = await soak({ LlmFiles, mockUrl: mock.url, count, concurrency: CONCURRENCY, seed: 8 });
  console.log(`  node: ${warmResults.length} warm-up and ${count} measured operations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { results, extra: warmResults, memory: { warm, after: wasmMemory() } };
}

async function inWorkerd(mock) {
  const dir = mkdtempSync(join(tmpdir(), 'llm-files-soak-'));
  try {
    writeFileSync(join(dir, 'entry.mjs'), `
import { LlmFiles } from ${JSON.stringify(join(here, '../../pkg/workerd.js'))};
import { initSync } from ${JSON.stringify(join(here, '../../pkg/llm_files.js'))};
import { soak } from ${JSON.stringify(join(here, 'soak-core.mjs'))};
export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    if (u.pathname === '/memory') return Response.json(initSync({ module: new Uint8Array() }).memory.buffer.byteLength);
    const q = (k) => Number(u.searchParams.get(k));
    return Response.json(await soak({ LlmFiles, mockUrl: env.MOCK, count: q('count'), first: q('first'), seed: q('seed'), concurrency: ${CONCURRENCY} }));
  },
};`);
    const { build } = await import('esbuild');
    await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, format: 'esm', outfile: join(dir, 'worker.js'), external: ['*.wasm'], logLevel: 'error' });
    cpSync(join(here, '../../pkg/llm_files_bg.wasm'), join(dir, 'llm_files_bg.wasm'));
    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({ modules: true, scriptPath: join(dir, 'worker.js'), modulesRoot: dir,
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }], bindings: { MOCK: mock.url }, compatibilityDate: '2025-09-01' });
    try {
      // Batches keep each Worker invocation under the platform's subrequest limit; the client lives across them.
      const batch = 500;
      const call = async (path) => (await mf.dispatchFetch(`http://w${path}`)).json();
      const memory = () => call('/memory');
      const t0 = performance.now();
      const { results: warmResults, warm } = await warmUp((first, n) => call(`/run?first=${-1 - first - n}&count=${n}&seed=${first + 1}`), memory);
      const results = [];
      for (let first = 0; first < count; first += batch) {
        results.push(...(await call(`/run?first=${first}&count=${Math.min(batch, count - first)}&seed=${first + 7}`)));
      }
      console.log(`  workerd: ${warmResults.length} warm-up and ${count} measured operations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return { results, extra: warmResults, memory: { warm, after: await memory() } };
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const runtime of runtimes) {
  const mock = await startMock({ faultRate: 0.05, seed: runtime === 'node' ? 11 : 12 });
  try {
    const { results, extra, memory } = runtime === 'node' ? await inNode(mock) : await inWorkerd(mock);
    verify(runtime, mock, results, extra, memory);
  } finally {
    await mock.close();
  }
}
if (runtimes.includes('node')) {
  // Every retry wait and attempt timer must be cleared by now, or this process would not exit at once.
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout');
  check('node: no timer left pending once the last operation settled', timers.length === 0, `${timers.length} pending`);
}
console.log(`soak: ${checks.passed} passed, ${checks.failed} failed`);
process.exitCode = checks.failed === 0 ? 0 : 1;
