// Every operation of every provider against the mock, through the built package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { LlmFiles, LlmFilesError } from 'llm-files';
import { mock, client, fault, seen, rejection, PROVIDERS, PURPOSE, OTHER, KEY, wasmMemory, settleGarbage } from './helpers.mjs';

for (const provider of PROVIDERS) {
  test(`${provider}: create, list, listAll, retrieve, content, delete`, async (t) => {
    const m = await mock(t);
    const c = client(m, provider);
    const purpose = PURPOSE[provider];
    const progress = [];
    const a = await c.files.create({ file: new Blob(['hello blob']), purpose, filename: 'a.txt' },
      { onUploadProgress: (loaded, total) => progress.push([loaded, total]) });
    assert.deepEqual(progress, [[0, 10], [10, 10]]);
    const b = await c.files.create({ file: new File(['from a File'], 'b.txt'), purpose });
    const s = await c.files.create({ file: 'héllo string', purpose, filename: 's.txt' });
    const u = await c.files.create({ file: new Uint8Array([1, 2, 3]), purpose, filename: 'u.bin' });
    const ab = await c.files.create({ file: new Uint8Array([9, 9]).buffer, purpose, filename: 'ab.bin' });
    const o = await c.files.create({ file: 'other purpose', purpose: OTHER[provider], filename: 'o.txt' });
    for (const f of [a, b, s, u, ab, o]) {
      assert.equal(typeof f.id, 'string');
      assert.equal(f.object, 'file');
      assert.equal(f.provider, provider);
      assert.equal(typeof f.created_at, 'number');
      assert.equal(typeof f.raw, 'object');
    }
    assert.deepEqual([a.bytes, b.bytes, s.bytes, u.bytes, ab.bytes], [10, 11, 13, 3, 2]);
    assert.deepEqual([a.filename, b.filename, s.filename], ['a.txt', 'b.txt', 's.txt']);
    assert.equal(a.purpose, purpose);
    if (provider === 'minimax') {
      assert.equal(a.id, '9007199254740993', 'int64 ids above 2^53 stay exact');
      assert.equal(b.id, '9007199254740994');
    }

    const all = await c.files.list();
    assert.equal(all.object, 'list');
    assert.deepEqual(new Set(all.data.map((f) => f.id)), new Set([a, b, s, u, ab, o].map((f) => f.id)));
    const only = await c.files.list({ purpose });
    assert.deepEqual(new Set(only.data.map((f) => f.id)), new Set([a, b, s, u, ab].map((f) => f.id)));
    const page = await c.files.list({ purpose, limit: 2 });
    assert.equal(page.data.length, 2);
    assert.equal(page.has_more, true);
    const next = await c.files.list({ purpose, limit: 10, after: page.data[1].id });
    assert.equal(next.data.length, 3);
    assert.equal(new Set([...page.data, ...next.data].map((f) => f.id)).size, 5);

    const walked = [];
    for await (const f of c.files.listAll()) walked.push(f.id);
    assert.deepEqual(new Set(walked), new Set(all.data.map((f) => f.id)));
    assert.equal(walked.length, 6);
    // As the .d.ts types it: an async generator, stepped by hand and ended early.
    const walk = c.files.listAll();
    assert.equal(Object.prototype.toString.call(walk), '[object AsyncGenerator]');
    const step = await walk.next();
    assert.ok(walked.includes(step.value.id));
    assert.deepEqual(await walk.return(), { value: undefined, done: true });
    assert.deepEqual(await walk.next(), { value: undefined, done: true });

    const r = await c.files.retrieve(s.id);
    assert.equal(r.id, s.id);
    assert.equal(r.filename, 's.txt');
    assert.equal(r.bytes, 13);

    const res = await c.files.content(s.id);
    assert.ok(res instanceof Response);
    assert.equal(await res.text(), 'héllo string');
    const bin = await c.files.content(u.id);
    assert.deepEqual([...new Uint8Array(await bin.arrayBuffer())], [1, 2, 3]);

    const del = await c.files.delete(a.id);
    assert.deepEqual(del, { id: a.id, object: 'file', deleted: true });
    const after = await c.files.list();
    assert.ok(!after.data.some((f) => f.id === a.id));
    const gone = await rejection(c.files.retrieve(a.id));
    assert.ok(gone instanceof LlmFilesError);
    assert.equal(gone.kind, 'not_found');
    assert.equal(gone.provider, provider);
  });
}

