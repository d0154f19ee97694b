//! Moonshot / Kimi: OpenAI-shaped, but `list` takes no parameters (everything is emulated on the client)
//! and errors are typed by `error.type`.

use super::Class;
use crate::error::Kind;
use crate::json::Json;

/// What Moonshot can do.
pub const CAPABILITIES: &str = r#"{"provider":"moonshot","operations":{"create":"native","list":"native","listAll":"native","retrieve":"native","content":"native","delete":"native"},"params":{"list":{"purpose":"emulated","limit":"emulated","after":"emulated","order":"emulated"},"delete":{"purpose":"not needed"}},"purposes":{"create":["file-extract","image","video","batch"],"list":"any","delete":"any","content":["file-extract"]},"limits":{"maxFileBytes":{"*":104857600},"maxFiles":1000,"maxTotalBytes":10737418240}}"#;

/// `error.type` decides where Moonshot documents it; `exceeded_current_quota_error` is money, whatever the status.
#[inline(never)] // out of line: smaller wasm (lib.rs)
pub(super) fn classify(status: u16, body: &Json) -> Option<Class> {
    let e = super::Envelope::of(body)?;
    let at = e.ty.as_deref().and_then(|t| super::split(TYPES, b'\n').position(|name| name == t));
    Some(e.class(status, at.and_then(|i| KINDS.get(i)).copied()))
}

/// Moonshot's documented `error.type`s, one per line, and below, in the same order, their kinds (a table: smaller
/// in wasm than a `match` on strings). Not `invalid_request_error`: OpenAI-shaped hosts give that generic type to a
/// missing file's 404 too, so its status decides (400: `invalid_request`).
const TYPES: &str = concat!(
    "invalid_authentication_error\nincorrect_api_key_error\npermission_denied_error\nresource_not_found_error\n",
    "exceeded_current_quota_error\nengine_overloaded_error\nrate_limit_reached_error\ncontent_filter\n",
    "server_error\nunexpected_output\nserver_unavailable\nclient_closed_request",
);
const KINDS: [Kind; 12] = [
    Kind::Authentication, Kind::Authentication, Kind::PermissionDenied, Kind::NotFound,
    Kind::InsufficientBalance, Kind::RateLimit, Kind::RateLimit, Kind::InvalidRequest,
    Kind::Server, Kind::Server, Kind::Server, Kind::Connection,
];

#[cfg(test)]
mod tests {
    use super::super::test_util::resp;
    use super::super::{ListQuery, Method, Provider};
    use crate::error::Kind;

    const P: Provider = Provider::Moonshot;

    #[test]
    fn requests_follow_the_docs() {
        let b = "https://api.moonshot.ai/v1";
        let q = ListQuery { purpose: Some("file-extract".into()), limit: Some(3), ..Default::default() };
        assert_eq!(P.list(b, q.purpose.as_deref(), &q).url, "https://api.moonshot.ai/v1/files");
        assert_eq!(P.retrieve(b, "clg681objj8g9m7n4je0").unwrap().url, format!("{b}/files/clg681objj8g9m7n4je0"));
        assert_eq!(P.content(b, "x").unwrap().url, format!("{b}/files/x/content"));
        assert_eq!(P.delete(b, "x", "").unwrap().method, Method::Delete);
    }

    #[test]
    fn every_documented_error_type_is_classified() {
        let table: &[(u16, &str, Kind, bool)] = &[
            (400, "content_filter", Kind::InvalidRequest, false),
            (400, "invalid_request_error", Kind::InvalidRequest, false),
            (401, "invalid_authentication_error", Kind::Authentication, false),
            (401, "incorrect_api_key_error", Kind::Authentication, false),
            (403, "permission_denied_error", Kind::PermissionDenied, false),
            (404, "resource_not_found_error", Kind::NotFound, false),
            (429, "engine_overloaded_error", Kind::RateLimit, true),
            (429, "rate_limit_reached_error", Kind::RateLimit, true),
            (429, "exceeded_current_quota_error", Kind::InsufficientBalance, false),
            (403, "exceeded_current_quota_error", Kind::InsufficientBalance, false),
            (499, "client_closed_request", Kind::Connection, true),
            (500, "server_error", Kind::Server, true),
            (500, "unexpected_output", Kind::Server, true),
            (503, "server_unavailable", Kind::Server, true),
            (418, "something_new", Kind::InvalidRequest, false),
            // The generic type leaves the kind to the status: a missing file's 404 is not_found, a conflict retried.
            (404, "invalid_request_error", Kind::NotFound, false),
            (409, "invalid_request_error", Kind::InvalidRequest, true),
            (409, "exceeded_current_quota_error", Kind::InsufficientBalance, false),
        ];
        for &(status, ty, kind, retryable) in table {
            let body = format!(r#"{{"error":{{"type":"{ty}","message":"m"}}}}"#);
            let e = P.parse_list(&resp(status, &[("Msh-Request-Id", "msh-1")], &body)).unwrap_err();
            assert_eq!((e.kind, e.retryable), (kind, retryable), "{ty}");
            assert_eq!((e.code.as_deref(), e.status), (Some(ty), Some(status)));
            assert_eq!(e.request_id.as_deref(), Some("msh-1"));
        }
        let coded = r#"{"error":{"type":"invalid_request_error","code":"file_too_large","message":"m"}}"#;
        assert_eq!(P.parse_list(&resp(400, &[], coded)).unwrap_err().code.as_deref(), Some("file_too_large"));
        let html = "<html><body>504 Gateway Time-out</body></html>";
        let e = P.parse_list(&resp(504, &[], html)).unwrap_err();
        assert_eq!((e.kind, e.retryable, e.code), (Kind::Server, true, None));
        let e = P.parse_file(&resp(404, &[], "")).unwrap_err();
        assert_eq!((e.kind, e.retryable), (Kind::NotFound, false));
    }

    #[test]
    fn lists_have_no_has_more() {
        let body = r#"{"object":"list","data":[{"id":"a","object":"file","bytes":1,"created_at":2,"filename":"f.pdf","purpose":"file-extract","status":"ok","status_details":""}]}"#;
        let page = P.parse_list(&resp(200, &[], body)).unwrap();
        assert_eq!((page.files.len(), page.has_more), (1, false));
        assert_eq!(page.files[0].purpose(), "file-extract");
        let bad = body.replace(r#""status":"ok""#, r#""status":7"#);
        assert_eq!(P.parse_list(&resp(200, &[], &bad)).unwrap_err().kind, Kind::Decode, "status is checked though JS reads it");
    }
}
