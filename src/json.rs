//! A small JSON reader and writer. The reader checks a whole document in one pass and records every value on a
//! flat tape (one allocation, no tree); values are then read from the tape on demand. Numbers stay as their
//! source text so int64 ids survive exactly; strings are unescaped only when read.

use alloc::{string::String, vec::Vec};

/// Nesting deeper than this is refused rather than risking the stack on hostile input.
const MAX_DEPTH: u32 = 128;

// What a tape entry holds.
const OBJ: u8 = 0;
const ARR: u8 = 1;
const STR: u8 = 2;
// A string with escapes: unescaped when read.
const ESC: u8 = 3;
const NUM: u8 = 4;
const TRUE: u8 = 5;
const FALSE: u8 = 6;
const NULL: u8 = 7;
// The document itself, read as a container of one value without brackets (never on the tape), so that `value` is
// inlined in one place.
const ROOT: u8 = 8;
// A string with bytes that are not UTF-8 (and maybe escapes): read as `Response.json()` reads it, each as U+FFFD.
const BAD: u8 = 9;

/// One value: for scalars its byte span (strings without their quotes); for objects and arrays, `end` is the
/// tape index just past their last member. An object's members are key, value, key, value...
#[derive(Clone, Copy, Debug)]
struct Node {
    kind: u8,
    start: u32,
    end: u32,
}

/// A checked document: its bytes and its tape.
#[derive(Debug)]
pub struct Doc<'a> {
    text: &'a [u8],
    tape: Vec<Node>,
}

/// Checks a whole document, bytes as received; `None` when it is not valid JSON (or nests deeper than 128). It reads
/// what fetch's `Response.json()` reads: one leading UTF-8 BOM skipped, bytes that are not UTF-8 as U+FFFD (only
/// inside strings can the text still be JSON), and an escaped lone surrogate, which a Rust string cannot hold, as
/// U+FFFD too.
pub fn parse(bytes: &[u8]) -> Option<Doc<'_>> {
    let i = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    // Provider lists hold about one value per 9 to 10 bytes: with room for one per 8, most need no regrowth.
    let mut p = Parser { s: bytes, i, depth: 0, tape: Vec::with_capacity(bytes.len() / 8 + 4) };
    p.container(ROOT, 0)?;
    (p.i == bytes.len()).then_some(Doc { text: bytes, tape: p.tape })
}

/// `b` with each byte that does not begin a UTF-8 sequence as U+FFFD. JS decodes a broken sequence of several bytes
/// as one U+FFFD (the Encoding standard's rule), not one per byte; only such a string's own text differs.
fn lossy(b: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let next = char_end(b, i);
        match next {
            // SAFETY: `char_end` found one whole UTF-8 sequence from `i` to `n`.
            Some(n) => out.push_str(unsafe { core::str::from_utf8_unchecked(b.get(i..n).unwrap_or_default()) }),
            None => out.push('\u{FFFD}'),
        }
        i = next.unwrap_or(i + 1);
    }
    out
}

/// Whether `b` is valid UTF-8; small where core's `from_utf8` is 650 B of wasm (JSON bodies are checked by `parse`
/// as it reads them, so this only sees short texts).
pub fn utf8(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        match char_end(b, i) {
            Some(next) => i = next,
            None => return false,
        }
    }
    true
}

/// The index after the UTF-8 sequence starting at `b[i]`, when it is one: no overlong forms, surrogates or
/// values above U+10FFFF.
#[inline(never)] // out of line: smaller wasm (lib.rs)
fn char_end(b: &[u8], i: usize) -> Option<usize> {
    let c = u32::from(*b.get(i)?);
    let n = match c {
        0..=0x7f => return Some(i + 1),
        0xc2..=0xdf => 1,
        0xe0..=0xef => 2,
        0xf0..=0xf4 => 3,
        _ => return None,
    };
    let mut cp = c & (0x3f >> n);
    for &t in b.get(i + 1..i + 1 + n)? {
        if t & 0xc0 != 0x80 {
            return None;
        }
        cp = cp << 6 | u32::from(t & 0x3f);
    }
    // Not overlong: 3 bytes from U+0800, 4 from U+10000 (a 2-byte lead from 0xC2 is never overlong).
    (cp >> (5 * n + 1) != 0 && cp <= 0x10ffff && !(0xd800..0xe000).contains(&cp)).then_some(i + 1 + n)
}

