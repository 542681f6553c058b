//! The raw client's transport: signing per attempt, retries, tracing, error-body
//! normalisation.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dataarts_release_raw::{LocalError, Operation, RetryClass, SendFuture, Transport};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::live::Auth;
use crate::auth::project::Project;
use crate::error::LocalProblem;
use crate::error_body;
use crate::pace::Pacer;
use crate::retry::{parse_retry_after, RetryPolicy};

mod signing;

pub(crate) use signing::prepare;
pub(crate) use signing::ProjectId;
use signing::{check_signable, signed_headers};

/// The source of the `X-Sdk-Date` time. Inject a fixed or advancing clock in tests.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use dataarts_release::Clock;
///
/// #[derive(Debug)]
/// struct Fixed(SystemTime);
/// impl Clock for Fixed {
///     fn now(&self) -> SystemTime { self.0 }
/// }
/// let c = Fixed(SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645));
/// assert_eq!(dataarts_signing::format_sdk_date(c.now()), "20240102T030405Z");
/// ```
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock (the default).
///
/// ```
/// use dataarts_release::{Clock, SystemClock};
/// assert!(SystemClock.now() > std::time::SystemTime::UNIX_EPOCH);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Signs, sends, retries and traces every request of one client.
pub(crate) struct SigningTransport {
    pub(crate) auth: Arc<Auth>,
    pub(crate) project: Arc<Project>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<Pacer>,
    pub(crate) attempt_timeout: Duration,
    pub(crate) total_timeout: Duration,
}

impl Transport for SigningTransport {
    /// Puts the query in canonical form and runs every check of signing on the request
    /// (everything but the hashing), so that anything that keeps it from being signed or sent
    /// is found before anything is sent. Every attempt is signed, after the rate limiter,
    /// with the clock's time; only the date differs from this dry run, and every date
    /// formats validly.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        _operation: Operation,
    ) -> Result<(), LocalError> {
        prepare(request)?;
        let project_id = self
            .project
            .get()
            .ok_or(LocalProblem::ProjectIdUnresolved)?;
        // Credentials still to be fetched are checked by the client before the call.
        let active = self.auth.peek();
        check_signable(request, request.headers(), active.as_deref(), project_id)?;
        Ok(())
    }

    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation: Operation,
    ) -> SendFuture<'a> {
        let span = tracing::info_span!(
            "dataarts_request",
            operation = operation.id(),
            method = %request.method(),
            path = %request.url().path(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        Box::pin(self.run(http, request, operation).instrument(span))
    }
}

/// What one attempt produced.
enum Attempt {
    Failed(reqwest::Error),
    /// A success answer to a write, unread: nothing in its body decides a retry.
    Passed(reqwest::Response),
    Answered {
        status: StatusCode,
        version: http::Version,
        headers: HeaderMap,
        body: bytes::Bytes,
    },
}

