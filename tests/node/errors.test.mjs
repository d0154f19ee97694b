// Error classification, retries and their timing, timeouts, aborts, refused input, hostile ids, secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmFiles, LlmFilesError } from 'llm-files';
import { mock, client, fault, seen, rejection, assertNoKey, PROVIDERS, PURPOSE, KEY, wasmMemory, settleGarbage } from './helpers.mjs';

const FAST = { 'retry-after-ms': '5' };

test('authentication errors are classified per provider with a readable request id', async (t) => {
  const m = await mock(t);
  const expected = {
    minimax: { status: 200, code: '1004', id: /^minimax-req-/ },
    moonshot: { status: 401, code: 'invalid_authentication_error', id: /^moonshot-req-/ },
    zhipu: { status: 401, code: '1000', id: /^zhipu-req-/ },
    openai: { status: 401, code: 'invalid_api_key', id: /^openai-req-/ },
  };
  for (const provider of PROVIDERS) {
    const c = new LlmFiles({ provider, apiKey: 'invalid-key-123', baseURL: m.base(provider) });
    const e = await rejection(c.files.list({ purpose: PURPOSE[provider] }));
    assert.ok(e instanceof LlmFilesError && e instanceof Error);
    assert.equal(e.name, 'LlmFilesError');
    assert.equal(e.kind, 'authentication', provider);
    assert.equal(e.status, expected[provider].status);
    assert.equal(e.code, expected[provider].code);
    assert.match(e.requestId, expected[provider].id);
    assert.equal(e.retryable, false);
    assert.equal(e.attempts, 1);
    assert.equal(e.provider, provider);
    assert.equal(typeof e.raw, 'object');
    assert.deepEqual(Object.keys(e.toJSON()).sort(),
      ['attempts', 'code', 'kind', 'message', 'name', 'provider', 'raw', 'requestId', 'retryable', 'status']);
  }
});

/** `d` as an RFC 850 date, the obsolete HTTP-date form. */
function rfc850(d) {
  const [day, date, month, year, time] = d.toUTCString().split(' ');
  const weekday = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getUTCDay()];
  assert.equal(day, `${weekday.slice(0, 3)},`);
  return `${weekday}, ${date}-${month}-${year.slice(2)} ${time} GMT`;
}

/** `d` in asctime's form, the other obsolete HTTP-date form: `Sun Nov  6 08:49:37 1994`. */
function asctime(d) {
  const [day, date, month, year, time] = d.toUTCString().split(' ');
  return `${day.slice(0, 3)} ${month} ${date.replace(/^0/, ' ')} ${time} ${year}`;
}

test('429 with Retry-After in seconds, as an HTTP date, and retry-after-ms is honoured, then succeeds', async (t) => {
  // Node reads TZ again when it changes: this process's local time is 8 hours ahead of GMT for the test.
  const tz = process.env.TZ;
  process.env.TZ = 'Asia/Shanghai';
  t.after(() => (tz === undefined ? delete process.env.TZ : (process.env.TZ = tz)));
  const m = await mock(t);
  const c = client(m, 'moonshot');
  const cases = [
    [() => ({ 'retry-after': '1' }), 950],
    // HTTP dates have whole seconds: 3 s ahead is at least 2 s away.
    [() => ({ 'retry-after': new Date(Date.now() + 3000).toUTCString() }), 1900],
    // RFC 9110 asks recipients to accept the obsolete RFC 850 form too: `Sunday, 06-Nov-94 08:49:37 GMT`.
    [() => ({ 'retry-after': rfc850(new Date(Date.now() + 3000)) }), 1900],
    // And asctime's, which names no zone: GMT, read here on a clock 8 hours east of it.
    [() => ({ 'retry-after': asctime(new Date(Date.now() + 3000)) }), 1900],
    [() => ({ 'retry-after-ms': '300' }), 290],
  ];
  for (const [makeHeaders, atLeast] of cases) {
    const headers = makeHeaders();
    m.state.log.length = 0;
    fault(m, { op: 'list', fault: { status: 429, headers, body: { error: { type: 'engine_overloaded_error', message: 'busy' } } } });
    const t0 = performance.now();
    const page = await c.files.list();
    const waited = performance.now() - t0;
    assert.equal(page.object, 'list');
    assert.equal(seen(m, 'moonshot', 'list').length, 2);
    assert.ok(waited >= atLeast, `${JSON.stringify(headers)}: waited ${waited} ms, wanted >= ${atLeast}`);
    assert.ok(waited < atLeast + 1500, `${JSON.stringify(headers)}: waited ${waited} ms`);
  }
});

test("Moonshot's rate limit waits the seconds its message states (no Retry-After is sent); over 60 s, the backoff", async (t) => {
  const m = await mock(t);
  const c = client(m, 'moonshot');
  const words = (n) => `Your account org-1 request reached organization max RPM: 3, please try again after ${n} seconds`;
  for (const [n, atLeast, below] of [[2, 1990, 3500], ['1.5', 1490, 3000], [61, 370, 700]]) {
    m.state.log.length = 0;
    fault(m, { op: 'list', fault: { status: 429, body: { error: { type: 'rate_limit_reached_error', message: words(n) } } } });
    const page = await c.files.list();
    assert.equal(page.object, 'list');
    const at = seen(m, 'moonshot', 'list').map((x) => x.at);
    assert.equal(at.length, 2);
    assert.ok(at[1] - at[0] >= atLeast && at[1] - at[0] < below, `after ${n} seconds: waited ${at[1] - at[0]} ms`);
  }
});

