// Runs tsc --strict on usage.mts (ESM, nodenext; and again under `moduleResolution: bundler`, as Vite projects
// set it) and usage.cts (CommonJS, node16: what a `require` consumer resolves), and reports in the plain
// closing-line form.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
const dir = fileURLToPath(new URL('.', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const projects = ['tsconfig.json', 'tsconfig.bundler.json', 'tsconfig.cjs.json'];
let passed = 0;
for (const project of projects) {
  const r = spawnSync(process.execPath, [tsc, '-p', dir + project], { stdio: 'inherit' });
  if (r.status === 0) passed++;
  else console.log(`tsc: ${project} failed`);
}
console.log(`tsc: ${passed} passed, ${projects.length - passed} failed`);
process.exit(passed === projects.length ? 0 : 1);
