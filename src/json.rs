//! A small JSON reader and writer. Numbers stay as their source text so int64 ids survive exactly,
//! objects remember their source span so a provider's own object can be handed back untouched.

use alloc::{string::String, vec::Vec};
use alloc::borrow::Cow;

/// Nesting deeper than this is refused rather than risking the stack on hostile input.
const MAX_DEPTH: u32 = 128;

/// A parsed JSON value borrowing from the source text.
#[derive(Debug, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written in the source.
    Num(&'a str),
    /// A string, unescaped.
    Str(Cow<'a, str>),
    /// An array.
    Arr(Vec<Json<'a>>),
    /// An object: its fields in source order and its source text.
    Obj(Vec<(Cow<'a, str>, Json<'a>)>, &'a str),
}

/// Parses a whole document; `None` when it is not valid JSON (or nests deeper than 128).
pub fn parse(text: &str) -> Option<Json<'_>> {
    let mut p = Parser { s: text, i: 0, depth: 0 };
    let v = p.value()?;
    p.ws();
    (p.i == text.len()).then_some(v)
}

impl<'a> Json<'a> {
    /// The field `key` of an object; the last one when a key repeats, as `JSON.parse` does (JS reads the same
    /// objects).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(fields, _) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The elements, when this is an array.
    pub fn as_arr(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }
    /// The boolean, when this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// An integer that fits in i64, written without fraction or exponent.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Num(n) => n.parse().ok(),
            _ => None,
        }
    }
    /// A non-negative integer that fits in u64.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Num(n) => n.parse().ok(),
            _ => None,
        }
    }
    /// The source text of an object.
    pub fn raw(&self) -> Option<&'a str> {
        match self {
            Json::Obj(_, raw) => Some(raw),
            _ => None,
        }
    }
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
    // Every slice boundary below sits next to an ASCII byte, so `get` never splits a character.
    fn slice(&self, from: usize) -> Option<&'a str> {
        self.s.get(from..self.i)
    }
    fn value(&mut self) -> Option<Json<'a>> {
        self.ws();
        match self.peek()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(Json::Str),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            _ => self.number(),
        }
    }
    fn word(&mut self, w: &str, v: Json<'a>) -> Option<Json<'a>> {
        let end = self.i.checked_add(w.len())?;
        (self.s.as_bytes().get(self.i..end)? == w.as_bytes()).then(|| {
            self.i = end;
            v
        })
    }
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        self.i += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }
    fn object(&mut self) -> Option<Json<'a>> {
        let start = self.i;
        self.enter()?;
        // Room for a typical file object's fields at once, instead of growing 0, 4, 8.
        let mut fields = Vec::with_capacity(8);
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if self.peek() != Some(b'"') {
                    return None;
                }
                let k = self.string()?;
                self.ws();
                if self.peek() != Some(b':') {
                    return None;
                }
                self.i += 1;
                let v = self.value()?;
                fields.push((k, v));
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(Json::Obj(fields, self.slice(start)?))
    }
    fn array(&mut self) -> Option<Json<'a>> {
        self.enter()?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            loop {
                items.push(self.value()?);
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(Json::Arr(items))
    }
    fn digits(&mut self) -> bool {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i > start
    }
    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.digits() {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.digits() {
                return None;
            }
        }
        Some(Json::Num(self.slice(start)?))
    }
    fn hex4(&mut self) -> Option<u32> {
        let end = self.i.checked_add(4)?;
        let h = self.s.get(self.i..end)?;
        self.i = end;
        u32::from_str_radix(h, 16).ok().filter(|_| h.bytes().all(|b| b.is_ascii_hexdigit()))
    }
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        // Most strings have no escapes: borrow them, found with one tight scan to the first special byte.
        let run = self.s.as_bytes().get(start..)?.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        self.i = start + run;
        match self.peek()? {
            b'"' => {
                let s = self.slice(start)?;
                self.i += 1;
                return Some(Cow::Borrowed(s));
            }
            b'\\' => {}
            _ => return None,
        }
        let mut out = String::from(self.slice(start)?);
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    self.i += 1;
                    let c = self.peek()?;
                    self.i += 1;
                    out.push(match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    });
                }
                c if c < 0x20 => return None,
                _ => {
                    let run = self.i;
                    while matches!(self.peek(), Some(c) if c != b'"' && c != b'\\' && c >= 0x20) {
                        self.i += 1;
                    }
                    out.push_str(self.slice(run)?);
                }
            }
        }
    }
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if !(0xD800..0xDC00).contains(&hi) {
            return char::from_u32(hi);
        }
        let end = self.i.checked_add(2)?;
        if self.s.get(self.i..end)? != "\\u" {
            return None;
        }
        self.i = end;
        let lo = self.hex4()?;
        if !(0xDC00..0xE000).contains(&lo) {
            return None;
        }
        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            out.push_str(s.get(run..i).unwrap_or_default());
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                _ => {
                    out.push_str("\\u00");
                    out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
                    out.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
                }
            }
            run = i + 1;
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_int64_exact_and_spans_objects() {
        let text = r#" {"file":{"file_id": 9007199254740993, "n": -1.5e3}, "a":[true,false,null,"x\u00e9\n"]} "#;
        let v = parse(text).unwrap();
        let file = v.get("file").unwrap();
        assert_eq!(file.get("file_id"), Some(&Json::Num("9007199254740993")));
        assert_eq!(file.get("file_id").unwrap().as_i64(), Some(9007199254740993));
        assert_eq!(file.raw(), Some(r#"{"file_id": 9007199254740993, "n": -1.5e3}"#));
        assert_eq!(file.get("n").unwrap().as_i64(), None);
        let a = v.get("a").unwrap().as_arr().unwrap();
        assert_eq!(a[3].as_str(), Some("xé\n"));
    }

    #[test]
    fn refuses_invalid_documents() {
        for bad in [
            "", "{", "[1,]", "{\"a\"}", "01", "1.", "-", "\"\\x\"", "\"a\nb\"", "nul", "{} x", "\"\\ud800\"",
            "\"\\udc00\"", "[1 2]", "{\"a\":1,}", "\"\\u12g4\"", "\"\\u+123\"",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert_eq!(parse(&"[".repeat(200)), None);
        assert!(parse(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_some());
    }

    #[test]
    fn surrogate_pairs_and_writer_round_trip() {
        let v = parse(r#""\ud83d\ude00 \"q\" \\ \u0001""#).unwrap();
        assert_eq!(v.as_str(), Some("😀 \"q\" \\ \u{1}"));
        let mut out = String::new();
        write_str(&mut out, "😀 \"q\" \\ \u{1}\n\t");
        assert_eq!(out, r#""😀 \"q\" \\ \u0001\n\t""#);
        assert_eq!(parse(&out).unwrap().as_str(), Some("😀 \"q\" \\ \u{1}\n\t"));
    }
}
