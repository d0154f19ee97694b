// The Worker proxy in workerd (miniflare), in front of the mock providers: forwarding for every operation of
// every provider, key swapping both ways, auth and CORS refusals, path and method refusals, the size limit,
// and the cron cleanup (dry run and real, a failing listing, a purpose with no documented delete).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { buildWorker, mockBindings } from '../../worker/build.mjs';
import { LlmFiles, LlmFilesError } from 'llm-files';
import { startMock } from '../mock/server.mjs';

const TOKEN = 'client-token-0123456789';
const KEYS = { minimax: 'mm-provider-key-SECRET', moonshot: 'ms-provider-key-SECRET', zhipu: 'zp-provider-key-SECRET', openai: 'oa-provider-key-SECRET' };
const PURPOSE = { minimax: 't2a_async_input', moonshot: 'file-extract', zhipu: 'batch', openai: 'batch' };
const ORIGIN = 'http://app.test';
let mock, dir, mf;

let options;
async function worker(extra = {}) {
  const bindings = mockBindings(mock, KEYS, { CLIENT_TOKEN: TOKEN, ALLOWED_ORIGINS: `${ORIGIN}, http://other.test`, CLEANUP_MAX_AGE_HOURS: '24', CLEANUP_DRY_RUN: 'false', ...extra });
  return new Miniflare({ ...options, bindings });
}

