//! Operations as sans-IO state machines. A `Call` names the requests to send (`stage`, then `next` per slot), takes
//! their answers (`answer`, `failed`) and ends with a unified value or a classified error. The JS executor in
//! `src/transport/fetch.js` only carries these steps out, so the retry loop, the lookup before a re-upload, merged
//! purposes, paging and the emulations all run under plain `cargo test` with scripted answers.

use alloc::{string::String, vec::Vec, vec};
use crate::error::{Error, Kind, Result};
use crate::providers::{cat, check_id, num, own, take, Body, FileObject, HttpRequest, HttpResponse, ListQuery, Page, Provider, CONTENT_TYPE, DATE};
use crate::retry;

/// What a request's answer should become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A file object (upload, retrieve).
    File,
    /// A list page.
    List,
    /// A delete confirmation.
    Delete,
    /// A download.
    Content,
}

/// What an exchange or a whole call ended with.
#[derive(Debug, PartialEq)]
pub enum Done {
    /// A file object.
    File(FileObject),
    /// A list page.
    Page(Page),
    /// One page of a `listAll` walk.
    Files(Vec<FileObject>),
    /// The file is gone.
    Deleted,
    /// A download, its Response the caller's to read: its body left unread, or checked from a copy (the executor's).
    Stream,
    /// A `listAll` walk is over.
    End,
}

/// The executor's next step for one slot.
#[derive(Debug, PartialEq)]
pub enum Action<'a> {
    /// Send this request, whose answer should become what `Expect` names; report with `answer` or `failed`.
    Fetch(&'a HttpRequest, Expect),
    /// Wait this many milliseconds (less if the caller aborts), then ask again.
    Sleep(f64),
    /// This slot is finished.
    End,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    /// About to begin an attempt.
    Ready,
    /// The upload lookup is in flight.
    Looking,
    /// The lookup found nothing: the upload goes out within the same attempt.
    Missed,
    /// The request is in flight.
    Sending,
    /// Failed and retryable: wait this long (None: our own backoff) before the next attempt.
    Wait(Option<f64>),
    /// Finished; the outcome is stored.
    Ended,
}

/// One logical request and its retries: the one retry loop of the library.
#[derive(Debug)]
pub struct Exchange {
    req: HttpRequest,
    expect: Expect,
    /// The file name and size of an upload, to recognise it in a lookup.
    upload: Option<(String, u64)>,
    state: State,
    attempts: u32,
    /// Whether an earlier attempt may have been carried out by the provider (timeout, reset or 5xx).
    ambiguous: bool,
    /// When the first ambiguous upload attempt began; from then on each attempt first looks for the stored file.
    stored_since: Option<f64>,
    started: f64,
    lookup: Option<HttpRequest>,
    /// Pages the lookup has read since it last started at the first.
    pages: u8,
    outcome: Option<Result<Done>>,
}

impl Exchange {
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    fn new(req: HttpRequest, expect: Expect) -> Exchange {
        Exchange { req, expect, upload: None, state: State::Ready, attempts: 0, ambiguous: false, stored_since: None, started: 0.0, lookup: None, pages: 0, outcome: None }
    }

    #[inline(never)] // out of line: smaller wasm (lib.rs)
    fn next(&mut self, aborted: bool, now: f64, random: f64) -> Action<'_> {
        match self.state {
            State::Ready | State::Wait(_) if aborted => {
                let e = Error { attempts: self.attempts, ..aborted_error() };
                self.end(Err(e));
                Action::End
            }
            State::Wait(ms) => {
                self.state = State::Ready;
                Action::Sleep(ms.unwrap_or_else(|| retry::backoff_ms(self.attempts.saturating_sub(1), random)))
            }
            State::Ready => {
                self.attempts += 1;
                self.started = now;
                if self.stored_since.is_some() && self.lookup.is_some() {
                    self.state = State::Looking;
                    return self.lookup.as_ref().map_or(Action::End, |r| Action::Fetch(r, Expect::List));
                }
                self.state = State::Sending;
                Action::Fetch(&self.req, self.expect)
            }
            State::Missed => {
                self.state = State::Sending;
                Action::Fetch(&self.req, self.expect)
            }
            // Asked again without an answer: the executor lost track; end rather than send twice.
            State::Looking | State::Sending => {
                self.end(Err(Error::new(Kind::Decode, "internal error: a request was never answered")));
                Action::End
            }
            State::Ended => Action::End,
        }
    }

    /// Takes the answer; returns true, changing nothing, when it needs the headers `resp` was sent without.
    fn answer(&mut self, p: Provider, base: &str, max_retries: u32, resp: &HttpResponse, now: f64) -> bool {
        match self.state {
            State::Looking => {
                // A lookup always reads its headers (the `Date` below), whatever its outcome.
                if resp.partial {
                    return true;
                }
                // The provider's clock dates the file: its `Date`, less the time since the attempt began by ours,
                // places that start on its clock, so a client clock running fast cannot miss the file (and upload
                // it twice). Browsers hide `Date` across origins: then our clock.
                let began = self.stored_since.unwrap_or(0.0);
                let since = resp.header(DATE).and_then(retry::at_ms).map_or(began, |t| t - (now - began));
                // Truncation is floor here: the clock is after 1970.
                let since = (since / 1000.0) as i64;
                let (filename, size) = self.upload.as_ref().map_or(("", 0), |(f, s)| (f.as_str(), *s));
                let purpose = match &self.req.body {
                    Body::Multipart { purpose } => purpose.as_str(),
                    _ => "",
                };
                match p.parse_list(resp) {
                    Ok(page) => {
                        // Zhipu does not say in which order it lists, and a compatible host may ignore `order=desc`:
                        // a page without the file is no answer while more follow. Up to 10 pages of 100, all that
                        // Zhipu keeps of one purpose (1,000 files); MiniMax and Moonshot list whole.
                        let more = page.has_more && self.pages < 9 && !whole_lists(p);
                        let after = page.files.last().filter(|_| more).map(|f| own(f.id()));
                        match p.find_upload(page.files, purpose, filename, size, since) {
                            Some(found) => self.end(Ok(Done::File(found))),
                            None => {
                                // The next page, within the same attempt (so `Ready` does not count it as another);
                                // read to the end, the upload goes out, and a later lookup starts again at the first.
                                self.pages += 1;
                                self.state = State::Missed;
                                if after.is_some() {
                                    self.attempts -= 1;
                                    self.state = State::Ready;
                                } else {
                                    self.pages = 0;
                                }
                                self.lookup = p.upload_lookup(base, purpose, after);
                            }
                        }
                    }
                    Err(e) => self.retry(e, None, max_retries),
                }
            }
            State::Sending => match outcome(p, resp, self.expect, self.ambiguous) {
                Ok(done) => self.end(Ok(done)),
                Err(_) if resp.partial => return true,
                Err(e) => {
                    let wait = retry::retry_after_ms(resp, &e.message, now);
                    self.retry(e, wait, max_retries)
                }
            },
            _ => {}
        }
        false
    }

    fn failed(&mut self, max_retries: u32, e: Error) {
        if matches!(self.state, State::Looking | State::Sending) {
            self.retry(e, None, max_retries);
        }
    }

    fn retry(&mut self, mut e: Error, wait: Option<f64>, max_retries: u32) {
        e.attempts = self.attempts;
        if !e.retryable || self.attempts > max_retries {
            return self.end(Err(e));
        }
        let ambiguous = matches!(e.kind, Kind::Timeout | Kind::Connection | Kind::Server);
        self.ambiguous |= ambiguous;
        if ambiguous && self.upload.is_some() {
            // A purpose the provider cannot list cannot be looked up: sent again, the file could be stored twice.
            if self.lookup.is_none() {
                e.message.push_str(" (not sent again: no list to check for a stored copy)");
                return self.end(Err(e));
            }
            self.stored_since.get_or_insert(self.started);
        }
        self.state = State::Wait(wait);
    }

    fn end(&mut self, r: Result<Done>) {
        self.state = State::Ended;
        self.outcome = Some(r);
    }
}

