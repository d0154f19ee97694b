// `npm run demo`: starts the mock providers on 127.0.0.1 and runs every operation of every provider through
// the built package, printing what comes back, then one error to show what failures look like.
import { LlmFiles, LlmFilesError } from 'llm-files';
import { startMock } from '../tests/mock/server.mjs';

const PURPOSE = { minimax: 't2a_async_input', moonshot: 'file-extract', zhipu: 'batch', openai: 'batch' };
const mock = await startMock();
console.log(`mock providers on ${mock.url}\n`);
const show = (f) => `${f.id}  ${f.filename}  ${f.bytes} B  ${f.purpose}`;
try {
  for (const provider of Object.keys(PURPOSE)) {
    const caps = LlmFiles.capabilities(provider);
    console.log(`── ${provider}  (retrieve: ${caps.retrieve}, list: ${JSON.stringify(caps.params.list)})`);
    const files = new LlmFiles({ provider, apiKey: 'sk-demo', baseURL: mock.base(provider) }).files;
    const a = await files.create({ file: new Blob(['{"custom_id":"1"}\n']), purpose: PURPOSE[provider], filename: 'batch.jsonl' });
    const b = await files.create({ file: 'plain text, sent as UTF-8', purpose: PURPOSE[provider], filename: 'notes.txt' });
    console.log(`create    ${show(a)}\ncreate    ${show(b)}`);
    const page = await files.list({ limit: 1 });
    console.log(`list      limit 1 → ${page.data.length} file, has_more: ${page.has_more}`);
    const all = [];
    for await (const f of files.listAll()) all.push(f.id);
    console.log(`listAll   ${all.length} files: ${all.join(', ')}`);
    console.log(`retrieve  ${show(await files.retrieve(b.id))}`);
    const res = await files.content(b.id);
    console.log(`content   ${res.status} ${res.headers.get('content-type')}: ${JSON.stringify(await res.text())}`);
    console.log(`delete    ${JSON.stringify(await files.delete(a.id))}\n`);
  }
  const bad = new LlmFiles({ provider: 'zhipu', apiKey: 'invalid-key', baseURL: mock.base('zhipu') });
  await bad.files.list().catch((e) => {
    if (!(e instanceof LlmFilesError)) throw e;
    console.log(`an error: kind=${e.kind} status=${e.status} code=${e.code} requestId=${e.requestId} retryable=${e.retryable}`);
    console.log(`          ${e.message}`);
  });
} finally {
  await mock.close();
}