test('every request carries the bearer key and the default headers; multipart sends purpose and filename', async (t) => {
  const m = await mock(t);
  for (const provider of PROVIDERS) {
    const c = client(m, provider, { defaultHeaders: { 'X-App': 'demo' } });
    await c.files.create({ file: 'x', purpose: PURPOSE[provider], filename: 'x.txt' });
    await c.files.list({ purpose: PURPOSE[provider] });
    for (const e of seen(m, provider)) {
      assert.equal(e.headers.authorization, `Bearer ${KEY}`);
      assert.equal(e.headers['x-app'], 'demo');
    }
    const up = seen(m, provider, 'create')[0];
    assert.match(up.headers['content-type'], /^multipart\/form-data; boundary=/);
  }
});

test('a call\'s own headers reach every request of that call (MiniMax\'s delete: its purpose lookup too), and no other call', async (t) => {
  const m = await mock(t);
  for (const provider of PROVIDERS) {
    const c = client(m, provider, { defaultHeaders: { 'X-App': 'demo' } });
    const f = await c.files.create({ file: 'x', purpose: PURPOSE[provider], filename: 'x.txt' }, { headers: { traceparent: 'upload', 'X-App': 'call' } });
    const before = m.state.log.length;
    await c.files.delete(f.id, undefined, { headers: { traceparent: 'delete' } });
    const del = m.state.log.slice(before).filter((e) => e.provider === provider);
    assert.ok(del.length >= (provider === 'minimax' ? 2 : 1));
    for (const e of del) assert.deepEqual([e.headers.traceparent, e.headers['x-app']], ['delete', 'demo']);
    const up = seen(m, provider, 'create').at(-1);
    assert.deepEqual([up.headers.traceparent, up.headers['x-app']], ['upload', 'call']);
  }
});

test('minimax: int64 ids go back as bare JSON integers and decimal query values; delete looks up the purpose', async (t) => {
  const m = await mock(t);
  const c = client(m, 'minimax');
  const f = await c.files.create({ file: 'x', purpose: 'voice_clone', filename: 'v.mp3' });
  assert.equal(f.id, '9007199254740993');
  await c.files.retrieve(f.id);
  assert.equal(seen(m, 'minimax', 'retrieve').at(-1).query.file_id, '9007199254740993');
  await c.files.delete(f.id);
  const del = seen(m, 'minimax', 'delete')[0];
  assert.equal(del.method, 'POST');
  assert.equal(del.bodyText, '{"file_id":9007199254740993,"purpose":"voice_clone"}');
  assert.match(del.headers['content-type'], /^application\/json/);
  assert.equal(seen(m, 'minimax', 'retrieve').length, 2, 'the purpose was looked up with retrieve');

  const g = await c.files.create({ file: 'y', purpose: 'prompt_audio', filename: 'p.mp3' });
  await c.files.delete(g.id, { purpose: 'prompt_audio' });
  assert.equal(seen(m, 'minimax', 'retrieve').length, 2, 'no lookup when the purpose is given');
  assert.equal(seen(m, 'minimax', 'list').length, 0);
  await c.files.list();
  assert.deepEqual(seen(m, 'minimax', 'list').map((e) => e.query.purpose).sort(),
    ['prompt_audio', 't2a_async_input', 'video_generation_input', 'voice_clone']);
});

