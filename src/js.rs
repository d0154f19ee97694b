//! The wasm exports, a plain C ABI that `js/wasm.js` wraps: `op_*` hand one `Call` to the JS executor step by
//! step, and a few provider facts. Only numbers cross as arguments: strings and bytes go through `IN`, which JS
//! fills after `buf`, and text comes back through `OUT`, which JS reads at `out()`. Rust never touches a JS value,
//! so a hostile caller value can never throw inside wasm, and no Rust future, closure or JS handle lives in wasm.

use alloc::{boxed::Box, string::String, vec, vec::Vec};
use core::cell::UnsafeCell;
use crate::client::{Action, Call, Done, Expect};
use crate::error::{Error, Kind};
use crate::providers::{own, push_num, Body, HttpResponse, ListQuery, Page, Provider, HEADERS};

// No std on wasm: `heap` is the allocator, and a panic (a bug: nothing here panics on outside data) traps at once,
// without formatting its message, so none of core::fmt is linked.
#[global_allocator]
static ALLOCATOR: crate::heap::Heap = crate::heap::Heap::new();

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// A buffer shared with JS. The wasm instance is single-threaded and no export re-enters another, so at most
/// one borrow is live at a time.
struct Shared<T>(UnsafeCell<T>);
// SAFETY: wasm32 without threads: there is no other thread to share with.
unsafe impl<T> Sync for Shared<T> {}
impl<T> Shared<T> {
    #[allow(clippy::mut_from_ref)]
    fn get(&self) -> &mut T {
        // SAFETY: see the type: every export takes this borrow at most once and drops it before returning.
        unsafe { &mut *self.0.get() }
    }
}

/// Arguments from JS: strings (UTF-8) and bytes, one after the other, with their lengths passed alongside.
static IN: Shared<Vec<u8>> = Shared(UnsafeCell::new(Vec::new()));
/// Text for JS: the last export's string result.
static OUT: Shared<String> = Shared(UnsafeCell::new(String::new()));

/// Makes `IN` `len` bytes long (zeroed) and returns where JS writes them.
#[no_mangle]
pub extern "C" fn buf(len: usize) -> *mut u8 {
    let b = IN.get();
    // A new zeroed vector (alloc_zeroed: one memory.fill), not `resize`, whose byte loop cost 2 µs per 8 KB body.
    *b = vec![0; len];
    b.as_mut_ptr()
}

/// Where the last string result starts (its length was the export's return value).
#[no_mangle]
pub extern "C" fn out() -> *const u8 {
    OUT.get().as_ptr()
}

/// The last string result's length, for `op_new`, which returns the call instead.
#[no_mangle]
pub extern "C" fn out_len() -> usize {
    OUT.get().len()
}

/// Makes `s` the string result and returns its length.
fn reply(s: String) -> usize {
    let n = s.len();
    *OUT.get() = s;
    n
}

/// Makes a copy of `s` the string result and returns its length.
fn reply_str(s: &str) -> usize {
    let out = OUT.get();
    out.clear();
    out.push_str(s);
    out.len()
}

/// Reads the arguments JS wrote to `IN`, in order.
struct Args<'a>(&'a [u8]);
impl<'a> Args<'a> {
    /// The next `len` bytes; `u32::MAX` stands for an absent value.
    fn bytes(&mut self, len: u32) -> Option<&'a [u8]> {
        if len == u32::MAX {
            return None;
        }
        let (head, tail) = self.0.split_at_checked(len as usize)?;
        self.0 = tail;
        Some(head)
    }
    /// The next string (JS's TextEncoder wrote valid UTF-8; anything else reads as absent).
    fn str(&mut self, len: u32) -> Option<&'a str> {
        // SAFETY: `utf8` checked the bytes.
        self.bytes(len).filter(|b| crate::json::utf8(b)).map(|b| unsafe { core::str::from_utf8_unchecked(b) })
    }
}

/// `IN` as this export's arguments (`buf`, its only writer, is a separate export, so never runs meanwhile).
fn args() -> Args<'static> {
    Args(IN.get().as_slice())
}

