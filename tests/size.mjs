// Fails when what a browser app ships, the wasm plus the package's JS bundled and minified by esbuild, each
// gzip -9, exceeds the budget in bench/size-budget.json (measured as `npm run bench` measures it).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const gz = (b) => gzipSync(b, { level: 9 }).length;
const js = await build({ entryPoints: [`${root}pkg/browser.js`], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error' });
const wasm = gz(readFileSync(`${root}pkg/llm_files_bg.wasm`));
const glue = gz(js.outputFiles[0].contents);
const total = wasm + glue;
const budget = JSON.parse(readFileSync(`${root}bench/size-budget.json`, 'utf8')).gzipBytes;
const ok = total <= budget;
console.log(`size: wasm ${wasm} B + JS ${glue} B = ${total} B gzip -9, budget ${budget} B (target 25 KB: 25000 B)`);
console.log(`size: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
process.exit(ok ? 0 : 1);