test('list and listAll over every purpose leave out one the host refuses after another answered (MiniMax\'s video_generation_input is documented for listing on its CN host only)', async (t) => {
  const m = await mock(t);
  const c = client(m, 'minimax');
  const v = await c.files.create({ file: 'x', purpose: 'voice_clone', filename: 'v.mp3' });
  // As a host would that lists only the purposes of the global list page (invalid params, as HTTP 200 + 2013).
  const refuse = (purpose, times = 2) => fault(m, { provider: 'minimax', op: 'list', purpose, times, fault: { minimaxCode: 2013, msg: 'invalid params' } });
  refuse('video_generation_input');
  assert.deepEqual((await c.files.list()).data.map((f) => f.id), [v.id]);
  const walked = [];
  for await (const f of c.files.listAll()) walked.push(f.id);
  assert.deepEqual(walked, [v.id]);
  // Named by the caller, or the first purpose listed (nothing answered before it), the refusal is the call's.
  refuse('video_generation_input', 1);
  assert.equal((await rejection(c.files.list({ purpose: 'video_generation_input' }))).code, '2013');
  refuse('voice_clone');
  assert.equal((await rejection(c.files.list())).kind, 'invalid_request');
  assert.equal((await rejection(c.files.listAll().next())).kind, 'invalid_request');
  // Another kind of failure of a later purpose still fails the call.
  fault(m, { provider: 'minimax', op: 'list', purpose: 't2a_async_input', fault: { minimaxCode: 1004, msg: 'token not match group' } });
  assert.equal((await rejection(c.files.list())).kind, 'authentication');
  assert.equal(m.state.faults.length, 0);
});

test('minimax: a base URL ending in /v1 (its OpenAI-compatible base) is read as the host, not doubled', async (t) => {
  const m = await mock(t);
  for (const suffix of ['/v1', '/v1/', '/V1']) {
    const c = client(m, 'minimax', { baseURL: m.base('minimax') + suffix });
    const f = await c.files.create({ file: 'x', purpose: 'voice_clone', filename: 'v.mp3' });
    assert.equal((await c.files.retrieve(f.id)).id, f.id, suffix);
  }
  // Only MiniMax's paths start with /v1, and only a whole trailing /v1 segment goes.
  const urls = [];
  const fetch = async (url) => {
    urls.push(url);
    return new Response('{"object":"list","data":[]}');
  };
  for (const [provider, baseURL] of [['moonshot', 'http://h/v1'], ['openai', 'http://h/v1/'], ['minimax', 'http://h/xv1']]) {
    await new LlmFiles({ provider, apiKey: KEY, baseURL, fetch }).files.list({ purpose: 'batch' }).catch(() => {});
  }
  assert.deepEqual(urls, ['http://h/v1/files', 'http://h/v1/files?purpose=batch', 'http://h/xv1/v1/files/list?purpose=batch']);
});

test('in a browser page a baseURL path is read against the page\'s URL (a same-origin proxy), in a Web Worker against its location; elsewhere it is refused', async (t) => {
  const m = await mock(t);
  // Without a page or a worker, a path has nothing to be read against.
  assert.throws(() => new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL: '/moonshot/v1' }), { kind: 'invalid_argument' });
  // A Web Worker has no document, only its location (as fetch there reads a path).
  globalThis.location = { href: `${m.url}/app/worker.js` };
  t.after(() => delete globalThis.location);
  const w = new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL: '/moonshot/v1' });
  assert.equal((await w.files.list()).object, 'list');
  // In a page, the document's base URL comes first (a <base> element can differ from the location).
  globalThis.location = { href: 'http://127.0.0.1:1/elsewhere/' };
  // A page served from the mock's origin (document.baseURI, as a browser sets it).
  globalThis.document = { baseURI: `${m.url}/app/index.html` };
  t.after(() => delete globalThis.document);
  for (const baseURL of ['/moonshot/v1', '../moonshot/v1/']) {
    const c = new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL });
    const f = await c.files.create({ file: 'x', purpose: 'file-extract', filename: 'a.txt' });
    assert.equal((await c.files.retrieve(f.id)).id, f.id, baseURL);
  }
  // What resolves to another scheme is still refused.
  for (const baseURL of ['ftp://h/v1', 'javascript:alert(1)']) {
    assert.throws(() => new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL }), { kind: 'invalid_argument' }, baseURL);
  }
});

