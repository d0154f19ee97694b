// The wasm loader and ABI wrapper (js/wasm.js, shipped as pkg/llm_files.js): every way of instantiating it, text
// in and out of wasm memory, and a freed call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const wasmPath = new URL('../../pkg/llm_files_bg.wasm', import.meta.url);
const bytes = readFileSync(wasmPath);
// A fresh copy of the loader module each time (its instance is module state).
let n = 0;
const fresh = () => import(`../../pkg/llm_files.js?copy=${n++}`);

test('initSync takes a Module or bytes and returns the running instance afterwards', async () => {
  const a = await fresh();
  const exports = a.initSync({ module: new WebAssembly.Module(bytes) });
  assert.ok(exports.memory instanceof WebAssembly.Memory);
  assert.equal(a.initSync({ module: new Uint8Array() }), exports, 'already running: the bytes are not even read');
  const b = await fresh();
  assert.ok(b.initSync({ module: bytes }).memory instanceof WebAssembly.Memory);
  assert.notEqual(b.initSync({ module: bytes }), exports, 'each loader copy has its own instance');
});

test('init fetches the wasm from its URL, streaming it when typed application/wasm', async (t) => {
  const streamed = t.mock.method(WebAssembly, 'instantiateStreaming');
  for (const [type, streams] of [['application/wasm', 1], ['application/octet-stream', 0]]) {
    const m = await fresh();
    streamed.mock.resetCalls();
    // Node's fetch reads data: URLs, typed as they say.
    const exports = await m.default(`data:${type};base64,${bytes.toString('base64')}`);
    assert.equal(streamed.mock.callCount(), streams, type);
    assert.ok(exports.memory instanceof WebAssembly.Memory);
    assert.equal(m.defaultBase('moonshot'), 'https://api.moonshot.ai/v1');
    assert.equal(await m.default('ignored: already running'), exports);
  }
});
test("init reads a URL in Vite's pre-bundled deps folder from the package's own folder, and any other as it is", async (t) => {
  // Vite 5-7's dev servers serve the package from node_modules/.vite/deps/ without its .wasm (the app's index.html
  // comes back instead).
  const asked = [];
  t.mock.method(globalThis, 'fetch', async (url) => {
    asked.push(String(url));
    return new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
  });
  for (const url of [
    'http://127.0.0.1:5173/node_modules/.vite/deps/llm_files_bg.wasm',
    new URL('http://127.0.0.1:5173/@fs/app/node_modules/.vite/deps/llm_files_bg.wasm'),
    'https://cdn.example/assets/llm_files_bg-1a2b.wasm',
  ]) assert.ok((await (await fresh()).default(url)).memory instanceof WebAssembly.Memory);
  assert.deepEqual(asked, [
    'http://127.0.0.1:5173/node_modules/llm-files/pkg/llm_files_bg.wasm',
    'http://127.0.0.1:5173/@fs/app/node_modules/llm-files/pkg/llm_files_bg.wasm',
    'https://cdn.example/assets/llm_files_bg-1a2b.wasm',
  ]);
});
test('strings cross both ways as UTF-8: non-ASCII, astral and lone surrogates', async () => {
  const m = await fresh();
  m.initSync({ module: bytes });
  const op = new m.Op('openai', 'http://h/v1', 0, 3, 'ファイル😀\ud800');
  assert.equal(op.stage(), 1);
  const step = op.next(0, false, Date.now(), 0.5);
  // The lone surrogate reaches wasm as U+FFFD, like every TextEncoder output.
  assert.equal(step, `fGET\nhttp://h/v1/files/${encodeURIComponent('ファイル😀\ufffd')}\n-\n`);
  op.free();
  assert.equal(m.capabilities('nobody'), undefined);
  assert.equal(JSON.parse(m.capabilities('zhipu')).provider, 'zhipu');
  assert.ok(m.headerNames().split('\n').includes('x-request-id'));
});

test('a refused call throws its error text; a freed call answers nothing and cannot be freed twice', async () => {
  const m = await fresh();
  m.initSync({ module: bytes });
  assert.throws(() => new m.Op('openai', 'http://h/v1', 0, 3, '..'), (e) => typeof e === 'string' && JSON.parse(e.slice(1)).kind === 'invalid_argument');
  const op = new m.Op('moonshot', 'http://h/v1', 0, 3, 'file-1');
  op.free();
  op.free();
  assert.equal(op.stage(), 0);
  assert.equal(op.next(0, false, Date.now(), 0.5), '');
  assert.equal(op.answer(0, 200, undefined, new Uint8Array([123, 125]), 0, Date.now()), false);
  op.failed(0, 'timeout', 'late');
  assert.equal(op.needsBody(200, 'application/json'), 0);
  assert.equal(op.result(), '');
});

test('a body larger than the wasm memory so far makes it grow, and results still read back', async () => {
  const m = await fresh();
  const exports = m.initSync({ module: bytes });
  const before = exports.memory.buffer.byteLength;
  const files = Array.from({ length: 20000 }, (_, i) => `{"id":"file-${i}","object":"file","bytes":${i},"created_at":1700000000,"filename":"f${i}.txt","purpose":"batch"}`);
  const body = new TextEncoder().encode(`{"object":"list","data":[${files.join(',')}],"has_more":true}`);
  const op = new m.Op('openai', 'http://h/v1', 0, 1);
  op.stage();
  op.next(0, false, Date.now(), 0.5);
  op.answer(0, 200, undefined, body, 7, Date.now());
  assert.equal(op.next(0, false, Date.now(), 0.5), '');
  assert.equal(op.stage(), 0);
  assert.equal(op.result(), 'l1\n[[7,0,20000,"data"]]');
  op.free();
  assert.ok(exports.memory.buffer.byteLength > before, 'the memory grew while the view in JS was renewed');
});

test('the allocator (src/heap.rs) reuses its blocks: lists of many sizes in turn read back right, and memory settles', async () => {
  const m = await fresh();
  const exports = m.initSync({ module: bytes });
  const list = (n, seq) => {
    const files = Array.from({ length: n }, (_, i) => `{"file_id":${9007199254740993n + BigInt(i)},"bytes":${i},"created_at":1700000000,"filename":"é${'x'.repeat(i % 97)}","purpose":"t2a_async_input"}`);
    const op = new m.Op('minimax', 'https://h', 0, 1, 't2a_async_input');
    op.stage();
    op.next(0, false, Date.now(), 0.5);
    op.answer(0, 200, undefined, new TextEncoder().encode(`{"files":[${files.join(',')}],"base_resp":{"status_code":0}}`), seq, Date.now());
    op.stage();
    const r = op.result();
    op.free();
    return r;
  };
  const sizes = [0, 1, 3, 700, 2, 5000, 1, 64, 129, 3000, 0, 1];
  const expected = (n, seq) => `l0${Array.from({ length: n }, (_, i) => 9007199254740993n + BigInt(i)).join(',')}\n[[${seq},0,${n},"files"]]`;
  const emptyPlan = () => 'l0\n[]';
  let settled;
  for (let round = 0; round < 4; round++) {
    for (const [k, n] of sizes.entries()) assert.equal(list(n, k), n ? expected(n, k) : emptyPlan(), `round ${round}, ${n} files`);
    // After the first round every size has been seen: the same work again needs no new memory.
    if (round === 1) settled = exports.memory.buffer.byteLength;
  }
  assert.equal(exports.memory.buffer.byteLength, settled);
});