impl SigningTransport {
    async fn run(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        operation: Operation,
    ) -> reqwest::Result<reqwest::Response> {
        let class = operation.retry();
        let deadline = crate::waiter::deadline_after(Instant::now(), self.total_timeout);
        // The unsigned headers, apart: each attempt gets a fresh signed set built from them.
        let unsigned = std::mem::take(request.headers_mut());
        let mut attempt = 0u32;
        let mut resigned_after_expiry = false;
        loop {
            attempt += 1;
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let Some(mut req) = request.try_clone() else {
                // Only a streamed body cannot be cloned, and `prepare` refuses those; should
                // one get here, it is sent once, as prepared.
                *request.headers_mut() = unsigned;
                return finish(
                    self.send_once(http, request, class, attempt, deadline)
                        .await
                        .0,
                );
            };
            // Whatever set is current for this attempt: renewed ahead of expiry, or the
            // still-valid one while a renewal fails. Only once it expired and could not be
            // renewed is there none: the expired one then draws the gateway's refusal, and
            // the client reports the credential failure.
            let active = match self.auth.current().await {
                Ok(a) => Some(a),
                Err(e) => {
                    tracing::warn!(error = %e, "no valid credentials for this attempt");
                    self.auth.peek()
                }
            };
            let signed = match (&active, self.project.get()) {
                (Some(active), Some(project_id)) => signed_headers(
                    &req,
                    &unsigned,
                    active,
                    project_id,
                    &dataarts_signing::format_sdk_date(self.clock.now()),
                ),
                (None, _) => Err(LocalProblem::Generated(
                    "no credentials to sign with".into(),
                )),
                (_, None) => Err(LocalProblem::ProjectIdUnresolved),
            };
            *req.headers_mut() = match signed {
                Ok(headers) => headers,
                Err(problem) => {
                    // Unreachable after `prepare`'s dry run succeeded (see there). Should it
                    // happen, the request goes unsigned and the gateway's refusal is the answer.
                    tracing::warn!(%problem, "could not sign the request");
                    unsigned.clone()
                }
            };
            let (outcome, latency_ms) = self.send_once(http, req, class, attempt, deadline).await;

            let delay = match &outcome {
                Attempt::Failed(e) => {
                    tracing::info!(attempt, latency_ms, timeout = e.is_timeout(), connect = e.is_connect(),
                        error = %e, "request failed");
                    let safe = match class {
                        RetryClass::Read => true,
                        // Only a failed connect proves a write never reached the server.
                        RetryClass::Write | RetryClass::WriteReconcile => e.is_connect(),
                    };
                    safe.then(|| self.retry.backoff(attempt))
                }
                Attempt::Passed(resp) => {
                    record_answer(resp.status(), resp.headers(), attempt, latency_ms);
                    None
                }
                Attempt::Answered {
                    status,
                    headers,
                    body,
                    ..
                } => {
                    record_answer(*status, headers, attempt, latency_ms);
                    if !status.is_success() {
                        let text = self.auth.scrub(&String::from_utf8_lossy(body));
                        tracing::debug!(body = %error_body::excerpt(&text, 300), "error body");
                    }
                    match status.as_u16() {
                        // A garbled or cut success answer to a read: ask again.
                        200..=299 if class == RetryClass::Read && !is_json(body) => {
                            Some(self.retry.backoff(attempt))
                        }
                        429 => Some(self.server_delay(headers, attempt)),
                        401 if !resigned_after_expiry && mentions_expiry(body) => {
                            resigned_after_expiry = true;
                            // The signature or the security token expired. Temporary
                            // credentials are renewed first (once, whatever their expiry
                            // time says); others are only signed again.
                            match (&active, self.auth.is_renewed()) {
                                (Some(stale), true) => {
                                    self.auth.renew(stale).await.map(|_| Duration::ZERO)
                                }
                                _ => Some(Duration::ZERO),
                            }
                        }
                        502..=504 if class == RetryClass::Read => {
                            Some(self.server_delay(headers, attempt))
                        }
                        _ => None,
                    }
                }
            };
            match delay {
                Some(d)
                    if attempt < self.retry.max_attempts
                        && Instant::now().checked_add(d).is_some_and(|t| t < deadline) =>
                {
                    tracing::info!(attempt, delay_ms = d.as_millis() as u64, "retrying");
                    tokio::time::sleep(d).await;
                }
                _ => return finish(outcome),
            }
        }
    }
}