fn aborted_error() -> Error {
    Error::new(Kind::Aborted, "the request was aborted by its signal")
}

fn outcome(p: Provider, resp: &HttpResponse, expect: Expect, ambiguous: bool) -> Result<Done> {
    match expect {
        Expect::File => p.parse_file(resp).map(Done::File),
        Expect::List => p.parse_list(resp).map(Done::Page),
        // A not-found after an attempt that may have deleted the file means that attempt did.
        Expect::Delete => match p.parse_delete(resp) {
            Err(e) if ambiguous && e.kind == Kind::NotFound => Ok(Done::Deleted),
            r => r.map(|()| Done::Deleted),
        },
        Expect::Content => {
            let content_type = resp.header(CONTENT_TYPE);
            if resp.body.is_empty() && p.content_needs_body(resp.status, content_type) == 0 {
                return Ok(Done::Stream);
            }
            p.check_content(resp, content_type).map(|()| Done::Stream)
        }
    }
}

/// Where a `listAll` walk (or Zhipu's emulated retrieve) is: how many purposes are left to walk, and the query,
/// whose `after` is the cursor.
#[derive(Debug)]
struct Pager {
    left: usize,
    q: ListQuery,
    /// Whether a purpose has been walked to its end.
    past: bool,
}

#[derive(Debug)]
enum Plan {
    /// One request whose outcome is the result.
    One,
    /// List requests (one per purpose where the provider needs it) merged into one page.
    List(ListQuery),
    /// MiniMax delete without a purpose: retrieve first, then delete.
    Delete(String),
    /// Walks pages; `Some(id)` stops at that file (Zhipu's retrieve), `None` yields each page (`listAll`).
    Walk(Pager, Option<String>),
}

/// One call from the caller: the requests it needs, stage by stage, and its result.
#[derive(Debug)]
pub struct Call {
    p: Provider,
    base: String,
    max_retries: u32,
    plan: Plan,
    slots: Vec<Exchange>,
    result: Option<Result<Done>>,
}

impl Call {
    fn new(p: Provider, base: &str, max_retries: u32, plan: Plan, slots: Vec<Exchange>) -> Call {
        Call { p, base: own(base), max_retries, plan, slots, result: None }
    }

    /// A call of one first request.
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    fn one(p: Provider, base: &str, max_retries: u32, plan: Plan, ex: Exchange) -> Call {
        Call::new(p, base, max_retries, plan, vec![ex])
    }

    /// Uploads `size` bytes named `filename`; refused before any request when the provider documents a smaller limit
    /// (Moonshot also refuses empty files).
    pub fn create(p: Provider, base: &str, max_retries: u32, purpose: &str, filename: &str, size: f64) -> Result<Call> {
        // A Blob's size is a whole number; `as` saturates (NaN becomes 0), so no value can make it panic.
        let size = size as u64;
        // Moonshot documents "File size is zero" among its refusals.
        let empty = size == 0 && p == Provider::Moonshot;
        if let Some(max) = p.max_bytes(base, purpose, filename).filter(|&max| size > max || empty) {
            let m = ["file is ", &num(size), " bytes; ", p.name(), if empty { " accepts 1 to " } else { " accepts at most " }, &num(max), " bytes for this purpose"];
            return Err(Error::invalid(&cat(&m)));
        }
        let mut ex = Exchange::new(p.create(base, purpose), Expect::File);
        ex.upload = Some((own(filename), size));
        ex.lookup = p.upload_lookup(base, purpose, None);
        Ok(Call::one(p, base, max_retries, Plan::One, ex))
    }

    /// One page; where the provider needs a purpose and none is given, every listable purpose, merged.
    pub fn list(p: Provider, base: &str, max_retries: u32, q: ListQuery) -> Result<Call> {
        if over_zhipu_page(p, &q) {
            return Err(Error::invalid(ZHIPU_LIMIT));
        }
        if p == Provider::Zhipu && q.purpose.is_none() && q.after.is_some() {
            return Err(Error::invalid("zhipu pages each purpose on its own: pass `purpose` together with `after`"));
        }
        let slots = list_requests(p, base, &q);
        Ok(Call::new(p, base, max_retries, Plan::List(q), slots))
    }

    /// A walk over every page (and every purpose, where the provider needs one).
    pub fn list_all(p: Provider, base: &str, max_retries: u32, mut q: ListQuery) -> Result<Call> {
        let left = match (p.list_purposes(), &q.purpose) {
            _ if over_zhipu_page(p, &q) => return Err(Error::invalid(ZHIPU_LIMIT)),
            (Some(_), None) if q.after.is_some() => return Err(Error::invalid("`after` needs a `purpose` with this provider")),
            (Some(all), None) => all.len(),
            _ => 1,
        };
        // A provider that lists a purpose whole takes no limit: the walk yields all of it. Zhipu pages at its
        // largest size unless told otherwise (its default is 20: five times the requests).
        if whole_lists(p) {
            q.limit = None;
        } else if p == Provider::Zhipu {
            q.limit = q.limit.or(Some(ZHIPU_MAX_PAGE));
        }
        let pager = Pager { left, q, past: false };
        Ok(Call::new(p, base, max_retries, Plan::Walk(pager, None), Vec::new()))
    }

    /// One file's metadata; emulated from list pages on Zhipu, which has no retrieve.
    pub fn retrieve(p: Provider, base: &str, max_retries: u32, id: &str) -> Result<Call> {
        if p == Provider::Zhipu {
            check_id(id)?;
            let mut c = Call::list_all(p, base, max_retries, ListQuery::default())?;
            if let Plan::Walk(_, target) = &mut c.plan {
                *target = Some(own(id));
            }
            return Ok(c);
        }
        let ex = Exchange::new(p.retrieve(base, id)?, Expect::File);
        Ok(Call::one(p, base, max_retries, Plan::One, ex))
    }

    /// The download.
    pub fn content(p: Provider, base: &str, max_retries: u32, id: &str) -> Result<Call> {
        let ex = Exchange::new(p.content(base, id)?, Expect::Content);
        Ok(Call::one(p, base, max_retries, Plan::One, ex))
    }

    /// Deletes a file; MiniMax needs its purpose, looked up with retrieve when the caller gives none.
    pub fn delete(p: Provider, base: &str, max_retries: u32, id: &str, purpose: Option<&str>) -> Result<Call> {
        match (p, purpose) {
            (Provider::MiniMax, None) => {
                // The retrieve checks the id as the delete would.
                let ex = Exchange::new(p.retrieve(base, id)?, Expect::File);
                Ok(Call::one(p, base, max_retries, Plan::Delete(own(id)), ex))
            }
            (_, purpose) => {
                let ex = Exchange::new(p.delete(base, id, purpose.unwrap_or_default())?, Expect::Delete);
                Ok(Call::one(p, base, max_retries, Plan::One, ex))
            }
        }
    }

    /// The provider this call is for.
    pub fn provider(&self) -> Provider {
        self.p
    }

