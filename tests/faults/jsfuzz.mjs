// JS-level fuzz of the exported API: random values of every shape (wrong types, null, undefined, huge strings,
// getters and Proxies that throw, Symbols, revoked Proxies, BigInts) for every argument of every method. Each call
// must return or throw/reject an LlmFilesError, never anything else (a wasm trap would be a RuntimeError), and the
// client must still work afterwards.  Usage: node jsfuzz.mjs [calls=3000] [seed=1]
import { LlmFiles, LlmFilesError } from 'llm-files';
import { startMock } from '../mock/server.mjs';

const calls = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 1) >>> 0;
const rand = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 4294967296);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const mock = await startMock();
const thrower = () => { throw new Error('getter throws'); };
const revoked = (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })();
const trapAll = new Proxy({}, { get: thrower, has: thrower, ownKeys: thrower, getPrototypeOf: thrower, getOwnPropertyDescriptor: thrower });
const huge = 'x'.repeat(1 << 20);
const atoms = () => [
  undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53 + 1, 2 ** 31, 10n, '', ' ', '.', '..', 'a/b',
  '%', '\u0000', '\r\n', 'é😀', huge, Symbol('s'), [], [1, 2], {}, () => {}, new Date(), /re/, new Map(), new Blob(['b']),
  new Uint8Array(2), new ArrayBuffer(1), AbortSignal.abort(), new AbortController().signal, revoked, trapAll,
  Object.defineProperty({}, 'purpose', { get: thrower, enumerable: true }), Object.create(null), Object.freeze({ x: 1 }),
  new Proxy({}, { get: (_, k) => (k === 'then' ? undefined : thrower()) }), { toString: thrower, valueOf: thrower },
];
const providers = ['minimax', 'moonshot', 'zhipu', 'openai'];
const field = (names, valid) => {
  const o = {};
  for (const n of names) {
    const r = rand();
    if (r < 0.4) o[n] = valid[n];
    else if (r < 0.8) o[n] = pick(atoms());
  }
  return rand() < 0.15 ? pick(atoms()) : o;
};
const options = () => field(['signal', 'timeout', 'maxRetries', 'onUploadProgress', 'headers'], { timeout: 2000, maxRetries: 0, onUploadProgress: () => {}, headers: { 'x-a': 'c', 'X-C': 'd' } });

let ok = 0;
let bad = 0;
const problems = [];
async function settle(label, fn) {
  try {
    const v = fn();
    if (v && typeof v[Symbol.asyncIterator] === 'function') {
      let n = 0;
      for await (const _ of v) if (++n >= 2) break;
    } else {
      const r = await v;
      if (r instanceof Response) await r.body?.cancel();
    }
    ok++;
  } catch (e) {
    if (e instanceof LlmFilesError) ok++;
    else {
      bad++;
      if (problems.length < 5) problems.push(`${label}: ${e?.constructor?.name}: ${e?.message ?? e}`);
    }
  }
}

for (let i = 0; i < calls; i++) {
  const p = pick(providers);
  const base = mock.base(p);
  const valid = { provider: p, apiKey: 'sk-fuzz-key', baseURL: base, timeout: 2000, maxRetries: 0, defaultHeaders: { 'X-A': 'b' }, fetch: undefined };
  const which = Math.floor(rand() * 8);
  let client;
  try {
    client = new LlmFiles(field(Object.keys(valid), valid));
  } catch (e) {
    if (!(e instanceof LlmFilesError)) {
      bad++;
      problems.push(`constructor: ${e}`);
    } else ok++;
    client = new LlmFiles({ provider: p, apiKey: 'sk-fuzz-key', baseURL: base, maxRetries: 0, timeout: 2000 });
  }
  const f = client.files;
  const id = rand() < 0.5 ? pick(atoms()) : pick(['1', 'file-1', '9007199254740993', 'x'.repeat(20)]);
  const createValid = { file: pick(['text', new Blob(['blob']), new Uint8Array(3)]), purpose: pick(['batch', 'file-extract', 't2a_async_input']), filename: 'f.txt' };
  const listValid = { purpose: 'batch', limit: 5, after: 'file-1', order: 'desc' };
  switch (which) {
    case 0: await settle('create', () => f.create(field(['file', 'purpose', 'filename'], createValid), options())); break;
    case 1: await settle('list', () => f.list(field(['purpose', 'limit', 'after', 'order'], listValid), options())); break;
    case 2: await settle('listAll', () => f.listAll(field(['purpose', 'limit', 'after', 'order'], listValid), options())); break;
    case 3: await settle('retrieve', () => f.retrieve(id, options())); break;
    case 4: await settle('content', () => f.content(id, options())); break;
    case 5: await settle('delete', () => f.delete(id, field(['purpose'], { purpose: 'batch' }), options())); break;
    case 6: await settle('capabilities', () => LlmFiles.capabilities(rand() < 0.5 ? p : pick(atoms()))); break;
    default: await settle('constructor', () => new LlmFiles(pick(atoms())));
  }
}
// The instance still works after everything above.
let works = false;
try {
  const c = new LlmFiles({ provider: 'moonshot', apiKey: 'sk-fuzz-key', baseURL: mock.base('moonshot') });
  const made = await c.files.create({ file: 'after the fuzz', purpose: 'file-extract', filename: 'after.txt' });
  works = (await c.files.retrieve(made.id)).filename === 'after.txt';
} catch (e) {
  problems.push(`after the fuzz: ${e}`);
}
await mock.close();
for (const p of problems) console.log(`  ✗ ${p}`);
console.log(`js fuzz: ${calls} random calls (seed ${process.argv[3] ?? 1}); the client ${works ? 'still works' : 'is BROKEN'} afterwards`);
console.log(`js fuzz: ${ok + (works ? 1 : 0)} passed, ${bad + (works ? 0 : 1)} failed`);
process.exitCode = bad === 0 && works ? 0 : 1;
