// The fetch executor (src/transport/fetch.js) with an injected `fetch`: what each attempt sends, timeouts, aborts,
// real waits, and fetch implementations that misbehave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LlmFiles, LlmFilesError } from 'llm-files';
import { wasmMemory } from './helpers.mjs';

const LIST = '{"object":"list","data":[],"has_more":false}';
const FILE = JSON.stringify({ id: 'f', object: 'file', bytes: 3, created_at: 1, filename: 'a.jsonl', purpose: 'batch' });

/** A client whose fetch is `impl(url, init, n)`; `seen` records every call. */
function client(impl, options = {}) {
  const seen = [];
  const fetch = (url, init) => (seen.push({ url, init }), impl(url, init, seen.length));
  const c = new LlmFiles({ provider: 'openai', apiKey: 'sk-transport-test', baseURL: 'http://127.0.0.1:9/v1', defaultHeaders: { 'X-App': 'demo' }, fetch, ...options });
  return { c, seen };
}

test('the multipart body is rebuilt for every attempt, with the headers and a fresh signal', async () => {
  // A 429 is not ambiguous (nothing was stored), so the second attempt uploads again rather than looking first.
  const { c, seen } = client((url, init, n) => (n < 2 ? new Response('{}', { status: 429, headers: { 'retry-after-ms': '1' } }) : new Response(FILE)));
  const f = await c.files.create({ file: new Blob(['abc']), purpose: 'batch', filename: 'a.jsonl' });
  assert.equal(f.id, 'f');
  assert.equal(seen.length, 2);
  const [a, b] = seen;
  assert.notEqual(a.init.body, b.init.body);
  assert.equal(b.init.body.get('purpose'), 'batch');
  assert.equal(b.init.body.get('file').name, 'a.jsonl');
  assert.equal(b.init.body.get('file').size, 3);
  assert.equal(b.init.headers.Authorization, 'Bearer sk-transport-test');
  assert.equal(b.init.headers['X-App'], 'demo');
  assert.equal(b.init.headers['Content-Type'], undefined, 'fetch sets the multipart boundary');
  assert.notEqual(a.init.signal, b.init.signal, 'one AbortController per attempt');
  assert.equal(b.url, 'http://127.0.0.1:9/v1/files');
  assert.equal(b.init.method, 'POST');
});

test('a call\'s own headers join the defaults for that call only, on every attempt, replacing one of the same name in any case', async () => {
  const { c, seen } = client((url, init, n) => (n === 1 ? new Response('{}', { status: 503, headers: { 'retry-after-ms': '1' } }) : new Response(LIST)),
    { defaultHeaders: { 'X-App': 'demo', 'X-Trace': 'default' } });
  await c.files.list({}, { headers: { 'x-trace': 'call-1', 'X-Extra': 'e' } });
  await c.files.list();
  const auth = 'Bearer sk-transport-test';
  assert.equal(seen.length, 3);
  for (const s of seen.slice(0, 2)) assert.deepEqual(s.init.headers, { 'X-App': 'demo', 'x-trace': 'call-1', 'X-Extra': 'e', Authorization: auth });
  assert.deepEqual(seen[2].init.headers, { 'X-App': 'demo', 'X-Trace': 'default', Authorization: auth });
  // The same name twice in defaultHeaders, in different case: fetch would send `1, 2`; the later one is sent alone.
  const twice = client(() => new Response(LIST), { defaultHeaders: { 'X-A': '1', 'x-a': '2' } });
  await twice.c.files.list();
  assert.deepEqual(twice.seen[0].init.headers, { 'x-a': '2', Authorization: auth });
});

test('an explicit filename wins over the File\'s own name; without one, the File\'s name is sent', async () => {
  const { c, seen } = client(() => new Response(FILE));
  await c.files.create({ file: new File(['abc'], 'from-file.txt'), filename: 'a.jsonl', purpose: 'batch' });
  await c.files.create({ file: new File(['abc'], 'from-file.txt'), purpose: 'batch' });
  assert.deepEqual(seen.map((s) => s.init.body.get('file').name), ['a.jsonl', 'from-file.txt']);
});

