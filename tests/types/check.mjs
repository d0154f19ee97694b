// Runs tsc --strict, under TypeScript 5.9 and 7, on usage.mts (ESM, nodenext; again under `moduleResolution:
// bundler`, as Vite projects set it; with `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess`; and in a Node
// project without the DOM lib, its globals from @types/node, which the lockfile pins through Vite) and usage.cts
// (CommonJS, node16: what a `require` consumer resolves), and reports in the plain closing-line form.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
const dir = fileURLToPath(new URL('.', import.meta.url));
// TypeScript 5.9 (the devDependency) and 7 (the native compiler, npm's `latest`; pinned in .tools/ by setup.sh).
const compilers = { 'tsc 5.9': '../../node_modules/typescript/bin/tsc', 'tsc 7': '../../.tools/node_modules/typescript/bin/tsc' };
const projects = ['tsconfig.json', 'tsconfig.bundler.json', 'tsconfig.exact.json', 'tsconfig.nodelib.json', 'tsconfig.cjs.json'];
let passed = 0;
let failed = 0;
for (const [name, path] of Object.entries(compilers)) {
  const tsc = fileURLToPath(new URL(path, import.meta.url));
  const v = spawnSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' }).stdout?.trim();
  for (const project of projects) {
    // The version is checked too, so a missing or different compiler cannot pass as this one.
    const r = spawnSync(process.execPath, [tsc, '-p', dir + project], { stdio: 'inherit' });
    if (r.status === 0 && v?.startsWith(`Version ${name.slice(4)}.`)) passed++;
    else {
      failed++;
      console.log(`tsc: ${project} failed under ${name} (${v || 'not found'})`);
    }
  }
}
console.log(`tsc: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
