import { fromMemory } from '/work/main/bench/common.mjs';
const op = process.argv[2] ?? 'retrieve';
const which = process.argv[3] ?? 'llm-files';
const c = fromMemory(op);
const fn = c[which];
const N = +(process.argv[4] ?? 20000);
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  console.log(which, op, ((performance.now() - t0) * 1000 / N).toFixed(1), 'µs');
}