impl<'a> Doc<'a> {
    /// The top-level value.
    pub fn root(&'a self) -> Json<'a> {
        Json { doc: self, at: 0 }
    }
}

/// One value of a checked document.
#[derive(Clone, Copy, Debug)]
pub struct Json<'d> {
    doc: &'d Doc<'d>,
    at: usize,
}

/// The members of an array, or the keys and values of an object, in order.
#[derive(Clone)]
struct Members<'d> {
    doc: &'d Doc<'d>,
    at: usize,
    end: usize,
}

impl<'d> Iterator for Members<'d> {
    type Item = Json<'d>;
    #[inline(always)]
    fn next(&mut self) -> Option<Json<'d>> {
        (self.at < self.end).then(|| {
            let v = Json { doc: self.doc, at: self.at };
            self.at = v.after();
            v
        })
    }
}

impl<'d> Json<'d> {
    #[inline(always)]
    fn node(self) -> Node {
        // `at` always points into the tape (the parser wrote every index); the fallback is never taken.
        self.doc.tape.get(self.at).copied().unwrap_or(Node { kind: NULL, start: 0, end: 0 })
    }
    /// The tape index after this value and everything inside it.
    #[inline(always)]
    fn after(self) -> usize {
        let n = self.node();
        if n.kind <= ARR { n.end as usize } else { self.at + 1 }
    }
    /// The members of an array or object (for an object, keys and values alternate); none for a scalar.
    fn members(self) -> Members<'d> {
        let n = self.node();
        let end = if n.kind <= ARR { n.end as usize } else { 0 };
        Members { doc: self.doc, at: self.at + 1, end }
    }
    /// The source text of a scalar (a string's without its quotes); empty for an object or array. Sliced as bytes:
    /// `str::get` would check both ends for char boundaries, for every field of every file of a listing.
    #[inline(always)]
    fn span(self, n: Node) -> &'d str {
        let b = if (STR..=NULL).contains(&n.kind) { self.doc.text.get(n.start as usize..n.end as usize) } else { None };
        // SAFETY: numbers and literals are ASCII, and the parser checked every non-ASCII sequence of a string that
        // is not `BAD` as UTF-8; a scalar's span starts and ends beside ASCII bytes (its quotes, or the first and last
        // bytes of a number or literal), so both ends are char boundaries.
        unsafe { core::str::from_utf8_unchecked(b.unwrap_or_default()) }
    }
    /// Whether this is `null`.
    pub fn is_null(self) -> bool {
        self.node().kind == NULL
    }
    /// Whether this is an object.
    pub fn is_obj(self) -> bool {
        self.node().kind == OBJ
    }
    /// The values of the fields that `which` numbers (`which(key)` is the field's index in the result, `None` to
    /// skip it), the last one where a key repeats, as in `JSON.parse`; `None` when this is not an object. One walk
    /// of the tape: it runs for every file of a listing.
    #[inline(always)]
    pub fn pick<const N: usize>(self, which: impl Fn(&[u8]) -> Option<usize>) -> Option<[Option<Json<'d>>; N]> {
        let n = self.node();
        if n.kind != OBJ {
            return None;
        }
        let (tape, text) = (&self.doc.tape, self.doc.text);
        let mut found = [None; N];
        let mut at = self.at + 1;
        while let (Some(k), Some(v)) = (tape.get(at), tape.get(at + 1)) {
            if at >= n.end as usize {
                break;
            }
            let i = if k.kind == STR {
                which(text.get(k.start as usize..k.end as usize).unwrap_or_default())
            } else {
                which(Json { doc: self.doc, at }.string().unwrap_or_default().as_bytes())
            };
            if let Some(slot) = i.and_then(|i| found.get_mut(i)) {
                *slot = Some(Json { doc: self.doc, at: at + 1 });
            }
            // `after()` of the value, from the node already read.
            at = if v.kind <= ARR { v.end as usize } else { at + 2 };
        }
        Some(found)
    }
    /// The field `key` of an object; the last one when a key repeats, as `JSON.parse` does (JS reads the same
    /// objects).
    pub fn get(self, key: &str) -> Option<Json<'d>> {
        let [v] = self.pick(|k| (k == key.as_bytes()).then_some(0))?;
        v
    }
    /// Whether this is a string.
    pub fn is_str(self) -> bool {
        matches!(self.node().kind, STR | ESC | BAD)
    }
    /// Appends the string, unescaped, to `out`; false when this is not a string.
    pub fn push_to(self, out: &mut String) -> bool {
        let n = self.node();
        match n.kind {
            STR => out.push_str(self.span(n)),
            // The parser checked every escape, so unescaping cannot fail.
            ESC => unescape(self.span(n), out),
            // The parser checked its escapes; the bytes that are not UTF-8 are replaced first.
            BAD => unescape(&lossy(self.doc.text.get(n.start as usize..n.end as usize).unwrap_or_default()), out),
            _ => return false,
        }
        true
    }
    /// The string, unescaped and owned, when this is one.
    pub fn string(self) -> Option<String> {
        let mut s = String::new();
        self.push_to(&mut s).then_some(s)
    }
    /// The elements, when this is an array.
    pub fn items(self) -> Option<impl Iterator<Item = Json<'d>> + Clone + 'd> {
        (self.node().kind == ARR).then(|| self.members())
    }
    /// The boolean, when this is one.
    pub fn as_bool(self) -> Option<bool> {
        match self.node().kind {
            TRUE => Some(true),
            FALSE => Some(false),
            _ => None,
        }
    }
    /// A number's source text, when this is one.
    pub fn num(self) -> Option<&'d str> {
        let n = self.node();
        (n.kind == NUM).then(|| self.span(n))
    }
    /// An integer that fits in i64, written without fraction or exponent.
    pub fn as_i64(self) -> Option<i64> {
        int(self.num()?)
    }
    /// A non-negative integer that fits in u64.
    pub fn as_u64(self) -> Option<u64> {
        uint(self.num()?)
    }
}

