//! Sans-IO provider logic: a unified operation becomes a plain `HttpRequest`; a plain `HttpResponse` becomes
//! unified values or a classified `Error`. Nothing here touches JS, so it all runs under plain `cargo test`.

use alloc::{string::String, vec::Vec};
pub mod minimax;
pub mod moonshot;
pub mod openai;
pub mod zhipu;

use crate::error::{Error, Kind, Raw, Result};
use crate::json::{self, Doc, Json};

const MB: u64 = 1024 * 1024;

/// One of the supported platforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// MiniMax (api.minimax.io / api.minimaxi.com).
    MiniMax,
    /// Moonshot / Kimi.
    Moonshot,
    /// Zhipu BigModel / Z.ai.
    Zhipu,
    /// Any host speaking OpenAI's /v1/files.
    OpenAi,
}

/// Every provider, in the order the docs list them.
pub const ALL: [Provider; 4] = [Provider::MiniMax, Provider::Moonshot, Provider::Zhipu, Provider::OpenAi];

impl Provider {
    /// The provider named `s` in JS.
    pub fn from_name(s: &str) -> Option<Provider> {
        ALL.into_iter().find(|p| p.name() == s)
    }
    /// The name JS uses.
    pub fn name(self) -> &'static str {
        match self {
            Provider::MiniMax => "minimax",
            Provider::Moonshot => "moonshot",
            Provider::Zhipu => "zhipu",
            Provider::OpenAi => "openai",
        }
    }
    /// The base URL used when the caller gives none.
    pub fn default_base(self) -> &'static str {
        match self {
            Provider::MiniMax => "https://api.minimax.io",
            Provider::Moonshot => "https://api.moonshot.ai/v1",
            Provider::Zhipu => "https://open.bigmodel.cn/api/paas/v4",
            Provider::OpenAi => "https://api.openai.com/v1",
        }
    }
    /// Purposes `list` needs one at a time, or `None` when one request lists every purpose.
    pub fn list_purposes(self) -> Option<&'static [&'static str]> {
        match self {
            Provider::MiniMax => Some(minimax::LIST_PURPOSES),
            Provider::Zhipu => Some(zhipu::LIST_PURPOSES),
            Provider::Moonshot | Provider::OpenAi => None,
        }
    }
    /// Builds the upload request; the transport appends the file part.
    pub fn create(self, base: &str, purpose: &str) -> HttpRequest {
        let path = if self == Provider::MiniMax { "/v1/files/upload" } else { "/files" };
        HttpRequest { method: Method::Post, url: cat(&[base, path]), body: Body::Multipart { purpose: own(purpose) } }
    }
    /// Builds one list request for `purpose` (required where the provider needs one) with the rest of `q`, whose own
    /// purpose is not read: callers list each of several purposes with one query.
    pub fn list(self, base: &str, purpose: Option<&str>, q: &ListQuery) -> HttpRequest {
        match self {
            Provider::MiniMax => minimax::list(base, purpose.unwrap_or_default()),
            Provider::Moonshot => get(cat(&[base, "/files"])),
            Provider::Zhipu | Provider::OpenAi => openai::list(base, purpose, q),
        }
    }
    /// Builds the retrieve request (Zhipu has none: callers emulate it from list pages).
    pub fn retrieve(self, base: &str, id: &str) -> Result<HttpRequest> {
        match self {
            Provider::MiniMax => minimax::by_id(base, "/v1/files/retrieve", id),
            Provider::Zhipu => Err(Error::new(Kind::Unsupported, "zhipu has no retrieve endpoint")),
            _ => Ok(get(file_url(base, id, "")?)),
        }
    }
    /// Builds the download request.
    pub fn content(self, base: &str, id: &str) -> Result<HttpRequest> {
        match self {
            Provider::MiniMax => minimax::by_id(base, "/v1/files/retrieve_content", id),
            _ => Ok(get(file_url(base, id, "/content")?)),
        }
    }
    /// Builds the delete request; MiniMax needs the file's purpose.
    pub fn delete(self, base: &str, id: &str, purpose: &str) -> Result<HttpRequest> {
        match self {
            Provider::MiniMax => minimax::delete(base, id, purpose),
            _ => Ok(HttpRequest { method: Method::Delete, url: file_url(base, id, "")?, body: Body::Empty }),
        }
    }
    /// Reads an upload or retrieve response.
    pub fn parse_file(self, resp: &HttpResponse) -> Result<FileObject> {
        let doc = self.check(resp)?;
        let key = if self == Provider::MiniMax { "file" } else { "" };
        let obj = if key.is_empty() { Some(doc.root()) } else { doc.root().get(key) };
        obj.ok_or(())
            .and_then(|o| FileObject::from_json(self, o, (resp.seq, key, None)))
            .map_err(|()| self.decode(resp, "the response holds no valid file object"))
    }
    /// Reads one list response.
    pub fn parse_list(self, resp: &HttpResponse) -> Result<Page> {
        let doc = self.check(resp)?;
        let body = doc.root();
        let key = if self == Provider::MiniMax { "files" } else { "data" };
        let bad = || self.decode(resp, "the response holds no valid file list");
        let has_more = match body.get("has_more") {
            None => Some(false),
            Some(v) if v.is_null() => Some(false),
            Some(v) => v.as_bool(),
        };
        let has_more = has_more.ok_or_else(bad)?;
        let files = match body.get(key) {
            Some(v) if v.is_null() => Vec::new(),
            Some(v) => {
                let items = v.items().ok_or_else(bad)?;
                let mut files = Vec::new();
                for (o, i) in items.zip(0..) {
                    files.push(FileObject::from_json(self, o, (resp.seq, key, Some(i))).map_err(|()| bad())?);
                }
                files
            }
            None => return Err(bad()),
        };
        Ok(Page { files, has_more })
    }
    /// Reads a delete response.
    pub fn parse_delete(self, resp: &HttpResponse) -> Result<()> {
        // 204 No Content can only mean done (some OpenAI-compatible hosts answer a DELETE so); MiniMax's answer
        // must carry a base_resp, which a body-less one cannot.
        if resp.status == 204 && self != Provider::MiniMax {
            return Ok(());
        }
        let doc = self.check(resp)?;
        let body = doc.root();
        if self == Provider::MiniMax {
            // Success is a base_resp with status_code 0; any other shape says nothing.
            return match body.get("base_resp").and_then(|b| b.get("status_code")).and_then(Json::as_i64) {
                Some(0) => Ok(()),
                _ => Err(self.decode(resp, "the response has no base_resp status")),
            };
        }
        match body.get("deleted").and_then(Json::as_bool) {
            Some(true) => Ok(()),
            Some(false) => Err(Error { retryable: false, ..self.decode(resp, "the provider answered deleted: false") }),
            None => Err(self.decode(resp, "the response does not say whether the file was deleted")),
        }
    }
    /// The list request that can find a file an ambiguous upload may have stored, if its purpose is listable: its
    /// first page, or with `after` the page after that file.
    pub fn upload_lookup(self, base: &str, purpose: &str, after: Option<String>) -> Option<HttpRequest> {
        // Newest first where the provider sorts on request (OpenAI), so the first 100 hold a file just stored.
        let q = ListQuery { purpose: None, limit: Some(100), after, order: (self == Provider::OpenAi).then(|| own("desc")) };
        match self {
            Provider::MiniMax | Provider::Zhipu if !self.list_purposes()?.contains(&purpose) => None,
            _ => Some(self.list(base, Some(purpose), &q)),
        }
    }

    /// The file an ambiguous upload stored, if `files` holds one: same purpose, name and size, created no earlier
    /// than a second before the first attempt began (`since` in Unix seconds); the newest when several match.
    pub fn find_upload(self, files: Vec<FileObject>, purpose: &str, filename: &str, bytes: u64, since: i64) -> Option<FileObject> {
        let mut best: Option<usize> = None;
        for (i, f) in files.iter().enumerate() {
            // MiniMax lists one purpose per request and may spell it differently in the objects.
            let same = (self == Provider::MiniMax || f.purpose() == purpose) && f.filename() == filename && f.bytes == bytes;
            // The later of two created in the same second: the newest as the provider lists them.
            if same && f.created_at >= since.saturating_sub(1) && best.and_then(|b| files.get(b)).is_none_or(|b| f.created_at >= b.created_at) {
                best = Some(i);
            }
        }
        take(files, best?)
    }

    /// How many bytes of a download's body must be read to know it succeeded: all of an error's; of MiniMax JSON or
    /// untyped bodies (its errors arrive as 200 with `base_resp`) the first 64 KiB, since an error is far shorter and
    /// a longer body is the file, whose bytes stay out of wasm memory; else none (0).
    pub fn content_needs_body(self, status: u16, content_type: Option<&str>) -> u32 {
        if !(200..300).contains(&status) {
            u32::MAX
        } else if self == Provider::MiniMax && content_type.is_none_or(|t| has(t, "json")) {
            SNIFF_BYTES
        } else {
            0
        }
    }
    /// Checks a download response whose body was read: it must be JSON without an error, unless it is a 2xx body as
    /// long as the part read of it (`SNIFF_BYTES`), longer than any error, or a 2xx body that is not a provider's
    /// error and is untyped or does not begin with `{` (MiniMax documents its files as `application/json`, `format:
    /// binary`; its errors are objects): then it is the file.
    pub fn check_content(self, resp: &HttpResponse, content_type: Option<&str>) -> Result<()> {
        match self.check(resp) {
            Err(e)
                if (200..300).contains(&resp.status)
                    && (resp.body.len() >= SNIFF_BYTES as usize
                        || e.kind == Kind::Decode
                            && (content_type.is_none() || resp.body.first() != Some(&b'{'))) =>
            {
                Ok(())
            }
            r => r.map(drop),
        }
    }

    /// Parses the body and turns every provider error into an `Error`; on success returns the JSON.
    pub fn check<'a>(self, resp: &'a HttpResponse) -> Result<Doc<'a>> {
        let body = json::parse(resp.body);
        let ok = (200..300).contains(&resp.status);
        let class = body.as_ref().map(Doc::root).and_then(|b| match self {
            Provider::MiniMax => minimax::classify(resp.status, &b),
            Provider::Moonshot => moonshot::classify(resp.status, &b),
            Provider::Zhipu => zhipu::classify(resp.status, &b),
            Provider::OpenAi => openai::classify(resp.status, &b),
        });
        match (class, body) {
            (None, Some(b)) if ok => Ok(b),
            (None, None) if ok => Err(self.decode(resp, "the response is not valid JSON")),
            (class, body) => {
                let class = class.unwrap_or_else(|| Class::status(resp.status, None, None));
                Err(self.fail(resp, body.as_ref().map(Doc::root), class))
            }
        }
    }

    /// A `decode` error about a response that answered but made no sense.
    pub fn decode(self, resp: &HttpResponse, why: &str) -> Error {
        let class = Class { kind: Kind::Decode, code: None, message: Some(own(why)), retryable: false };
        let body = json::parse(resp.body);
        self.fail(resp, body.as_ref().map(Doc::root), class)
    }

    fn fail(self, resp: &HttpResponse, body: Option<Json>, class: Class) -> Error {
        let mut message = own(self.name());
        message.push(' ');
        push_num(&mut message, u64::from(resp.status));
        if let Some(code) = &class.code {
            message.push_str(" [");
            message.push_str(code);
            message.push(']');
        }
        message.push_str(": ");
        message.push_str(class.message.as_deref().unwrap_or_else(|| status_text(resp.status)));
        let retryable = match resp.header(X_SHOULD_RETRY) {
            Some("true") => true,
            Some("false") => false,
            // A conflict may clear by itself, whatever the body calls it; money and keys do not.
            _ => class.retryable || resp.status == 409 && class.kind == Kind::InvalidRequest,
        };
        let raw = Raw { seq: resp.seq, json: body.is_some() };
        Error {
            kind: class.kind,
            message,
            status: Some(resp.status),
            code: class.code,
            request_id: self.request_id(resp, body),
            retryable,
            attempts: 0,
            raw: (!resp.body.is_empty()).then_some(raw),
        }
    }

    /// The one place request ids are read: this provider's own header first, then every other known one, then the body.
    pub fn request_id(self, resp: &HttpResponse, body: Option<Json>) -> Option<String> {
        let first = match self {
            Provider::MiniMax => OWN_ID_HEADERS.0,
            Provider::Moonshot => OWN_ID_HEADERS.1,
            Provider::Zhipu | Provider::OpenAi => OWN_ID_HEADERS.2,
        };
        let from_body = || {
            body.and_then(|b| b.get("request_id").or_else(|| b.get("trace_id")))
                .and_then(|v| v.string())
        };
        let mut names = split(REQUEST_ID_HEADERS, b'\n');
        let mut name = Some(first);
        while let Some(h) = name {
            if let Some(v) = resp.header(h).filter(|v| !v.is_empty()) {
                return Some(own(v));
            }
            name = names.next();
        }
        from_body()
    }

    /// The largest file the provider documents for `purpose` (by extension where limits differ by type) at `base`.
    pub fn max_bytes(self, base: &str, purpose: &str, filename: &str) -> Option<u64> {
        let dot = filename.bytes().rposition(|b| b == b'.');
        let ext = dot.and_then(|i| filename.get(i + 1..)).unwrap_or_default();
        let is = |list: &str| split(list, b' ').any(|e| e.eq_ignore_ascii_case(ext));
        match self {
            Provider::MiniMax => match purpose {
                "voice_clone" | "prompt_audio" => Some(20 * MB),
                "video_generation_input" if is("jpg jpeg png webp heic heif") => Some(30 * MB),
                "video_generation_input" if is("wav mp3") => Some(15 * MB),
                "video_generation_input" => Some(50 * MB),
                _ => None,
            },
            Provider::Moonshot => Some(100 * MB),
            Provider::Zhipu => match purpose {
                // z.ai documents 100 MB for agent files, images included; bigmodel.cn 20 MB, images 5 MB.
                "agent" if has(base, "://api.z.ai/") => Some(100 * MB),
                "code-interpreter" | "agent" if is("png jpg jpeg") => Some(5 * MB),
                "code-interpreter" | "agent" => Some(20 * MB),
                "voice-clone-input" => Some(10 * MB),
                _ => Some(100 * MB),
            },
            Provider::OpenAi => Some(512 * MB),
        }
    }

    /// What this provider can do, as the JSON `LlmFiles.capabilities()` returns.
    pub fn capabilities(self) -> &'static str {
        match self {
            Provider::MiniMax => minimax::CAPABILITIES,
            Provider::Moonshot => moonshot::CAPABILITIES,
            Provider::Zhipu => zhipu::CAPABILITIES,
            Provider::OpenAi => openai::CAPABILITIES,
        }
    }
}

