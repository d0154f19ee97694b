// A seeded fuzz of the Worker proxy's handler, called directly with a stubbed upstream fetch: random requests (paths
// with encoded separators and dot segments, methods, tokens, origins, declared lengths) and random provider answers
// (the key echoed with any mix of JSON escapes, in headers, as a property name, in duplicate properties; broken-off
// and empty bodies). Whatever comes, the handler answers, forwards only file-API routes with only the provider key,
// and no answer but a file being downloaded holds the key in any form a reader could decode (a MiniMax download
// answered as JSON or untyped may be an error at HTTP 200, so it counts as an answer).
// PROXY_FUZZ_SEED and PROXY_FUZZ_N pick another run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxy } from '../../worker/src/index.js';

const SEED = Number(process.env.PROXY_FUZZ_SEED ?? 1);
const N = Number(process.env.PROXY_FUZZ_N ?? 2000);
const TOKEN = 'client-token-0123456789';
const ORIGIN = 'http://app.test';
const BASE = 'http://upstream.test/base';
const PROVIDERS = ['minimax', 'moonshot', 'zhipu', 'openai'];

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every JSON escape undone, wherever it stands: what a reader parsing any part of a body as JSON could see. */
const unescape = (s) => s.replace(/\\(?:u([0-9a-fA-F]{4})|([\s\S]))/g, (_, h, c) => (h ? String.fromCharCode(parseInt(h, 16)) : ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' })[c] ?? c));

/** The file API's routes, written out from providers.md apart from the proxy's own table. */
function isFileRoute(provider, method, path) {
  if (provider === 'minimax') {
    const op = /^\/v1\/files\/([a-z_]+)$/.exec(path)?.[1];
    return ({ upload: 'POST', list: 'GET', retrieve: 'GET', retrieve_content: 'GET', delete: 'POST' })[op] === method;
  }
  if (path === '/files') return method === 'GET' || method === 'POST';
  const m = /^\/files\/([^/]+)(\/content)?$/.exec(path);
  if (!m || /%2f|%5c/i.test(m[1]) || /^(\.|%2e){1,2}$/i.test(m[1])) return false;
  return m[2] ? method === 'GET' : method === 'GET' || method === 'DELETE';
}

test(`random requests and provider answers: the proxy always answers, forwards only file routes, never leaks the key (seed ${SEED}, ${N} rounds)`, async () => {
  const r = rng(SEED);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const real = globalThis.fetch;
  let calls = 0;
  let downloads = 0;
  let echoes = 0;
  try {
    for (let i = 0; i < N; i++) {
      // A key with the characters JSON escapes, or an ordinary one.
      const key = pick(['sk-provider/key"SECRET\\x', 'sk-plainKEY0123456789', 'a/b/c/d-SECRET', 'q"q\\q/SECRET']);
      // Most rounds are requests a browser app would send (a file route, the right token, an allowed origin or none),
      // so that most reach the upstream; the others are anything.
      const valid = r() < 0.7;
      const provider = valid ? pick(PROVIDERS) : pick([...PROVIDERS, 'acme', '__proto__', 'constructor', '']);
      const env = { CLIENT_TOKEN: TOKEN, ALLOWED_ORIGINS: `${ORIGIN}, http://b.test`, MAX_UPLOAD_BYTES: pick([undefined, '1000']) };
      for (const p of PROVIDERS) if (r() < 0.9) Object.assign(env, { [`${p.toUpperCase()}_API_KEY`]: key, [`${p.toUpperCase()}_BASE_URL`]: BASE + pick(['', '/']) });
      const id = valid && r() < 0.7 ? pick(['f1', '123', 'file-abc']) : pick(['a%2Fb', 'a%5cb', '%2e%2e', '.%2E', '..', '.', 'x?y=1', 'é', 'a b', '%00']);
      const routes = provider === 'minimax'
        ? [['POST', '/v1/files/upload'], ['GET', '/v1/files/list'], ['GET', '/v1/files/retrieve'], ['GET', '/v1/files/retrieve_content'], ['POST', '/v1/files/delete']]
        : [['GET', '/files'], ['POST', '/files'], ['GET', `/files/${id}`], ['DELETE', `/files/${id}`], ['GET', `/files/${id}/content`]];
      const [method, path] = valid ? pick(routes) : [pick(['GET', 'POST', 'DELETE', 'OPTIONS', 'PUT', 'PATCH']), pick(['/files', `/files/${id}`,
        `/files/${id}/content`, `/files/${id}/x`, '/v1/files/upload', '/v1/files/retrieve_content', '/v1/files/delete', '/v1/files/other',
        '/chat/completions', `/v1/files/${id}`, ''])];
      const url = `http://proxy.test/${provider}${path}${pick(['', '?purpose=batch', '?file_id=1&x=%2F'])}`;
      const token = valid ? TOKEN : pick([TOKEN, 'wrong', '', `${TOKEN}x`]);
      const origin = valid ? pick([ORIGIN, null]) : pick([ORIGIN, null, 'http://evil.test']);
      const headers = new Headers({ Cookie: 'session=1' });
      if (token) headers.set('Authorization', `Bearer ${token}`);
      if (origin) headers.set('Origin', origin);
      if (r() < 0.3) headers.set('Content-Length', String(pick([0, 10, 2e9])));
      const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? new Response('x'.repeat(pick([0, 10, 5000]))).body : null;

      // The provider's answer: the key echoed (or not) with each character written as it is or JSON-escaped.
      const escapeChar = (c) => {
        const u = `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
        if (c === '"' || c === '\\') return pick([`\\${c}`, u, u.toUpperCase().replace('\\U', '\\u')]);
        if (c === '/') return pick(['/', '\\/', u]);
        return pick([c, c, c, u]);
      };
      const echo = [...key].map(escapeChar).join('');
      const status = pick([200, 200, 201, 204, 400, 401, 404, 429, 500, 502]);
      const shape = pick(['message', 'property', 'duplicate', 'text', 'none', 'broken', 'null']);
      const text = {
        message: `{"error":{"type":"invalid_authentication_error","message":"Incorrect API key provided: ${echo}"}}`,
        property: `{"${echo}":1,"object":"list","data":[]}`,
        duplicate: `{"error":{"message":"${echo}","message":"ok"}}`,
        text: `<html>bad key ${key}</html>`,
        none: '{"object":"list","data":[],"has_more":false,"url":"https:\\/\\/x"}',
        broken: '',
        null: '',
      }[shape];
      if (shape !== 'none') echoes++;
      const type = pick(['application/json', 'text/html', 'application/octet-stream', undefined]);
      const upstreamHeaders = { 'Trace-Id': pick(['t1', `t ${key}`, `t ${echo}`]), 'x-request-id': 'r1', ...(type && { 'content-type': type }) };
      let sent;
      globalThis.fetch = async (u, init) => {
        sent = { url: String(u), headers: new Headers(init.headers), method: init.method };
        calls++;
        if (r() < 0.05) throw new TypeError('fetch failed');
        const nullBody = status === 204 || shape === 'null';
        // As bytes, so that an untyped answer stays untyped (a string body would be typed text/plain).
        const b = shape === 'broken' ? new ReadableStream({ start: (c) => { c.enqueue(new TextEncoder().encode('{"error":')); c.error(new Error('reset')); } }) : new TextEncoder().encode(text);
        return new Response(nullBody ? null : b, { status: nullBody && status !== 204 ? 200 : status, headers: upstreamHeaders });
      };
      sent = undefined;
      const what = `round ${i}: ${method} ${url} token=${token === TOKEN} origin=${origin} shape=${shape} status=${status}`;
      const res = await proxy({ url, method, headers, body }, env);
      assert.ok(res instanceof Response, what);
      // A file being downloaded streams unread, but for a MiniMax one answered as JSON or untyped: that may be an error
      // at HTTP 200, read as every other answer is (these are all far shorter than the 64 KiB an error could reach).
      const isDownload = sent && /\/files\/[^/]+\/content$|\/v1\/files\/retrieve_content$/.test(new URL(sent.url).pathname) && status >= 200 && status < 300
        && !(provider === 'minimax' && (type === undefined || type === 'application/json'));
      let outText;
      try {
        outText = new TextDecoder().decode(await res.arrayBuffer());
      } catch (e) {
        // Only a download streams unread, so only its body can break off on the way to the browser.
        assert.ok(isDownload && shape === 'broken', `${what}: reading the answer threw ${e}`);
        outText = '';
      }

      if (sent) {
        const known = PROVIDERS.includes(provider);
        assert.ok(known && method !== 'OPTIONS' && token === TOKEN && origin !== 'http://evil.test', `${what}: forwarded a request it should have refused`);
        assert.ok(sent.url.startsWith(`${BASE}/`), `${what}: sent to ${sent.url}`);
        const upstreamPath = new URL(sent.url).pathname.slice(new URL(BASE).pathname.length);
        assert.ok(isFileRoute(provider, method, upstreamPath), `${what}: forwarded to ${method} ${upstreamPath}`);
        assert.equal(sent.headers.get('authorization'), `Bearer ${key}`, what);
        for (const h of ['cookie', 'origin']) assert.equal(sent.headers.get(h), null, `${what}: forwarded ${h}`);
        for (const [, v] of sent.headers) if (v !== `Bearer ${key}`) assert.ok(!v.includes(TOKEN), `${what}: forwarded the client token`);
      } else if (token !== TOKEN && method !== 'OPTIONS' && PROVIDERS.includes(provider) && origin !== 'http://evil.test') {
        assert.equal(res.status, 401, what);
      }
      if (origin === 'http://evil.test') assert.equal(res.status, 403, what);

      for (const [h, v] of res.headers) assert.ok(!v.includes(key) && !unescape(v).includes(key), `${what}: header ${h} holds the key`);
      if (isDownload && res.status === status) {
        downloads++;
        // A file being downloaded is the file's bytes, untouched.
        if (shape !== 'null' && shape !== 'broken' && status !== 204) assert.equal(outText, text, what);
      } else {
        assert.ok(!outText.includes(key) && !unescape(outText).includes(key), `${what}: the answer holds the key: ${outText}`);
      }
    }
  } finally {
    globalThis.fetch = real;
  }
  // The run reached the paths it is for.
  assert.ok(calls > N / 10 && downloads > 0 && echoes > N / 2, `calls ${calls}, downloads ${downloads}, echoes ${echoes}`);
});

test('a key echoed with only some of its `/` escaped, in a property JSON.parse drops, or escaped in a page that is not JSON, is cut or withheld', async () => {
  const key = 'sk-a/b/c-SECRET';
  const env = { CLIENT_TOKEN: TOKEN, OPENAI_API_KEY: key, OPENAI_BASE_URL: BASE };
  const real = globalThis.fetch;
  let answer;
  globalThis.fetch = async () => answer();
  const call = () => proxy({ url: 'http://proxy.test/openai/files', method: 'GET', body: null, headers: new Headers({ Authorization: `Bearer ${TOKEN}` }) }, env);
  try {
    const cases = [
      [401, 'application/json', '{"error":{"message":"bad key sk-a\\/b/c-SECRET"}}', { error: { message: 'bad key [redacted]' } }],
      [401, 'application/json', '{"error":{"message":"sk-a/b\\/c-SECRET","message":"bad key"}}', { error: { message: 'bad key' } }],
      [200, 'application/json', '{"object":"list","data":[],"sk-a\\/b/c-SECRET":1}', { object: 'list', data: [], '[redacted]': 1 }],
      [502, 'text/html', '<p>bad key sk-a\\/b\\u002fc-SECRET</p>', '<p>bad key [redacted]</p>'],
    ];
    for (const [status, type, body, expected] of cases) {
      answer = () => new Response(body, { status, headers: { 'content-type': type } });
      const res = await call();
      const text = await res.text();
      assert.equal(res.status, status, body);
      assert.deepEqual(type === 'text/html' ? text : JSON.parse(text), expected, body);
    }
    // In a page that is not JSON, once escaped and once escaped twice: the key again once its escapes are undone, so
    // the answer is withheld, its status kept (a 2xx becomes a 502: the proxy could not pass it on).
    for (const [status, sent] of [[401, 401], [200, 502]]) {
      answer = () => new Response('<p>sk-a\\/b/c-SECRET, \\\\u0073k-a/b/c-SECRET</p>', { status, headers: { 'content-type': 'text/html' } });
      const res = await call();
      assert.equal(res.status, sent);
      assert.match((await res.json()).error.message, /withheld/);
    }
  } finally {
    globalThis.fetch = real;
  }
});
