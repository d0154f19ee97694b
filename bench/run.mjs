// `npm run bench`: llm-files side by side with raw fetch + JSON.parse and with openai-node, in one process,
// against the mock providers running in a child process on 127.0.0.1. Every figure is a median over rounds (or, for
// the sequential per-operation rows, blocks of 10 calls) whose contender order alternates. Prints a table and writes
// bench/results.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { LlmFiles } from 'llm-files';
import { initSync, Op } from '../pkg/llm_files.js';
import OpenAI from 'openai';
import { KEY, auth, median, startMock, withTimeout, LIST_50, FROM_MEMORY, fromMemory } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const wasmMemory = () => initSync({ module: new Uint8Array() }).memory.buffer.byteLength;
const results = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model?.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`, rounds: ROUNDS };

const { child, url } = await startMock();
const base = `${url}/moonshot/v1`;

const llm = new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL: base, maxRetries: 0 }).files;
const oai = new OpenAI({ apiKey: KEY, baseURL: base, maxRetries: 0 }).files;
const raw = {
  list: async (_, signal) => JSON.parse(await (await fetch(`${base}/files`, { headers: auth, signal })).text()),
  retrieve: async (id, signal) => JSON.parse(await (await fetch(`${base}/files/${encodeURIComponent(id)}`, { headers: auth, signal })).text()),
  create: async (blob, signal) => {
    const form = new FormData();
    form.append('purpose', 'file-extract');
    form.append('file', blob, 'upload.bin');
    return JSON.parse(await (await fetch(`${base}/files`, { method: 'POST', headers: auth, body: form, signal })).text());
  },
  delete: async (id, signal) => JSON.parse(await (await fetch(`${base}/files/${encodeURIComponent(id)}`, { method: 'DELETE', headers: auth, signal })).text()),
};
const contenders = {
  'raw fetch': { list: raw.list, retrieve: raw.retrieve, create: raw.create, delete: raw.delete },
  'raw + timeout': Object.fromEntries(Object.entries(raw).map(([op, fn]) => [op, withTimeout(fn)])),
  'llm-files': { list: () => llm.list(), retrieve: (id) => llm.retrieve(id), create: (b) => llm.create({ file: b, purpose: 'file-extract', filename: 'upload.bin' }), delete: (id) => llm.delete(id) },
  'openai-node': { list: () => oai.list(), retrieve: (id) => oai.retrieve(id), create: (b) => oai.create({ file: new File([b], 'upload.bin'), purpose: 'file-extract' }), delete: (id) => oai.delete(id) },
};
const names = Object.keys(contenders);

/** µs per call for `count` calls of `fn` (numbered from `from`), `concurrency` at a time. */
async function perOp(count, concurrency, fn, from) {
  let next = from;
  const end = from + count;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < end) await fn(next++); }));
  return ((performance.now() - t0) * 1000) / count;
}

/** One row: each round runs `n` calls per contender in blocks, the contenders taking turns block by block (order
 *  alternating), so a slow spell of the machine falls on all of them alike; each figure is the median over every
 *  timed block. Sequential blocks are 10 calls; concurrent ones all `n`, since a short block would time mostly
 *  its ramp and tail. */
async function opBench(label, n, concurrency, makeFn) {
  const block = concurrency === 1 ? 10 : n;
  const samples = Object.fromEntries(names.map((k) => [k, []]));
  // Round 0 is an untimed warm-up (JIT, connection pool): without it the first contender pays for the others.
  for (let r = 0; r <= ROUNDS; r++) {
    const fns = {};
    for (const k of names) fns[k] = await makeFn(k);
    for (let at = 0, b = 0; at < n; at += block, b++) {
      for (const k of (r + b) % 2 ? [...names].reverse() : names) {
        const t = await perOp(Math.min(block, n - at), concurrency, fns[k], at);
        if (r > 0) samples[k].push(t);
      }
    }
  }
  const row = { op: label, concurrency };
  for (const k of names) row[k] = median(samples[k]);
  row['llm-files / raw'] = row['llm-files'] / row['raw fetch'];
  row['openai-node / raw'] = row['openai-node'] / row['raw fetch'];
  row['llm-files / raw + timeout'] = row['llm-files'] / row['raw + timeout'];
  return row;
}

// Parsing a 10,000-file list: the client's own cost, with the body served from memory by an injected fetch. First,
// so that nothing run before it shapes its heap.
{
  const mkMini = (i) => `{"file_id":${9007199254740993n + BigInt(i)},"bytes":${1000 + i},"created_at":${1700000000 + i},"filename":"file-${i}.txt","purpose":"t2a_async_input"}`;
  const mkOai = (i) => JSON.stringify({ id: `file-${i}abcdefghijklmnop`, object: 'file', bytes: 1000 + i, created_at: 1700000000 + i, filename: `file-${i}.txt`, purpose: 'batch', status: 'processed' });
  const bodies = {
    minimax: `{"files":[${Array.from({ length: 10000 }, (_, i) => mkMini(i)).join(',')}],"base_resp":{"status_code":0,"status_msg":"success"}}`,
    openai: `{"object":"list","data":[${Array.from({ length: 10000 }, (_, i) => mkOai(i)).join(',')}],"has_more":false}`,
  };
  const BATCH = quick ? 3 : 10;
  results.parse10k = { batch: BATCH };
  for (const [shape, body] of Object.entries(bodies)) {
    const fetchFromMemory = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
    const client = new LlmFiles({ provider: shape, apiKey: KEY, baseURL: 'http://memory.invalid', fetch: fetchFromMemory }).files;
    const purpose = shape === 'minimax' ? 't2a_async_input' : 'batch';
    const ours = async () => client.list({ purpose });
    const baseline = async () => {
      const j = JSON.parse(await (await fetchFromMemory()).text());
      const items = shape === 'minimax' ? j.files : j.data;
      // JSON.parse rounds MiniMax ids above 2^53: the baseline is cheaper for being wrong.
      return items.map((f) => ({ id: String(shape === 'minimax' ? f.file_id : f.id), object: 'file', bytes: f.bytes, created_at: f.created_at, filename: f.filename, purpose: f.purpose, status: f.status, provider: shape, raw: f }));
    };
    const s = { ours: [], baseline: [] };
    // Each round times BATCH calls of one contender back to back, so each pays for collecting its own garbage. Timed
    // one call at a time, in turn, each paid for the other's, and the ratio depended on which sections had run
    // before. Two untimed warm-up rounds (JIT), then three times the usual rounds.
    for (let r = 0; r < 3 * ROUNDS + 2; r++) {
      for (const [k, fn] of r % 2 ? [['baseline', baseline], ['ours', ours]] : [['ours', ours], ['baseline', baseline]]) {
        const t0 = performance.now();
        for (let i = 0; i < BATCH; i++) {
          const out = await fn();
          if ((out.data ?? out).length !== 10000) throw new Error('wrong count');
        }
        if (r >= 2) s[k].push((performance.now() - t0) / BATCH);
      }
    }
    // The wasm alone, stepped directly: what a list call with this body costs inside the machine (parse, check every
    // file, write the plan), without fetch, copies into JS objects or `JSON.parse`.
    const bytes = new TextEncoder().encode(body);
    const inWasm = [];
    for (let r = 0; r < 3 * ROUNDS + 2; r++) {
      const t0 = performance.now();
      const plan = stepped(new Op(shape, 'http://memory.invalid', 0, 1, purpose), bytes);
      if (r >= 2) inWasm.push(performance.now() - t0);
      if (plan[0] !== 'l') throw new Error('the machine did not answer with a page');
    }
    if (shape === 'minimax') {
      const page = await ours();
      results.parse10k.minimaxIdExact = page.data[0].id === '9007199254740993';
    }
    results.parse10k[shape] = { 'llm-files ms': median(s.ours), 'JSON.parse + map ms': median(s.baseline), ratio: median(s.ours) / median(s.baseline), 'of which in wasm ms': median(inWasm) };
  }
}

// 50 files to list; one to retrieve.
for (let i = 0; i < 50; i++) await raw.create(new Blob([new Uint8Array(1024)]));
const anyId = (await raw.list()).data[0].id;
const kb = new Blob([new Uint8Array(1024)]);
const n = quick ? 100 : 300;
results.perOperation = [];
for (const concurrency of [1, 64]) {
  results.perOperation.push(await opBench('list (50 files)', n, concurrency, (k) => () => contenders[k].list()));
  results.perOperation.push(await opBench('retrieve', n, concurrency, (k) => () => contenders[k].retrieve(anyId)));
  // Each contender deletes files it created itself, so deletes always hit an existing file.
  const made = Object.fromEntries(names.map((k) => [k, []]));
  results.perOperation.push(await opBench('create (1 KB)', n, concurrency, (k) => async () => made[k].push((await contenders[k].create(kb)).id)));
  // The delete rounds (warm-up included) need as many files as the create rounds made.
  const cursor = Object.fromEntries(names.map((k) => [k, 0]));
  results.perOperation.push(await opBench('delete', n, concurrency, (k) => {
    const start = cursor[k];
    cursor[k] += n;
    return (i) => contenders[k].delete(made[k][start + i]);
  }));
}

// 256 MiB from a Blob: throughput, and how much wasm memory and RSS grow while it runs. On the OpenAI-compatible
// path, since Moonshot refuses files over 100 MB (and llm-files checks that before sending).
{
  const big = new Blob([new Uint8Array(256 * 2 ** 20)]);
  const openaiBase = `${url}/openai/v1`;
  const bigLlm = new LlmFiles({ provider: 'openai', apiKey: KEY, baseURL: openaiBase, maxRetries: 0 }).files;
  const upload = {
    'raw fetch': async (blob) => {
      const form = new FormData();
      form.append('purpose', 'batch');
      form.append('file', blob, 'upload.bin');
      return JSON.parse(await (await fetch(`${openaiBase}/files`, { method: 'POST', headers: auth, body: form })).text());
    },
    'llm-files': (blob) => bigLlm.create({ file: blob, purpose: 'batch', filename: 'upload.bin' }),
  };
  const rows = {};
  for (const k of ['raw fetch', 'llm-files']) rows[k] = { seconds: [], rssGrowth: [], wasmGrowth: [] };
  // Nine rounds: on a shared machine single rounds of a 256 MiB upload spread widely (the range is printed).
  for (let r = 0; r < (quick ? 2 : 9); r++) {
    for (const k of r % 2 ? ['llm-files', 'raw fetch'] : ['raw fetch', 'llm-files']) {
      globalThis.gc?.();
      const rss0 = process.memoryUsage().rss;
      const wasm0 = wasmMemory();
      let peak = rss0;
      const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
      const t0 = performance.now();
      const f = await upload[k](big);
      rows[k].seconds.push((performance.now() - t0) / 1000);
      clearInterval(sampler);
      if (f.bytes < 256 * 2 ** 20) throw new Error(`upload truncated: ${f.bytes}`);
      rows[k].rssGrowth.push(peak - rss0);
      rows[k].wasmGrowth.push(wasmMemory() - wasm0);
    }
  }
  results.upload256 = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, {
    mibPerSecond: 256 / median(v.seconds), roundsMibPerSecond: [256 / Math.max(...v.seconds), 256 / Math.min(...v.seconds)],
    rssGrowthMiB: median(v.rssGrowth) / 2 ** 20, wasmGrowthBytes: Math.max(...v.wasmGrowth),
  }]));
  results.upload256.ratio = results.upload256['llm-files'].mibPerSecond / results.upload256['raw fetch'].mibPerSecond;
}

/** Steps a machine whose one request gets `body` with status 200 through to its result string, then frees it. */
function stepped(op, body) {
  op.stage();
  op.next(0, false, Date.now(), 0.5);
  op.answer(0, 200, undefined, body, 0, Date.now());
  op.next(0, false, Date.now(), 0.5);
  op.stage();
  const result = op.result();
  op.free();
  return result;
}

// The client's own cost per call, without the network: a retrieve and a 50-file list through an injected fetch
// that answers from memory, beside raw fetch + JSON.parse (with and without a timeout) on the same Response.
// Loopback calls above vary by more than this between runs; here it stands alone.
{
  results.ownCost = [];
  for (const op of Object.keys(FROM_MEMORY)) {
    const fns = fromMemory(op);
    const s = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
    for (let r = 0; r <= ROUNDS; r++) {
      for (const [k, fn] of r % 2 ? Object.entries(fns).reverse() : Object.entries(fns)) {
        const t0 = performance.now();
        for (let i = 0; i < 2000; i++) await fn();
        if (r) s[k].push(((performance.now() - t0) * 1000) / 2000);
      }
    }
    const row = { op, ...Object.fromEntries(Object.entries(s).map(([k, v]) => [`${k} µs`, median(v)])) };
    row['llm-files adds µs'] = row['llm-files µs'] - row['raw fetch µs'];
    // What that adds to the same raw call over loopback (sequential, from the table above).
    const loop = results.perOperation.find((x) => x.op === op && x.concurrency === 1)['raw fetch'];
    row['1 + adds / loopback raw'] = 1 + row['llm-files adds µs'] / loop;
    results.ownCost.push(row);
  }
}

// The wasm's share of one call: every step of a retrieve (create the machine, name the request, take the answer,
// write the result, free it), stepped directly with a canned response.
{
  const body = new TextEncoder().encode(JSON.stringify({ id: 'file-abc123', object: 'file', bytes: 1024, created_at: 1700000000, filename: 'a.bin', purpose: 'file-extract', status: 'ok' }));
  const one = () => stepped(new Op('moonshot', base, 0, 3, 'file-abc123'), body);
  const per = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 20000; i++) if (one()[0] !== 'f') throw new Error('the machine did not answer with a file');
    if (r) per.push(((performance.now() - t0) * 1000) / 20000);
  }
  results.wasmPerCall = { 'retrieve, all steps µs': median(per) };
  // The same for a 50-file Moonshot list, beside decoding and `JSON.parse` of the same body (what raw fetch does
  // with it): the price of checking every field of every file.
  const list = new TextEncoder().encode(LIST_50);
  const decoder = new TextDecoder();
  const s = { list: [], parse: [] };
  for (let r = 0; r <= ROUNDS; r++) {
    let t0 = performance.now();
    for (let i = 0; i < 5000; i++) if (stepped(new Op('moonshot', base, 0, 1), list)[0] !== 'l') throw new Error('the machine did not answer with a page');
    if (r) s.list.push(((performance.now() - t0) * 1000) / 5000);
    t0 = performance.now();
    for (let i = 0; i < 5000; i++) if (JSON.parse(decoder.decode(list)).data.length !== 50) throw new Error('wrong count');
    if (r) s.parse.push(((performance.now() - t0) * 1000) / 5000);
  }
  results.wasmPerCall['list of 50, all steps µs'] = median(s.list);
  results.wasmPerCall['decode + JSON.parse of the same body µs'] = median(s.parse);
}

// Cold start: a fresh Node process importing and instantiating each client.
{
  const coldOne = (code) => Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).trim());
  const ours = `const t=performance.now(); const { LlmFiles } = await import('llm-files'); new LlmFiles({ provider: 'moonshot', apiKey: 'k' }); console.log(performance.now()-t)`;
  const theirs = `const t=performance.now(); const { default: OpenAI } = await import('openai'); new OpenAI({ apiKey: 'k' }); console.log(performance.now()-t)`;
  const s = { ours: [], theirs: [] };
  for (let r = 0; r < ROUNDS + 2; r++) {
    s.ours.push(coldOne(ours));
    s.theirs.push(coldOne(theirs));
  }
  results.coldStart = { 'llm-files ms': median(s.ours), 'openai-node ms': median(s.theirs), ratio: median(s.ours) / median(s.theirs) };
}

// Size: the same files-only program bundled by esbuild (minified) for the browser, gzip -9.
{
  const { build } = await import('esbuild');
  const bundle = async (code) => {
    const out = await build({ stdin: { contents: code, resolveDir: root, loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error' });
    return out.outputFiles[0].contents;
  };
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const ourJs = await bundle(`import { LlmFiles } from 'llm-files'; const c = new LlmFiles({ provider: 'moonshot', apiKey: 'k' }); export const go = () => c.files.list();`);
  const theirJs = await bundle(`import OpenAI from 'openai'; const c = new OpenAI({ apiKey: 'k', dangerouslyAllowBrowser: true }); export const go = () => c.files.list();`);
  const wasm = readFileSync(new URL('../pkg/llm_files_bg.wasm', import.meta.url));
  results.size = {
    'llm-files wasm raw': wasm.length, 'llm-files wasm gzip': gz(wasm), 'llm-files js raw': ourJs.length, 'llm-files js gzip': gz(ourJs),
    'llm-files total gzip': gz(wasm) + gz(ourJs), 'openai-node js raw': theirJs.length, 'openai-node total gzip': gz(theirJs),
  };
  results.size.ratio = results.size['llm-files total gzip'] / results.size['openai-node total gzip'];
}

child.kill();

const f1 = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
console.log(`llm-files bench, ${results.date}, ${results.machine}; medians of ${ROUNDS} rounds (sequential per-operation rows: of ${(ROUNDS * n) / 10} blocks of 10 calls, the contenders taking turns block by block)\n`);
console.log('per operation (µs)            conc   raw fetch   raw + timeout   llm-files   openai-node   llm/raw   openai/raw   llm/(raw + timeout)');
for (const r of results.perOperation) {
  console.log(`${r.op.padEnd(28)} ${String(r.concurrency).padStart(5)} ${f1(r['raw fetch']).padStart(11)} ${f1(r['raw + timeout']).padStart(15)} ${f1(r['llm-files']).padStart(11)} ${f1(r['openai-node']).padStart(13)} ${r['llm-files / raw'].toFixed(2).padStart(9)} ${r['openai-node / raw'].toFixed(2).padStart(12)} ${r['llm-files / raw + timeout'].toFixed(2).padStart(21)}`);
}
const u = results.upload256;
const spread = (k) => u[k].roundsMibPerSecond.map((x) => x.toFixed(0)).join('-');
console.log(`\n256 MiB upload from a Blob: raw fetch ${u['raw fetch'].mibPerSecond.toFixed(0)} MiB/s (rounds ${spread('raw fetch')}), llm-files ${u['llm-files'].mibPerSecond.toFixed(0)} MiB/s (rounds ${spread('llm-files')}) (ratio ${u.ratio.toFixed(2)}); wasm memory growth ${u['llm-files'].wasmGrowthBytes} B; RSS growth raw ${u['raw fetch'].rssGrowthMiB.toFixed(0)} MiB, llm-files ${u['llm-files'].rssGrowthMiB.toFixed(0)} MiB`);
for (const [shape, v] of Object.entries(results.parse10k).filter(([k]) => k === 'minimax' || k === 'openai')) {
  console.log(`10,000-file list (${shape} shape, medians of ${3 * ROUNDS} rounds of ${results.parse10k.batch} calls): llm-files ${v['llm-files ms'].toFixed(1)} ms (in wasm ${v['of which in wasm ms'].toFixed(1)} ms), JSON.parse + map ${v['JSON.parse + map ms'].toFixed(1)} ms, ratio ${v.ratio.toFixed(2)}`);
}
console.log(`  MiniMax int64 ids exact in llm-files: ${results.parse10k.minimaxIdExact} (JSON.parse rounds them)`);
for (const r of results.ownCost) {
  console.log(`client's own cost, in-memory fetch, ${r.op}: raw fetch ${r['raw fetch µs'].toFixed(1)} µs, raw + timeout ${r['raw + timeout µs'].toFixed(1)} µs, llm-files ${r['llm-files µs'].toFixed(1)} µs (adds ${r['llm-files adds µs'].toFixed(1)} µs: 1 + adds / loopback raw = ${r['1 + adds / loopback raw'].toFixed(2)})`);
}
const wpc = results.wasmPerCall;
console.log(`wasm's share of one retrieve (every step, canned response): ${wpc['retrieve, all steps µs'].toFixed(1)} µs; of a 50-file list: ${wpc['list of 50, all steps µs'].toFixed(1)} µs (decode + JSON.parse of the same body: ${wpc['decode + JSON.parse of the same body µs'].toFixed(1)} µs)`);
console.log(`cold start (import + construct): llm-files ${results.coldStart['llm-files ms'].toFixed(1)} ms, openai-node ${results.coldStart['openai-node ms'].toFixed(1)} ms, ratio ${results.coldStart.ratio.toFixed(2)}`);
const z = results.size;
console.log(`size, files-only program, esbuild --minify, gzip -9: llm-files ${z['llm-files total gzip']} B (wasm ${z['llm-files wasm gzip']} + js ${z['llm-files js gzip']}), openai-node ${z['openai-node total gzip']} B, ratio ${z.ratio.toFixed(2)}`);
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
console.log('\nwrote bench/results.json');