/// How much of a MiniMax download served as JSON, or untyped, is read to rule out an error: 64 KiB, far more than any error.
const SNIFF_BYTES: u32 = 65536;

// A macro so that `HEADERS` can start with the same literal.
macro_rules! request_id_headers {
    () => {
        "trace-id\nmsh-request-id\nx-request-id\nga-traceid\nx-log-id\nminimax-request-id\nx-mm-request-id\nalb_request_id\nx-msh-trace-id"
    };
}

/// Response headers that carry a request id, lower-case, one per line: the start of `HEADERS`, so the wasm holds
/// the text once.
pub const REQUEST_ID_HEADERS: &str = HEADERS.split_at(request_id_headers!().len()).0;

/// `name` as a slice of `HEADERS`, found at compile time (a name not in it fails the build), so the wasm holds
/// each header name once.
const fn header(name: &str) -> &'static str {
    let (h, n) = (HEADERS.as_bytes(), name.as_bytes());
    let mut at = 0;
    'find: while at + n.len() <= h.len() {
        let mut i = 0;
        while i < n.len() {
            if h[at + i] != n[i] {
                at += 1;
                continue 'find;
            }
            i += 1;
        }
        return HEADERS.split_at(at).1.split_at(n.len()).0;
    }
    panic!("not in HEADERS")
}
/// The request-id header each provider documents: MiniMax's, Moonshot's, and Zhipu's and OpenAI's.
const OWN_ID_HEADERS: (&str, &str, &str) = (header("trace-id"), header("msh-request-id"), header("x-request-id"));
/// Names of the other headers the client reads.
pub const CONTENT_TYPE: &str = header("content-type");
/// See `CONTENT_TYPE`.
pub const RETRY_AFTER: &str = header("retry-after");
/// See `CONTENT_TYPE`.
pub const RETRY_AFTER_MS: &str = header("retry-after-ms");
/// See `CONTENT_TYPE`.
pub const X_SHOULD_RETRY: &str = header("x-should-retry");
/// See `CONTENT_TYPE`.
pub const DATE: &str = header("date");

