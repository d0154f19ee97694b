// Builds pkg/: the wasm (release, then wasm-opt -Oz from npm's binaryen), its loader (js/wasm.js), and one small
// entry per runtime so `import { LlmFiles } from 'llm-files'` needs no init() anywhere.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, copyFileSync, rmSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const run = (cmd, args, env) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

// opt-level "z" (Cargo.toml) leaves LLVM's inline threshold at 5, which put the JSON reader's helpers out of line
// (2.7x slower); at 50 the wasm is 1.8 KB (gzip) smaller than under "s" and parses 10-15 % slower; 42-45 are 42 B
// smaller again at the same speed (2026-11-24, 33rd session; against 50: 35 +215 B, 55 +617 B). Passed here, not
// in .cargo/config.toml, which cargo ignores whenever RUSTFLAGS is set.
const rustflags = [process.env.RUSTFLAGS, '-C llvm-args=-inline-threshold=44'].filter(Boolean).join(' ');
run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown'], { RUSTFLAGS: rustflags });
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg);
const wasmFile = join(pkg, 'llm_files_bg.wasm');
const blanked = blankPanicText(readFileSync(join(root, 'target/wasm32-unknown-unknown/release/llm_files.wasm')));
writeFileSync(wasmFile, blanked.wasm);
console.log(`build: blanked ${blanked.bytes} B of panic text in the wasm's data`);
const wasmOpt = join(root, 'node_modules/.bin/wasm-opt');
// Debian's wasm-opt (binaryen 108) emits broken output: only npm's binaryen is used.
if (existsSync(wasmOpt)) {
  // --low-memory-unused: Rust places the stack, then the data, from 1 MiB up, so the low 1 KiB is never used and
  // wasm-opt may fold small constant addresses into offsets (-360 B gzip). --flatten --rereloop rebuilds the control
  // flow (-230 B, no slower), better after a first -Oz (-84 B); --converge repeats the whole list while it helps.
  // rustc exports __heap_base and __data_end, which the loader never reads (-37 B).
  run(wasmOpt, ['--remove-exports', '--pass-arg=remove-exports@__*', '--low-memory-unused', '-Oz', '--flatten', '--rereloop', '-Oz', '-Oz', '-Oz', '--converge', '--strip-debug', '--strip-producers', '--strip-target-features', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', wasmFile, '-o', wasmFile]);
} else {
  console.warn('build: node_modules/.bin/wasm-opt missing (run npm ci): wasm left unoptimised');
}

/** The panic handler (src/js.rs) traps without reading its argument, yet the linker keeps what alloc's panics would
 *  print (source paths, messages) and core::fmt's table of digit pairs, which nothing references once wasm-opt has
 *  removed the formatting code. They are overwritten with zeros in place, so no address moves: about 300 B gzip.
 *  Done before wasm-opt, whose memory packing then leaves the zeros out of the file (-390 B raw). */
function blankPanicText(wasm) {
  // Sections after the 8-byte header: an id byte, a LEB128 size, the payload; the data section's id is 11.
  let at = 8;
  let bytes = 0;
  while (at < wasm.length) {
    const id = wasm[at++];
    let size = 0;
    for (let shift = 0, b = 128; b & 128; shift += 7) size |= ((b = wasm[at++]) & 127) << shift;
    if (id === 11) {
      const text = wasm.toString('latin1', at, at + size);
      const digits = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join('');
      const dead = [/\/rustc\/[0-9a-f]{40}\/library\/[\w/.-]+?\.rs/g, /memory allocation of | bytes failed|capacity overflow/g, new RegExp(digits, 'g')];
      for (const re of dead) {
        for (const m of text.matchAll(re)) {
          wasm.fill(0, at + m.index, at + m.index + m[0].length);
          bytes += m[0].length;
        }
      }
    }
    at += size;
  }
  return { wasm, bytes };
}

// The hand-written JS: the wasm's loader and wrapper, the public API and the fetch executor.
copyFileSync(join(root, 'js/wasm.js'), join(pkg, 'llm_files.js'));
copyFileSync(join(root, 'js/client.js'), join(pkg, 'client.js'));
copyFileSync(join(root, 'src/transport/fetch.js'), join(pkg, 'fetch.js'));
copyFileSync(join(root, 'js/index.d.ts'), join(pkg, 'index.d.ts'));
// The same types for `require` (pkg/ is ESM, so TypeScript's node16 resolution would refuse index.d.ts there).
copyFileSync(join(root, 'js/index.d.ts'), join(pkg, 'index.d.cts'));
const exports = `export { LlmFiles, LlmFilesError } from './client.js';\n`;

writeFileSync(join(pkg, 'package.json'), JSON.stringify({ type: 'module', sideEffects: true }, null, 2) + '\n');
// Node (and Bun): the wasm inline, instantiated synchronously. Bundled for Node (esbuild; webpack, as in Next.js), it
// needs no file beside the bundle, which reading it from disk did (Next's webpack even made its `new URL('….wasm',
// import.meta.url)` a '/_next/static/…' URL, which no file read can follow); and it starts faster (the bench's cold
// start: 11.2 against 12.9 ms, bench/NOTES.md).
const inline = `initSync({ module: Buffer.from('${readFileSync(wasmFile).toString('base64')}', 'base64') });`;
writeFileSync(join(pkg, 'node.js'), `import { Buffer } from 'node:buffer';
import { initSync } from './llm_files.js';
${inline}
${exports}`);
// Cloudflare Workers refuse to compile wasm from bytes: import it as a module.
writeFileSync(join(pkg, 'workerd.js'), `import wasm from './llm_files_bg.wasm';
import { initSync } from './llm_files.js';
initSync({ module: wasm });
${exports}`);
// Vercel's Edge runtime (Next.js's among them) refuses to compile wasm from bytes and imports it with `?module`,
// made in another realm than the code, so `instanceof WebAssembly.Module` fails there: instantiated here directly.
writeFileSync(join(pkg, 'edge.js'), `import wasm from './llm_files_bg.wasm?module';
import { initSync } from './llm_files.js';
initSync({ exports: new WebAssembly.Instance(wasm, {}).exports });
${exports}`);
// Deno (2.1 and later) imports the wasm as a module, instantiated: no --allow-read, which reading the file needed.
writeFileSync(join(pkg, 'deno.js'), `import * as exports from './llm_files_bg.wasm';
import { initSync } from './llm_files.js';
initSync({ exports });
${exports}`);
// Browsers and bundlers: fetch the wasm next to this file; top-level await spares callers an init() call.
writeFileSync(join(pkg, 'browser.js'), `import init from './llm_files.js';
await init(new URL('./llm_files_bg.wasm', import.meta.url));
${exports}`);
// Service workers refuse top-level await: `llm-files/init` leaves loading the wasm to the caller's `await init()`.
writeFileSync(join(pkg, 'init.js'), `import load from './llm_files.js';
/** Loads the wasm next to this file (once; later calls find it loaded). */
export const init = async () => void (await load(new URL('./llm_files_bg.wasm', import.meta.url)));
${exports}`);
copyFileSync(join(root, 'js/init.d.ts'), join(pkg, 'init.d.ts'));
// Where the entry loads the wasm synchronously, `llm-files/init` is the same entry with an init() that has nothing to do.
for (const entry of ['node', 'workerd', 'edge', 'deno']) {
  writeFileSync(join(pkg, `${entry}-init.js`), `export * from './${entry}.js';\nexport const init = async () => {};\n`);
}
writeFileSync(join(pkg, 'node-init.cjs'), `module.exports = { ...require('./node.cjs'), init: async () => {} };\n`);
// `require('llm-files/init')` types (TypeScript's node16 resolution refuses ESM types there).
writeFileSync(join(pkg, 'init.d.cts'), readFileSync(join(root, 'js/init.d.ts'), 'utf8').replace("from './index.js'", "from './index.cjs'"));
// CommonJS (`require`) for Node: the ESM glue and the wasm inline, bundled into one CJS file.
const cjsSource = join(pkg, 'node-cjs-source.mjs');
writeFileSync(cjsSource, `import { Buffer } from 'node:buffer';
import { initSync } from './llm_files.js';
${inline}
${exports}`);
const { build } = await import('esbuild');
// TextEncoder and TextDecoder from node:util, not the globals: Jest's jsdom environment, where `require` is the usual
// way in, has no such globals.
const cjsShim = join(pkg, 'node-cjs-shim.mjs');
writeFileSync(cjsShim, `export { TextEncoder, TextDecoder } from 'node:util';\n`);
await build({ entryPoints: [cjsSource], bundle: true, format: 'cjs', platform: 'node', inject: [cjsShim], outfile: join(pkg, 'node.cjs'), logLevel: 'error' });
rmSync(cjsSource);
rmSync(cjsShim);
copyFileSync(join(root, 'README.md'), join(pkg, 'README.md'));
console.log('build: pkg/ ready');