test('without Retry-After the backoff is 0.5 s then 1 s, less up to 25 % jitter', async (t) => {
  const m = await mock(t);
  const c = client(m, 'openai', { maxRetries: 2 });
  fault(m, { op: 'list', times: 3, fault: { status: 503, body: '<html><h1>503</h1></html>' } });
  const t0 = performance.now();
  const e = await rejection(c.files.list());
  const waited = performance.now() - t0;
  assert.equal(e.kind, 'server');
  assert.equal(e.status, 503);
  assert.equal(e.attempts, 3);
  assert.equal(e.retryable, true, 'still retryable when retries ran out');
  assert.equal(e.raw, '<html><h1>503</h1></html>');
  const at = seen(m, 'openai', 'list').map((x) => x.at);
  assert.ok(at[1] - at[0] >= 370 && at[1] - at[0] <= 700, `first wait ${at[1] - at[0]}`);
  assert.ok(at[2] - at[1] >= 745 && at[2] - at[1] <= 1200, `second wait ${at[2] - at[1]}`);
  assert.ok(waited < 2500);
});

test('errors are classified from the body: balance is never retried, rate limits are', async (t) => {
  const m = await mock(t);
  const cases = [
    ['zhipu', { status: 429, body: { error: { code: '1113', message: '余额不足' } } }, 'insufficient_balance', false, '1113', 1],
    ['moonshot', { status: 429, body: { error: { type: 'exceeded_current_quota_error', message: 'quota' } } }, 'insufficient_balance', false, 'exceeded_current_quota_error', 1],
    ['minimax', { minimaxCode: 1008 }, 'insufficient_balance', false, '1008', 1],
    ['minimax', { minimaxCode: 2049 }, 'authentication', false, '2049', 1],
    ['minimax', { minimaxCode: 2056 }, 'rate_limit', false, '2056', 1],
    // Video inputs are kept 7 days, then "file expired": as gone as a deleted file.
    ['minimax', { minimaxCode: 2013, msg: 'file expired' }, 'not_found', false, '2013', 1],
    ['openai', { status: 429, body: { error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'q' } } }, 'insufficient_balance', false, 'insufficient_quota', 1],
    ['zhipu', { status: 429, headers: FAST, body: { error: { code: '1302', message: 'slow down' } } }, 'rate_limit', true, '1302', 3],
    ['minimax', { minimaxCode: 1002 }, 'rate_limit', true, '1002', 3],
    ['minimax', { minimaxCode: 1039 }, 'rate_limit', true, '1039', 3],
    ['zhipu', { status: 500, headers: { 'x-should-retry': 'false' }, body: { error: { code: '1234', message: 'net' } } }, 'server', false, '1234', 1],
    ['moonshot', { status: 400, body: { error: { type: 'invalid_request_error', message: 'File size is zero' } } }, 'invalid_request', false, 'invalid_request_error', 1],
    ['zhipu', { status: 434, body: '<html>no permission</html>' }, 'permission_denied', false, null, 1],
    // Moonshot's generic type leaves the kind to the status: a conflict is retried, a missing file's 404 (worded as
    // OpenAI words it) is not_found.
    ['moonshot', { status: 409, headers: FAST, body: { error: { type: 'invalid_request_error', message: 'busy' } } }, 'invalid_request', true, 'invalid_request_error', 3],
    ['moonshot', { status: 404, body: { error: { type: 'invalid_request_error', message: 'No such File object: file-x' } } }, 'not_found', false, 'invalid_request_error', 1],
    // So do Zhipu's generic bad-parameter codes: a 404 is not_found.
    ['zhipu', { status: 404, body: { error: { code: '1214', message: 'file_id 参数非法' } } }, 'not_found', false, '1214', 1],
    // A 429 is not always a rate limit: 1121 is an account locked for irregular activity (docs.z.ai's code table).
    ['zhipu', { status: 429, body: { error: { code: '1121', message: 'Account has irregular activities and has been locked' } } }, 'permission_denied', false, '1121', 1],
  ];
  for (const [provider, f, kind, retryable, code, attempts] of cases) {
    m.state.log.length = 0;
    const c = client(m, provider, { maxRetries: 2 });
    // Retried cases fail every attempt (`times` = attempts); MiniMax's carry no Retry-After, so they wait the real backoff.
    fault(m, { provider, op: 'list', times: attempts, fault: f });
    const e = await rejection(c.files.list({ purpose: PURPOSE[provider] }));
    assert.equal(e.kind, kind, `${provider} ${JSON.stringify(f)}`);
    assert.equal(e.retryable, retryable, `${provider} ${JSON.stringify(f)}`);
    assert.equal(e.code, code);
    assert.equal(e.attempts, attempts);
    assert.equal(seen(m, provider, 'list').length, attempts);
  }
});

test('a retried rate limit succeeds and counts nothing twice', async (t) => {
  const m = await mock(t);
  const c = client(m, 'minimax');
  fault(m, { op: 'create', fault: { minimaxCode: 1002 } });
  const f = await c.files.create({ file: 'x', purpose: 'voice_clone', filename: 'a.mp3' });
  assert.equal(seen(m, 'minimax', 'create').length, 2);
  assert.deepEqual(m.state.files.minimax.size, 1);
  assert.equal(f.filename, 'a.mp3');
});

