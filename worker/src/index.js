// A Cloudflare Worker that keeps provider keys server-side for browser apps using llm-files:
//   /{provider}/...  → that provider's file API, with the client's token swapped for the provider key.
// Only the file API's paths and methods pass; only allow-listed origins and the configured client token are
// accepted; upload sizes are checked before forwarding; uploads and downloads stream, other answers (and a MiniMax
// download answered as JSON or untyped, which may be an error at HTTP 200) are read to cut out the provider key
// wherever a provider echoed it. A cron trigger deletes files
// older than a configured age with llm-files itself.
import { LlmFiles } from 'llm-files';

const PROVIDERS = {
  minimax: { key: 'MINIMAX_API_KEY', base: 'MINIMAX_BASE_URL', defaultBase: 'https://api.minimax.io' },
  moonshot: { key: 'MOONSHOT_API_KEY', base: 'MOONSHOT_BASE_URL', defaultBase: 'https://api.moonshot.ai/v1' },
  zhipu: { key: 'ZHIPU_API_KEY', base: 'ZHIPU_BASE_URL', defaultBase: 'https://open.bigmodel.cn/api/paas/v4' },
  openai: { key: 'OPENAI_API_KEY', base: 'OPENAI_BASE_URL', defaultBase: 'https://api.openai.com/v1' },
};
// Response headers a browser may read: the providers' request ids, their retry hints, and `Date`, by which llm-files
// dates an upload it looks for after an ambiguous attempt (the provider's clock, not the browser's).
const EXPOSE = 'Trace-Id, Msh-Request-Id, x-request-id, ga-traceid, x-log-id, minimax-request-id, x-mm-request-id, alb_request_id, x-msh-trace-id, Retry-After, retry-after-ms, x-should-retry, Date';
// Multipart framing around the file part.
const FORM_OVERHEAD = 64 * 1024;
// How much of a MiniMax download answered as JSON or untyped is read as a possible error (llm-files reads as much).
const ERROR_MAX = 64 * 1024;

/** The file API's routes per provider: [method, path pattern, true for an upload, false for a download]. */
function allowed(provider, method, path) {
  const routes = provider === 'minimax'
    ? [['POST', /^\/v1\/files\/upload$/, true], ['GET', /^\/v1\/files\/retrieve_content$/, false], ['GET', /^\/v1\/files\/(list|retrieve)$/], ['POST', /^\/v1\/files\/delete$/]]
    : [['POST', /^\/files$/, true], ['GET', /^\/files$/], ['GET', /^\/files\/[^/]+\/content$/, false], ['GET', /^\/files\/[^/]+$/], ['DELETE', /^\/files\/[^/]+$/]];
  // An encoded slash or backslash in an id could become a path separator upstream, reaching a non-file route.
  if (/%2f|%5c/i.test(path)) return { status: 404 };
  const match = routes.filter(([, re]) => re.test(path));
  if (match.length === 0) return { status: 404 };
  const route = match.find(([m]) => m === method);
  return route ? { status: 200, upload: route[2] === true, download: route[2] === false } : { status: 405 };
}

/** The largest file a provider documents for any purpose, from llm-files' own capability table; Infinity when some
 *  purpose has no documented limit (no `*` entry: MiniMax's t2a_async_input and video_understanding). */
function maxUploadBytes(provider, env) {
  const configured = Number(env.MAX_UPLOAD_BYTES);
  if (configured > 0) return configured;
  const limits = LlmFiles.capabilities(provider).limits.maxFileBytes;
  return '*' in limits ? Math.max(...Object.values(limits)) : Infinity;
}

function timingSafeEqual(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function corsHeaders(origin) {
  return origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSE, Vary: 'Origin' } : {};
}

function refuse(status, message, origin) {
  return new Response(JSON.stringify({ error: { type: 'proxy_error', message } }), {
    status,
    headers: { 'content-type': 'application/json', ...corsHeaders(origin) },
  });
}

