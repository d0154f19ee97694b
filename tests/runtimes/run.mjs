// Proves the packed package in every runtime: npm pack, install the tarball into a fresh project, then run the
// same scenario there in Node 20, 22, 24 and 26, Bun and Yarn 4's Plug'n'Play (ESM and require), esbuild bundles for
// Node, Deno (`npm:` from a local registry, and node_modules), Chromium (plain ES modules in a page, a Web Worker and a
// service worker; esbuild, Rollup and webpack bundles, webpack with `exports` ignored, Vite 8 and 7 builds and dev
// servers), Next.js (route handlers in its Node and Edge runtimes, and a client component) and workerd (bundled by
// wrangler and run by miniflare, and under Cloudflare's Vite plugin), all against the mock providers on 127.0.0.1; and
// type-checks the shipped types with `deno check` and TypeScript's legacy `node10` resolution. Prints one closing line
// per runtime and a total.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMock } from '../mock/server.mjs';
import { bundled, wranglerBundle } from '../../worker/build.mjs';

const execFileAsync = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../..');
const work = mkdtempSync(join(tmpdir(), 'llm-files-runtimes-'));
const totals = { passed: 0, failed: 0 };
const only = process.argv[2];

function report(runtime, results, error) {
  const list = results ?? [];
  const failed = list.filter((r) => !r.ok);
  for (const f of failed) console.log(`  ✗ ${runtime}: ${f.name}\n    ${f.error.split('\n').slice(0, 4).join('\n    ')}`);
  if (error) console.log(`  ✗ ${runtime}: could not run: ${error}`);
  // A runtime that could not run at all counts as one failed check, never as zero.
  const nFailed = failed.length + (error || list.length === 0 ? 1 : 0);
  const nPassed = list.length - failed.length;
  totals.passed += nPassed;
  totals.failed += nFailed;
  console.log(`${runtime}: ${nPassed} passed, ${nFailed} failed`);
}

async function step(runtime, fn) {
  if (only && only !== runtime) return;
  try {
    report(runtime, await fn());
  } catch (e) {
    report(runtime, [], e?.stack ?? String(e));
  }
}

// Asynchronous, so this process's event loop keeps serving the mock while the child runs.
// The pinned runtimes scripts/setup.sh installs, and what every child process runs with.
const deno = join(root, '.tools/node_modules/.bin/deno');
const bun = join(root, '.tools/node_modules/.bin/bun');
// Node's LTS lines 22 and 24 and its Current line, 26, beside the Node running this suite (20, the oldest the
// package supports).
const nodes = Object.fromEntries(['node22', 'node24', 'node26'].map((n) => [n, join(root, `.tools/node_modules/${n}/bin/node`)]));
// This package's manifest: its pins and its exports (read once).
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
const nextEnv = { ...env, NEXT_TELEMETRY_DISABLED: '1' };
// Yarn 4 (a devDependency: plain JS), its cache kept inside the temp project it installs into.
const yarnJs = join(root, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js');
const yarnEnv = { ...env, YARN_ENABLE_TELEMETRY: '0', YARN_ENABLE_GLOBAL_CACHE: '0', YARN_ENABLE_PROGRESS_BARS: '0' };

async function runJson(cmd, args, cwd, childEnv = env) {
  const { stdout } = await execFileAsync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000, env: childEnv });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

// A static server for the browser pages: the temp project (node_modules/llm-files) plus the scenario.
function serveStatic(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function inChromium(url) {
  const { launchChromium } = await import('../chromium.mjs');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => window.__results !== undefined || null, null, { timeout: 60_000 }).catch(() => {
      throw new Error(`no results from the page; page errors: ${errors.join('; ') || 'none'}`);
    });
    return await page.evaluate(() => window.__results);
  } finally {
    await browser.close();
  }
}

/** Serves `dir` and runs the scenario page at `path` there in Chromium. */
async function page(dir, path, mockUrl) {
  const server = await serveStatic(dir);
  try {
    return await inChromium(`http://127.0.0.1:${server.address().port}/${path}?mock=${encodeURIComponent(mockUrl)}`);
  } finally {
    server.close();
  }
}

