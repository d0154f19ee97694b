// The demo page: a small file manager over llm-files. Plain ES modules, no framework.
import { LlmFiles, LlmFilesError } from '/pkg/browser.js';

const BASES = { minimax: '/minimax', moonshot: '/moonshot/v1', zhipu: '/zhipu/api/paas/v4', openai: '/openai/v1' };
// Each platform's documented hosts for Direct mode, the default first: a key works only on its own platform's.
const HOSTS = {
  minimax: ['https://api.minimax.io', 'https://api.minimaxi.com'],
  moonshot: ['https://api.moonshot.ai/v1', 'https://api.moonshot.cn/v1'],
  zhipu: ['https://open.bigmodel.cn/api/paas/v4', 'https://api.z.ai/api/paas/v4'],
  openai: ['https://api.openai.com/v1'],
};
const WORDS = {
  invalid_argument: 'The request was refused before sending: a parameter is missing or wrong.',
  authentication: 'The provider did not accept the key (or the proxy did not accept the client token).',
  permission_denied: 'The key is valid but not allowed to do this.',
  not_found: 'There is no such file (it may already be deleted, or have expired).',
  rate_limit: 'Too many requests: wait a little and try again.',
  insufficient_balance: 'The account is out of balance or quota: retrying will not help.',
  invalid_request: 'The provider refused the request as invalid.',
  server: 'The provider failed; trying again later may work.',
  connection: 'The provider could not be reached (network, CORS, or the server is down).',
  timeout: 'The provider took too long to answer.',
  aborted: 'The request was cancelled.',
  decode: 'The provider answered something this client could not understand.',
  unsupported: 'This provider or runtime cannot do that.',
};

const $ = (id) => document.getElementById(id);
const config = await (await fetch('/config.json')).json().catch(() => ({}));
if (config.proxy) {
  $('proxy-url').value = config.proxy;
  $('proxy-token').value = config.proxyToken ?? '';
}
const mode = () => document.querySelector('input[name=mode]:checked').value;
const provider = () => $('provider').value;

function client() {
  const p = provider();
  if (mode() === 'mock') return new LlmFiles({ provider: p, apiKey: $('mock-key').value, baseURL: config.mock + BASES[p] });
  if (mode() === 'proxy') {
    // Empty, the base would be a path on this page's own server, answering 404s that read as missing files.
    const url = $('proxy-url').value.trim().replace(/\/+$/, '');
    if (!url) throw new Error('Enter the Worker proxy’s URL (`npm run demo -- --proxy` starts one and fills it in).');
    return new LlmFiles({ provider: p, apiKey: $('proxy-token').value, baseURL: `${url}/${p}` });
  }
  return new LlmFiles({ provider: p, apiKey: $('direct-key').value, baseURL: $('direct-base').value.trim() || undefined });
}

function showError(e) {
  const box = $('error');
  box.hidden = false;
  box.replaceChildren();
  const lead = document.createElement('p');
  if (e instanceof LlmFilesError) {
    lead.textContent = WORDS[e.kind] ?? e.message;
    const dl = document.createElement('dl');
    for (const [k, v] of [['kind', e.kind], ['provider code', e.code], ['request id', e.requestId], ['HTTP status', e.status], ['details', e.message]]) {
      if (v === null || v === undefined) continue;
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = String(v);
      dl.append(dt, dd);
    }
    box.append(lead, dl);
  } else {
    lead.textContent = String(e?.message ?? e);
    box.append(lead);
  }
}
const clearError = () => { $('error').hidden = true; };
const status = (t) => { $('status').textContent = t; };