export async function proxy(request, env) {
  const url = new URL(request.url);
  const origin = request.headers.get('Origin');
  const origins = String(env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  // Requests without an Origin come from servers, not browsers; a browser's Origin must be on the list.
  if (origin && !origins.includes(origin)) return refuse(403, 'origin not allowed', null);
  const [, provider, ...rest] = url.pathname.split('/');
  // Own keys only: `constructor` or `__proto__` would otherwise find Object's and reach the key lookup.
  const p = Object.hasOwn(PROVIDERS, provider) ? PROVIDERS[provider] : undefined;
  if (!p) return refuse(404, 'unknown provider', origin);
  const path = `/${rest.join('/')}`;

  if (request.method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: {
        ...corsHeaders(origin),
        'Access-Control-Allow-Methods': 'GET, POST, DELETE',
        'Access-Control-Allow-Headers': request.headers.get('Access-Control-Request-Headers') ?? 'authorization, content-type',
        'Access-Control-Max-Age': '600',
      },
    });
  }
  const token = (request.headers.get('Authorization') ?? '').replace(/^Bearer /, '');
  if (!env.CLIENT_TOKEN || !timingSafeEqual(token, env.CLIENT_TOKEN)) return refuse(401, 'missing or wrong client token', origin);
  const route = allowed(provider, request.method, path);
  if (route.status === 404) return refuse(404, 'not a file API path', origin);
  if (route.status === 405) return refuse(405, 'method not allowed on this path', origin);
  const key = env[p.key];
  if (!key) return refuse(503, `${provider} is not configured on this proxy`, origin);

  let body = request.method === 'GET' || request.method === 'DELETE' ? undefined : request.body;
  let tooLarge = false;
  if (route.upload) {
    const max = maxUploadBytes(provider, env) + FORM_OVERHEAD;
    const tooLargeMessage = `upload larger than ${provider}'s ${max - FORM_OVERHEAD}-byte file limit`;
    const length = request.headers.get('Content-Length');
    if (length !== null && Number(length) > max) return refuse(413, tooLargeMessage, origin);
    // Without a Content-Length (a chunked upload) the bytes are counted as they stream and cut off past the limit.
    if (length === null && body && max < Infinity) {
      let seen = 0;
      body = body.pipeThrough(new TransformStream({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > max) {
            tooLarge = true;
            controller.error(new Error(tooLargeMessage));
          } else controller.enqueue(chunk);
        },
      }));
    }
  }

  // Forward only what the file API needs: never the client token, cookies or the Origin.
  const headers = new Headers({ Authorization: `Bearer ${key}` });
  for (const h of ['Content-Type', 'Content-Length', 'Accept']) {
    const v = request.headers.get(h);
    if (v) headers.set(h, v);
  }
  const base = String(env[p.base] ?? p.defaultBase).replace(/\/+$/, '');
  let upstream;
  try {
    upstream = await fetch(base + path + url.search, { method: request.method, headers, body });
  } catch {
    upstream = null;
  }
  // A cut-off upload may still draw an answer about the truncated body: the client hears why it was cut.
  if (tooLarge) {
    upstream?.body?.cancel();
    return refuse(413, `upload larger than ${provider}'s file limit`, origin);
  }
  if (!upstream) return refuse(502, 'the provider could not be reached', origin);
  // The answer goes back with only safe headers: content type, request ids, retry hints (none holding the key).
  const out = new Headers(corsHeaders(origin));
  // fetch decodes a compressed body but may keep the encoded length (the Fetch standard leaves headers as sent).
  const length = upstream.headers.has('Content-Encoding') ? [] : ['Content-Length'];
  for (const h of ['Content-Type', ...length, 'Content-Disposition', ...EXPOSE.split(', ')]) {
    const v = upstream.headers.get(h);
    if (v && !v.includes(key) && !unescaped(v).includes(key)) out.set(h, v);
  }
  // A file being downloaded streams back untouched. Any other answer (an error, MiniMax's at HTTP 200 among them, or a
  // listing) is read and the key cut from it: a provider may echo it ("Incorrect API key provided: sk-…"). So is a
  // MiniMax download answered as JSON or untyped, which may be such an error, as far as an error could reach.
  const download = route.download && upstream.ok;
  const type = upstream.headers.get('Content-Type');
  const suspect = download && provider === 'minimax' && (type === null || /json/i.test(type));
  if ((download && !suspect) || upstream.body === null) return new Response(upstream.body, { status: upstream.status, headers: out });
  let bytes;
  try {
    if (suspect) {
      const reader = upstream.body.getReader();
      const parts = [];
      let r;
      for (let size = 0; size <= ERROR_MAX && !(r = await reader.read()).done; size += r.value.byteLength) parts.push(r.value);
      // Longer than any error: the file, streamed on as it came (its Content-Length still true).
      if (!r.done) return new Response(new ReadableStream({
        start: (c) => parts.forEach((part) => c.enqueue(part)),
        pull: async (c) => ((r = await reader.read()).done ? c.close() : c.enqueue(r.value)),
        cancel: (why) => reader.cancel(why),
      }), { status: upstream.status, headers: out });
      bytes = await new Blob(parts).arrayBuffer();
    } else bytes = await upstream.arrayBuffer();
  } catch {
    // Cut off mid-body: a gateway error, retried by llm-files as the broken-off answer would have been.
    return refuse(502, 'the provider\'s answer broke off', origin);
  }
  out.delete('Content-Length');
  // An answer without the key goes back byte for byte (and as bytes: a string body would add a Content-Type).
  const text = new TextDecoder().decode(bytes);
  const cut = withoutKey(text, key);
  // Past cutting (the key in an escaped text that is not JSON and decodes to more escapes): withheld, its status kept.
  if (cut === null) return refuse(upstream.status >= 400 ? upstream.status : 502, 'the provider\'s answer held the provider key and was withheld', origin);
  return new Response(cut === text ? bytes : new TextEncoder().encode(cut), { status: upstream.status, headers: out });
}

