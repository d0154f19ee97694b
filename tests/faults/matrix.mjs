// The fault matrix: every provider × every operation × every fault, each with its expected outcome (a result,
// or an error's kind, retryable and attempts) and waiting time. Providers run side by side on one mock.
import { LlmFiles, LlmFilesError } from 'llm-files';
import { startMock } from '../mock/server.mjs';

const KEY = 'sk-matrix-SECRET-0123456789';
const PROVIDERS = ['minimax', 'moonshot', 'zhipu', 'openai'];
const OPS = ['create', 'list', 'listAll', 'retrieve', 'content', 'delete'];
const PURPOSE = { minimax: 't2a_async_input', moonshot: 'file-extract', zhipu: 'batch', openai: 'batch' };
const OK = { status_code: 0, status_msg: 'success' };
const HTML = (s) => `<html><head><title>${s}</title></head><body><center><h1>${s}</h1></center><hr><center>nginx</center></body></html>`;

// The mock request a fault must hit for each operation (Zhipu's retrieve is emulated from list pages).
const target = (p, op) => (op === 'listAll' || (p === 'zhipu' && op === 'retrieve') ? 'list' : op);
const listShaped = (p, op) => target(p, op) === 'list';

// A 200 body of the right envelope for (provider, op), with `file` as its file object(s) and `del` as the
// delete answer (a valid one when not given).
function shaped(p, op, file, del) {
  if (op === 'delete') return del ?? (p === 'minimax' ? { file_id: '__int:1', base_resp: OK } : { id: 'f1', object: 'file', deleted: true });
  if (listShaped(p, op)) return p === 'minimax' ? { files: [file], base_resp: OK } : { object: 'list', data: [file], has_more: false };
  return p === 'minimax' ? { file, base_resp: OK } : file;
}
const fileOf = (p, fields) => (p === 'minimax' ? { file_id: '__int:1', ...fields } : { id: 'f1', object: 'file', ...fields });
const text = (v) => JSON.stringify(v).replace(/"__int:([^"]+)"/g, '$1');

const rateLimitBody = {
  minimax: { base_resp: { status_code: 1002, status_msg: 'rate limit' } },
  moonshot: { error: { type: 'rate_limit_reached_error', message: 'please try again after 1 seconds' } },
  zhipu: { error: { code: '1302', message: '并发数过高' } },
  openai: { error: { type: 'requests', code: 'rate_limit_exceeded', message: 'slow down' } },
};

const ok = { ok: true };
const decodeUnlessContent = (p, op) => (op === 'content' ? ok : { kind: 'decode', retryable: false, attempts: 1 });
const shapeFault = (name, build, expect) => ({ name, times: 99, R: 1, fault: (p, op) => ({ status: 200, body: build(p, op) }), expect });

const FAULTS = [
  { name: 'connection refused', refused: true, R: 1, expect: { kind: 'connection', retryable: true, attempts: 2, waited: [370, 1500] } },
  { name: 'reset before the response', fault: { reset: true }, times: 1, R: 1, expect: { ...ok, waited: [370, 1500] } },
  { name: 'reset in the middle of the body', fault: { resetMidBody: true }, times: 1, R: 1, expect: ok },
  { name: 'headers never arrive', fault: { hang: true }, times: 99, R: 0, timeout: 150, expect: { kind: 'timeout', retryable: true, attempts: 1, waited: [140, 1500] } },
  // content() hands the body to the caller once headers arrive, so a stalled body is the caller's to time out.
  { name: 'body stalls mid-way', fault: { stallBody: true }, times: 99, R: 0, timeout: 150,
    expect: (p, op) => (op === 'content' ? ok : { kind: 'timeout', retryable: true, attempts: 1, waited: [140, 1500] }) },
  { name: '429 Retry-After in seconds', times: 1, R: 1, fault: (p) => ({ status: 429, headers: { 'retry-after': '1' }, body: rateLimitBody[p] }), expect: { ...ok, waited: [950, 2500] } },
  { name: '429 Retry-After as an HTTP date', times: 1, R: 1,
    fault: (p) => ({ status: 429, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() }, body: rateLimitBody[p] }), expect: { ...ok, waited: [900, 3000] } },
  { name: '429 retry-after-ms', times: 1, R: 1, fault: (p) => ({ status: 429, headers: { 'retry-after-ms': '200' }, body: rateLimitBody[p] }), expect: { ...ok, waited: [190, 1200] } },
  { name: 'x-should-retry: false on a 500', times: 99, R: 2, fault: { status: 500, headers: { 'x-should-retry': 'false' }, body: HTML('500 Internal Server Error') },
    expect: { kind: 'server', retryable: false, attempts: 1 } },
  ...[500, 502, 503, 504].map((status) => ({
    name: `${status} with an HTML body`, times: 99, R: 1, fault: { status, body: HTML(`${status} error`) },
    expect: { kind: 'server', retryable: true, attempts: 2, status, rawIncludes: '<html>', waited: [370, 1800] },
  })),
  { name: '200 with truncated JSON', times: 99, R: 1, fault: { status: 200, body: '{"file":{"file_id":1,"bytes":' },
    expect: (p, op) => (op === 'content' && p !== 'minimax' ? ok : { kind: 'decode', retryable: false, attempts: 1, rawIncludes: '{"file":' }) },
  { name: '200 with an empty body', times: 99, R: 1, fault: { status: 200, body: '' }, expect: decodeUnlessContent },
  shapeFault('200 with missing fields', (p, op) => text(shaped(p, op, fileOf(p, { filename: 'f' }), p === 'minimax' ? { file_id: 1 } : { id: 'f1', object: 'file' })),
    (p, op) => (op === 'content' ? ok : { kind: 'decode', retryable: false, attempts: 1 })),
  shapeFault('200 with wrong types', (p, op) => text(shaped(p, op, fileOf(p, { bytes: '12', created_at: 'yesterday', filename: 7 }),
    p === 'minimax' ? { base_resp: { status_code: '0' } } : { id: 'f1', object: 'file', deleted: 'yes' })),
    decodeUnlessContent),
  shapeFault('200 with nulls', (p, op) => text(shaped(p, op, fileOf(p, { bytes: null, created_at: null, filename: null }),
    p === 'minimax' ? { file_id: null, base_resp: null } : { id: null, object: 'file', deleted: null })),
    decodeUnlessContent),
  shapeFault('200 with huge numbers', (p, op) => text(shaped(p, op, fileOf(p, { bytes: '__int:1e400', created_at: '__int:99999999999999999999999', filename: 'f' }))),
    (p, op) => (op === 'content' || op === 'delete' ? ok : { kind: 'decode', retryable: false, attempts: 1 })),
  shapeFault('200 with an id above 2^63', (p, op) => text(shaped(p, op, p === 'minimax'
    ? { file_id: '__int:9223372036854775808', bytes: 1, created_at: 1, filename: 'f' }
    : { id: '__int:9223372036854775808', object: 'file', bytes: 1, created_at: 1, filename: 'f' })),
  (p, op) => (op === 'content' || op === 'delete' ? ok : { kind: 'decode', retryable: false, attempts: 1 })),
];