/** A port free on 127.0.0.1 just now. */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The JSON at `url` once a server starting there answers (up to 120 s: a dev server compiles on first request). */
async function getJson(url) {
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      const text = await res.text();
      if (res.ok) return JSON.parse(text);
      throw new Error(`${res.status}: ${text.slice(0, 300)}`);
    } catch (e) {
      // Refused: not listening yet. Anything else (an error page, a timeout) is the answer.
      if (e?.cause?.code !== 'ECONNREFUSED' || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Stops a server started `detached` and its children (its process group), and waits for it to exit: SIGTERM, then
 *  SIGKILL after 10 s. */
function stop(child) {
  const group = (signal) => {
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => group('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (!group('SIGTERM')) {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** An npm registry on 127.0.0.1 that holds one package, `llm-files`: its packument and the tarball at `tgz`. */
function serveRegistry(tgz) {
  const bytes = readFileSync(tgz);
  const { name, version, type, exports, types, engines } = rootPackage;
  const path = `/${name}/-/${name}-${version}.tgz`;
  const hashes = { shasum: createHash('sha1').update(bytes).digest('hex'), integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}` };
  const server = createServer((req, res) => {
    const dist = { tarball: `http://127.0.0.1:${server.address().port}${path}`, ...hashes };
    const packument = { name, 'dist-tags': { latest: version }, versions: { [version]: { name, version, type, exports, types, engines, dist } } };
    if (req.url === `/${name}`) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    else if (req.url === path) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
    else res.writeHead(404).end('{}');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const mock = await startMock();
try {
  // The package exactly as npm would ship it.
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1);
  const project = join(work, 'app');
  cpSync(here, project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(work, tgz)], { cwd: project, stdio: 'ignore' });
  // Runs the page of a bundle built into `app`/dist, its index.html copied beside it; with `wasm`, the installed .wasm
  // too, for the bundlers that leave copying it to the app (esbuild's and Rollup's).
  const bundlePage = (app, wasm) => {
    if (wasm) cpSync(join(project, 'node_modules/llm-files/pkg/llm_files_bg.wasm'), join(app, 'dist/llm_files_bg.wasm'));
    cpSync(join(app, 'index.html'), join(app, 'dist/index.html'));
    return page(join(app, 'dist'), 'index.html', mock.url);
  };

  await step('node-esm', () => runJson(process.execPath, ['node-esm.mjs', mock.url], project));
  await step('node-cjs', () => runJson(process.execPath, ['node-cjs.cjs', mock.url], project));
  for (const [name, node] of Object.entries(nodes)) {
    // One more check each: that the scenario ran in the line named, not in whatever `node` came first (read once).
    let version;
    const line = async () => {
      const v = await (version ??= execFileAsync(node, ['-p', 'process.version'], { encoding: 'utf8' }).then((r) => r.stdout.trim()));
      return { name: `runs in Node ${name.slice(4)} (${v})`, ok: v.startsWith(`v${name.slice(4)}.`), error: v };
    };
    for (const [kind, file] of [['esm', 'node-esm.mjs'], ['cjs', 'node-cjs.cjs']]) {
      await step(`${name}-${kind}`, async () => [...(await runJson(node, [file, mock.url], project)), await line()]);
    }
  }
  // Yarn 4's default linker, Plug'n'Play: no node_modules, the package read from a zip archive through Yarn's fs and
  // module hooks. Its ESM hook is installed only when some package declares "type": "module", as ours does. One
  // install for both steps; each also checks that the install really was Plug'n'Play.
  const yarnApp = join(work, 'yarn-app');
  let yarnInstall;
  const yarnPnp = (file) => async () => {
    yarnInstall ??= (async () => {
      for (const f of ['node-esm.mjs', 'node-cjs.cjs', 'scenario.mjs']) cpSync(join(here, f), join(yarnApp, f));
      writeFileSync(join(yarnApp, 'package.json'), JSON.stringify({ name: 'yarn-app', private: true }));
      await execFileAsync(process.execPath, [yarnJs, 'add', `llm-files@file:${join(work, tgz)}`], { cwd: yarnApp, timeout: 120_000, env: yarnEnv });
    })();
    await yarnInstall;
    const pnp = existsSync(join(yarnApp, '.pnp.cjs')) && !existsSync(join(yarnApp, 'node_modules'));
    const results = await runJson(process.execPath, [yarnJs, 'node', file, mock.url], yarnApp, yarnEnv);
    return [...results, { name: "installed with Plug'n'Play (a .pnp.cjs, no node_modules)", ok: pnp, error: "not a Plug'n'Play install" }];
  };
  await step('yarn-pnp-esm', yarnPnp('node-esm.mjs'));
  await step('yarn-pnp-cjs', yarnPnp('node-cjs.cjs'));
  await step('deno', () => runJson(deno, ['run', '--quiet', '--allow-net', 'node-esm.mjs', mock.url], project));
  // `import 'npm:llm-files'`, as Deno users write it: Deno fetches the package from a registry (here a local one) into
  // its own cache, outside any project. Neither entry needs --allow-read: the wasm is imported as a module.
  await step('deno-npm', async () => {
    const registry = await serveRegistry(join(work, tgz));
    const dir = join(work, 'deno-npm');
    for (const f of ['deno-npm.mjs', 'scenario.mjs']) cpSync(join(here, f), join(dir, f));
    try {
      const registryEnv = { ...env, DENO_DIR: join(work, 'deno-dir'), NPM_CONFIG_REGISTRY: `http://127.0.0.1:${registry.address().port}/` };
      return await runJson(deno, ['run', '--quiet', '--allow-net', 'deno-npm.mjs', mock.url], dir, registryEnv);
    } finally {
      registry.close();
    }
  });
  /** Copies the tsc usage file `file` into the project and type-checks it there with `cmd args`: one check. */
  const typecheck = async (file, cmd, args) => {
    cpSync(join(root, 'tests/types', file), join(project, file));
    const name = `${[cmd, ...args].map((a) => a.split('/').at(-1)).join(' ')} (${file})`;
    try {
      await execFileAsync(cmd, args, { cwd: project, timeout: 120_000, env });
      return [{ name, ok: true }];
    } catch (e) {
      // tsc reports on stdout, deno on stderr.
      return [{ name, ok: false, error: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message }];
    }
  };
  // Deno type-checks TypeScript itself: the tsc usage file, against the types the tarball ships.
  await step('deno-check', () => typecheck('usage.mts', deno, ['check', '--quiet', 'usage.mts']));
  // TypeScript's legacy `node10` resolution (still common in older projects) ignores `exports`: the top-level `types`
  // and `typesVersions` must lead it to the same types.
  await step('tsc-node10', () => typecheck('usage.cts', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.node10.json']));
  await step('bun-esm', () => runJson(bun, ['node-esm.mjs', mock.url], project));
  await step('bun-cjs', () => runJson(bun, ['node-cjs.cjs', mock.url], project));

  // Each Worker bundled by wrangler (`wrangler deploy --dry-run`: the workerd condition, the wasm as a module), run in
  // workerd by miniflare.
  const inWorkerd = async (entry) => {
    const dist = join(project, `${entry}-dist`);
    await wranglerBundle(dist, project, [`${entry}.mjs`, '--name', entry, '--compatibility-date', '2025-09-01']);
    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare(bundled(dist, { MOCK: mock.url }, `${entry}.js`));
    try {
      return await (await mf.dispatchFetch('http://worker/')).json();
    } finally {
      await mf.dispose();
    }
  };
  await step('workerd', async () => [...(await inWorkerd('worker')), ...(await inWorkerd('worker-init'))]);

  // Cloudflare's Vite plugin (pinned to the release built on the same wrangler and miniflare), the way Workers
  // are developed with Vite: its dev server, which runs the Worker in workerd through Vite's module runner, and a build
  // served by `vite preview`, in workerd too.
  await step('workerd-vite', async () => {
    const { createServer, createBuilder, preview } = await import('vite');
    const { cloudflare } = await import('@cloudflare/vite-plugin');
    // Offline, as for wrangler itself (worker/build.mjs): no metrics.
    process.env.WRANGLER_SEND_METRICS = 'false';
    const configPath = join(project, 'wrangler.json');
    writeFileSync(configPath, JSON.stringify({ name: 'vite-worker', main: './worker.mjs', compatibility_date: '2025-09-01', vars: { MOCK: mock.url } }));
    const config = () => ({ root: project, configFile: false, logLevel: 'error', plugins: [cloudflare({ configPath, inspectorPort: false })] });
    // Run from the app's folder, as `vite` is: the plugin names the Worker's modules relative to the working directory,
    // and workerd refuses a name that starts with `..`.
    const cwd = process.cwd();
    process.chdir(project);
    try {
      const results = [];
      for (const serve of [
        async () => (await createServer({ ...config(), server: { host: '127.0.0.1', port: 0 } })).listen(),
        async () => {
          await (await createBuilder(config())).buildApp();
          return preview({ ...config(), preview: { host: '127.0.0.1', port: 0 } });
        },
      ]) {
        const server = await serve();
        try {
          results.push(...(await getJson(server.resolvedUrls.local[0])));
        } finally {
          await server.close();
        }
      }
      return results;
    } finally {
      process.chdir(cwd);
    }
  });

  // Bundled for Node (esbuild, as for AWS Lambda or a Netlify function), ESM and CommonJS, and run from a folder with no
  // node_modules and no .wasm beside the bundle: the Node entries carry the wasm inline.
  await step('node-bundled', async () => {
    const { build } = await import('esbuild');
    const out = join(work, 'node-bundle');
    const results = [];
    for (const [entry, format, file] of [['node-esm.mjs', 'esm', 'esm.mjs'], ['node-cjs.cjs', 'cjs', 'cjs.cjs']]) {
      await build({ entryPoints: [join(project, entry)], bundle: true, platform: 'node', format, outfile: join(out, file), logLevel: 'error' });
      results.push(...(await runJson(process.execPath, [file, mock.url], out)));
    }
    const alone = !existsSync(join(out, 'node_modules')) && !readdirSync(out).some((f) => f.endsWith('.wasm'));
    return [...results, { name: 'ran with no node_modules and no .wasm beside the bundles', ok: alone, error: readdirSync(out).join(', ') }];
  });

  // Next.js (pinned in devDependencies): route handlers in its Node and Edge runtimes, built by webpack and by
  // Turbopack, each served by `next start`, and under Turbopack's dev server.
  await step('next', async () => {
    const app = join(project, 'next-app');
    cpSync(join(here, 'scenario.mjs'), join(app, 'scenario.mjs'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'next-app', private: true }));
    const pins = rootPackage.devDependencies;
    const deps = ['next', 'react', 'react-dom'].map((n) => `${n}@${pins[n]}`);
    // Not --offline: `npm ci` caches the tarballs but not the registry's metadata, which an install by version needs.
    await execFileAsync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tgz), ...deps], { cwd: app, timeout: 180_000 });
    const nextBin = join(app, 'node_modules/next/dist/bin/next');
    const results = [];
    // A build or route that fails counts as one failed check, and the others still run.
    const failed = (name, e) => results.push({ name, ok: false, error: `${e?.stdout ?? ''}${e?.stderr ?? ''}${e?.message ?? e}` });
    for (const [mode, build, serve] of [['webpack', ['build', '--webpack'], 'start'], ['turbopack', ['build'], 'start'], ['turbopack dev', null, 'dev']]) {
      try {
        if (build) await execFileAsync(process.execPath, [nextBin, ...build], { cwd: app, env: nextEnv, timeout: 180_000 });
      } catch (e) {
        failed(`${mode}: next ${build.join(' ')}`, e);
        continue;
      }
      const port = await freePort();
      const server = spawn(process.execPath, [nextBin, serve, '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env: nextEnv, detached: true, stdio: 'ignore' });
      try {
        for (const route of ['node', 'edge']) {
          try {
            const list = await getJson(`http://127.0.0.1:${port}/api/${route}?mock=${encodeURIComponent(mock.url)}`);
            results.push(...list.map((r) => ({ ...r, name: `${mode}, ${route} runtime: ${r.name}` })));
          } catch (e) {
            failed(`${mode}, ${route} runtime`, e);
          }
        }
        // A client component: the browser entry as Next bundles it for the page, in Chromium.
        try {
          const list = await inChromium(`http://127.0.0.1:${port}/client?mock=${encodeURIComponent(mock.url)}`);
          results.push(...list.map((r) => ({ ...r, name: `${mode}, client component: ${r.name}` })));
        } catch (e) {
          failed(`${mode}, client component`, e);
        }
      } finally {
        await stop(server);
      }
    }
    return results;
  });

  await step('chromium-esm', () => page(project, 'esm.html', mock.url));

  await step('webworker', () => page(project, 'webworker.html', mock.url));

  await step('serviceworker', () => page(project, 'serviceworker.html', mock.url));

  // esbuild keeps `new URL('llm_files_bg.wasm', import.meta.url)` as it is, so the .wasm is copied next to the bundle.
  await step('esbuild', async () => {
    const { build } = await import('esbuild');
    const app = join(project, 'esbuild-app');
    await build({ entryPoints: [join(app, 'main.js')], bundle: true, format: 'esm', target: 'es2022', outfile: join(app, 'dist/main.js'), logLevel: 'error' });
    return bundlePage(app, true);
  });

  // Rollup 4 with node-resolve's browser field, as a library or app build without Vite: like esbuild, it keeps the
  // `new URL(…)`, so the .wasm is copied next to the bundle.
  await step('rollup', async () => {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const app = join(project, 'rollup-app');
    const bundle = await rollup({ input: join(app, 'main.js'), plugins: [nodeResolve({ browser: true })], onwarn: (w) => { throw new Error(w.message); } });
    await bundle.write({ dir: join(app, 'dist'), format: 'es' });
    await bundle.close();
    return bundlePage(app, true);
  });

  // webpack 5: the package's top-level await and its `new URL('….wasm', import.meta.url)` (emitted as an asset). Then
  // with `exports` ignored, as by resolvers that predate it or leave it off by default (Parcel 2, webpack 4): the
  // package.json's `browser` field.
  for (const [name, resolve] of [['webpack', {}], ['webpack-no-exports', { exportsFields: [] }]]) {
    await step(name, async () => {
      const { default: webpack } = await import('webpack');
      const app = join(project, 'webpack-app');
      const stats = await new Promise((done, fail) => webpack({
        mode: 'production', target: 'web', context: app, entry: './main.js', devtool: false, resolve,
        output: { path: join(app, 'dist'), filename: 'main.js', clean: true },
      }).run((e, s) => (e ? fail(e) : done(s))));
      if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
      return bundlePage(app, false);
    });
  }

  // Vite 8 (Rolldown) and Vite 7 (Rollup, still what many apps build with): a build, and the dev server (what `npm run
  // dev` serves while coding), whose dependency pre-bundling moves the package's JS away from its .wasm.
  for (const vite of ['vite', 'vite7']) {
    await step(vite, async () => {
      const { build } = await import(vite);
      // No build.target: the default of Vite 7 and 8 has top-level await (Vite 5 and 6 need es2022, README).
      await build({ root: join(project, 'vite-app'), configFile: false, logLevel: 'error', build: { outDir: 'dist', emptyOutDir: true } });
      return page(join(project, 'vite-app/dist'), 'index.html', mock.url);
    });

    await step(`${vite}-dev`, async () => {
      const { createServer } = await import(vite);
      const server = await createServer({
        root: join(project, 'vite-app'), configFile: false, logLevel: 'error', optimizeDeps: { force: true },
        server: { host: '127.0.0.1', port: 0, fs: { allow: [project] } },
      });
      await server.listen();
      try {
        return await inChromium(`${server.resolvedUrls.local[0]}index.html?mock=${encodeURIComponent(mock.url)}`);
      } finally {
        await server.close();
      }
    });
  }
} finally {
  await mock.close();
  rmSync(work, { recursive: true, force: true });
}
console.log(`runtimes: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
