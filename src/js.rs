//! The JS surface: `LlmFiles`, `client.files.*`, reading and checking what callers pass, turning results into
//! JS values and errors into `LlmFilesError`. All TypeScript lives in the one custom section below.

use crate::client::{Client, Pager};
use crate::error::{Error, Kind, Raw};
use crate::providers::{num, ListQuery, Page, Provider};
use crate::transport::{CallOptions, Settings, Upload};
use js_sys::{Array, Function, JsString, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortSignal, Blob};

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    #[allow(clippy::too_many_arguments)]
    fn make_error(
        kind: &str,
        message: &str,
        provider: Option<&str>,
        status: Option<u16>,
        code: Option<String>,
        request_id: Option<String>,
        retryable: bool,
        attempts: u32,
        raw: Option<String>,
        raw_json: bool,
        key: &str,
    ) -> JsValue;
    #[wasm_bindgen(js_name = toBlob)]
    fn to_blob(v: &JsValue) -> Option<Blob>;
    #[wasm_bindgen(js_name = fileName)]
    fn file_name(v: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = isSignal)]
    fn is_signal(v: &JsValue) -> bool;
    #[wasm_bindgen(js_name = responseStatus)]
    pub(crate) fn response_status(v: &JsValue) -> i32;
    fn entries(v: &JsValue) -> Option<Array>;
    #[wasm_bindgen(js_name = hasXhr)]
    pub(crate) fn has_xhr() -> bool;
    #[wasm_bindgen(js_name = progressFetch)]
    pub(crate) fn progress_fetch(url: &str, init: &JsValue, on_progress: &Function, size: f64) -> JsValue;
    fn iterate(pager: JsValue) -> JsValue;
}

const DEFAULT_TIMEOUT_MS: f64 = 600_000.0;
const DEFAULT_MAX_RETRIES: u32 = 2;
// setTimeout treats longer delays as 1 ms.
const MAX_TIMEOUT_MS: f64 = 2_147_483_647.0;
const MAX_RETRIES: f64 = 100.0;
// Longer strings are refused before they are copied into wasm memory.
const MAX_STRING: u32 = 16_384;

/// The client: `new LlmFiles({ provider, apiKey, ... })`, then `client.files.*`.
#[wasm_bindgen(skip_typescript)]
pub struct LlmFiles {
    files: JsValue,
}

#[wasm_bindgen]
impl LlmFiles {
    /// Checks the options and builds the client; throws `LlmFilesError` (`invalid_argument`) on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<LlmFiles, JsValue> {
        // Only a known provider name is echoed into the error: the field could hold anything, even the key.
        let provider = field(&options, "provider").ok().and_then(|v| v.as_string()).and_then(|n| Provider::from_name(&n));
        let settings = settings(&options).map_err(|e| error(e, provider.map(Provider::name), ""))?;
        let files = Files { c: Rc::new(Client { s: settings }) };
        Ok(LlmFiles { files: files.into() })
    }

    /// The file operations.
    #[wasm_bindgen(getter)]
    pub fn files(&self) -> JsValue {
        self.files.clone()
    }

    /// What `provider` can do: per operation native, emulated or unsupported; purposes; limits.
    pub fn capabilities(provider: JsValue) -> Result<JsValue, JsValue> {
        let p = provider.as_string().and_then(|n| Provider::from_name(&n));
        let p = p.ok_or_else(|| error(Error::invalid(UNKNOWN_PROVIDER), None, ""))?;
        js_sys::JSON::parse(p.capabilities())
    }
}

const UNKNOWN_PROVIDER: &str = "provider must be one of \"minimax\", \"moonshot\", \"zhipu\", \"openai\"";

/// `client.files`: every operation returns a Promise (or an async iterable) and rejects with `LlmFilesError`.
#[wasm_bindgen(skip_typescript)]
pub struct Files {
    c: Rc<Client>,
}

/// One call, read and checked synchronously (so a caller's getters run once, before any await).
enum Call {
    Create(String, Upload),
    List(ListQuery),
    Retrieve(String),
    Content(String),
    Delete(String, Option<String>),
    Next(Rc<RefCell<Option<Pager>>>),
}