test('minimax: a legacy GroupId goes on every URL, exactly, after any other query value', async (t) => {
  const m = await mock(t);
  const group = '1790000000000000001';
  const c = client(m, 'minimax', { groupId: group });
  const f = await c.files.create({ file: 'x', purpose: 'voice_clone', filename: 'v.mp3' });
  await c.files.list();
  await c.files.retrieve(f.id);
  await (await c.files.content(f.id)).arrayBuffer();
  await c.files.delete(f.id);
  const log = seen(m, 'minimax');
  assert.deepEqual(log.map((e) => e.op).sort(), ['content', 'create', 'delete', 'list', 'list', 'list', 'list', 'retrieve', 'retrieve']);
  for (const e of log) assert.equal(e.query.GroupId, group, `${e.op}`);
  assert.equal(seen(m, 'minimax', 'retrieve')[0].query.file_id, f.id);
  const plain = client(m, 'minimax');
  await plain.files.list({ purpose: 'voice_clone' });
  assert.equal(seen(m, 'minimax', 'list').at(-1).query.GroupId, undefined, 'none unless asked for');
});

test('minimax: an error inside a 200 download is sniffed from JSON', async (t) => {
  const m = await mock(t);
  const c = client(m, 'minimax', { maxRetries: 0 });
  const f = await c.files.create({ file: '{"base_resp":{"status_code":0}}', purpose: 't2a_async_input', filename: 'a.json' });
  fault(m, { op: 'content', fault: { minimaxCode: 1004, msg: 'auth' } });
  const e = await rejection(c.files.content(f.id));
  assert.equal(e.kind, 'authentication');
  assert.equal(e.status, 200);
  assert.equal(e.code, '1004');
  assert.match(e.requestId, /^minimax-req-/);
});

test('minimax: a download without a Content-Type is checked too: an error is an error, anything else the file', async (t) => {
  const m = await mock(t);
  // The mock's answer with its Content-Type taken off (a body from bytes gets none of its own).
  const untyped = async (url, init) => {
    const res = await fetch(url, init);
    if (!String(url).includes('/retrieve_content')) return res;
    const headers = new Headers(res.headers);
    headers.delete('content-type');
    return new Response(new Uint8Array(await res.arrayBuffer()), { status: res.status, headers });
  };
  const c = client(m, 'minimax', { maxRetries: 0, fetch: untyped });
  for (const body of ['ID3 not json', '{"a":1}\n{"b":2}\n', '{"base_resp":{"status_code":0}}', '']) {
    const f = await c.files.create({ file: body, purpose: 't2a_async_input', filename: 'a.txt' });
    const res = await c.files.content(f.id);
    assert.equal(res.headers.get('content-type'), null);
    assert.equal(await res.text(), body, 'handed over intact');
  }
  const f = await c.files.create({ file: 'x', purpose: 't2a_async_input', filename: 'a.txt' });
  fault(m, { op: 'content', fault: { minimaxCode: 1004, msg: 'auth' } });
  const e = await rejection(c.files.content(f.id));
  assert.equal(e.kind, 'authentication');
  assert.equal(e.code, '1004');
  assert.match(e.requestId, /^minimax-req-/);
});

