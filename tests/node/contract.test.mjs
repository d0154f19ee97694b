// The package against the providers' own OpenAPI pages (tests/contract/seeds/, copies of ../shared/seeds/), each
// served by Prism (pinned), which refuses a request that breaks its page with a 422 and flags an answer that breaks
// it in `sl-violations`: a check on the requests that does not rest on this project's own mock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlmFiles } from 'llm-files';
import { KEY, rejection } from './helpers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const seed = (name) => readFileSync(join(root, 'tests/contract/seeds', name), 'utf8');
// The OpenAPI document in a page: the text of its ```` yaml block.
const openapi = (page) => /^````yaml[^\n]*\n([\s\S]*?)^````/m.exec(page)[1];
// The MiniMax examples hold a template placeholder where the id goes; an id seen in the wild (providers.md) instead.
const ID = '311103389282466';
const minimax = (name) => openapi(seed(name)).replaceAll('${file_id}', ID);

// Zhipu's page (004) is in Mintlify's own page format, which Prism cannot read: its operation, as OpenAPI.
const ZHIPU_DELETE = {
  openapi: '3.1.0',
  info: { title: 'Zhipu delete file (from tests/contract/seeds/004)', version: '1' },
  servers: [{ url: 'https://open.bigmodel.cn/api/' }],
  security: [{ bearerAuth: [] }],
  paths: {
    '/paas/v4/files/{file_id}': {
      delete: {
        parameters: [{ name: 'file_id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: {
            description: 'ok',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { id: { type: 'string' }, object: { type: 'string', enum: ['file'] }, deleted: { type: 'boolean' } } },
                example: { id: '<string>', object: 'file', deleted: true },
              },
            },
          },
        },
      },
    },
  },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
};

const prism = join(root, 'node_modules/.bin/prism');

/** A port free a moment ago (Prism takes no port 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Serves `doc` (YAML text, or an object written as JSON) with Prism; resolves to its URL once it listens. */
async function serve(t, dir, name, doc) {
  const file = join(dir, typeof doc === 'string' ? `${name}.yaml` : `${name}.json`);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  const port = await freePort();
  const child = spawn(prism, ['mock', '-h', '127.0.0.1', '-p', String(port), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prism (${name}) did not start within 60 s:\n${out}`)), 60000);
    const read = (d) => {
      out += d;
      if (out.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism (${name}) exited with ${code}:\n${out}`));
    });
  });
  return `http://127.0.0.1:${port}`;
}

/** A client (`options` added to its own) whose requests and Prism's answers (status, `sl-violations`, body) are kept in `log`. */
function recorded(provider, baseURL, options) {
  const log = [];
  const fetch = async (url, init) => {
    const res = await globalThis.fetch(url, init);
    log.push({ url: String(url), method: init.method, status: res.status, violations: res.headers.get('sl-violations'), body: await res.clone().text() });
    return res;
  };
  return { c: new LlmFiles({ provider, apiKey: KEY, baseURL, fetch, maxRetries: 0, ...options }), log };
}

// Every answer Prism gave was a 2xx without a violation: the requests followed the page, and so did its answers.
function allValid(log) {
  for (const e of log) assert.deepEqual([e.status < 300, e.violations], [true, null], `${e.method} ${e.url}: ${e.status} ${e.violations ?? e.body}`);
}

