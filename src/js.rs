//! The wasm exports: `Op` hands one `Call` to the JS executor step by step, plus the few provider facts JS needs.
//! Only strings, numbers, booleans and byte arrays cross: Rust never touches a JS object, so a hostile caller
//! value can never throw inside wasm, and no Rust future, closure or JS handle lives in wasm memory.

use alloc::{string::String, vec::Vec};
use crate::client::{Action, Call, Done, Expect};
use crate::error::{Error, Kind};
use crate::providers::{cat, num, split, Body, HttpResponse, ListQuery, Page, Provider, HEADERS, REQUEST_ID_HEADERS};
use wasm_bindgen::prelude::*;

// No std on wasm: talc is the allocator, and a panic (a bug: nothing here panics on outside data) traps at once,
// without formatting its message, so none of core::fmt is linked.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// One call in flight: `stage()`, then `next(slot)` per slot until it says end, answering each fetch.
#[wasm_bindgen]
pub struct Op {
    c: Call,
}

// Which operation `new Op(...)` starts (js/client.js names the same numbers).
const CREATE: u8 = 0;
const LIST: u8 = 1;
const LIST_ALL: u8 = 2;
const RETRIEVE: u8 = 3;
const CONTENT: u8 = 4;
const DELETE: u8 = 5;

fn error(e: &Error) -> String {
    let mut out = String::from("e");
    e.write(&mut out);
    out
}

#[wasm_bindgen]
impl Op {
    /// Starts operation `op` (one constructor rather than six: each export costs wasm bytes). Arguments by `op`:
    /// 0 create (a: purpose, b: filename, size), 1 list and 2 listAll (a: purpose, b: after, c: order, limit),
    /// 3 retrieve and 4 content (a: id), 5 delete (a: id, b: purpose). Throws `e<json>` when refused.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(provider: &str, base: &str, retries: u32, op: u8, a: Option<String>, b: Option<String>, c: Option<String>, limit: Option<u32>, size: f64) -> Result<Op, String> {
        let p = Provider::from_name(provider).ok_or_else(|| error(&Error::invalid("provider must be one of \"minimax\", \"moonshot\", \"zhipu\", \"openai\"")))?;
        let a = a.unwrap_or_default();
        let call = match op {
            CREATE => Call::create(p, base, retries, &a, b.as_deref().unwrap_or_default(), size),
            LIST | LIST_ALL => {
                let q = ListQuery { purpose: (!a.is_empty()).then_some(a), limit, after: b, order: c };
                if op == LIST { Call::list(p, base, retries, q) } else { Call::list_all(p, base, retries, q) }
            }
            RETRIEVE => Call::retrieve(p, base, retries, &a),
            CONTENT => Call::content(p, base, retries, &a),
            DELETE => Call::delete(p, base, retries, &a, b.as_deref()),
            _ => Err(Error::invalid("internal error: unknown operation")),
        };
        call.map(|c| Op { c }).map_err(|e| error(&e))
    }

    /// Slots to run side by side; empty when the result is ready.
    pub fn stage(&mut self) -> Vec<u32> {
        self.c.stage()
    }

    /// The next step for `slot`: `""` (done), `"s<ms>"` (sleep) or `"f<method>\n<url>\n<body kind>\n<body>"`, body
    /// kind `-` (none), `j` (JSON text), `m` (the multipart upload) or `c` (a download: ask `needsBody`).
    pub fn next(&mut self, slot: u32, aborted: bool, now: f64, random: f64) -> String {
        match self.c.next(slot, aborted, now, random) {
            Action::End => String::new(),
            Action::Sleep(ms) => cat(&["s", &num((ms.max(0.0) + 0.5) as u64)]),
            Action::Fetch(req, expect) => {
                let (kind, body) = match &req.body {
                    Body::Json(text) => ("j", text.as_str()),
                    Body::Multipart { .. } => ("m", ""),
                    Body::Empty if expect == Expect::Content => ("c", ""),
                    Body::Empty => ("-", ""),
                };
                cat(&["f", req.method.as_str(), "\n", &req.url, "\n", kind, "\n", body])
            }
        }
    }

    /// The response to `slot`'s fetch: `headers` as `name\nvalue\n...` (absent: not read yet), `body` absent when a
    /// download was left unread, `seq` the executor's number for it (files read from it say so, and JS takes their
    /// `raw` from it). Returns true when it needs the headers: call again with them.
    pub fn answer(&mut self, slot: u32, status: u16, headers: Option<String>, body: Option<Vec<u8>>, seq: u32, now: f64) -> bool {
        let partial = headers.is_none();
        let headers = headers.unwrap_or_default();
        let mut lines = split(&headers, b'\n');
        let mut pairs = Vec::new();
        while let (Some(k), Some(v)) = (lines.next(), lines.next()) {
            pairs.push((String::from(k), String::from(v)));
        }
        let resp = HttpResponse { status, headers: pairs, body: body.unwrap_or_default(), seq, partial };
        self.c.answer(slot, &resp, now)
    }

    /// `slot`'s fetch failed without a response; `kind` names an `ErrorKind`.
    pub fn failed(&mut self, slot: u32, kind: &str, message: &str) {
        self.c.failed(slot, Error::new(Kind::from_name(kind).unwrap_or(Kind::Connection), message));
    }

    /// Whether a download answered with `status` must be read to know it succeeded.
    #[wasm_bindgen(js_name = needsBody)]
    pub fn needs_body(&self, status: u16, content_type: Option<String>) -> bool {
        self.c.provider().content_needs_body(status, content_type.as_deref())
    }

    /// The result: `f<file>`, `l<page>`, `w<files>` (a walk's page; files as `Page::write_files` says),
    /// `e<json>` (error), `d` (deleted), `s` (stream the download), `r` (rebuild it from the bytes read), `u` (a walk
    /// is over), or `""` while none is ready.
    pub fn result(&mut self) -> String {
        let p = self.c.provider();
        let mut out = String::new();
        match self.c.take() {
            None => {}
            Some(Err(e)) => return error(&e),
            Some(Ok(Done::File(f))) => {
                out.push('f');
                Page::write_files(&[f], p, &mut out);
            }
            Some(Ok(Done::Page(page))) => {
                out.push('l');
                page.write(p, &mut out);
            }
            Some(Ok(Done::Files(files))) => {
                out.push('w');
                Page::write_files(&files, p, &mut out);
            }
            Some(Ok(Done::Deleted)) => return "d".into(),
            Some(Ok(Done::Stream)) => return "s".into(),
            Some(Ok(Done::Read)) => return "r".into(),
            Some(Ok(Done::End)) => return "u".into(),
        }
        out
    }
}

/// What `provider` can do, as JSON; `undefined` for an unknown name.
#[wasm_bindgen]
pub fn capabilities(provider: &str) -> Option<String> {
    Provider::from_name(provider).map(|p| String::from(p.capabilities()))
}

/// The provider's default base URL; `undefined` for an unknown name.
#[wasm_bindgen(js_name = defaultBase)]
pub fn default_base(provider: &str) -> Option<String> {
    Provider::from_name(provider).map(|p| String::from(p.default_base()))
}

/// The response headers the core reads (request ids, retry hints, content type), one per line.
#[wasm_bindgen(js_name = headerNames)]
pub fn header_names() -> String {
    let mut out = String::new();
    for h in REQUEST_ID_HEADERS.iter().chain(HEADERS) {
        out.push_str(if out.is_empty() { "" } else { "\n" });
        out.push_str(h);
    }
    out
}