test('bad JSON from a 200 is a decode error with the text kept; wrong shapes too', async (t) => {
  const m = await mock(t);
  const c = client(m, 'openai', { maxRetries: 0 });
  const bodies = [
    ['{"object":"list","data":[{"id":"a"', '{"object":"list","data":[{"id":"a"'],
    ['', null],
    [{ object: 'list', data: [{ id: 'a', bytes: 'many', created_at: 1, filename: 'f' }] }, 'object'],
    [{ object: 'list' }, 'object'],
  ];
  for (const [body, raw] of bodies) {
    fault(m, { op: 'list', fault: { status: 200, body } });
    const e = await rejection(c.files.list());
    if (body === '' || typeof body === 'string') {
      assert.equal(e.kind, 'decode');
      assert.deepEqual(e.raw, raw);
    } else {
      assert.equal(e.kind, 'decode', JSON.stringify(body));
      assert.equal(typeof e.raw, raw);
    }
    assert.equal(e.retryable, false);
  }
  // `data: null` is read as an empty list (Go servers write empty slices as null).
  fault(m, { op: 'list', fault: { status: 200, body: { object: 'list', data: null, has_more: null } } });
  assert.deepEqual((await c.files.list()).data, []);
});

test('timeouts cover the headers and the body; each attempt gets its own', async (t) => {
  const m = await mock(t);
  const c = client(m, 'moonshot', { timeout: 200, maxRetries: 0 });
  fault(m, { op: 'list', fault: { hang: true } });
  let t0 = performance.now();
  let e = await rejection(c.files.list());
  assert.equal(e.kind, 'timeout');
  assert.equal(e.retryable, true);
  assert.equal(e.status, null);
  assert.ok(performance.now() - t0 >= 190);
  fault(m, { op: 'list', fault: { stallBody: true } });
  e = await rejection(c.files.list());
  assert.equal(e.kind, 'timeout', 'a stalled body times out');
  fault(m, { op: 'list', times: 1, fault: { hang: true } });
  const page = await c.files.list({}, { maxRetries: 1 });
  assert.equal(page.object, 'list', 'the second attempt, with a fresh timer, succeeds');
  // Bounds far apart, so a loaded machine cannot blur them: 50 ms asked, 5 s the client's.
  const slow = client(m, 'moonshot', { timeout: 5000, maxRetries: 0 });
  t0 = performance.now();
  fault(m, { op: 'list', fault: { hang: true } });
  e = await rejection(slow.files.list({}, { timeout: 50 }));
  assert.equal(e.kind, 'timeout');
  assert.ok(performance.now() - t0 < 2500, 'the per-call timeout overrides the client one');
});

test('an abort is never retried, also while waiting between retries, and a pre-aborted signal sends nothing', async (t) => {
  const m = await mock(t);
  const c = client(m, 'zhipu', { maxRetries: 5 });
  fault(m, { op: 'list', fault: { hang: true } });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const hung = performance.now();
  let e = await rejection(c.files.list({ purpose: 'batch' }, { signal: ac.signal }));
  assert.ok(performance.now() - hung < 2000, 'the hung request was cut short by the abort, not by a timeout');
  assert.equal(e.kind, 'aborted');
  assert.equal(e.retryable, false);
  assert.equal(e.attempts, 1);

  m.state.log.length = 0;
  fault(m, { op: 'list', fault: { status: 503, headers: { 'retry-after': '30' }, body: '{}' } });
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort('user reason, not an Error'), 100);
  const t0 = performance.now();
  e = await rejection(c.files.list({ purpose: 'batch' }, { signal: ac2.signal }));
  assert.equal(e.kind, 'aborted');
  assert.ok(performance.now() - t0 < 1000, 'the 30 s wait was cut short');
  assert.equal(seen(m, 'zhipu').length, 1);

  m.state.log.length = 0;
  e = await rejection(c.files.list({ purpose: 'batch' }, { signal: AbortSignal.abort() }));
  assert.equal(e.kind, 'aborted');
  assert.equal(e.attempts, 0);
  assert.equal(seen(m, 'zhipu').length, 0);
});

test('connection refused, resets before and during the body are connection errors, retried', async (t) => {
  const m = await mock(t);
  const dead = await (await import('../mock/server.mjs')).startMock();
  const deadBase = dead.base('openai');
  await dead.close();
  const refused = new LlmFiles({ provider: 'openai', apiKey: KEY, baseURL: deadBase, maxRetries: 1 });
  let e = await rejection(refused.files.list());
  assert.equal(e.kind, 'connection');
  assert.equal(e.retryable, true);
  assert.equal(e.attempts, 2);
  assert.equal(e.status, null);
  // Node's fetch says only "fetch failed"; the reason is in its cause, and the message carries it.
  assert.match(e.message, /fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);

  const c = client(m, 'moonshot', { maxRetries: 0 });
  fault(m, { op: 'list', fault: { reset: true } });
  e = await rejection(c.files.list());
  assert.equal(e.kind, 'connection');
  fault(m, { op: 'list', fault: { resetMidBody: true } });
  e = await rejection(c.files.list());
  assert.equal(e.kind, 'connection');
  fault(m, { op: 'list', fault: { reset: true } });
  assert.equal((await c.files.list({}, { maxRetries: 1 })).object, 'list', 'retried after a reset');
});

test('delete: a retry that finds the file gone after an ambiguous attempt resolves; a first not-found rejects', async (t) => {
  const m = await mock(t);
  for (const provider of PROVIDERS) {
    const c = client(m, provider);
    const f = await c.files.create({ file: 'x', purpose: PURPOSE[provider], filename: 'x.txt' });
    fault(m, { provider, op: 'delete', fault: { resetAfterHandling: true } });
    assert.deepEqual(await c.files.delete(f.id, { purpose: PURPOSE[provider] }), { id: f.id, object: 'file', deleted: true });
    assert.equal(seen(m, provider, 'delete').length, 2, provider);
    const e = await rejection(c.files.delete(f.id, { purpose: PURPOSE[provider] }));
    assert.equal(e.kind, 'not_found', provider);
    assert.equal(e.attempts, 1);
  }
});

