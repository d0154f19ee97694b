// The only code that touches fetch. It carries out what the Rust state machine (`Op`, src/client.rs) asks for:
// each attempt under its own AbortController (timeout timer plus the caller's signal), the waits between
// attempts, and the answers fed back. Every decision (retry or not, how long to wait, look up before a
// re-upload) is the machine's; nothing here throws: every failure is reported to the machine by kind.
import { headerNames } from './llm_files.js';

// The response headers the core reads, from Rust (the one place request-id headers are listed); read once the
// wasm is instantiated.
let names;

/** Whether a signal has fired, read so that a hostile signal cannot throw. */
function aborted(signal) {
  try {
    return !!signal?.aborted;
  } catch {
    return false;
  }
}

// The largest response body copied into wasm memory to be read.
const MAX_BODY = 16 << 20;

// Stops a download's listening to the caller's signal once the caller has dropped its body.
const handedOver = new FinalizationRegistry(([signal, abort]) => listen(signal.deref(), 'removeEventListener', abort.deref()));

function listen(signal, method, f) {
  try {
    signal?.[method]('abort', f);
  } catch {}
}

/** Runs slot `s` of `op`'s current stage to its end: its attempts and the waits between them. `c`: the client
 *  (provider, key, fetch); `o`: the call's options, `headers` among them (the client's merged with the call's own);
 *  `up`: the upload ({ blob, filename, purpose }); `ctx`: `{ bodies: [] }`, filled with every body read (numbered in
 *  order) and `response`, a download's last Response. */
export async function exchange(op, s, c, o, up, ctx) {
  for (let a; (a = op.next(s, aborted(o.signal), Date.now(), Math.random())) !== ''; ) {
    if (a[0] === 's') await sleep(+a.slice(1), o.signal);
    else await attempt(op, s, a.slice(1).split('\n'), c, o, up, ctx);
  }
}

/** Waits `ms`, or less if `signal` fires. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      listen(signal, 'removeEventListener', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    listen(signal, 'addEventListener', done);
  });
}

/** The status of a fetch Response, or of a Response-like object from another fetch implementation (miniflare,
 *  polyfills); -1 for anything else. */
function statusOf(v) {
  try {
    const s = v.status;
    const ok = Number.isInteger(s) && typeof v.headers?.get === 'function' && typeof v.arrayBuffer === 'function';
    return ok && s >= 0 && s < 1000 ? s : -1;
  } catch {
    return -1;
  }
}

/** One request; the timer covers the body read too. */
async function attempt(op, s, [method, url, kind, body], c, o, up, ctx) {
  if (c.group) url += (url.includes('?') ? '&' : '?') + 'GroupId=' + c.group;
  let controller;
  try {
    controller = new AbortController();
  } catch {
    return op.failed(s, 'unsupported', 'AbortController is not available');
  }
  const abort = () => controller.abort();
  const timer = setTimeout(abort, o.timeout);
  listen(o.signal, 'addEventListener', abort);
  // How much of a download's body the machine reads: 0 streams it to the caller, and a MiniMax JSON one is read only
  // as far as an error could reach. Undefined for other requests: their whole body.
  let want;
  try {
    const headers = { ...o.headers, Authorization: 'Bearer ' + c.key };
    const init = { method, headers, signal: controller.signal };
    if (kind === 'j') {
      headers['Content-Type'] = 'application/json';
      init.body = body;
    } else if (kind === 'm') {
      // Rebuilt for every attempt; fetch sets the multipart boundary itself.
      init.body = new FormData();
      init.body.append('purpose', up.purpose);
      init.body.append('file', up.blob, up.filename);
      progress(o, 0, up);
    }
    const fetcher = c.fetch ?? globalThis.fetch;
    if (typeof fetcher !== 'function') return op.failed(s, 'unsupported', 'this runtime has no global fetch');
    // Browsers report upload progress only through XMLHttpRequest; elsewhere it is start and completion.
    const xhr = kind === 'm' && o.onUploadProgress && !c.fetch && typeof XMLHttpRequest === 'function';
    const res = await (xhr ? progressFetch(url, init, o.onUploadProgress, up.blob.size) : fetcher.call(undefined, url, init));
    const status = statusOf(res);
    if (status < 0) return op.failed(s, 'decode', 'fetch resolved to something that is not a Response');
    if (kind === 'm') progress(o, up.blob.size, up);
    if (kind === 'c') {
      ctx.response = res;
      want = op.needsBody(status, res.headers.get('content-type') ?? undefined);
    }
    // A 2xx download is checked from a copy (of a stream, its first `want` bytes): the caller gets it whole, unread.
    const copy = want > 0 && want < 0xffffffff && res.clone();
    // A copy without a web stream (a fetch polyfill's) is read whole.
    const bytes = want === 0
      ? undefined
      : new Uint8Array(await (copy ? (copy.body?.getReader ? head(copy.body.getReader(), want) : copy.arrayBuffer()) : res.arrayBuffer()));
    const seen = want ? bytes.subarray(0, want) : bytes;
    // A 10,000-file list is about 3 MB; a much larger body (a file served on the wrong route) would grow wasm memory
    // by several times its size for good (it never shrinks), past what a Worker has.
    if (seen?.length > MAX_BODY) return op.failed(s, 'decode', 'the response body is over 16 MiB');
    // Kept for the call's result: files point back to the body they came from (their `raw`), an error to its body.
    const seq = ctx.bodies.push(bytes) - 1;
    // Headers are read only when the machine asks (errors, downloads): a success needs none.
    const now = Date.now();
    if (op.answer(s, status, kind === 'c' ? headersOf(res) : undefined, seen, seq, now)) op.answer(s, status, headersOf(res), seen, seq, now);
  } catch (e) {
    if (aborted(o.signal)) op.failed(s, 'aborted', 'the request was aborted by its signal');
    else if (controller.signal.aborted) op.failed(s, 'timeout', `no complete response within ${o.timeout} ms`);
    // Only the wasm throws this: its memory could not grow to read the body (a panic would too; none is reachable).
    else if (e instanceof WebAssembly.RuntimeError) op.failed(s, 'decode', 'the response could not be read: out of memory');
    else op.failed(s, 'connection', 'the request failed before a response: ' + detail(e));
  } finally {
    clearTimeout(timer);
    // A download's body is still being read by the caller: the caller's signal can cancel it until the body (kept
    // by the Response or by a caller holding only the stream) is collected; a long-lived signal would otherwise keep
    // one listener per download. Held weakly: a fetch's signal holds its Response (the Fetch standard's abort
    // steps), so a strong hold here would keep the body from ever being collected.
    if (!(want < 0xffffffff)) listen(o.signal, 'removeEventListener', abort);
    else if (o.signal) {
      try {
        handedOver.register(ctx.response.body ?? ctx.response, [new WeakRef(o.signal), new WeakRef(abort)]);
      } catch {}
    }
  }
}

