//! Who may call the admin endpoints: a client on this machine that names the emulator's own
//! address, never a web page (CSRF, DNS rebinding), and, when a token is configured, only a
//! holder of the token.
//!
//! The checks, in order: exactly one `Host` (a missing one only for HTTP/1.0) that is
//! `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT`; no `Origin` other than
//! `http://` + one of those (`Origin: null` is refused); no `Sec-Fetch-Site` other than
//! `same-origin` or `none`; no HTML-form content type on a call that changes state (old browsers
//! post forms cross-site without an `Origin`); the admin token, when one is configured.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Response, Version};

use crate::app::{error_response, Body};
use crate::error::ApiError;

/// How every refusal message starts.
const PREFIX: &str = "admin request refused: ";

/// Longest accepted admin token, in bytes.
const MAX_TOKEN_LEN: usize = 1024;

/// The secret the admin endpoints require when one is configured
/// (`Authorization: Bearer <token>`); see [`crate::EmulatorBuilder::admin_token`].
///
/// Its `Debug` never shows the value. Parsing (`--admin-token`) accepts any string, so that a
/// parse error never echoes the secret; [`AdminToken::new`] checks it, and the emulator does
/// when it starts.
///
/// ```
/// use dataarts_emulator::AdminToken;
/// let t: AdminToken = "s3cret-admin-token".parse().unwrap();
/// assert!(!format!("{t:?}").contains("s3cret"));
/// assert!(AdminToken::new(t.as_str()).is_ok());
/// assert!(AdminToken::new("two words").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

impl AdminToken {
    /// Checks a token: 1 to 1024 visible ASCII characters (it travels in a header).
    ///
    /// # Errors
    ///
    /// An empty or too long token, or one with spaces, control or non-ASCII characters; the
    /// message says which (without the value).
    pub fn new(token: impl Into<String>) -> Result<Self, String> {
        let token = token.into();
        if token.is_empty() {
            return Err("the admin token is empty".to_string());
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(format!(
                "the admin token is longer than {MAX_TOKEN_LEN} bytes"
            ));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "the admin token may only hold visible ASCII characters (no spaces, control \
                 or non-ASCII characters): it is sent in an Authorization header"
                    .to_string(),
            );
        }
        Ok(Self(token))
    }

    /// The token itself (to hand to [`crate::EmulatorBuilder::admin_token`]).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn matches(&self, presented: &[u8]) -> bool {
        constant_time_eq(self.0.as_bytes(), presented)
    }
}

impl FromStr for AdminToken {
    type Err = std::convert::Infallible;

    /// Keeps the string as is (unchecked: see [`AdminToken::new`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(** redacted **)")
    }
}

/// Compares without stopping at the first difference, so the time taken does not tell an
/// attacker how much of a guess was right (only whether the length was).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y));
    diff == 0
}

/// Refusals logged at warn level before only every power of two is (the rest at debug), so
/// that a flood of refused requests cannot flood the log.
const WARN_FIRST: u64 = 10;

/// The admin API's gate: the listening port and the optional token.
#[derive(Debug)]
pub(crate) struct AdminGuard {
    port: u16,
    token: Option<AdminToken>,
    refused: AtomicU64,
}

impl AdminGuard {
    pub(crate) fn new(port: u16, token: Option<AdminToken>) -> Self {
        Self {
            port,
            token,
            refused: AtomicU64::new(0),
        }
    }