#[wasm_bindgen]
impl Files {
    /// Uploads a file.
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        let c = &self.c;
        start(c, call_options(c, &options).and_then(|o| {
            object(&params, "params")?;
            let file = field(&params, "file")?;
            let blob = to_blob(&file)
                .ok_or_else(|| Error::invalid("file must be a Blob, File, ArrayBuffer, ArrayBufferView or string"))?;
            let purpose = string(&params, "purpose")?.ok_or_else(|| Error::invalid("purpose is required"))?;
            let filename = match string(&params, "filename")? {
                Some(name) => name,
                None => file_name(&file).ok_or_else(|| Error::invalid("filename is required unless file is a File"))?,
            };
            let size = blob.size();
            match c.s.provider.max_bytes(&purpose, &filename) {
                Some(max) if size > max as f64 => {
                    let m = ["file is ", &num(size as u64), " bytes; ", c.s.provider.name(), " accepts at most ", &num(max), " bytes for this purpose"];
                    Err(Error::invalid(m.concat()))
                }
                _ => Ok((Call::Create(purpose, Upload { blob, filename }), o)),
            }
        }))
    }

    /// Lists one page of files.
    pub fn list(&self, params: JsValue, options: JsValue) -> Promise {
        start(&self.c, list_query(&params).and_then(|q| Ok((Call::List(q), call_options(&self.c, &options)?))))
    }

    /// Iterates over every file, across pages and, where the provider needs one, purposes.
    #[wasm_bindgen(js_name = listAll)]
    pub fn list_all(&self, params: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let c = self.c.clone();
        let started = list_query(&params).and_then(|q| Ok((c.pager(&q)?, call_options(&c, &options)?)));
        let (pager, o) = started.map_err(|e| to_js(e, &c))?;
        Ok(iterate(FilePages { c, pager: Rc::new(RefCell::new(Some(pager))), o }.into()))
    }

    /// Retrieves one file's metadata.
    pub fn retrieve(&self, id: JsValue, options: JsValue) -> Promise {
        start(&self.c, file_id(&id).and_then(|id| Ok((Call::Retrieve(id), call_options(&self.c, &options)?))))
    }

    /// Downloads a file: resolves to the fetch `Response`.
    pub fn content(&self, id: JsValue, options: JsValue) -> Promise {
        start(&self.c, file_id(&id).and_then(|id| Ok((Call::Content(id), call_options(&self.c, &options)?))))
    }

    /// Deletes a file.
    pub fn delete(&self, id: JsValue, params: JsValue, options: JsValue) -> Promise {
        start(&self.c, file_id(&id).and_then(|id| {
            if !params.is_undefined() && !params.is_null() {
                object(&params, "params")?;
            }
            Ok((Call::Delete(id, string(&params, "purpose")?), call_options(&self.c, &options)?))
        }))
    }
}

/// The state behind one `listAll` iterator; JS calls `next()` until it resolves to `undefined`.
#[wasm_bindgen(skip_typescript)]
pub struct FilePages {
    c: Rc<Client>,
    pager: Rc<RefCell<Option<Pager>>>,
    o: CallOptions,
}

#[wasm_bindgen]
impl FilePages {
    /// The next page's files, or `undefined` at the end.
    pub fn next(&self) -> Promise {
        start(&self.c, Ok((Call::Next(self.pager.clone()), self.o.clone())))
    }
}

/// The one place calls become Promises: a single future type, so the wasm holds one copy of the machinery.
fn start(c: &Rc<Client>, call: Result<(Call, CallOptions), Error>) -> Promise {
    let c = c.clone();
    future_to_promise(async move {
        let result = match call {
            Ok((call, o)) => dispatch(&c, call, &o).await,
            Err(e) => Err(e),
        };
        result.map_err(|e| to_js(e, &c))
    })
}