/// Decimal digits only (no sign), when they fit in u64. A plain loop rather than `str::parse`, whose overflow
/// checks need 128-bit multiplication on wasm32; it runs for every number of every file in a listing.
#[inline(never)]
pub fn uint(s: &str) -> Option<u64> {
    // Up to 19 digits cannot overflow; 20 fit only from 10^19 to u64::MAX (18446744073709551615).
    const E19: u64 = 10_000_000_000_000_000_000;
    match s.as_bytes() {
        [b'1', rest @ ..] if rest.len() == 19 => digits(rest).filter(|&r| r <= u64::MAX - E19).map(|r| r + E19),
        b if (1..20).contains(&b.len()) => digits(b),
        _ => None,
    }
}

/// At most 19 decimal digits (none reads as 0).
pub fn digits(b: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    Some(n)
}

/// An optional `-` and decimal digits, when they fit in i64.
pub fn int(s: &str) -> Option<i64> {
    match s.as_bytes() {
        // 2^63 itself is i64::MIN once negated. `s.get(1..)` is the digits: the sign is one ASCII byte.
        [b'-', ..] => uint(s.get(1..)?).filter(|&m| m <= 1 << 63).map(|m| (m as i64).wrapping_neg()),
        _ => uint(s).and_then(|m| i64::try_from(m).ok()),
    }
}

