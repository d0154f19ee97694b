//! The only code that touches fetch: builds each attempt's request, runs it under its own AbortController
//! (timeout timer plus the caller's signal), reads the body, and retries. Timers and listeners are plain JS
//! functions (`resolve`, a bound `abort`), so no Rust closure is ever handed to JS and none can leak.

use crate::error::{Error, Kind, Result};
use crate::providers::{Body, HttpRequest, HttpResponse, Provider, HEADERS, REQUEST_ID_HEADERS};
use crate::retry;
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Blob, FormData, Response};

#[wasm_bindgen]
extern "C" {
    // Global functions, so the same code runs in windows, workers, Node, Deno and workerd.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Client-wide settings. `Debug` is written by hand so the key can never be printed.
pub struct Settings {
    /// Which provider.
    pub provider: Provider,
    /// The API key.
    pub key: String,
    /// Base URL without trailing slash.
    pub base: String,
    /// Headers sent on every request.
    pub headers: Vec<(String, String)>,
    /// The caller's fetch, called with `this === undefined`.
    pub fetch: Option<Function>,
    /// Defaults for per-call options.
    pub defaults: CallOptions,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("provider", &self.provider).field("base", &self.base).finish_non_exhaustive()
    }
}

/// Per-call options.
#[derive(Clone, Debug)]
pub struct CallOptions {
    /// The caller's abort signal.
    pub signal: Option<AbortSignal>,
    /// Milliseconds per attempt.
    pub timeout_ms: f64,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// `onUploadProgress(loaded, total)`.
    pub on_progress: Option<Function>,
}

/// The file part of an upload.
pub struct Upload {
    /// The bytes, already a Blob.
    pub blob: Blob,
    /// The name sent in the part.
    pub filename: String,
}

/// One answered attempt: the plain response and, for downloads, the fetch `Response` itself.
pub struct Fetched {
    /// Status, the headers we read, and the body when it was read.
    pub resp: HttpResponse,
    /// The fetch Response.
    pub response: Response,
    /// Whether its body was left unread for the caller.
    pub streaming: bool,
}

/// Sends `req` with retries. `read_body(status, content_type)` says whether to read the body; `handle` turns an
/// answered attempt into a value or an error (retried when retryable) and learns whether an earlier attempt may
/// have been carried out by the provider.
pub async fn send<T>(
    s: &Settings,
    req: &HttpRequest,
    upload: Option<&Upload>,
    o: &CallOptions,
    read_body: impl Fn(u16, Option<&str>) -> bool,
    mut handle: impl FnMut(Fetched, bool) -> Result<T>,
) -> Result<T> {
    let mut attempts = 0;
    let mut ambiguous = false;
    loop {
        if is_aborted(o.signal.as_ref()) {
            return Err(Error { attempts, ..aborted() });
        }
        attempts += 1;
        let mut wait = None;
        let result = attempt(s, req, upload, o, &read_body).await.and_then(|f| {
            wait = retry::retry_after_ms(&f.resp, js_sys::Date::now());
            handle(f, ambiguous)
        });
        let mut e = match result {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        e.attempts = attempts;
        if !e.retryable || e.kind == Kind::Aborted || attempts > o.max_retries {
            return Err(e);
        }
        ambiguous |= matches!(e.kind, Kind::Timeout | Kind::Connection | Kind::Server);
        let wait = wait.unwrap_or_else(|| retry::backoff_ms(attempts - 1, js_sys::Math::random()));
        if !sleep(wait, o.signal.as_ref()).await {
            return Err(Error { attempts, ..aborted() });
        }
    }
}

fn aborted() -> Error {
    Error::new(Kind::Aborted, "the request was aborted by its signal")
}

// Read through Reflect: a caller's signal may carry a throwing getter, and a throw must not cross wasm frames.
fn is_aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(|s| Reflect::get(s, &"aborted".into()).is_ok_and(|v| v.is_truthy()))
}

/// Adds or removes `f` as an `abort` listener of `signal`.
fn listen(signal: Option<&AbortSignal>, method: &str, f: &Function) {
    if let Some(sig) = signal {
        let add = Reflect::get(sig, &JsValue::from_str(method)).ok().and_then(|m| m.dyn_into::<Function>().ok());
        if let Some(add) = add {
            let _ = add.call2(sig, &JsValue::from_str("abort"), f);
        }
    }
}

/// Waits `ms`, or less if `signal` aborts; returns whether the wait ended without an abort.
async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> bool {
    let mut timer = JsValue::UNDEFINED;
    let mut wake = None;
    let p = Promise::new(&mut |resolve, _| {
        timer = set_timeout(&resolve, ms);
        listen(signal, "addEventListener", &resolve);
        wake = Some(resolve);
    });
    let _ = JsFuture::from(p).await;
    clear_timeout(&timer);
    if let Some(w) = &wake {
        listen(signal, "removeEventListener", w);
    }
    !is_aborted(signal)
}

