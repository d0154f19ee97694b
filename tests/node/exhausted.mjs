// Run by transport.test.mjs in a process of its own, since it grows the wasm memory to the engine's limit for good:
// `answer` after a first call (the heap has claimed its first region), `start` before any (it has none). Prints, as
// JSON, what a client's construction, `capabilities` and each call ended with.
import { LlmFiles } from 'llm-files';
import { initSync } from '../../pkg/llm_files.js';

const memory = initSync({ module: new Uint8Array() }).memory;
const mode = process.argv[2];
const list = (n) => JSON.stringify({ object: 'list', data: Array.from({ length: n }, (_, i) => ({ id: `file-${i}`, object: 'file', bytes: 1, created_at: 1, filename: 'a.jsonl', purpose: 'batch' })), has_more: false });
let fetches = 0;
let body = list(2);
const c = new LlmFiles({ provider: 'openai', apiKey: 'sk-exhausted-test', baseURL: 'http://127.0.0.1:9/v1', fetch: async () => (fetches++, new Response(body)) });
const outcome = async () => {
  fetches = 0;
  try {
    return { files: (await c.files.list()).data.length, fetches };
  } catch (e) {
    return { error: e instanceof Error ? e.constructor.name : typeof e, kind: e.kind, provider: e.provider, message: e.message, retryable: e.retryable, attempts: e.attempts, fetches };
  }
};
const out = {};
if (mode === 'answer') out.before = await outcome();
// Every page the engine allows (halving the step once a grow fails), so the wasm's own grows fail from here on.
for (let step = 65536; step >= 1; step >>= 1) {
  try {
    for (;;) memory.grow(step);
  } catch {}
}
out.pages = memory.buffer.byteLength / 65536;
// What these two throw when the wasm has no memory to spare: 'nothing', or the error's class, kind and message.
const thrown = (f) => {
  try {
    f();
    return 'nothing';
  } catch (e) {
    return [e.constructor.name, e.kind, e.provider, e.message].join(' | ');
  }
};
out.construct = thrown(() => new LlmFiles({ provider: 'moonshot', apiKey: 'sk-exhausted-test' }));
out.capabilities = thrown(() => LlmFiles.capabilities('moonshot'));
// 20,000 files (2 MB): checking them needs more than the heap's first region holds.
body = list(20000);
out.big = await outcome();
body = list(2);
out.after = await outcome();
console.log(JSON.stringify(out));