// Every documented code, from ../shared/providers.md, with the outcome this client promises.
const MINIMAX_CODES = {
  1000: ['server', true], 1001: ['timeout', true], 1002: ['rate_limit', true], 1004: ['authentication', false],
  1008: ['insufficient_balance', false], 1013: ['server', true], 1024: ['server', true], 1026: ['invalid_request', false],
  1027: ['invalid_request', false], 1033: ['server', true], 1039: ['rate_limit', true], 1041: ['rate_limit', true],
  1042: ['invalid_request', false], 1043: ['invalid_request', false], 1044: ['invalid_request', false], 2013: ['invalid_request', false],
  20132: ['invalid_request', false], 2037: ['invalid_request', false], 2038: ['permission_denied', false], 2039: ['invalid_request', false],
  2042: ['permission_denied', false], 2045: ['rate_limit', true], 2048: ['invalid_request', false], 2049: ['authentication', false],
  2056: ['rate_limit', false],
};
const MOONSHOT_TYPES = [
  [400, 'content_filter', 'invalid_request', false], [400, 'invalid_request_error', 'invalid_request', false],
  [401, 'invalid_authentication_error', 'authentication', false], [401, 'incorrect_api_key_error', 'authentication', false],
  [403, 'permission_denied_error', 'permission_denied', false], [404, 'resource_not_found_error', 'not_found', false],
  [429, 'engine_overloaded_error', 'rate_limit', true], [429, 'rate_limit_reached_error', 'rate_limit', true],
  [429, 'exceeded_current_quota_error', 'insufficient_balance', false], [403, 'exceeded_current_quota_error', 'insufficient_balance', false],
  [499, 'client_closed_request', 'connection', true], [500, 'server_error', 'server', true], [500, 'unexpected_output', 'server', true],
  [503, 'server_unavailable', 'server', true],
];
const ZHIPU_CODES = [
  ...['1000', '1001', '1002', '1003', '1004', '1005'].map((c) => [401, c, 'authentication', false]),
  ...['1110', '1111', '1112'].map((c) => [400, c, 'permission_denied', false]),
  [429, '1113', 'insufficient_balance', false], [400, '1210', 'invalid_request', false], [400, '1211', 'not_found', false],
  ...['1212', '1213', '1214', '1215', '1221', '1222', '1261', '1301'].map((c) => [400, c, 'invalid_request', false]),
  [403, '1220', 'permission_denied', false],
  ...['1302', '1303', '1305'].map((c) => [429, c, 'rate_limit', true]),
  ...['1304', '1308', '1309', '1310', '1311', '1312', '1313', '1314', '1315', '1316', '1317', '1318', '1319', '1320', '1321'].map((c) => [429, c, 'rate_limit', false]),
  ...['1200', '1230', '1234', '-'].map((c) => [500, c, 'server', true]),
  [434, null, 'permission_denied', false], [435, null, 'invalid_request', false],
];
const codeFault = (provider, name, fault, kind, retryable, code, status) =>
  ({ only: provider, name, times: 99, R: 0, fault, expect: { kind, retryable, attempts: 1, code, status } });
