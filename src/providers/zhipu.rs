//! Zhipu BigModel / Z.ai: OpenAI-shaped, `list` needs a purpose and pages with `after`, there is no retrieve
//! (emulated from list pages), and errors carry a string `error.code` that matters more than the status.

use super::Class;
use crate::error::Kind;
use crate::json::Json;

/// Purposes `GET /files` accepts.
pub const LIST_PURPOSES: &[&str] = &["batch", "code-interpreter", "agent"];

/// What Zhipu can do.
pub const CAPABILITIES: &str = r#"{"provider":"zhipu","operations":{"create":"native","list":"native","listAll":"native","retrieve":"emulated","content":"native","delete":"native"},"params":{"list":{"purpose":"optional: without it every listable purpose is listed and merged","limit":"native","after":"native (needs purpose)","order":"native"},"delete":{"purpose":"not needed"}},"purposes":{"create":["batch","code-interpreter","agent","voice-clone-input"],"list":["batch","code-interpreter","agent"],"delete":"any","content":["batch"]},"limits":{"maxFileBytes":{"batch":104857600,"code-interpreter":20971520,"agent":20971520,"voice-clone-input":10485760,"*":104857600},"notes":"code-interpreter and agent images (png, jpg, jpeg) 5 MB; batch and agent 1,000 files, code-interpreter 100; on api.z.ai agent files 100 MB, images too"}}"#;

/// `error.code` decides: 429 is both "slow down" (1302) and "no money" (1113).
#[inline(never)] // out of line: smaller wasm (lib.rs)
pub(super) fn classify(status: u16, body: &Json) -> Option<Class> {
    let e = super::Envelope::of(body)?;
    let n = e.code.as_deref().and_then(crate::json::uint).unwrap_or(0);
    let (kind, retryable) = match n {
        1000..=1005 => (Kind::Authentication, false),
        // 1121: locked for irregular activity (docs.z.ai's code table; likely its 429 "account anomaly"): not a rate limit.
        1110..=1112 | 1121 | 1220 => (Kind::PermissionDenied, false),
        1113 => (Kind::InsufficientBalance, false),
        1211 => (Kind::NotFound, false),
        // Not 1210 and 1212–1215, generic bad-parameter codes: their status decides (400: invalid_request, 404: not_found).
        1221 | 1222 | 1261 | 1301 => (Kind::InvalidRequest, false),
        1302 | 1303 | 1305 => (Kind::RateLimit, true),
        // The daily quota (1304) and plan quotas (5 h, weekly, monthly): only the next window helps.
        1304 | 1308..=1321 => (Kind::RateLimit, false),
        1200 | 1230 | 1234 => (Kind::Server, true),
        _ => return Some(e.class(status, None)),
    };
    Some(Class { retryable, ..e.class(status, Some(kind)) })
}

#[cfg(test)]
mod tests {
    use super::super::test_util::resp;
    use super::super::{ListQuery, Provider};
    use crate::error::Kind;

    const P: Provider = Provider::Zhipu;

    #[test]
    fn requests_follow_the_docs() {
        let b = "https://open.bigmodel.cn/api/paas/v4";
        let q = ListQuery { purpose: Some("batch".into()), limit: Some(100), after: Some("file-9".into()), order: None };
        assert_eq!(P.list(b, q.purpose.as_deref(), &q).url, format!("{b}/files?purpose=batch&limit=100&after=file-9"));
        assert_eq!(P.retrieve(b, "x").unwrap_err().kind, Kind::Unsupported);
        assert_eq!(P.delete(b, "file-1", "").unwrap().url, format!("{b}/files/file-1"));
        assert_eq!(P.content(b, "file-1").unwrap().url, format!("{b}/files/file-1/content"));
    }

