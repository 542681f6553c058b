//! What every request handler shares: the emulator's parts ([`Shared`]) and the helpers that
//! build answers (`X-Request-Id` on every response, the JSON error body).

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body as _, Incoming};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use dataarts_release_raw::types::ErrorBody;

use crate::config::TaskTiming;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::fixtures::Fixtures;
use crate::gateway::{Credentials, RateLimiter};
use crate::identity::{IdentityConfig, Issued};
use crate::ids::HexIds;
use crate::journal::Journal;
use crate::routes::guard::AdminGuard;
use crate::state::{State, StateCell};

/// Largest accepted request body (the gateway's AK/SK limit).
pub(crate) const MAX_BODY: usize = 12 * 1024 * 1024;
/// Most bytes of API request bodies read at once, over all connections (see [`BodyBudget`]).
pub(crate) const BODY_BUDGET: usize = 64 * 1024 * 1024;
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
    /// Who may call the admin endpoints.
    pub admin: AdminGuard,
    /// Bytes of API request bodies being read at once.
    pub bodies: BodyBudget,
}

impl Shared {
    /// Back to the initial fixtures: state, journal, rate-limit buckets.
    ///
    /// The old state and journal are replaced, not emptied in place, so what they held is
    /// freed.
    pub(crate) fn reset(&self) {
        let fresh = State::new(&self.fixtures, self.seed_packages, self.timing);
        self.state.replace(fresh);
        self.journal.clear();
        self.rate.reset();
    }
}

/// A budget of request-body bytes shared by all connections: with many clients each sending a
/// large body, what the emulator holds stays bounded (the connection cap times [`MAX_BODY`]
/// would be gigabytes). A body that does not fit is refused at once with 503 `EMU.0503` and
/// `Retry-After: 1` rather than waited for, so slow senders cannot queue up the others.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    bytes: Arc<Semaphore>,
    total: usize,
}

impl BodyBudget {
    pub(crate) fn new(total: usize) -> Self {
        let total = total.clamp(MAX_BODY, Semaphore::MAX_PERMITS);
        Self {
            bytes: Arc::new(Semaphore::new(total)),
            total,
        }
    }

    /// Takes `n` more bytes into `held`, or refuses.
    fn take(&self, held: &mut Option<OwnedSemaphorePermit>, n: usize) -> Result<(), ApiError> {
        let n = u32::try_from(n).map_err(|_| ApiError::too_large(MAX_BODY))?;
        if n == 0 {
            return Ok(());
        }
        let permit = self
            .bytes
            .clone()
            .try_acquire_many_owned(n)
            .map_err(|_| ApiError::bodies_busy(self.total))?;
        match held {
            Some(h) => h.merge(permit),
            None => *held = Some(permit),
        }
        Ok(())
    }
}

/// Reads an API request body, up to [`MAX_BODY`], within the shared [`BodyBudget`]: a body
/// with a `Content-Length` takes its whole size before anything is read, a chunked one takes
/// each chunk as it comes; the bytes go back to the budget when the read ends.
pub(crate) async fn read_body_within(
    body: Incoming,
    budget: &BodyBudget,
) -> Result<Bytes, ApiError> {
    let mut held = None;
    let exact = body.size_hint().exact();
    if let Some(n) = exact {
        if n > MAX_BODY as u64 {
            return Err(ApiError::too_large(MAX_BODY));
        }
        budget.take(&mut held, n as usize)?;
    }
    let mut body = Limited::new(body, MAX_BODY);
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(body_error)?;
        if let Ok(data) = frame.into_data() {
            if exact.is_none() {
                budget.take(&mut held, data.len())?;
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

fn body_error(e: Box<dyn std::error::Error + Send + Sync>) -> ApiError {
    if e.downcast_ref::<http_body_util::LengthLimitError>()
        .is_some()
    {
        ApiError::too_large(MAX_BODY)
    } else {
        ApiError::bad_request(format!("cannot read the request body: {e}"))
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
