// Hand-written JS the wasm module imports: the error class (so `instanceof LlmFilesError` works) and the few
// checks on caller values that could throw (Proxies, getters) and so must run inside try/catch, not in wasm.

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
  toJSON() {
    const { name, kind, message, status, provider, code, requestId, retryable, attempts, raw } = this;
    return { name, kind, message, status, provider, code, requestId, retryable, attempts, raw };
  }
}

/** Builds the error the wasm side describes; the key is cut out of every text a server could have echoed it into. */
export function makeError(kind, message, provider, status, code, requestId, retryable, attempts, raw, rawIsJson, key) {
  const redact = (s) => (typeof s === 'string' && key.length >= 4 ? s.split(key).join('[redacted]') : s ?? null);
  let body = redact(raw);
  if (rawIsJson) {
    try {
      body = JSON.parse(body);
    } catch {}
  }
  return new LlmFilesError(kind, redact(message), provider ?? null, status ?? null, redact(code), redact(requestId), retryable, attempts, body);
}

/** Blob for the accepted file values (Blob, File, ArrayBuffer, ArrayBufferView, string), else undefined. */
export function toBlob(v) {
  try {
    if (v instanceof Blob) return v;
    if (typeof v === 'string' || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new Blob([v]);
  } catch {}
  return undefined;
}

/** The name of a File, else undefined. */
export function fileName(v) {
  try {
    const name = typeof File === 'function' && v instanceof File ? v.name : undefined;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Whether v is an AbortSignal. */
export function isSignal(v) {
  try {
    return v instanceof AbortSignal;
  } catch {
    return false;
  }
}

/** The status of a fetch Response, or of a Response-like object from another fetch implementation (miniflare,
 *  polyfills); -1 for anything else. */
export function responseStatus(v) {
  try {
    if (v instanceof Response) return v.status;
    const s = v.status;
    const ok = Number.isInteger(s) && typeof v.headers?.get === 'function' && typeof v.arrayBuffer === 'function';
    return ok && s >= 0 && s < 1000 ? s : -1;
  } catch {
    return -1;
  }
}

/** [key, value] pairs of a plain object, or undefined when reading it throws. */
export function entries(v) {
  try {
    return Object.entries(v);
  } catch {
    return undefined;
  }
}

/** Turns the wasm pager into an async iterable of files; the pager is freed when iteration ends. */
export async function* iterate(pager) {
  try {
    for (;;) {
      const page = await pager.next();
      if (page === undefined) return;
      yield* page;
    }
  } finally {
    pager.free();
  }
}

/** Whether this runtime has XMLHttpRequest (browsers), the only way to see upload progress. */
export function hasXhr() {
  return typeof XMLHttpRequest === 'function';
}

/** fetch(url, init) over XMLHttpRequest, reporting upload progress as file bytes (0..size); resolves to a Response. */
export function progressFetch(url, init, onProgress, size) {
  return new Promise((resolve, reject) => {
    try {
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
        if (xhr.status < 200 || xhr.status > 599) return reject(new TypeError('network error'));
        const headers = new Headers();
        for (const line of xhr.getAllResponseHeaders().split(/\r?\n/)) {
          const i = line.indexOf(':');
          if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
        }
        const empty = [204, 205, 304].includes(xhr.status);
        resolve(new Response(empty ? null : xhr.response, { status: xhr.status, headers }));
      };
      xhr.onerror = () => reject(new TypeError('network error'));
      xhr.onabort = () => reject(new DOMException('The operation was aborted.', 'AbortError'));
      const signal = init.signal;
      if (signal?.aborted) return reject(new DOMException('The operation was aborted.', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(init.body);
    } catch (e) {
      reject(e);
    }
  });
}
