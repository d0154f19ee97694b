// `npm run demo`: the mock providers and the demo page on 127.0.0.1; with `-- --proxy`, the Worker proxy too
// (run in workerd by miniflare, in front of the mock). Ctrl-C stops everything.
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { startMock } from '../tests/mock/server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.d.ts': 'text/plain' };

/** Starts the demo; resolves to { url, mock, proxy, close() }. */
export async function startDemo({ port = 8787, proxy = false } = {}) {
  const mock = await startMock();
  const config = { mock: mock.url };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify(config));
    }
    // /pkg/* is the built package; everything else is www/.
    const [dir, rel] = path.startsWith('/pkg/') ? [join(root, 'pkg'), path.slice(5)] : [join(root, 'www'), path === '/' ? 'index.html' : path.slice(1)];
    const file = join(dir, normalize(rel).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((resolve, reject) => {
    server.once('error', (e) => (e.code === 'EADDRINUSE' ? server.listen(0, '127.0.0.1', resolve) : reject(e)));
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  let mf;
  let dir;
  if (proxy) {
    const { Miniflare } = await import('miniflare');
    const { buildWorker, mockBindings } = await import('../worker/build.mjs');
    dir = mkdtempSync(join(tmpdir(), 'llm-files-demo-worker-'));
    const token = randomBytes(12).toString('hex');
    const keys = { minimax: 'sk-demo-minimax', moonshot: 'sk-demo-moonshot', zhipu: 'sk-demo-zhipu', openai: 'sk-demo-openai' };
    const options = await buildWorker(dir, mockBindings(mock, keys, { CLIENT_TOKEN: token, ALLOWED_ORIGINS: url, CLEANUP_DRY_RUN: 'true' }));
    mf = new Miniflare({ ...options, host: '127.0.0.1', port: 0 });
    config.proxy = String(await mf.ready).replace(/\/$/, '');
    config.proxyToken = token;
  }
  return {
    url, mock, proxy: config.proxy,
    close: async () => {
      await mf?.dispose();
      await new Promise((r) => { server.closeAllConnections?.(); server.close(r); });
      await mock.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const demo = await startDemo({ port: Number(process.env.PORT ?? 8787), proxy: process.argv.includes('--proxy') });
  console.log(`llm-files demo: open ${demo.url}`);
  console.log(`  mock providers on ${demo.mock.url}${demo.proxy ? `\n  Worker proxy on ${demo.proxy} (choose “Through a Worker proxy”; URL and token are filled in)` : ''}`);
  console.log('  Ctrl-C stops everything.');
  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
