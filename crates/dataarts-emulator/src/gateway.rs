//! The API gateway in front of the service: authentication (IAM token, AK/SK signature,
//! temporary credentials, fixed or issued by the identity services), project authorization
//! and rate limiting.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use dataarts_release_raw::Operation;
use dataarts_signing::{check_freshness, parse_authorization, verify, VerifyError, MAX_CLOCK_SKEW};

use crate::config::RateLimits;
use crate::error::ApiError;
use crate::identity::Issued;

/// An authenticated caller.
#[derive(Debug)]
pub(crate) struct Principal {
    /// Rate-limit key (the AK, or the token).
    pub key: Arc<str>,
    /// The user the caller acts as, if known.
    pub user_id: Option<String>,
    /// Projects the caller may access.
    pub projects: HashSet<String>,
}

struct AkSk {
    sk: Vec<u8>,
    security_token: Option<String>,
    principal: Arc<Principal>,
}

/// The accepted credentials (fixed for the emulator's lifetime).
#[derive(Default)]
pub(crate) struct Credentials {
    aksk: HashMap<String, AkSk>,
    tokens: HashMap<String, Arc<Principal>>,
}

impl std::fmt::Debug for Credentials {
    // Never prints secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("aksk", &self.aksk.len())
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

/// What the gateway needs to see of a request.
pub(crate) struct AuthInput<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

impl Credentials {
    /// Adds an AK/SK pair (a later pair with the same AK replaces an earlier one).
    pub(crate) fn add_aksk(
        &mut self,
        ak: &str,
        sk: &str,
        security_token: Option<&str>,
        user_id: Option<String>,
        projects: HashSet<String>,
    ) {
        self.aksk.insert(
            ak.to_string(),
            AkSk {
                sk: sk.as_bytes().to_vec(),
                security_token: security_token.map(str::to_string),
                principal: Arc::new(Principal {
                    key: Arc::from(format!("ak:{ak}")),
                    user_id,
                    projects,
                }),
            },
        );
    }

    /// Adds an accepted IAM token.
    pub(crate) fn add_token(
        &mut self,
        token: &str,
        user_id: Option<String>,
        projects: HashSet<String>,
    ) {
        self.tokens.insert(
            token.to_string(),
            Arc::new(Principal {
                key: Arc::from(format!("token:{}", short(token))),
                user_id,
                projects,
            }),
        );
    }

    /// Whether no credential at all is configured.
    pub(crate) fn is_empty(&self) -> bool {
        self.aksk.is_empty() && self.tokens.is_empty()
    }

    /// The principal of an accepted IAM token.
    pub(crate) fn token_principal(&self, token: &str) -> Option<Arc<Principal>> {
        self.tokens.get(token).cloned()
    }

    /// Authenticates a request: `X-Auth-Token` first, else an AK/SK `Authorization` header
    /// (a configured pair, or temporary credentials `issued` holds, until they expire).
    pub(crate) fn authenticate(
        &self,
        req: &AuthInput<'_>,
        issued: &Issued,
    ) -> Result<Arc<Principal>, ApiError> {
        if let Some(token) = req.headers.get("x-auth-token") {
            let token = token.to_str().unwrap_or("");
            return self
                .tokens
                .get(token)
                .cloned()
                .ok_or_else(|| ApiError::unauthorized("decrypt token fail"));
        }
        let Some(auth) = req.headers.get(http::header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "no credentials: send X-Auth-Token, or sign the request with AK/SK",
            ));
        };
        let auth = auth
            .to_str()
            .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))?;
        let parsed = parse_authorization(auth).map_err(ApiError::unauthorized)?;
        let temporary;
        let (sk, security_token, expires_at, principal) =
            if let Some(c) = self.aksk.get(&parsed.access) {
                (
                    c.sk.as_slice(),
                    c.security_token.as_deref(),
                    None,
                    &c.principal,
                )
            } else if let Some(t) = issued.credential(&parsed.access) {
                temporary = t;
                (
                    temporary.sk.as_bytes(),
                    Some(temporary.security_token.as_str()),
                    Some(temporary.expires_at),
                    &temporary.principal,
                )
            } else {
                return Err(ApiError::unauthorized(format!(
                    "Get secretKey failed,ak:{},err:ak not exist",
                    parsed.access
                )));
            };
        let date = header_ci(req.headers, "x-sdk-date")
            .ok_or_else(|| ApiError::unauthorized(VerifyError::MissingDate))?;
        check_freshness(date, SystemTime::now(), MAX_CLOCK_SKEW).map_err(ApiError::unauthorized)?;
        let received: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        match verify(
            sk,
            &parsed,
            req.method,
            req.raw_path,
            req.raw_query,
            &received,
            req.body,
        ) {
            Ok(()) => {}
            Err(e @ VerifyError::SignatureMismatch { .. }) => {
                if let Some(c) = e.redacted_canonical_request() {
                    tracing::debug!(canonical_request = %c, "signature mismatch");
                }
                return Err(ApiError::unauthorized("verify aksk signature fail"));
            }
            Err(e) => return Err(ApiError::unauthorized(e)),
        }
        if let Some(expected) = security_token {
            let got = header_ci(req.headers, "x-security-token");
            if got != Some(expected) {
                return Err(ApiError::unauthorized(
                    "invalid or missing X-Security-Token for temporary credentials",
                ));
            }
        }
        if let Some(at) = expires_at.filter(|at| *at <= issued.now()) {
            return Err(ApiError::unauthorized(format!(
                "the security token has expired (at {}): get new temporary credentials",
                humantime::format_rfc3339_seconds(at)
            )));
        }
        Ok(principal.clone())
    }
}