    #[test]
    fn every_documented_code_is_classified() {
        let table: &[(u16, &str, Kind, bool)] = &[
            (401, "1000", Kind::Authentication, false),
            (401, "1001", Kind::Authentication, false),
            (401, "1002", Kind::Authentication, false),
            (401, "1003", Kind::Authentication, false),
            (401, "1004", Kind::Authentication, false),
            (401, "1005", Kind::Authentication, false),
            (400, "1110", Kind::PermissionDenied, false),
            (400, "1111", Kind::PermissionDenied, false),
            (400, "1112", Kind::PermissionDenied, false),
            (429, "1121", Kind::PermissionDenied, false),
            (429, "1113", Kind::InsufficientBalance, false),
            (400, "1210", Kind::InvalidRequest, false),
            (400, "1211", Kind::NotFound, false),
            (400, "1212", Kind::InvalidRequest, false),
            (400, "1213", Kind::InvalidRequest, false),
            (400, "1214", Kind::InvalidRequest, false),
            (400, "1215", Kind::InvalidRequest, false),
            (403, "1220", Kind::PermissionDenied, false),
            (400, "1221", Kind::InvalidRequest, false),
            (400, "1222", Kind::InvalidRequest, false),
            (400, "1261", Kind::InvalidRequest, false),
            (400, "1301", Kind::InvalidRequest, false),
            (429, "1302", Kind::RateLimit, true),
            (429, "1303", Kind::RateLimit, true),
            (429, "1304", Kind::RateLimit, false),
            (429, "1305", Kind::RateLimit, true),
            (429, "1308", Kind::RateLimit, false),
            (429, "1310", Kind::RateLimit, false),
            (429, "1321", Kind::RateLimit, false),
            (500, "1200", Kind::Server, true),
            (500, "1230", Kind::Server, true),
            (500, "1234", Kind::Server, true),
            (500, "-", Kind::Server, true),
        ];
        for &(status, code, kind, retryable) in table {
            let body = format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
            let e = P.parse_list(&resp(status, &[("x-request-id", "z-1")], &body)).unwrap_err();
            assert_eq!((e.kind, e.retryable), (kind, retryable), "{code}");
            assert_eq!((e.code.as_deref(), e.status, e.request_id.as_deref()), (Some(code), Some(status), Some("z-1")));
            // The code decides, not the status: the same code under another status reads the same.
            if code != "-" {
                // 404 too: 1221/1222 say the API is offline or missing, not the file. The generic bad-parameter
                // codes (1210, 1212–1215) leave a 404 to its status.
                let generic = matches!(code, "1210" | "1212" | "1213" | "1214" | "1215");
                for other in [400, 404] {
                    let e = P.parse_list(&resp(other, &[], &body)).unwrap_err();
                    let want = if generic && other == 404 { (Kind::NotFound, false) } else { (kind, retryable) };
                    assert_eq!((e.kind, e.retryable), want, "{code} under {other}");
                }
                // Documented as a string; a host that sends it as a number means the same code.
                let e = P.parse_list(&resp(status, &[], &body.replace(&format!("\"{code}\""), code))).unwrap_err();
                assert_eq!((e.kind, e.code.as_deref()), (kind, Some(code)), "{code} as a number");
            }
        }
        // A conflict is retried, whatever code the body gives, unless the code is about money.
        let e = P.parse_list(&resp(409, &[], r#"{"error":{"code":"1210","message":"m"}}"#)).unwrap_err();
        assert_eq!((e.kind, e.retryable), (Kind::InvalidRequest, true));
        let e = P.parse_list(&resp(409, &[], r#"{"error":{"code":"1113","message":"m"}}"#)).unwrap_err();
        assert_eq!((e.kind, e.retryable), (Kind::InsufficientBalance, false));
        let e = P.parse_list(&resp(434, &[], "no permission")).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (Kind::PermissionDenied, "zhipu 434: no API permission"));
        // A 435 with a text body still says what Zhipu's code table means by it.
        let e = P.parse_list(&resp(435, &[], "<html>too big</html>")).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (Kind::InvalidRequest, "zhipu 435: file too large"));
        let e = P.parse_list(&resp(435, &[], r#"{"error":{"code":"435","message":"file too large"}}"#)).unwrap_err();
        assert_eq!(e.kind, Kind::InvalidRequest);
        // No code, or one that is not a number: the status decides.
        for body in [r#"{"error":{"message":"m"}}"#, r#"{"error":{"code":"x","message":"m"}}"#] {
            let e = P.parse_list(&resp(400, &[], body)).unwrap_err();
            assert_eq!((e.kind, e.retryable), (Kind::InvalidRequest, false), "{body}");
            let e = P.parse_list(&resp(429, &[], body)).unwrap_err();
            assert_eq!((e.kind, e.retryable), (Kind::RateLimit, true), "{body}");
        }
    }

    #[test]
    fn pages_follow_has_more() {
        let body = r#"{"object":"list","data":[{"id":"f1","object":"file","bytes":1,"created_at":2,"filename":"a.jsonl","purpose":"batch"}],"has_more":true}"#;
        let page = P.parse_list(&resp(200, &[], body)).unwrap();
        assert!(page.has_more);
        let wrong = r#"{"object":"list","data":[],"has_more":"yes"}"#;
        assert_eq!(P.parse_list(&resp(200, &[], wrong)).unwrap_err().kind, Kind::Decode);
    }
}