test('bad input is refused with invalid_argument before any request', async (t) => {
  const m = await mock(t);
  const bad = [
    () => new LlmFiles(),
    () => new LlmFiles(null),
    () => new LlmFiles({ provider: 'acme', apiKey: 'k' }),
    () => new LlmFiles({ provider: 'moonshot' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: '' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k\r\nX-Evil: 1' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', baseURL: 'ftp://x' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', baseURL: 'javascript:alert(1)' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', baseURL: 'http://h/v1?x=1' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', timeout: -1 }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', timeout: 2 ** 31 }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', maxRetries: 1.5 }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', fetch: 'fetch' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', defaultHeaders: { 'bad header': 'v' } }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', defaultHeaders: { 'X-A': 'v\n' } }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', groupId: '123' }),
    () => new LlmFiles({ provider: 'minimax', apiKey: 'k', groupId: 1234567890123456789 }),
    () => new LlmFiles({ provider: 'minimax', apiKey: 'k', groupId: '12&x=1' }),
    () => new LlmFiles({ provider: Symbol('p'), apiKey: 'k' }),
    () => new LlmFiles({ get provider() { throw new Error('getter'); }, apiKey: 'k' }),
    () => new LlmFiles(new Proxy({}, { get() { throw new Error('trap'); } })),
    // fetch would send these trimmed, and a server echoing the trimmed key would slip past redaction of the padded one.
    () => new LlmFiles({ provider: 'moonshot', apiKey: ' sk-padded-key ' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'sk-padded-key\t' }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', defaultHeaders: { 'X-A': ' v' } }),
    // The client sets these itself: fetch would join a second Authorization to its own (`Bearer a, Bearer b`), and a
    // Content-Type would replace the multipart one, boundary and all.
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', defaultHeaders: { authorization: 'Bearer other' } }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', defaultHeaders: { 'Content-Type': 'application/json' } }),
    () => new LlmFiles({ provider: 'moonshot', apiKey: 'k', defaultHeaders: { 'CONTENT-TYPE': 'text/plain' } }),
  ];
  for (const f of bad) {
    assert.throws(f, (e) => e instanceof LlmFilesError && e.kind === 'invalid_argument' && e.attempts === 0, f.toString());
  }
  // A number out of range says which range.
  assert.throws(bad[9], { message: 'timeout must be a number from 1 to 2147483647' });
  assert.throws(bad[11], { message: 'maxRetries must be a whole number from 0 to 100' });
  assert.throws(bad.at(-3), { message: 'defaultHeaders.authorization is not a header the client can send' });
  // A base URL fetch could never use is refused at construction, not retried as a connection error on every call.
  for (const baseURL of ['http://h:99999/v1', 'http://[::1/v1', 'http://user:pw@h/v1', 'http://@user@h', 'https://', 'http://h/v1?', 'http://h/v1#']) {
    assert.throws(() => new LlmFiles({ provider: 'moonshot', apiKey: 'k', baseURL }),
      { kind: 'invalid_argument', message: 'baseURL must be an http(s) URL without credentials, query or fragment' }, baseURL);
  }
  // What the URL parser accepts is sent as it reads it: host lowercased, spaces escaped, backslashes as slashes.
  const urls = [];
  const fetch = async (url) => (urls.push(url), new Response('{"object":"list","data":[]}'));
  for (const baseURL of ['HTTP://Example.COM:8080/Api V1/', 'http://h\\v1', 'http://127.0.0.1:80//']) {
    await new LlmFiles({ provider: 'moonshot', apiKey: 'k', baseURL, fetch }).files.list();
  }
  assert.deepEqual(urls, ['http://example.com:8080/Api%20V1/files', 'http://h/v1/files', 'http://127.0.0.1/files']);
  // A missing provider is answered with the names, as an unknown one is.
  for (const o of [{ apiKey: 'k' }, { provider: 'acme', apiKey: 'k' }]) {
    assert.throws(() => new LlmFiles(o), { kind: 'invalid_argument', message: 'provider must be one of "minimax", "moonshot", "zhipu", "openai"' });
  }
  const c = client(m, 'moonshot');
  const mm = client(m, 'minimax');
  const rejected = [
    c.files.create(),
    c.files.create({ file: 'x', filename: 'a.txt' }),
    c.files.create({ file: 'x', purpose: 'file-extract' }),
    c.files.create({ file: 42, purpose: 'file-extract', filename: 'a' }),
    c.files.create({ file: null, purpose: 'file-extract', filename: 'a' }),
    c.files.create({ file: { size: 3 }, purpose: 'file-extract', filename: 'a' }),
    c.files.create({ file: 'x', purpose: '', filename: 'a' }),
    c.files.create({ file: 'x', purpose: 'file-extract', filename: 'a' }, { signal: 'nope' }),
    c.files.create({ file: 'x', purpose: 'file-extract', filename: 'a' }, { onUploadProgress: 1 }),
    // A call's own headers are checked as defaultHeaders are.
    c.files.list({}, { headers: 'X-A: b' }),
    c.files.list({}, { headers: { 'X-A': 1 } }),
    c.files.list({}, { headers: { 'X-A': 'v\r\nX-Evil: 1' } }),
    c.files.list({}, { headers: { 'bad header': 'v' } }),
    c.files.retrieve('f', { headers: { Authorization: 'Bearer other' } }),
    c.files.create({ file: 'x', purpose: 'file-extract', filename: 'a' }, { headers: { 'content-type': 'text/plain' } }),
    c.files.list({}, { headers: new Proxy({}, { ownKeys() { throw new Error('trap'); } }) }),
    c.files.create({ file: new Blob([new Uint8Array(100 * 1024 * 1024 + 1)]), purpose: 'file-extract', filename: 'big.pdf' }),
    client(m, 'zhipu').files.create({ file: new Blob([new Uint8Array(5 * 1024 * 1024 + 1)]), purpose: 'agent', filename: 'a.png' }),
    mm.files.create({ file: new Blob([new Uint8Array(20 * 1024 * 1024 + 1)]), purpose: 'voice_clone', filename: 'v.mp3' }),
    // Moonshot documents "File size is zero" among its refusals.
    c.files.create({ file: '', purpose: 'file-extract', filename: 'empty.txt' }),
    c.files.create({ file: new Blob([]), purpose: 'file-extract', filename: 'empty.txt' }),
    c.files.retrieve(),
    c.files.retrieve(''),
    c.files.retrieve('.'),
    c.files.retrieve('..'),
    c.files.retrieve(12),
    c.files.content('..'),
    c.files.delete('..'),
    c.files.list({ limit: 0 }),
    c.files.list({ limit: 'ten' }),
    c.files.list('purpose'),
    mm.files.retrieve('abc'),
    mm.files.retrieve('1 OR 1=1'),
    mm.files.delete('9223372036854775808', { purpose: 'voice_clone' }),
    mm.files.content('../1'),
  ];
  for (const [i, p] of rejected.entries()) {
    const e = await rejection(p);
    assert.ok(e instanceof LlmFilesError, `#${i}`);
    assert.equal(e.kind, 'invalid_argument', `#${i}: ${e.message}`);
    assert.equal(e.attempts, 0);
  }
  // listAll, an async generator, rejects its first step (a `for await` over it throws there); calling it throws nothing.
  const walks = [c.files.listAll({ limit: -1 }), c.files.listAll({}, { headers: { authorization: 'x' } }), c.files.listAll.call({})];
  assert.deepEqual((await rejection(walks[0].next())).toJSON(), { ...(await rejection(c.files.list({ limit: -1 }))).toJSON() });
  assert.equal((await rejection(walks[1].next())).message, 'headers.authorization is not a header the client can send');
  assert.equal((await rejection(walks[2].next())).message, 'call the methods of client.files on client.files');
  for (const w of walks) assert.deepEqual(await w.next(), { value: undefined, done: true });
  await assert.rejects(async () => { for await (const f of c.files.listAll({ order: 'newest' })) assert.fail(f); }, { kind: 'invalid_argument', provider: 'moonshot' });
  // A refusal names the client's provider, whether the JS or the wasm refused it.
  const named = [[c.files.create({ file: 'x', filename: 'a.txt' }), 'moonshot'], [c.files.list({ limit: 0 }), 'moonshot'],
    [c.files.retrieve('..'), 'moonshot'], [mm.files.retrieve('abc'), 'minimax'], [mm.files.create({ file: 'x', purpose: 'voice_clone' }), 'minimax']];
  for (const [p, provider] of named) assert.equal((await rejection(p)).provider, provider);
  // An id that is not a string is refused as such, whatever it would read as.
  for (const id of [12, { toString: () => 'file-1' }, undefined]) {
    assert.equal((await rejection(c.files.retrieve(id))).message, 'file id must be a non-empty string');
  }
  assert.equal(m.state.log.length, 0, 'no request was made');
  assert.equal((await c.files.create({ file: 'still works', purpose: 'file-extract', filename: 'ok.txt' })).bytes, 11);
  // The other providers document no lower bound: an empty file is sent.
  assert.equal((await client(m, 'zhipu').files.create({ file: '', purpose: 'batch', filename: 'e.jsonl' })).bytes, 0);
});