test('by default a call makes up to 3 attempts (maxRetries 2), each under its own 600,000 ms timer', async () => {
  const { c, seen } = client(() => new Response('{}', { status: 503, headers: { 'retry-after-ms': '1' } }));
  const delays = [];
  const real = globalThis.setTimeout;
  globalThis.setTimeout = (f, ms, ...rest) => (delays.push(ms), real(f, ms, ...rest));
  let e;
  try {
    e = await c.files.list().catch((e) => e);
  } finally {
    globalThis.setTimeout = real;
  }
  assert.deepEqual([e.kind, e.attempts, seen.length], ['server', 3, 3]);
  assert.deepEqual(delays, [600000, 1, 600000, 1, 600000], 'an attempt timer, the 1 ms wait asked for, and so on');
});

test('with an injected fetch, an upload with progress goes through that fetch, never through XMLHttpRequest', async () => {
  // As in a browser page, where XMLHttpRequest exists and carries progress when the client uses the global fetch.
  let made = 0;
  globalThis.XMLHttpRequest = class {
    constructor() {
      made++;
      throw new Error('XMLHttpRequest used');
    }
  };
  try {
    const { c, seen } = client(() => new Response(FILE));
    const steps = [];
    const f = await c.files.create({ file: new Blob(['abc']), purpose: 'batch', filename: 'a.jsonl' }, { onUploadProgress: (loaded, total) => steps.push([loaded, total]) });
    assert.deepEqual([f.id, seen.length, made], ['f', 1, 0]);
    assert.deepEqual(steps, [[0, 3], [3, 3]]);
  } finally {
    delete globalThis.XMLHttpRequest;
  }
});

test('a hung attempt times out and is retried', async () => {
  const hang = (url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
  const { c, seen } = client(hang, { timeout: 20, maxRetries: 1 });
  const started = Date.now();
  const e = await c.files.list().then(() => assert.fail('resolved'), (e) => e);
  assert.deepEqual([e.kind, e.attempts, e.retryable, e.status], ['timeout', 2, true, null]);
  assert.equal(e.message, 'no complete response within 20 ms');
  assert.equal(seen.length, 2);
  assert.ok(Date.now() - started < 5000);
  // The caller's abort of an attempt in flight is an abort, not that attempt's timeout, even with no retry left.
  const e2 = await c.files.list(undefined, { signal: AbortSignal.timeout(10), timeout: 60000, maxRetries: 0 }).catch((e) => e);
  assert.deepEqual([e2.kind, e2.attempts, e2.retryable], ['aborted', 1, false]);
  assert.equal(e2.message, 'the request was aborted by its signal');
});

test('a pre-aborted signal sends nothing, and an abort during a wait ends it', async () => {
  const busy = () => new Response('busy', { status: 503, headers: { 'retry-after': '30' } });
  const { c, seen } = client(busy);
  const e = await c.files.list(undefined, { signal: AbortSignal.abort('a string reason') }).catch((e) => e);
  assert.deepEqual([e.kind, e.attempts, e.retryable], ['aborted', 0, false]);
  assert.equal(seen.length, 0);
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const started = Date.now();
  const e2 = await c.files.list(undefined, { signal: AbortSignal.timeout(30) }).catch((e) => e);
  assert.deepEqual([e2.kind, e2.attempts], ['aborted', 1]);
  assert.ok(Date.now() - started < 5000, 'the 30 s Retry-After wait was cut short');
  // Its timer too: left pending, it would keep a script's process alive for the rest of the 30 s.
  assert.equal(timers(), before, 'the wait cut short left its timer pending');
});

test('odd fetch behaviour becomes a classified error, and the client still works', async () => {
  const cases = [
    [() => { throw new TypeError('sync throw'); }, 'connection'],
    [() => Promise.reject('a bare string'), 'connection'],
    [() => Promise.reject(undefined), 'connection'],
    [() => 42, 'decode'],
    [() => ({ status: 200, headers: {} }), 'decode'],
    [() => new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } }), 'decode'],
    [() => ({ then() { throw new Error('thenable'); } }), 'connection'],
    [() => ({ status: 200, headers: { get() { throw new Error('hostile headers'); } }, arrayBuffer() {} }), 'connection'],
    // A Response-like object with a status no HTTP response has.
    [() => ({ status: 1200, headers: new Headers(), arrayBuffer: async () => new ArrayBuffer(0) }), 'decode'],
  ];
  for (const [impl, kind] of cases) {
    const { c } = client(impl, { maxRetries: 0 });
    const e = await c.files.list().catch((e) => e);
    assert.equal(e.kind, kind, String(impl));
    assert.equal(e.name, 'LlmFilesError');
  }
  const { c } = client(() => new Response(LIST));
  assert.deepEqual(await c.files.list(), { object: 'list', data: [], has_more: false });
});