async fn dispatch(c: &Client, call: Call, o: &CallOptions) -> Result<JsValue, Error> {
    let p = c.s.provider;
    let mut out = String::new();
    match call {
        Call::Create(purpose, up) => c.create(&purpose, &up, o).await?.write(p, &mut out),
        Call::List(q) => c.list(&q, o).await?.write(p, &mut out),
        Call::Retrieve(id) => c.retrieve(&id, o).await?.write(p, &mut out),
        Call::Content(id) => return c.content(&id, o).await.map(JsValue::from),
        Call::Delete(id, purpose) => {
            c.delete(&id, purpose.as_deref(), o).await?;
            out.push_str("{\"id\":");
            crate::json::write_str(&mut out, &id);
            out.push_str(",\"object\":\"file\",\"deleted\":true}");
        }
        Call::Next(cell) => {
            // Taken out while a page loads, so no RefCell borrow lives across an await.
            let taken = cell.borrow_mut().take();
            let Some(mut pager) = taken else { return Ok(JsValue::UNDEFINED) };
            let Some(files) = c.next_page(&mut pager, o).await? else { return Ok(JsValue::UNDEFINED) };
            *cell.borrow_mut() = Some(pager);
            Page::write_files(&files, p, &mut out);
        }
    }
    js_sys::JSON::parse(&out).map_err(|_| Error::new(Kind::Decode, "internal error: result is not JSON"))
}

/// Builds the JS error; it redacts every occurrence of the key (a server may echo it) and parses `raw`.
fn to_js(e: Error, c: &Client) -> JsValue {
    error(e, Some(c.s.provider.name()), &c.s.key)
}

fn error(e: Error, provider: Option<&str>, key: &str) -> JsValue {
    let (raw, raw_json) = match e.raw {
        Some(Raw::Json(t)) => (Some(t), true),
        Some(Raw::Text(t)) => (Some(t), false),
        None => (None, false),
    };
    make_error(e.kind.as_str(), &e.message, provider, e.status, e.code, e.request_id, e.retryable, e.attempts, raw, raw_json, key)
}

fn object(v: &JsValue, what: &str) -> Result<(), Error> {
    if v.is_object() || v.is_function() {
        Ok(())
    } else {
        Err(Error::invalid([what, " must be an object"].concat()))
    }
}

/// `v[key]`, with `undefined` for a missing object and an error when the read throws.
fn field(v: &JsValue, key: &str) -> Result<JsValue, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    object(v, "options and params")?;
    Reflect::get(v, &JsValue::from_str(key)).map_err(|_| Error::invalid(["reading `", key, "` threw"].concat()))
}

/// An optional, non-empty string field of bounded length.
fn string(v: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let f = field(v, key)?;
    if f.is_undefined() || f.is_null() {
        return Ok(None);
    }
    let bad = || Error::invalid([key, " must be a non-empty string of at most 16384 characters"].concat());
    let len = f.dyn_ref::<JsString>().map(JsString::length).ok_or_else(bad)?;
    if len == 0 || len > MAX_STRING {
        return Err(bad());
    }
    f.as_string().map(Some).ok_or_else(bad)
}

/// An optional number field in `min..=max`; `integer` refuses fractions.
fn number(v: &JsValue, key: &str, min: f64, max: f64, integer: bool) -> Result<Option<f64>, Error> {
    let f = field(v, key)?;
    if f.is_undefined() {
        return Ok(None);
    }
    match f.as_f64() {
        Some(n) if n >= min && n <= max && (!integer || n.fract() == 0.0) => Ok(Some(n)),
        _ => Err(Error::invalid([key, if integer { " must be a whole number in range" } else { " must be a number in range" }].concat())),
    }
}

fn file_id(v: &JsValue) -> Result<String, Error> {
    let bad = || Error::invalid("file id must be a non-empty string");
    let len = v.dyn_ref::<JsString>().map(JsString::length).ok_or_else(bad)?;
    if len == 0 || len > MAX_STRING {
        return Err(bad());
    }
    v.as_string().ok_or_else(bad)
}