    /// `None` when the request may reach the admin endpoints, else the refusal to send.
    pub(crate) fn refusal(&self, parts: &Parts, request_id: &str) -> Option<Response<Body>> {
        self.check_origin(parts)
            .and_then(|()| self.check_token(&parts.headers))
            .err()
            .map(|e| {
                let n = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
                let reason = e.msg.strip_prefix(PREFIX).unwrap_or(&e.msg);
                if n <= WARN_FIRST || n.is_power_of_two() {
                    tracing::warn!(status = e.status, method = %parts.method, refused_so_far = n, "admin request refused: {reason}");
                } else {
                    tracing::debug!(status = e.status, method = %parts.method, refused_so_far = n, "admin request refused: {reason}");
                }
                let mut resp = error_response(&e, request_id);
                if e.status == 401 {
                    resp.headers_mut().insert(
                        http::header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Bearer realm=\"dataarts-emulator admin\""),
                    );
                }
                resp
            })
    }

    fn addresses(&self) -> [String; 3] {
        let p = self.port;
        [
            format!("127.0.0.1:{p}"),
            format!("localhost:{p}"),
            format!("[::1]:{p}"),
        ]
    }

    fn local_authority(&self, authority: &str) -> bool {
        let a = authority.to_ascii_lowercase();
        let a = match (self.port, a.strip_suffix(":80")) {
            (80, Some(bare)) => bare.to_string(),
            _ => a,
        };
        let bare = ["127.0.0.1", "localhost", "[::1]"];
        self.addresses().contains(&a) || (self.port == 80 && bare.contains(&a.as_str()))
    }

    fn check_origin(&self, parts: &Parts) -> Result<(), ApiError> {
        let use_url = format!("use http://127.0.0.1:{}", self.port);
        let hosts: Vec<&HeaderValue> = parts.headers.get_all(http::header::HOST).iter().collect();
        match hosts.as_slice() {
            [] if parts.version <= Version::HTTP_10 => {}
            [] => return Err(refused(format!("no Host header: {use_url}/_emulator/..."))),
            [one] => {
                if !one.to_str().is_ok_and(|h| self.local_authority(h)) {
                    return Err(refused(format!(
                        "Host {} is not this emulator's address (DNS rebinding?): {use_url}/_emulator/...",
                        shown(one.as_bytes())
                    )));
                }
            }
            _ => return Err(refused("more than one Host header: send one")),
        }
        if let Some(auth) = parts.uri.authority() {
            if !self.local_authority(auth.as_str()) {
                return Err(refused(format!(
                    "the request target names another host: {use_url}/_emulator/..."
                )));
            }
        }
        for origin in parts.headers.get_all(http::header::ORIGIN) {
            let ok = origin
                .to_str()
                .ok()
                .and_then(|o| {
                    o.get(..7)
                        .filter(|s| s.eq_ignore_ascii_case("http://"))
                        .map(|_| &o[7..])
                })
                .is_some_and(|a| self.addresses().contains(&a.to_ascii_lowercase()));
            if !ok {
                return Err(refused(format!(
                    "cross-site Origin {}: the admin API answers only http://127.0.0.1:{p} or \
                     http://localhost:{p}, never a web page of another site",
                    shown(origin.as_bytes()),
                    p = self.port
                )));
            }
        }
        if let Some(site) = parts.headers.get("sec-fetch-site") {
            let site = site.as_bytes();
            if !(site.eq_ignore_ascii_case(b"same-origin") || site.eq_ignore_ascii_case(b"none")) {
                return Err(refused(format!(
                    "Sec-Fetch-Site {}: the admin API does not answer requests a web page sends \
                     to another site; {use_url}/_emulator/... from a script or curl",
                    shown(site)
                )));
            }
        }
        if changes_state(&parts.method) {
            if let Some(ct) = parts.headers.get(http::header::CONTENT_TYPE) {
                if is_form_type(ct.as_bytes()) {
                    return Err(refused(format!(
                        "Content-Type {}: the admin API refuses HTML-form content types on calls \
                         that change state; send Content-Type: application/json (or no body)",
                        shown(ct.as_bytes())
                    )));
                }
            }
        }
        Ok(())
    }

    fn check_token(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let presented = headers
            .get(http::header::AUTHORIZATION)
            .map(HeaderValue::as_bytes)
            .and_then(|v| {
                let scheme = v.get(..7)?;
                scheme
                    .eq_ignore_ascii_case(b"bearer ")
                    .then(|| v[7..].trim_ascii())
            });
        match presented {
            Some(p) if token.matches(p) => Ok(()),
            Some(_) => Err(unauthorized(
                "wrong admin token: send Authorization: Bearer <token> with the value the \
                 emulator was started with (--admin-token or DATAARTS_EMULATOR_ADMIN_TOKEN)",
            )),
            None => Err(unauthorized(
                "this emulator requires its admin token: send Authorization: Bearer <token> with \
                 the value it was started with (--admin-token or DATAARTS_EMULATOR_ADMIN_TOKEN)",
            )),
        }
    }
}

fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The content types an HTML `<form>` (or a no-CORS `fetch`) can send cross-site.
fn is_form_type(ct: &[u8]) -> bool {
    let essence = ct
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    [
        &b"application/x-www-form-urlencoded"[..],
        b"multipart/form-data",
        b"text/plain",
    ]
    .iter()
    .any(|t| essence.eq_ignore_ascii_case(t))
}

/// A header value as it may appear in an answer or a log line: escaped, at most 64 bytes.
fn shown(v: &[u8]) -> String {
    let cut = &v[..v.len().min(64)];
    let s = format!("{:?}", String::from_utf8_lossy(cut));
    if v.len() > 64 {
        format!("{s}...")
    } else {
        s
    }
}

fn refused(msg: impl Into<String>) -> ApiError {
    ApiError {
        status: 403,
        code: "EMU.0403",
        msg: format!("{PREFIX}{}", msg.into()),
        gateway: false,
        retry_after: None,
    }
}

fn unauthorized(msg: &str) -> ApiError {
    ApiError {
        status: 401,
        code: "EMU.0401",
        msg: format!("{PREFIX}{msg}"),
        gateway: false,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder()
            .method("POST")
            .uri("/_emulator/reset");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn status(g: &AdminGuard, headers: &[(&str, &str)]) -> u16 {
        g.refusal(&parts(headers), "r")
            .map_or(200, |r| r.status().as_u16())
    }

    #[test]
    fn hosts_origins_and_tokens() {
        let g = AdminGuard::new(8080, None);
        assert_eq!(status(&g, &[("host", "127.0.0.1:8080")]), 200);
        assert_eq!(status(&g, &[("host", "LOCALHOST:8080")]), 200);
        assert_eq!(status(&g, &[("host", "[::1]:8080")]), 200);
        assert_eq!(status(&g, &[("host", "127.0.0.1:8081")]), 403);
        assert_eq!(status(&g, &[("host", "127.0.0.1")]), 403);
        assert_eq!(status(&g, &[]), 403);
        let two = [("host", "127.0.0.1:8080"), ("host", "evil:8080")];
        assert_eq!(status(&g, &two), 403);
        let h = ("host", "localhost:8080");
        assert_eq!(status(&g, &[h, ("origin", "http://localhost:8080")]), 200);
        assert_eq!(status(&g, &[h, ("origin", "null")]), 403);
        assert_eq!(status(&g, &[h, ("origin", "https://localhost:8080")]), 403);
        assert_eq!(status(&g, &[h, ("sec-fetch-site", "cross-site")]), 403);
        assert_eq!(status(&g, &[h, ("sec-fetch-site", "none")]), 200);
        assert_eq!(status(&g, &[h, ("content-type", "Text/Plain; x=1")]), 403);
        assert_eq!(status(&g, &[h, ("content-type", "application/json")]), 200);

        let t = AdminGuard::new(80, Some(AdminToken::new("tok").unwrap()));
        assert_eq!(status(&t, &[("host", "localhost")]), 401);
        assert_eq!(
            status(
                &t,
                &[("host", "localhost"), ("authorization", "Bearer tok")]
            ),
            200
        );
        assert_eq!(
            status(
                &t,
                &[("host", "localhost:80"), ("authorization", "bearer tok")]
            ),
            200
        );
        assert_eq!(
            status(&t, &[("host", "localhost"), ("authorization", "Bearer to")]),
            401
        );
        assert_eq!(
            status(&t, &[("host", "localhost"), ("authorization", "Basic tok")]),
            401
        );
    }

    #[test]
    fn tokens_are_checked_and_never_shown() {
        assert!(AdminToken::new("").is_err());
        assert!(AdminToken::new("a b").is_err());
        assert!(AdminToken::new("ä").is_err());
        assert!(AdminToken::new("x".repeat(MAX_TOKEN_LEN + 1)).is_err());
        let t = AdminToken::new("visible-secret").unwrap();
        assert!(!format!("{t:?}").contains("visible"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"abc", b"ab"));
        assert_eq!(shown(&[b'a'; 100]).len(), 2 + 64 + 3);
    }
}