/// Every response header the client reads, one per line: the request ids, then the others. The transport reads
/// exactly these.
pub const HEADERS: &str = concat!(request_id_headers!(), "\ncontent-type\nretry-after\nretry-after-ms\nx-should-retry\ndate");

/// HTTP method of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// DELETE.
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// What a request carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// Nothing.
    Empty,
    /// A JSON document.
    Json(String),
    /// multipart/form-data with `purpose` then the caller's file as `file`.
    Multipart {
        /// The `purpose` field.
        purpose: String,
    },
}

/// A request, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Full URL, already percent-encoded.
    pub url: String,
    /// Body.
    pub body: Body,
}

/// A response, as plain data borrowed from where the executor put it (in wasm, the argument buffer JS wrote).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HttpResponse<'a> {
    /// Status code.
    pub status: u16,
    /// Headers the client reads, as `name\nvalue` lines (names lower-case; the executor turns line breaks in
    /// values into spaces): the text JS sends, kept as it came rather than split into a pair of strings each.
    pub headers: &'a str,
    /// Body bytes (empty when not read).
    pub body: &'a [u8],
    /// The executor's number for this response; files read from it point back to it (`FileObject::src`).
    pub seq: u32,
    /// Sent without its headers: a success needs none, so the executor reads them only when asked.
    pub partial: bool,
}

impl<'a> HttpResponse<'a> {
    /// The value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        let mut lines = split(self.headers, b'\n');
        while let (Some(k), Some(v)) = (lines.next(), lines.next()) {
            if k.eq_ignore_ascii_case(name) {
                return Some(v);
            }
        }
        None
    }
}

/// Parameters of `list`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListQuery {
    /// Only files of this purpose.
    pub purpose: Option<String>,
    /// At most this many files.
    pub limit: Option<u32>,
    /// Files after this id.
    pub after: Option<String>,
    /// Sort order.
    pub order: Option<String>,
}