    /// How many slots to run now, side by side (slots `0..n`); 0 once a result is ready. Call again after every
    /// slot has ended.
    pub fn stage(&mut self) -> u32 {
        if self.result.is_none() && !self.slots.is_empty() && self.slots.iter().all(|s| s.state == State::Ended) {
            let mut slots = core::mem::take(&mut self.slots);
            self.advance(slots.iter_mut().filter_map(|s| s.outcome.take()));
        }
        if self.result.is_none() && self.slots.is_empty() {
            self.begin();
        }
        if self.result.is_some() {
            return 0;
        }
        self.slots.len() as u32
    }

    /// The next step for `slot`. `aborted`: whether the caller's signal has fired; `now`: Unix ms; `random`: in [0, 1).
    pub fn next(&mut self, slot: u32, aborted: bool, now: f64, random: f64) -> Action<'_> {
        match self.slots.get_mut(slot as usize) {
            Some(s) => s.next(aborted, now, random),
            None => Action::End,
        }
    }

    /// The response to the request `next` gave for `slot` (body empty when a download was left unread).
    /// Returns true, taking nothing, when `resp` is `partial` and an error needs its headers (request id, retry
    /// hints): the executor reads them only then, since a success never needs them.
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    pub fn answer(&mut self, slot: u32, resp: &HttpResponse, now: f64) -> bool {
        let (p, max) = (self.p, self.max_retries);
        self.slots.get_mut(slot as usize).is_some_and(|s| s.answer(p, &self.base, max, resp, now))
    }

    /// The request `next` gave for `slot` got no response (`kind`: timeout, connection, aborted, decode, unsupported).
    pub fn failed(&mut self, slot: u32, e: Error) {
        let max = self.max_retries;
        if let Some(s) = self.slots.get_mut(slot as usize) {
            s.failed(max, e);
        }
    }

    /// Takes the result; a `listAll` walk then goes on to its next page at the next `stage`.
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    pub fn take(&mut self) -> Option<Result<Done>> {
        self.result.take()
    }

    /// Starts the next stage of a walk (the other plans start with their slots).
    fn begin(&mut self) {
        let Plan::Walk(pg, _) = &self.plan else { return };
        // The provider's purposes in order when it needs one and the caller gave none, else the caller's.
        let purpose = match (self.p.list_purposes(), pg.q.purpose.as_deref()) {
            (Some(all), None) => all.len().checked_sub(pg.left).and_then(|i| all.get(i)).copied(),
            (_, given) => given,
        };
        if pg.left == 0 {
            self.result = Some(match &self.plan {
                Plan::Walk(_, Some(_)) => Err(Error::new(Kind::NotFound, "zhipu: no file with this id in any listable purpose")),
                _ => Ok(Done::End),
            });
            return;
        }
        self.slots = vec![Exchange::new(self.p.list(&self.base, purpose, &pg.q), Expect::List)];
    }

    fn advance(&mut self, mut outcomes: impl Iterator<Item = Result<Done>>) {
        let p = self.p;
        // MiniMax's delete: the retrieve found the purpose; the delete itself is the next stage.
        if let Plan::Delete(id) = &self.plan {
            let next = match outcomes.next() {
                Some(Ok(Done::File(f))) => p.delete(&self.base, id, f.purpose()),
                Some(Err(e)) => Err(e),
                _ => Err(Error::new(Kind::Decode, "internal error: unexpected outcome")),
            };
            self.plan = Plan::One;
            match next {
                Ok(req) => self.slots = vec![Exchange::new(req, Expect::Delete)],
                Err(e) => self.result = Some(Err(e)),
            }
            return;
        }
        // Hosts differ in the purposes they list (MiniMax documents video_generation_input there on its CN host only):
        // where the client lists every purpose, one the host refuses as invalid after another answered has no files.
        let mut skip = matches!(&self.plan, Plan::Walk(pg, _) if pg.past);
        // Every slot's page, gathered into one (appending each page's vector: smaller in wasm than an iterator).
        let mut all = Page::default();
        for o in outcomes {
            match o {
                Ok(Done::Page(mut page)) => {
                    all.has_more |= page.has_more;
                    all.files.append(&mut page.files);
                    skip = true;
                }
                Err(e) if skip && e.kind == Kind::InvalidRequest => {}
                other => {
                    self.result = Some(other);
                    return;
                }
            }
        }
        match &mut self.plan {
            Plan::List(q) => self.result = Some(Ok(Done::Page(merge(p, q, all)))),
            Plan::Walk(pg, target) => {
                let page = if whole_lists(p) {
                    let page = merge(p, &pg.q, all);
                    pg.left = pg.left.saturating_sub(1);
                    pg.past = true;
                    pg.q.after = None;
                    page
                } else {
                    let page = all;
                    let last = page.files.last().map(|f| own(f.id()));
                    if !page.has_more {
                        pg.left = pg.left.saturating_sub(1);
                        pg.past = true;
                        pg.q.after = None;
                    } else if last.is_some() && last != pg.q.after {
                        pg.q.after = last;
                    } else {
                        pg.left = 0;
                        self.result = Some(Err(Error::new(Kind::Decode, "the provider said has_more but gave no new cursor")));
                        return;
                    }
                    page
                };
                match target {
                    Some(id) => {
                        if let Some(i) = page.files.iter().position(|f| f.id() == id) {
                            self.result = take(page.files, i).map(|f| Ok(Done::File(f)));
                        }
                    }
                    None => self.result = Some(Ok(Done::Files(page.files))),
                }
            }
            _ => self.result = Some(Err(Error::new(Kind::Decode, "internal error: unexpected outcome"))),
        }
    }
}

/// The largest page Zhipu's list takes (`limit` 1–100).
const ZHIPU_MAX_PAGE: u32 = 100;

/// Why a Zhipu `limit` above its largest page is refused before any request.
const ZHIPU_LIMIT: &str = "zhipu takes a limit of at most 100";

/// Whether `q` asks Zhipu for a larger page than it takes; inline, since a separate check returning a Result
/// cost about 40 B more wasm.
#[inline(always)]
fn over_zhipu_page(p: Provider, q: &ListQuery) -> bool {
    p == Provider::Zhipu && q.limit > Some(ZHIPU_MAX_PAGE)
}

/// Whether one list answer holds every file of a purpose (MiniMax, Moonshot), so a walk needs no cursor.
fn whole_lists(p: Provider) -> bool {
    matches!(p, Provider::MiniMax | Provider::Moonshot)
}

/// The list requests for `q`: one, or one per purpose where the provider lists a purpose at a time.
fn list_requests(p: Provider, base: &str, q: &ListQuery) -> Vec<Exchange> {
    let one = |purpose: Option<&str>| Exchange::new(p.list(base, purpose, q), Expect::List);
    match (p.list_purposes(), &q.purpose) {
        (Some(all), None) => all.iter().map(|x| one(Some(x))).collect(),
        (_, purpose) => vec![one(purpose.as_deref())],
    }
}