test('a runtime without fetch or AbortController gets an unsupported error, not a retry or a crash', async () => {
  const saved = { fetch: globalThis.fetch, AbortController: globalThis.AbortController };
  const calls = [];
  try {
    globalThis.fetch = undefined;
    const c = new LlmFiles({ provider: 'openai', apiKey: 'sk-transport-test', baseURL: 'http://127.0.0.1:9/v1' });
    const e = await c.files.list().catch((e) => e);
    assert.deepEqual([e.kind, e.retryable, e.attempts, e.message], ['unsupported', false, 1, 'this runtime has no global fetch']);
    globalThis.fetch = saved.fetch;
    globalThis.AbortController = undefined;
    const { c: d } = client(() => (calls.push(1), new Response(LIST)));
    const f = await d.files.list().catch((e) => e);
    assert.deepEqual([f.kind, f.retryable, f.attempts, calls.length], ['unsupported', false, 1, 0]);
  } finally {
    Object.assign(globalThis, saved);
  }
  const { c } = client(() => new Response(LIST));
  assert.deepEqual(await c.files.list(), { object: 'list', data: [], has_more: false });
});

test('a header value with a line break, from a Response-like object, cannot pose as another header', async () => {
  // Such a value would otherwise shift the name/value lines the wasm reads: here, a request id posing as a retry hint.
  const headers = { get: (name) => (name === 'x-request-id' ? 'r1\nretry-after\n0' : null) };
  const { c, seen } = client(() => ({ status: 503, headers, arrayBuffer: async () => new TextEncoder().encode('{}').buffer }), { maxRetries: 0 });
  const e = await c.files.list().catch((e) => e);
  assert.deepEqual([e.kind, e.requestId, seen.length], ['server', 'r1 retry-after 0', 1]);
});

test('header values from a Response-like object are read trimmed, as fetch\'s Headers give them', async () => {
  // A duck-typed Response (a polyfill's, a test double's) may keep the spaces around a value.
  const answer = (n) => {
    // 1.2 s, beyond the 0.5 s backoff a value that could not be read would fall back to.
    const headers = { get: (name) => (name === 'retry-after-ms' ? ' 1200 ' : name === 'x-request-id' ? ' r1 ' : null) };
    const body = n < 2 ? '{}' : LIST;
    return { status: n < 2 ? 429 : 200, headers, arrayBuffer: async () => new TextEncoder().encode(body).buffer };
  };
  const at = [];
  const { c } = client((url, init, n) => (at.push(performance.now()), answer(n)));
  assert.deepEqual(await c.files.list(), { object: 'list', data: [], has_more: false });
  assert.ok(at[1] - at[0] >= 1190 && at[1] - at[0] < 2500, `waited ${at[1] - at[0]} ms for ' 1200 '`);
  const { c: once } = client(() => answer(1), { maxRetries: 0 });
  assert.equal((await once.files.list().catch((e) => e)).requestId, 'r1');
});

test('a response body over 16 MiB is refused without being copied into wasm memory, and the client keeps working', async () => {
  const memory = await wasmMemory();
  // A list page as a file served on the wrong route might look: valid JSON, far larger than any file API answers.
  const big = new Uint8Array(17 * 1024 * 1024).fill(0x20);
  big.set(new TextEncoder().encode('{"object":"list","data":[]'));
  big[big.length - 1] = 0x7d;
  const before = memory();
  const { c } = client(() => new Response(big), { maxRetries: 0 });
  const e = await c.files.list().catch((e) => e);
  assert.deepEqual([e.kind, e.message, e.retryable], ['decode', 'the response body is over 16 MiB', false]);
  assert.ok(memory() - before <= 1024 * 1024, `wasm memory grew ${memory() - before} B`);
  const { c: small } = client(() => new Response(LIST));
  assert.deepEqual(await small.files.list(), { object: 'list', data: [], has_more: false });
});