test('zhipu: listAll follows has_more/after across every purpose; retrieve is emulated from list pages', async (t) => {
  const m = await mock(t);
  const c = client(m, 'zhipu');
  const ids = [];
  for (let i = 0; i < 25; i++) ids.push((await c.files.create({ file: `row ${i}`, purpose: 'batch', filename: `b${i}.jsonl` })).id);
  ids.push((await c.files.create({ file: 'a', purpose: 'agent', filename: 'a.pdf' })).id);
  const walked = [];
  for await (const f of c.files.listAll({ limit: 10 })) walked.push(f.id);
  assert.deepEqual(walked.sort(), ids.slice().sort());
  const lists = seen(m, 'zhipu', 'list');
  assert.deepEqual(lists.filter((e) => e.query.purpose === 'batch').map((e) => e.query.after ?? null),
    [null, ids[9], ids[19]]);
  assert.ok(lists.every((e) => e.query.purpose), 'every list request names a purpose');
  m.state.log.length = 0;
  const r = await c.files.retrieve(ids[25]);
  assert.equal(r.purpose, 'agent');
  assert.equal(seen(m, 'zhipu', 'retrieve').length, 0, 'no request to the undocumented retrieve endpoint');
  assert.equal(LlmFiles.capabilities('zhipu').operations.retrieve, 'emulated');
  const e = await rejection(c.files.list({ after: ids[0] }));
  assert.equal(e.kind, 'invalid_argument');
  // Without a limit the walk asks for Zhipu's largest page (its default is 20); above 100 is refused unsent.
  m.state.log.length = 0;
  const all = [];
  for await (const f of c.files.listAll({ purpose: 'batch' })) all.push(f.id);
  assert.equal(all.length, 25);
  assert.deepEqual(seen(m, 'zhipu', 'list').map((x) => x.query.limit), ['100']);
  m.state.log.length = 0;
  const big = await rejection(c.files.list({ purpose: 'batch', limit: 101 }));
  assert.equal(big.kind, 'invalid_argument');
  assert.match(big.message, /at most 100/);
  const tooBig = await rejection(c.files.listAll({ limit: 500 }).next());
  assert.ok(tooBig.kind === 'invalid_argument' && /at most 100/.test(tooBig.message), tooBig.message);
  assert.equal(m.state.log.length, 0, 'nothing sent');
});

test('an order other than "asc" or "desc" is refused unsent, except by Zhipu, whose own values pass through', async (t) => {
  const m = await mock(t);
  for (const provider of ['minimax', 'moonshot', 'openai']) {
    const c = client(m, provider);
    const e = await rejection(c.files.list({ purpose: PURPOSE[provider], order: 'newest' }));
    assert.deepEqual([e.kind, e.message, e.attempts], ['invalid_argument', 'order must be "asc" or "desc"', 0], provider);
    assert.equal((await rejection(c.files.listAll({ order: 'DESC' }).next())).kind, 'invalid_argument', provider);
    assert.equal((await c.files.list({ purpose: PURPOSE[provider], order: 'desc' })).object, 'list', provider);
  }
  m.state.log.length = 0;
  const page = await client(m, 'zhipu').files.list({ purpose: 'batch', order: 'created_at' });
  assert.equal(page.object, 'list');
  assert.deepEqual(seen(m, 'zhipu', 'list').map((x) => x.query.order), ['created_at']);
});

test('moonshot: list parameters are applied on the client, since its list takes none', async (t) => {
  const m = await mock(t);
  const c = client(m, 'moonshot');
  for (const p of ['file-extract', 'batch', 'file-extract']) await c.files.create({ file: p, purpose: p, filename: 'f.txt' });
  const page = await c.files.list({ purpose: 'file-extract', order: 'desc', limit: 1 });
  assert.equal(page.data.length, 1);
  assert.equal(page.has_more, true);
  assert.equal(page.data[0].purpose, 'file-extract');
  assert.ok(seen(m, 'moonshot', 'list').every((e) => Object.keys(e.query).length === 0));
});