/// A header name or value the fetch implementation will accept (it would otherwise throw with the value,
/// which may be the key, in its message).
fn header_ok(s: &str, name: bool) -> bool {
    let valid = |b: u8| if name { b.is_ascii_graphic() && !b"\"(),/:;<=>?@[\\]{}".contains(&b) } else { b == b'\t' || (b' '..=b'~').contains(&b) };
    !s.is_empty() && s.bytes().all(valid) && (name || s.trim() == s)
}

fn settings(o: &JsValue) -> Result<Settings, Error> {
    if !o.is_object() {
        return Err(Error::invalid("options must be an object with provider and apiKey"));
    }
    let provider = string(o, "provider")?.ok_or_else(|| Error::invalid("provider is required"))?;
    let provider = Provider::from_name(&provider).ok_or_else(|| Error::invalid(UNKNOWN_PROVIDER))?;
    let key = string(o, "apiKey")?.ok_or_else(|| Error::invalid("apiKey is required"))?;
    if !header_ok(&key, false) {
        return Err(Error::invalid("apiKey has characters an HTTP header cannot carry"));
    }
    let base = match string(o, "baseURL")? {
        Some(b) => base_url(&b)?,
        None => String::from(provider.default_base()),
    };
    let mut headers = Vec::new();
    let h = field(o, "defaultHeaders")?;
    if !h.is_undefined() && !h.is_null() {
        object(&h, "defaultHeaders")?;
        let pairs = entries(&h).ok_or_else(|| Error::invalid("reading defaultHeaders threw"))?;
        for pair in pairs.iter() {
            let pair: Array = pair.unchecked_into();
            let (k, v) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1).as_string());
            let v = v.ok_or_else(|| Error::invalid(["defaultHeaders.", &k, " must be a string"].concat()))?;
            if !header_ok(&k, true) || !header_ok(&v, false) {
                return Err(Error::invalid(["defaultHeaders.", &k, " is not a valid HTTP header"].concat()));
            }
            headers.push((k, v));
        }
    }
    let fetch = field(o, "fetch")?;
    let fetch = match fetch {
        f if f.is_undefined() || f.is_null() => None,
        f if f.is_function() => Some(f.unchecked_into::<Function>()),
        _ => return Err(Error::invalid("fetch must be a function")),
    };
    let defaults = CallOptions {
        signal: None,
        timeout_ms: number(o, "timeout", 1.0, MAX_TIMEOUT_MS, false)?.unwrap_or(DEFAULT_TIMEOUT_MS),
        max_retries: number(o, "maxRetries", 0.0, MAX_RETRIES, true)?.map_or(DEFAULT_MAX_RETRIES, |n| n as u32),
        on_progress: None,
    };
    Ok(Settings { provider, key, base, headers, fetch, defaults })
}

/// `http(s)://host[/path]` without query, fragment, spaces or control characters; trailing slashes dropped.
fn base_url(b: &str) -> Result<String, Error> {
    let lower = b.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
    let chars_ok = b.bytes().all(|c| c.is_ascii_graphic() && c != b'?' && c != b'#' && c != b'\\');
    if !host_ok || !chars_ok {
        return Err(Error::invalid("baseURL must be an http(s) URL without query or fragment"));
    }
    Ok(String::from(b.trim_end_matches('/')))
}

fn call_options(c: &Client, o: &JsValue) -> Result<CallOptions, Error> {
    let mut out = c.s.defaults.clone();
    if o.is_undefined() || o.is_null() {
        return Ok(out);
    }
    object(o, "options")?;
    let signal = field(o, "signal")?;
    if !signal.is_undefined() && !signal.is_null() {
        if !is_signal(&signal) {
            return Err(Error::invalid("signal must be an AbortSignal"));
        }
        out.signal = Some(signal.unchecked_into::<AbortSignal>());
    }
    if let Some(t) = number(o, "timeout", 1.0, MAX_TIMEOUT_MS, false)? {
        out.timeout_ms = t;
    }
    if let Some(n) = number(o, "maxRetries", 0.0, MAX_RETRIES, true)? {
        out.max_retries = n as u32;
    }
    let progress = field(o, "onUploadProgress")?;
    if progress.is_function() {
        out.on_progress = Some(progress.unchecked_into());
    } else if !progress.is_undefined() && !progress.is_null() {
        return Err(Error::invalid("onUploadProgress must be a function"));
    }
    Ok(out)
}