test('every request follows the providers\' OpenAPI pages, as Prism reads them, and their examples read as the unified values', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-files-contract-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const upload = minimax('003_b4d4579bc561bc53.txt');
  // The upload page requires a Content-Type header equal to `multipart/form-data`, which no multipart request can
  // send: the boundary parameter is required (RFC 7578; Prism answers 415 without one). Served once as written, and
  // once with that header parameter left out, so the rest of the request is checked.
  const uploadNoHeader = upload.replace(/\n {6}parameters:\n {8}- name: Content-Type\n[\s\S]*?(?=\n {6}requestBody:)/, '');
  assert.notEqual(uploadNoHeader, upload);
  const [del, list, up, upAsWritten, moonshot, zhipu] = await Promise.all([
    serve(t, dir, 'minimax-delete', minimax('000_5ff9c513c2b277ac.txt')),
    serve(t, dir, 'minimax-list', minimax('002_6e449891ff98f425.txt')),
    serve(t, dir, 'minimax-upload', uploadNoHeader),
    serve(t, dir, 'minimax-upload-as-written', upload),
    serve(t, dir, 'moonshot-delete', openapi(seed('001_66ae0c19a7c2576d.txt'))),
    serve(t, dir, 'zhipu-delete', ZHIPU_DELETE),
  ]);

  await t.test('minimax upload: multipart purpose and file, for every purpose the page names', async () => {
    const { c, log } = recorded('minimax', up);
    for (const purpose of ['voice_clone', 'prompt_audio', 't2a_async_input', 'video_understanding']) {
      const f = await c.files.create({ file: new Blob(['RIFF....WAVE']), filename: 'a.wav', purpose });
      assert.deepEqual({ ...f, raw: undefined }, { id: ID, object: 'file', bytes: 5896337, created_at: 1700469398, filename: 'MiniMax Open Platform-Test bot.docx', purpose: 't2a_async_input', provider: 'minimax', raw: undefined });
    }
    allValid(log);
    assert.equal(log.length, 4);
    // As written, the only thing Prism finds wrong is the boundary fetch adds to the Content-Type.
    const asWritten = recorded('minimax', upAsWritten);
    assert.equal((await rejection(asWritten.c.files.create({ file: 'x', filename: 'a.txt', purpose: 't2a_async_input' }))).status, 422);
    const [only, ...more] = JSON.parse(asWritten.log[0].body).validation;
    assert.deepEqual([only.location, only.code, more], [['header', 'content-type'], 'enum', []]);
  });

  await t.test('minimax list: the purpose in the query; without one, each purpose the page names, the others refused by it left out', async () => {
    const { c, log } = recorded('minimax', list);
    for (const purpose of ['voice_clone', 'prompt_audio', 't2a_async_input']) {
      const page = await c.files.list({ purpose });
      assert.deepEqual(page.data.map((f) => [f.id, f.bytes, f.created_at, f.filename, f.purpose]), [
        [ID, 5896337, 1699964873, '297990555456011.tar', 't2a_async_input'],
        [ID, 5896337, 1700469398, '297990555456911.tar', 't2a_async_input'],
      ]);
      assert.equal(page.has_more, false);
    }
    allValid(log);
    // The client also lists video_generation_input (documented on MiniMax's CN host only), which this page refuses.
    const all = recorded('minimax', list);
    assert.equal((await all.c.files.list()).data.length, 6);
    const walked = [];
    for await (const f of all.c.files.listAll()) walked.push(f.id);
    assert.equal(walked.length, 6);
    const refused = all.log.filter((e) => e.status === 422).map((e) => new URL(e.url).searchParams.get('purpose'));
    assert.deepEqual(refused, ['video_generation_input', 'video_generation_input']);
    allValid(all.log.filter((e) => e.status !== 422));
  });

  await t.test('minimax delete: POST JSON, its file_id a bare integer, for every purpose the page names', async () => {
    const { c, log } = recorded('minimax', del);
    for (const purpose of ['voice_clone', 'prompt_audio', 't2a_async', 't2a_async_input', 'video_generation']) {
      assert.deepEqual(await c.files.delete(ID, { purpose }), { id: ID, object: 'file', deleted: true });
    }
    allValid(log);
    assert.equal(log.length, 5);
  });

  await t.test('moonshot delete: DELETE with the id in the path', async () => {
    const { c, log } = recorded('moonshot', `${moonshot}/v1`);
    assert.deepEqual(await c.files.delete('cn0abcdefghij'), { id: 'cn0abcdefghij', object: 'file', deleted: true });
    allValid(log);
    assert.deepEqual(log.map((e) => [e.method, new URL(e.url).pathname]), [['DELETE', '/v1/files/cn0abcdefghij']]);
    // The page's error answers (Prism serves one when asked with `Prefer: code=N`), each classified by its status.
    for (const [code, kind, retryable] of [[401, 'authentication', false], [404, 'not_found', false], [500, 'server', true]]) {
      const { c } = recorded('moonshot', `${moonshot}/v1`, { defaultHeaders: { Prefer: `code=${code}` } });
      const e = await rejection(c.files.delete('cn0abcdefghij'));
      assert.deepEqual([e.kind, e.status, e.retryable, e.attempts, e.raw?.error?.message], [kind, code, retryable, 1, 'string']);
    }
  });

  await t.test('zhipu delete: DELETE with the id in the path (the page\'s operation, transcribed)', async () => {
    const page = seed('004_e36482c16b7e36a2.txt');
    for (const fact of ['path: /paas/v4/files/{file_id}', 'method: delete', 'url: https://open.bigmodel.cn/api/', 'deleted: true']) assert.ok(page.includes(fact), fact);
    const { c, log } = recorded('zhipu', `${zhipu}/paas/v4`);
    assert.deepEqual(await c.files.delete('file-20260401-abc'), { id: 'file-20260401-abc', object: 'file', deleted: true });
    allValid(log);
    assert.deepEqual(log.map((e) => [e.method, new URL(e.url).pathname]), [['DELETE', '/paas/v4/files/file-20260401-abc']]);
  });
});