function showCaps() {
  // Another provider's host would not fit: the Direct base starts empty (the default) with this one's hosts offered.
  const hosts = HOSTS[provider()];
  $('direct-base').value = '';
  $('direct-base').placeholder = `${hosts[0]} (default)`;
  $('direct-bases').replaceChildren(...hosts.map((h) => Object.assign(document.createElement('option'), { value: h })));
  const caps = LlmFiles.capabilities(provider());
  const ops = Object.entries(caps.operations).map(([op, how]) => `${op}: ${how}`).join(', ');
  const max = caps.limits.maxFileBytes;
  const limit = Object.entries(max).map(([k, v]) => `${k === '*' ? 'any purpose' : k} ${Math.round(v / 1048576)} MB`).join(', ');
  // Without a `*` entry the other purposes have no documented limit (MiniMax).
  const lines = [`Operations — ${ops}`, `Per-file limits — ${limit}${'*' in max ? '' : ', other purposes none documented'}`];
  // Moonshot caps what an account keeps, not only each file: a full account refuses uploads until files are deleted.
  const { maxFiles, maxTotalBytes } = caps.limits;
  const storage = [];
  if (maxFiles) storage.push(`at most ${maxFiles.toLocaleString('en')} files`);
  if (maxTotalBytes) storage.push(`${maxTotalBytes / 1073741824} GB in all`);
  if (storage.length) lines.push(`Storage — ${storage.join(', ')}`);
  if (caps.limits.notes) lines.push(`Notes — ${caps.limits.notes}`);
  $('caps').innerHTML = '';
  const ul = document.createElement('ul');
  for (const t of lines) {
    const li = document.createElement('li');
    li.textContent = t;
    ul.append(li);
  }
  $('caps').append(ul);
  const purposes = Array.isArray(caps.purposes.create) ? caps.purposes.create : [];
  $('purpose').replaceChildren(...purposes.map((p) => Object.assign(document.createElement('option'), { value: p, textContent: p })));
}

/** Turns `button` off, saying `why`, when `purposes` is a list (not "any" or a description) without `purpose`. */
function onlyFor(button, purposes, purpose, why) {
  if (Array.isArray(purposes) && !purposes.includes(purpose)) Object.assign(button, { disabled: true, title: why });
}

const size = (n) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);

function render(files) {
  // Moonshot serves the content of file-extract files only, Zhipu of batch files only (MiniMax's list is a description);
  // MiniMax documents no delete for some purposes it lists (video_generation_input files expire after 7 days).
  const { content: served, delete: deletable } = LlmFiles.capabilities(provider()).purposes;
  const rows = files.map((f) => {
    const tr = document.createElement('tr');
    tr.dataset.id = f.id;
    const cells = [f.filename, size(f.bytes), f.purpose, new Date(f.created_at * 1000).toLocaleString(), f.id];
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      td.textContent = c;
      if (i === 4) { td.className = 'id'; td.title = f.id; }
      tr.append(td);
    });
    const td = document.createElement('td');
    td.className = 'actions';
    const dl = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Download' });
    dl.setAttribute('aria-label', `Download ${f.filename}`);
    dl.onclick = () => download(f);
    onlyFor(dl, served, f.purpose, `${provider()} serves the content of ${[served].flat().join(', ')} files only`);
    const del = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Delete', className: 'danger' });
    del.setAttribute('aria-label', `Delete ${f.filename}`);
    del.onclick = () => remove(f);
    onlyFor(del, deletable, f.purpose, `${provider()} documents no delete for ${f.purpose} files`);
    td.append(dl, del);
    tr.append(td);
    return tr;
  });
  $('files').replaceChildren(...rows);
}

// Only the newest listing is shown: after a switch of provider, key or mode, a slower answer to an earlier listing
// (another provider's files, or its error) arrives late and is dropped.
let listing = 0;

/** Lists the files again; `keep`: an upload's error stays shown (a successful listing would hide it). */
async function refresh(keep = false) {
  const mine = ++listing;
  if (!keep) clearError();
  status('Loading…');
  try {
    const page = await client().files.list();
    if (mine !== listing) return;
    render(page.data);
    status(`${page.data.length} file(s)${page.has_more ? ', more with “Load all”' : ''}`);
  } catch (e) {
    if (mine !== listing) return;
    render([]);
    status('');
    showError(e);
  }
}

