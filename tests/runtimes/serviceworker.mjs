// A module service worker: no top-level await (so the package's `init` entry), no XMLHttpRequest, no document.
import { init, LlmFiles, LlmFilesError } from '/node_modules/llm-files/pkg/init.js';
import { scenario } from '/scenario.mjs';

self.addEventListener('install', () => self.skipWaiting());
// The page names the mock; the worker stays alive until the results are posted back.
self.addEventListener('message', (e) => {
  const run = init().then(() => scenario({ LlmFiles, LlmFilesError }, e.data, 'serviceworker'));
  e.waitUntil(run.then((r) => e.source.postMessage(r), (err) => e.source.postMessage([{ name: 'init', ok: false, error: String(err?.stack ?? err) }])));
});
