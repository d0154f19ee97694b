// The public API: `LlmFiles`, `client.files.*` and `LlmFilesError`. It checks what callers pass (inside
// try/catch, since Proxies and getters can throw), hands each call to the Rust state machine (`Op`) and its
// executor (src/transport/fetch.js), and turns the machine's answers into values and errors.
import { Op, capabilities, defaultBase, dec as lossy } from './llm_files.js';
import { exchange } from './fetch.js';

/** Every failure of llm-files: `kind` says what went wrong, the other fields say where and whether to retry. */
export class LlmFilesError extends Error {
  constructor(kind, message, provider, status, code, requestId, retryable, attempts, raw) {
    super(message);
    this.name = 'LlmFilesError';
    this.kind = kind;
    this.status = status;
    this.provider = provider;
    this.code = code;
    this.requestId = requestId;
    this.retryable = retryable;
    this.attempts = attempts;
    this.raw = raw;
  }
  /** Every field, `message` included (Error keeps it non-enumerable). */
  toJSON() {
    return { ...this, message: this.message };
  }
}

const PROVIDERS = ['minimax', 'moonshot', 'zhipu', 'openai'];
const UNKNOWN_PROVIDER = 'provider must be one of "minimax", "moonshot", "zhipu", "openai"';
// Longer strings are refused before they are copied into wasm memory.
const MAX_STRING = 16384;
// setTimeout treats longer delays as 1 ms.
const MAX_TIMEOUT = 2147483647;

// Bodies are decoded (`lossy`, from wasm.js) as fetch's `Response.text()` does: bad bytes become U+FFFD and a leading
// BOM is dropped (the wasm's reader skips it too).

/** Builds the error the machine describes (`e<json>`), its `raw` from the body JS kept (`bodies[rawSeq]`); the key
 *  is cut out of every text a server could echo it into. */
function toError(text, provider, key, bodies) {
  let e;
  try {
    e = JSON.parse(text.slice(1));
  } catch {
    e = { kind: 'decode', message: 'internal error (out of memory)', retryable: false, attempts: 0 };
  }
  const redact = (s, k = key) => (typeof s === 'string' && key.length >= 4 ? s.replaceAll(k, '[redacted]') : s ?? null);
  const body = e.rawSeq == null ? undefined : bodies?.[e.rawSeq];
  let raw = body ? redact(lossy.decode(body)) : null;
  if (raw !== null && e.rawJson) {
    try {
      // Parsed, a key the server echoed escaped (`sk-a\/b`, as PHP writes `/`) is whole again: cut from that form too.
      raw = JSON.parse(redact(JSON.stringify(JSON.parse(raw)), JSON.stringify(key).slice(1, -1)));
    } catch {}
  }
  return new LlmFilesError(e.kind, redact(e.message), provider, e.status ?? null, redact(e.code), redact(e.requestId), e.retryable, e.attempts, raw);
}

/** A provider fact from the wasm (`f`: `capabilities` or `defaultBase`); with no wasm memory to be had at all, the
 *  error a call gets then, not the engine's RuntimeError. */
function fromWasm(f, provider) {
  try {
    return f(provider);
  } catch (e) {
    throw toError(String(e), provider, '');
  }
}

function invalid(message) {
  return new LlmFilesError('invalid_argument', message, null, null, null, null, false, 0, null);
}

const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

function object(v, what) {
  if (!isObject(v)) throw invalid(`${what} must be an object`);
}

/** `v[key]`, with `undefined` for a missing object and an error when the read throws. */
function field(v, key) {
  if (v === undefined || v === null) return undefined;
  object(v, 'options and params');
  try {
    return v[key];
  } catch {
    throw invalid(`reading \`${key}\` threw`);
  }
}

/** An optional, non-empty string field of bounded length. */
function string(v, key) {
  const f = field(v, key);
  if (f === undefined || f === null) return undefined;
  if (typeof f !== 'string' || !f || f.length > MAX_STRING) {
    throw invalid(`${key} must be a non-empty string of at most ${MAX_STRING} characters`);
  }
  return f;
}

/** An optional number field in `min..max`; `integer` refuses fractions. */
function number(v, key, min, max, integer) {
  const f = field(v, key);
  if (f === undefined) return undefined;
  if (typeof f === 'number' && f >= min && f <= max && (!integer || Number.isInteger(f))) return f;
  throw invalid(`${key} must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}`);
}

function fileId(v) {
  if (typeof v !== 'string' || !v || v.length > MAX_STRING) throw invalid('file id must be a non-empty string');
}