/// One call in flight, owned by JS through the pointer `op_new` returned until `op_free`.
pub struct Op {
    c: Call,
}

fn op<'a>(ptr: *mut Op) -> Option<&'a mut Op> {
    // SAFETY: JS passes only pointers `op_new` returned and not yet freed (js/wasm.js zeroes them on free); null
    // reads as absent.
    unsafe { ptr.as_mut() }
}

fn error(e: &Error) -> usize {
    let mut out = own("e");
    e.write(&mut out);
    reply(out)
}

// Which operation `op_new` starts (js/client.js names the same numbers).
const CREATE: u32 = 0;
const LIST: u32 = 1;
const LIST_ALL: u32 = 2;
const RETRIEVE: u32 = 3;
const CONTENT: u32 = 4;
const DELETE: u32 = 5;

/// Starts operation `op` for the provider and base URL in `IN`, followed by strings `a`, `b`, `c` (lengths given;
/// `u32::MAX`: absent). By `op`: 0 create (a: purpose, b: filename, size), 1 list and 2 listAll (a: purpose, b:
/// after, c: order, limit; 0: none), 3 retrieve and 4 content (a: id), 5 delete (a: id, b: purpose). Returns the
/// call, or null with `e<json>` in `OUT` when refused.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn op_new(provider: u32, base: u32, retries: u32, op: u32, a: u32, b: u32, c: u32, limit: u32, size: f64) -> *mut Op {
    let mut x = args();
    let (provider, base) = (x.str(provider).unwrap_or_default(), x.str(base).unwrap_or_default());
    let (a, b, c) = (x.str(a), x.str(b), x.str(c));
    let Some(p) = Provider::from_name(provider) else {
        // js/client.js refuses unknown providers with the full message before any `Op` exists.
        error(&Error::invalid("internal error: unknown provider"));
        return core::ptr::null_mut();
    };
    let a = a.unwrap_or_default();
    let call = match op {
        CREATE => Call::create(p, base, retries, a, b.unwrap_or_default(), size),
        LIST | LIST_ALL => {
            let q = ListQuery { purpose: (!a.is_empty()).then(|| own(a)), limit: (limit > 0).then_some(limit), after: b.map(own), order: c.map(own) };
            if op == LIST { Call::list(p, base, retries, q) } else { Call::list_all(p, base, retries, q) }
        }
        RETRIEVE => Call::retrieve(p, base, retries, a),
        CONTENT => Call::content(p, base, retries, a),
        DELETE => Call::delete(p, base, retries, a, b),
        _ => Err(Error::invalid("internal error: unknown operation")),
    };
    match call {
        Ok(c) => Box::into_raw(Box::new(Op { c })),
        Err(e) => {
            error(&e);
            core::ptr::null_mut()
        }
    }
}