/** At least the first `n` bytes of a body (all of a shorter one), as an ArrayBuffer, read from `reader`, which is then
 *  let go (a copy's reader: the original stays whole for the caller). */
async function head(reader, n) {
  const parts = [];
  for (let size = 0, r; size < n && !(r = await reader.read()).done; size += r.value.length) parts.push(r.value);
  reader.cancel().catch(() => {});
  return new Blob(parts).arrayBuffer();
}

/** The headers the machine reads (request ids, retry hints, content type, date), as `name\nvalue\n...`, values
 *  trimmed (fetch's Headers trims them; a Response-like object from elsewhere may not). HTTP dates
 *  (`Date`; a `Retry-After` that is not a number of seconds) are read here by `Date.parse`, which takes all three
 *  forms RFC 9110 asks recipients to accept, and handed over as `@` and their Unix milliseconds (src/retry.rs).
 *  asctime's form (`Sun Nov  6 08:49:37 1994`) names no zone, which Date.parse would take as local time: GMT is
 *  added. */
function headersOf(res) {
  let text = '';
  for (const name of (names ??= headerNames().split('\n'))) {
    let v = res.headers.get(name);
    if (v != null && (name === 'date' || (name === 'retry-after' && !/^[\d.\s]*$/.test(v)))) v = '@' + Date.parse(/\d$/.test(v) ? v + ' GMT' : v);
    if (v != null) text += (text ? '\n' : '') + name + '\n' + String(v).replaceAll('\n', ' ').trim();
  }
  return text;
}

/** Why fetch failed: its message and its causes' (Node's says only "fetch failed"; ECONNREFUSED, ENOTFOUND or the
 *  TLS reason sits in `cause`), up to 1,000 characters. A text that would go past that is left out whole, never cut:
 *  a cut could keep part of an echoed key, which redaction (of the whole key) would miss. */
function detail(e) {
  let text = '';
  try {
    // An AggregateError (Node's connect tried over IPv6 and IPv4) has no message, only a code.
    for (let i = 0, m; e && i < 4; i++, e = e.cause) if ((m = e.message || e.code) && text.length + m.length < 1000) text += (text && ': ') + m;
  } catch {}
  return text || 'network error';
}

function progress(o, loaded, up) {
  try {
    o.onUploadProgress?.(loaded, up.blob.size);
  } catch {}
}

/** fetch(url, init) over XMLHttpRequest, reporting upload progress as file bytes (0..size); resolves to a Response. */
function progressFetch(url, init, onProgress, size) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(init.method, url);
    for (const [k, v] of Object.entries(init.headers)) xhr.setRequestHeader(k, v);
    xhr.responseType = 'arraybuffer';
    xhr.upload.onprogress = (e) => {
      // The events count multipart bytes; callers think in file bytes.
      const loaded = e.lengthComputable && e.total > 0 ? Math.min(size, Math.round((e.loaded / e.total) * size)) : 0;
      try {
        onProgress(loaded, size);
      } catch {}
    };
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status > 599) return xhr.onerror();
      const headers = new Headers();
      // `name: value` lines, CRLF-separated (XMLHttpRequest's format); append trims the value.
      for (const line of xhr.getAllResponseHeaders().split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers.append(line.slice(0, i), line.slice(i + 1));
      }
      // No body, not an empty one: a 204, 205 or 304 may not have one.
      resolve(new Response(xhr.response?.byteLength ? xhr.response : null, { status: xhr.status, headers }));
    };
    // One rejection for all three: attempt() tells an abort or a timeout from a failure by the signals, not by this.
    xhr.onerror = xhr.onabort = () => reject(new TypeError('network error'));
    const signal = init.signal;
    if (signal.aborted) return xhr.onabort();
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(init.body);
  });
}
