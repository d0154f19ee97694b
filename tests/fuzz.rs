//! Property fuzzing of everything that reads outside data: every provider's response classifier and parsers,
//! request building with hostile ids, Retry-After parsing, the JSON reader, and every call's state machine driven
//! by a random (even confused) executor, on random and mutated inputs.
//! Zero panics allowed. `FUZZ_ITERATIONS` sets the count (CI runs a short smoke; `npm run fuzz` runs 10 million).
#![cfg(not(target_arch = "wasm32"))]

use llm_files::client::{Action, Call};
use llm_files::error::{Error, Kind};
use llm_files::providers::{HttpResponse, ListQuery, ALL};
use llm_files::{json, retry};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// xorshift64*: deterministic, so a failure is reproducible from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SEEDS: &[&str] = &[
    r#"{"file":{"file_id":9007199254740993,"bytes":5,"created_at":1700000000,"filename":"a.txt","purpose":"voice_clone"},"base_resp":{"status_code":0,"status_msg":"success"}}"#,
    r#"{"files":[{"file_id":1,"bytes":2,"created_at":3,"filename":"f","purpose":"t2a_async_input"}],"base_resp":{"status_code":0}}"#,
    r#"{"base_resp":{"status_code":1004,"status_msg":"login fail"}}"#,
    r#"{"id":"file-1","object":"file","bytes":3,"created_at":1,"filename":"a.jsonl","purpose":"batch","status":"ok"}"#,
    r#"{"object":"list","data":[{"id":"a","object":"file","bytes":1,"created_at":2,"filename":"x","purpose":"batch"}],"has_more":true}"#,
    r#"{"id":"a","object":"file","deleted":true}"#,
    r#"{"error":{"type":"exceeded_current_quota_error","message":"quota","code":"x"}}"#,
    r#"{"error":{"code":"1113","message":"余额不足"}}"#,
    r#"{"type":"error","error":{"type":"authorized_error","message":"login fail (1004)","http_code":"401"},"request_id":"r"}"#,
    "<html><body>504 Gateway Time-out</body></html>",
    "",
];
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "null", "true", "false", "-", "0", "1e999",
    "99999999999999999999999", "9223372036854775808", "-9223372036854775809", "1.5", "\"file_id\"", "\"id\"",
    "\"bytes\"", "\"created_at\"", "\"filename\"", "\"data\"", "\"files\"", "\"has_more\"", "\"base_resp\"",
    "\"status_code\"", "\"error\"", "\"code\"", "\"type\"", "é", "😀", "\u{0}", "\n", " ",
];
const HEADERS: &[&str] = &["content-type", "retry-after", "retry-after-ms", "x-should-retry", "trace-id", "x-request-id", "msh-request-id"];
const VALUES: &[&str] = &[
    "application/json", "text/html", "1", "-1", "60", "61", "1e3", "NaN", "0.5", "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sun, 99 Nov 1994 99:99:99 GMT", "Sun, 06 Nov 99999999999999 08:49:37 GMT", "Sun, 06 Nov 1994 -5:49:37 GMT", "true", "false", "", "é", "Mon, 01 Jan 0000 00:00:00 GMT",
];

/// A random status, headers and body.
fn input(rng: &mut Rng) -> (u16, String, Vec<u8>) {
    let mut body: Vec<u8> = match rng.below(4) {
        0 => (0..rng.below(64)).map(|_| rng.next() as u8).collect(),
        1 => (0..rng.below(24)).map(|_| rng.pick(TOKENS)).collect::<String>().into_bytes(),
        _ => SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec(),
    };
    // Mutate: flip, cut, splice a token.
    for _ in 0..rng.below(4) {
        match rng.below(3) {
            0 if !body.is_empty() => {
                let i = rng.below(body.len());
                body[i] = rng.next() as u8;
            }
            1 => body.truncate(rng.below(body.len() + 1)),
            _ => {
                let i = rng.below(body.len() + 1);
                let t = rng.pick(TOKENS).as_bytes().to_vec();
                body.splice(i..i, t);
            }
        }
    }
    let status = [200u16, 201, 204, 400, 401, 403, 404, 408, 409, 429, 434, 435, 499, 500, 502, 503, 504, 0, 999][rng.below(19)];
    let headers = (0..rng.below(4)).map(|_| [rng.pick(HEADERS), rng.pick(VALUES)].join("\n")).collect::<Vec<_>>().join("\n");
    (status, headers, body)
}