test('capabilities describe every provider', () => {
  for (const p of PROVIDERS) {
    const caps = LlmFiles.capabilities(p);
    assert.equal(caps.provider, p);
    for (const op of ['create', 'list', 'listAll', 'retrieve', 'content', 'delete']) {
      assert.ok(['native', 'emulated', 'unsupported'].includes(caps.operations[op]), `${p}.${op}`);
      assert.equal(caps[op], caps.operations[op], `${p}.${op} at the top too`);
    }
    assert.equal(typeof caps.params.list.after, 'string');
    assert.equal(typeof caps.params.delete.purpose, 'string');
    // The shapes the .d.ts declares (Capabilities, CapabilityPurposes, CapabilityLimits), and no undeclared key.
    const keys = (o, allowed) => Object.keys(o).every((k) => allowed.includes(k));
    assert.ok(keys(caps, ['provider', 'create', 'list', 'listAll', 'retrieve', 'content', 'delete', 'operations', 'params', 'purposes', 'limits', 'ids']), p);
    assert.ok(caps.ids === undefined || typeof caps.ids === 'string', p);
    const { purposes, limits } = caps;
    assert.ok(keys(purposes, ['create', 'list', 'delete', 'content']), p);
    const strings = (v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
    assert.ok(strings(purposes.create), p);
    for (const op of ['list', 'delete']) assert.ok(strings(purposes[op]) || purposes[op] === 'any', `${p}.${op}`);
    assert.ok(strings(purposes.content) || typeof purposes.content === 'string', p);
    assert.ok(keys(limits, ['maxFileBytes', 'maxFiles', 'maxTotalBytes', 'notes']), p);
    assert.ok(Object.values(limits.maxFileBytes).every((n) => Number.isInteger(n) && n > 0), p);
    for (const k of ['maxFiles', 'maxTotalBytes']) assert.ok(limits[k] === undefined || Number.isInteger(limits[k]), `${p}.${k}`);
    assert.ok(limits.notes === undefined || typeof limits.notes === 'string', p);
  }
  assert.equal(LlmFiles.capabilities('zhipu').retrieve, 'emulated');
  assert.match(LlmFiles.capabilities('zhipu').params.list.after, /needs purpose/);
  assert.equal(LlmFiles.capabilities('moonshot').limits.maxFileBytes['*'], 100 * 1024 * 1024);
  assert.throws(() => LlmFiles.capabilities('acme'), (e) => e instanceof LlmFilesError && e.kind === 'invalid_argument');
});

test('the purposes the .d.ts offers for autocompletion are those capabilities() lists', () => {
  // pkg/index.d.ts, as shipped: each provider's block of ProviderPurposes, `op: 'a' | 'b';` per operation.
  const dts = readFileSync(new URL('../../pkg/index.d.ts', import.meta.url), 'utf8');
  const block = dts.slice(dts.indexOf('export interface ProviderPurposes'), dts.indexOf('export type Purpose<'));
  for (const p of PROVIDERS) {
    const own = block.slice(block.indexOf(`  ${p}: {`), block.indexOf('  };', block.indexOf(`  ${p}: {`)));
    assert.ok(own.length > 0, p);
    const caps = LlmFiles.capabilities(p).purposes;
    for (const op of ['create', 'list', 'delete']) {
      const line = own.match(new RegExp(`\\n    ${op}: ([^;]+);`));
      assert.ok(line, `${p}.${op} in the .d.ts`);
      const typed = line[1].split(' | ').map((x) => JSON.parse(x.replaceAll("'", '"')));
      // "any": the provider takes any purpose there; the types offer its upload purposes.
      const documented = Array.isArray(caps[op]) ? caps[op] : caps.create;
      assert.deepEqual(typed, documented, `${p}.${op}`);
    }
  }
});

test('the .d.ts marks which fields of raw the client checks, and it checks exactly those', async () => {
  // pkg/index.d.ts, as shipped: `/** doc */` then `field?: type;` per field of each raw file interface.
  const dts = readFileSync(new URL('../../pkg/index.d.ts', import.meta.url), 'utf8');
  const fields = (name) => {
    const start = dts.indexOf(`export interface ${name} {`);
    return [...dts.slice(start, dts.indexOf('\n}', start)).matchAll(/\/\*\* (.*) \*\/\n {2}(\w+)(\??): ([^;]+);/g)]
      .map(([, doc, field, opt, type]) => ({ field, optional: opt === '?', checked: doc.includes('(checked'), nullable: type.endsWith('| null') }));
  };
  const openai = { id: 'file-1', object: 'file', bytes: 1, created_at: 2, filename: 'a', purpose: 'batch', status: 'ok', status_details: '' };
  const cases = {
    minimax: ['MiniMaxRawFile', { file_id: 5, bytes: 1, created_at: 2, filename: 'a', purpose: 'voice_clone', download_url: 'https://x.test/a' }, { purpose: 'voice_clone' }],
    moonshot: ['OpenAIRawFile', openai, undefined],
    zhipu: ['OpenAIRawFile', openai, { purpose: 'batch' }],
    openai: ['OpenAIRawFile', openai, undefined],
  };
  for (const [provider, [name, good, params]] of Object.entries(cases)) {
    const list = fields(name);
    assert.ok(list.length >= 6 && list.some((f) => f.checked) && list.some((f) => !f.checked), name);
    const body = (o) => JSON.stringify(provider === 'minimax' ? { files: [o], base_resp: { status_code: 0, status_msg: 'success' } } : { object: 'list', data: [o], has_more: false });
    const raw = (o) => new LlmFiles({ provider, apiKey: KEY, maxRetries: 0, fetch: async () => new Response(body(o), { status: 200 }) })
      .files.list(params).then((page) => page.data[0].raw, (e) => e);
    assert.deepEqual(await raw(good), good, provider);
    for (const { field, optional, checked, nullable } of list) {
      // An array is no field's type: a checked field refuses it, an unchecked one passes it through.
      const wrong = await raw({ ...good, [field]: [true] });
      if (checked) assert.equal(wrong instanceof LlmFilesError && wrong.kind, 'decode', `${provider} ${field}: [true]`);
      else assert.deepEqual(wrong[field], [true], `${provider} ${field}: [true]`);
      const { [field]: _, ...without } = good;
      const missing = await raw(without);
      assert.equal(missing instanceof LlmFilesError ? missing.kind : 'read', optional ? 'read' : 'decode', `${provider} without ${field}`);
      // Where the .d.ts allows null, the client does too.
      assert.equal((await raw({ ...good, [field]: null }))[field] === null, !checked || nullable, `${provider} ${field}: null`);
    }
  }
});

test('an injected fetch is called with this === undefined and the client needs no global fetch', async (t) => {
  const m = await mock(t);
  let self = 'unset';
  const c = client(m, 'openai', { fetch: function (url, init) { self = this; return fetch(url, init); } });
  await c.files.list();
  assert.equal(self, undefined);
});

test('a delete answered 204 No Content is done (OpenAI-compatible hosts); MiniMax still needs its base_resp', async (t) => {
  const m = await mock(t);
  for (const provider of PROVIDERS) {
    const deletes = [];
    const noContent = (url, init) => {
      if (init?.method !== 'DELETE' && !String(url).endsWith('/files/delete')) return fetch(url, init);
      deletes.push(String(url));
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    const c = client(m, provider, { fetch: noContent });
    const f = await c.files.create({ file: new Blob(['x']), filename: 'a.txt', purpose: PURPOSE[provider] });
    const done = c.files.delete(f.id, { purpose: PURPOSE[provider] });
    if (provider === 'minimax') {
      const e = await rejection(done);
      assert.equal(e.kind, 'decode', provider);
      assert.equal(e.status, 204, provider);
    } else {
      assert.deepEqual(await done, { id: f.id, object: 'file', deleted: true }, provider);
    }
    assert.equal(deletes.length, 1, `${provider}: one delete request, not retried`);
  }
});

/** What a fresh Node process prints, run in the package's root (so `llm-files` names the built package), trimmed. */
async function nodeInRoot(args) {
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  return stdout.trim();
}

test('llm-files/init (for service workers) is the same API in Node, where init() has nothing left to load', async (t) => {
  const m = await mock(t);
  const sub = await import('llm-files/init');
  assert.equal(await sub.init(), undefined);
  // One module instance: the classes are the main entry's, so instanceof works across both imports.
  assert.equal(sub.LlmFiles, LlmFiles);
  assert.equal(sub.LlmFilesError, LlmFilesError);
  const c = new sub.LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL: `${m.url}/moonshot/v1` });
  assert.equal((await c.files.list()).object, 'list');
  // Imported alone (here the main entry had loaded the wasm already): the browser loader cannot fetch a file: URL.
  const alone = `const m = await import('llm-files/init'); await m.init(); console.log(m.LlmFiles.capabilities('zhipu').retrieve);`;
  assert.equal(await nodeInRoot(['--input-type=module', '-e', alone]), 'emulated');
});