/// A file, in OpenAI's field names.
#[derive(Clone, Debug, PartialEq)]
pub struct FileObject {
    /// Size in bytes.
    pub bytes: u64,
    /// Unix seconds.
    pub created_at: i64,
    /// The id (a string everywhere: MiniMax's int64 in decimal), the name and the purpose, one after the other:
    /// one allocation per file rather than three, since a listing can hold thousands.
    text: String,
    /// Where the name and the purpose start in `text`.
    cut: (u32, u32),
    /// Where the provider's own object is: the response's `seq`, the key holding it (or the list) in the body
    /// (`""` for the body itself), and its index in that list (`None` for a single object). JS parses each body
    /// once with `JSON.parse` and takes `raw` from there, so it is never copied through wasm.
    pub src: (u32, &'static str, Option<u32>),
}

impl FileObject {
    /// A file with these fields (tests build files with it; responses go through `from_json`).
    #[cfg(test)]
    pub fn new(id: &str, bytes: u64, created_at: i64, filename: &str, purpose: &str, src: (u32, &'static str, Option<u32>)) -> FileObject {
        let mut text = String::with_capacity(id.len() + filename.len() + purpose.len());
        for part in [id, filename, purpose] {
            text.push_str(part);
        }
        // Texts over 4 GiB cannot reach wasm32, and the natively fuzzed ones are far smaller.
        let cut = (id.len() as u32, (id.len() + filename.len()) as u32);
        FileObject { bytes, created_at, text, cut, src }
    }
    /// `text` from byte `a` to `b`.
    #[inline(never)]
    fn part(&self, a: u32, b: u32) -> &str {
        self.text.get(a as usize..b as usize).unwrap_or_default()
    }
    /// The id.
    pub fn id(&self) -> &str {
        self.part(0, self.cut.0)
    }
    /// The name.
    pub fn filename(&self) -> &str {
        self.part(self.cut.0, self.cut.1)
    }
    /// The purpose (`""` where the provider gives none).
    pub fn purpose(&self) -> &str {
        self.part(self.cut.1, self.text.len() as u32)
    }

    fn from_json(p: Provider, o: Json, src: (u32, &'static str, Option<u32>)) -> core::result::Result<FileObject, ()> {
        // One pass over the fields (a later repeat overriding an earlier one, as in `JSON.parse`), keys told apart by
        // length and then one inline comparison: this runs for every field of every file of a listing.
        fn is<const N: usize>(k: &[u8], word: &[u8; N]) -> bool {
            <&[u8; N]>::try_from(k).is_ok_and(|k| k == word)
        }
        let mm = p == Provider::MiniMax;
        let [id, bytes, created_at, filename, purpose, status] = o
            .pick(|k| match k.len() {
                2 if !mm && is(k, b"id") => Some(0),
                7 if mm && is(k, b"file_id") => Some(0),
                5 if is(k, b"bytes") => Some(1),
                10 if is(k, b"created_at") => Some(2),
                8 if is(k, b"filename") => Some(3),
                7 if is(k, b"purpose") => Some(4),
                6 if is(k, b"status") => Some(5),
                _ => None,
            })
            .ok_or(())?;
        // Absent or null reads as absent; anything else must be a string.
        let null = |v: &Option<Json>| v.is_none_or(|v| v.is_null());
        // JS reads `status` from the provider's object; here it is only checked.
        if !null(&status) && !status.is_some_and(|v| v.is_str()) {
            return Err(());
        }
        let (bytes, created_at) = (bytes.and_then(|v| v.as_u64()).ok_or(())?, created_at.and_then(|v| v.as_i64()).ok_or(())?);
        // The id, the name and the purpose are written straight into the file's text, unescaped as they go.
        let (id, filename) = (id.ok_or(())?, filename.ok_or(())?);
        let mut text = String::with_capacity(64);
        match id.num() {
            // A JSON integer is already in canonical form (no leading zeros), except -0: copied, not reformatted.
            // Up to 18 digits always fit: checked without computing the value (the common case, and a hot loop).
            Some(n) if p == Provider::MiniMax && n.len() < 19 && n.bytes().all(|c| c.is_ascii_digit()) => text.push_str(n),
            Some(n) if p == Provider::MiniMax => text.push_str(if json::int(n).ok_or(())? == 0 { "0" } else { n }),
            _ if p == Provider::MiniMax => text.push_str(&num_i64(id.string().and_then(|s| json::int(&s)).ok_or(())?)),
            _ if !id.push_to(&mut text) || text.is_empty() => return Err(()),
            _ => {}
        }
        let a = text.len();
        if !filename.push_to(&mut text) {
            return Err(());
        }
        let b = text.len();
        if !null(&purpose) && !purpose.is_some_and(|v| v.push_to(&mut text)) {
            return Err(());
        }
        // Texts over 4 GiB cannot reach wasm32, and the natively fuzzed ones are far smaller.
        Ok(FileObject { bytes, created_at, text, cut: (a as u32, b as u32), src })
    }

    /// Whether `next` comes right after this file in the same list of the same body.
    fn followed_by(&self, next: &FileObject) -> bool {
        let ((seq, key, at), (s, k, n)) = (self.src, next.src);
        seq == s && key == k && matches!((at, n), (Some(a), Some(b)) if a.checked_add(1) == Some(b))
    }
}

/// One page of a listing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// The files.
    pub files: Vec<FileObject>,
    /// Whether more pages follow.
    pub has_more: bool,
}

impl Page {
    /// Appends the page: `1` when more pages follow, else `0`, then its files as `write_files` says.
    pub fn write(&self, p: Provider, out: &mut String) {
        out.push(if self.has_more { '1' } else { '0' });
        Page::write_files(&self.files, p, out);
    }

    /// Appends `files` as JS materialises them: the ids JS cannot read from the provider's object, comma-separated
    /// (MiniMax's int64, which `JSON.parse` would round; nothing for the other providers), a newline, then runs
    /// `[seq, first index or -1, count, key]`, each `count` files in a row of the list at `key` in body `seq` (`""`:
    /// the body itself; index -1: not in a list). The ids come first and apart from the runs, so JS splits them once
    /// and `JSON.parse` never scans them. Every other field JS takes from the provider's object as `JSON.parse` read
    /// it; this module has checked each one's type. A plain listing is one run, whatever its length.
    pub fn write_files(files: &[FileObject], p: Provider, out: &mut String) {
        if p == Provider::MiniMax {
            for (i, f) in files.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { "," });
                out.push_str(f.id());
            }
        }
        out.push_str("\n[");
        let mut rest = files;
        while let Some(f) = rest.first() {
            let n = 1 + rest.windows(2).take_while(|w| matches!(w, [a, b] if a.followed_by(b))).count();
            let (run, tail) = rest.split_at(n.min(rest.len()));
            let (seq, key, first) = f.src;
            out.push_str(if rest.len() == files.len() { "[" } else { ",[" });
            push_num(out, u64::from(seq));
            out.push(',');
            match first {
                Some(i) => push_num(out, u64::from(i)),
                None => out.push_str("-1"),
            }
            out.push(',');
            push_num(out, run.len() as u64);
            out.push(',');
            json::write_str(out, key);
            out.push(']');
            rest = tail;
        }
        out.push(']');
    }

    /// Applies `order`, `after`, `limit` and, when `by_purpose`, `purpose` on the client, for providers that return
    /// everything at once.
    pub fn window(mut files: Vec<FileObject>, q: &ListQuery, by_purpose: bool) -> Page {
        if let Some(purpose) = q.purpose.as_ref().filter(|_| by_purpose) {
            files.retain(|f| f.purpose() == purpose);
        }
        let desc = matches!(q.order.as_deref(), Some("desc"));
        if desc || matches!(q.order.as_deref(), Some("asc")) {
            sort_by_time(&mut files, desc);
        }
        if let Some(after) = &q.after {
            let at = files.iter().position(|f| f.id() == after).map_or(files.len(), |i| i + 1);
            files = files.split_off(at.min(files.len()));
        }
        let limit = q.limit.map_or(usize::MAX, |l| l as usize);
        let has_more = files.len() > limit;
        files.truncate(limit);
        Page { files, has_more }
    }
}

/// Sorts by `created_at`, newest first when `desc`, files created in the same second keeping the provider's order:
/// a heap sort over (time, position) keys, unique so the order is stable, in far less wasm than core's sorts.
fn sort_by_time(files: &mut [FileObject], desc: bool) {
    // Moves `root` down the heap of `..end` (largest key on top), the files following their keys.
    fn sift(keys: &mut [(i64, usize)], files: &mut [FileObject], mut root: usize, end: usize) {
        loop {
            let big = |a: usize, b: usize| if b < end && keys.get(b) > keys.get(a) { b } else { a };
            let child = big(big(root, 2 * root + 1), 2 * root + 2);
            if child == root {
                return;
            }
            swap(keys, files, root, child);
            root = child;
        }
    }
    // Checked, so that no bounds panic (and its formatting) is linked; the indices are always in range.
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    fn swap(keys: &mut [(i64, usize)], files: &mut [FileObject], a: usize, b: usize) {
        if a < keys.len() && b < keys.len() && keys.len() == files.len() {
            keys.swap(a, b);
            files.swap(a, b);
        }
    }
    // `!t` orders times backwards without overflowing.
    let mut keys: Vec<(i64, usize)> = Vec::with_capacity(files.len());
    for f in files.iter() {
        keys.push((if desc { !f.created_at } else { f.created_at }, keys.len()));
    }
    let n = keys.len();
    for i in (0..n / 2).rev() {
        sift(&mut keys, files, i, n);
    }
    for end in (1..n).rev() {
        swap(&mut keys, files, 0, end);
        sift(&mut keys, files, 0, end);
    }
}

