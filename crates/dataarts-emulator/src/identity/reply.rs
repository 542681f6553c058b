//! Answers of the identity routes: JSON bodies in IAM's, STS's and the gateway's error shapes,
//! times in the services' format, and the small bounded request bodies they accept.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderValue, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::{json, Value};

use crate::app::{error_response, respond, Body, JSON_CT};
use crate::error::ApiError;
use crate::faults::FaultKind;

/// Largest request body the identity routes read.
pub(super) const MAX_IDENTITY_BODY: usize = 64 * 1024;

/// A time as IAM, STS and the metadata service write it: `2026-12-02T03:04:05.000000Z`.
pub(super) fn service_time(t: SystemTime) -> String {
    humantime::format_rfc3339_micros(t).to_string()
}

enum Content {
    Json(Value),
    Text(String),
    /// Bytes sent as JSON that are not (a malformed answer).
    Raw(String),
    Gateway(ApiError),
}

/// One answer, with what the journal records of it.
pub(super) struct Answer {
    status: u16,
    content: Content,
    headers: Vec<(&'static str, String)>,
    /// `error_code` for the journal.
    pub code: Option<String>,
    /// The injected fault, if any.
    pub fault: Option<FaultKind>,
}

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Request Entity Too Large",
        _ => "Internal Server Error",
    }
}

impl Answer {
    /// A JSON success answer.
    pub(super) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            content: Content::Json(body),
            headers: Vec::new(),
            code: None,
            fault: None,
        }
    }

    /// A plain-text success answer.
    pub(super) fn text(body: String) -> Self {
        Self {
            status: 200,
            content: Content::Text(body),
            headers: Vec::new(),
            code: None,
            fault: None,
        }
    }

    /// An error in IAM's (and the metadata service's) shape:
    /// `{"error":{"code":401,"message":"...","title":"Unauthorized"}}`.
    pub(super) fn iam(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            content: Content::Json(json!({"error": {
                "code": status, "message": message.into(), "title": title(status)
            }})),
            headers: Vec::new(),
            code: Some(format!("IAM.{status}")),
            fault: None,
        }
    }

    /// An error in STS's shape: `{"error_code":"STS.xxxx","error_msg":"...","request_id":...}`
    /// (the request id is filled in when the answer is sent).
    pub(super) fn sts(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            content: Content::Json(json!({"error_code": code, "error_msg": message.into()})),
            headers: Vec::new(),
            code: Some(code.to_string()),
            fault: None,
        }
    }

    /// A gateway error (`APIGW.*`), as the DataArts API answers them.
    pub(super) fn gateway(e: ApiError) -> Self {
        Self {
            status: e.status,
            code: Some(e.code.to_string()),
            content: Content::Gateway(e),
            headers: Vec::new(),
            fault: None,
        }
    }

    /// Adds a response header.
    pub(super) fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Records the fault that produced this answer.
    pub(super) fn fault(mut self, f: FaultKind) -> Self {
        self.fault = Some(f);
        self
    }

    /// Cuts a JSON success answer in half (the `identity_malformed` fault); other answers
    /// are returned unchanged, as `Err`.
    pub(super) fn malformed(self) -> Result<Self, Self> {
        match &self.content {
            Content::Json(v) if (200..300).contains(&self.status) => {
                let full = serde_json::to_string(v).unwrap_or_default();
                let half: String = full.chars().take(full.chars().count() / 2).collect();
                Ok(Self {
                    content: Content::Raw(half),
                    fault: Some(FaultKind::IdentityMalformed),
                    ..self
                })
            }
            _ => Err(self),
        }
    }

    /// The HTTP response.
    pub(super) fn into_response(self, request_id: &str) -> Response<Body> {
        let mut resp = match self.content {
            Content::Gateway(e) => error_response(&e, request_id),
            Content::Text(t) => respond(
                self.status,
                Some("text/plain"),
                Bytes::from(t.into_bytes()),
                request_id,
            ),
            Content::Raw(t) => respond(
                self.status,
                Some(JSON_CT),
                Bytes::from(t.into_bytes()),
                request_id,
            ),
            Content::Json(mut v) => {
                if let Some(obj) = v.as_object_mut().filter(|o| o.contains_key("error_code")) {
                    obj.insert("request_id".into(), Value::String(request_id.into()));
                }
                let bytes = serde_json::to_vec(&v).unwrap_or_default();
                respond(self.status, Some(JSON_CT), Bytes::from(bytes), request_id)
            }
        };
        for (k, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                resp.headers_mut().insert(k, v);
            }
        }
        resp
    }
}

/// Reads a request body of at most [`MAX_IDENTITY_BODY`] bytes.
pub(super) async fn read_small_body(body: Incoming) -> Result<Bytes, Answer> {
    match Limited::new(body, MAX_IDENTITY_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(Answer::iam(
            413,
            format!("the request body exceeds {MAX_IDENTITY_BODY} bytes"),
        )),
        Err(e) => Err(Answer::iam(400, format!("unreadable request body: {e}"))),
    }
}

/// A header's value, if present and visible ASCII.
pub(super) fn header<'a>(h: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// `{"access","secret","securitytoken","expires_at"}` under `credential`: the answer of IAM's
/// security-token call, the metadata service and pod identity.
pub(super) fn credential_body(g: &super::store::Grant) -> Value {
    json!({"credential": {
        "access": g.access,
        "secret": g.secret,
        "securitytoken": g.security_token,
        "expires_at": service_time(g.expires_at),
    }})
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn times_have_microseconds() {
        let t = UNIX_EPOCH + Duration::from_secs(1_796_180_645);
        assert_eq!(service_time(t), "2026-12-02T03:04:05.000000Z");
    }

    #[test]
    fn sts_errors_carry_the_request_id() {
        let r = Answer::sts(403, "STS.0003", "no").into_response("abc");
        assert_eq!(r.status(), 403);
        let r = Answer::iam(401, "no");
        assert_eq!(r.code.as_deref(), Some("IAM.401"));
    }
}