// Bytes that end a run of plain string content: the quote, the backslash, the control characters and the
// non-ASCII bytes (checked as UTF-8).
static SPECIAL: [bool; 256] = {
    let mut t = [true; 256];
    let mut i = 0x20;
    while i < 0x80 {
        t[i] = false;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: u32,
    tape: Vec<Node>,
}

impl Parser<'_> {
    #[inline(always)]
    fn peek(&self) -> u8 {
        // 0 past the end: no JSON token starts with it, so every caller refuses it.
        self.s.get(self.i).copied().unwrap_or(0)
    }
    #[inline(always)]
    fn ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }
    #[inline(always)]
    fn push(&mut self, kind: u8, start: usize) {
        // Documents over 4 GiB cannot reach wasm32; natively the fuzz stays far below.
        self.tape.push(Node { kind, start: start as u32, end: self.i as u32 });
    }
    #[inline(always)]
    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.peek() {
            b'{' => self.container(OBJ, b'}'),
            b'[' => self.container(ARR, b']'),
            b'"' => self.string(),
            b't' => self.word(b"true", TRUE),
            b'f' => self.word(b"false", FALSE),
            b'n' => self.word(b"null", NULL),
            _ => self.number(),
        }
    }
    fn word(&mut self, w: &[u8], kind: u8) -> Option<()> {
        let start = self.i;
        let end = start.checked_add(w.len())?;
        (self.s.get(start..end)? == w).then_some(())?;
        self.i = end;
        self.push(kind, start);
        Some(())
    }
    /// An object or array: members (for objects, `"key": value`) separated by commas up to `close`; as `ROOT`, the
    /// document's one value, up to the end.
    fn container(&mut self, kind: u8, close: u8) -> Option<()> {
        let at = self.tape.len();
        let root = kind == ROOT;
        if !root {
            self.push(kind, self.i);
            self.depth += 1;
            self.i += 1;
            if self.depth > MAX_DEPTH {
                return None;
            }
        }
        self.ws();
        if !root && self.peek() == close {
            self.i += 1;
        } else {
            loop {
                if kind == OBJ {
                    self.ws();
                    if self.peek() != b'"' {
                        return None;
                    }
                    self.string()?;
                    self.ws();
                    if self.peek() != b':' {
                        return None;
                    }
                    self.i += 1;
                }
                self.value()?;
                self.ws();
                match self.peek() {
                    b',' if !root => self.i += 1,
                    // The root's `close` is 0, what `peek` reads at the end (or at a NUL byte, which `parse` refuses).
                    c if c == close => {
                        self.i += usize::from(!root);
                        break;
                    }
                    _ => return None,
                }
            }
        }
        if !root {
            self.depth -= 1;
            let end = self.tape.len() as u32;
            self.tape.get_mut(at)?.end = end;
        }
        Some(())
    }
    #[inline(always)]
    fn digits(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_ascii_digit() {
            self.i += 1;
        }
        self.i > start
    }
    fn number(&mut self) -> Option<()> {
        let start = self.i;
        if self.peek() == b'-' {
            self.i += 1;
        }
        match self.peek() {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == b'.' {
            self.i += 1;
            self.digits().then_some(())?;
        }
        if matches!(self.peek(), b'e' | b'E') {
            self.i += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.i += 1;
            }
            self.digits().then_some(())?;
        }
        self.push(NUM, start);
        Some(())
    }
    #[inline(always)]
    fn string(&mut self) -> Option<()> {
        self.i += 1;
        let start = self.i;
        let mut kind = STR;
        loop {
            // One tight scan to the next quote, backslash or control character.
            self.i += self.s.get(self.i..)?.iter().position(|&c| SPECIAL[usize::from(c)])?;
            match self.peek() {
                b'"' => break,
                b'\\' => {
                    kind = kind.max(ESC);
                    self.i = escape(self.s, self.i)?.1;
                }
                c if c >= 0x80 => {
                    let next = char_end(self.s, self.i);
                    kind = if next.is_some() { kind } else { BAD };
                    self.i = next.unwrap_or(self.i + 1);
                }
                _ => return None,
            }
        }
        self.push(kind, start);
        self.i += 1;
        Some(())
    }
}