test('require(\'llm-files\') needs no global TextEncoder or TextDecoder (Jest\'s jsdom environment has none)', async () => {
  const script = `delete globalThis.TextEncoder; delete globalThis.TextDecoder;
    const { LlmFiles } = require('llm-files');
    const body = Buffer.from('{"object":"list","data":[{"id":"f1","bytes":1,"created_at":2,"filename":"n\u00e9","purpose":"batch"}]}');
    const fetch = async () => ({ status: 200, headers: { get: () => null }, arrayBuffer: async () => body });
    new LlmFiles({ provider: 'moonshot', apiKey: 'sk-test-key', fetch }).files.list({ purpose: 'batch' })
      .then((page) => console.log(LlmFiles.capabilities('zhipu').retrieve, page.data[0].filename));`;
  assert.equal(await nodeInRoot(['-e', script]), 'emulated né');
});

test('node: a file opened from disk with fs.openAsBlob uploads, its bytes intact', async (t) => {
  const { openAsBlob } = await import('node:fs');
  const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'llm-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'notes.jsonl');
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => `{"n":${i}}\n`).join(''));
  await writeFile(path, bytes);
  const m = await mock(t);
  const c = client(m, 'moonshot');
  const f = await c.files.create({ file: await openAsBlob(path), purpose: 'file-extract', filename: 'notes.jsonl' });
  assert.equal(f.bytes, bytes.length);
  assert.equal(f.filename, 'notes.jsonl');
  const back = Buffer.from(await (await c.files.content(f.id)).arrayBuffer());
  assert.ok(back.equals(bytes), 'the bytes that arrived are the file on disk');
});