/// One request under its own AbortController; the timer covers the body read too.
async fn attempt(
    s: &Settings,
    req: &HttpRequest,
    upload: Option<&Upload>,
    o: &CallOptions,
    read_body: &impl Fn(u16, Option<&str>) -> bool,
) -> Result<Fetched> {
    let controller = AbortController::new().map_err(|_| Error::new(Kind::Unsupported, "AbortController is not available"))?;
    let abort = Reflect::get(&controller, &JsValue::from_str("abort"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .map(|f| f.bind0(&controller))
        .ok_or_else(|| Error::new(Kind::Unsupported, "AbortController.abort is not available"))?;
    let timer = set_timeout(&abort, o.timeout_ms);
    listen(o.signal.as_ref(), "addEventListener", &abort);
    let result = fetch_and_read(s, req, upload, o, &controller.signal(), read_body).await;
    clear_timeout(&timer);
    // A download's body is still being read by the caller: leave the caller's signal able to cancel it.
    if !matches!(&result, Ok(f) if f.streaming) {
        listen(o.signal.as_ref(), "removeEventListener", &abort);
    }
    result.map_err(|err| match err {
        Failure::Js(js) => {
            if is_aborted(o.signal.as_ref()) {
                aborted()
            } else if is_aborted(Some(&controller.signal())) {
                let mut m = String::from("no complete response within ");
                m.push_str(&crate::providers::num(o.timeout_ms as u64));
                m.push_str(" ms");
                Error::new(Kind::Timeout, m)
            } else {
                let detail = Reflect::get(&js, &JsValue::from_str("message")).ok().and_then(|m| m.as_string());
                let mut m = String::from("the request failed before a response: ");
                m.push_str(detail.as_deref().unwrap_or("network error"));
                Error::new(Kind::Connection, m)
            }
        }
        Failure::Classified(e) => e,
    })
}

enum Failure {
    Js(JsValue),
    Classified(Error),
}

impl From<JsValue> for Failure {
    fn from(v: JsValue) -> Self {
        Failure::Js(v)
    }
}

async fn fetch_and_read(
    s: &Settings,
    req: &HttpRequest,
    upload: Option<&Upload>,
    o: &CallOptions,
    signal: &AbortSignal,
    read_body: &impl Fn(u16, Option<&str>) -> bool,
) -> std::result::Result<Fetched, Failure> {
    let headers = Object::new();
    for (k, v) in &s.headers {
        Reflect::set(&headers, &JsValue::from_str(k), &JsValue::from_str(v))?;
    }
    Reflect::set(&headers, &"Authorization".into(), &JsValue::from_str(&["Bearer ", &s.key].concat()))?;
    let body: JsValue = match (&req.body, upload) {
        (Body::Json(text), _) => {
            Reflect::set(&headers, &"Content-Type".into(), &"application/json".into())?;
            text.into()
        }
        (Body::Multipart { purpose }, Some(up)) => {
            // Rebuilt for every attempt; the fetch implementation sets the multipart boundary itself.
            let form = FormData::new()?;
            form.append_with_str("purpose", purpose)?;
            form.append_with_blob_and_filename("file", &up.blob, &up.filename)?;
            form.into()
        }
        _ => JsValue::UNDEFINED,
    };
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &req.method.as_str().into())?;
    Reflect::set(&init, &"headers".into(), &headers)?;
    if !body.is_undefined() {
        Reflect::set(&init, &"body".into(), &body)?;
    }
    Reflect::set(&init, &"signal".into(), signal)?;
    let progress = |loaded: f64| {
        if let (Some(cb), Some(up)) = (&o.on_progress, upload) {
            let _ = cb.call2(&JsValue::UNDEFINED, &loaded.into(), &up.blob.size().into());
        }
    };
    progress(0.0);
    let fetch = match &s.fetch {
        Some(f) => f.clone(),
        None => Reflect::get(&js_sys::global(), &"fetch".into())?
            .dyn_into::<Function>()
            .map_err(|_| Failure::Classified(Error::new(Kind::Unsupported, "this runtime has no global fetch")))?,
    };
    let pending = fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init)?;
    let response = JsFuture::from(Promise::resolve(&pending)).await?;
    if !crate::js::is_response(&response) {
        return Err(Failure::Classified(Error::new(Kind::Decode, "fetch resolved to something that is not a Response")));
    }
    let response: Response = response.unchecked_into();
    if upload.is_some() {
        progress(upload.map_or(0.0, |u| u.blob.size()));
    }
    let h = response.headers();
    let mut headers = Vec::new();
    for name in REQUEST_ID_HEADERS.iter().chain(HEADERS) {
        if let Ok(Some(v)) = h.get(name) {
            headers.push((String::from(*name), v));
        }
    }
    let status = response.status();
    let mut resp = HttpResponse { status, headers, body: Vec::new() };
    let streaming = !read_body(status, resp.header("content-type"));
    if !streaming {
        let buf = JsFuture::from(response.array_buffer()?).await?;
        resp.body = Uint8Array::new(&buf).to_vec();
    }
    Ok(Fetched { resp, response, streaming })
}

/// A Response carrying `bytes` with the status and headers of `like`, for bodies we had to read first.
pub fn rebuild(like: &Response, bytes: &[u8]) -> Result<Response> {
    let init = web_sys::ResponseInit::new();
    init.set_status(like.status());
    init.set_headers(&like.headers());
    let body = Uint8Array::from(bytes);
    Response::new_with_opt_buffer_source_and_init(Some(&body), &init)
        .map_err(|_| Error::new(Kind::Decode, "could not rebuild the download response"))
}