/// How a provider classified an error body.
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    /// Kind.
    pub kind: Kind,
    /// The provider's code, as a string.
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
    /// Whether trying again may help.
    pub retryable: bool,
}

impl Class {
    /// The class an HTTP status implies when the body says nothing more precise.
    pub fn status(status: u16, code: Option<String>, message: Option<String>) -> Class {
        let kind = match status {
            401 => Kind::Authentication,
            403 | 434 => Kind::PermissionDenied,
            404 => Kind::NotFound,
            408 => Kind::Timeout,
            429 => Kind::RateLimit,
            499 => Kind::Connection,
            500..=599 => Kind::Server,
            _ => Kind::InvalidRequest,
        };
        Class::kind(kind, code, message)
    }
    /// A class from a kind the body named.
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    pub fn kind(kind: Kind, code: Option<String>, message: Option<String>) -> Class {
        Class { kind, code, message, retryable: kind.retryable() }
    }
}

/// The OpenAI-style envelope `{error:{message, type, code}}`, its fields as strings (numbers as written).
pub struct Envelope {
    /// `error.code`.
    pub code: Option<String>,
    /// `error.type`.
    pub ty: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
}

impl Envelope {
    /// The envelope of `body`, if it has one.
    pub fn of(body: &Json) -> Option<Envelope> {
        let e = body.get("error")?;
        if !e.is_obj() {
            return None;
        }
        let s = |k| e.get(k).and_then(|v| v.string().or_else(|| v.num().map(own)));
        Some(Envelope { code: s("code"), ty: s("type"), message: s("message") })
    }
    /// The class: of `kind` where the body named one, else of the status.
    pub fn class(self, status: u16, kind: Option<Kind>) -> Class {
        let code = self.code.or(self.ty);
        match kind {
            Some(kind) => Class::kind(kind, code, self.message),
            None => Class::status(status, code, self.message),
        }
    }
}

/// The file at `at`, taken out of `files`: cut after it, then popped, so that no index can panic.
pub fn take(mut files: Vec<FileObject>, at: usize) -> Option<FileObject> {
    files.truncate(at.saturating_add(1));
    files.pop()
}

/// `s` as an owned String, out of line: `String::from` inlines an allocation and a copy at every use.
#[inline(never)]
pub fn own(s: &str) -> String {
    String::from(s)
}

/// The parts joined; core's `concat` would link its overflow panics and their formatting.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// `s` split at every `sep` (an ASCII byte); core's `split` would link its slicing panics and their formatting.
#[inline(never)] // out of line: smaller wasm (lib.rs)
pub fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    // A non-ASCII `sep` (no caller's) yields nothing rather than cutting a character in two.
    let mut rest = Some(s.as_bytes()).filter(|_| sep.is_ascii());
    core::iter::from_fn(move || {
        let r = rest?;
        let at = r.iter().position(|&b| b == sep);
        rest = at.and_then(|i| r.get(i + 1..));
        // SAFETY: `sep` is ASCII, so cuts before and after it leave whole UTF-8 characters; this skips
        // `str::get`'s char-boundary checks.
        at.map_or(Some(r), |i| r.get(..i)).map(|t| unsafe { core::str::from_utf8_unchecked(t) })
    })
}

/// `s` split at its first `sep` (an ASCII byte); core's `split_once` would link its memchr.
pub fn cut(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Whether `hay` contains `needle`, ignoring ASCII case; small, where core's substring search adds kilobytes.
#[inline(never)] // out of line: smaller wasm (lib.rs)
pub fn has(hay: &str, needle: &str) -> bool {
    hay.as_bytes().windows(needle.len().max(1)).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "bad request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        408 => "request timeout",
        409 => "conflict",
        429 => "too many requests",
        // Zhipu's own statuses for its file API (providers.md, "HTTP-level file errors").
        434 => "no API permission",
        435 => "file too large",
        500 => "internal server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "request failed",
    }
}

#[inline(never)] // out of line: smaller wasm (lib.rs)
fn get(url: String) -> HttpRequest {
    HttpRequest { method: Method::Get, url, body: Body::Empty }
}

/// `{base}/files/{id}{suffix}` with the id percent-encoded as one path segment.
fn file_url(base: &str, id: &str, suffix: &str) -> Result<String> {
    check_id(id)?;
    let mut url = cat(&[base, "/files/"]);
    encode(&mut url, id);
    url.push_str(suffix);
    Ok(url)
}

/// Refuses ids that no encoding can keep inside their path segment.
pub fn check_id(id: &str) -> Result<()> {
    match id {
        "" => Err(Error::invalid("file id is empty")),
        "." | ".." => Err(Error::invalid("file id may not be \".\" or \"..\": URL parsers rewrite them")),
        _ if id.len() > 1024 => Err(Error::invalid("file id is longer than 1024 bytes")),
        _ => Ok(()),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so a value stays one segment or one query value.
pub fn encode(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex(b >> 4));
            out.push(hex(b & 15));
        }
    }
}

/// The uppercase hex digit of `n` (0 to 15).
pub(crate) fn hex(n: u8) -> char {
    char::from(b"0123456789ABCDEF".get(usize::from(n)).copied().unwrap_or(b'0'))
}

/// Decimal text of `n` without `core::fmt` (which would add kilobytes to the wasm).
#[inline(never)] // out of line: smaller wasm (lib.rs)
pub fn num(n: u64) -> String {
    let mut out = String::new();
    push_num(&mut out, n);
    out
}

/// Appends the decimal text of `n` to `out` without allocating (the result plan writes two per file).
pub fn push_num(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    // SAFETY: ASCII digits.
    out.push_str(unsafe { core::str::from_utf8_unchecked(digits.get(i..).unwrap_or_default()) });
}

