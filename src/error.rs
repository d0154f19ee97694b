//! The one error type. It never holds the API key: requests are built from the key only in the transport.

use alloc::string::String;
/// What went wrong, in the terms a caller acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Bad input, refused before any request.
    InvalidArgument,
    /// The key was refused.
    Authentication,
    /// The key is valid but not allowed to do this.
    PermissionDenied,
    /// No such file.
    NotFound,
    /// Too many requests; waiting helps.
    RateLimit,
    /// Out of money or quota; waiting does not help.
    InsufficientBalance,
    /// The provider refused the request as malformed.
    InvalidRequest,
    /// The provider failed.
    Server,
    /// The network failed before a response arrived.
    Connection,
    /// An attempt took longer than the timeout.
    Timeout,
    /// The caller's signal aborted the call.
    Aborted,
    /// The response could not be understood.
    Decode,
    /// The provider cannot do this operation.
    Unsupported,
}

impl Kind {
    /// The name JS sees in `error.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::InvalidArgument => "invalid_argument",
            Kind::Authentication => "authentication",
            Kind::PermissionDenied => "permission_denied",
            Kind::NotFound => "not_found",
            Kind::RateLimit => "rate_limit",
            Kind::InsufficientBalance => "insufficient_balance",
            Kind::InvalidRequest => "invalid_request",
            Kind::Server => "server",
            Kind::Connection => "connection",
            Kind::Timeout => "timeout",
            Kind::Aborted => "aborted",
            Kind::Decode => "decode",
            Kind::Unsupported => "unsupported",
        }
    }
    /// The kind of a failure the transport reports by name (`timeout`, `aborted`, `decode`, `unsupported`);
    /// anything else is a connection failure. The names differ in their first letter, which is all that is read.
    pub fn of_transport(s: &str) -> Kind {
        match s.as_bytes().first() {
            Some(b't') => Kind::Timeout,
            Some(b'a') => Kind::Aborted,
            Some(b'd') => Kind::Decode,
            Some(b'u') => Kind::Unsupported,
            _ => Kind::Connection,
        }
    }
    /// Whether this kind of failure usually goes away when tried again.
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    pub fn retryable(self) -> bool {
        matches!(self, Kind::RateLimit | Kind::Server | Kind::Connection | Kind::Timeout)
    }
}

/// The body a failed response carried: JS holds its bytes (numbered `seq`) and decodes them itself, so the text
/// never comes back out of wasm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Raw {
    /// The executor's number for the response.
    pub seq: u32,
    /// Whether the body is JSON (handed to JS parsed), not other text (handed over as a string).
    pub json: bool,
}

/// A classified failure of one call.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// What went wrong.
    pub kind: Kind,
    /// A sentence for people.
    pub message: String,
    /// HTTP status of the last attempt, if one answered.
    pub status: Option<u16>,
    /// The provider's own code, as a string.
    pub code: Option<String>,
    /// The provider's request id of the last attempt.
    pub request_id: Option<String>,
    /// Whether trying again may succeed.
    pub retryable: bool,
    /// Tries of the request that failed (1 + its retries); 0 when no request failed.
    pub attempts: u32,
    /// The body of the failed response.
    pub raw: Option<Raw>,
}

impl Error {
    /// An error of `kind` with the kind's usual retryability and nothing else known.
    #[inline(never)] // out of line: smaller wasm (lib.rs)
    pub fn new(kind: Kind, message: &str) -> Error {
        Error {
            kind,
            message: crate::providers::own(message),
            status: None,
            code: None,
            request_id: None,
            retryable: kind.retryable(),
            attempts: 0,
            raw: None,
        }
    }
    /// Appends this error as the JSON object JS turns into an `LlmFilesError` (`rawSeq` names the body JS
    /// decodes for `raw`, then parses when `rawJson`, after cutting the key out).
    pub fn write(&self, out: &mut String) {
        use crate::json::write_str;
        // Each field is its key, then a value or null.
        fn text(out: &mut String, key: &str, v: Option<&str>) {
            out.push_str(key);
            match v {
                Some(v) => write_str(out, v),
                None => out.push_str("null"),
            }
        }
        fn number(out: &mut String, key: &str, v: Option<u32>) {
            out.push_str(key);
            match v {
                Some(v) => crate::providers::push_num(out, u64::from(v)),
                None => out.push_str("null"),
            }
        }
        text(out, "{\"kind\":", Some(self.kind.as_str()));
        text(out, ",\"message\":", Some(&self.message));
        number(out, ",\"status\":", self.status.map(u32::from));
        text(out, ",\"code\":", self.code.as_deref());
        text(out, ",\"requestId\":", self.request_id.as_deref());
        out.push_str(if self.retryable { ",\"retryable\":true" } else { ",\"retryable\":false" });
        number(out, ",\"attempts\":", Some(self.attempts));
        number(out, ",\"rawSeq\":", self.raw.map(|r| r.seq));
        out.push_str(if self.raw.is_some_and(|r| r.json) { ",\"rawJson\":true}" } else { ",\"rawJson\":false}" });
    }
    /// Refused input, before any request.
    pub fn invalid(message: &str) -> Error {
        Error::new(Kind::InvalidArgument, message)
    }
}

/// The result of every fallible operation here.
pub type Result<T> = core::result::Result<T, Error>;
