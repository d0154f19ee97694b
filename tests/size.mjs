// Fails when the shipped wasm + JS glue, gzip -9, exceed the budget in bench/size-budget.json.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const pkg = new URL('../pkg/', import.meta.url);
const snippet = readdirSync(new URL('snippets/', pkg)).find((d) => d.startsWith('llm-files-'));
const files = ['llm_files_bg.wasm', 'llm_files.js', 'browser.js', `snippets/${snippet}/js/runtime.js`];
const budget = JSON.parse(readFileSync(new URL('../bench/size-budget.json', import.meta.url), 'utf8')).gzipBytes;
let total = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(new URL(f, pkg)), { level: 9 }).length;
  total += gz;
  console.log(`  ${f}: ${gz} B gzip`);
}
const ok = total <= budget;
console.log(`size: ${total} B gzip for wasm + glue, budget ${budget} B (target 25600 B)`);
console.log(`size: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
process.exit(ok ? 0 : 1);
