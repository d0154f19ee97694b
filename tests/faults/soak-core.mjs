// The soak's workload, runnable in Node and inside a Worker: `count` mixed operations, `concurrency` at a time,
// through one client per provider. Returns what each operation did, for the caller to check against the mock.
const BASES = { minimax: '/minimax', moonshot: '/moonshot/v1', zhipu: '/zhipu/api/paas/v4', openai: '/openai/v1' };
const PURPOSE = { minimax: 't2a_async_input', moonshot: 'file-extract', zhipu: 'batch', openai: 'batch' };
const MIX = [['create', 0.3], ['delete', 0.3], ['list', 0.15], ['retrieve', 0.15], ['content', 0.1]];

const clients = new Map();
const live = { minimax: [], moonshot: [], zhipu: [], openai: [] };

export async function soak({ LlmFiles, mockUrl, count, concurrency, seed, first = 0 }) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 4294967296);
  const providers = Object.keys(BASES);
  const client = (p) => {
    if (!clients.has(p)) clients.set(p, new LlmFiles({ provider: p, apiKey: 'sk-soak-SECRET-0123456789', baseURL: mockUrl + BASES[p], maxRetries: 6, timeout: 10_000 }));
    return clients.get(p);
  };
  const pickOp = () => {
    let r = rand();
    for (const [op, w] of MIX) if ((r -= w) < 0) return op;
    return 'list';
  };
  const results = [];
  const one = async (i) => {
    const p = providers[Math.floor(rand() * providers.length)];
    let op = pickOp();
    const files = client(p).files;
    const ids = live[p];
    if (op !== 'create' && op !== 'list' && ids.length === 0) op = 'create';
    // A bounded pool keeps the workload stationary (list answers stop growing), so memory measures leaks only.
    if (op === 'create' && ids.length >= 40) op = 'delete';
    // An operation on a file takes its id out of the pool while it runs, so a delete never races a read.
    const id = op === 'create' || op === 'list' ? undefined : ids.splice(Math.floor(rand() * ids.length), 1)[0];
    const filename = `soak-${i}.txt`;
    const r = { i, p, op, id, filename, ok: true };
    try {
      if (op === 'create') {
        r.id = (await files.create({ file: `payload ${i}`, purpose: PURPOSE[p], filename })).id;
        ids.push(r.id);
      } else if (op === 'list') await files.list({ purpose: PURPOSE[p] });
      else if (op === 'retrieve') await files.retrieve(id);
      else if (op === 'content') await (await files.content(id)).arrayBuffer();
      else await files.delete(id, { purpose: PURPOSE[p] });
      if (op === 'retrieve' || op === 'content') ids.push(id);
    } catch (e) {
      r.ok = false;
      r.kind = e?.kind ?? String(e);
      r.message = e?.message;
    }
    results.push(r);
  };
  let next = first;
  const end = first + count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < end) await one(next++);
  }));
  return results;
}
