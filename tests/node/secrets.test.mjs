// The key never reaches console output, and the shipped code never logs at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlmFiles } from 'llm-files';
import { mock, client, fault, rejection, assertNoKey, PROVIDERS, PURPOSE, KEY } from './helpers.mjs';

test('the shipped JavaScript never writes to the console', () => {
  const pkg = fileURLToPath(new URL('../../pkg/', import.meta.url));
  const files = [];
  const walk = (d) => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.(c?js)$/.test(e.name) && files.push(join(d, e.name))));
  walk(pkg);
  assert.ok(files.length >= 4);
  // The loader (js/wasm.js) included: no console call anywhere, so nothing a request carried can be printed.
  for (const f of files) assert.deepEqual(readFileSync(f, 'utf8').match(/console\.\w+\(/g) ?? [], [], f);
});

test('a client shows no key when printed or serialised, and its files cannot be swapped out', async () => {
  const { inspect } = await import('node:util');
  const c = new LlmFiles({ provider: 'moonshot', apiKey: KEY });
  for (const text of [inspect(c, { showHidden: true, depth: 10 }), inspect(c.files, { showHidden: true, depth: 10 }), JSON.stringify(c), String(Object.entries(c))]) {
    assert.ok(!text.includes(KEY), text);
  }
  assert.deepEqual(Object.keys(c), ['files']);
  const files = c.files;
  assert.throws(() => { c.files = {}; }, TypeError);
  assert.equal(c.files, files);
});

test('failing calls of every kind print nothing with the key, and their errors carry none', async (t) => {
  const m = await mock(t);
  const captured = [];
  const originals = {};
  for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    originals[k] = console[k];
    console[k] = (...a) => captured.push(a.map(String).join(' '));
  }
  const writes = [process.stdout.write, process.stderr.write];
  process.stdout.write = (c, ...r) => (captured.push(String(c)), writes[0].call(process.stdout, c, ...r));
  process.stderr.write = (c, ...r) => (captured.push(String(c)), writes[1].call(process.stderr, c, ...r));
  try {
    for (const provider of PROVIDERS) {
      const bad = new LlmFiles({ provider, apiKey: `invalid-${KEY}`, baseURL: m.base(provider) });
      assertNoKey(assert, await rejection(bad.files.list({ purpose: PURPOSE[provider] })));
      const c = client(m, provider, { maxRetries: 0, timeout: 100 });
      fault(m, { provider, op: 'list', fault: { status: 400, body: { error: { message: `key was ${KEY}`, type: 'invalid_request_error', code: KEY } } } });
      assertNoKey(assert, await rejection(c.files.list({ purpose: PURPOSE[provider] })));
      fault(m, { provider, op: 'list', fault: { status: 500, headers: { 'x-request-id': KEY, 'trace-id': KEY, 'msh-request-id': KEY }, body: KEY } });
      assertNoKey(assert, await rejection(c.files.list({ purpose: PURPOSE[provider] })));
      fault(m, { provider, op: 'list', fault: { hang: true } });
      assertNoKey(assert, await rejection(c.files.list({ purpose: PURPOSE[provider] })));
      assertNoKey(assert, await rejection(c.files.list({ purpose: PURPOSE[provider] }, { signal: AbortSignal.abort(KEY) })));
      assertNoKey(assert, await rejection(c.files.create({ file: 'x', purpose: KEY })));
    }
    const refused = new LlmFiles({ provider: 'openai', apiKey: KEY, baseURL: 'http://127.0.0.1:9', maxRetries: 0 });
    assertNoKey(assert, await rejection(refused.files.list()));
    // A fetch wrapper whose error's cause quotes the request's headers: the cause is in the message, the key is not.
    const echoed = new LlmFiles({ provider: 'openai', apiKey: KEY, maxRetries: 0, fetch: (url, init) => Promise.reject(new TypeError('fetch failed', { cause: new Error(`sent ${init.headers.Authorization}`) })) });
    const e = await rejection(echoed.files.list());
    assertNoKey(assert, e);
    assert.match(e.message, /fetch failed: sent Bearer \[redacted\]$/);
    // However long the causes, no part of the key is cut off where a length bound falls.
    for (let pad = 400; pad < 1100; pad += 7) {
      const long = new LlmFiles({ provider: 'openai', apiKey: KEY, maxRetries: 0, fetch: () => Promise.reject(new TypeError('fetch failed', { cause: new Error(`${'z'.repeat(pad)} ${KEY}`) })) });
      const x = await rejection(long.files.list());
      assertNoKey(assert, x);
      assert.ok(!x.message.includes(KEY.slice(0, 8)), `part of the key at ${pad}: ${x.message.slice(-40)}`);
    }
    for (const opts of [{ provider: 'openai', apiKey: `${KEY}\n` }, { provider: KEY, apiKey: KEY }, { provider: 'openai', apiKey: KEY, baseURL: KEY }]) {
      assert.throws(() => new LlmFiles(opts), (e) => (assertNoKey(assert, e), true));
    }
  } finally {
    Object.assign(console, originals);
    [process.stdout.write, process.stderr.write] = writes;
  }
  for (const line of captured) assert.ok(!line.includes(KEY), `key printed: ${line}`);
});

test('a key the server echoes with JSON escapes is cut from the parsed body too', async () => {
  // `/` is escaped by PHP's json_encode (`\/`); any character may come as `\uXXXX`; `"` and `\` always come escaped.
  const key = 'sk-ab/cd+ef"g\\h==';
  const forms = ['sk-ab\\/cd+ef\\"g\\\\h==', '\\u0073k-ab\\u002Fcd+ef\\u0022g\\u005Ch=='];
  const bodies = {
    minimax: (k) => [200, `{"base_resp":{"status_code":1004,"status_msg":"login fail: ${k}"}}`],
    moonshot: (k) => [401, `{"error":{"type":"invalid_authentication_error","message":"Incorrect API key provided: ${k}"},"${k}":[1]}`],
    zhipu: (k) => [401, `{"error":{"code":"1000","message":"${k}"}}`],
    openai: (k) => [401, `{"error":{"type":"invalid_request_error","code":"invalid_api_key","message":"Incorrect API key provided: ${k}"}}`],
  };
  for (const provider of PROVIDERS) {
    for (const k of forms) {
      const [status, text] = bodies[provider](k);
      const c = new LlmFiles({ provider, apiKey: key, maxRetries: 0, fetch: async () => new Response(text, { status, headers: { 'content-type': 'application/json' } }) });
      const e = await rejection(c.files.list({ purpose: PURPOSE[provider] }));
      assert.equal(e.kind, 'authentication', `${provider} ${k}`);
      for (const t of [e.message, e.stack, JSON.stringify(e), String(e), JSON.stringify(e.raw), JSON.stringify(e.raw).replaceAll('\\\\', '\\').replaceAll('\\"', '"')]) {
        assert.ok(!String(t).includes(key), `${provider}: key in ${t}`);
      }
      // The body is still the provider's, parsed, with the key's place marked.
      assert.match(JSON.stringify(e.raw), /\[redacted\]/, provider);
      assert.equal(typeof e.raw, 'object', provider);
    }
  }
});