fn list_query(p: &JsValue) -> Result<ListQuery, Error> {
    if !p.is_undefined() && !p.is_null() {
        object(p, "params")?;
    }
    let order = string(p, "order")?;
    Ok(ListQuery {
        purpose: string(p, "purpose")?,
        limit: number(p, "limit", 1.0, 10_000.0, true)?.map(|n| n as u32),
        after: string(p, "after")?,
        order,
    })
}

#[wasm_bindgen(typescript_custom_section)]
const TS: &str = r#"
/** A platform llm-files speaks to. */
export type Provider = 'minimax' | 'moonshot' | 'zhipu' | 'openai';

/** A file purpose; known ones autocomplete, unknown ones are passed through to the provider. */
export type Purpose =
  | 'voice_clone' | 'prompt_audio' | 't2a_async_input' | 'video_understanding' | 'video_generation_input'
  | 't2a_async' | 'video_generation' | 'file-extract' | 'image' | 'video' | 'batch' | 'code-interpreter'
  | 'agent' | 'voice-clone-input' | 'assistants' | 'fine-tune' | 'vision' | 'user_data' | (string & {});

/** Options of `new LlmFiles()`. */
export interface LlmFilesOptions {
  /** Which platform to call. */
  provider: Provider;
  /** The API key, sent as `Authorization: Bearer <apiKey>`; never shown in errors. */
  apiKey: string;
  /** Replaces the provider's default base URL (http or https, no query). */
  baseURL?: string;
  /** Milliseconds each attempt may take, body included; default 600000. */
  timeout?: number;
  /** Retries after the first attempt for retryable failures; default 2. */
  maxRetries?: number;
  /** Headers sent on every request. */
  defaultHeaders?: Record<string, string>;
  /** A fetch to use instead of the global one; called with `this === undefined`. */
  fetch?: typeof fetch;
}

/** Options of one call. */
export interface RequestOptions {
  /** Aborts the call, including waits between retries; never retried. */
  signal?: AbortSignal;
  /** Milliseconds each attempt may take, overriding the client's. */
  timeout?: number;
  /** Retries for this call, overriding the client's. */
  maxRetries?: number;
  /** Upload progress for `files.create`, in file bytes: in browsers from XMLHttpRequest upload events, elsewhere 0 at the start and the total at completion. */
  onUploadProgress?: (loaded: number, total: number) => void;
}

/** A file, with OpenAI's field names. */
export interface FileObject {
  /** The id, always a string (MiniMax's int64 ids in exact decimal). */
  id: string;
  /** Always `'file'`. */
  object: 'file';
  /** Size in bytes. */
  bytes: number;
  /** Creation time, Unix seconds. */
  created_at: number;
  /** File name. */
  filename: string;
  /** The purpose it was uploaded for. */
  purpose: string;
  /** Processing status, where the provider reports one. */
  status?: string;
  /** Which provider holds it. */
  provider: Provider;
  /** The provider's own object, as it sent it. */
  raw: Record<string, unknown>;
}

/** One page of files. */
export interface FileList {
  /** Always `'list'`. */
  object: 'list';
  /** The files. */
  data: FileObject[];
  /** Whether another page follows (pass the last id as `after`). */
  has_more: boolean;
}

/** The answer of `files.delete`. */
export interface FileDeleted {
  /** The deleted file's id. */
  id: string;
  /** Always `'file'`. */
  object: 'file';
  /** Always `true`. */
  deleted: true;
}

/** Parameters of `files.create`. */
export interface FileCreateParams {
  /** The content: a Blob or File, bytes, or a string sent as UTF-8. */
  file: Blob | ArrayBuffer | ArrayBufferView | string;
  /** What the file is for; required by every provider. */
  purpose: Purpose;
  /** The name sent with the file; required unless `file` is a File. */
  filename?: string;
}

