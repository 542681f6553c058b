//! What every request handler shares: the emulator's parts ([`Shared`]) and the helpers that
//! build answers (`X-Request-Id` on every response, the JSON error body).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use dataarts_release_raw::types::ErrorBody;

use crate::config::TaskTiming;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::fixtures::Fixtures;
use crate::gateway::{Credentials, RateLimiter};
use crate::identity::{IdentityConfig, Issued};
use crate::ids::HexIds;
use crate::journal::Journal;
use crate::state::{State, StateCell};

/// Largest accepted request body (the gateway's AK/SK limit).
pub(crate) const MAX_BODY: usize = 12 * 1024 * 1024;
/// `Content-Type` of every JSON answer.
pub(crate) const JSON_CT: &str = "application/json;charset=UTF-8";

/// A response body.
pub(crate) type Body = Full<Bytes>;

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub state: StateCell,
    /// The initial data, kept for resets.
    pub fixtures: Fixtures,
    pub seed_packages: usize,
    pub timing: TaskTiming,
    pub creds: Credentials,
    /// Who may get temporary credentials from the identity services.
    pub identity: IdentityConfig,
    /// What the identity services issued (kept across resets).
    pub issued: Issued,
    pub rate: RateLimiter,
    pub faults: Faults,
    pub journal: Journal,
    /// Request ids and task ids.
    pub ids: HexIds,
}

impl Shared {
    /// Back to the initial fixtures: state, journal, rate-limit buckets.
    pub(crate) fn reset(&self) {
        let fresh = State::new(&self.fixtures, self.seed_packages, self.timing);
        self.state.replace(fresh);
        self.journal.clear();
        self.rate.reset();
    }
}

/// Builds a response with `X-Request-Id`.
pub(crate) fn respond(
    status: u16,
    content_type: Option<&str>,
    body: Bytes,
    request_id: &str,
) -> Response<Body> {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    if let Some(ct) = content_type {
        let v = HeaderValue::from_str(ct)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
        h.insert(http::header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
    resp
}

/// The JSON error answer.
pub(crate) fn error_response(e: &ApiError, request_id: &str) -> Response<Body> {
    let body = ErrorBody {
        error_code: Some(e.code.to_string()),
        error_msg: Some(e.msg.clone()),
        request_id: e.gateway.then(|| request_id.to_string()),
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut resp = respond(e.status, Some(JSON_CT), Bytes::from(bytes), request_id);
    if let Some(secs) = e.retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
    }
    resp
}

/// Reads the whole request body, up to [`MAX_BODY`].
pub(crate) async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(ApiError::too_large(MAX_BODY))
            } else {
                Err(ApiError::bad_request(format!(
                    "cannot read the request body: {e}"
                )))
            }
        }
    }
}