/// The escape at `s[i]` (a backslash): the character it stands for and the index after it. A surrogate pair is
/// one character; a lone one is U+FFFD.
fn escape(s: &[u8], i: usize) -> Option<(char, usize)> {
    let hex4 = |at: usize| -> Option<u32> {
        let h = s.get(at..)?.get(..4)?;
        h.iter().try_fold(0, |n, &b| Some(n * 16 + char::from(b).to_digit(16)?))
    };
    let e = *s.get(i + 1)?;
    let (c, n) = if e == b'u' {
        let hi = hex4(i + 2)?;
        let (cp, n) = match (hi, s.get(i + 6..i + 8), hex4(i + 8)) {
            (0xD800..=0xDBFF, Some(b"\\u"), Some(lo @ 0xDC00..=0xDFFF)) => {
                (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12)
            }
            // A lone surrogate, which JSON.parse accepts (Python writes them for undecodable names), reads as U+FFFD.
            _ => (hi, 6),
        };
        (char::from_u32(cp).unwrap_or('\u{FFFD}'), n)
    } else {
        // A short escape: its letter's place in the first list is its character's in the second.
        let k = b"\"\\/bfnrt".iter().position(|&c| c == e)?;
        (char::from(*b"\"\\/\x08\x0c\n\r\t".get(k)?), 2)
    };
    Some((c, i + n))
}

/// `s` from byte `a` to byte `b` (empty when out of range), without the char-boundary checks `str::get` makes.
///
/// # Safety
/// `a` and `b` must each be an end of `s` or beside an ASCII byte of it (callers cut at `\\`, `"` and control
/// characters), so both are char boundaries.
unsafe fn between(s: &str, a: usize, b: usize) -> &str {
    core::str::from_utf8_unchecked(s.as_bytes().get(a..b).unwrap_or_default())
}

