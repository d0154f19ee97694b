// The checks every runtime runs against the mock providers: every operation of every provider, an authentication
// error whose requestId must be readable, uploads with progress through retries, timeouts, aborts and drops. Web
// APIs only, so it runs unchanged in browsers, bundles, Node, Deno and workerd.
const BASES = { minimax: '/minimax', moonshot: '/moonshot/v1', zhipu: '/zhipu/api/paas/v4', openai: '/openai/v1' };
const PURPOSE = { minimax: 't2a_async_input', moonshot: 'file-extract', zhipu: 'batch', openai: 'batch' };

/** Runs the checks; resolves to [{ name, ok, error? }]. */
export async function scenario({ LlmFiles, LlmFilesError }, mockUrl, runtime) {
  const results = [];
  const check = async (name, fn) => {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, error: String(e?.stack ?? e) });
    }
  };
  const assert = (cond, msg) => {
    if (!cond) throw new Error(msg);
  };
  for (const provider of Object.keys(BASES)) {
    const purpose = PURPOSE[provider];
    const files = new LlmFiles({ provider, apiKey: 'sk-runtime-test', baseURL: mockUrl + BASES[provider] }).files;
    const body = `${runtime} bytes é`;
    let f;
    await check(`${provider} create`, async () => {
      f = await files.create({ file: new Blob([body]), purpose, filename: `${runtime}.txt` });
      assert(f.object === 'file' && f.provider === provider && f.bytes === new TextEncoder().encode(body).length, JSON.stringify(f));
    });
    await check(`${provider} list`, async () => {
      const page = await files.list({ purpose });
      assert(page.object === 'list' && page.data.some((x) => x.id === f?.id), 'created file not listed');
    });
    await check(`${provider} listAll`, async () => {
      const ids = [];
      for await (const x of files.listAll()) ids.push(x.id);
      assert(ids.includes(f?.id), 'created file not in listAll');
    });
    await check(`${provider} retrieve`, async () => {
      const r = await files.retrieve(f?.id);
      assert(r.id === f.id && r.filename === `${runtime}.txt`, JSON.stringify(r));
    });
    await check(`${provider} content`, async () => {
      const res = await files.content(f?.id);
      assert(res instanceof Response, 'not a Response');
      assert((await res.text()) === body, 'content differs');
    });
    if (provider === 'minimax') {
      // A download served as JSON is checked for MiniMax's error from its first 64 KiB, read from a copy of the
      // body, and handed over whole: short, then longer than what is read.
      await check('minimax content served as JSON', async () => {
        for (const text of [`{"runtime":"${runtime}"}`, `{"pad":"${'é'.repeat(50000)}"}`]) {
          const j = await files.create({ file: text, purpose, filename: `${runtime}.json` });
          const res = await files.content(j.id);
          assert(res.headers.get('content-type') === 'application/json', 'not served as JSON');
          assert((await res.text()) === text, `content differs (${text.length} characters)`);
          await files.delete(j.id);
        }
      });
    }
    await check(`${provider} delete`, async () => {
      const d = await files.delete(f?.id);
      assert(d.deleted === true && d.id === f.id, JSON.stringify(d));
    });
    await check(`${provider} authentication error with requestId`, async () => {
      const bad = new LlmFiles({ provider, apiKey: 'invalid-key', baseURL: mockUrl + BASES[provider] });
      let e;
      try {
        await bad.files.list({ purpose });
      } catch (err) {
        e = err;
      }
      assert(e instanceof LlmFilesError && e instanceof Error, `not an LlmFilesError: ${e}`);
      assert(e.kind === 'authentication', e.kind);
      assert(typeof e.requestId === 'string' && e.requestId.startsWith(`${provider}-req-`), `requestId ${e.requestId}`);
      // An upload with progress (in browsers sent by XMLHttpRequest, its headers read back from its text): the same.
      let u;
      try {
        await bad.files.create({ file: 'x', purpose, filename: 'p.txt' }, { onUploadProgress: () => {} });
      } catch (err) {
        u = err;
      }
      assert(u?.kind === 'authentication' && u.requestId?.startsWith(`${provider}-req-`), `upload: ${u?.kind} ${u?.requestId}`);
    });
  }
  const moonshot = () => new LlmFiles({ provider: 'moonshot', apiKey: 'sk-runtime-test', baseURL: mockUrl + BASES.moonshot }).files;
  // The mock's next Moonshot upload meets `f` (tests/mock/server.mjs lists the faults).
  const fault = (f) => fetch(mockUrl + '/__mock/faults', { method: 'POST', body: JSON.stringify([{ provider: 'moonshot', op: 'create', fault: f }]) });
  // Uploads with progress (in browsers over XMLHttpRequest, elsewhere over fetch): each attempt reports from 0 up to
  // the file's size, a 503 is retried with the upload rebuilt, and a hung upload ends at its timeout or at the
  // caller's abort; a connection dropped mid-answer is a connection error.
  await check('upload progress, retry, timeout and abort', async () => {
    const files = moonshot();
    // A transport that never lets go of a hung request must fail here, not hang the run.
    const settled = (p) => Promise.race([p.then(() => 'resolved', (e) => e), new Promise((r) => setTimeout(() => r('not settled within 5 s'), 5000))]);
    const size = 300000;
    const upload = { file: new Blob([new Uint8Array(size).fill(97)]), purpose: 'file-extract', filename: `progress-${runtime}.txt` };
    await fault({ status: 503, body: { error: { type: 'server_unavailable', message: 'busy' } } });
    const steps = [];
    const f = await files.create(upload, { onUploadProgress: (loaded, total) => steps.push([loaded, total]) });
    assert(f.bytes === size, JSON.stringify(f));
    const text = JSON.stringify(steps);
    assert(steps.every(([l, t]) => t === size && Number.isInteger(l) && l >= 0 && l <= size), `out of range: ${text}`);
    assert(steps[0]?.[0] === 0 && steps.at(-1)?.[0] === size, `not from 0 to ${size}: ${text}`);
    // Only a new attempt goes back, and it starts at 0.
    const restarts = steps.filter(([l], i) => i > 0 && l < steps[i - 1][0]);
    assert(restarts.length === 1 && restarts[0][0] === 0, `two attempts expected: ${text}`);
    await files.delete(f.id);
    await fault({ hang: true });
    let e = await settled(files.create(upload, { timeout: 300, maxRetries: 0, onUploadProgress: () => {} }));
    assert(e?.kind === 'timeout' && e.attempts === 1, `timeout: ${e?.kind ?? e} ${e?.attempts}`);
    await fault({ hang: true });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    e = await settled(files.create(upload, { signal: ac.signal, onUploadProgress: () => {} }));
    assert(e?.kind === 'aborted', `abort: ${e?.kind ?? e}`);
    // Dropped once the answer has begun: a drop before its first byte, Chromium resends it itself (the next check).
    await fault({ resetMidBody: true });
    e = await settled(files.create(upload, { maxRetries: 0, onUploadProgress: () => {} }));
    assert(e?.kind === 'connection' && e.retryable === true, `dropped: ${e?.kind ?? e}`);
    for (const x of (await files.list()).data) if (x.filename === upload.filename) await files.delete(x.id);
  });
  // An upload the provider stored before the connection dropped, ahead of the answer's first byte, with no retry
  // allowed: one file and a connection error. In Chromium (a page or a worker) the network stack resends such a
  // request itself, unseen by the client, when it went out on a reused connection: two files (README, "One duplicate
  // no page script can prevent"). Which connection Chromium picks is its own choice, so there up to 3 tries.
  await check('upload stored, then the connection dropped before any answer', async () => {
    const files = moonshot();
    const chromium = /Chrome\//.test(globalThis.navigator?.userAgent);
    for (let round = 1; ; round++) {
      const filename = `dropped-${runtime}-${round}.txt`;
      await files.list(); // a connection to reuse
      await fault({ resetAfterHandling: true });
      let r;
      try {
        r = await files.create({ file: 'abc', purpose: 'file-extract', filename }, { maxRetries: 0 });
      } catch (e) {
        r = e;
      }
      const stored = (await files.list()).data.filter((x) => x.filename === filename);
      for (const x of stored) await files.delete(x.id);
      const seen = `${r?.kind ?? r?.id}, ${stored.length} stored`;
      if (chromium && stored.length === 2 && stored.some((x) => x.id === r?.id)) return;
      // Not resent: what every runtime sees.
      assert(r?.kind === 'connection' && r.attempts === 1 && stored.length === 1, seen);
      if (!chromium) return;
      assert(round < 3, `Chromium resent none of 3 uploads (update the README): ${seen}`);
    }
  });
  // A baseURL that is a path (a same-origin proxy) is read against the page's base URL in a browser page, or the
  // worker's location in a Web Worker, as fetch would read it; where there is neither, it is refused.
  await check('baseURL path', async () => {
    const base = globalThis.document?.baseURI ?? globalThis.location?.href;
    const urls = [];
    const fetch = async (url) => (urls.push(url), new Response('{"object":"list","data":[]}', { headers: { 'content-type': 'application/json' } }));
    let files, e;
    try {
      files = new LlmFiles({ provider: 'moonshot', apiKey: 'sk-runtime-test', baseURL: '/proxy/moonshot/v1/', fetch }).files;
    } catch (err) {
      e = err;
    }
    if (base === undefined) {
      assert(e?.kind === 'invalid_argument', `outside a page or worker: ${e?.kind ?? 'accepted'}`);
      return;
    }
    assert(files, `refused in a page or worker: ${e}`);
    await files.list();
    assert(urls.length === 1 && urls[0] === new URL('/proxy/moonshot/v1/files', base).href, urls.join(' '));
  });
  await check('capabilities', async () => {
    for (const provider of Object.keys(BASES)) {
      const caps = LlmFiles.capabilities(provider);
      const want = provider === 'zhipu' ? 'emulated' : 'native';
      assert(caps.provider === provider && caps.retrieve === want && caps.operations.retrieve === want, JSON.stringify(caps));
      assert(Object.values(caps.limits.maxFileBytes).every((n) => Number.isSafeInteger(n) && n > 0), JSON.stringify(caps.limits));
    }
  });
  return results;
}