/// The page the caller sees from every slot's files: Moonshot's whole list windowed by `q`, merged purposes windowed,
/// others as sent.
fn merge(p: Provider, q: &ListQuery, page: Page) -> Page {
    let Page { files, has_more: more } = page;
    match p {
        // One page, as sent.
        Provider::OpenAi => Page { files, has_more: more },
        Provider::Zhipu if q.purpose.is_some() => Page { files, has_more: more },
        // Moonshot has no paging: only the window says whether more follow.
        Provider::Moonshot => Page::window(files, q, true),
        _ => {
            let mut page = Page::window(files, q, false);
            page.has_more |= more;
            page
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::test_util::resp;

    const LIST: &str = r#"{"object":"list","data":[],"has_more":false}"#;

    /// Runs `c` to its result, answering every request with `answer(url, attempt)`; records the requests.
    fn drive(c: &mut Call, mut answer: impl FnMut(&HttpRequest) -> std::result::Result<HttpResponse<'static>, Kind>) -> (Result<Done>, Vec<String>, f64) {
        let (mut urls, mut slept, mut now) = (Vec::new(), 0.0, 1_700_000_000_000.0);
        for _ in 0..100 {
            let slots = c.stage();
            if slots == 0 {
                return (c.take().expect("a result once no slot is left"), urls, slept);
            }
            for s in 0..slots {
                for _ in 0..100 {
                    match c.next(s, false, now, 0.5) {
                        Action::End => break,
                        Action::Sleep(ms) => {
                            slept += ms;
                            now += ms;
                        }
                        Action::Fetch(req, _) => {
                            let req = req.clone();
                            urls.push([req.method.as_str(), " ", &req.url].concat());
                            match answer(&req) {
                                // Numbered as the executor numbers them: one per answer, in order.
                                Ok(r) => {
                                    c.answer(s, &HttpResponse { seq: urls.len() as u32 - 1, ..r }, now);
                                }
                                Err(kind) => c.failed(s, Error::new(kind, "scripted")),
                            }
                        }
                    }
                }
            }
        }
        panic!("the call never ended");
    }

    fn file_json(id: &str, purpose: &str, created: i64) -> String {
        format!(r#"{{"id":"{id}","object":"file","bytes":3,"created_at":{created},"filename":"a.jsonl","purpose":"{purpose}"}}"#)
    }

    /// A list page of `files` (JSON objects).
    fn page_json(files: &[String], more: bool) -> String {
        format!(r#"{{"object":"list","data":[{}],"has_more":{more}}}"#, files.join(","))
    }

    /// A batch file the upload lookup must pass over: same purpose and size, another name.
    fn other_json(id: &str) -> String {
        file_json(id, "batch", 1_700_000_000).replace("a.jsonl", "b.jsonl")
    }

    #[test]
    fn retries_honour_retry_after_then_stop_at_max_retries() {
        let mut c = Call::list(Provider::OpenAi, "http://h/v1", 2, ListQuery::default()).unwrap();
        let (r, urls, slept) = drive(&mut c, |_| Ok(resp(429, &[("retry-after-ms", "7")], "{}")));
        let e = r.unwrap_err();
        assert_eq!((e.kind, e.attempts, urls.len()), (Kind::RateLimit, 3, 3));
        assert_eq!(slept, 14.0);
        let mut c = Call::list(Provider::OpenAi, "http://h/v1", 2, ListQuery::default()).unwrap();
        let (r, _, slept) = drive(&mut c, |_| Err(Kind::Connection));
        assert_eq!(r.unwrap_err().attempts, 3);
        assert_eq!(slept, 500.0 * 0.875 + 1000.0 * 0.875, "backoff with jitter");
        let mut c = Call::list(Provider::OpenAi, "http://h/v1", 5, ListQuery::default()).unwrap();
        let (r, urls, _) = drive(&mut c, |_| Ok(resp(401, &[], "{}")));
        assert_eq!((r.unwrap_err().kind, urls.len()), (Kind::Authentication, 1));
    }

    #[test]
    fn an_abort_ends_the_slot_without_another_request() {
        let mut c = Call::list(Provider::OpenAi, "http://h/v1", 2, ListQuery::default()).unwrap();
        assert_eq!(c.stage(), 1);
        assert!(matches!(c.next(0, true, 0.0, 0.0), Action::End));
        assert_eq!(c.stage(), 0);
        let e = c.take().unwrap().unwrap_err();
        assert_eq!((e.kind, e.attempts, e.retryable), (Kind::Aborted, 0, false));
        let mut c = Call::list(Provider::OpenAi, "http://h/v1", 2, ListQuery::default()).unwrap();
        c.stage();
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::Fetch(..)));
        c.answer(0, &resp(503, &[], ""), 0.0);
        assert!(matches!(c.next(0, true, 0.0, 0.0), Action::End), "aborted before the wait");
        assert_eq!(c.slots[0].outcome.as_ref().unwrap().as_ref().unwrap_err().attempts, 1);
    }

    #[test]
    fn an_ambiguous_upload_is_looked_up_before_it_is_sent_again() {
        let mut c = Call::create(Provider::OpenAi, "http://h/v1", 3, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |req| {
            n += 1;
            match (n, req.method.as_str()) {
                (1, "POST") => Err(Kind::Timeout),
                (2, "GET") => Ok(resp(200, &[], &page_json(&[file_json("stored", "batch", 1_700_000_000)], false))),
                _ => panic!("sent again after the lookup found it"),
            }
        });
        let Ok(Done::File(f)) = r else { panic!("no file") };
        assert_eq!((f.id(), f.src), ("stored", (1, "data", Some(0))), "the file the lookup (response 1) found");
        assert_eq!(urls, ["POST http://h/v1/files", "GET http://h/v1/files?purpose=batch&limit=100&order=desc"]);
        // Not found: uploaded again within the same attempt; a 429 is not ambiguous, so no lookup after it.
        let mut c = Call::create(Provider::OpenAi, "http://h/v1", 3, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |_| {
            n += 1;
            match n {
                1 => Ok(resp(500, &[], "{}")),
                2 => Ok(resp(200, &[], LIST)),
                3 => Ok(resp(429, &[], "{}")),
                4 => Ok(resp(200, &[], LIST)),
                _ => Ok(resp(200, &[], &file_json("new", "batch", 1_700_000_001))),
            }
        });
        let Ok(Done::File(f)) = r else { panic!("no file") };
        assert_eq!(f.id(), "new");
        assert_eq!(urls.iter().filter(|u| u.starts_with("POST")).count(), 3);
        assert_eq!(c.slots.len(), 0);
    }

    #[test]
    fn an_upload_no_list_can_find_is_not_sent_again_after_an_ambiguous_failure() {
        for (p, purpose) in [(Provider::Zhipu, "voice-clone-input"), (Provider::MiniMax, "video_understanding")] {
            for fault in [Kind::Timeout, Kind::Connection] {
                let mut c = Call::create(p, "http://h", 3, purpose, "v.mp4", 3.0).unwrap();
                let (r, urls, _) = drive(&mut c, |_| Err(fault));
                let e = r.unwrap_err();
                assert_eq!((e.kind, e.retryable, e.attempts, urls.len()), (fault, true, 1, 1), "{p:?}");
                assert!(e.message.ends_with("(not sent again: no list to check for a stored copy)"));
            }
            // A 5xx may have stored it too; a 429 says nothing was, and is retried.
            let mut c = Call::create(p, "http://h", 3, purpose, "v.mp4", 3.0).unwrap();
            assert_eq!(drive(&mut c, |_| Ok(resp(503, &[], ""))).1.len(), 1);
            let mut c = Call::create(p, "http://h", 3, purpose, "v.mp4", 3.0).unwrap();
            assert_eq!(drive(&mut c, |_| Ok(resp(429, &[], ""))).1.len(), 4);
        }
    }

    #[test]
    fn the_lookup_reads_on_while_more_pages_follow() {
        // Zhipu, listing oldest first (its order is undocumented): the stored file is on the third page.
        let mut c = Call::create(Provider::Zhipu, "http://h", 3, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |_| {
            n += 1;
            match n {
                1 => Err(Kind::Timeout),
                2 => Ok(resp(200, &[], &page_json(&[other_json("old 1")], true))),
                3 => Ok(resp(200, &[], &page_json(&[other_json("old-2")], true))),
                4 => Ok(resp(200, &[], &page_json(&[other_json("old-3"), file_json("stored", "batch", 1_700_000_000)], false))),
                _ => panic!("sent again although the lookup found it"),
            }
        });
        let Ok(Done::File(f)) = r else { panic!("no file") };
        assert_eq!(f.id(), "stored");
        let lookup = "GET http://h/files?purpose=batch&limit=100";
        assert_eq!(urls, ["POST http://h/files", lookup, &[lookup, "&after=old%201"].concat(), &[lookup, "&after=old-2"].concat()]);
        // On no page: uploaded again after the last one, and the next attempt's lookup starts at the first.
        let mut c = Call::create(Provider::Zhipu, "http://h", 3, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |_| {
            n += 1;
            match n {
                1 => Ok(resp(502, &[], "")),
                2 => Ok(resp(200, &[], &page_json(&[other_json("old-1")], true))),
                3 => Ok(resp(200, &[], &page_json(&[other_json("old-2")], false))),
                4 => Err(Kind::Connection),
                5 => Ok(resp(200, &[], &page_json(&[file_json("stored", "batch", 1_700_000_000)], true))),
                _ => panic!("sent again although the lookup found it"),
            }
        });
        let Ok(Done::File(f)) = r else { panic!("no file") };
        assert_eq!(f.id(), "stored");
        assert_eq!(urls.iter().map(|u| u.contains("after=")).collect::<Vec<_>>(), [false, false, true, false, false]);
        assert_eq!(urls[3], "POST http://h/files");
        // A host that never stops saying `has_more`: ten pages, then the upload goes out again.
        let mut c = Call::create(Provider::OpenAi, "http://h/v1", 1, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |req| {
            n += 1;
            match (n, req.method) {
                (1, _) => Err(Kind::Timeout),
                (_, crate::providers::Method::Get) => Ok(resp(200, &[], &page_json(&[other_json(&format!("old-{n}"))], true))),
                _ => Ok(resp(200, &[], &file_json("again", "batch", 1_700_000_001))),
            }
        });
        assert_eq!(r.map(|d| matches!(d, Done::File(f) if f.id() == "again")), Ok(true));
        assert_eq!((urls.len(), urls.iter().filter(|u| u.starts_with("GET")).count()), (12, 10));
    }

    #[test]
    fn lookup_pages_count_as_one_attempt_and_each_lookup_starts_at_its_first_page() {
        use crate::providers::Method;
        // Page `n` of files the lookup passes over; `more`: another follows.
        let old = |n: i32, more: bool| page_json(&[other_json(&format!("old-{n}"))], more);
        // Attempt 2's lookup reads three pages and uploads: a failure then is the call's second attempt, not its fourth.
        let mut c = Call::create(Provider::Zhipu, "http://h", 1, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |req| {
            n += 1;
            match (n, req.method) {
                (1, _) => Err(Kind::Timeout),
                (2 | 3, Method::Get) => Ok(resp(200, &[], &old(n, true))),
                (4, Method::Get) => Ok(resp(200, &[], &old(n, false))),
                _ => Ok(resp(500, &[], "{}")),
            }
        });
        assert_eq!((r.unwrap_err().attempts, urls.len()), (2, 5));
        // Attempt 2's lookup reads six pages in vain and the upload times out again; attempt 3's lookup has its own ten
        // pages, and finds the file on its fifth.
        let mut c = Call::create(Provider::Zhipu, "http://h", 3, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |req| {
            n += 1;
            match (n, req.method) {
                (1 | 8, Method::Post) => Err(Kind::Timeout),
                (2..=6 | 9..=12, Method::Get) => Ok(resp(200, &[], &old(n, true))),
                (7, Method::Get) => Ok(resp(200, &[], &old(n, false))),
                (13, Method::Get) => Ok(resp(200, &[], &page_json(&[file_json("stored", "batch", 1_700_000_000)], true))),
                _ => panic!("request {n} was not expected"),
            }
        });
        let Ok(Done::File(f)) = r else { panic!("no file") };
        assert_eq!((f.id(), urls.len()), ("stored", 13));
    }

    #[test]
    fn the_lookup_dates_the_upload_by_the_providers_clock() {
        // Our clock (1_700_000_000 s when the upload began) runs 2 minutes ahead of the provider's, which stored the
        // file at its 1_699_999_880. By its `Date` the attempt began at about 1_699_999_879.6 on its clock: found.
        // `created`: when the provider stored the file the failed attempt sent.
        let run_at = |date: &'static [(&'static str, &'static str)], created: i64| {
            let mut c = Call::create(Provider::OpenAi, "http://h/v1", 3, "batch", "a.jsonl", 3.0).unwrap();
            let mut n = 0;
            let (r, urls, _) = drive(&mut c, |_| {
                n += 1;
                match n {
                    1 => Err(Kind::Connection),
                    2 => Ok(resp(200, date, &page_json(&[file_json("stored", "batch", created)], false))),
                    _ => Ok(resp(200, &[], &file_json("again", "batch", 1_699_999_881))),
                }
            });
            let Ok(Done::File(f)) = r else { panic!("no file") };
            (String::from(f.id()), urls.len())
        };
        let run = |date| run_at(date, 1_699_999_880);
        // Tue, 14 Nov 2023 22:11:20 GMT, as the executor hands a date over (`@` and Unix milliseconds, retry::at_ms).
        assert_eq!(run(&[("date", "@1699999880000")]), ("stored".into(), 2));
        // Without a `Date` (a browser across origins), our clock: the file looks older than the upload.
        assert_eq!(run(&[]), ("again".into(), 3));
        // A `Date` the platform could not read is ignored the same way.
        assert_eq!(run(&[("date", "@NaN")]), ("again".into(), 3));
        // By that `Date` the attempt began at 1_699_999_999.9995 (floored to ..999); a second of slack takes a file
        // stored at ..998, and not one stored a second before that.
        let edge = |created| run_at(&[("date", "@1700000000437")], created);
        assert_eq!((edge(1_699_999_998), edge(1_699_999_997)), (("stored".into(), 2), ("again".into(), 3)));
    }

    #[test]
    fn the_lookup_looks_from_the_first_ambiguous_attempt_on() {
        // Attempt 1 stores the file (at 1_700_000_000) but answers 503; attempt 2's lookup gets a 503 too, 5 s
        // later. Attempt 3's lookup must still look from attempt 1's start, where the file is, not from attempt 2's.
        let mut c = Call::create(Provider::OpenAi, "http://h/v1", 3, "batch", "a.jsonl", 3.0).unwrap();
        let mut n = 0;
        let (r, urls, _) = drive(&mut c, |_| {
            n += 1;
            match n {
                1 | 2 => Ok(resp(503, &[("retry-after", "5")], "{}")),
                3 => Ok(resp(200, &[], &page_json(&[file_json("stored", "batch", 1_700_000_000)], false))),
                _ => panic!("uploaded twice"),
            }
        });
        assert_eq!(r.map(|d| matches!(d, Done::File(f) if f.id() == "stored")), Ok(true));
        assert_eq!(urls.iter().map(|u| &u[..3]).collect::<Vec<_>>(), ["POS", "GET", "GET"]);
    }

    #[test]
    fn a_delete_that_finds_the_file_gone_after_an_ambiguous_attempt_succeeds() {
        let mut c = Call::delete(Provider::OpenAi, "http://h/v1", 2, "f1", None).unwrap();
        let mut n = 0;
        let (r, _, _) = drive(&mut c, |_| {
            n += 1;
            if n == 1 { Err(Kind::Connection) } else { Ok(resp(404, &[], r#"{"error":{"message":"no such file"}}"#)) }
        });
        assert_eq!(r.unwrap(), Done::Deleted);
        let mut c = Call::delete(Provider::OpenAi, "http://h/v1", 2, "f1", None).unwrap();
        let (r, _, _) = drive(&mut c, |_| Ok(resp(404, &[], "{}")));
        assert_eq!(r.unwrap_err().kind, Kind::NotFound);
        // A 429 between the ambiguous attempt and the not-found does not make the first attempt harmless.
        let mut c = Call::delete(Provider::OpenAi, "http://h/v1", 2, "f1", None).unwrap();
        let mut n = 0;
        let (r, _, _) = drive(&mut c, |_| {
            n += 1;
            Ok(match n {
                1 => return Err(Kind::Timeout),
                2 => resp(429, &[], "{}"),
                _ => resp(404, &[], "{}"),
            })
        });
        assert_eq!(r.unwrap(), Done::Deleted);
        // After an ambiguous attempt only a not-found means done: another refusal is still an error.
        let mut c = Call::delete(Provider::OpenAi, "http://h/v1", 2, "f1", None).unwrap();
        let mut n = 0;
        let (r, _, _) = drive(&mut c, |_| {
            n += 1;
            if n == 1 { Err(Kind::Connection) } else { Ok(resp(403, &[], "{}")) }
        });
        assert_eq!(r.unwrap_err().kind, Kind::PermissionDenied);
    }

    #[test]
    fn minimax_delete_looks_up_the_purpose_first() {
        let mut c = Call::delete(Provider::MiniMax, "http://h", 0, "9007199254740993", None).unwrap();
        let (r, urls, _) = drive(&mut c, |req| {
            Ok(match req.method.as_str() {
                "GET" => resp(200, &[], r#"{"file":{"file_id":9007199254740993,"bytes":1,"created_at":1,"filename":"a.mp3","purpose":"voice_clone"},"base_resp":{"status_code":0}}"#),
                _ => {
                    assert_eq!(req.body, Body::Json(r#"{"file_id":9007199254740993,"purpose":"voice_clone"}"#.into()));
                    resp(200, &[], r#"{"base_resp":{"status_code":0}}"#)
                }
            })
        });
        assert_eq!(r.unwrap(), Done::Deleted);
        assert_eq!(urls, ["GET http://h/v1/files/retrieve?file_id=9007199254740993", "POST http://h/v1/files/delete"]);
        assert_eq!(Call::delete(Provider::MiniMax, "http://h", 0, "abc", None).unwrap_err().kind, Kind::InvalidArgument);
    }

    #[test]
    fn merged_purposes_run_side_by_side_and_the_first_error_wins() {
        let mut c = Call::list(Provider::Zhipu, "http://h", 0, ListQuery { limit: Some(2), ..Default::default() }).unwrap();
        assert_eq!(c.stage(), 3);
        let (r, urls, _) = drive(&mut c, |req| {
            let purpose = req.url.split("purpose=").nth(1).and_then(|s| s.split('&').next()).unwrap_or("").to_string();
            let files = [file_json(&[&purpose, "-1"].concat(), &purpose, 5), file_json(&[&purpose, "-2"].concat(), &purpose, 9)];
            Ok(resp(200, &[], &page_json(&files, false)))
        });
        let Ok(Done::Page(page)) = r else { panic!("no page") };
        assert_eq!(urls.len(), 3);
        assert_eq!((page.files.len(), page.has_more), (2, true));
        // More pages of any one purpose mean more for the merged page, whichever slot says so.
        let mut c = Call::list(Provider::Zhipu, "http://h", 0, ListQuery::default()).unwrap();
        let (r, _, _) = drive(&mut c, |req| Ok(resp(200, &[], &page_json(&[], req.url.contains("purpose=batch")))));
        assert!(matches!(r, Ok(Done::Page(p)) if p.has_more));
        let mut c = Call::list(Provider::MiniMax, "http://h", 0, ListQuery::default()).unwrap();
        let (r, _, _) = drive(&mut c, |req| Ok(if req.url.ends_with("prompt_audio") { resp(401, &[], "{}") } else { resp(200, &[], r#"{"files":[],"base_resp":{"status_code":0}}"#) }));
        assert_eq!(r.unwrap_err().kind, Kind::Authentication);
        assert_eq!(Call::list(Provider::Zhipu, "http://h", 0, ListQuery { after: Some("x".into()), ..Default::default() }).unwrap_err().kind, Kind::InvalidArgument);
    }

    #[test]
    fn a_purpose_the_host_refuses_after_another_answered_is_left_out() {
        // MiniMax's global list page documents voice_clone, prompt_audio and t2a_async_input; its CN copy adds
        // video_generation_input, which a host that does not list it refuses as invalid params (2013).
        const REFUSED: &str = r#"{"base_resp":{"status_code":2013,"status_msg":"invalid params"}}"#;
        let minimax = |refuse: &'static str| {
            move |req: &HttpRequest| {
                let purpose = req.url.rsplit('=').next().unwrap_or_default();
                let files = format!(r#"{{"files":[{{"file_id":7,"bytes":1,"created_at":1,"filename":"a","purpose":"{purpose}"}}],"base_resp":{{"status_code":0}}}}"#);
                Ok(if purpose == refuse { resp(200, &[], REFUSED) } else { resp(200, &[], &files) })
            }
        };
        let mut c = Call::list(Provider::MiniMax, "http://h", 0, ListQuery::default()).unwrap();
        let (r, urls, _) = drive(&mut c, minimax("video_generation_input"));
        let Ok(Done::Page(page)) = r else { panic!("no page") };
        assert_eq!((urls.len(), page.files.len()), (4, 3));
        // The walk passes over it too, page by page.
        let mut c = Call::list_all(Provider::MiniMax, "http://h", 0, ListQuery::default()).unwrap();
        let mut counts = Vec::new();
        loop {
            match drive(&mut c, minimax("video_generation_input")).0 {
                Ok(Done::Files(f)) => counts.push(f.len()),
                Ok(Done::End) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(counts, [1, 1, 1, 0]);
        // The first purpose has no other before it: its refusal is the call's, as is any other kind of failure.
        let mut c = Call::list(Provider::MiniMax, "http://h", 0, ListQuery::default()).unwrap();
        assert_eq!(drive(&mut c, minimax("voice_clone")).0.unwrap_err().kind, Kind::InvalidRequest);
        let mut c = Call::list_all(Provider::MiniMax, "http://h", 0, ListQuery::default()).unwrap();
        assert_eq!(drive(&mut c, minimax("voice_clone")).0.unwrap_err().kind, Kind::InvalidRequest);
        let mut c = Call::list(Provider::MiniMax, "http://h", 0, ListQuery::default()).unwrap();
        let (r, _, _) = drive(&mut c, |req| Ok(if req.url.ends_with("prompt_audio") { resp(200, &[], r#"{"base_resp":{"status_code":1004,"status_msg":"x"}}"#) } else { resp(200, &[], REFUSED) }));
        assert_eq!(r.unwrap_err().kind, Kind::InvalidRequest, "voice_clone, the first, was refused");
        // A purpose the caller names is never left out.
        let q = ListQuery { purpose: Some("video_generation_input".into()), ..Default::default() };
        let mut c = Call::list(Provider::MiniMax, "http://h", 0, q.clone()).unwrap();
        assert_eq!(drive(&mut c, minimax("video_generation_input")).0.unwrap_err().kind, Kind::InvalidRequest);
        let mut c = Call::list_all(Provider::MiniMax, "http://h", 0, q).unwrap();
        assert_eq!(drive(&mut c, minimax("video_generation_input")).0.unwrap_err().kind, Kind::InvalidRequest);
        // Nor is one page of a purpose after another that answered: Zhipu's cursor is refused on its second page.
        let q = ListQuery { purpose: Some("batch".into()), ..Default::default() };
        let mut c = Call::list_all(Provider::Zhipu, "http://h", 0, q).unwrap();
        assert!(matches!(drive(&mut c, |_| Ok(resp(200, &[], &page_json(&[file_json("a", "batch", 1)], true)))).0, Ok(Done::Files(_))));
        let (r, urls, _) = drive(&mut c, |_| Ok(resp(400, &[], r#"{"error":{"code":"1210","message":"bad after"}}"#)));
        assert_eq!((r.unwrap_err().kind, urls), (Kind::InvalidRequest, vec!["GET http://h/files?purpose=batch&limit=100&after=a".to_string()]));
        // Zhipu's emulated retrieve walks past a refused purpose to the file; a later failure of another kind ends it.
        let mut c = Call::retrieve(Provider::Zhipu, "http://h", 0, "c").unwrap();
        let (r, urls, _) = drive(&mut c, |req| {
            Ok(match req.url.split("purpose=").nth(1).and_then(|s| s.split('&').next()) {
                Some("batch") => resp(200, &[], LIST),
                Some("code-interpreter") => resp(400, &[], r#"{"error":{"code":"1210","message":"purpose"}}"#),
                _ => resp(200, &[], &page_json(&[file_json("c", "agent", 1)], false)),
            })
        });
        assert!(matches!(r, Ok(Done::File(f)) if f.id() == "c"));
        assert_eq!(urls.len(), 3);
        let mut c = Call::list_all(Provider::Zhipu, "http://h", 0, ListQuery::default()).unwrap();
        assert!(matches!(drive(&mut c, |_| Ok(resp(200, &[], LIST))).0, Ok(Done::Files(_))));
        assert_eq!(drive(&mut c, |_| Ok(resp(401, &[], r#"{"error":{"code":"1000","message":"x"}}"#))).0.unwrap_err().kind, Kind::Authentication);
    }

    #[test]
    fn a_walk_yields_pages_then_ends_and_zhipu_retrieve_stops_at_the_file() {
        let page = |ids: &[&str], more: bool| {
            let files: Vec<String> = ids.iter().map(|id| file_json(id, "batch", 1)).collect();
            resp(200, &[], &page_json(&files, more))
        };
        let mut c = Call::list_all(Provider::OpenAi, "http://h/v1", 0, ListQuery { limit: Some(2), ..Default::default() }).unwrap();
        let mut n = 0;
        let mut answer = |_: &HttpRequest| {
            n += 1;
            Ok(if n == 1 { page(&["a", "b"], true) } else { page(&["c"], false) })
        };
        let (r, urls, _) = drive(&mut c, &mut answer);
        let Ok(Done::Files(files)) = r else { panic!("no files") };
        assert_eq!(files.iter().map(|f| (f.id(), f.src)).collect::<Vec<_>>(), [("a", (0, "data", Some(0))), ("b", (0, "data", Some(1)))]);
        assert_eq!(urls, ["GET http://h/v1/files?limit=2"]);
        let (r, urls, _) = drive(&mut c, &mut answer);
        assert!(matches!(r, Ok(Done::Files(f)) if f.len() == 1));
        assert_eq!(urls, ["GET http://h/v1/files?limit=2&after=b"]);
        assert_eq!(drive(&mut c, &mut answer).0.unwrap(), Done::End);
        // A provider that repeats its cursor is stopped, not followed forever.
        let mut c = Call::list_all(Provider::OpenAi, "http://h/v1", 0, ListQuery::default()).unwrap();
        assert_eq!(drive(&mut c, |_| Ok(page(&[], true))).0.unwrap_err().kind, Kind::Decode);
        // So is one that answers the page after `a` with `a` again.
        let mut c = Call::list_all(Provider::OpenAi, "http://h/v1", 0, ListQuery::default()).unwrap();
        assert!(matches!(drive(&mut c, |_| Ok(page(&["a"], true))).0, Ok(Done::Files(f)) if f.len() == 1));
        let (r, urls, _) = drive(&mut c, |_| Ok(page(&["a"], true)));
        assert_eq!((r.unwrap_err().kind, urls), (Kind::Decode, vec!["GET http://h/v1/files?after=a".to_string()]));

        let mut c = Call::retrieve(Provider::Zhipu, "http://h", 0, "c").unwrap();
        let (r, urls, _) = drive(&mut c, |req| Ok(if req.url.contains("purpose=agent") { page(&["a", "c"], false) } else { page(&[], false) }));
        assert!(matches!(r, Ok(Done::File(f)) if f.id() == "c"));
        assert_eq!(urls, ["GET http://h/files?purpose=batch&limit=100", "GET http://h/files?purpose=code-interpreter&limit=100", "GET http://h/files?purpose=agent&limit=100"]);
        let mut c = Call::retrieve(Provider::Zhipu, "http://h", 0, "zz").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(page(&["a"], false))).0.unwrap_err().kind, Kind::NotFound);
        // An id no provider could have is refused before the walk, as the other providers' retrieve refuses it.
        let long = "x".repeat(1025);
        for id in ["", "..", long.as_str()] {
            let e = Call::retrieve(Provider::Zhipu, "http://h", 0, id).unwrap_err();
            assert_eq!((e.kind, e.attempts), (Kind::InvalidArgument, 0), "{id:.8}");
        }
        // A cursor is one purpose's: a walk over every purpose takes none.
        for p in [Provider::MiniMax, Provider::Zhipu] {
            let q = ListQuery { after: Some("a".into()), ..Default::default() };
            assert_eq!(Call::list_all(p, "http://h", 0, q).unwrap_err().kind, Kind::InvalidArgument, "{p:?}");
        }
    }

    #[test]
    fn zhipu_limits_its_page_to_100_and_walks_at_that_size() {
        let q = |limit| ListQuery { purpose: Some("batch".into()), limit, ..Default::default() };
        for l in [101, 10_000] {
            assert_eq!(Call::list(Provider::Zhipu, "http://h", 0, q(Some(l))).unwrap_err().kind, Kind::InvalidArgument);
            assert_eq!(Call::list_all(Provider::Zhipu, "http://h", 0, q(Some(l))).unwrap_err().kind, Kind::InvalidArgument);
        }
        // Other providers take larger limits (applied on the client, or OpenAI's up to 10,000).
        assert!(Call::list(Provider::OpenAi, "http://h", 0, q(Some(1000))).is_ok());
        for (limit, url) in [(None, "GET http://h/files?purpose=batch&limit=100"), (Some(7), "GET http://h/files?purpose=batch&limit=7")] {
            let mut c = Call::list_all(Provider::Zhipu, "http://h", 0, q(limit)).unwrap();
            assert_eq!(drive(&mut c, |_| Ok(resp(200, &[], LIST))).1, [url]);
        }
        let mut c = Call::list(Provider::Zhipu, "http://h", 0, q(Some(100))).unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(200, &[], LIST))).1, ["GET http://h/files?purpose=batch&limit=100"]);
    }

    #[test]
    fn whole_list_walks_apply_the_cursor_once_take_no_limit_and_visit_each_purpose_in_order() {
        let list = |files: &[(&str, i64)]| {
            let files: Vec<String> = files.iter().map(|(id, t)| file_json(id, "batch", *t)).collect();
            resp(200, &[], &format!(r#"{{"object":"list","data":[{}]}}"#, files.join(",")))
        };
        let q = ListQuery { after: Some("b".into()), order: Some("asc".into()), limit: Some(1), purpose: None };
        let mut c = Call::list_all(Provider::Moonshot, "http://h/v1", 0, q).unwrap();
        let mut answer = |_: &HttpRequest| Ok(list(&[("c", 3), ("a", 1), ("b", 2), ("d", 4)]));
        let (r, urls, _) = drive(&mut c, &mut answer);
        let Ok(Done::Files(files)) = r else { panic!("no files") };
        assert_eq!(files.iter().map(FileObject::id).collect::<Vec<_>>(), ["c", "d"], "after b, in time order, no limit");
        assert_eq!(urls, ["GET http://h/v1/files"]);
        assert_eq!(drive(&mut c, &mut answer).0.unwrap(), Done::End);

        let mut c = Call::list_all(Provider::MiniMax, "http://h", 0, ListQuery::default()).unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            let (r, urls, _) = drive(&mut c, |_| Ok(resp(200, &[], r#"{"files":[],"base_resp":{"status_code":0}}"#)));
            assert!(matches!(r, Ok(Done::Files(f)) if f.is_empty()));
            seen.extend(urls);
        }
        assert_eq!(drive(&mut c, |_| Err(Kind::Connection)).0.unwrap(), Done::End);
        let purposes: Vec<_> = seen.iter().map(|u| u.rsplit('=').next().unwrap_or_default()).collect();
        assert_eq!(purposes, crate::providers::minimax::LIST_PURPOSES);
    }

    #[test]
    fn downloads_stream_unless_the_body_must_be_checked() {
        let mut c = Call::content(Provider::OpenAi, "http://h/v1", 0, "f").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(200, &[("content-type", "application/octet-stream")], ""))).0.unwrap(), Done::Stream);
        let mut c = Call::content(Provider::MiniMax, "http://h", 0, "1").unwrap();
        let r = drive(&mut c, |_| Ok(resp(200, &[("content-type", "application/json")], r#"{"base_resp":{"status_code":1004,"status_msg":"bad key"}}"#))).0;
        assert_eq!(r.unwrap_err().kind, Kind::Authentication);
        let mut c = Call::content(Provider::MiniMax, "http://h", 0, "1").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(200, &[("content-type", "application/json")], r#"{"a":1}"#))).0.unwrap(), Done::Stream);
        // An error's status still decides over an empty body; MiniMax JSON begun as an object must parse, and a body
        // served as JSON that is not one (MiniMax documents its files so) is the file.
        let mut c = Call::content(Provider::OpenAi, "http://h/v1", 0, "f").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(404, &[], ""))).0.unwrap_err().kind, Kind::NotFound);
        let mut c = Call::content(Provider::MiniMax, "http://h", 0, "1").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(200, &[("content-type", "application/json")], "{\"base_resp\":"))).0.unwrap_err().kind, Kind::Decode);
        let mut c = Call::content(Provider::MiniMax, "http://h", 0, "1").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(200, &[("content-type", "application/json")], "\u{ff}\u{fb}\u{90}"))).0.unwrap(), Done::Stream);
        let mut c = Call::content(Provider::MiniMax, "http://h", 0, "1").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(200, &[("content-type", "application/json")], ""))).0.unwrap(), Done::Stream);
        let mut c = Call::content(Provider::MiniMax, "http://h", 0, "1").unwrap();
        assert_eq!(drive(&mut c, |_| Ok(resp(200, &[], ""))).0.unwrap(), Done::Stream, "an untyped empty file");
    }

    #[test]
    fn uploads_over_the_documented_limit_are_refused_before_any_request() {
        let e = Call::create(Provider::Zhipu, "http://h", 0, "agent", "a.png", 5.0 * 1048576.0 + 1.0).unwrap_err();
        assert_eq!(e.kind, Kind::InvalidArgument);
        assert_eq!(e.message, "file is 5242881 bytes; zhipu accepts at most 5242880 bytes for this purpose");
        // Moonshot refuses empty files ("File size is zero"); the others document no lower bound.
        let e = Call::create(Provider::Moonshot, "http://h", 0, "file-extract", "a.txt", 0.0).unwrap_err();
        assert_eq!(e.message, "file is 0 bytes; moonshot accepts 1 to 104857600 bytes for this purpose");
        for p in [Provider::MiniMax, Provider::Zhipu, Provider::OpenAi] {
            assert!(Call::create(p, "http://h", 0, "batch", "a.txt", 0.0).is_ok(), "{p:?}");
        }
        assert!(Call::create(Provider::Moonshot, "http://h", 0, "file-extract", "a.txt", 1.0).is_ok());
        // The limit itself is allowed: "at most".
        assert!(Call::create(Provider::Moonshot, "http://h", 0, "file-extract", "a.txt", 104857600.0).is_ok());
        assert!(Call::create(Provider::Zhipu, "http://h", 0, "agent", "a.png", 5.0 * 1048576.0).is_ok());
    }

    #[test]
    fn headers_are_asked_for_only_when_an_error_needs_them() {
        let mut c = Call::retrieve(Provider::OpenAi, "http://h/v1", 1, "f").unwrap();
        c.stage();
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::Fetch(..)));
        let partial = |status, body: &str| HttpResponse { partial: true, ..resp(status, &[], body) };
        assert!(c.answer(0, &partial(429, "{}"), 0.0), "an error asks for the headers");
        assert!(!c.answer(0, &resp(429, &[("retry-after-ms", "5"), ("x-request-id", "r1")], "{}"), 0.0));
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::Sleep(ms) if ms == 5.0), "the full answer's Retry-After counts");
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::Fetch(..)));
        assert!(!c.answer(0, &partial(200, r#"{"id":"f","bytes":1,"created_at":1,"filename":"a"}"#), 0.0), "a success needs none");
        assert_eq!(c.stage(), 0);
        assert!(matches!(c.take(), Some(Ok(Done::File(f))) if f.id() == "f"));
    }

    #[test]
    fn a_confused_executor_gets_an_error_not_a_panic() {
        let mut c = Call::list(Provider::OpenAi, "http://h/v1", 0, ListQuery::default()).unwrap();
        c.stage();
        assert!(matches!(c.next(7, false, 0.0, 0.0), Action::End));
        c.answer(9, &resp(200, &[], LIST), 0.0);
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::Fetch(..)));
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::End));
        assert_eq!(c.stage(), 0);
        assert_eq!(c.take().unwrap().unwrap_err().kind, Kind::Decode);
        // A failure reported for a slot that already ended (or was never sent) changes nothing: no resend.
        let mut c = Call::list(Provider::OpenAi, "http://h/v1", 2, ListQuery::default()).unwrap();
        c.stage();
        c.failed(0, Error::new(Kind::Connection, "before sending"));
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::Fetch(..)));
        c.answer(0, &resp(200, &[], LIST), 0.0);
        c.failed(0, Error::new(Kind::Connection, "after the answer"));
        assert!(matches!(c.next(0, false, 0.0, 0.0), Action::End));
        assert_eq!(c.stage(), 0);
        assert!(matches!(c.take(), Some(Ok(Done::Page(_)))));
    }
}