/// Ends a call and frees it.
#[no_mangle]
pub extern "C" fn op_free(ptr: *mut Op) {
    if !ptr.is_null() {
        // SAFETY: as in `op`; JS frees each pointer once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// How many slots to run side by side (slots `0..n`); 0 when the result is ready.
#[no_mangle]
pub extern "C" fn op_stage(ptr: *mut Op) -> u32 {
    op(ptr).map_or(0, |o| o.c.stage())
}

/// The next step for `slot`, in `OUT`: `""` (done), `"s<ms>"` (sleep) or `"f<method>\n<url>\n<body kind>\n<body>"`,
/// body kind `-` (none), `j` (JSON text), `m` (the multipart upload) or `c` (a download: ask `op_needs_body`).
#[no_mangle]
pub extern "C" fn op_next(ptr: *mut Op, slot: u32, aborted: u32, now: f64, random: f64) -> usize {
    let Some(o) = op(ptr) else { return 0 };
    let out = OUT.get();
    out.clear();
    match o.c.next(slot, aborted != 0, now, random) {
        Action::End => {}
        Action::Sleep(ms) => {
            out.push('s');
            // `as` saturates: negative waits (and NaN) become 0.
            push_num(out, (ms + 0.5) as u64);
        }
        Action::Fetch(req, expect) => {
            let (kind, body) = match &req.body {
                Body::Json(text) => ("j", text.as_str()),
                Body::Multipart { .. } => ("m", ""),
                Body::Empty if expect == Expect::Content => ("c", ""),
                Body::Empty => ("-", ""),
            };
            for part in ["f", req.method.as_str(), "\n", &req.url, "\n", kind, "\n", body] {
                out.push_str(part);
            }
        }
    }
    out.len()
}

/// The response to `slot`'s fetch. `IN` holds the body (`body` bytes; `u32::MAX`: a download left unread) then
/// the headers as `name\nvalue\n...` (`headers` bytes; `u32::MAX`: not read yet). `seq` is the executor's number
/// for the body (files read from it say so, and JS takes their `raw` from it). Returns 1 when it needs the headers:
/// call again with them.
#[no_mangle]
pub extern "C" fn op_answer(ptr: *mut Op, slot: u32, status: u32, body: u32, headers: u32, seq: u32, now: f64) -> u32 {
    let Some(o) = op(ptr) else { return 0 };
    // The body is read where JS wrote it, not copied: a 10,000-file list is megabytes.
    let data = IN.get().as_slice();
    let (body, rest) = data.split_at_checked(if body == u32::MAX { 0 } else { body as usize }).unwrap_or((data, &[]));
    let text = Args(rest).str(headers);
    let resp = HttpResponse { status: status.min(u32::from(u16::MAX)) as u16, headers: text.unwrap_or_default(), body, seq, partial: text.is_none() };
    u32::from(o.c.answer(slot, &resp, now))
}

/// `slot`'s fetch failed without a response; `IN` holds `kind` (an `ErrorKind` name) then the message.
#[no_mangle]
pub extern "C" fn op_failed(ptr: *mut Op, slot: u32, kind: u32, message: u32) {
    let Some(o) = op(ptr) else { return };
    let mut x = args();
    let (kind, message) = (x.str(kind).unwrap_or_default(), x.str(message).unwrap_or_default());
    o.c.failed(slot, Error::new(Kind::of_transport(kind), message));
}

/// How many bytes of a download answered with `status` must be read to know it succeeded (0: none, stream it);
/// `IN` holds the content type (`u32::MAX`: none).
#[no_mangle]
pub extern "C" fn op_needs_body(ptr: *mut Op, status: u32, content_type: u32) -> u32 {
    let Some(o) = op(ptr) else { return 0 };
    o.c.provider().content_needs_body(status.min(u32::from(u16::MAX)) as u16, args().str(content_type))
}

/// The result, in `OUT`: `f<file>`, `l<page>`, `w<files>` (a walk's page; pages and files as `Page::write` and
/// `Page::write_files` say),
/// `e<json>` (error), `d` (deleted), `s` (hand the download's Response over, its body unread), `u` (a walk is
/// over), or `""` while none is ready.
#[no_mangle]
pub extern "C" fn op_result(ptr: *mut Op) -> usize {
    let Some(o) = op(ptr) else { return 0 };
    let p = o.c.provider();
    let mut out = String::new();
    match o.c.take() {
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
        Some(Ok(Done::Deleted)) => out.push('d'),
        Some(Ok(Done::Stream)) => out.push('s'),
        Some(Ok(Done::End)) => out.push('u'),
    }
    reply(out)
}

/// A fact about the provider named in `IN` (`name` bytes), in `OUT`: 0 its capabilities as JSON, 1 its default
/// base URL; `""` for an unknown name. Any other `what`: the response headers the core reads (request ids, retry
/// hints, content type), one per line.
#[no_mangle]
pub extern "C" fn facts(what: u32, name: u32) -> usize {
    let p = args().str(name).and_then(Provider::from_name);
    match (what, p) {
        (0, Some(p)) => reply_str(p.capabilities()),
        (1, Some(p)) => reply_str(p.default_base()),
        (0 | 1, None) => reply_str(""),
        _ => reply_str(HEADERS),
    }
}
