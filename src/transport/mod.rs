//! The only code that touches fetch: builds each attempt's request, runs it under its own AbortController
//! (timeout timer plus the caller's signal), reads the body, and retries. Timers and listeners are plain JS
//! functions (`resolve`, a bound `abort`), so no Rust closure is ever handed to JS and none can leak.

use crate::error::{Error, Kind, Result};
use crate::providers::{Body, FileObject, HttpRequest, HttpResponse, Page, Provider, HEADERS, REQUEST_ID_HEADERS};
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

/// What a request's response should become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A file object (upload, retrieve).
    File,
    /// A list page.
    List,
    /// A delete confirmation.
    Delete,
    /// A download: the fetch Response itself.
    Content,
}

/// What a request's response became.
pub enum Outcome {
    /// A file object.
    File(FileObject),
    /// A list page.
    Page(Page),
    /// The file is gone.
    Deleted,
    /// The download.
    Response(Response),
}

/// One answered attempt: the plain response and the fetch `Response` itself.
struct Fetched {
    resp: HttpResponse,
    response: Response,
    /// Whether its body was left unread for the caller.
    streaming: bool,
}

/// Sends `req` with retries and turns the answer into what `expect` names. Not generic on purpose: one copy of
/// the retry loop in the wasm, whatever the operation.
pub async fn send(s: &Settings, req: &HttpRequest, upload: Option<&Upload>, o: &CallOptions, expect: Expect) -> Result<Outcome> {
    let mut attempts = 0;
    // Whether an earlier attempt may have been carried out by the provider (it timed out, reset or failed with 5xx).
    let mut ambiguous = false;
    // When the first ambiguous upload attempt began. From then on every attempt first looks, through list, for the
    // file that attempt may have stored, and uploads again only once a lookup has shown it absent.
    let mut stored_since = None;
    loop {
        if is_aborted(o.signal.as_ref()) {
            return Err(Error { attempts, ..aborted() });
        }
        attempts += 1;
        let started = js_sys::Date::now();
        let mut wait = None;
        let lookup = match (stored_since, upload, &req.body) {
            (Some(since), Some(up), Body::Multipart { purpose }) => find_upload(s, purpose, up, since, o).await,
            _ => Ok(None),
        };
        let result = match lookup {
            Ok(Some(found)) => return Ok(Outcome::File(found)),
            Err(e) => Err(e),
            Ok(None) => attempt(s, req, upload, o, expect).await.and_then(|f| {
                wait = retry::retry_after_ms(&f.resp, js_sys::Date::now());
                outcome(s.provider, f, expect, ambiguous)
            }),
        };
        let mut e = match result {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        e.attempts = attempts;
        if !e.retryable || e.kind == Kind::Aborted || attempts > o.max_retries {
            return Err(e);
        }
        let this_ambiguous = matches!(e.kind, Kind::Timeout | Kind::Connection | Kind::Server);
        ambiguous |= this_ambiguous;
        if this_ambiguous && upload.is_some() {
            stored_since.get_or_insert(started);
        }
        let wait = wait.unwrap_or_else(|| retry::backoff_ms(attempts - 1, js_sys::Math::random()));
        if !sleep(wait, o.signal.as_ref()).await {
            return Err(Error { attempts, ..aborted() });
        }
    }
}

/// Looks through the provider's list for the file an ambiguous upload may have stored; `Ok(None)` when it is not
/// there or the purpose cannot be listed (then the upload is simply sent again).
async fn find_upload(s: &Settings, purpose: &str, up: &Upload, since_ms: f64, o: &CallOptions) -> Result<Option<FileObject>> {
    let Some(req) = s.provider.upload_lookup(&s.base, purpose) else { return Ok(None) };
    let page = s.provider.parse_list(&attempt(s, &req, None, o, Expect::List).await?.resp)?;
    let since = (since_ms / 1000.0).floor() as i64;
    Ok(s.provider.find_upload(page.files, purpose, &up.filename, up.blob.size() as u64, since))
}

fn outcome(p: Provider, f: Fetched, expect: Expect, ambiguous: bool) -> Result<Outcome> {
    match expect {
        Expect::File => p.parse_file(&f.resp).map(Outcome::File),
        Expect::List => p.parse_list(&f.resp).map(Outcome::Page),
        // A not-found after an attempt that may have deleted the file means that attempt did.
        Expect::Delete => match p.parse_delete(&f.resp) {
            Err(e) if ambiguous && e.kind == Kind::NotFound => Ok(Outcome::Deleted),
            r => r.map(|()| Outcome::Deleted),
        },
        Expect::Content if f.streaming => Ok(Outcome::Response(f.response)),
        Expect::Content => {
            p.check_content(&f.resp)?;
            rebuild(&f.response, f.resp.status, &f.resp.body).map(Outcome::Response)
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
async fn attempt(s: &Settings, req: &HttpRequest, upload: Option<&Upload>, o: &CallOptions, expect: Expect) -> Result<Fetched> {
    let controller = AbortController::new().map_err(|_| Error::new(Kind::Unsupported, "AbortController is not available"))?;
    let abort = Reflect::get(&controller, &JsValue::from_str("abort"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .map(|f| f.bind0(&controller))
        .ok_or_else(|| Error::new(Kind::Unsupported, "AbortController.abort is not available"))?;
    let timer = set_timeout(&abort, o.timeout_ms);
    listen(o.signal.as_ref(), "addEventListener", &abort);
    let result = fetch_and_read(s, req, upload, o, &controller.signal(), expect).await;
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
    expect: Expect,
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
    // Browsers report upload progress only through XMLHttpRequest; elsewhere progress is start and completion.
    let pending = match (&o.on_progress, upload) {
        (Some(cb), Some(up)) if s.fetch.is_none() && crate::js::has_xhr() => crate::js::progress_fetch(&req.url, &init, cb, up.blob.size()),
        _ => fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init)?,
    };
    let response = JsFuture::from(Promise::resolve(&pending)).await?;
    let status = u16::try_from(crate::js::response_status(&response))
        .map_err(|_| Failure::Classified(Error::new(Kind::Decode, "fetch resolved to something that is not a Response")))?;
    let response: Response = response.unchecked_into();
    if let Some(up) = upload {
        progress(up.blob.size());
    }
    // Through Reflect: a Response from another fetch implementation is read by duck typing, never trusted to not throw.
    let h: web_sys::Headers = Reflect::get(&response, &"headers".into())?.unchecked_into();
    let mut headers = Vec::new();
    for name in REQUEST_ID_HEADERS.iter().chain(HEADERS) {
        if let Ok(Some(v)) = h.get(name) {
            headers.push((String::from(*name), v));
        }
    }
    let mut resp = HttpResponse { status, headers, body: Vec::new() };
    let streaming = expect == Expect::Content && !s.provider.content_needs_body(status, resp.header("content-type"));
    if !streaming {
        let buf = JsFuture::from(response.array_buffer()?).await?;
        resp.body = Uint8Array::new(&buf).to_vec();
    }
    Ok(Fetched { resp, response, streaming })
}

/// A Response carrying `bytes` with the status and headers of `like`, for bodies we had to read first.
fn rebuild(like: &Response, status: u16, bytes: &[u8]) -> Result<Response> {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    init.set_headers(&Reflect::get(like, &"headers".into()).unwrap_or(JsValue::UNDEFINED));
    let body = Uint8Array::from(bytes);
    Response::new_with_opt_buffer_source_and_init(Some(&body), &init)
        .map_err(|_| Error::new(Kind::Decode, "could not rebuild the download response"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ListQuery;
    use wasm_bindgen_test::wasm_bindgen_test;

    const LIST: &str = r#"'{"object":"list","data":[],"has_more":false}'"#;

    /// Settings whose fetch is the JS function `body(url, init)`; `globalThis.t` collects what it sees.
    fn settings(body: &str) -> Settings {
        js_sys::eval("globalThis.t = { calls: 0, inits: [], urls: [] }").ok();
        let prelude = "t.calls++; t.inits.push(init); t.urls.push(url);";
        Settings {
            provider: Provider::OpenAi,
            key: "sk-wasm-test-key".into(),
            base: "http://127.0.0.1:9/v1".into(),
            headers: vec![("X-App".into(), "demo".into())],
            fetch: Some(Function::new_with_args("url, init", &[prelude, body].concat())),
            defaults: CallOptions { signal: None, timeout_ms: 1000.0, max_retries: 2, on_progress: None },
        }
    }

    async fn list(s: &Settings, o: &CallOptions) -> Result<Page> {
        let req = s.provider.list(&s.base, &ListQuery::default());
        match send(s, &req, None, o, Expect::List).await? {
            Outcome::Page(p) => Ok(p),
            _ => unreachable!("a list request yields a page"),
        }
    }

    fn t(expr: &str) -> JsValue {
        js_sys::eval(expr).unwrap_or(JsValue::UNDEFINED)
    }

    #[wasm_bindgen_test]
    async fn multipart_is_rebuilt_for_every_attempt_with_headers() {
        // A 429 is not ambiguous (nothing was stored), so the second attempt uploads again rather than looking first.
        let s = settings(&["return t.calls < 2 ? new Response('{}', {status: 429, headers: {'retry-after-ms': '1'}}) : new Response(JSON.stringify({id:'f',object:'file',bytes:3,created_at:1,filename:'a.jsonl',purpose:'batch'}))"].concat());
        let blob = Blob::new_with_str_sequence(&js_sys::Array::of1(&"abc".into())).unwrap();
        let up = Upload { blob, filename: "a.jsonl".into() };
        let req = s.provider.create(&s.base, "batch");
        let Ok(Outcome::File(f)) = send(&s, &req, Some(&up), &s.defaults, Expect::File).await else { panic!("no file") };
        assert_eq!(f.id, "f");
        assert_eq!(t("t.calls").as_f64(), Some(2.0));
        assert_eq!(t("t.inits[0].body !== t.inits[1].body").as_bool(), Some(true));
        assert_eq!(t("t.inits[1].body.get('purpose')").as_string().as_deref(), Some("batch"));
        assert_eq!(t("t.inits[1].body.get('file').name").as_string().as_deref(), Some("a.jsonl"));
        assert_eq!(t("t.inits[1].body.get('file').size").as_f64(), Some(3.0));
        assert_eq!(t("t.inits[1].headers.Authorization").as_string().as_deref(), Some("Bearer sk-wasm-test-key"));
        assert_eq!(t("t.inits[1].headers['X-App']").as_string().as_deref(), Some("demo"));
        assert_eq!(t("t.inits[1].headers['Content-Type']").as_string(), None, "fetch sets the multipart boundary");
        assert_eq!(t("t.inits[0].signal !== t.inits[1].signal").as_bool(), Some(true), "one AbortController per attempt");
        assert_eq!(t("t.urls[1]").as_string().as_deref(), Some("http://127.0.0.1:9/v1/files"));
    }

    #[wasm_bindgen_test]
    async fn a_hung_attempt_times_out_and_is_retried() {
        let s = settings("return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));");
        let o = CallOptions { timeout_ms: 20.0, max_retries: 1, ..s.defaults.clone() };
        let e = list(&s, &o).await.unwrap_err();
        assert_eq!((e.kind, e.attempts, e.retryable, e.status), (Kind::Timeout, 2, true, None));
    }

    #[wasm_bindgen_test]
    async fn a_pre_aborted_signal_sends_nothing_and_an_abort_mid_wait_stops() {
        let s = settings(&["return new Response('busy', {status: 503, headers: {'retry-after': '30'}});"].concat());
        let signal: AbortSignal = t("AbortSignal.abort('a string reason')").unchecked_into();
        let o = CallOptions { signal: Some(signal), ..s.defaults.clone() };
        let e = list(&s, &o).await.unwrap_err();
        assert_eq!((e.kind, e.attempts, e.retryable), (Kind::Aborted, 0, false));
        assert_eq!(t("t.calls").as_f64(), Some(0.0));
        let signal: AbortSignal = t("AbortSignal.timeout(30)").unchecked_into();
        let o = CallOptions { signal: Some(signal), ..s.defaults.clone() };
        let started = js_sys::Date::now();
        let e = list(&s, &o).await.unwrap_err();
        assert_eq!((e.kind, e.attempts), (Kind::Aborted, 1));
        assert!(js_sys::Date::now() - started < 5000.0, "the 30 s Retry-After wait was cut short");
    }

    #[wasm_bindgen_test]
    async fn odd_fetch_behaviour_never_panics() {
        let cases = [
            ("throw new TypeError('sync throw');", Kind::Connection),
            ("return Promise.reject('a bare string');", Kind::Connection),
            ("return Promise.reject(undefined);", Kind::Connection),
            ("return 42;", Kind::Decode),
            ("return { status: 200, headers: {} };", Kind::Decode),
            ("return new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });", Kind::Decode),
            ("return { then() { throw new Error('thenable'); } };", Kind::Connection),
        ];
        for (body, kind) in cases {
            let s = settings(body);
            let o = CallOptions { max_retries: 0, ..s.defaults.clone() };
            assert_eq!(list(&s, &o).await.unwrap_err().kind, kind, "{body}");
        }
        let s = settings(&["return new Response(", LIST, ");"].concat());
        assert!(list(&s, &s.defaults).await.is_ok(), "the instance still works");
    }

    #[wasm_bindgen_test]
    async fn backoff_waits_with_a_real_timer() {
        let s = settings(&["return t.calls < 2 ? new Response('{}', {status: 500}) : new Response(", LIST, ");"].concat());
        let started = js_sys::Date::now();
        assert!(list(&s, &s.defaults).await.is_ok());
        let waited = js_sys::Date::now() - started;
        assert!((370.0..2000.0).contains(&waited), "waited {waited} ms");
    }
}