/** A header name or value fetch accepts (it would otherwise throw with the value, maybe the key, in its message); a
 *  name is not one the client sets itself: sent beside its own, it would be joined to it (`Bearer a, Bearer b`) or
 *  would break a multipart body. */
function headerOk(s, name) {
  return s !== '' && (name ? /^(?!(authorization|content-type)$)[!#$%&'*+\-.^_`|~0-9a-z]+$/i.test(s) : /^[\t\x20-\x7e]+$/.test(s) && s.trim() === s);
}

/** `o[what]`'s headers (checked as `headerOk` says) added to a copy of `to`, each replacing one of the same name in
 *  any case: fetch would join the two (`a, b`). */
function headerMap(o, what, to) {
  const h = field(o, what);
  if (h === undefined || h === null) return to;
  object(h, what);
  let pairs;
  try {
    pairs = Object.entries(h);
  } catch {
    throw invalid(`reading ${what} threw`);
  }
  const out = { ...to };
  for (const [k, v] of pairs) {
    if (typeof v !== 'string') throw invalid(`${what}.${k} must be a string`);
    if (!headerOk(k, true) || !headerOk(v, false)) throw invalid(`${what}.${k} is not a header the client can send`);
    for (const n in out) if (n.toLowerCase() === k.toLowerCase()) delete out[n];
    out[k] = v;
  }
  return out;
}

/** `http(s)://host[/path]` as fetch's URL parser reads it (a port out of range or a broken IPv6 host would fail every
 *  call), without credentials (fetch refuses them), query or fragment; trailing slashes dropped. In a browser page a
 *  path (a same-origin proxy) is read against the page's URL, in a Web Worker against its location, as fetch would
 *  read it. MiniMax's paths start with `/v1`, so a MiniMax base ending in `/v1` (its OpenAI-compatible one) loses it. */
function baseUrl(b, provider) {
  try {
    b = new URL(b, globalThis.document?.baseURI ?? globalThis.location?.href).href;
  } catch {
    b = '';
  }
  if (!/^https?:\/\/[^/@]+\/[^?#]*$/.test(b)) throw invalid('baseURL must be an http(s) URL without credentials, query or fragment');
  b = b.replace(/\/+$/, '');
  return provider === 'minimax' ? b.replace(/\/v1$/i, '') : b;
}

function settings(o) {
  if (!isObject(o) || typeof o === 'function') throw invalid('options must be an object with provider and apiKey');
  const provider = string(o, 'provider');
  // A missing provider gets the same answer as an unknown one: the list of names.
  if (!PROVIDERS.includes(provider)) throw invalid(UNKNOWN_PROVIDER);
  const key = string(o, 'apiKey');
  if (key === undefined || !headerOk(key, false)) throw invalid('apiKey is required, in characters an HTTP header can carry');
  const b = string(o, 'baseURL');
  const base = b === undefined ? fromWasm(defaultBase, provider) : baseUrl(b, provider);
  const headers = headerMap(o, 'defaultHeaders', {});
  // MiniMax's legacy hosts want `?GroupId=` on every URL; a string, since GroupIds are 19 digits (above 2^53).
  const group = string(o, 'groupId');
  if (group !== undefined && (provider !== 'minimax' || !/^\d{1,32}$/.test(group))) throw invalid('groupId must be a string of digits (minimax only)');
  const fetch = field(o, 'fetch');
  if (fetch !== undefined && fetch !== null && typeof fetch !== 'function') throw invalid('fetch must be a function');
  const timeout = number(o, 'timeout', 1, MAX_TIMEOUT, false) ?? 600000;
  const maxRetries = number(o, 'maxRetries', 0, 100, true) ?? 2;
  return { provider, key, base, headers, group, fetch: fetch ?? undefined, timeout, maxRetries };
}

function callOptions(c, o) {
  const out = { signal: undefined, timeout: c.timeout, maxRetries: c.maxRetries, onUploadProgress: undefined, headers: c.headers };
  if (o === undefined || o === null) return out;
  object(o, 'options');
  const signal = field(o, 'signal');
  if (signal !== undefined && signal !== null) {
    let ok = false;
    try {
      ok = signal instanceof AbortSignal;
    } catch {}
    if (!ok) throw invalid('signal must be an AbortSignal');
    out.signal = signal;
  }
  out.timeout = number(o, 'timeout', 1, MAX_TIMEOUT, false) ?? out.timeout;
  out.maxRetries = number(o, 'maxRetries', 0, 100, true) ?? out.maxRetries;
  const progress = field(o, 'onUploadProgress');
  if (typeof progress === 'function') out.onUploadProgress = progress;
  else if (progress !== undefined && progress !== null) throw invalid('onUploadProgress must be a function');
  out.headers = headerMap(o, 'headers', c.headers);
  return out;
}

function listQuery(p, provider) {
  const order = string(p, 'order');
  // Any other order is ignored where the client sorts (MiniMax, Moonshot) and refused by OpenAI; Zhipu has its own.
  if (order !== undefined && order !== 'asc' && order !== 'desc' && provider !== 'zhipu') throw invalid('order must be "asc" or "desc"');
  const purpose = string(p, 'purpose');
  const limit = number(p, 'limit', 1, 10000, true);
  // In the order `new Op` takes them after the operation: purpose, after, order, limit.
  return [purpose, string(p, 'after'), order, limit];
}

/** A Blob for the accepted file values (Blob, File, ArrayBuffer, ArrayBufferView, string), else undefined. */
function toBlob(v) {
  try {
    if (v instanceof Blob) return v;
    if (typeof v === 'string' || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new Blob([v]);
  } catch {}
  return undefined;
}

/** The name of a File, else undefined (also where File is not defined: the reference throws). */
function fileName(v) {
  try {
    const name = v instanceof File && v.name;
    if (typeof name === 'string' && name !== '') return name;
  } catch {}
}

// Private state, out of reach of callers and of anything that prints the client, so the key never shows.
const state = new WeakMap();

/** `client.files`: every operation returns a Promise (or an async iterable) and rejects with `LlmFilesError`. */
class Files {
  /** Uploads a file. */
  async create(params, options) {
    return guard(this, (c) => {
      const o = callOptions(c, options);
      object(params, 'params');
      const file = field(params, 'file');
      const blob = toBlob(file);
      if (!blob) throw invalid('file must be a Blob, File, ArrayBuffer, ArrayBufferView or string');
      const purpose = string(params, 'purpose');
      if (purpose === undefined) throw invalid('purpose is required');
      const filename = string(params, 'filename') ?? fileName(file);
      if (filename === undefined) throw invalid('filename is required unless file is a File');
      return settle(start(c, o, 0 /* create */, purpose, filename, undefined, undefined, blob.size), c, o, { blob, filename, purpose });
    });
  }

  /** Lists one page of files. */
  async list(params, options) {
    return guard(this, (c) => {
      const q = listQuery(params, c.provider);
      const o = callOptions(c, options);
      return settle(start(c, o, 1 /* list */, ...q), c, o);
    });
  }

  /** Iterates over every file, across pages and, where the provider needs one, purposes; bad parameters reject its
   *  first step, as an async generator's work starts there (an iterable never stepped makes no call). */
  async *listAll(params, options) {
    const c = state.get(this);
    let o;
    const op = guard(this, () => start(c, (o = callOptions(c, options)), 2 /* listAll */, ...listQuery(params, c.provider)));
    // A walk dropped mid-way waits at a `yield` for good, its `finally` never run: freed once collected.
    op.keep();
    try {
      for (let page; (page = await settle(op, c, o, undefined, undefined, 1)); ) yield* page;
    } finally {
      op.free();
    }
  }

  /** Retrieves one file's metadata. */
  async retrieve(id, options) {
    return guard(this, (c) => {
      fileId(id);
      const o = callOptions(c, options);
      return settle(start(c, o, 3 /* retrieve */, id), c, o);
    });
  }

  /** Downloads a file: resolves to the fetch `Response`. */
  async content(id, options) {
    return guard(this, (c) => {
      fileId(id);
      const o = callOptions(c, options);
      return settle(start(c, o, 4 /* content */, id), c, o);
    });
  }

  /** Deletes a file. */
  async delete(id, params, options) {
    return guard(this, (c) => {
      fileId(id);
      const purpose = string(params, 'purpose');
      const o = callOptions(c, options);
      return settle(start(c, o, 5 /* delete */, id, purpose), c, o, undefined, id);
    });
  }
}

/** Runs one method's synchronous checks; a refusal names the client's provider. */
function guard(files, f) {
  const c = state.get(files);
  if (!c) throw invalid('call the methods of client.files on client.files');
  try {
    return f(c);
  } catch (e) {
    if (e instanceof LlmFilesError && e.provider === null) e.provider = c.provider;
    throw e;
  }
}

/** Creates the machine for one call (`new Op`, arguments in src/js.rs); `op` is the operation's number there (0 create,
 *  1 list, 2 listAll, 3 retrieve, 4 content, 5 delete: plain numbers, 47 B smaller bundled than a named table); its
 *  refusals (bad ids, sizes over the limit) become `LlmFilesError`. */
function start(c, o, op, ...args) {
  try {
    return new Op(c.provider, c.base, o.maxRetries, op, ...args);
  } catch (e) {
    // A refusal is `e<json>`; a RuntimeError (the wasm out of memory) is not, and reads as toError's internal error.
    throw toError(String(e), c.provider, c.key);
  }
}

/** Runs `op` to its value; frees it unless `keep` (a walk, between pages). */
async function settle(op, c, o, up, id, keep) {
  const ctx = { bodies: [] };
  try {
    for (let n; (n = op.stage()); ) {
      // Most stages have one slot; Promise.all only where purposes are listed side by side.
      if (n === 1) await exchange(op, 0, c, o, up, ctx);
      else await Promise.all(Array.from({ length: n }, (_, s) => exchange(op, s, c, o, up, ctx)));
    }
    return value(op.result(), c, ctx, id);
  } catch (e) {
    // Anything else is the wasm out of memory, or JSON.parse refusing a body the Rust reader accepted (a caller's
    // fetch can rewrite its ArrayBuffer in between): reported, never thrown raw.
    throw e instanceof LlmFilesError ? e : new LlmFilesError('decode', `${c.provider}: the response could not be read back`, c.provider, null, null, null, false, 0, null);
  } finally {
    if (!keep) op.free();
  }
}

/** The files the machine chose, from `r` (src/providers/mod.rs, `Page::write_files`): a tag character, the ids
 *  JS cannot read from the provider's objects (MiniMax's int64) comma-separated, a newline, then runs
 *  `[seq, first, count, key]`. Each is built from the body it came from, parsed once by `JSON.parse`; the machine
 *  has checked every field's type. */
function files(r, c, ctx) {
  const nl = r.indexOf('\n');
  return build(JSON.parse(r.slice(nl + 1)), nl > 1 ? r.slice(1, nl).split(',') : undefined, c, ctx);
}

function build(runs, ids, c, ctx) {
  const out = [];
  const roots = [];
  for (const [seq, first, count, key] of runs) {
    let list = (roots[seq] ??= JSON.parse(lossy.decode(ctx.bodies[seq])));
    if (key) list = list[key];
    for (let i = 0; i < count; i++) {
      const o = first < 0 ? list : list[first + i];
      const f = { id: ids ? ids[out.length] : o.id, object: 'file', bytes: o.bytes, created_at: o.created_at, filename: o.filename, purpose: o.purpose ?? '' };
      if (o.status != null) f.status = o.status;
      f.provider = c.provider;
      f.raw = o;
      out.push(f);
    }
  }
  return out;
}

function value(r, c, ctx, id) {
  switch (r[0]) {
    case 'f':
      return files(r, c, ctx)[0];
    case 'l':
      // `l`, then `1` when more pages follow, then the files.
      return { object: 'list', data: files(r.slice(1), c, ctx), has_more: r[1] === '1' };
    case 'w':
      return files(r, c, ctx);
    case 'd':
      return { id, object: 'file', deleted: true };
    // Streamed, or checked from a copy: the Response itself, its body unread.
    case 's':
      return ctx.response;
    case 'u':
      return undefined;
    default:
      throw toError(r, c.provider, c.key, ctx.bodies);
  }
}

/** The client: `new LlmFiles({ provider, apiKey, ... })`, then `client.files.*`. */
export class LlmFiles {
  /** Checks the options and builds the client; throws `LlmFilesError` (`invalid_argument`) on bad options. */
  constructor(options) {
    let c;
    try {
      c = settings(options);
    } catch (e) {
      // Only a known provider name is echoed into the error: the field could hold anything, even the key.
      let p;
      try {
        p = options?.provider;
      } catch {}
      e.provider = PROVIDERS.includes(p) ? p : null;
      throw e;
    }
    const files = new Files();
    state.set(files, c);
    Object.defineProperty(this, 'files', { value: files, enumerable: true });
  }

  /** What `provider` can do: per operation native, emulated or unsupported; purposes; limits. */
  static capabilities(provider) {
    const caps = typeof provider === 'string' ? fromWasm(capabilities, provider) : undefined;
    if (caps === undefined) throw invalid(UNKNOWN_PROVIDER);
    const c = JSON.parse(caps);
    // Each operation's support also at the top (`caps.retrieve`), as the contract's comment reads; `operations` iterates.
    return Object.assign({ provider: c.provider }, c.operations, c);
  }

  /** Does nothing: the client holds no wasm memory between calls (each call frees its own). */
  free() {}
}