test('Zhipu agent files follow the documented limit of the host: 100 MB on api.z.ai, 20 MB (images 5 MB) on bigmodel.cn', async () => {
  const MB = 1024 * 1024;
  const sent = [];
  const fetch = async (url) => {
    sent.push(url);
    return new Response(JSON.stringify({ id: 'f1', object: 'file', bytes: 1, created_at: 1, filename: 'a', purpose: 'agent' }));
  };
  const zai = new LlmFiles({ provider: 'zhipu', apiKey: KEY, baseURL: 'https://api.z.ai/api/paas/v4', fetch });
  const cn = new LlmFiles({ provider: 'zhipu', apiKey: KEY, fetch });
  const blob = (mb) => new Blob([new Uint8Array(mb * MB + 1)]);
  assert.equal((await zai.files.create({ file: blob(50), purpose: 'agent', filename: 'a.pdf' })).id, 'f1');
  assert.equal((await zai.files.create({ file: blob(50), purpose: 'agent', filename: 'a.png' })).id, 'f1');
  assert.equal(sent.length, 2);
  for (const [c, mb, name, purpose] of [[zai, 100, 'a.pdf', 'agent'], [zai, 5, 'a.png', 'code-interpreter'], [cn, 20, 'a.pdf', 'agent'], [cn, 5, 'a.png', 'agent']]) {
    const e = await rejection(c.files.create({ file: blob(mb), purpose, filename: name }));
    assert.equal(e.kind, 'invalid_argument');
    assert.match(e.message, new RegExp(`at most ${mb * MB} bytes`));
  }
  assert.equal(sent.length, 2, 'nothing over a limit was sent');
});

test('unknown purposes are passed through, not refused', async (t) => {
  const m = await mock(t);
  const c = client(m, 'openai');
  const f = await c.files.create({ file: 'x', purpose: 'brand-new-purpose', filename: 'x.txt' });
  assert.equal(f.purpose, 'brand-new-purpose');
});