/// Appends the text of a checked string with escapes, unescaped (an escape that does not read, which the parser
/// has ruled out, ends it).
fn unescape(raw: &str, out: &mut String) {
    let s = raw.as_bytes();
    let (mut i, mut run) = (0, 0);
    while i < s.len() {
        if s.get(i) == Some(&b'\\') {
            // SAFETY: `run` follows an escape (ASCII) or is 0, and `i` is at a backslash.
            out.push_str(unsafe { between(raw, run, i) });
            let Some((c, next)) = escape(s, i) else { return };
            out.push(c);
            (i, run) = (next, next);
        } else {
            i += 1;
        }
    }
    // SAFETY: as above, to the end.
    out.push_str(unsafe { between(raw, run, s.len()) });
}

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            // SAFETY: `run` is 0 or follows an escaped ASCII byte, and `i` is at one.
            out.push_str(unsafe { between(s, run, i) });
            // `"` and `\` behind a backslash, control characters as `\u00XX` (all JSON.parse needs).
            if b < 0x20 {
                out.push_str("\\u00");
                out.push(crate::providers::hex(b >> 4));
                out.push(crate::providers::hex(b & 15));
            } else {
                out.push('\\');
                out.push(char::from(b));
            }
            run = i + 1;
        }
    }
    // SAFETY: as above, to the end.
    out.push_str(unsafe { between(s, run, s.len()) });
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_int64_exact_and_reads_on_demand() {
        let text = r#" {"file":{"file_id": 9007199254740993, "n": -1.5e3, "n": 2}, "a":[true,false,null,"x\u00e9\n",{},[]], "z":1} "#;
        let doc = parse(text.as_bytes()).unwrap();
        let v = doc.root();
        let file = v.get("file").unwrap();
        assert_eq!(file.get("file_id").unwrap().num(), Some("9007199254740993"));
        assert_eq!(file.get("file_id").unwrap().as_i64(), Some(9007199254740993));
        for (text, i, u) in [("0", Some(0), Some(0)), ("-0", Some(0), None), ("18446744073709551615", None, Some(u64::MAX)), ("18446744073709551616", None, None), ("9223372036854775807", Some(i64::MAX), Some(i64::MAX as u64)), ("-9223372036854775808", Some(i64::MIN), None), ("-9223372036854775809", None, None), ("", None, None), ("-", None, None), ("+1", None, None), ("1a", None, None), ("99999999999999999999", None, None), ("10000000000000000000", None, Some(10_000_000_000_000_000_000)), ("19999999999999999999", None, None), ("28446744073709551615", None, None), ("1844674407370955161a", None, None), ("1844674407370955161:", None, None), ("1:", None, None), ("-1/", None, None), (":", None, None)] {
            assert_eq!((int(text), uint(text)), (i, u), "{text}");
        }
        assert_eq!(file.get("n").unwrap().as_i64(), Some(2), "the last repeat wins");
        let a: Vec<_> = v.get("a").unwrap().items().unwrap().collect();
        assert_eq!(a.len(), 6);
        assert_eq!((a[0].as_bool(), a[1].as_bool(), a[2].is_null()), (Some(true), Some(false), true));
        assert_eq!(a[3].string().as_deref(), Some("xé\n"));
        assert!(a[4].is_obj() && a[5].items().unwrap().next().is_none());
        assert_eq!(v.get("z").unwrap().as_u64(), Some(1), "skips nested values");
        assert!(v.get("missing").is_none() && a[0].get("x").is_none() && v.items().is_none());
    }

    #[test]
    fn refuses_invalid_documents() {
        for bad in [
            "", "{", "[1,]", "{\"a\"}", "01", "1.", "-", "\"\\x\"", "\"a\nb\"", "nul", "{} x", "\"\\ud800\\u12g4\"",
            "\"\\ud800\\u\"", "[1 2]", "{\"a\":1,}", "\"\\u12g4\"", "\"\\u+123\"", "\"abc", "[\"a\\", "{\"a\":}", "1e", "tru",
            // The root is read as a container without brackets: it takes exactly one value.
            " ", "1,", "1,2", "1 2", "{},{}", "{}\0", "1\0", "\"a\"]", "{}}",
        ] {
            assert!(parse(bad.as_bytes()).is_none(), "{bad:?}");
        }
        assert!(parse("[".repeat(200).as_bytes()).is_none());
        // Up to 128 levels read; deeper is refused, in arrays and in objects alike.
        for (depth, reads) in [(100, true), (128, true), (129, false)] {
            assert_eq!(parse(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).as_bytes()).is_some(), reads, "arrays {depth}");
            assert_eq!(parse(format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)).as_bytes()).is_some(), reads, "objects {depth}");
        }
        for good in ["1", " -0.5e3 ", "\"a\"", "true", "null", "[]", "{}", " {\"a\":[1,{}]}\n"] {
            assert!(parse(good.as_bytes()).is_some(), "{good:?}");
        }
        // One leading BOM is skipped, as `Response.json()` skips it; anywhere else, or twice, it is not JSON.
        let doc = parse("\u{feff}{\"id\":\"f\"}".as_bytes()).unwrap();
        assert_eq!(doc.root().get("id").and_then(|v| v.string()).as_deref(), Some("f"));
        for bad in ["\u{feff}", "\u{feff}\u{feff}1", " \u{feff}1", "1\u{feff}", "[\u{feff}1]"] {
            assert!(parse(bad.as_bytes()).is_none(), "{bad:?}");
        }
        assert!(parse(b"\xEF\xBB1").is_none());
    }

    /// `t` with each run of U+FFFD as one.
    fn fold(t: &str) -> String {
        let mut out = String::new();
        for c in t.chars() {
            if !(c == '\u{FFFD}' && out.ends_with('\u{FFFD}')) {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn utf8_is_checked_exactly_as_std_checks_it() {
        // Every sequence of up to three bytes, and four-byte ones around every boundary of the lead byte's range.
        let mut seqs: Vec<Vec<u8>> = (0..=255u8).map(|a| vec![a]).collect();
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                seqs.push(vec![a, b]);
                for c in [0x00, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff] {
                    seqs.push(vec![a, b, c]);
                }
            }
        }
        for a in 0xf0..=0xf5u8 {
            for b in [0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0] {
                for c in [0x7f, 0x80, 0xbf, 0xc0] {
                    seqs.push(vec![a, b, c, 0x80]);
                    seqs.push(vec![a, b, c, 0xbf]);
                    seqs.push(vec![a, b, c, 0xc0]);
                }
            }
        }
        for s in &seqs {
            let ok = std::str::from_utf8(s).is_ok();
            assert_eq!(utf8(s), ok, "{s:x?}");
            let doc = [b"\"".as_slice(), s, b"\"".as_slice()].concat();
            let quote_or_control = s.iter().any(|&b| b == b'"' || b == b'\\' || b < 0x20);
            if !quote_or_control {
                // Read as `Response.json()` reads it: bytes that are not UTF-8 as U+FFFD (here one per byte, in std and
                // JS one per maximal subpart: the same text once runs of U+FFFD are folded into one).
                let got = parse(&doc).and_then(|d| d.root().string());
                assert_eq!(got.as_deref().map(fold), Some(fold(&String::from_utf8_lossy(s))), "{s:x?} in a string");
                if ok {
                    assert_eq!(got.as_deref().map(str::as_bytes), Some(s.as_slice()));
                }
            }
            let bom = s.as_slice() == b"\xEF\xBB\xBF";
            assert!(parse(&[s.as_slice(), b"1"].concat()).is_none() || s.iter().all(u8::is_ascii) || bom, "{s:x?} outside a string");
        }
        assert_eq!(parse("{\"n\":\"é😀\u{7f}\"}".as_bytes()).unwrap().root().get("n").unwrap().string().as_deref(), Some("é😀\u{7f}"));
        // Bytes that are not UTF-8 beside escapes, and in a key, which is still found by its text.
        let doc = parse(b"{\"n\\u00e9\xff\":\"a\\n\xe2\x82\\\"\xc0\"}").unwrap();
        assert_eq!(doc.root().get("n\u{e9}\u{FFFD}").and_then(Json::string).as_deref(), Some("a\n\u{FFFD}\u{FFFD}\"\u{FFFD}"));
    }

    #[test]
    fn escaped_keys_and_surrogate_pairs_and_writer_round_trip() {
        let doc = parse(br#"{"k\u0065y": "\ud83d\ude00 \"q\" \\ \u0001"}"#).unwrap();
        let v = doc.root().get("key").unwrap();
        assert_eq!(v.string().as_deref(), Some("😀 \"q\" \\ \u{1}"));
        let mut out = String::new();
        write_str(&mut out, "😀 \"q\" \\ \u{1}\n\t");
        assert_eq!(out, r#""😀 \"q\" \\ \u0001\u000A\u0009""#);
        assert_eq!(parse(out.as_bytes()).unwrap().root().string().as_deref(), Some("😀 \"q\" \\ \u{1}\n\t"));
        let all = parse(br#""\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d""#).unwrap();
        assert_eq!(all.root().string().as_deref(), Some("\"\\/\u{8}\u{c}\n\r\tAé中"), "every short escape");
        // Lone surrogates, which JSON.parse accepts and Python writes for names it could not decode, read as U+FFFD:
        // one such name must not make a whole listing unreadable.
        for (text, want) in [
            (r#""\ud800""#, "\u{FFFD}"),
            (r#""\udc00x""#, "\u{FFFD}x"),
            (r#""a\ud800\u0041""#, "a\u{FFFD}A"),
            (r#""\ud800\ud800\udc00""#, "\u{FFFD}\u{10000}"),
            (r#""\udbff\udfff\ud83d""#, "\u{10FFFF}\u{FFFD}"),
            (r#""\ud800\"""#, "\u{FFFD}\""),
        ] {
            assert_eq!(parse(text.as_bytes()).unwrap().root().string().as_deref(), Some(want), "{text}");
        }
    }
}