fn header_ci<'a>(h: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn short(token: &str) -> String {
    token.chars().take(64).collect()
}

/// Token buckets per caller and per operation.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    enabled: AtomicBool,
    inner: Mutex<RateInner>,
}

#[derive(Debug)]
struct RateInner {
    limits: RateLimits,
    users: HashMap<Arc<str>, Bucket>,
    apis: HashMap<Operation, Bucket>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn refill(&mut self, rate: u32, now: Instant) -> f64 {
        let rate = f64::from(rate);
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(rate);
        self.last = now;
        self.tokens
    }
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            enabled: AtomicBool::new(limits.is_enabled()),
            inner: Mutex::new(RateInner {
                limits,
                users: HashMap::new(),
                apis: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, RateInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the limits and empties the buckets.
    pub(crate) fn set(&self, limits: RateLimits) {
        let mut g = self.lock();
        g.limits = limits;
        g.users.clear();
        g.apis.clear();
        self.enabled.store(limits.is_enabled(), Ordering::Release);
    }

    /// The current limits.
    pub(crate) fn get(&self) -> RateLimits {
        self.lock().limits
    }

    /// Takes one token from the caller's bucket and the operation's bucket, or refuses with
    /// 429 (taking nothing).
    pub(crate) fn check(&self, user: &Arc<str>, op: Operation) -> Result<(), ApiError> {
        if !self.enabled.load(Ordering::Acquire) {
            return Ok(());
        }
        let now = Instant::now();
        let mut g = self.lock();
        let limits = g.limits;
        let user_rate = limits.per_user.filter(|n| *n > 0);
        let api_rate = limits.per_api.filter(|n| *n > 0);
        if let Some(rate) = user_rate {
            let b = g.users.entry(user.clone()).or_insert(Bucket {
                tokens: f64::from(rate),
                last: now,
            });
            let t = b.refill(rate, now);
            if t < 1.0 {
                return Err(ApiError::throttled("user", rate, retry_after(t, rate)));
            }
        }
        if let Some(rate) = api_rate {
            let b = g.apis.entry(op).or_insert(Bucket {
                tokens: f64::from(rate),
                last: now,
            });
            let t = b.refill(rate, now);
            if t < 1.0 {
                return Err(ApiError::throttled("api", rate, retry_after(t, rate)));
            }
            b.tokens -= 1.0;
        }
        if user_rate.is_some() {
            if let Some(b) = g.users.get_mut(user) {
                b.tokens -= 1.0;
            }
        }
        Ok(())
    }

    /// Empties the buckets (keeps the limits).
    pub(crate) fn reset(&self) {
        let mut g = self.lock();
        g.users.clear();
        g.apis.clear();
    }
}

/// Whole seconds (at least 1) until the bucket holds one token again.
fn retry_after(tokens: f64, rate: u32) -> u64 {
    let secs = (1.0 - tokens) / f64::from(rate.max(1));
    (secs.ceil() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation::DeployFactoryPackages;

    #[test]
    fn user_bucket_refuses_after_the_burst() {
        let rl = RateLimiter::new(RateLimits {
            per_user: Some(3),
            per_api: None,
        });
        let u: Arc<str> = Arc::from("u");
        for _ in 0..3 {
            rl.check(&u, OP).unwrap();
        }
        let e = rl.check(&u, OP).unwrap_err();
        assert_eq!(e.status, 429);
        assert_eq!(e.code, "APIGW.0308");
        assert!(e.retry_after.unwrap() >= 1);
        assert!(e.msg.contains("limit:3"));
        // Another user is not affected.
        rl.check(&Arc::from("v"), OP).unwrap();
        rl.set(RateLimits::disabled());
        for _ in 0..100 {
            rl.check(&u, OP).unwrap();
        }
    }

    #[test]
    fn api_bucket_is_shared() {
        let rl = RateLimiter::new(RateLimits {
            per_user: None,
            per_api: Some(2),
        });
        rl.check(&Arc::from("a"), OP).unwrap();
        rl.check(&Arc::from("b"), OP).unwrap();
        assert!(rl
            .check(&Arc::from("c"), OP)
            .unwrap_err()
            .msg
            .contains("policy api"));
        rl.check(&Arc::from("c"), Operation::CancelFactoryPackages)
            .unwrap();
    }
}