FAULTS.push(
  ...Object.entries(MINIMAX_CODES).map(([c, [kind, retryable]]) => codeFault('minimax', `MiniMax ${c}`, { minimaxCode: Number(c) }, kind, retryable, c, 200)),
  ...MOONSHOT_TYPES.map(([status, type, kind, retryable]) =>
    codeFault('moonshot', `Moonshot ${status} ${type}`, { status, body: { error: { type, message: 'm' } } }, kind, retryable, type, status)),
  ...ZHIPU_CODES.map(([status, code, kind, retryable]) =>
    codeFault('zhipu', `Zhipu ${status} ${code ?? '(HTTP only)'}`, { status, body: code ? { error: { code, message: 'm' } } : '<html>denied</html>' }, kind, retryable, code, status)),
);

async function perform(c, provider, op, seeded) {
  const purpose = PURPOSE[provider];
  switch (op) {
    case 'create': return c.files.create({ file: 'matrix payload', purpose, filename: 'matrix.txt' });
    case 'list': return c.files.list({ purpose });
    case 'listAll': { const all = []; for await (const f of c.files.listAll()) all.push(f); return all; }
    case 'retrieve': return c.files.retrieve(seeded.id);
    case 'content': { const res = await c.files.content(seeded.id); res.body?.cancel().catch(() => {}); return res; }
    case 'delete': return c.files.delete(seeded.id, { purpose });
  }
}

function judge(expect, result, error, waited) {
  const problems = [];
  if (expect.ok) {
    if (error) problems.push(`expected a result, got ${error.kind}: ${error.message}`);
  } else if (!error) {
    problems.push(`expected ${expect.kind}, got a result`);
  } else {
    if (!(error instanceof LlmFilesError)) problems.push(`not an LlmFilesError: ${error}`);
    for (const k of ['kind', 'retryable', 'attempts', 'status']) {
      if (expect[k] !== undefined && error[k] !== expect[k]) problems.push(`${k} ${error[k]}, expected ${expect[k]}`);
    }
    if ('code' in expect && expect.code !== undefined && error.code !== expect.code) problems.push(`code ${error.code}, expected ${expect.code}`);
    if (expect.rawIncludes && !String(error.raw).includes(expect.rawIncludes)) problems.push(`raw ${JSON.stringify(error.raw)}`);
    if ([JSON.stringify(error), String(error.stack), String(error), error.message].some((t) => t.includes(KEY))) problems.push('key leaked');
  }
  if (expect.waited && (waited < expect.waited[0] || waited > expect.waited[1])) problems.push(`waited ${Math.round(waited)} ms, expected ${expect.waited.join('–')}`);
  return problems;
}

export async function runMatrix({ log = console.log } = {}) {
  const mock = await startMock();
  const dead = await startMock();
  await dead.close();
  const counts = { scenarios: 0, held: 0 };
  const failures = [];
  try {
    await Promise.all(PROVIDERS.map(async (provider) => {
      const seeder = new LlmFiles({ provider, apiKey: KEY, baseURL: mock.base(provider) });
      for (const f of FAULTS.filter((x) => !x.only || x.only === provider)) {
        for (const op of OPS) {
          mock.state.files[provider].clear();
          mock.state.faults = mock.state.faults.filter((x) => x.provider !== provider);
          const seeded = await seeder.files.create({ file: 'seed', purpose: PURPOSE[provider], filename: 'seed.txt' });
          const options = { provider, apiKey: KEY, maxRetries: f.R, timeout: f.timeout ?? 5000 };
          const c = new LlmFiles({ ...options, baseURL: (f.refused ? dead : mock).base(provider) });
          if (f.fault) {
            const fault = typeof f.fault === 'function' ? f.fault(provider, op) : f.fault;
            mock.state.faults.push({ provider, op: target(provider, op), times: f.times, fault });
          }
          const t0 = performance.now();
          let result, error;
          try {
            result = await perform(c, provider, op, seeded);
          } catch (e) {
            error = e;
          }
          const waited = performance.now() - t0;
          mock.state.faults = mock.state.faults.filter((x) => x.provider !== provider);
          const expect = typeof f.expect === 'function' ? f.expect(provider, op) : f.expect;
          const problems = judge(expect, result, error, waited);
          counts.scenarios++;
          if (problems.length === 0) counts.held++;
          else failures.push(`${provider} ${op} / ${f.name}: ${problems.join('; ')}`);
        }
      }
    }));
  } finally {
    await mock.close();
  }
  for (const f of failures) log(`  ✗ ${f}`);
  return { ...counts, failures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const { scenarios, held } = await runMatrix();
  console.log(`fault matrix: ${scenarios} scenarios in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`fault matrix: ${held} passed, ${scenarios - held} failed`);
  process.exit(held === scenarios ? 0 : 1);
}
