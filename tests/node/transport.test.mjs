// The fetch executor (src/transport/fetch.js) with an injected `fetch`: what each attempt sends, timeouts, aborts,
// real waits, and fetch implementations that misbehave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmFiles } from 'llm-files';

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

test('a hung attempt times out and is retried', async () => {
  const hang = (url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
  const { c, seen } = client(hang, { timeout: 20, maxRetries: 1 });
  const started = Date.now();
  const e = await c.files.list().then(() => assert.fail('resolved'), (e) => e);
  assert.deepEqual([e.kind, e.attempts, e.retryable, e.status], ['timeout', 2, true, null]);
  assert.equal(e.message, 'no complete response within 20 ms');
  assert.equal(seen.length, 2);
  assert.ok(Date.now() - started < 5000);
});

test('a pre-aborted signal sends nothing, and an abort during a wait ends it', async () => {
  const busy = () => new Response('busy', { status: 503, headers: { 'retry-after': '30' } });
  const { c, seen } = client(busy);
  const e = await c.files.list(undefined, { signal: AbortSignal.abort('a string reason') }).catch((e) => e);
  assert.deepEqual([e.kind, e.attempts, e.retryable], ['aborted', 0, false]);
  assert.equal(seen.length, 0);
  const started = Date.now();
  const e2 = await c.files.list(undefined, { signal: AbortSignal.timeout(30) }).catch((e) => e);
  assert.deepEqual([e2.kind, e2.attempts], ['aborted', 1]);
  assert.ok(Date.now() - started < 5000, 'the 30 s Retry-After wait was cut short');
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

test('the backoff waits with a real timer', async () => {
  const { c, seen } = client((url, init, n) => (n < 3 ? new Response('{}', { status: 500 }) : new Response(LIST)));
  const started = Date.now();
  await c.files.list();
  const waited = Date.now() - started;
  assert.equal(seen.length, 3);
  // 0.5 s then 1 s, each shortened by at most 25 % jitter.
  assert.ok(waited >= 1100 && waited < 3000, `waited ${waited} ms`);
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