test('hostile ids and purposes stay inside their path segment or query value', async (t) => {
  const m = await mock(t);
  const c = client(m, 'moonshot', { maxRetries: 0 });
  const ids = ['a/../b', 'x?y=1', 'x#frag', '100%', 'a b', 'é😀', 'tab\there', 'nl\r\nX-Injected: 1', '...'];
  for (const id of ids) {
    m.state.log.length = 0;
    const e = await rejection(c.files.retrieve(id));
    assert.equal(e.kind, 'not_found', id);
    const [req] = seen(m, 'moonshot');
    assert.equal(req.op, 'retrieve', id);
    assert.equal(decodeURIComponent(req.rawPath.split('/files/')[1]), id);
    assert.equal(req.headers['x-injected'], undefined);
  }
  const z = client(m, 'zhipu', { maxRetries: 0 });
  m.state.log.length = 0;
  await rejection(z.files.list({ purpose: 'batch&after=x#y' }));
  assert.deepEqual(seen(m, 'zhipu')[0].query, { purpose: 'batch&after=x#y' });
});

test('the key never appears in errors, even when a server echoes it', async (t) => {
  const m = await mock(t);
  for (const provider of PROVIDERS) {
    const c = client(m, provider, { maxRetries: 0 });
    fault(m, { provider, op: 'list', fault: { status: 401, body: { error: { message: `bad key ${KEY}`, type: 'invalid_authentication_error', code: 'x' } } } });
    const e = await rejection(c.files.list({ purpose: PURPOSE[provider] }));
    assertNoKey(assert, e);
    assert.match(e.message, /\[redacted\]/);
    fault(m, { provider, op: 'list', fault: { status: 502, body: `<html>${KEY}</html>` } });
    assertNoKey(assert, await rejection(c.files.list({ purpose: PURPOSE[provider] })));
  }
  const refused = new LlmFiles({ provider: 'openai', apiKey: KEY, baseURL: 'http://127.0.0.1:9', maxRetries: 0 });
  assertNoKey(assert, await rejection(refused.files.list()));
  const bad = (() => { try { new LlmFiles({ provider: 'openai', apiKey: KEY + '\n' }); } catch (e) { return e; } })();
  assertNoKey(assert, bad);
});

test('no duplicate uploads: an upload whose answer was lost is found through list instead of sent again', async (t) => {
  const m = await mock(t);
  const lost = [{ resetAfterHandling: true }, { statusAfterHandling: 502 }, { hangAfterHandling: true }];
  for (const provider of PROVIDERS) {
    for (const f of lost) {
      m.state.log.length = 0;
      const before = m.state.files[provider].size;
      const c = client(m, provider, { timeout: 300, maxRetries: 2 });
      fault(m, { provider, op: 'create', fault: f });
      const file = await c.files.create({ file: `payload ${JSON.stringify(f)}`, purpose: PURPOSE[provider], filename: 'once.txt' });
      assert.equal(m.state.files[provider].size, before + 1, `${provider} ${JSON.stringify(f)}: exactly one file stored`);
      assert.ok(m.state.files[provider].has(file.id), 'the caller gets the stored file');
      assert.equal(seen(m, provider, 'create').length, 1, 'the upload was not sent again');
      assert.equal(seen(m, provider, 'list').length, 1, 'one lookup');
    }
  }
});

test('no duplicate uploads of a file with a long non-ASCII name: the lookup matches the name in full (3 UTF-8 bytes per character)', async (t) => {
  const m = await mock(t);
  const filename = '年度报告'.repeat(100) + '😀.txt';
  for (const provider of PROVIDERS) {
    m.state.log.length = 0;
    const c = client(m, provider, { timeout: 300, maxRetries: 2 });
    fault(m, { provider, op: 'create', fault: { resetAfterHandling: true } });
    const file = await c.files.create({ file: 'named', purpose: PURPOSE[provider], filename });
    assert.equal(file.filename, filename, provider);
    assert.equal(m.state.files[provider].size, 1, `${provider}: exactly one file stored`);
    assert.equal(seen(m, provider, 'create').length, 1, `${provider}: the upload was not sent again`);
  }
});

test('no duplicate uploads when the provider\'s clock is 2 minutes behind ours: the lookup dates the upload by its Date header', async (t) => {
  const m = await mock(t);
  m.state.skewMs = -120_000;
  for (const provider of PROVIDERS) {
    m.state.log.length = 0;
    const c = client(m, provider, { timeout: 300, maxRetries: 2 });
    fault(m, { provider, op: 'create', fault: { resetAfterHandling: true } });
    const file = await c.files.create({ file: 'skewed', purpose: PURPOSE[provider], filename: 'skew.txt' });
    assert.ok(file.created_at < Date.now() / 1000 - 100, `${provider}: stored by the provider's clock`);
    assert.equal(m.state.files[provider].size, 1, `${provider}: exactly one file stored`);
    assert.ok(m.state.files[provider].has(file.id), 'the caller gets the stored file');
    assert.equal(seen(m, provider, 'create').length, 1, 'the upload was not sent again');
  }
});

test('no duplicate uploads past the first page: the lookup reads on while more pages follow', async (t) => {
  // Zhipu does not document its list order; this mock lists oldest first, 100 files a page, so the stored file is
  // on the third page. The OpenAI host is asked for newest first: one page.
  const m = await mock(t);
  for (const provider of ['zhipu', 'openai']) {
    const c = client(m, provider, { timeout: 300, maxRetries: 2 });
    await Promise.all(Array.from({ length: 230 }, (_, i) => c.files.create({ file: 'old', purpose: 'batch', filename: `old-${i}.jsonl` })));
    m.state.log.length = 0;
    fault(m, { provider, op: 'create', fault: { resetAfterHandling: true } });
    const file = await c.files.create({ file: 'new', purpose: 'batch', filename: 'deep.jsonl' });
    assert.equal(m.state.files[provider].size, 231, `${provider}: exactly one file stored`);
    assert.ok(m.state.files[provider].has(file.id), `${provider}: the caller gets the stored file`);
    assert.equal(seen(m, provider, 'create').length, 1, `${provider}: the upload was not sent again`);
    assert.equal(seen(m, provider, 'list').length, provider === 'zhipu' ? 3 : 1, `${provider}: pages read`);
  }
});