async function loadAll() {
  const mine = ++listing;
  clearError();
  const all = [];
  try {
    for await (const f of client().files.listAll()) {
      // Superseded: stop walking (leaving the loop ends the walk's requests).
      if (mine !== listing) return;
      all.push(f);
      status(`Loaded ${all.length} file(s)…`);
    }
    if (mine !== listing) return;
    render(all);
    status(`${all.length} file(s), every page`);
  } catch (e) {
    if (mine === listing) showError(e);
  }
}

async function download(f) {
  clearError();
  try {
    const res = await client().files.content(f.id);
    // Moonshot's content is the text extracted from the file, not the file: saved as report.pdf it would not open.
    const extracted = /^text\/plain\b/i.test(res.headers.get('content-type') ?? '') && !/\.txt$/i.test(f.filename);
    const name = extracted ? `${f.filename}.txt` : f.filename;
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status(`Downloaded ${name}`);
  } catch (e) {
    showError(e);
  }
}

async function remove(f) {
  if (!confirm(`Delete ${f.filename}? This cannot be undone.`)) return;
  clearError();
  try {
    await client().files.delete(f.id, { purpose: f.purpose });
    status(`Deleted ${f.filename}`);
    await refresh();
  } catch (e) {
    showError(e);
  }
}

async function upload(fileList) {
  clearError();
  let files;
  try {
    files = client().files;
  } catch (e) {
    // No key in Direct mode, or a proxy URL that is not one: said, not thrown into the console.
    return showError(e);
  }
  const purpose = $('purpose').value;
  let failed = false;
  await Promise.all([...fileList].map(async (file) => {
    const li = document.createElement('li');
    // Named with its provider: the rows stay after a switch of provider.
    const name = Object.assign(document.createElement('span'), { textContent: `${file.name} · ${provider()}` });
    const state = Object.assign(document.createElement('span'), { textContent: 'starting' });
    const bar = Object.assign(document.createElement('progress'), { max: 1, value: 0 });
    bar.setAttribute('aria-label', `Upload progress of ${file.name}`);
    // Cancel: the caller's AbortSignal, which also cuts short a wait between retries.
    const ac = new AbortController();
    const cancel = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Cancel', onclick: () => ac.abort() });
    cancel.setAttribute('aria-label', `Cancel upload of ${file.name}`);
    li.append(name, state, cancel, bar);
    $('uploads').append(li);
    try {
      const made = await files.create({ file, purpose }, {
        signal: ac.signal,
        onUploadProgress: (loaded, total) => {
          bar.value = total ? loaded / total : 1;
          state.textContent = `${Math.round(bar.value * 100)} %`;
        },
      });
      bar.value = 1;
      state.textContent = `done: ${made.id}`;
      li.dataset.done = made.id;
    } catch (e) {
      // Cancelled by the user: said on its row, not explained as an error.
      if (e.kind === 'aborted') state.textContent = 'cancelled';
      else {
        state.textContent = `failed: ${e.kind ?? 'error'}`;
        failed = true;
        showError(e);
      }
    } finally {
      cancel.remove();
    }
  }));
  await refresh(failed);
}

for (const r of document.querySelectorAll('input[name=mode]')) {
  r.addEventListener('change', () => {
    for (const d of document.querySelectorAll('[data-mode]')) d.hidden = d.dataset.mode !== mode();
    refresh();
  });
}
$('provider').addEventListener('change', () => { showCaps(); refresh(); });
// A new key, token or proxy URL lists again at once, as a new mode or provider does.
for (const id of ['mock-key', 'proxy-url', 'proxy-token', 'direct-key', 'direct-base']) $(id).addEventListener('change', () => refresh());
$('refresh').addEventListener('click', () => refresh());
$('load-all').addEventListener('click', loadAll);
const drop = $('drop');
drop.addEventListener('click', () => $('picker').click());
drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('picker').click(); } });
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); upload(e.dataTransfer.files); });
$('picker').addEventListener('change', (e) => { upload(e.target.files); e.target.value = ''; });

showCaps();
await refresh();
document.body.dataset.ready = 'true';
