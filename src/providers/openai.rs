//! OpenAI-compatible hosts: `/files` with native `purpose`/`limit`/`after`/`order` paging. Zhipu shares the list request.

use super::{cat, encode, num, Class, HttpRequest, ListQuery, Method, Body};
use crate::error::Kind;
use crate::json::Json;

/// What an OpenAI-compatible host can do.
pub const CAPABILITIES: &str = r#"{"provider":"openai","operations":{"create":"native","list":"native","listAll":"native","retrieve":"native","content":"native","delete":"native"},"params":{"list":{"purpose":"native","limit":"native","after":"native","order":"native"},"delete":{"purpose":"not needed"}},"purposes":{"create":["assistants","batch","fine-tune","vision","user_data","evals"],"list":"any","delete":"any","content":"any"},"limits":{"maxFileBytes":{"*":536870912}}}"#;

/// `GET {base}/files?purpose=&limit=&after=&order=`, each parameter only when given.
pub(super) fn list(base: &str, purpose: Option<&str>, q: &ListQuery) -> HttpRequest {
    let mut url = cat(&[base, "/files"]);
    let limit = q.limit.map(|l| num(u64::from(l)));
    let params = [("purpose", purpose), ("limit", limit.as_deref()), ("after", q.after.as_deref()), ("order", q.order.as_deref())];
    let mut sep = '?';
    for (k, v) in params {
        if let Some(v) = v {
            url.push(sep);
            url.push_str(k);
            url.push('=');
            encode(&mut url, v);
            sep = '&';
        }
    }
    HttpRequest { method: Method::Get, url, body: Body::Empty }
}

/// `error.code` (or `error.type`) decides; `insufficient_quota` is money, not a rate limit.
#[inline(never)] // out of line: smaller wasm (lib.rs)
pub(super) fn classify(status: u16, body: &Json) -> Option<Class> {
    let e = super::Envelope::of(body)?;
    let kind = match (e.code.as_deref(), e.ty.as_deref()) {
        (Some("insufficient_quota"), _) | (_, Some("insufficient_quota")) => Some(Kind::InsufficientBalance),
        (Some("invalid_api_key"), _) => Some(Kind::Authentication),
        _ => None,
    };
    Some(e.class(status, kind))
}

#[cfg(test)]
mod tests {
    use super::super::test_util::resp;
    use super::super::{ListQuery, Method, Provider};
    use crate::error::Kind;

    const P: Provider = Provider::OpenAi;

    #[test]
    fn list_sends_only_given_parameters() {
        assert_eq!(P.list("http://h/v1", None, &ListQuery::default()).url, "http://h/v1/files");
        let q = ListQuery { purpose: Some("batch".into()), limit: Some(50), after: Some("file-1&x".into()), order: Some("asc".into()) };
        assert_eq!(P.list("http://h/v1", q.purpose.as_deref(), &q).url, "http://h/v1/files?purpose=batch&limit=50&after=file-1%26x&order=asc");
        let d = P.delete("http://h/v1", "file-abc", "").unwrap();
        assert_eq!((d.method, d.url.as_str()), (Method::Delete, "http://h/v1/files/file-abc"));
    }

    #[test]
    fn classifies_by_code_then_status() {
        let cases: &[(u16, &str, Kind, bool, &str)] = &[
            (429, r#"{"error":{"message":"m","type":"insufficient_quota","code":"insufficient_quota"}}"#, Kind::InsufficientBalance, false, "insufficient_quota"),
            (429, r#"{"error":{"message":"m","type":"requests","code":"rate_limit_exceeded"}}"#, Kind::RateLimit, true, "rate_limit_exceeded"),
            (401, r#"{"error":{"message":"m","type":"invalid_request_error","code":"invalid_api_key"}}"#, Kind::Authentication, false, "invalid_api_key"),
            (404, r#"{"error":{"message":"No such File object","type":"invalid_request_error","code":null}}"#, Kind::NotFound, false, "invalid_request_error"),
            // The code or the type decides, whatever the status.
            (400, r#"{"error":{"message":"m","type":"invalid_request_error","code":"invalid_api_key"}}"#, Kind::Authentication, false, "invalid_api_key"),
            (403, r#"{"error":{"message":"m","type":"insufficient_quota","code":"billing_hard_limit_reached"}}"#, Kind::InsufficientBalance, false, "billing_hard_limit_reached"),
            (409, r#"{"error":{"message":"m","type":"conflict"}}"#, Kind::InvalidRequest, true, "conflict"),
            (408, r#"{"error":{"message":"m","type":"timeout"}}"#, Kind::Timeout, true, "timeout"),
            (503, r#"{"error":{"message":"m","type":"server_error"}}"#, Kind::Server, true, "server_error"),
            (599, r#"{"error":{"message":"m","type":"server_error"}}"#, Kind::Server, true, "server_error"),
            // The client's side closed (nginx's 499): the connection, not the request, was at fault.
            (499, r#"{"error":{"message":"m","type":"closed"}}"#, Kind::Connection, true, "closed"),
            // Money by its code alone, whatever the type.
            (429, r#"{"error":{"message":"m","type":"requests","code":"insufficient_quota"}}"#, Kind::InsufficientBalance, false, "insufficient_quota"),
        ];
        for (status, body, kind, retryable, code) in cases {
            let e = P.parse_file(&resp(*status, &[("x-request-id", "req_1")], body)).unwrap_err();
            assert_eq!((e.kind, e.retryable, e.code.as_deref()), (*kind, *retryable, Some(*code)), "{body}");
            assert_eq!(e.request_id.as_deref(), Some("req_1"));
        }
    }

    #[test]
    fn parses_openai_shapes() {
        let f = r#"{"id":"file-1","object":"file","bytes":3,"created_at":1700000000,"filename":"a.jsonl","purpose":"batch","status":"processed"}"#;
        let file = P.parse_file(&resp(200, &[], f)).unwrap();
        assert_eq!((file.id(), file.purpose()), ("file-1", "batch"));
        let page = P.parse_list(&resp(200, &[], &format!(r#"{{"object":"list","data":[{f},{f}],"has_more":true}}"#))).unwrap();
        assert_eq!((page.files.len(), page.has_more), (2, true));
        assert!(P.parse_delete(&resp(200, &[], r#"{"id":"file-1","object":"file","deleted":true}"#)).is_ok());
        // 204 No Content, as some OpenAI-compatible hosts answer a DELETE: done. MiniMax must still say so in a base_resp.
        for p in [P, Provider::Moonshot, Provider::Zhipu] {
            assert!(p.parse_delete(&resp(204, &[], "")).is_ok());
        }
        assert_eq!(Provider::MiniMax.parse_delete(&resp(204, &[], "")).unwrap_err().kind, Kind::Decode);
        assert_eq!(P.parse_delete(&resp(200, &[], "")).unwrap_err().kind, Kind::Decode);
        let e = P.parse_delete(&resp(200, &[], r#"{"id":"file-1","object":"file","deleted":false}"#)).unwrap_err();
        assert_eq!((e.kind, e.retryable), (Kind::Decode, false));
    }
}