/** What tests/node/exhausted.mjs reports, run in a process of its own (its wasm memory ends at the engine's limit). */
function exhausted(mode) {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('./exhausted.mjs', import.meta.url)), mode], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('when the wasm memory cannot grow to read a body, the call is a decode error, not retried, and later calls work', () => {
  const r = exhausted('answer');
  assert.deepEqual(r.before, { files: 2, fetches: 1 });
  assert.ok(r.pages >= 16384, `the memory reached only ${r.pages} pages`);
  // Before, the engine's RuntimeError read as a connection failure: retried twice, then "failed before a response".
  assert.deepEqual(r.big, { error: 'LlmFilesError', kind: 'decode', provider: 'openai', message: 'the response could not be read: out of memory', retryable: false, attempts: 1, fetches: 1 });
  assert.deepEqual(r.after, { files: 2, fetches: 1 });
  assert.deepEqual([r.construct, r.capabilities], ['nothing', 'nothing'], 'small requests are served from the memory the wasm has');
});

test('with no wasm memory to be had at all, a call, construction and capabilities() fail with an LlmFilesError before any request', () => {
  const r = exhausted('start');
  const refused = { error: 'LlmFilesError', kind: 'decode', provider: 'openai', message: 'internal error (out of memory)', retryable: false, attempts: 0, fetches: 0 };
  assert.deepEqual([r.big, r.after], [refused, refused]);
  // Construction without a baseURL and capabilities() read provider facts from the wasm: the same error, not the
  // engine's RuntimeError.
  const thrown = 'LlmFilesError | decode | moonshot | internal error (out of memory)';
  assert.deepEqual([r.construct, r.capabilities], [thrown, thrown]);
});

test('a body the caller\'s fetch rewrites after the wasm checked it is a decode error, never a raw SyntaxError', async () => {
  const text = JSON.stringify({ object: 'list', data: [JSON.parse(FILE)], has_more: false });
  const seen = new Set();
  // The rewrite lands k microtasks after the body is handed over: before the wasm reads it, between that and
  // JSON.parse, or after both.
  for (let k = 0; k < 30; k++) {
    const arrayBuffer = async () => {
      const b = new TextEncoder().encode(text);
      (async () => {
        for (let i = 0; i < k; i++) await null;
        b.fill(0x78);
      })();
      return b.buffer;
    };
    const { c } = client(() => ({ status: 200, headers: new Headers(), arrayBuffer }), { maxRetries: 0 });
    const r = await c.files.list().catch((e) => e);
    if (r instanceof LlmFilesError) seen.add(`${r.kind}: ${r.message}`);
    else if (r instanceof Error) assert.fail(`rejected with a ${r.constructor.name}: ${r.message}`);
    else seen.add(`${r.data.length} file ${r.data[0].id}`);
  }
  assert.deepEqual([...seen].sort(), ['1 file f', 'decode: openai 200: the response is not valid JSON', 'decode: openai: the response could not be read back']);
});

