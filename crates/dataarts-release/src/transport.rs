//! The raw client's transport: signing per attempt, retries, tracing, error-body
//! normalisation.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dataarts_release_raw::{LocalError, Operation, RetryClass, SendFuture, Transport};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use tokio::time::Instant;
use tracing::Instrument;

use crate::credentials::{Credentials, Kind};
use crate::error::LocalProblem;
use crate::error_body;
use crate::pace::Pacer;
use crate::retry::{parse_retry_after, RetryPolicy};

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
    pub(crate) auth: Credentials,
    pub(crate) project_id: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<Pacer>,
    pub(crate) attempt_timeout: Duration,
    pub(crate) total_timeout: Duration,
}

impl Transport for SigningTransport {
    /// Puts the query in canonical form and signs a copy of the request, so that anything
    /// that keeps it from being signed or sent is found before anything is sent. Every
    /// attempt is signed again, after the rate limiter, with the clock's time; only the date
    /// differs from this dry run, and every date formats validly.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        _operation: Operation,
    ) -> Result<(), LocalError> {
        prepare(request)?;
        let mut dry_run = request.try_clone().ok_or(LocalProblem::StreamingBody)?;
        sign_request(
            &mut dry_run,
            &self.auth,
            &self.project_id,
            SystemTime::UNIX_EPOCH,
        )?;
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
        request: reqwest::Request,
        operation: Operation,
    ) -> reqwest::Result<reqwest::Response> {
        let class = operation.retry();
        let deadline = crate::waiter::deadline_after(Instant::now(), self.total_timeout);
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
                return finish(self.send_once(http, request, attempt, deadline).await.0);
            };
            if let Err(problem) =
                sign_request(&mut req, &self.auth, &self.project_id, self.clock.now())
            {
                // Unreachable after `prepare`'s dry run succeeded (see there). Should it happen,
                // the request goes unsigned and the gateway's refusal is the answer.
                tracing::warn!(%problem, "could not sign the request");
            }
            let (outcome, latency_ms) = self.send_once(http, req, attempt, deadline).await;
            let span = tracing::Span::current();

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
                Attempt::Answered {
                    status,
                    headers,
                    body,
                    ..
                } => {
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
                    if !status.is_success() {
                        let text = crate::credentials::scrub(
                            &String::from_utf8_lossy(body),
                            &self.auth.secrets(),
                        );
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
                            Some(Duration::ZERO)
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
    /// the whole answer. Returns the outcome and the latency in milliseconds.
    async fn send_once(
        &self,
        http: &reqwest::Client,
        mut req: reqwest::Request,
        attempt: u32,
        deadline: Instant,
    ) -> (Attempt, u64) {
        let remaining = deadline.saturating_duration_since(Instant::now());
        *req.timeout_mut() = Some(
            self.attempt_timeout
                .min(remaining.max(Duration::from_millis(1))),
        );
        let span = tracing::Span::current();
        span.record("attempt", attempt);
        let started = Instant::now();
        let outcome = match http.execute(req).await {
            Err(e) => Attempt::Failed(e),
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

/// Once per call: drops `api-version` and puts the canonical query on the URL. A streamed
/// body is refused: it can be neither signed nor sent again.
pub(crate) fn prepare(req: &mut reqwest::Request) -> Result<(), LocalProblem> {
    req.headers_mut().remove("api-version");
    if let Some(q) = req.url().query().map(str::to_owned) {
        let pairs = dataarts_signing::parse_form_query(&q);
        let canonical = dataarts_signing::canonical_query(&pairs);
        req.url_mut().set_query(if canonical.is_empty() {
            None
        } else {
            Some(&canonical)
        });
    }
    if req.body().is_some_and(|body| body.as_bytes().is_none()) {
        return Err(LocalProblem::StreamingBody);
    }
    Ok(())
}

/// Per attempt: adds the credential headers, `Host`, `X-Sdk-Date`, and `Authorization`
/// (AK/SK) or `X-Auth-Token` (token), both marked sensitive. On failure the request is left
/// as it was.
pub(crate) fn sign_request(
    req: &mut reqwest::Request,
    auth: &Credentials,
    project_id: &str,
    now: SystemTime,
) -> Result<(), LocalProblem> {
    let value = |header: &str, v: &str| {
        HeaderValue::from_str(v).map_err(|_| LocalProblem::InvalidHeaderValue {
            header: header.to_string(),
        })
    };
    let sensitive = |header: &str, v: &str| {
        value(header, v).map(|mut v| {
            v.set_sensitive(true);
            v
        })
    };
    let host = match (req.url().host_str(), req.url().port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err(LocalProblem::NoHost),
    };
    let mut headers = req.headers().clone();
    headers.remove(reqwest::header::AUTHORIZATION);
    headers.insert("x-project-id", value("x-project-id", project_id)?);
    headers.insert(reqwest::header::HOST, value("host", &host)?);
    headers.insert(
        "x-sdk-date",
        value("x-sdk-date", &dataarts_signing::format_sdk_date(now))?,
    );
    match &auth.0 {
        Kind::Token(token) => {
            headers.insert(
                "x-auth-token",
                sensitive("x-auth-token", token.expose_secret())?,
            );
        }
        Kind::AkSk {
            ak,
            sk,
            security_token,
        } => {
            if let Some(t) = security_token {
                headers.insert(
                    "x-security-token",
                    sensitive("x-security-token", t.expose_secret())?,
                );
            }
            let mut list = Vec::with_capacity(headers.len());
            for (name, v) in &headers {
                let unsignable = || LocalProblem::UnsignableHeader {
                    header: name.to_string(),
                };
                let text = std::str::from_utf8(v.as_bytes()).map_err(|_| unsignable())?;
                if dataarts_signing::has_control_chars(text) {
                    return Err(unsignable());
                }
                list.push((name.as_str().to_string(), text.to_string()));
            }
            let query = req
                .url()
                .query()
                .map(dataarts_signing::parse_raw_query)
                .unwrap_or_default();
            let body = req.body().and_then(|b| b.as_bytes()).unwrap_or_default();
            let input = dataarts_signing::SigningInput {
                method: req.method().as_str(),
                path: req.url().path(),
                query: &query,
                headers: &list,
                body,
            };
            let signed = dataarts_signing::sign(ak, sk.expose_secret().as_bytes(), &input)
                .map_err(LocalProblem::Signing)?;
            headers.insert(
                reqwest::header::AUTHORIZATION,
                sensitive("authorization", &signed.authorization)?,
            );
        }
    }
    *req.headers_mut() = headers;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1() -> serde_json::Value {
        let all: serde_json::Value = serde_json::from_str(include_str!(
            "../../dataarts-signing/tests/data/signing_vectors.json"
        ))
        .unwrap();
        all["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == "V1")
            .unwrap()
            .clone()
    }

    /// The transport's signing step reproduces vector V1 byte for byte (fixed clock).
    #[test]
    fn v1_authorization_is_byte_identical() {
        let v = v1();
        let i = &v["inputs"];
        let client = reqwest::Client::new();
        let mut req = client
            .post(i["url"].as_str().unwrap())
            .header("workspace", i["headers"]["workspace"].as_str().unwrap())
            .header(
                "Content-Type",
                i["headers"]["Content-Type"].as_str().unwrap(),
            )
            .header("User-Agent", i["headers"]["User-Agent"].as_str().unwrap())
            .header("api-version", "2.0.0")
            .body(i["body"].as_str().unwrap().to_string())
            .build()
            .unwrap();
        prepare(&mut req).unwrap();
        let creds = Credentials::aksk(i["ak"].as_str().unwrap(), i["sk"].as_str().unwrap());
        let now = dataarts_signing::parse_sdk_date(i["date"].as_str().unwrap()).unwrap();
        sign_request(&mut req, &creds, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", now).unwrap();
        let auth = req.headers().get("authorization").unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(
            auth.to_str().unwrap(),
            v["expected"]["authorization"].as_str().unwrap()
        );
        assert!(req.headers().get("api-version").is_none());
        assert_eq!(req.headers()["host"], "dayu.cn-north-4.myhuaweicloud.com");
        assert_eq!(req.headers()["x-sdk-date"], "20240102T030405Z");
    }

    #[test]
    fn query_is_rewritten_canonically_and_host_keeps_the_port() {
        let client = reqwest::Client::new();
        let mut req = client
            .get("http://127.0.0.1:8443/v2/p/factory/pending-items")
            .query(&[("item_name", "daily etl~"), ("limit", "10")])
            .build()
            .unwrap();
        prepare(&mut req).unwrap();
        assert_eq!(req.url().query(), Some("item_name=daily%20etl~&limit=10"));
        let creds = Credentials::temporary("AK", "SK", "ST");
        sign_request(&mut req, &creds, "p", SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(req.headers()["host"], "127.0.0.1:8443");
        assert!(req.headers()["x-security-token"].is_sensitive());
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.contains("x-security-token"), "{auth}");
    }

    #[test]
    fn token_auth_is_unsigned_and_sensitive() {
        let client = reqwest::Client::new();
        let mut req = client.get("https://dayu.example/v2/p").build().unwrap();
        sign_request(
            &mut req,
            &Credentials::token("TOKEN"),
            "p",
            SystemTime::UNIX_EPOCH,
        )
        .unwrap();
        assert!(req.headers().get("authorization").is_none());
        assert!(req.headers()["x-auth-token"].is_sensitive());
    }

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

    proptest::proptest! {
        /// Whatever query the generated code writes, the wire carries exactly the canonical
        /// query of the same pairs, and the signature verifies against the wire form.
        #[test]
        fn query_rewrite_and_signature_round_trip(
            pairs in proptest::collection::vec(("[a-zA-Z0-9_.~+/ %&=é测-]{1,8}", "[a-zA-Z0-9_.~+/ %&=é测-]{0,8}"), 0..6),
            workspace in "[!-~]{1,40}",
        ) {
            static CLIENT: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(reqwest::Client::new);
            let mut req = CLIENT
                .get("http://127.0.0.1:8443/v2/p/factory/pending-items")
                .query(&pairs)
                .header("workspace", workspace.as_str())
                .build()
                .unwrap();
            prepare(&mut req).unwrap();
            let mut want = pairs.clone();
            want.sort();
            let wire = req.url().query().unwrap_or("").to_string();
            let mut got = dataarts_signing::parse_raw_query(&wire);
            got.sort();
            proptest::prop_assert_eq!(&got, &want);
            proptest::prop_assert_eq!(wire, dataarts_signing::canonical_query(&pairs));

            let creds = Credentials::aksk("AK", "SK");
            sign_request(&mut req, &creds, "p", SystemTime::UNIX_EPOCH).unwrap();
            let headers: Vec<(String, String)> = req
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
                .collect();
            let auth = dataarts_signing::parse_authorization(req.headers()["authorization"].to_str().unwrap()).unwrap();
            let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
            let input = dataarts_signing::SigningInput {
                method: "GET",
                path: req.url().path(),
                query: &dataarts_signing::parse_raw_query(req.url().query().unwrap_or("")),
                headers: &headers,
                body: b"",
            };
            let again = dataarts_signing::sign_with_names("AK", b"SK", &input, &names).unwrap();
            proptest::prop_assert_eq!(again.signature, auth.signature);
        }
    }
}
