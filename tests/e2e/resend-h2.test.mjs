// Chromium resends a request itself when its connection drops before the answer, unseen by page scripts; the
// README ("One duplicate no page script can prevent") says so for HTTP/1.1 (tests/runtimes checks it against the mock)
// and HTTP/2, the providers' protocol, which this checks: an HTTP/2 server over TLS (a throwaway self-signed
// certificate) reads an upload's body, counts it, and drops the connection before answering the first one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../chromium.mjs';

test('over HTTP/2, Chromium resends an upload whose connection dropped before the answer (README)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-files-h2-'));
  let server, browser;
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore', timeout: 30_000 });
    server = http2.createSecureServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    const sockets = [];
    let uploads = 0;
    server.on('secureConnection', (s) => sockets.push(s));
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      if (headers[':method'] !== 'POST') {
        stream.respond({ ':status': 200, 'content-type': 'text/html' });
        return stream.end('<!doctype html><title>h2</title>');
      }
      stream.resume();
      stream.on('end', () => {
        // The upload is "stored"; the first time, the connection then drops (a TCP close, no GOAWAY) before any answer.
        if (++uploads === 1) return sockets.at(-1).destroy();
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ stored: uploads }));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium(['--ignore-certificate-errors']);
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    await page.goto(`https://127.0.0.1:${server.address().port}/`, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol), 'h2');
    const answer = await page.evaluate(async () => {
      try {
        const r = await fetch('/upload', { method: 'POST', body: 'x'.repeat(3000), signal: AbortSignal.timeout(20_000) });
        return await r.text();
      } catch (e) {
        return String(e);
      }
    });
    // One fetch, two uploads stored: if Chromium stops resending, this fails and the README must change.
    assert.deepEqual([uploads, answer], [2, '{"stored":2}']);
  } finally {
    await browser?.close();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