test('an upload that failed before storing anything is retried after the lookup finds nothing', async (t) => {
  const m = await mock(t);
  const c = client(m, 'zhipu');
  fault(m, { op: 'create', fault: { status: 503, headers: FAST, body: '<html>busy</html>' } });
  const f = await c.files.create({ file: 'x', purpose: 'batch', filename: 'retry.jsonl' });
  assert.equal(seen(m, 'zhipu', 'create').length, 2);
  assert.equal(seen(m, 'zhipu', 'list').length, 1);
  assert.equal(m.state.files.zhipu.size, 1);
  assert.ok(m.state.files.zhipu.has(f.id));
});

test('an upload of a purpose that cannot be listed is not sent again after an ambiguous failure: it may be stored', async (t) => {
  const m = await mock(t);
  // Zhipu's voice-clone-input and MiniMax's video_understanding are in no list: nothing can show the first attempt
  // stored nothing, so a second could store the file twice. The caller gets the error, marked retryable, to decide.
  for (const [provider, purpose] of [['zhipu', 'voice-clone-input'], ['minimax', 'video_understanding']]) {
    const c = client(m, provider, { maxRetries: 3 });
    fault(m, { op: 'create', fault: { statusAfterHandling: 502 } });
    const e = await c.files.create({ file: 'x', purpose, filename: 'v.mp4' }).then(() => null, (e) => e);
    assert.ok(e instanceof LlmFilesError, provider);
    assert.deepEqual([e.kind, e.status, e.retryable, e.attempts], ['server', 502, true, 1], provider);
    assert.match(e.message, /not sent again: no list to check for a stored copy/);
    assert.equal(seen(m, provider, 'create').length, 1, `${provider}: sent once`);
    assert.equal(seen(m, provider, 'list').length, 0, `${provider}: nothing to look in`);
    assert.equal(m.state.files[provider].size, 1, `${provider}: stored once`);
    // A 429 is no sign the file was stored: that is retried as any other.
    fault(m, { op: 'create', fault: { status: 429, headers: FAST, body: '{}' } });
    await c.files.create({ file: 'x', purpose, filename: 'w.mp4' });
    assert.equal(seen(m, provider, 'create').length, 3, `${provider}: the 429 was retried`);
  }
});

test('no duplicate uploads even when the lookup itself fails: the lookup is retried, not the upload', async (t) => {
  const m = await mock(t);
  const c = client(m, 'openai', { maxRetries: 3 });
  fault(m, { op: 'create', fault: { statusAfterHandling: 502 } }, { op: 'list', fault: { status: 503, headers: FAST, body: '<html>busy</html>' } });
  const f = await c.files.create({ file: 'x', purpose: 'batch', filename: 'lookup.jsonl' });
  assert.equal(seen(m, 'openai', 'create').length, 1, 'never uploaded twice');
  assert.equal(seen(m, 'openai', 'list').length, 2, 'the failed lookup was tried again');
  assert.equal(m.state.files.openai.size, 1);
  assert.ok(m.state.files.openai.has(f.id));
});

test('an error body that is not UTF-8 comes back as text with U+FFFD, a leading BOM dropped as Response.text() drops it, the key still cut out', async () => {
  const body = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`bad ${KEY} `), 0xff, 0xfe]);
  const c = new LlmFiles({ provider: 'openai', apiKey: KEY, baseURL: 'http://memory.invalid', maxRetries: 0, fetch: async () => new Response(body, { status: 400 }) });
  const e = await rejection(c.files.retrieve('file-1'));
  assert.equal(e.kind, 'invalid_request');
  assert.equal(e.raw, 'bad [redacted] \ufffd\ufffd');
  assert.equal(e.raw, (await new Response(body).text()).replace(KEY, '[redacted]'));
});

test('a MiniMax download served as JSON is checked for an error, and handed over when it is a file', async () => {
  const answer = { body: '' };
  const c = new LlmFiles({ provider: 'minimax', apiKey: KEY, baseURL: 'http://memory.invalid', maxRetries: 0, fetch: async () => new Response(answer.body, { headers: { 'content-type': 'application/json', 'Trace-Id': 't-1' } }) });
  // A JSON file without an error is the file, with its headers.
  answer.body = '{"subtitles":[{"text":"hi"}]}';
  const res = await c.files.content('123');
  assert.deepEqual([res.status, res.headers.get('trace-id'), await res.text()], [200, 't-1', answer.body]);
  // MiniMax's error inside a 200 is an error, whatever else the body holds.
  answer.body = '{"base_resp":{"status_code":1004,"status_msg":"auth failed"}}';
  const e = await rejection(c.files.content('123'));
  assert.deepEqual([e.kind, e.code, e.requestId], ['authentication', '1004', 't-1']);
  // A short body that says it is JSON, begins as an object and is not JSON could be a broken error: no success is claimed for it.
  answer.body = '{"a":1}\n{"b":2}\n';
  assert.equal((await rejection(c.files.content('123'))).kind, 'decode');
  // MiniMax's page declares its downloads `application/json`, format binary: bytes that do not begin as an object are the file.
  answer.body = new Uint8Array([0xff, 0xfb, 0x90, 0x64, 0x00, 0x7b]);
  const mp3 = await c.files.content('123');
  assert.deepEqual([...new Uint8Array(await mp3.arrayBuffer())], [0xff, 0xfb, 0x90, 0x64, 0x00, 0x7b]);
});

