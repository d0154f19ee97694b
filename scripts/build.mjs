// Builds pkg/: the wasm (release, then wasm-opt -Oz from npm's binaryen), its loader (js/wasm.js), and one small
// entry per runtime so `import { LlmFiles } from 'llm-files'` needs no init() anywhere.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, copyFileSync, rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const run = (cmd, args, env) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

// opt-level "z" (Cargo.toml) leaves LLVM's inline threshold at 5, which put the JSON reader's helpers out of line
// (2.7x slower); at 50 the wasm is 1.8 KB (gzip) smaller than under "s" and parses 10-15 % slower. Passed here, not
// in .cargo/config.toml, which cargo ignores whenever RUSTFLAGS is set.
const rustflags = [process.env.RUSTFLAGS, '-C llvm-args=-inline-threshold=50'].filter(Boolean).join(' ');
run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown'], { RUSTFLAGS: rustflags });
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg);
copyFileSync(join(root, 'target/wasm32-unknown-unknown/release/llm_files.wasm'), join(pkg, 'llm_files_bg.wasm'));
const wasmOpt = join(root, 'node_modules/.bin/wasm-opt');
// Debian's wasm-opt (binaryen 108) emits broken output: only npm's binaryen is used.
if (existsSync(wasmOpt)) {
  // --low-memory-unused: Rust places the stack, then the data, from 1 MiB up, so the low 1 KiB is never used and
  // wasm-opt may fold small constant addresses into offsets (-360 B gzip). --flatten --rereloop rebuilds the control
  // flow before -Oz (-230 B, no slower); --converge repeats -Oz while it helps.
  run(wasmOpt, ['--low-memory-unused', '--flatten', '--rereloop', '-Oz', '-Oz', '--converge', '--strip-debug', '--strip-producers', '--strip-target-features', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', join(pkg, 'llm_files_bg.wasm'), '-o', join(pkg, 'llm_files_bg.wasm')]);
} else {
  console.warn('build: node_modules/.bin/wasm-opt missing (run npm ci): wasm left unoptimised');
}

// The hand-written JS: the wasm's loader and wrapper, the public API and the fetch executor.
copyFileSync(join(root, 'js/wasm.js'), join(pkg, 'llm_files.js'));
copyFileSync(join(root, 'js/client.js'), join(pkg, 'client.js'));
copyFileSync(join(root, 'src/transport/fetch.js'), join(pkg, 'fetch.js'));
copyFileSync(join(root, 'js/index.d.ts'), join(pkg, 'index.d.ts'));
const exports = `export { LlmFiles, LlmFilesError } from './client.js';\n`;

writeFileSync(join(pkg, 'package.json'), JSON.stringify({ type: 'module', sideEffects: true }, null, 2) + '\n');
// Node and Deno: read the wasm next to this file and instantiate synchronously.
writeFileSync(join(pkg, 'node.js'), `import { readFileSync } from 'node:fs';
import { initSync } from './llm_files.js';
initSync({ module: readFileSync(new URL('./llm_files_bg.wasm', import.meta.url)) });
${exports}`);
// Cloudflare Workers refuse to compile wasm from bytes: import it as a module.
writeFileSync(join(pkg, 'workerd.js'), `import wasm from './llm_files_bg.wasm';
import { initSync } from './llm_files.js';
initSync({ module: wasm });
${exports}`);
// Browsers and bundlers: fetch the wasm next to this file; top-level await spares callers an init() call.
writeFileSync(join(pkg, 'browser.js'), `import init from './llm_files.js';
await init({ module_or_path: new URL('./llm_files_bg.wasm', import.meta.url) });
${exports}`);
// CommonJS (`require`) for Node: the ESM glue bundled into one CJS file that loads the wasm next to it.
const cjsSource = join(pkg, 'node-cjs-source.mjs');
writeFileSync(cjsSource, `import { readFileSync } from 'node:fs';
import { initSync } from './llm_files.js';
initSync({ module: readFileSync(__dirname + '/llm_files_bg.wasm') });
${exports}`);
const { build } = await import('esbuild');
await build({ entryPoints: [cjsSource], bundle: true, format: 'cjs', platform: 'node', outfile: join(pkg, 'node.cjs'), logLevel: 'error' });
rmSync(cjsSource);
copyFileSync(join(root, 'README.md'), join(pkg, 'README.md'));
console.log('build: pkg/ ready');
