// What happens between calls changes what llm-files adds to one: each call is timed alone, with a fetch answering
// from memory, after one of: nothing (the call before it), a 1 ms sleep, an untimed loopback fetch to the mock, or
// a 32 MiB walk through memory. Raw fetch + JSON.parse, with and without a timeout, take turns with llm-files.
// Run: node bench/between.mjs [rounds]   (about 45 s; not part of `npm run bench`; figures in bench/NOTES.md)
import { auth, median, startMock, FROM_MEMORY, fromMemory } from './common.mjs';

const ROUNDS = Number(process.argv[2] ?? 3000);
const { child, url } = await startMock();
try {
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
  for (const op of Object.keys(FROM_MEMORY)) {
    const C = fromMemory(op);
    const ks = Object.keys(C);
    for (const [what, between] of Object.entries(BETWEEN)) {
      const P = Object.fromEntries(ks.map((k) => [k, []]));
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
      const [r, rt, l] = ks.map((k) => median(P[k]));
      console.log(`| ${op} | ${what} | ${r.toFixed(1)} | ${rt.toFixed(1)} | ${l.toFixed(1)} | ${(l - r).toFixed(1)} |`);
    }
  }
  if (sink < 0) console.log(sink);
} finally {
  child.kill();
}
