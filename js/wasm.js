// The wasm's JS side: instantiation for every runtime, and the exports of src/js.rs wrapped as the `Op` class and
// three functions. Strings and bytes go into wasm memory through `buf` and come back through `out`; nothing else
// crosses, and the wasm imports nothing.
let w;
let mem = new Uint8Array(0);
const enc = new TextEncoder();
// Also decodes response bodies (client.js): as fetch's `text()` does, bad bytes as U+FFFD and a leading BOM dropped.
export const dec = new TextDecoder();
// An absent string or body.
const NONE = -1;

/** The wasm memory as bytes, renewed after the memory grew (growing detaches the old buffer). */
function bytes() {
  return mem.buffer === w.memory.buffer ? mem : (mem = new Uint8Array(w.memory.buffer));
}

/** Writes `vals` (strings, byte arrays, or undefined for absent) one after another into the wasm's argument buffer;
 *  returns their lengths in bytes, NONE for absent ones. */
function put(...vals) {
  let max = 0;
  for (const v of vals) if (v != null) max += typeof v === 'string' ? v.length * 3 : v.length;
  let at = w.buf(max) >>> 0;
  const m = bytes();
  return vals.map((v) => {
    if (v == null) return NONE;
    const n = typeof v === 'string' ? enc.encodeInto(v, m.subarray(at, at + v.length * 3)).written : (m.set(v, at), v.length);
    at += n;
    return n;
  });
}

/** The string result of the last export that returned length `n`. */
function take(n) {
  const at = w.out() >>> 0;
  return n ? dec.decode(bytes().subarray(at, at + (n >>> 0))) : '';
}

// Frees the calls a caller dropped unfinished (a `listAll` iterator left mid-walk).
const dropped = new FinalizationRegistry((p) => w.op_free(p));

/** One call in flight (src/js.rs documents each step); `free()` once done. */
export class Op {
  constructor(provider, base, retries, op, a, b, c, limit, size) {
    const l = put(provider, base, a, b, c);
    this.p = w.op_new(l[0], l[1], retries, op, l[2], l[3], l[4], limit ?? 0, size ?? 0);
    if (!this.p) throw take(w.out_len());
  }
  /** Frees the call when the caller may drop it before `free()`. */
  keep() {
    dropped.register(this, this.p, this);
  }
  free() {
    if (this.p) w.op_free(this.p);
    dropped.unregister(this);
    this.p = 0;
  }
  stage() {
    return w.op_stage(this.p);
  }
  next(slot, aborted, now, random) {
    return take(w.op_next(this.p, slot, aborted, now, random));
  }
  answer(slot, status, headers, body, seq, now) {
    const l = put(body, headers);
    return w.op_answer(this.p, slot, status, l[0], l[1], seq, now) !== 0;
  }
  failed(slot, kind, message) {
    const l = put(kind, message);
    w.op_failed(this.p, slot, l[0], l[1]);
  }
  needsBody(status, contentType) {
    return w.op_needs_body(this.p, status, put(contentType)[0]) >>> 0;
  }
  result() {
    return take(w.op_result(this.p));
  }
}

/** A provider fact (0: capabilities JSON, 1: default base URL); undefined for an unknown provider. */
function fact(what, provider) {
  return take(w.facts(what, put(provider)[0])) || undefined;
}
export const capabilities = (provider) => fact(0, provider);
export const defaultBase = (provider) => fact(1, provider);
/** The response headers the core reads, one per line. */
export const headerNames = () => take(w.facts(2, NONE));

/** Instantiates the wasm from a `WebAssembly.Module` or its bytes (`{ module }`), or takes an instance's exports
 *  (`{ exports }`); returns the exports, the running instance's when there is one already. */
export function initSync(o) {
  if (w) return w;
  const m = o?.module ?? o;
  return (w = o.exports ?? new WebAssembly.Instance(m instanceof WebAssembly.Module ? m : new WebAssembly.Module(m), {}).exports);
}

/** Instantiates the wasm from its URL (the browser entry's); returns the exports, the running instance's when there
 *  is one already. */
export default async function init(url) {
  if (w) return w;
  // Vite's dev server before Vite 8 moves this file into node_modules/.vite/deps/ and leaves the wasm behind.
  const res = await fetch(String(url).replace('/.vite/deps/', '/llm-files/pkg/'));
  // Streaming compiles while downloading, but only for the wasm MIME type; any other server gets the bytes path.
  const streaming = typeof WebAssembly.instantiateStreaming === 'function' && res.headers.get('content-type') === 'application/wasm';
  // No `await` inside the call: Next.js's dev server (Turbopack) wraps each WebAssembly.instantiate call in a plain
  // function, where one is a syntax error, in any edge route importing this package.
  const { instance } = await (streaming ? WebAssembly.instantiateStreaming(res, {}) : res.arrayBuffer().then((b) => WebAssembly.instantiate(b, {})));
  return (w ??= instance.exports);
}
