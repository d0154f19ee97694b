// `npm run bench:runs [-- N]`: runs bench/run.mjs N times (default 6), each in a fresh process, one after another,
// and prints, as the README's markdown tables, every figure's median over the runs and each ratio's range, with the
// targets of the size-and-speed issue and how many runs met each. One run moves with the machine; the README
// reports these medians. Keeps each run in bench/runs/ and writes bench/summary.json.
// `node bench/runs.mjs --from a.json b.json ...` only summarizes results files already written.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './common.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const args = process.argv.slice(2);
let files;
if (args[0] === '--from') {
  files = args.slice(1);
} else {
  const n = Number(args[0] ?? 6);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error('usage: bench/runs.mjs [runs, 1-50] | --from results.json ...');
  mkdirSync(here('./runs'), { recursive: true });
  files = [];
  for (let i = 1; i <= n; i++) {
    console.error(`bench run ${i} of ${n}`);
    execFileSync(process.execPath, ['--expose-gc', here('./run.mjs')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600000 });
    files.push(here(`./runs/run-${i}.json`));
    copyFileSync(here('./results.json'), files.at(-1));
  }
}
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (runs.length === 0) throw new Error('no runs to summarize');

/** `get(run)` over every run: its median, min and max, and how many runs `ok` accepts. */
const over = (get, ok = () => true) => { const v = runs.map(get); return { median: median(v), min: Math.min(...v), max: Math.max(...v), met: v.filter(ok).length }; };
const n = runs.length;
const f = (x, d = 2) => x.toFixed(d);
const us = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const span = (s, d = 2) => `${f(s.median, d)} (${f(s.min, d)}–${f(s.max, d)})`;
const dates = runs.map((r) => r.date).sort();
const summary = { runs: n, from: dates[0], to: dates.at(-1), machine: runs[0].machine, perOperation: [], figures: {}, targets: [] };

const out = [];
out.push(`Medians of ${n} runs, ${dates[0].slice(0, 16).replace('T', ' ')} to ${dates.at(-1).slice(11, 16)} UTC, ${runs[0].machine}; ratios: median (lowest–highest run).`, '');
out.push('| per operation (µs) | concurrency | raw fetch | raw + timeout | llm-files | openai-node | llm-files / raw | openai-node / raw | llm-files / (raw + timeout) |');
out.push('|---|---|---|---|---|---|---|---|---|');
runs[0].perOperation.forEach((p, i) => {
  const g = (k) => over((r) => r.perOperation[i][k]);
  const row = { op: p.op, concurrency: p.concurrency };
  for (const k of ['raw fetch', 'raw + timeout', 'llm-files', 'openai-node', 'llm-files / raw', 'openai-node / raw', 'llm-files / raw + timeout']) row[k] = g(k);
  summary.perOperation.push(row);
  out.push(`| ${p.op} | ${p.concurrency} | ${us(row['raw fetch'].median)} | ${us(row['raw + timeout'].median)} | ${us(row['llm-files'].median)} | ${us(row['openai-node'].median)} | ${span(row['llm-files / raw'])} | ${span(row['openai-node / raw'])} | ${span(row['llm-files / raw + timeout'])} |`);
});

const F = summary.figures;
F.upload = over((r) => r.upload256.ratio, (x) => x >= 0.95);
F.uploadMiBs = over((r) => r.upload256['llm-files'].mibPerSecond);
F.uploadRawMiBs = over((r) => r.upload256['raw fetch'].mibPerSecond);
F.wasmGrowth = over((r) => r.upload256['llm-files'].wasmGrowthBytes, (x) => x <= 2 ** 20);
for (const s of ['minimax', 'openai']) {
  F[`parse10k ${s}`] = over((r) => r.parse10k[s].ratio, (x) => x <= 1.5);
  F[`parse10k ${s} ms`] = over((r) => r.parse10k[s]['llm-files ms']);
  F[`parse10k ${s} wasm ms`] = over((r) => r.parse10k[s]['of which in wasm ms']);
  F[`parse10k ${s} baseline ms`] = over((r) => r.parse10k[s]['JSON.parse + map ms']);
}
F.idsExact = over((r) => Number(r.parse10k.minimaxIdExact), (x) => x === 1);
runs[0].ownCost.forEach((c, i) => {
  F[`own ${c.op}`] = over((r) => r.ownCost[i]['llm-files µs']);
  F[`own ${c.op} raw`] = over((r) => r.ownCost[i]['raw fetch µs']);
  F[`own ${c.op} adds`] = over((r) => r.ownCost[i]['llm-files adds µs']);
  F[`own ${c.op} ratio`] = over((r) => r.ownCost[i]['1 + adds / loopback raw']);
});
F.wasmRetrieve = over((r) => r.wasmPerCall['retrieve, all steps µs']);
F.wasmList = over((r) => r.wasmPerCall['list of 50, all steps µs']);
F.parseList = over((r) => r.wasmPerCall['decode + JSON.parse of the same body µs']);
F.cold = over((r) => r.coldStart.ratio, (x) => x < 1);
F.coldMs = over((r) => r.coldStart['llm-files ms']);
F.coldOpenAiMs = over((r) => r.coldStart['openai-node ms']);
F.size = over((r) => r.size['llm-files total gzip'], (x) => x <= 25000);
F.sizeOpenAi = over((r) => r.size['openai-node total gzip']);