test('a connection error names the causes fetch gave, bounded, even when they loop or throw', async () => {
  const looped = new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND h.invalid') });
  looped.cause.cause = looped;
  const hostile = new TypeError('fetch failed');
  Object.defineProperty(hostile, 'cause', { get() { throw new Error('trap'); } });
  const cases = [
    [looped, 'fetch failed: getaddrinfo ENOTFOUND h.invalid: fetch failed: getaddrinfo ENOTFOUND h.invalid'],
    [hostile, 'fetch failed'],
    [new TypeError('x'.repeat(100000)), 'network error'],
    [new TypeError('fetch failed', { cause: new Error('y'.repeat(2000)) }), 'fetch failed'],
    [{ cause: { message: 'only a cause' } }, 'only a cause'],
    [new TypeError('fetch failed', { cause: Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:9')], ''), { code: 'ECONNREFUSED' }) }), 'fetch failed: ECONNREFUSED'],
    ['a bare string', 'network error'],
  ];
  for (const [thrown, said] of cases) {
    const { c } = client(() => Promise.reject(thrown), { maxRetries: 0 });
    const e = await c.files.list().catch((e) => e);
    assert.equal(e.kind, 'connection');
    assert.equal(e.message, 'the request failed before a response: ' + said);
  }
});

test('the purposes of a merged listing are asked for side by side, not one after another', async () => {
  let open = 0, most = 0;
  const fetch = async () => {
    most = Math.max(most, ++open);
    await new Promise((r) => setTimeout(r, 20));
    open--;
    return new Response('{"files":[],"base_resp":{"status_code":0,"status_msg":"success"}}');
  };
  const c = new LlmFiles({ provider: 'minimax', apiKey: 'sk-transport-test', baseURL: 'http://127.0.0.1:9', fetch });
  const page = await c.files.list();
  assert.deepEqual(page.data, []);
  assert.equal(most, LlmFiles.capabilities('minimax').purposes.list.length);
});

test('the backoff waits with a real timer', async () => {
  const { c, seen } = client((url, init, n) => (n < 3 ? new Response('{}', { status: 500 }) : new Response(LIST)));
  const started = Date.now();
  await c.files.list();
  const waited = Date.now() - started;
  assert.equal(seen.length, 3);
  // 0.5 s then 1 s, each shortened by at most 25 % jitter.
  assert.ok(waited >= 1100 && waited < 3000, `waited ${waited} ms`);
});

test('a name with a lone surrogate escape, as Python writes undecodable names, does not make a listing unreadable', async () => {
  // JSON.parse accepts `\udcff`, and the wasm checking the page (which reads it as U+FFFD) must too: the file's
  // fields are what JSON.parse made of it, as with any other name.
  const body = '{"object":"list","data":[{"id":"f1","object":"file","bytes":1,"created_at":2,"filename":"r\\udcffsum\\u00e9.pdf","purpose":"file-extract","status":"ok"},'
    + '{"id":"f2","object":"file","bytes":3,"created_at":4,"filename":"\\ud83d\\ude00 \\ud83d.txt","purpose":"file-extract","status":"ok"}]}';
  const c = new LlmFiles({ provider: 'moonshot', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', fetch: async () => new Response(body) });
  const page = await c.files.list();
  assert.deepEqual(page.data.map((f) => [f.id, f.filename, f.raw.filename]), [
    ['f1', 'r\udcffsum\u00e9.pdf', 'r\udcffsum\u00e9.pdf'],
    ['f2', '\u{1f600} \ud83d.txt', '\u{1f600} \ud83d.txt'],
  ]);
  const mm = '{"files":[{"file_id":9007199254740993,"bytes":1,"created_at":5,"filename":"\\udc80.wav","purpose":"voice_clone"}],"base_resp":{"status_code":0}}';
  const m = new LlmFiles({ provider: 'minimax', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', fetch: async () => new Response(mm) });
  const [v] = (await m.files.list({ purpose: 'voice_clone' })).data;
  assert.deepEqual([v.id, v.filename], ['9007199254740993', '\udc80.wav']);
  // An error body with one is read as the provider's error, not as an undecodable page.
  const err = '{"error":{"type":"invalid_request_error","message":"bad name \\udcff"}}';
  const e = new LlmFiles({ provider: 'moonshot', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => new Response(err, { status: 400 }) });
  await assert.rejects(e.files.list(), (x) => x.kind === 'invalid_request' && x.code === 'invalid_request_error' && x.message.includes('bad name \ufffd'));
});

test('a body after a UTF-8 BOM reads as it does with Response.json(): files, exact MiniMax ids, and errors', async () => {
  const bom = (t) => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(t)]);
  const at = (provider, answer, more) => new LlmFiles({ provider, apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => answer(), ...more });
  const list = '{"object":"list","data":[{"id":"f1","object":"file","bytes":1,"created_at":2,"filename":"a.pdf","purpose":"file-extract","status":"ok"}]}';
  const page = await at('moonshot', () => new Response(bom(list))).files.list();
  assert.deepEqual(page.data.map((f) => [f.id, f.filename, f.raw.id]), [['f1', 'a.pdf', 'f1']]);
  const mm = '{"files":[{"file_id":9007199254740993,"bytes":1,"created_at":5,"filename":"v.wav","purpose":"voice_clone"}],"base_resp":{"status_code":0}}';
  const [v] = (await at('minimax', () => new Response(bom(mm))).files.list({ purpose: 'voice_clone' })).data;
  assert.deepEqual([v.id, v.filename], ['9007199254740993', 'v.wav']);
  // MiniMax's errors inside HTTP 200, and an error envelope, are still the provider's errors, their raw parsed.
  const e = await at('minimax', () => new Response(bom('{"base_resp":{"status_code":1004,"status_msg":"auth failed"}}'))).files.list({ purpose: 'voice_clone' }).catch((x) => x);
  assert.deepEqual([e.kind, e.code, e.raw.base_resp.status_code], ['authentication', '1004', 1004]);
  const z = await at('zhipu', () => new Response(bom('{"error":{"code":"1113","message":"no balance"}}'), { status: 429 })).files.list({ purpose: 'batch' }).catch((x) => x);
  assert.deepEqual([z.kind, z.code, z.retryable, z.raw.error.code], ['insufficient_balance', '1113', false, '1113']);
  // Only one BOM is dropped, as the Encoding standard's UTF-8 decode drops it (so do Deno and browsers; Node 20's
  // undici drops a second one too, through a TextDecoder that was not told to keep it).
  const d = await at('openai', () => new Response(new Uint8Array([0xef, 0xbb, 0xbf, ...bom(list)]))).files.list().catch((x) => x);
  assert.equal(d.kind, 'decode');
});

test('the wasm reads a body as JSON exactly when Response.json() does (nesting up to 128 levels)', async () => {
  // Differential: random and mutated JSON texts answered to a retrieve. "not valid JSON" is the wasm's verdict; it
  // must agree with what `Response.json()` does by the standards (one leading BOM dropped, then JSON.parse) on the
  // same bytes, or a page that a plain fetch reads fine would fail (or the reverse).
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 4294967296);
  const below = (n) => Math.floor(rand() * n);
  const pick = (xs) => xs[below(xs.length)];
  const tokens = ['{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '\\u00', '\\ud800', '\\udc00', '\\ud83d\\ude00', '\\x', '\\/', 'null',
    'true', 'nul', '-', '+', '0', '01', '-0', '1.5', '1.', '.5', '1e5', '1E+2', '1e', ' ', '\t', '\n', '\r', '\f', '\u00a0', '\ufeff',
    '"a"', 'é', '😀', '\u0000', '\u001f', '\u007f', '\u2028', 'NaN', 'Infinity', '"k":1'];
  const value = (d) => {
    const r = below(d > 3 ? 4 : 7);
    if (r === 0) return pick([null, true, false, 0, -0, -1.5e-7, 1e300, 2 ** 53 + 1]);
    if (r <= 2) return Array.from({ length: below(5) }, () => pick(['a', 'é', '😀', '"', '\\', '\n', '\u0001', '\u2028', '\ud800'])).join('');
    if (r <= 4) return Array.from({ length: below(4) }, () => value(d + 1));
    return Object.fromEntries(Array.from({ length: below(4) }, () => [pick(['id', 'bytes', 'é', '']), value(d + 1)]));
  };
  const text = () => {
    const k = below(3);
    if (k === 0) return Array.from({ length: below(14) }, () => pick(tokens)).join('');
    let t = JSON.stringify(value(0), null, below(3) ? undefined : pick([1, '\t']));
    for (let m = k === 1 ? 1 + below(3) : 0; m--;) {
      const at = below(t.length + 1);
      t = t.slice(0, at) + (below(3) ? pick(tokens) : '') + t.slice(at + below(2));
    }
    return t;
  };
  const cases = Array.from({ length: 3000 }, text);
  cases.push(`${'['.repeat(128)}1${']'.repeat(128)}`, '"\\ud800\\u12g4"');
  let body;
  const c = new LlmFiles({ provider: 'openai', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => new Response(body) });
  const keep = new TextDecoder('utf-8', { ignoreBOM: true });
  // Stray and cut sequences, overlong forms, a surrogate, past U+10FFFF.
  const BROKEN = [[0xff], [0x80], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0xc3]];
  let broken = 0;
  let valid = 0;
  let boms = 0;
  for (const t of cases) {
    // As sent: UTF-8 bytes (a lone surrogate of the JS string becomes U+FFFD), one in four with bytes that are not
    // UTF-8 put in (inside strings and out), one in ten after a BOM.
    let bytes = new TextEncoder().encode(t);
    if (!below(4)) {
      const at = below(bytes.length + 1);
      bytes = new Uint8Array([...bytes.subarray(0, at), ...pick(BROKEN), ...bytes.subarray(at)]);
      broken++;
    }
    body = below(10) ? bytes : new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    boms += body !== bytes;
    let parses = true;
    try { JSON.parse(keep.decode(body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body)); } catch { parses = false; }
    valid += parses;
    const said = await c.files.retrieve('x').then(() => 'a file', (e) => e.message);
    assert.equal(said.includes('not valid JSON'), !parses, `${JSON.stringify(new TextDecoder().decode(body))}: ${said}`);
  }
  assert.ok(valid > 900 && valid < 2500, `both kinds tried: ${valid} of ${cases.length} valid`);
  assert.ok(boms > 100, `${boms} bodies after a BOM`);
  assert.ok(broken > 500, `${broken} bodies with bytes that are not UTF-8`);
});

test('a listing with a name that is not UTF-8 reads as Response.json() reads it (U+FFFD), not as an undecodable page', async () => {
  // A server passing a name's bytes through unchecked (a GBK name, a UTF-8 one cut mid-character): plain fetch and
  // openai-node read the page, with U+FFFD in that name; so must llm-files, or every listing of the purpose fails.
  const enc = (...parts) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));
  const list = enc('{"object":"list","data":[{"id":"f1","object":"file","bytes":1,"created_at":2,"filename":"', [0xc4, 0xe3, 0xba, 0xc3], '.pdf","purpose":"file-extract","status":"ok"},'
    + '{"id":"f2","object":"file","bytes":3,"created_at":4,"filename":"r\\u00e9sum', [0xe2, 0x82], '.txt","purpose":"file-extract","status":"ok"}]}');
  const expected = await new Response(list).json();
  const c = new LlmFiles({ provider: 'moonshot', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', fetch: async () => new Response(list) });
  const page = await c.files.list({ order: 'asc' });
  assert.deepEqual(page.data.map((f) => [f.id, f.filename, f.raw]), expected.data.map((f) => [f.id, f.filename, f]));
  assert.deepEqual(page.data.map((f) => f.filename), ['\ufffd\ufffd\ufffd.pdf', 'r\u00e9sum\ufffd.txt']);
  // MiniMax's exact ids are still read from such a page.
  const mm = enc('{"files":[{"file_id":9007199254740993,"bytes":1,"created_at":5,"filename":"', [0xff], '.wav","purpose":"voice_clone"}],"base_resp":{"status_code":0}}');
  const m = new LlmFiles({ provider: 'minimax', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', fetch: async () => new Response(mm) });
  const [v] = (await m.files.list({ purpose: 'voice_clone' })).data;
  assert.deepEqual([v.id, v.filename], ['9007199254740993', '\ufffd.wav']);
  // An error body with one is read as the provider's error: its code, and its message with U+FFFD.
  const err = enc('{"error":{"code":"1113","message":"', [0xd3, 0xe0, 0xb6, 0xee], ' no balance"}}');
  const z = new LlmFiles({ provider: 'zhipu', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => new Response(err, { status: 429 }) });
  const e = await z.files.list({ purpose: 'batch' }).catch((x) => x);
  assert.deepEqual([e.kind, e.code, e.retryable, e.raw.error.code], ['insufficient_balance', '1113', false, '1113']);
  // (The wasm writes one U+FFFD per such byte, JS one per broken sequence: 4 here where `raw` has 3.)
  assert.match(e.message, /\[1113\]: \ufffd+ no balance$/);
  assert.equal(e.raw.error.message, '\ufffd\ufffd\ufffd no balance');
  // Outside a string such a byte is still no JSON, for Response.json() too.
  const d = await new LlmFiles({ provider: 'openai', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => new Response(enc('{"data":[]', [0xff], '}')) }).files.list().catch((x) => x);
  assert.equal(d.kind, 'decode');
});

test('each file carries its own provider object as raw, from the body it came from', async () => {
  // MiniMax lists one purpose per request: the merged page takes each raw from its own response.
  const bodies = {
    voice_clone: '{"files":[{"file_id":9007199254740993,"bytes":1,"created_at":5,"filename":"v.mp3","purpose":"voice_clone","extra":"v"}],"base_resp":{"status_code":0}}',
    prompt_audio: '{"files":[{"file_id":"42","bytes":2,"created_at":7,"filename":"p.mp3","purpose":"prompt_audio"}],"base_resp":{"status_code":0}}',
  };
  const fetch = async (url) => new Response(bodies[new URL(url).searchParams.get('purpose')] ?? '{"files":[],"base_resp":{"status_code":0}}');
  const c = new LlmFiles({ provider: 'minimax', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', fetch });
  const page = await c.files.list({ order: 'desc' });
  assert.deepEqual(page.data.map((f) => [f.id, f.filename, f.raw.filename]), [['42', 'p.mp3', 'p.mp3'], ['9007199254740993', 'v.mp3', 'v.mp3']]);
  assert.equal(page.data[1].raw.extra, 'v');
  assert.deepEqual(Object.keys(page.data[0]), ['id', 'object', 'bytes', 'created_at', 'filename', 'purpose', 'provider', 'raw']);
  // A repeated key means what JSON.parse says it means (the last), in the unified fields and in raw alike.
  const dup = '{"id":"first","id":"last","object":"file","bytes":3,"created_at":1,"filename":"a","purpose":null,"status":"ok"}';
  const o = new LlmFiles({ provider: 'openai', apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9', fetch: async () => new Response(dup) });
  const f = await o.files.retrieve('last');
  assert.deepEqual([f.id, f.raw.id, f.purpose, f.status], ['last', 'last', '', 'ok']);
});

test('strings over 16,384 characters are refused before they reach wasm memory or fetch; a File named "" needs a filename; a delete purpose must be a string', async () => {
  const memory = await wasmMemory();
  const { c, seen } = client(() => new Response(LIST));
  await c.files.list();
  const before = memory();
  // 8 Mi characters: copied into wasm memory, they would grow it by up to 24 MiB for good (it never shrinks).
  const huge = 'x'.repeat(8 * 1024 * 1024);
  const calls = [
    () => c.files.retrieve(huge), () => c.files.content(huge), () => c.files.delete(huge), () => c.files.delete('f', { purpose: huge }),
    () => c.files.create({ file: 'a', purpose: huge, filename: 'a.txt' }), () => c.files.create({ file: 'a', purpose: 'batch', filename: huge }),
    () => c.files.list({ after: huge }), () => c.files.list({ purpose: huge }),
  ];
  for (const [i, call] of calls.entries()) {
    const e = await call().then(() => null, (e) => e);
    assert.equal(e?.kind, 'invalid_argument', `call ${i}`);
  }
  assert.equal(memory(), before, 'wasm memory did not grow');
  const e = await c.files.create({ file: new File(['abc'], ''), purpose: 'batch' }).then(() => null, (e) => e);
  assert.equal(e?.message, 'filename is required unless file is a File');
  // A delete's purpose is checked as a string too, not sent as whatever it converts to.
  for (const purpose of [5, '', {}, ['batch']]) {
    const d = await c.files.delete('f', { purpose }).then(() => null, (e) => e);
    assert.equal(d?.kind, 'invalid_argument', JSON.stringify(purpose));
  }
  assert.equal(seen.length, 1, 'nothing sent after the first list');
});

test('a method called off client.files, and capabilities of a name given as bytes, are refused as invalid_argument', async () => {
  const { c, seen } = client(() => new Response(LIST));
  const { list, retrieve } = c.files;
  for (const call of [() => list(), () => retrieve.call({}, 'f')]) {
    const e = await call().then(() => null, (e) => e);
    assert.equal(e?.kind, 'invalid_argument');
    assert.equal(e.message, 'call the methods of client.files on client.files');
  }
  assert.throws(() => LlmFiles.capabilities(new TextEncoder().encode('moonshot')), { kind: 'invalid_argument' });
  assert.equal(seen.length, 0);
});
