// What happens between calls changes what llm-files adds to one: each call is timed alone, with a fetch answering
// from memory, after one of: nothing (the call before it), a 1 ms sleep, an untimed loopback fetch to the mock, or
// a 32 MiB walk through memory. Raw fetch + JSON.parse, with and without a timeout, take turns with llm-files.
// Run: node bench/between.mjs [rounds]   (about 2 min; not part of `npm run bench`; figures in bench/NOTES.md)
import { spawn } from 'node:child_process';
import { LlmFiles } from 'llm-files';

const ROUNDS = Number(process.argv[2] ?? 1500);
const KEY = 'sk-bench';
const auth = { Authorization: 'Bearer ' + KEY };
const mk = (i) => ({ id: `file-${i}abcdefghijklmnop`, object: 'file', bytes: 1024, created_at: 1700000000 + i, filename: 'upload.bin', purpose: 'file-extract', status: 'ok', status_details: '' });
const BODIES = { retrieve: JSON.stringify(mk(0)), 'list (50 files)': JSON.stringify({ object: 'list', data: Array.from({ length: 50 }, (_, i) => mk(i)) }) };

const child = spawn(process.execPath, [new URL('../tests/mock/server.mjs', import.meta.url).pathname, '0', '--sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the mock did not start within 10 s')), 10000);
    child.stdout.on('data', (d) => {
      const m = /listening on (\S+)/.exec(String(d));
      if (m) clearTimeout(timer), resolve(m[1]);
    });
  });
  const big = new Uint8Array(32 << 20);
  let sink = 0;
  const BETWEEN = {
    'the call before it': null,
    'a 1 ms sleep': () => new Promise((r) => setTimeout(r, 1)),
    'a loopback fetch': async () => (await fetch(`${url}/moonshot/v1/files`, { headers: auth })).text(),
    'a 32 MiB memory walk': async () => {
      for (let i = 0; i < big.length; i += 64) sink += big[i]++;
    },
  };
  console.log('| operation | between calls | raw fetch (µs) | raw + timeout (µs) | llm-files (µs) | llm-files adds (µs) |');
  console.log('|---|---|---|---|---|---|');
  for (const [op, body] of Object.entries(BODIES)) {
    const fromMemory = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
    const files = new LlmFiles({ provider: 'moonshot', apiKey: KEY, baseURL: 'http://memory.invalid/v1', fetch: fromMemory, maxRetries: 0 }).files;
    const u = op === 'retrieve' ? 'http://memory.invalid/v1/files/file-0' : 'http://memory.invalid/v1/files';
    const C = {
      raw: async () => JSON.parse(await (await fromMemory(u, { headers: auth })).text()),
      rawT: async () => {
        const c = new AbortController();
        const t = setTimeout(() => c.abort(), 600000);
        try {
          return JSON.parse(await (await fromMemory(u, { headers: auth, signal: c.signal })).text());
        } finally {
          clearTimeout(t);
        }
      },
      llm: () => (op === 'retrieve' ? files.retrieve('file-0') : files.list()),
    };
    for (const [what, between] of Object.entries(BETWEEN)) {
      const P = { raw: [], rawT: [], llm: [] };
      const ks = Object.keys(C);
      // The walk takes milliseconds a call: fewer rounds.
      const rounds = what.includes('walk') ? Math.ceil(ROUNDS / 3) : ROUNDS;
      for (let i = 0; i < rounds; i++) {
        for (const k of i % 2 ? ks : [...ks].reverse()) {
          await (between ?? C[k])();
          const t = performance.now();
          await C[k]();
          if (i >= rounds / 10) P[k].push((performance.now() - t) * 1000);
        }
      }
      const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
      const [r, rt, l] = [med(P.raw), med(P.rawT), med(P.llm)];
      console.log(`| ${op} | ${what} | ${r.toFixed(1)} | ${rt.toFixed(1)} | ${l.toFixed(1)} | ${(l - r).toFixed(1)} |`);
    }
  }
  if (sink < 0) console.log(sink);
} finally {
  child.kill();
}