test('a MiniMax download served as JSON streams: handed over after its first 64 KiB, the rest read by the caller, the caller\'s signal still able to cut it', async () => {
  const enc = new TextEncoder();
  let source;
  // As fetch does, the body fails when the request's signal fires.
  const stream = (signal) => new ReadableStream({ start(c) { source = c; signal.addEventListener('abort', () => c.error(signal.reason)); } });
  const c = new LlmFiles({ provider: 'minimax', apiKey: KEY, baseURL: 'http://memory.invalid', maxRetries: 0,
    fetch: async (url, init) => new Response(stream(init.signal), { headers: { 'content-type': 'application/json' } }) });
  // The provider has sent 80 KiB and not yet the rest: a client that read the whole body first would never resolve.
  const first = `{"pad":"${'x'.repeat(80 * 1024)}`;
  const pending = c.files.content('123');
  source.enqueue(enc.encode(first));
  let timer;
  const res = await Promise.race([pending, new Promise((r) => { timer = setTimeout(() => r('still waiting'), 5000); })]);
  clearTimeout(timer);
  assert.ok(res instanceof Response, 'handed over before the body ended');
  source.enqueue(enc.encode('"}'));
  source.close();
  assert.equal(await res.text(), `${first}"}`);
  // After it is handed over, the caller's signal still cancels the body being read.
  const ac = new AbortController();
  const cut = c.files.content('123', { signal: ac.signal });
  source.enqueue(enc.encode(first));
  const open = await cut;
  ac.abort();
  await assert.rejects(open.arrayBuffer());
});

test('downloads on one long-lived signal leave no listener on it once their bodies are collected; one still held stays cancellable', async () => {
  const { getEventListeners, setMaxListeners } = await import('node:events');
  const ac = new AbortController();
  setMaxListeners(10000, ac.signal);
  let endless = false;
  const c = new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL: 'http://memory.invalid', maxRetries: 0,
    fetch: async (url, init) => new Response(endless
      ? new ReadableStream({ start(s) { init.signal.addEventListener('abort', () => s.error(init.signal.reason)); } })
      : 'file text') });
  for (let i = 0; i < 2000; i++) assert.equal(await (await c.files.content(`f${i}`, { signal: ac.signal })).text(), 'file text');
  endless = true;
  // Only the stream is kept, as `pipeline(res.body, ...)` keeps it.
  const body = (await c.files.content('held', { signal: ac.signal })).body;
  await settleGarbage();
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1, 'only the body still held listens');
  ac.abort();
  await assert.rejects(new Response(body).arrayBuffer());
});

test('a download not checked is handed over untouched: no copy of its body is made, which would hold it all in memory', async () => {
  let copies = 0;
  const answer = (type) => {
    const res = new Response('{"base_resp":{"status_code":0}}', { headers: { 'content-type': type } });
    const clone = res.clone.bind(res);
    res.clone = () => (copies++, clone());
    return res;
  };
  for (const [provider, type, expected] of [['minimax', 'audio/mpeg', 0], ['moonshot', 'application/json', 0], ['minimax', 'application/json', 1]]) {
    copies = 0;
    const c = new LlmFiles({ provider, apiKey: KEY, baseURL: 'http://memory.invalid', maxRetries: 0, fetch: async () => answer(type) });
    const res = await c.files.content('123');
    assert.equal(copies, expected, `${provider} ${type}`);
    assert.equal(await res.text(), '{"base_resp":{"status_code":0}}');
  }
});

test('a MiniMax download served as JSON from another fetch implementation (no web stream) is checked whole and handed over unread', async () => {
  // Response-like objects from fetch polyfills: status, headers.get, arrayBuffer, clone; no body.getReader.
  const like = (text) => ({ status: 200, headers: new Headers({ 'content-type': 'application/json' }), arrayBuffer: async () => new TextEncoder().encode(text).buffer, clone: () => like(text), text: async () => text });
  const answer = { body: '' };
  const c = new LlmFiles({ provider: 'minimax', apiKey: KEY, baseURL: 'http://memory.invalid', maxRetries: 0, fetch: async () => like(answer.body) });
  answer.body = '{"subtitles":[]}';
  assert.equal(await (await c.files.content('123')).text(), answer.body);
  answer.body = '{"base_resp":{"status_code":1004,"status_msg":"auth failed"}}';
  assert.equal((await rejection(c.files.content('123'))).kind, 'authentication');
});

test('a large MiniMax download served as JSON is handed over whole, its bytes kept out of wasm memory', async () => {
  // Only the first 64 KiB are checked for MiniMax's error envelope, which is far shorter: a longer body is the file.
  const memory = await wasmMemory();
  const before = memory();
  // Larger than the whole wasm memory so far, so copying it in would have to grow it.
  const body = new TextEncoder().encode(`{"base_resp":{"status_code":1004},"pad":"${'x'.repeat(before + 4 * 2 ** 20)}"}`);
  const c = new LlmFiles({ provider: 'minimax', apiKey: KEY, baseURL: 'http://memory.invalid', maxRetries: 0, fetch: async () => new Response(body, { headers: { 'content-type': 'application/json' } }) });
  const res = await c.files.content('123');
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), body);
  assert.ok(memory() - before < 2 ** 20, `wasm memory grew by ${memory() - before} B`);
});