/** `s` with every JSON escape undone, wherever it stands: the text a reader decoding any part of a body could see. */
const unescaped = (s) => s.replace(/\\(?:u([0-9a-fA-F]{4})|([\s\S]))/g, (_, h, c) => (h ? String.fromCharCode(parseInt(h, 16)) : ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' })[c] ?? c));

/** `text` with `key` cut wherever it stands: as it is, and as JSON writes it in a string (escaped `"` and `\`, and `/`
 *  as `\/`, as PHP does). A key still there once every escape is undone (`\u0073k-…`, only some `/` as `\/`, or in a
 *  duplicate property `JSON.parse` drops) is cut from the body as `JSON.stringify` writes it, or, not JSON, as read
 *  with its escapes undone; `null` if even that holds it. */
function withoutKey(text, key) {
  if (key.length < 4) return text;
  const escaped = JSON.stringify(key).slice(1, -1);
  const cut = (s) => [key, escaped, escaped.replaceAll('/', '\\/')].reduce((t, k) => t.replaceAll(k, '[redacted]'), s);
  text = cut(text);
  if (!unescaped(text).includes(key)) return text;
  let again;
  try {
    again = JSON.stringify(JSON.parse(text));
  } catch {
    again = unescaped(text);
  }
  again = cut(again);
  return unescaped(again).includes(key) ? null : again;
}

/** Deletes files older than CLEANUP_MAX_AGE_HOURS (or CLEANUP_MAX_AGE_HOURS_<PROVIDER>); logs each one. */
export async function cleanup(env, now = Date.now()) {
  const dryRun = String(env.CLEANUP_DRY_RUN ?? 'false') === 'true';
  const report = [];
  const record = (entry) => {
    console.log(JSON.stringify({ cleanup: entry }));
    report.push(entry);
  };
  // Both a delete's and a listing's failures read as `kind: message`.
  const why = (e) => `${e?.kind ?? 'error'}: ${e?.message ?? e}`;
  for (const [provider, p] of Object.entries(PROVIDERS)) {
    const hours = Number(env[`CLEANUP_MAX_AGE_HOURS_${provider.toUpperCase()}`] ?? env.CLEANUP_MAX_AGE_HOURS);
    if (!env[p.key] || !(hours > 0)) continue;
    const cutoff = now / 1000 - hours * 3600;
    // The purposes the provider documents a delete for (MiniMax lists video_generation_input files but documents no
    // delete for them; they expire after 7 days): refused, such a file is reported, not a failure of the run.
    const deletable = LlmFiles.capabilities(provider).purposes.delete;
    const old = [];
    let client;
    try {
      // A bad base URL in the config throws here: a failed listing like any other.
      client = new LlmFiles({ provider, apiKey: env[p.key], baseURL: env[p.base] ?? p.defaultBase });
      for await (const f of client.files.listAll()) if (f.created_at < cutoff) old.push(f);
    } catch (e) {
      // One provider's failure must not spare the others: logged, and the old files found so far still go.
      record({ provider, action: 'list failed', error: why(e) });
    }
    for (const f of old) {
      const entry = { provider, id: f.id, filename: f.filename, purpose: f.purpose, ageHours: Math.round((now / 1000 - f.created_at) / 360) / 10 };
      try {
        if (!dryRun) await client.files.delete(f.id, { purpose: f.purpose });
        entry.action = dryRun ? 'would delete' : 'deleted';
      } catch (e) {
        // Gone before its delete (deleted meanwhile by a user or another run): what the cleanup wanted, not a failure.
        entry.action = e?.kind === 'not_found' ? 'already gone'
          : e?.kind === 'invalid_request' && Array.isArray(deletable) && !deletable.includes(f.purpose) ? 'not deletable' : 'failed';
        entry.error = why(e);
      }
      record(entry);
    }
  }
  return report;
}

export default {
  fetch: (request, env) => proxy(request, env),
  // A failed listing or delete fails the run (after every provider had its turn), so the cron log shows it.
  scheduled: (event, env, ctx) => ctx.waitUntil(cleanup(env, event.scheduledTime).then((report) => {
    const failed = report.filter((e) => e.action.endsWith('failed'));
    if (failed.length) throw new Error(`cleanup: ${failed.length} failed (${failed.map((e) => `${e.provider} ${e.action}`).join(', ')})`);
  })),
};