/** Parameters of `files.list` and `files.listAll`. */
export interface FileListParams {
  /** Only files of this purpose; without it, every listable purpose. */
  purpose?: Purpose;
  /** Page size. */
  limit?: number;
  /** Start after this file id. */
  after?: string;
  /** Sort order: 'asc' | 'desc' (Zhipu takes its own values, passed through). */
  order?: string;
}

/** Parameters of `files.delete`. */
export interface FileDeleteParams {
  /** The file's purpose (MiniMax needs it; looked up with retrieve when missing). */
  purpose?: Purpose;
}

/** What went wrong, in terms a caller acts on. */
export type ErrorKind =
  | 'invalid_argument' | 'authentication' | 'permission_denied' | 'not_found' | 'rate_limit'
  | 'insufficient_balance' | 'invalid_request' | 'server' | 'connection' | 'timeout' | 'aborted'
  | 'decode' | 'unsupported';

/** Every failure of llm-files. */
export class LlmFilesError extends Error {
  /** Always `'LlmFilesError'`. */
  name: 'LlmFilesError';
  /** What went wrong. */
  kind: ErrorKind;
  /** HTTP status of the last attempt, or null when none answered. */
  status: number | null;
  /** The provider the client was made for (null when it was not a known one). */
  provider: Provider;
  /** The provider's own code as a string (MiniMax status_code, Moonshot/OpenAI error.code or type, Zhipu error.code). */
  code: string | null;
  /** The provider's request id (Trace-Id, Msh-Request-Id, x-request-id, ...). */
  requestId: string | null;
  /** Whether the kind of failure may succeed if tried again. */
  retryable: boolean;
  /** Requests made. */
  attempts: number;
  /** The parsed JSON body, or the body text when it is not JSON, or null. */
  raw: unknown;
  /** A plain object with every field above. */
  toJSON(): Record<string, unknown>;
}

/** Whether an operation is done by the provider, emulated by the client, or impossible. */
export type Support = 'native' | 'emulated' | 'unsupported';

/** What a provider can do. */
export interface Capabilities {
  /** The provider. */
  provider: Provider;
  /** Support per operation. */
  operations: Record<'create' | 'list' | 'listAll' | 'retrieve' | 'content' | 'delete', Support>;
  /** How each list parameter is handled. */
  list: Record<'purpose' | 'limit' | 'after' | 'order', string>;
  /** Purposes per operation, as documented (others are passed through). */
  purposes: Record<string, string[] | string>;
  /** Documented size and count limits; `maxFileBytes` per purpose, `*` for any. */
  limits: { maxFileBytes: Record<string, number>; [k: string]: unknown };
  /** Anything else the provider documents. */
  [k: string]: unknown;
}

/** The file operations of a client. */
export interface Files {
  /** Uploads a file. */
  create(params: FileCreateParams, options?: RequestOptions): Promise<FileObject>;
  /** Lists one page of files. */
  list(params?: FileListParams, options?: RequestOptions): Promise<FileList>;
  /** Every file, across pages and (where the provider needs one) purposes. */
  listAll(params?: FileListParams, options?: RequestOptions): AsyncIterable<FileObject>;
  /** One file's metadata (emulated from list pages on Zhipu). */
  retrieve(id: string, options?: RequestOptions): Promise<FileObject>;
  /** The file's content, as the fetch Response. */
  content(id: string, options?: RequestOptions): Promise<Response>;
  /** Deletes a file. */
  delete(id: string, params?: FileDeleteParams, options?: RequestOptions): Promise<FileDeleted>;
}

/** A client for one provider and key. */
export class LlmFiles {
  /** Throws `LlmFilesError` (kind `invalid_argument`) on bad options. */
  constructor(options: LlmFilesOptions);
  /** The file operations. */
  readonly files: Files;
  /** What `provider` can do. */
  static capabilities(provider: Provider): Capabilities;
  /** Releases the wasm memory now instead of at garbage collection. */
  free(): void;
}
"#;
