// Mock MiniMax, Moonshot, Zhipu and OpenAI-compatible file APIs on 127.0.0.1, faithful to ../shared/providers.md:
// MiniMax answers errors as HTTP 200 + base_resp and uses int64 ids (above 2^53 here on purpose), Moonshot lists
// without parameters, Zhipu needs a purpose to list and pages with `after`. No dependencies.
//
//   base URLs: {url}/minimax  {url}/moonshot/v1  {url}/zhipu/api/paas/v4  {url}/openai/v1
//   control:   POST /__mock/faults [{provider?, op?, purpose?, times?, fault}]   POST /__mock/reset   GET /__mock/state
//   faults:    {status, headers?, body?} | {reset:true} | {resetAfterHandling:true} | {resetMidBody:true}
//              | {hang:true} | {stallBody:true} | {delayMs} | {minimaxCode, msg?}
//              | {hangAfterHandling:true} | {statusAfterHandling} (the operation is carried out, then the answer is lost)
//   auth:      any bearer token except one starting with "invalid" (or none) is accepted.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const ID_HEADERS = { minimax: 'Trace-Id', moonshot: 'Msh-Request-Id', zhipu: 'x-request-id', openai: 'x-request-id' };
const EXPOSE = 'Trace-Id, Msh-Request-Id, x-request-id, ga-traceid, x-log-id, minimax-request-id, x-mm-request-id, alb_request_id, x-msh-trace-id, Retry-After, retry-after-ms, x-should-retry, Content-Type, Date';
const MINIMAX_LISTABLE = ['voice_clone', 'prompt_audio', 't2a_async_input', 'video_generation_input'];
const ZHIPU_LISTABLE = ['batch', 'code-interpreter', 'agent'];
const BASES = { minimax: '/minimax', moonshot: '/moonshot/v1', zhipu: '/zhipu/api/paas/v4', openai: '/openai/v1' };

// A seeded PRNG (mulberry32), so a random-fault run can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Faults injected at random with `faultRate`: each is survivable by a client that retries safely.
function randomFault(rand, provider) {
  const quick = { 'retry-after-ms': '5' };
  const faults = [
    { reset: true },
    { resetAfterHandling: true },
    { statusAfterHandling: 502 },
    { status: 503, headers: quick, body: '<html><body>503 Service Unavailable</body></html>' },
    provider === 'minimax' ? { minimaxCode: 1002, msg: 'rate limit' } : { status: 429, headers: quick, body: { error: { type: 'rate_limit_reached_error', code: '1302', message: 'slow down' } } },
    { delayMs: 30 },
  ];
  return faults[Math.floor(rand() * faults.length)];
}