out.push('', '| figure | llm-files | baseline | ratio |', '|---|---|---|---|');
out.push(`| 256 MiB upload from a Blob | ${f(F.uploadMiBs.median, 0)} MiB/s | raw fetch, same FormData: ${f(F.uploadRawMiBs.median, 0)} MiB/s | ${span(F.upload)} |`);
out.push(`| wasm memory growth during it | ${F.wasmGrowth.min === F.wasmGrowth.max ? `${f(F.wasmGrowth.max, 0)} B in every run` : `${f(F.wasmGrowth.min, 0)}–${f(F.wasmGrowth.max, 0)} B`} | | |`);
out.push(`| 10,000-file list, MiniMax shape (int64 ids ${F.idsExact.met === n ? 'exact in every run' : 'NOT exact in every run'}) | ${f(F['parse10k minimax ms'].median, 1)} ms, ${f(F['parse10k minimax wasm ms'].median, 1)} ms of it in wasm | \`JSON.parse\` + map (ids rounded): ${f(F['parse10k minimax baseline ms'].median, 1)} ms | ${span(F['parse10k minimax'])} |`);
out.push(`| 10,000-file list, OpenAI shape | ${f(F['parse10k openai ms'].median, 1)} ms, ${f(F['parse10k openai wasm ms'].median, 1)} ms of it in wasm | \`JSON.parse\` + map: ${f(F['parse10k openai baseline ms'].median, 1)} ms | ${span(F['parse10k openai'])} |`);
for (const c of runs[0].ownCost) {
  out.push(`| the client's own cost per ${c.op} (a fetch answering from memory) | ${us(F[`own ${c.op}`].median)} µs | raw fetch + \`JSON.parse\`: ${us(F[`own ${c.op} raw`].median)} µs | adds ${f(F[`own ${c.op} adds`].median, 1)} µs: ${f(F[`own ${c.op} ratio`].median)} × the loopback raw call |`);
}
out.push(`| the wasm's share of a retrieve / of a 50-file list (every step, canned response) | ${f(F.wasmRetrieve.median, 1)} / ${f(F.wasmList.median, 1)} µs | decode + \`JSON.parse\` of the same 50 files: ${f(F.parseList.median, 1)} µs | ${f(F.wasmList.median / F.parseList.median)} |`);
out.push(`| cold start (import + construct) | ${f(F.coldMs.median, 1)} ms | openai-node: ${f(F.coldOpenAiMs.median, 1)} ms | ${span(F.cold)} |`);
out.push(`| size, files-only program, esbuild \`--minify\`, gzip -9 | ${f(F.size.median, 0)} B | openai-node: ${f(F.sizeOpenAi.median, 0)} B | ${f(F.size.median / F.sizeOpenAi.median)} |`);

// What the sequential rows are made of, and the 10,000-file MiniMax list run by run (its baseline moves the most).
out.push('', '| sequential, per call | raw fetch (µs) | llm-files adds (µs) | raw + timeout / raw |', '|---|---|---|---|');
runs[0].perOperation.forEach((p, i) => {
  if (p.concurrency !== 1) return;
  const row = (r) => r.perOperation[i];
  const [raw, adds, timeout] = [over((r) => row(r)['raw fetch']), over((r) => row(r)['llm-files'] - row(r)['raw fetch']), over((r) => row(r)['raw + timeout'] / row(r)['raw fetch'])];
  out.push(`| ${p.op} | ${span(raw, 0)} | ${span(adds, 0)} | ${span(timeout)} |`);
});
const mm = (r) => r.parse10k.minimax;
out.push('', `10,000-file list, MiniMax shape, run by run (ratio at the baseline's time): ${runs.map((r) => `${f(mm(r).ratio)} at ${f(mm(r)['JSON.parse + map ms'], 1)} ms`).join(', ')}.`);

// The targets of the size-and-speed issue: per call, every row against raw fetch and against openai-node.
const worst = over((r) => Math.max(...r.perOperation.map((p) => p['llm-files / raw'])), (x) => x <= 1.1);
const beats = over((r) => Number(r.perOperation.every((p) => p['llm-files'] < p['openai-node'])), (x) => x === 1);
const T = (target, s, d = 2) => {
  summary.targets.push({ target, ...s });
  const shown = d === 'yes/no' ? (s.min === 1 ? 'yes' : s.max === 1 ? 'in some runs' : 'no') : `${f(s.median, d)} (${f(s.min, d)}–${f(s.max, d)})`;
  out.push(`| ${target} | ${shown} | ${s.met} of ${n} |`);
};
out.push('', '| target | median (lowest–highest run) | runs meeting it |', '|---|---|---|');
T('size gzip ≤ 25,000 B', F.size, 0);
T('per call ≤ 1.10 × raw fetch + `JSON.parse` (the worst of the eight rows)', worst);
T('per call below openai-node, on all eight rows', beats, 'yes/no');
T('256 MiB upload ≥ 0.95 × raw fetch', F.upload);
T('wasm memory growth during it ≤ 1 MiB (bytes)', F.wasmGrowth, 0);
T('10,000-file list, MiniMax shape ≤ 1.5 ×', F['parse10k minimax']);
T('10,000-file list, OpenAI shape ≤ 1.5 ×', F['parse10k openai']);
T('cold start below openai-node', F.cold);

console.log(out.join('\n'));
writeFileSync(here('./summary.json'), JSON.stringify(summary, null, 2) + '\n');
console.log('\nwrote bench/summary.json');