before(async () => {
  mock = await startMock();
  dir = mkdtempSync(join(tmpdir(), 'llm-files-worker-'));
  options = await buildWorker(dir, {});
  mf = await worker();
});
after(async () => {
  await mf?.dispose();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

// The browser's side of the proxy: llm-files with an injected fetch into the Worker. Miniflare's dispatchFetch
// has its own undici and cannot take Node's FormData, so the request is serialized by Node's Request first.
async function browserFetch(url, init) {
  const req = new Request(url, init);
  const headers = Object.fromEntries(req.headers);
  const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : new Uint8Array(await req.arrayBuffer());
  return mf.dispatchFetch(url, { method: req.method, headers: { ...headers, Origin: ORIGIN }, body });
}
const through = (provider, token = TOKEN) => new LlmFiles({
  provider, apiKey: token, baseURL: `http://proxy.test/${provider}`, maxRetries: 0, fetch: browserFetch,
});

for (const provider of Object.keys(KEYS)) {
  test(`${provider}: every operation goes through the proxy with the provider key swapped in`, async () => {
    mock.state.log.length = 0;
    const files = through(provider).files;
    const f = await files.create({ file: 'through the proxy', purpose: PURPOSE[provider], filename: 'p.txt' });
    assert.equal(f.bytes, 17);
    assert.ok((await files.list({ purpose: PURPOSE[provider] })).data.some((x) => x.id === f.id));
    const all = [];
    for await (const x of files.listAll()) all.push(x.id);
    assert.ok(all.includes(f.id));
    assert.equal((await files.retrieve(f.id)).filename, 'p.txt');
    const res = await files.content(f.id);
    assert.equal(await res.text(), 'through the proxy');
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    assert.deepEqual(await files.delete(f.id, { purpose: PURPOSE[provider] }), { id: f.id, object: 'file', deleted: true });
    const seen = mock.state.log.filter((e) => e.provider === provider);
    assert.ok(seen.length >= 6);
    for (const e of seen) {
      assert.equal(e.headers.authorization, `Bearer ${KEYS[provider]}`, 'the provider key is sent');
      assert.ok(!JSON.stringify(e.headers).includes(TOKEN), 'the client token never reaches the provider');
      assert.equal(e.headers.origin, undefined, 'the browser origin is not forwarded');
    }
  });
}

test('errors come back with their request id readable, and never with the provider key', async () => {
  mock.state.faults.push({ provider: 'moonshot', op: 'list', times: 1, fault: { status: 401, body: { error: { type: 'invalid_authentication_error', message: 'bad key' } } } });
  const e = await through('moonshot').files.list().catch((x) => x);
  assert.ok(e instanceof LlmFilesError);
  assert.equal(e.kind, 'authentication');
  assert.match(e.requestId, /^moonshot-req-/);
  const res = await mf.dispatchFetch('http://proxy.test/moonshot/files', { headers: { Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN } });
  const text = await res.text();
  assert.equal(res.headers.get('access-control-expose-headers').includes('Msh-Request-Id'), true);
  for (const k of Object.values(KEYS)) {
    assert.ok(!text.includes(k) && ![...res.headers.values()].some((v) => v.includes(k)), 'no provider key in the answer');
  }
});

test('every request-id header llm-files reads passes the proxy, readable by a browser', async () => {
  // The names llm-files reads (src/providers/mod.rs REQUEST_ID_HEADERS), each sent alone by the provider.
  const names = ['x-log-id', 'minimax-request-id', 'x-mm-request-id', 'alb_request_id', 'x-msh-trace-id', 'ga-traceid'];
  for (const name of names) {
    mock.state.faults.push({ provider: 'minimax', op: 'list', times: 1, fault: { status: 502, headers: { 'Trace-Id': '', [name]: `id-${name}` }, body: 'bad gateway' } });
    const e = await through('minimax').files.list({ purpose: 'voice_clone' }, { maxRetries: 0 }).catch((x) => x);
    assert.equal(e.kind, 'server', name);
    assert.equal(e.requestId, `id-${name}`, name);
  }
  const res = await mf.dispatchFetch('http://proxy.test/minimax/v1/files/list?purpose=voice_clone', { headers: { Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN } });
  await res.arrayBuffer();
  const exposed = res.headers.get('access-control-expose-headers').toLowerCase().split(', ');
  for (const name of names) assert.ok(exposed.includes(name), `${name} is exposed to the page`);
  // The provider's Date too: llm-files dates an upload it looks for by the provider's clock.
  assert.ok(exposed.includes('date') && res.headers.get('date'), 'Date passes, readable by the page');
});

test('a wrong or missing client token is refused before anything is forwarded', async () => {
  mock.state.log.length = 0;
  const e = await through('openai', 'wrong-token').files.list().catch((x) => x);
  assert.equal(e.kind, 'authentication');
  assert.equal(e.status, 401);
  const res = await mf.dispatchFetch('http://proxy.test/openai/files', { headers: { Origin: ORIGIN } });
  assert.equal(res.status, 401);
  assert.equal(mock.state.log.length, 0);
});

test('CORS: preflights from allowed origins are answered; other origins are refused', async () => {
  const ok = await mf.dispatchFetch('http://proxy.test/zhipu/files', { method: 'OPTIONS',
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,x-app' } });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(ok.headers.get('access-control-allow-methods'), /POST/);
  // The headers the page asks to send, its `defaultHeaders` among them: a fixed list would fail the preflight.
  assert.match(ok.headers.get('access-control-allow-headers'), /authorization/);
  assert.match(ok.headers.get('access-control-allow-headers'), /x-app/);
  // The answer depends on Origin: a shared cache must not hand one origin's to another.
  assert.match(ok.headers.get('vary'), /Origin/);
  const listed = await mf.dispatchFetch('http://proxy.test/zhipu/files?purpose=batch', { headers: { Origin: ORIGIN, Authorization: `Bearer ${TOKEN}` } });
  assert.equal(listed.status, 200);
  assert.match(listed.headers.get('vary'), /Origin/);
  await listed.arrayBuffer();
  const evil = await mf.dispatchFetch('http://proxy.test/zhipu/files', { method: 'OPTIONS', headers: { Origin: 'http://evil.test' } });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  mock.state.log.length = 0;
  const evilGet = await mf.dispatchFetch('http://proxy.test/zhipu/files?purpose=batch', { headers: { Origin: 'http://evil.test', Authorization: `Bearer ${TOKEN}` } });
  assert.equal(evilGet.status, 403);
  assert.equal(mock.state.log.length, 0);
});

test('only the file API passes: other paths, methods and providers are refused', async () => {
  mock.state.log.length = 0;
  const auth = { Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN };
  const cases = [
    ['GET', 'http://proxy.test/moonshot/chat/completions', 404],
    ['POST', 'http://proxy.test/openai/chat/completions', 404],
    ['PUT', 'http://proxy.test/moonshot/files', 405],
    ['PATCH', 'http://proxy.test/openai/files/file-1', 405],
    ['GET', 'http://proxy.test/minimax/v1/text/chatcompletion_v2', 404],
    ['DELETE', 'http://proxy.test/minimax/v1/files/delete', 405],
    ['GET', 'http://proxy.test/acme/files', 404],
    ['GET', 'http://proxy.test/constructor/files', 404],
    ['GET', 'http://proxy.test/__proto__/files', 404],
    ['GET', 'http://proxy.test/toString/files', 404],
    ['GET', 'http://proxy.test/moonshot/files/a/b/c', 404],
    ['GET', 'http://proxy.test/moonshot/files/x%2F..%2F..%2Fchat%2Fcompletions', 404],
    ['DELETE', 'http://proxy.test/zhipu/files/x%5c..%5cmodels', 404],
    ['GET', 'http://proxy.test/openai/files/%2e%2e/%2E%2E/models', 404],
  ];
  for (const [method, url, status] of cases) {
    const res = await mf.dispatchFetch(url, { method, headers: auth, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
    assert.equal(res.status, status, `${method} ${url}`);
  }
  assert.equal(mock.state.log.length, 0);
});

test('uploads over the provider limit are refused before forwarding', async () => {
  mock.state.log.length = 0;
  const stored = mock.state.files.moonshot.size;
  // A declared Content-Length over the limit is refused at once (miniflare re-chunks bodies, so this runs the
  // Worker's own handler directly).
  const { proxy } = await import('../../worker/src/index.js');
  const env = { CLIENT_TOKEN: TOKEN, ALLOWED_ORIGINS: ORIGIN, MOONSHOT_API_KEY: KEYS.moonshot, MOONSHOT_BASE_URL: mock.base('moonshot') };
  // Node's Request drops a Content-Length set by hand; the handler only reads url, method, headers and body.
  const declared = { url: 'http://proxy.test/moonshot/files', method: 'POST', body: null,
    headers: new Headers({ Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN, 'Content-Length': String(101 * 1024 * 1024) }) };
  const res = await proxy(declared, env);
  assert.equal(res.status, 413);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(mock.state.log.length, 0, 'nothing was forwarded');
  // A chunked upload in workerd is cut off while streaming: the provider never gets the file. The client sees a
  // 413, or a dropped connection when it is still sending as the answer comes (browsers see the same race).
  const chunked = new ReadableStream({
    start(c) {
      const piece = new Uint8Array(1024 * 1024);
      for (let i = 0; i < 102; i++) c.enqueue(piece);
      c.close();
    },
  });
  const res2 = await mf.dispatchFetch('http://proxy.test/moonshot/files', { method: 'POST', duplex: 'half',
    headers: { Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN, 'Content-Type': 'multipart/form-data; boundary=x' }, body: chunked }).catch((e) => e);
  if (!(res2 instanceof Error)) assert.equal(res2.status, 413);
  assert.equal(mock.state.files.moonshot.size, stored, 'nothing was stored');
  assert.ok(mock.state.log.every((e) => e.bodyBytes <= 100 * 1024 * 1024 + 64 * 1024), 'no more than the limit reached the provider');
});

test('a MiniMax upload for a purpose with no documented limit is not capped by the other purposes\' limits', async () => {
  // voice_clone's 20 MB and video_generation_input's 50 MB say nothing of t2a_async_input: 51 MiB goes through.
  const size = 51 * 1024 * 1024;
  const f = await through('minimax').files.create({ file: new Uint8Array(size), purpose: 't2a_async_input', filename: 'big.zip' });
  assert.equal(f.bytes, size);
  assert.equal(mock.state.files.minimax.get(f.id).bytes, size);
  await through('minimax').files.delete(f.id, { purpose: 't2a_async_input' });
});

test('the cron cleanup deletes files older than the configured age (and only reports them in dry-run)', async () => {
  const direct = new LlmFiles({ provider: 'moonshot', apiKey: 'seed', baseURL: mock.base('moonshot') });
  const old = await direct.files.create({ file: 'old', purpose: 'file-extract', filename: 'old.txt' });
  const fresh = await direct.files.create({ file: 'fresh', purpose: 'file-extract', filename: 'fresh.txt' });
  mock.state.files.moonshot.get(old.id).created_at -= 3 * 24 * 3600;
  // 23 hours old against a 24-hour age: kept.
  mock.state.files.moonshot.get(fresh.id).created_at -= 23 * 3600;
  const dry = await worker({ CLEANUP_DRY_RUN: 'true' });
  try {
    await (await dry.getWorker()).scheduled({ cron: '17 3 * * *', scheduledTime: new Date() });
  } finally {
    await dry.dispose();
  }
  assert.ok(mock.state.files.moonshot.has(old.id), 'dry run deletes nothing');
  await (await mf.getWorker()).scheduled({ cron: '17 3 * * *', scheduledTime: new Date() });
  assert.ok(!mock.state.files.moonshot.has(old.id), 'the old file is gone');
  assert.ok(mock.state.files.moonshot.has(fresh.id), 'the fresh file stays');
  // Gone, so that the later runs with shorter ages do not meet it.
  await direct.files.delete(fresh.id);
});

/** The Worker's cleanup run in Node with `env`, its log lines silenced; then `provider`'s injected faults are dropped. */
async function quietCleanup(env, provider) {
  const { cleanup } = await import('../../worker/src/index.js');
  const log = console.log;
  console.log = () => {};
  try {
    return await cleanup(env);
  } finally {
    console.log = log;
    mock.state.faults = mock.state.faults.filter((f) => f.provider !== provider);
  }
}

test('the cron cleanup goes on past a provider whose listing fails, and the run is marked failed', async () => {
  const direct = new LlmFiles({ provider: 'moonshot', apiKey: 'seed', baseURL: mock.base('moonshot') });
  const old = await direct.files.create({ file: 'old', purpose: 'file-extract', filename: 'old.txt' });
  mock.state.files.moonshot.get(old.id).created_at -= 3 * 24 * 3600;
  // MiniMax, walked first, refuses every listing.
  mock.state.faults.push({ provider: 'minimax', op: 'list', times: 99, fault: { status: 401, body: { base_resp: { status_code: 1004, status_msg: 'auth' } } } });
  let result;
  try {
    result = await (await mf.getWorker()).scheduled({ cron: '17 3 * * *', scheduledTime: new Date() });
  } finally {
    mock.state.faults = mock.state.faults.filter((f) => f.provider !== 'minimax');
  }
  assert.ok(!mock.state.files.moonshot.has(old.id), 'moonshot is still cleaned');
  assert.equal(result.outcome, 'exception', 'the run is marked failed');
  mock.state.faults.push({ provider: 'zhipu', op: 'list', times: 99, fault: { status: 500, body: '<html>down</html>' } });
  const report = await quietCleanup({ CLEANUP_MAX_AGE_HOURS: '24', ZHIPU_API_KEY: KEYS.zhipu, ZHIPU_BASE_URL: mock.base('zhipu'), OPENAI_API_KEY: KEYS.openai,
    OPENAI_BASE_URL: mock.base('openai'), MOONSHOT_API_KEY: KEYS.moonshot, MOONSHOT_BASE_URL: 'ftp://misconfigured.test' }, 'zhipu');
  const failed = report.filter((e) => e.action === 'list failed');
  assert.deepEqual(failed.map((e) => e.provider), ['moonshot', 'zhipu']);
  assert.match(failed[0].error, /^invalid_argument: /);
  assert.match(failed[1].error, /^server: /);
});

test('the cron cleanup reports a MiniMax file of a purpose with no documented delete as not deletable, not failed', async () => {
  const direct = new LlmFiles({ provider: 'minimax', apiKey: 'seed', baseURL: mock.base('minimax') });
  const input = await direct.files.create({ file: 'frame', purpose: 'video_generation_input', filename: 'first.png' });
  const voice = await direct.files.create({ file: 'voice', purpose: 'voice_clone', filename: 'v.mp3' });
  for (const f of [input, voice]) mock.state.files.minimax.get(f.id).created_at -= 3 * 24 * 3600;
  // MiniMax refuses both deletes as invalid parameters (2013): only the purpose it documents a delete for fails.
  mock.state.faults.push({ provider: 'minimax', op: 'delete', times: 2, fault: { minimaxCode: 2013 } });
  const report = await quietCleanup({ CLEANUP_MAX_AGE_HOURS: '24', MINIMAX_API_KEY: KEYS.minimax, MINIMAX_BASE_URL: mock.base('minimax') }, 'minimax');
  const action = (id) => report.find((e) => e.id === id)?.action;
  assert.equal(action(input.id), 'not deletable');
  assert.equal(action(voice.id), 'failed');
  assert.match(report.find((e) => e.id === input.id).error, /^invalid_request: /);
  for (const f of [input, voice]) await direct.files.delete(f.id, { purpose: f.purpose });
});

test('the cron cleanup reports a file gone before its delete as already gone, not failed', async () => {
  const direct = new LlmFiles({ provider: 'moonshot', apiKey: 'seed', baseURL: mock.base('moonshot') });
  const gone = await direct.files.create({ file: 'a', purpose: 'file-extract', filename: 'gone.txt' });
  const old = await direct.files.create({ file: 'b', purpose: 'file-extract', filename: 'old.txt' });
  for (const f of [gone, old]) mock.state.files.moonshot.get(f.id).created_at -= 3 * 24 * 3600;
  // The first delete finds its file already deleted (Moonshot's 404); a refusal of the second still fails.
  mock.state.faults.push({ provider: 'moonshot', op: 'delete', times: 1, fault: { status: 404, body: { error: { type: 'resource_not_found_error', message: 'file not found' } } } });
  mock.state.faults.push({ provider: 'moonshot', op: 'delete', times: 9, fault: { status: 400, body: { error: { type: 'invalid_request_error', message: 'refused' } } } });
  const report = await quietCleanup({ CLEANUP_MAX_AGE_HOURS: '24', MOONSHOT_API_KEY: KEYS.moonshot, MOONSHOT_BASE_URL: mock.base('moonshot') }, 'moonshot');
  // Whichever of the two is deleted first meets the 404.
  assert.deepEqual(report.map((e) => e.id).sort(), [gone.id, old.id].sort(), 'only these two are old');
  assert.deepEqual(report.map((e) => [e.action, e.error.split(':')[0]]), [['already gone', 'not_found'], ['failed', 'invalid_request']]);
  for (const f of [gone, old]) await direct.files.delete(f.id);
});

test('the proxy forwards Accept, hands back Content-Disposition, caps a declared length at the limit exactly, and answers 503 for a provider without a key', async () => {
  const { proxy } = await import('../../worker/src/index.js');
  const env = { CLIENT_TOKEN: TOKEN, ALLOWED_ORIGINS: ORIGIN, MOONSHOT_API_KEY: KEYS.moonshot, MOONSHOT_BASE_URL: 'http://upstream.test/v1' };
  const headers = (h) => new Headers({ Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN, ...h });
  const sent = [];
  const real = globalThis.fetch;
  // The upstream, stubbed: these headers are the Worker's own choices, whatever a mock provider sends.
  globalThis.fetch = async (url, init) => (sent.push({ url, init }), new Response('bytes', { headers: { 'Content-Disposition': 'attachment; filename="a.txt"' } }));
  try {
    const res = await proxy({ url: 'http://proxy.test/moonshot/files/f1/content', method: 'GET', body: null, headers: headers({ Accept: 'application/binary' }) }, env);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="a.txt"');
    assert.equal(sent[0].init.headers.get('accept'), 'application/binary');
    // Moonshot's 100 MB plus 64 KiB of multipart framing is the most a declared upload may be.
    const max = 100 * 1024 * 1024 + 64 * 1024;
    const upload = (length) => proxy({ url: 'http://proxy.test/moonshot/files', method: 'POST', body: null, headers: headers({ 'Content-Length': String(length) }) }, env);
    assert.equal((await upload(max)).status, 200);
    assert.equal((await upload(max + 1)).status, 413);
    // MAX_UPLOAD_BYTES replaces the provider's limit (plus the same framing).
    env.MAX_UPLOAD_BYTES = '1000';
    assert.equal((await upload(1000 + 64 * 1024 + 1)).status, 413);
    delete env.MAX_UPLOAD_BYTES;
    const unconfigured = await proxy({ url: 'http://proxy.test/zhipu/files?purpose=batch', method: 'GET', body: null, headers: headers({}) }, env);
    assert.equal(unconfigured.status, 503);
    assert.equal(sent.length, 2, 'only the download and the upload at the limit went out');
  } finally {
    globalThis.fetch = real;
  }
});

test('the cron cleanup takes a per-provider age over the general one, skips a provider with no age, and deletes MiniMax files by their listed purpose', async () => {
  const moonshot = new LlmFiles({ provider: 'moonshot', apiKey: 'seed', baseURL: mock.base('moonshot') });
  const minimax = new LlmFiles({ provider: 'minimax', apiKey: 'seed', baseURL: mock.base('minimax') });
  const a = await moonshot.files.create({ file: 'a', purpose: 'file-extract', filename: 'two-hours.txt' });
  const b = await minimax.files.create({ file: 'b', purpose: 'voice_clone', filename: 'two-hours.mp3' });
  mock.state.files.moonshot.get(a.id).created_at -= 2 * 3600;
  mock.state.files.minimax.get(b.id).created_at -= 2 * 3600;
  mock.state.log.length = 0;
  const report = await quietCleanup({ CLEANUP_MAX_AGE_HOURS: '24', CLEANUP_MAX_AGE_HOURS_MOONSHOT: '1', CLEANUP_MAX_AGE_HOURS_MINIMAX: '1', MOONSHOT_API_KEY: KEYS.moonshot,
    MOONSHOT_BASE_URL: mock.base('moonshot'), MINIMAX_API_KEY: KEYS.minimax, MINIMAX_BASE_URL: mock.base('minimax') }, 'moonshot');
  assert.deepEqual(report.map((e) => [e.id, e.action]).sort(), [[a.id, 'deleted'], [b.id, 'deleted']].sort());
  assert.ok(!mock.state.log.some((e) => e.op === 'retrieve'), 'the purpose came from the listing, not a lookup');
  // Without any age configured a provider is left alone: not even listed.
  mock.state.log.length = 0;
  assert.deepEqual(await quietCleanup({ OPENAI_API_KEY: KEYS.openai, OPENAI_BASE_URL: mock.base('openai') }, 'openai'), []);
  assert.equal(mock.state.log.length, 0);
});

test('a configured base URL ending in a slash forwards to the same paths as one without', async () => {
  const slashed = await worker({ MOONSHOT_BASE_URL: `${mock.base('moonshot')}/` });
  try {
    mock.state.log.length = 0;
    const res = await slashed.dispatchFetch('http://proxy.test/moonshot/files', { headers: { Origin: ORIGIN, Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).object, 'list');
    assert.equal(mock.state.log.length, 1);
  } finally {
    await slashed.dispose();
  }
});

test('a provider key the provider echoes is cut from every answer but a file being downloaded', async () => {
  const { proxy } = await import('../../worker/src/index.js');
  // A key with the characters JSON escapes: `/` (as `\/` by PHP), `"` and `\`.
  const key = 'ms/provider"key\\SECRET';
  const env = { CLIENT_TOKEN: TOKEN, ALLOWED_ORIGINS: ORIGIN, MOONSHOT_API_KEY: key, MOONSHOT_BASE_URL: 'http://upstream.test/v1' };
  let answer;
  const real = globalThis.fetch;
  globalThis.fetch = async () => answer();
  const call = (path) => proxy({ url: `http://proxy.test/moonshot${path}`, method: 'GET', body: null, headers: new Headers({ Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN }) }, env);
  try {
    const echoes = ['ms/provider\\"key\\\\SECRET', 'ms\\/provider\\"key\\\\SECRET', '\\u006ds\\u002Fprovider\\u0022key\\u005cSECRET'];
    for (const echo of echoes) {
      for (const [path, status] of [['/files', 401], ['/files', 200], ['/files/f1/content', 404]]) {
        const body = `{"error":{"type":"invalid_authentication_error","message":"Incorrect API key provided: ${echo}"}}`;
        answer = () => new Response(body, { status, headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'x-msh-trace-id': `t ${key}`, 'Msh-Request-Id': 'r1' } });
        const res = await call(path);
        const text = await res.text();
        assert.equal(res.status, status);
        assert.ok(!text.includes(key) && !JSON.stringify(JSON.parse(text)).includes(JSON.stringify(key).slice(1, -1)), `${echo} at ${path}: ${text}`);
        assert.equal(JSON.parse(text).error.message, 'Incorrect API key provided: [redacted]');
        assert.equal(res.headers.get('x-msh-trace-id'), null, 'a header holding the key is dropped');
        assert.equal(res.headers.get('msh-request-id'), 'r1');
        assert.equal(res.headers.get('content-length'), null, 'no stale length');
      }
    }
    // An answer without the key goes back byte for byte (BOM, bytes that are not UTF-8 and all), its type untouched.
    const plain = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"object":"list","data":[],"note":"é ✓ \\u0041 '), 0xff, 0xc3, 0x22, 0x7d]);
    for (const type of ['application/json', undefined]) {
      answer = () => new Response(plain, { headers: type ? { 'content-type': type } : {} });
      const res = await call('/files');
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), plain);
      assert.equal(res.headers.get('content-type'), type ?? null);
    }
    // A file being downloaded streams as it is, whatever it holds.
    answer = () => new Response(`file text ${key}`, { headers: { 'content-type': 'text/plain' } });
    assert.equal(await (await call('/files/f1/content')).text(), `file text ${key}`);
    // No body (a 204) stays none; an answer cut off mid-body reads as a gateway error, which llm-files retries.
    answer = () => new Response(null, { status: 204 });
    assert.equal((await call('/files')).status, 204);
    answer = () => new Response(new ReadableStream({ pull: (c) => c.error(new Error('reset')) }), { status: 200 });
    assert.equal((await call('/files')).status, 502);
  } finally {
    globalThis.fetch = real;
  }
});

test('a MiniMax download answered as JSON or untyped is read as the error at HTTP 200 it may be; a longer one, or a typed one, streams untouched', async () => {
  const { proxy } = await import('../../worker/src/index.js');
  const key = 'mm/provider-key-SECRET';
  const env = { CLIENT_TOKEN: TOKEN, MINIMAX_API_KEY: key, MINIMAX_BASE_URL: 'http://upstream.test' };
  let answer;
  const real = globalThis.fetch;
  globalThis.fetch = async () => answer();
  const call = () => proxy({ url: 'http://proxy.test/minimax/v1/files/retrieve_content?file_id=1', method: 'GET', body: null, headers: new Headers({ Authorization: `Bearer ${TOKEN}` }) }, env);
  const bytes = (t) => new TextEncoder().encode(t);
  try {
    // MiniMax's error at HTTP 200, echoing the key (escaped as PHP writes `/`), typed as JSON or not typed at all.
    const error = `{"base_resp":{"status_code":1004,"status_msg":"login fail: ${key.replaceAll('/', '\\/')}"}}`;
    for (const headers of [{ 'content-type': 'application/json; charset=utf-8', 'content-length': String(error.length) }, {}]) {
      answer = () => new Response(bytes(error), { headers });
      const res = await call();
      const text = await res.text();
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(text), { base_resp: { status_code: 1004, status_msg: 'login fail: [redacted]' } }, text);
      assert.equal(res.headers.get('content-length'), null, 'no stale length');
    }
    // A JSON file without the key comes back byte for byte.
    answer = () => new Response(bytes('{"a":"x\\/y"}'), { headers: { 'content-type': 'application/json' } });
    assert.equal(await (await call()).text(), '{"a":"x\\/y"}');
    // A typed file (generated audio) streams untouched, whatever it holds.
    answer = () => new Response(bytes(`ID3 ${key}`), { headers: { 'content-type': 'audio/mpeg' } });
    assert.equal(await (await call()).text(), `ID3 ${key}`);
    // Longer than any error (64 KiB): the file, streamed on in full, in pieces as it came, its length kept.
    const piece = 'x'.repeat(40000);
    const long = `[${JSON.stringify(key)},"${piece}","${piece}","${piece}"]`;
    answer = () => new Response(new ReadableStream({
      start(c) {
        for (let i = 0; i < long.length; i += 30000) c.enqueue(bytes(long.slice(i, i + 30000)));
        c.close();
      },
    }), { headers: { 'content-type': 'application/json', 'content-length': String(long.length) } });
    const res = await call();
    assert.equal(res.headers.get('content-length'), String(long.length));
    assert.equal(await res.text(), long);
    // Broken off before 64 KiB: a gateway error, as for any other answer read; broken off later: the stream errors.
    const breaking = (n) => () => {
      let sent = false;
      return new Response(new ReadableStream({
        pull(c) {
          if (sent) c.error(new Error('reset'));
          else c.enqueue(bytes('x'.repeat(n)));
          sent = true;
        },
      }), { headers: { 'content-type': 'application/json' } });
    };
    answer = breaking(100);
    assert.equal((await call()).status, 502);
    answer = breaking(70000);
    const late = await call();
    assert.equal(late.status, 200);
    await assert.rejects(late.arrayBuffer());
  } finally {
    globalThis.fetch = real;
  }
});

test('through workerd, an error echoing the provider key reaches llm-files without it', async () => {
  mock.state.faults.push({ provider: 'openai', op: 'list', times: 1, fault: { status: 401, body: { error: { type: 'invalid_request_error', code: 'invalid_api_key', message: `Incorrect API key provided: ${KEYS.openai}` } } } });
  const e = await through('openai').files.list().catch((x) => x);
  assert.equal(e.kind, 'authentication');
  assert.equal(e.raw.error.message, 'Incorrect API key provided: [redacted]');
  for (const t of [e.message, JSON.stringify(e), e.stack]) assert.ok(!t.includes(KEYS.openai), t);
});

test('through workerd, a MiniMax download answered as a JSON error at HTTP 200 reaches llm-files without the key; a long JSON file streams whole', async () => {
  mock.state.faults.push({ provider: 'minimax', op: 'content', times: 1, fault: { status: 200, body: { base_resp: { status_code: 1004, status_msg: `login fail: ${KEYS.minimax}` } } } });
  const e = await through('minimax').files.content('1').catch((x) => x);
  assert.equal(e.kind, 'authentication');
  assert.equal(e.raw.base_resp.status_msg, 'login fail: [redacted]');
  for (const t of [e.message, JSON.stringify(e), e.stack]) assert.ok(!t.includes(KEYS.minimax), t);
  // Past 64 KiB the proxy streams it on as it came; llm-files sees a file, not an error.
  const long = { base_resp: { status_code: 0 }, data: 'x'.repeat(100000) };
  mock.state.faults.push({ provider: 'minimax', op: 'content', times: 1, fault: { status: 200, body: long } });
  const res = await through('minimax').files.content('1');
  assert.deepEqual(await res.json(), long);
});

test('through workerd, a download the provider sent gzip-encoded reaches the browser whole: fetch decoded it, so its encoded length is not passed on', async () => {
  const text = 'extracted text, long enough to shrink when compressed. '.repeat(200);
  const gz = gzipSync(text);
  // A provider (or its CDN) compressing its answers: workerd's fetch decodes the body but keeps the headers as sent.
  const upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip', 'content-length': String(gz.length) });
    res.end(gz);
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const w = await worker({ MOONSHOT_BASE_URL: `http://127.0.0.1:${upstream.address().port}/v1` });
  try {
    for (const path of ['/moonshot/files/f1/content', '/moonshot/files']) {
      const res = await w.dispatchFetch(`http://proxy.test${path}`, { headers: { Authorization: `Bearer ${TOKEN}`, Origin: ORIGIN, 'Accept-Encoding': 'identity' } });
      assert.equal(res.status, 200, path);
      assert.notEqual(res.headers.get('content-length'), String(gz.length), `${path}: the encoded length passed on`);
      assert.equal(await res.text(), text, path);
    }
  } finally {
    await w.dispose();
    await new Promise((r) => upstream.close(r));
  }
  // workerd's answer carries no such length; a fetch that keeps it, as Node's does (the Fetch standard leaves the headers as
  // sent), must not have it passed on either: the browser would cut the decoded body at the encoded length.
  const { proxy } = await import('../../worker/src/index.js');
  const real = globalThis.fetch;
  globalThis.fetch = async () => new Response(text, { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': String(gz.length) } });
  try {
    const res = await proxy({ url: 'http://proxy.test/moonshot/files/f1/content', method: 'GET', body: null, headers: new Headers({ Authorization: `Bearer ${TOKEN}` }) }, { CLIENT_TOKEN: TOKEN, MOONSHOT_API_KEY: KEYS.moonshot });
    assert.equal(res.headers.get('content-length'), null);
    assert.equal(await res.text(), text);
  } finally {
    globalThis.fetch = real;
  }
});