impl SigningTransport {
    /// Sends one attempt, bounded by the attempt timeout and the call's deadline, and reads
    /// the whole answer, except a success answer to a write: that one is passed on unread
    /// (reading it later is bounded by the same timeout). Returns the outcome and the
    /// latency in milliseconds.
    async fn send_once(
        &self,
        http: &reqwest::Client,
        mut req: reqwest::Request,
        class: RetryClass,
        attempt: u32,
        deadline: Instant,
    ) -> (Attempt, u64) {
        let started = Instant::now();
        let remaining = deadline.saturating_duration_since(started);
        *req.timeout_mut() = Some(
            self.attempt_timeout
                .min(remaining.max(Duration::from_millis(1))),
        );
        let span = tracing::Span::current();
        span.record("attempt", attempt);
        let outcome = match http.execute(req).await {
            Err(e) => Attempt::Failed(e),
            Ok(resp) if resp.status().is_success() && class != RetryClass::Read => {
                Attempt::Passed(resp)
            }
            Ok(mut resp) => {
                let status = resp.status();
                let version = resp.version();
                let headers = std::mem::take(resp.headers_mut());
                match resp.bytes().await {
                    Ok(body) => Attempt::Answered {
                        status,
                        version,
                        headers,
                        body,
                    },
                    Err(e) => Attempt::Failed(e),
                }
            }
        };
        let latency_ms = started.elapsed().as_millis() as u64;
        span.record("latency_ms", latency_ms);
        (outcome, latency_ms)
    }

    /// How long to wait before retrying an answer that asked for patience: the server's
    /// `Retry-After` (capped), or our own backoff when it gave none.
    fn server_delay(&self, headers: &HeaderMap, attempt: u32) -> Duration {
        header_str(headers, "retry-after")
            .and_then(|v| parse_retry_after(&v))
            .map(|d| self.retry.retry_after(d))
            .unwrap_or_else(|| self.retry.backoff(attempt))
    }
}

/// Records an answer's status and request id on the request's span, and logs it.
fn record_answer(status: StatusCode, headers: &HeaderMap, attempt: u32, latency_ms: u64) {
    let span = tracing::Span::current();
    if span.is_disabled() && !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let request_id = header_str(headers, "x-request-id");
    span.record("status", status.as_u16());
    if let Some(id) = &request_id {
        span.record("request_id", id.as_str());
    }
    tracing::debug!(
        attempt,
        status = status.as_u16(),
        request_id = request_id.as_deref().unwrap_or(""),
        latency_ms,
        "response"
    );
}

fn is_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

fn mentions_expiry(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    text.contains("expired")
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Turns the last attempt into what the generated code parses: successes unchanged, errors
/// with a normalised `{error_code, error_msg, request_id}` body (whatever the server sent).
fn finish(outcome: Attempt) -> reqwest::Result<reqwest::Response> {
    match outcome {
        Attempt::Failed(e) => Err(e),
        Attempt::Passed(resp) => Ok(resp),
        Attempt::Answered {
            status,
            version,
            mut headers,
            body,
        } => {
            headers.remove(reqwest::header::TRANSFER_ENCODING);
            if status.is_success() {
                return Ok(rebuild(status, version, headers, body));
            }
            let parsed = error_body::parse(status.as_u16(), &body);
            if header_str(&headers, "x-request-id").is_none() {
                if let Some(id) = parsed
                    .request_id
                    .as_deref()
                    .and_then(|v| HeaderValue::from_str(v).ok())
                {
                    headers.insert(HeaderName::from_static("x-request-id"), id);
                }
            }
            let normalised = serde_json::json!({
                "error_code": parsed.code,
                "error_msg": parsed.message,
                "request_id": parsed.request_id,
            });
            headers.remove(reqwest::header::CONTENT_LENGTH);
            headers.insert(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(rebuild(
                status,
                version,
                headers,
                normalised.to_string().into(),
            ))
        }
    }
}

fn rebuild(
    status: StatusCode,
    version: http::Version,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> reqwest::Response {
    let mut resp = http::Response::new(body);
    *resp.status_mut() = status;
    *resp.version_mut() = version;
    *resp.headers_mut() = headers;
    reqwest::Response::from(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_normalised() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("text/html"));
        let resp = finish(Attempt::Answered {
            status: StatusCode::BAD_GATEWAY,
            version: http::Version::HTTP_11,
            headers,
            body: bytes::Bytes::from_static(b"<html>bad gateway</html>"),
        })
        .unwrap();
        assert_eq!(resp.status(), 502);
        assert_eq!(resp.headers()["content-type"], "application/json");
    }
}