/** Starts the mock; resolves to { url, port, base(provider), state, close() }. `faultRate` injects random faults. */
export async function startMock({ port = 0, host = '127.0.0.1', faultRate = 0, seed = 1, sink = false } = {}) {
  const rand = prng(seed);
  const state = {
    sink, files: {}, log: [], faults: [], seq: 0, clock: 0, minimaxNext: 2n ** 53n + 1n,
    // How far the provider's clock is from the machine's, in ms: its `Date` headers and `created_at` follow it.
    skewMs: 0 };
  const reset = () => {
    state.files = { minimax: new Map(), moonshot: new Map(), zhipu: new Map(), openai: new Map() };
    state.log = [];
    state.faults = [];
  };
  reset();
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    handle(state, reset, req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`mock failure: ${err?.stack ?? err}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  state.randomFault = faultRate > 0 ? (provider) => (rand() < faultRate ? randomFault(rand, provider) : undefined) : () => undefined;
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    port: server.address().port,
    base: (provider) => url + BASES[provider],
    state,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function cors(req) {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
    'access-control-expose-headers': EXPOSE,
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

// JSON text with MiniMax ids written as bare integers (JSON.stringify would need Numbers, which round above 2^53).
function jsonText(value) {
  return JSON.stringify(value).replace(/"__int:(-?\d+)"/g, '$1');
}

function routeOf(method, path) {
  for (const [provider, base] of Object.entries(BASES)) {
    if (!path.startsWith(base + '/')) continue;
    const rest = path.slice(base.length);
    if (provider === 'minimax') {
      const op = { 'POST /v1/files/upload': 'create', 'GET /v1/files/list': 'list', 'GET /v1/files/retrieve': 'retrieve',
        'GET /v1/files/retrieve_content': 'content', 'POST /v1/files/delete': 'delete' }[`${method} ${rest}`];
      return { provider, op: op ?? 'unknown' };
    }
    if (rest === '/files') return { provider, op: method === 'POST' ? 'create' : method === 'GET' ? 'list' : 'unknown' };
    const m = /^\/files\/([^/]+)(\/content)?$/.exec(rest);
    if (m) {
      const id = decodeURIComponent(m[1]);
      if (m[2]) return { provider, op: method === 'GET' ? 'content' : 'unknown', id };
      return { provider, op: method === 'GET' ? 'retrieve' : method === 'DELETE' ? 'delete' : 'unknown', id };
    }
    return { provider, op: 'unknown' };
  }
  return null;
}

async function handle(state, reset, req, res) {
  if (state.skewMs) res.setHeader('Date', new Date(Date.now() + state.skewMs).toUTCString());
  const url = new URL(req.url, 'http://mock');
  const path = url.pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, cors(req));
    return res.end();
  }
  if (path.startsWith('/__mock/')) return control(state, reset, req, res, path);
  const route = routeOf(req.method, path);
  // Benchmarks: uploads are counted as they stream in, never buffered or parsed.
  if (state.sink && route?.op === 'create') return sinkUpload(state, route, req, res);
  const body = await readBody(req);
  const entry = { provider: route?.provider, op: route?.op, method: req.method, path, rawPath: req.url.split('?')[0],
    query: Object.fromEntries(url.searchParams), headers: req.headers, bodyBytes: body.length, at: Date.now(),
    bodyText: /json/.test(req.headers['content-type'] ?? '') ? body.toString() : undefined };
  state.log.push(entry);
  if (!route) return send(res, req, 404, {}, 'text/plain', 'no such route');
  const requestId = `${route.provider}-req-${++state.seq}`;
  const headers = { ...cors(req), [ID_HEADERS[route.provider]]: requestId };
  if (route.provider === 'zhipu') headers['ga-traceid'] = `ga-${state.seq}`;

  const fault = takeFault(state, route, url.searchParams.get('purpose')) ?? state.randomFault(route.provider);
  if (fault) state.injected = (state.injected ?? 0) + 1;
  if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault?.reset) return req.socket.destroy();
  if (fault?.hang) return; // the client's timeout or abort ends it; close() destroys the socket
  if (fault?.status) {
    const b = typeof fault.body === 'string' ? fault.body : fault.body === undefined ? '' : jsonText(fault.body);
    const type = typeof fault.body === 'string' && !fault.body.startsWith('{') ? 'text/html' : 'application/json';
    return send(res, req, fault.status, { ...headers, ...fault.headers }, type, b);
  }
  if (fault?.minimaxCode) {
    return send(res, req, 200, headers, 'application/json',
      jsonText({ base_resp: { status_code: fault.minimaxCode, status_msg: fault.msg ?? 'error' } }));
  }

  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  const answer = (!key || key.startsWith('invalid'))
    ? authError(route.provider)
    : await operate(state, route, req, url, body);
  if (fault?.resetAfterHandling) return req.socket.destroy();
  if (fault?.hangAfterHandling) return;
  if (fault?.statusAfterHandling) {
    return send(res, req, fault.statusAfterHandling, headers, 'text/html', '<html><body>502 Bad Gateway</body></html>');
  }
  if (fault?.resetMidBody || fault?.stallBody) {
    res.writeHead(answer.status, { ...headers, 'content-type': answer.type, 'content-length': String(Buffer.byteLength(answer.body) + 100) });
    res.write(Buffer.from(answer.body).subarray(0, Math.max(1, Math.floor(Buffer.byteLength(answer.body) / 2))));
    if (fault.resetMidBody) setTimeout(() => req.socket.destroy(), 20);
    return;
  }
  send(res, req, answer.status, { ...headers, ...answer.headers }, answer.type, answer.body);
}

async function sinkUpload(state, route, req, res) {
  let bytes = 0;
  for await (const c of req) bytes += c.length;
  const id = route.provider === 'minimax' ? String(state.minimaxNext++) : `file-${++state.seq}`;
  const f = { id, bytes, created_at: Math.floor(Date.now() / 1000), filename: 'upload.bin', purpose: 'file-extract', content: Buffer.alloc(0) };
  state.files[route.provider].set(id, f);
  const obj = publicObject(route.provider, f);
  send(res, req, 200, { ...cors(req), [ID_HEADERS[route.provider]]: `sink-${state.seq}` }, 'application/json',
    jsonText(route.provider === 'minimax' ? { file: obj, base_resp: OK } : obj));
}

function takeFault(state, route, purpose) {
  const i = state.faults.findIndex((f) => (!f.provider || f.provider === route.provider) && (!f.op || f.op === route.op) && (!f.purpose || f.purpose === purpose));
  if (i < 0) return undefined;
  const f = state.faults[i];
  if (--f.times <= 0) state.faults.splice(i, 1);
  return f.fault;
}

function send(res, req, status, headers, type, body) {
  res.writeHead(status, { ...headers, 'content-type': type });
  res.end(body);
}

async function control(state, reset, req, res, path) {
  const body = await readBody(req);
  if (path === '/__mock/reset') reset();
  else if (path === '/__mock/faults') {
    for (const f of JSON.parse(body.toString() || '[]')) state.faults.push({ times: 1, ...f });
  } else if (path !== '/__mock/state') return send(res, req, 404, cors(req), 'text/plain', 'unknown control');
  const files = Object.fromEntries(Object.entries(state.files).map(([p, m]) =>
    [p, [...m.values()].map(({ content, ...meta }) => meta)]));
  const log = state.log.map(({ headers, ...e }) => e);
  send(res, req, 200, cors(req), 'application/json', JSON.stringify({ files, log, pendingFaults: state.faults.length }));
}

const json = (status, value, extra = {}) => ({ status, type: 'application/json', body: jsonText(value), headers: extra });

function authError(provider) {
  switch (provider) {
    case 'minimax': return json(200, { base_resp: { status_code: 1004, status_msg: 'login fail: Please carry the API secret key in the Authorization field' } });
    case 'moonshot': return json(401, { error: { message: 'Invalid Authentication', type: 'invalid_authentication_error' } });
    case 'zhipu': return json(401, { error: { code: '1000', message: '身份验证失败。' } });
    default: return json(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  }
}

function notFound(provider) {
  switch (provider) {
    case 'minimax': return json(200, { base_resp: { status_code: 2013, status_msg: 'file not found' } });
    case 'moonshot': return json(404, { error: { message: 'file not found', type: 'resource_not_found_error' } });
    case 'zhipu': return json(404, { error: { code: '404', message: '文件不存在' } });
    default: return json(404, { error: { message: 'No such File object', type: 'invalid_request_error', param: 'id', code: null } });
  }
}

function badRequest(provider, message) {
  switch (provider) {
    case 'minimax': return json(200, { base_resp: { status_code: 2013, status_msg: message } });
    case 'moonshot': return json(400, { error: { message, type: 'invalid_request_error' } });
    case 'zhipu': return json(400, { error: { code: '1210', message } });
    default: return json(400, { error: { message, type: 'invalid_request_error', param: null, code: null } });
  }
}

function publicObject(provider, f) {
  if (provider === 'minimax') {
    return { file_id: `__int:${f.id}`, bytes: f.bytes, created_at: f.created_at, filename: f.filename, purpose: f.purpose };
  }
  const o = { id: f.id, object: 'file', bytes: f.bytes, created_at: f.created_at, filename: f.filename, purpose: f.purpose };
  if (provider === 'moonshot') Object.assign(o, { status: 'ok', status_details: '' });
  if (provider === 'openai') o.status = 'processed';
  return o;
}

const OK = { status_code: 0, status_msg: 'success' };


async function operate(state, route, req, url, body) {
  const { provider, op } = route;
  const store = state.files[provider];
  const mm = provider === 'minimax';
  const findId = () => (mm ? url.searchParams.get('file_id') : route.id);
  switch (op) {
    case 'create': {
      let form;
      try {
        form = await new Request('http://mock/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
      } catch {
        return badRequest(provider, 'expected multipart/form-data');
      }
      const file = form.get('file');
      const purpose = form.get('purpose');
      if (!purpose || typeof file === 'string' || !file) return badRequest(provider, 'file and purpose are required');
      const content = Buffer.from(await file.arrayBuffer());
      const id = mm ? String(state.minimaxNext++) : provider === 'moonshot' ? `cl${(++state.seq).toString(36)}mock${content.length}` : `file-${++state.seq}`;
      // Real Unix seconds, strictly increasing so ordering stays well defined.
      state.clock = Math.max(state.clock + 1, Math.floor((Date.now() + state.skewMs) / 1000));
      const f = { id, bytes: content.length, created_at: state.clock, filename: file.name, purpose, content };
      store.set(id, f);
      const obj = publicObject(provider, f);
      return mm ? json(200, { file: obj, base_resp: OK }) : json(200, obj);
    }
    case 'list': {
      const all = [...store.values()];
      if (mm) {
        const purpose = url.searchParams.get('purpose');
        if (!MINIMAX_LISTABLE.includes(purpose)) return badRequest(provider, 'invalid purpose');
        return json(200, { files: all.filter((f) => f.purpose === purpose).map((f) => publicObject(provider, f)), base_resp: OK });
      }
      if (provider === 'moonshot') return json(200, { object: 'list', data: all.map((f) => publicObject(provider, f)) });
      const purpose = url.searchParams.get('purpose');
      if (provider === 'zhipu' && !ZHIPU_LISTABLE.includes(purpose)) return badRequest(provider, 'purpose is required');
      let files = purpose ? all.filter((f) => f.purpose === purpose) : all;
      const order = url.searchParams.get('order');
      if (provider === 'openai' && order !== 'asc') files = files.slice().reverse();
      const after = url.searchParams.get('after');
      if (after) {
        const i = files.findIndex((f) => f.id === after);
        files = i < 0 ? [] : files.slice(i + 1);
      }
      const limit = Number(url.searchParams.get('limit') ?? 20);
      // Zhipu documents limit 1–100.
      if (provider === 'zhipu' && !(limit >= 1 && limit <= 100)) return badRequest(provider, 'limit must be 1-100');
      return json(200, { object: 'list', data: files.slice(0, limit).map((f) => publicObject(provider, f)), has_more: files.length > limit });
    }
    case 'retrieve': {
      if (provider === 'zhipu') return json(404, { error: { code: '1222', message: 'API not found' } });
      const f = store.get(findId());
      if (!f) return notFound(provider);
      const obj = publicObject(provider, f);
      return mm ? json(200, { file: { ...obj, download_url: `http://mock/download/${f.id}` }, base_resp: OK }) : json(200, obj);
    }
    case 'content': {
      const f = store.get(findId());
      if (!f) return notFound(provider);
      // MiniMax's OpenAPI declares its downloads application/json: a JSON file is served so, for the client to check.
      const type = provider === 'moonshot' ? 'text/plain; charset=utf-8' : mm && f.filename.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      return { status: 200, type, body: f.content, headers: {} };
    }
    case 'delete': {
      let id = route.id;
      if (mm) {
        let payload;
        try {
          payload = JSON.parse(body.toString().replace(/"file_id"\s*:\s*(-?\d+)/, '"file_id":"$1"'));
        } catch {
          return badRequest(provider, 'invalid json');
        }
        if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return badRequest(provider, 'content-type must be application/json');
        if (!payload.purpose) return badRequest(provider, 'purpose is required');
        id = payload.file_id;
        const f = store.get(id);
        if (!f || f.purpose !== payload.purpose) return notFound(provider);
        store.delete(id);
        return json(200, { file_id: `__int:${id}`, base_resp: OK });
      }
      if (!store.has(id)) return notFound(provider);
      store.delete(id);
      return json(200, { id, object: 'file', deleted: true });
    }
    default:
      return badRequest(provider, 'unknown route');
  }
}

// `node tests/mock/server.mjs [port]` runs it on its own (the demo and browser tests do).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const mock = await startMock({ port: Number(process.argv[2] ?? 0), sink: process.argv.includes('--sink') });
  console.log(`mock providers listening on ${mock.url}`);
  const stop = () => mock.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