fn exercise(r: &HttpResponse, rng: &mut Rng) {
    for p in ALL {
        let _ = p.parse_file(r);
        let _ = p.parse_list(r);
        let _ = p.parse_delete(r);
        let _ = p.check_content(r, r.header("content-type"));
        let _ = p.check_content(r, None);
        let _ = p.content_needs_body(r.status, r.header("content-type"));
        let id = String::from_utf8_lossy(&r.body[..r.body.len().min(40)]).into_owned();
        let _ = p.retrieve("https://h", &id);
        let _ = p.content("https://h", &id);
        let _ = p.delete("https://h", &id, &id);
        let _ = p.list("https://h", Some(&id), &ListQuery { purpose: None, after: Some(id.clone()), limit: Some(rng.next() as u32), order: Some(id.clone()) });
        if let Ok(page) = p.parse_list(r) {
            let _ = p.find_upload(page.files, "batch", "a", 1, rng.next() as i64);
        }
    }
    drive(r, rng);
    // The body as an error message, and that message after Moonshot's words for a wait.
    let message = String::from_utf8_lossy(r.body);
    let _ = retry::retry_after_ms(r, &message, rng.next() as f64);
    let _ = retry::retry_after_ms(r, &["please try again after ", &message].concat(), rng.next() as f64);
    let _ = retry::backoff_ms(rng.next() as u32, (rng.next() % 1000) as f64 / 1000.0);
    // The reader takes a body as `Response.json()` does, its bytes that are not UTF-8 as U+FFFD: exactly when it takes
    // std's lossy decoding of it (valid UTF-8). `utf8` agrees with std.
    let doc = json::parse(r.body);
    assert_eq!(doc.is_some(), json::parse(String::from_utf8_lossy(r.body).as_bytes()).is_some());
    assert_eq!(json::utf8(r.body), std::str::from_utf8(r.body).is_ok());
    if let Ok(text) = std::str::from_utf8(r.body) {
        let _ = retry::at_ms(text);
    }
}

/// A random call, driven by an executor that answers with `r` or variants of it, fails, aborts, and now and then
/// asks about slots that do not exist or asks twice; the call must end (bounded) and never panic.
fn drive(r: &HttpResponse, rng: &mut Rng) {
    let p = ALL[rng.below(ALL.len())];
    let id = if rng.below(2) == 0 { "9007199254740993" } else { "file-1" };
    let purpose = [None, Some("batch".into()), Some("voice_clone".into())][rng.below(3)].clone();
    let q = ListQuery { purpose, limit: Some(1 + rng.below(3) as u32), after: None, order: None };
    let retries = rng.below(4) as u32;
    let call = match rng.below(6) {
        0 => Call::create(p, "http://h", retries, "batch", "a.jsonl", 3.0),
        1 => Call::list(p, "http://h", retries, q),
        2 => Call::list_all(p, "http://h", retries, q),
        3 => Call::retrieve(p, "http://h", retries, id),
        4 => Call::content(p, "http://h", retries, id),
        _ => Call::delete(p, "http://h", retries, id, None),
    };
    let Ok(mut c) = call else { return };
    let kinds = [Kind::Timeout, Kind::Connection, Kind::Aborted, Kind::Decode];
    for _ in 0..50 {
        let slots = c.stage();
        if slots == 0 {
            // A walk goes on after its result is taken; anything else has nothing more to say.
            if c.take().is_none() || rng.below(3) == 0 {
                return;
            }
            continue;
        }
        for s in 0..slots {
            for _ in 0..20 {
                let slot = if rng.below(20) == 0 { s + 7 } else { s };
                match c.next(slot, rng.below(30) == 0, rng.next() as f64, 0.5) {
                    Action::End => break,
                    Action::Sleep(_) => {}
                    Action::Fetch(..) => match rng.below(6) {
                        0 => c.failed(s, Error::new(kinds[rng.below(kinds.len())], "x")),
                        1 => {}
                        2 => drop(c.answer(s, &HttpResponse { status: 200, ..*r }, 0.0)),
                        3 => drop(c.answer(s, &HttpResponse { partial: true, ..*r }, 0.0)),
                        _ => drop(c.answer(s, r, rng.next() as f64)),
                    },
                }
            }
        }
    }
}

#[test]
fn no_input_makes_the_core_panic() {
    let iterations: u64 = std::env::var("FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5EED);
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut panics = 0u64;
    for i in 0..iterations {
        let (status, headers, body) = input(&mut rng);
        let r = HttpResponse { status, headers: &headers, body: &body, seq: 0, partial: false };
        if catch_unwind(AssertUnwindSafe(|| exercise(&r, &mut Rng(i + 1)))).is_err() {
            panics += 1;
            if panics <= 3 {
                eprintln!("panic on input {i}: status {} headers {:?} body {:?}", r.status, r.headers, String::from_utf8_lossy(r.body));
            }
        }
    }
    let _ = std::panic::take_hook();
    println!("fuzz: {iterations} inputs (seed {seed}), {panics} panics");
    assert_eq!(panics, 0);
}
