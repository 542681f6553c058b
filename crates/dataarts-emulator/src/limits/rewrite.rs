//! Gives the HTTP layer's own error answers the emulator's JSON error shape.
//!
//! hyper answers a request it cannot parse itself (400 malformed, 414 target over 65,534
//! bytes, 431 head over the parser buffer or more than 100 header fields), with an empty
//! body, before any handler runs. Every answer of the emulator's own code carries
//! `X-Request-Id`; a 400/414/431 head without it, and without a body, is hyper's. It is
//! replaced, byte for byte on the wire, by the same status with a JSON `APIGW.0201` body.

use dataarts_release_raw::types::ErrorBody;

use crate::app::JSON_CT;
use crate::error::ApiError;

/// hyper's longest request target (`http::Uri`'s limit).
const HYPER_MAX_URI_BYTES: usize = u16::MAX as usize - 1;

/// If `buf` is exactly one of hyper's automatic error heads, the JSON answer to send instead.
pub(crate) fn replacement(
    buf: &[u8],
    parser_buffer_bytes: usize,
    request_id: impl FnOnce() -> String,
) -> Option<Vec<u8>> {
    let rest = buf.strip_prefix(b"HTTP/1.1 ")?;
    let status = rest.get(..3)?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    if head_end != buf.len() || has_request_id(&buf[..head_end]) {
        return None;
    }
    let (error, reason) = match status {
        b"400" => (
            ApiError::bad_request(
                "the request line or a header is malformed (invalid characters, a bad \
                 Content-Length or an unsupported Transfer-Encoding)",
            ),
            "Bad Request",
        ),
        b"414" => (ApiError::uri_too_long(HYPER_MAX_URI_BYTES), "URI Too Long"),
        b"431" => (
            ApiError::headers_too_large(format!(
                "the request head exceeds {parser_buffer_bytes} bytes or has more than 100 \
                 header fields"
            )),
            "Request Header Fields Too Large",
        ),
        _ => return None,
    };
    Some(encode(&error, reason, &request_id()))
}

fn has_request_id(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n')
        .any(|line| line.len() >= 13 && line[..13].eq_ignore_ascii_case(b"x-request-id:"))
}

fn encode(e: &ApiError, reason: &str, request_id: &str) -> Vec<u8> {
    let body = ErrorBody {
        error_code: Some(e.code.to_string()),
        error_msg: Some(e.msg.clone()),
        request_id: e.gateway.then(|| request_id.to_string()),
    };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: {JSON_CT}\r\nx-request-id: {request_id}\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        e.status,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYPER_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Wed, 02 Dec 2026 04:00:00 GMT\r\n\r\n";

    #[test]
    fn hyper_heads_become_json() {
        let out = replacement(HYPER_431, 1024, || "ab".repeat(16)).expect("replaced");
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
        assert!(text.contains(&format!("x-request-id: {}", "ab".repeat(16))));
        let body = text.split("\r\n\r\n").nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error_code"], "APIGW.0201");
        assert_eq!(v["request_id"], "ab".repeat(16));
    }

    #[test]
    fn our_answers_and_other_statuses_pass_through() {
        let ours = b"HTTP/1.1 400 Bad Request\r\nx-request-id: 00\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(ours, 1024, String::new).is_none());
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(ok, 1024, String::new).is_none());
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert!(replacement(with_body, 1024, String::new).is_none());
        assert!(replacement(b"{\"a\":1}", 1024, String::new).is_none());
    }
}
