// What the bench scripts share: the mock in a child process, the median, the timeout every client pays, and the
// retrieve and 50-file list answered from memory that time the client's own cost.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LlmFiles } from 'llm-files';

export const KEY = 'sk-bench';
export const auth = { Authorization: `Bearer ${KEY}` };

/** The median of `xs` (the mean of the middle two for an even count). */
export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** The mock providers in a child process, so its work is not counted against any client: `{ child, url }`. */
export async function startMock() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../tests/mock/server.mjs', import.meta.url)), '0', '--sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { const m = /listening on (\S+)/.exec(String(d)); if (m) resolve(m[1]); });
    child.on('exit', reject);
  });
  return { child, url };
}

/** `fn(arg, signal)` under what any per-request timeout costs: an AbortController whose signal fetch follows, and a
 *  timer. llm-files and openai-node both do this; raw fetch alone does not. */
export const withTimeout = (fn) => async (arg) => {
  const c = new AbortController();
  const timer = setTimeout(() => c.abort(), 600000);
  try {
    return await fn(arg, c.signal);
  } finally {
    clearTimeout(timer);
  }
};

/** A Moonshot file object. */
export const mkFile = (i) => ({ id: `file-${i}abcdefghijklmnop`, object: 'file', bytes: 1024, created_at: 1700000000 + i, filename: 'upload.bin', purpose: 'file-extract', status: 'ok', status_details: '' });
/** A Moonshot list of 50 of them, as text. */
export const LIST_50 = JSON.stringify({ object: 'list', data: Array.from({ length: 50 }, (_, i) => mkFile(i)) });

/** The operations timed without the network, each with the body its fetch answers from memory. */
export const FROM_MEMORY = { retrieve: JSON.stringify(mkFile(0)), 'list (50 files)': LIST_50 };

/** For `op` of FROM_MEMORY, a fetch answering from memory and the contenders that call it: raw fetch +
 *  JSON.parse, the same with a timeout, and llm-files. */
export function fromMemory(op) {
  const body = FROM_MEMORY[op];
  const answer = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
  const client = new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL: 'http://memory.invalid/v1', fetch: answer }).files;
  const url = op === 'retrieve' ? 'http://memory.invalid/v1/files/file-0' : 'http://memory.invalid/v1/files';
  const plain = async (signal) => JSON.parse(await (await answer(url, { headers: auth, signal })).text());
  return {
    'raw fetch': () => plain(),
    'raw + timeout': withTimeout((_, signal) => plain(signal)),
    'llm-files': op === 'retrieve' ? () => client.retrieve('file-0') : () => client.list(),
  };
}