/// Decimal text of a signed `n`.
pub fn num_i64(n: i64) -> String {
    let s = num(n.unsigned_abs());
    if n < 0 {
        cat(&["-", &s])
    } else {
        s
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::HttpResponse;

    /// A response with `status`, `headers` and a text body (leaked: tests only, and small).
    pub fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse<'static> {
        let headers = headers.iter().map(|(k, v)| [*k, *v].join("\n")).collect::<Vec<_>>().join("\n");
        HttpResponse {
            status,
            headers: Box::leak(headers.into_boxed_str()),
            body: Box::leak(body.as_bytes().to_vec().into_boxed_slice()),
            seq: 0,
            partial: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::resp;
    use super::*;

    fn file(id: &str, created_at: i64, purpose: &str) -> FileObject {
        FileObject::new(id, 1, created_at, "f", purpose, (0, "data", Some(0)))
    }

    #[test]
    fn ids_are_one_segment_and_dots_are_refused() {
        let url = file_url("https://h/v1", "a/../b?c#d% é\u{1}", "/content").unwrap();
        assert_eq!(url, "https://h/v1/files/a%2F..%2Fb%3Fc%23d%25%20%C3%A9%01/content");
        for bad in ["", ".", ".."] {
            assert_eq!(file_url("https://h", bad, "").unwrap_err().kind, Kind::InvalidArgument);
        }
        assert_eq!(file_url("https://h", &"x".repeat(1025), "").unwrap_err().kind, Kind::InvalidArgument);
        assert!(file_url("https://h", "...", "").is_ok());
    }

    #[test]
    fn numbers_without_fmt() {
        assert_eq!(num(0), "0");
        assert_eq!(num(u64::MAX), "18446744073709551615");
        assert_eq!(num_i64(i64::MIN), "-9223372036854775808");
        assert_eq!(num_i64(-7), "-7");
    }

    #[test]
    fn request_id_prefers_the_providers_own_header_then_others_then_body() {
        let r = resp(500, &[("x-request-id", "x1"), ("trace-id", "t1")], "");
        assert_eq!(Provider::MiniMax.request_id(&r, None).as_deref(), Some("t1"));
        assert_eq!(Provider::Zhipu.request_id(&r, None).as_deref(), Some("x1"));
        let r = resp(500, &[("x-request-id", "x1"), ("trace-id", "t1"), ("msh-request-id", "m1")], "");
        assert_eq!(Provider::Moonshot.request_id(&r, None).as_deref(), Some("m1"));
        assert_eq!(Provider::OpenAi.request_id(&r, None).as_deref(), Some("x1"));
        let r = resp(500, &[("ga-traceid", "g1")], "");
        assert_eq!(Provider::Zhipu.request_id(&r, None).as_deref(), Some("g1"));
        // The names taken out of HEADERS at compile time.
        assert_eq!(OWN_ID_HEADERS, ("trace-id", "msh-request-id", "x-request-id"));
        assert_eq!([CONTENT_TYPE, RETRY_AFTER, RETRY_AFTER_MS, X_SHOULD_RETRY], ["content-type", "retry-after", "retry-after-ms", "x-should-retry"]);
        let r = resp(401, &[], r#"{"request_id":"b1"}"#);
        let body = json::parse(r.body);
        assert_eq!(Provider::MiniMax.request_id(&r, body.as_ref().map(Doc::root)).as_deref(), Some("b1"));
        // Zhipu-style bodies name it trace_id; an empty header says nothing, so the next one is read.
        let r = resp(500, &[("x-request-id", "")], r#"{"trace_id":"b2"}"#);
        let body = json::parse(r.body);
        assert_eq!(Provider::Zhipu.request_id(&r, body.as_ref().map(Doc::root)).as_deref(), Some("b2"));
        let r = resp(500, &[("trace-id", ""), ("x-log-id", "l1")], "");
        assert_eq!(Provider::MiniMax.request_id(&r, None).as_deref(), Some("l1"));
    }

    #[test]
    fn window_filters_orders_pages() {
        let files = vec![file("a", 3, "x"), file("b", 1, "y"), file("c", 2, "x"), file("d", 4, "x")];
        let q = ListQuery { purpose: Some("x".into()), order: Some("asc".into()), limit: Some(2), after: None };
        let p = Page::window(files.clone(), &q, true);
        assert_eq!(p.files.iter().map(FileObject::id).collect::<Vec<_>>(), ["c", "a"]);
        assert!(p.has_more);
        let q = ListQuery { after: Some("a".into()), ..q };
        let p = Page::window(files.clone(), &q, true);
        assert_eq!(p.files.iter().map(FileObject::id).collect::<Vec<_>>(), ["d"]);
        assert!(!p.has_more);
        // Exactly `limit` left: none more.
        let q = ListQuery { after: Some("c".into()), ..q };
        assert!(!Page::window(files.clone(), &q, true).has_more);
        let q = ListQuery { order: Some("desc".into()), ..Default::default() };
        let p = Page::window(files.clone(), &q, true);
        assert_eq!(p.files.iter().map(FileObject::id).collect::<Vec<_>>(), ["d", "a", "c", "b"]);
        let q = ListQuery { after: Some("zz".into()), ..Default::default() };
        assert!(Page::window(files, &q, true).files.is_empty());
    }

    #[test]
    fn files_travel_to_js_as_runs() {
        let body = r#"{"data":[{"id":"a","bytes":1,"created_at":3,"filename":"f"},{"id":"b","bytes":1,"created_at":1,"filename":"f"},{"id":"c","bytes":1,"created_at":2,"filename":"f"}],"has_more":false}"#;
        let listed = Provider::OpenAi.parse_list(&resp(200, &[], body)).unwrap().files;
        let runs = |files: &[FileObject], p| {
            let mut out = String::new();
            Page::write_files(files, p, &mut out);
            out
        };
        assert_eq!(runs(&listed, Provider::OpenAi), "\n[[0,0,3,\"data\"]]", "a plain listing is one run");
        let mut sorted = listed.clone();
        sort_by_time(&mut sorted, true);
        assert_eq!(runs(&sorted, Provider::OpenAi), "\n[[0,0,1,\"data\"],[0,2,1,\"data\"],[0,1,1,\"data\"]]");
        let mut two = listed.clone();
        two.extend(listed.iter().map(|f| FileObject { src: (1, "data", f.src.2), ..f.clone() }));
        assert_eq!(runs(&two, Provider::OpenAi), "\n[[0,0,3,\"data\"],[1,0,3,\"data\"]]", "one run per body");
        // Merged purposes sorted by time: the next index of another body starts a run of its own.
        let interleaved = [listed[0].clone(), two[4].clone()];
        assert_eq!(runs(&interleaved, Provider::OpenAi), "\n[[0,0,1,\"data\"],[1,1,1,\"data\"]]");
        assert_eq!(runs(&sorted, Provider::MiniMax), "a,c,b\n[[0,0,1,\"data\"],[0,2,1,\"data\"],[0,1,1,\"data\"]]", "ids in file order, before the runs");
        assert_eq!(runs(&[], Provider::OpenAi), "\n[]");
    }

    #[test]
    fn the_time_sort_is_stable_both_ways() {
        let files: Vec<FileObject> = [("a", 2), ("b", 1), ("c", 2), ("d", 1), ("e", 3), ("f", 2)].iter().map(|(id, t)| file(id, *t, "x")).collect();
        let sorted = |mut v: Vec<FileObject>, desc| {
            sort_by_time(&mut v, desc);
            v.iter().map(FileObject::id).collect::<Vec<_>>().join(",")
        };
        assert_eq!(sorted(files.clone(), false), "b,d,a,c,f,e");
        assert_eq!(sorted(files, true), "e,a,c,f,b,d");
        // Against std's stable sort, on lists of every length up to 40 with few distinct times (many ties).
        let mut seed = 7u64;
        for n in 0..40 {
            let files: Vec<FileObject> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let t = [i64::MIN, -1, 0, 1, i64::MAX][(seed >> 33) as usize % 5];
                    file(&i.to_string(), t, "x")
                })
                .collect();
            for desc in [false, true] {
                let mut want = files.clone();
                want.sort_by(|a, b| if desc { b.created_at.cmp(&a.created_at) } else { a.created_at.cmp(&b.created_at) });
                let want = want.iter().map(FileObject::id).collect::<Vec<_>>().join(",");
                assert_eq!(sorted(files.clone(), desc), want, "{n} files, desc {desc}");
            }
        }
    }

    #[test]
    fn finds_the_upload_an_ambiguous_attempt_stored() {
        let src = (0, "data", Some(0));
        let old = FileObject::new("old", 1, 90, "a.jsonl", "batch", src);
        let new = FileObject::new("new", 1, 101, "a.jsonl", "batch", src);
        let other_size = FileObject::new("big", 2, 101, "a.jsonl", "batch", src);
        let other_purpose = FileObject::new("agent", 1, 101, "a.jsonl", "agent", src);
        let files = vec![old.clone(), new.clone(), other_size, other_purpose];
        let found = Provider::Zhipu.find_upload(files.clone(), "batch", "a.jsonl", 1, 100);
        assert_eq!(found.as_ref().map(FileObject::id), Some("new"));
        assert_eq!(Provider::Zhipu.find_upload(files.clone(), "batch", "a.jsonl", 1, 150), None);
        assert_eq!(Provider::Zhipu.find_upload(files, "batch", "b.jsonl", 1, 0), None);
        // A second early by the provider's clock (times in whole seconds) is still this attempt's; two earlier is not.
        assert_eq!(Provider::Zhipu.find_upload(vec![new.clone()], "batch", "a.jsonl", 1, 102).as_ref().map(FileObject::id), Some("new"));
        assert_eq!(Provider::Zhipu.find_upload(vec![new.clone()], "batch", "a.jsonl", 1, 103), None);
        // Two alike in the same second: the later as listed.
        let twin = FileObject::new("twin", 1, 101, "a.jsonl", "batch", src);
        assert_eq!(Provider::Zhipu.find_upload(vec![new, twin], "batch", "a.jsonl", 1, 100).as_ref().map(FileObject::id), Some("twin"));
        assert!(Provider::Zhipu.upload_lookup("http://h", "voice-clone-input", None).is_none());
        assert!(Provider::MiniMax.upload_lookup("http://h", "video_understanding", None).is_none());
        assert_eq!(Provider::OpenAi.upload_lookup("http://h", "batch", None).unwrap().url, "http://h/files?purpose=batch&limit=100&order=desc");
        assert_eq!(Provider::Moonshot.upload_lookup("http://h", "file-extract", None).unwrap().url, "http://h/files");
    }

    #[test]
    fn html_and_truncated_bodies_keep_their_text() {
        let r = resp(502, &[("x-request-id", "r")], "<html>bad gateway</html>");
        let e = Provider::OpenAi.parse_list(&r).unwrap_err();
        assert_eq!((e.kind, e.retryable, e.status), (Kind::Server, true, Some(502)));
        assert_eq!(e.raw, Some(Raw { seq: 0, json: false }));
        assert_eq!(e.request_id.as_deref(), Some("r"));
        let r = resp(200, &[], r#"{"object":"list","data":[{"id":"#);
        let e = Provider::Moonshot.parse_list(&r).unwrap_err();
        assert_eq!((e.kind, e.retryable), (Kind::Decode, false));
        assert_eq!(e.raw, Some(Raw { seq: 0, json: false }), "a truncated body is text");
        let e = Provider::Zhipu.parse_list(&resp(200, &[], "")).unwrap_err();
        assert_eq!((e.kind, e.raw), (Kind::Decode, None));
        // A body-less error still says something: the status's reason phrase.
        let texts = [(400, "bad request"), (401, "unauthorized"), (403, "forbidden"), (404, "not found"), (408, "request timeout"), (409, "conflict"), (429, "too many requests"), (434, "no API permission"), (435, "file too large"), (500, "internal server error"), (502, "bad gateway"), (503, "service unavailable"), (504, "gateway timeout"), (418, "request failed")];
        for (status, text) in texts {
            let e = Provider::OpenAi.parse_list(&resp(status, &[], "")).unwrap_err();
            assert_eq!((e.message, e.raw), (format!("openai {status}: {text}"), None));
        }
    }

    #[test]
    fn x_should_retry_overrides_the_class() {
        let r = resp(500, &[("x-should-retry", "false")], "{}");
        let e = Provider::Zhipu.parse_list(&r).unwrap_err();
        assert_eq!((e.kind, e.retryable), (Kind::Server, false));
        let r = resp(400, &[("x-should-retry", "true")], "{}");
        assert!(Provider::OpenAi.parse_list(&r).unwrap_err().retryable);
    }

    #[test]
    fn wrong_shapes_are_decode_errors() {
        let cases = [
            r#"{"id":"a","object":"file","bytes":"1","created_at":1,"filename":"f"}"#,
            r#"{"id":null,"object":"file","bytes":1,"created_at":1,"filename":"f"}"#,
            r#"{"id":"a","bytes":1e400,"created_at":1,"filename":"f"}"#,
            r#"{"id":"a","bytes":-1,"created_at":1,"filename":"f"}"#,
            r#"{"id":"a","bytes":1,"created_at":1,"filename":"f","purpose":7}"#,
            r#"{"bytes":1,"created_at":1,"filename":"f"}"#,
            // Every field but the purpose and the status is required.
            r#"{"id":"a","bytes":1,"filename":"f"}"#,
            r#"{"id":"a","created_at":1,"filename":"f"}"#,
            r#"{"id":"a","bytes":1,"created_at":1}"#,
            r#"{"id":"a","bytes":1,"created_at":null,"filename":"f"}"#,
            r#"[]"#,
        ];
        for c in cases {
            let e = Provider::Moonshot.parse_file(&resp(200, &[], c)).unwrap_err();
            assert_eq!(e.kind, Kind::Decode, "{c}");
            assert_eq!(e.raw, Some(Raw { seq: 0, json: true }));
        }
        let ok = r#"{"id":"a","bytes":1,"created_at":1,"filename":"f","purpose":null,"status":null}"#;
        assert_eq!(Provider::Moonshot.parse_file(&resp(200, &[], ok)).unwrap().purpose(), "");
    }

    #[test]
    fn size_limits_follow_the_docs() {
        const B: &str = "https://open.bigmodel.cn/api/paas/v4";
        assert_eq!(Provider::Moonshot.max_bytes(B, "file-extract", "a.pdf"), Some(100 * MB));
        assert_eq!(Provider::Zhipu.max_bytes(B, "agent", "a.PNG"), Some(5 * MB));
        assert_eq!(Provider::Zhipu.max_bytes(B, "agent", "a.pdf"), Some(20 * MB));
        assert_eq!(Provider::Zhipu.max_bytes(B, "batch", "a.jsonl"), Some(100 * MB));
        assert_eq!(Provider::MiniMax.max_bytes(B, "video_generation_input", "a.mp3"), Some(15 * MB));
        assert_eq!(Provider::MiniMax.max_bytes(B, "t2a_async_input", "a.txt"), None);
        // Voice samples: MiniMax 20 MB for both audio purposes, Zhipu 10 MB.
        assert_eq!(Provider::MiniMax.max_bytes(B, "prompt_audio", "a.wav"), Some(20 * MB));
        assert_eq!(Provider::MiniMax.max_bytes(B, "voice_clone", "a.m4a"), Some(20 * MB));
        assert_eq!(Provider::Zhipu.max_bytes(B, "voice-clone-input", "a.mp3"), Some(10 * MB));
        // Every image type MiniMax names for video input: 30 MB.
        for ext in ["jpg", "jpeg", "png", "webp", "heic", "heif"] {
            assert_eq!(Provider::MiniMax.max_bytes(B, "video_generation_input", &format!("a.{ext}")), Some(30 * MB), "{ext}");
        }
        // The type is the last extension's.
        assert_eq!(Provider::Zhipu.max_bytes(B, "agent", "scan.v2.final.png"), Some(5 * MB));
        assert_eq!(Provider::MiniMax.max_bytes(B, "video_generation_input", "still.mp4.jpg"), Some(30 * MB));
        assert_eq!(Provider::MiniMax.max_bytes(B, "video_generation_input", "clip.jpg.mp4"), Some(50 * MB));
        // OpenAI documents 512 MB per file, for any purpose.
        assert_eq!(Provider::OpenAi.max_bytes("https://api.openai.com/v1", "batch", "a.jsonl"), Some(512 * MB));
        // z.ai's agent upload page: 100 MB per file, images included; its other purposes keep bigmodel.cn's figures.
        for base in ["https://api.z.ai/api/paas/v4", "HTTPS://API.Z.AI/api/paas/v4"] {
            assert_eq!(Provider::Zhipu.max_bytes(base, "agent", "a.pdf"), Some(100 * MB));
            assert_eq!(Provider::Zhipu.max_bytes(base, "agent", "a.png"), Some(100 * MB));
            assert_eq!(Provider::Zhipu.max_bytes(base, "code-interpreter", "a.png"), Some(5 * MB));
        }
        for base in ["https://api.z.ai.example.com/v4", "http://127.0.0.1:8080/api/paas/v4", "https://proxy/api.z.ai/v4"] {
            assert_eq!(Provider::Zhipu.max_bytes(base, "agent", "a.pdf"), Some(20 * MB), "{base}");
        }
    }

    #[test]
    fn file_fields_are_read_like_json_parse() {
        // A repeat overrides; escaped keys count; keys of the same length as a field, or the other provider's id
        // key, are ignored.
        let body = r#"{"data":[{"id":"a","i\u0064":"b","bytes":1,"bytez":"x","created_at":5,"filename":"n","file\u006eame":"m","purpose":"p","file_id":7,"status":null,"statuz":3}]}"#;
        let page = Provider::OpenAi.parse_list(&resp(200, &[], body)).unwrap();
        let f = page.files.first().unwrap();
        assert_eq!((f.id(), f.bytes, f.created_at, f.filename(), f.purpose()), ("b", 1, 5, "m", "p"));
        let body = r#"{"files":[{"id":"x","file_id":9007199254740993,"bytes":2,"created_at":3,"filename":"f","purpose":"voice_clone"}]}"#;
        let page = Provider::MiniMax.parse_list(&resp(200, &[], body)).unwrap();
        assert_eq!(page.files.first().unwrap().id(), "9007199254740993");
        // A field of the wrong type in any file fails the whole listing.
        let ok = r#"{"id":"a","bytes":1,"created_at":5,"filename":"m","purpose":"p"}"#;
        for bad in [
            r#"{"id":"b","bytes":1,"created_at":5,"filename":"m","purpose":"p","status":1}"#,
            r#"{"id":"b","bytes":"1","created_at":5,"filename":"m","purpose":"p"}"#,
            r#"{"id":"b","bytes":1,"created_at":5,"filename":null,"purpose":"p"}"#,
        ] {
            let body = format!(r#"{{"data":[{ok},{bad}]}}"#);
            assert_eq!(Provider::OpenAi.parse_list(&resp(200, &[], &body)).unwrap_err().kind, Kind::Decode, "{bad}");
        }
    }

    #[test]
    fn escaped_values_and_id_forms_reach_the_file_text() {
        let body = r#"{"id":"f\u00e9-\"1\"","bytes":1,"created_at":5,"filename":"a\\b\ud83d\ude00.txt","purpose":"ba\u0074ch"}"#;
        let f = Provider::OpenAi.parse_file(&resp(200, &[], body)).unwrap();
        assert_eq!((f.id(), f.filename(), f.purpose()), ("f\u{e9}-\"1\"", "a\\b\u{1f600}.txt", "batch"));
        // Absent and null purposes read as empty; an empty id is refused.
        for (purpose, ok) in [("", true), (r#","purpose":null"#, true), (r#","purpose":7"#, false)] {
            let body = format!(r#"{{"id":"x","bytes":1,"created_at":5,"filename":"n"{purpose}}}"#);
            let r = Provider::OpenAi.parse_file(&resp(200, &[], &body));
            assert_eq!(r.as_ref().map(|f| f.purpose()).ok(), ok.then_some(""), "{purpose}");
        }
        assert!(Provider::OpenAi.parse_file(&resp(200, &[], r#"{"id":"","bytes":1,"created_at":5,"filename":"n"}"#)).is_err());
        assert!(Provider::OpenAi.parse_file(&resp(200, &[], r#"{"id":7,"bytes":1,"created_at":5,"filename":"n"}"#)).is_err());
        // MiniMax: a JSON integer as written (-0 as 0), a decimal string in canonical form, anything else refused.
        let mm = |id: &str| {
            let body = format!(r#"{{"file":{{"file_id":{id},"bytes":1,"created_at":5,"filename":"n"}},"base_resp":{{"status_code":0}}}}"#);
            Provider::MiniMax.parse_file(&resp(200, &[], &body)).ok().map(|f| String::from(f.id()))
        };
        assert_eq!([mm("-0"), mm("-12"), mm(r#""007""#), mm(r#""-0""#)], [Some("0".into()), Some("-12".into()), Some("7".into()), Some("0".into())]);
        assert_eq!([mm("1.5"), mm(r#""x""#), mm("9223372036854775808"), mm("null")], [None, None, None, None]);
        // Either side of the 18-digit fast path, and forms it must pass on to the full check.
        let (d18, d19) = ("999999999999999999", "9223372036854775807");
        assert_eq!([mm(d18), mm(d19), mm("0"), mm("-9223372036854775808")], [d18, d19, "0", "-9223372036854775808"].map(|s| Some(s.into())));
        assert_eq!([mm("1e3"), mm("12.0"), mm("1E2"), mm("10000000000000000000")], [None, None, None, None]);
    }

    #[test]
    fn capabilities_are_valid_json() {
        for p in ALL {
            let caps = json::parse(p.capabilities().as_bytes()).unwrap_or_else(|| panic!("{}", p.name()));
            assert_eq!(caps.root().get("provider").and_then(Json::string).as_deref(), Some(p.name()));
        }
    }
}