test('a listAll iterable dropped before its first step or mid-walk leaves nothing in wasm memory once collected', async () => {
  const memory = await wasmMemory();
  // Every page says more follow, so a walk stepped once waits at a `yield` with its call in wasm memory.
  const page = JSON.stringify({ object: 'list', data: [{ id: 'file-1', object: 'file', bytes: 1, created_at: 1, filename: 'f'.repeat(300), purpose: 'batch' }], has_more: true });
  let sent = 0;
  const c = new LlmFiles({ provider: 'openai', apiKey: KEY, baseURL: `http://memory.invalid/${'b'.repeat(200)}`, fetch: async () => (sent++, new Response(page)) });
  const unstarted = () => { for (let i = 0; i < 20000; i++) c.files.listAll({ purpose: 'p'.repeat(100) }); };
  const stepped = async () => { for (let i = 0; i < 2000; i++) assert.equal((await c.files.listAll({ purpose: 'p'.repeat(100) }).next()).value.id, 'file-1'); };
  for (const round of [unstarted, stepped]) {
    await round();
    await settleGarbage();
    const settled = memory();
    for (let r = 0; r < 4; r++) {
      await round();
      await settleGarbage();
    }
    // A round holds thousands of calls of over 600 B at once: a leak would grow the memory by megabytes a round.
    assert.equal(memory(), settled, round.name);
  }
  // An iterable never stepped makes no request; each stepped one made one.
  assert.equal(sent, 5 * 2000);
});
