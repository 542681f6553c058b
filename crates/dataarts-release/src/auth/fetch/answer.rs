//! What the sources answer: reading a bounded body, the credential document every source
//! hands back (in the official SDK's spellings), expiry times, and refusals worth quoting.

use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use serde_json::{Map, Value};

use super::super::{CredentialProblem, CredentialSource, Temporary};
use crate::credentials::scrub;
use crate::error::Error;

/// The most of an answer we read from IAM, STS, the metadata service or pod identity.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// The most of a refusal we quote in an error message.
const MAX_QUOTE: usize = 200;

/// An error about `provider`.
pub(crate) fn fail(
    provider: CredentialSource,
    problem: CredentialProblem,
    message: impl Into<String>,
) -> Error {
    Error::Credentials {
        provider,
        problem,
        message: message.into(),
    }
}

/// Why an answer could not be had.
pub(crate) enum Failure {
    /// No connection, or no full answer in time: what the HTTP library said.
    Unreachable(String),
    /// The answer was larger than [`MAX_BODY`].
    TooLarge,
}

/// Sends `request` and reads the status, headers and body (at most [`MAX_BODY`] bytes).
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
) -> Result<(u16, reqwest::header::HeaderMap, Vec<u8>), Failure> {
    let mut response = request.send().await.map_err(unreachable)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, headers, body))
}

fn unreachable(e: reqwest::Error) -> Failure {
    let what = if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    // reqwest's Display names the URL, never headers or bodies.
    Failure::Unreachable(format!("{what} ({})", without_url(&e)))
}

/// The error's text without the URL reqwest appends (we name the URL ourselves).
fn without_url(e: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    let text = root.to_string();
    if text.is_empty() {
        e.to_string()
    } else {
        text
    }
}

/// The parts of a refusal worth quoting: the service's error code and message, bounded,
/// with `secrets` (what we sent) removed.
pub(crate) fn refusal(status: u16, body: &[u8], secrets: &[&str]) -> String {
    let quoted = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => quote_json(&map),
        _ => None,
    }
    .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string());
    let mut quoted: String = quoted
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_QUOTE)
        .collect();
    quoted = scrub(&quoted, secrets);
    if quoted.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {quoted}")
    }
}

/// `{"error":{"code","message","title"}}` (IAM), `{"error_code","error_msg"}` (STS, the
/// gateway).
fn quote_json(map: &Map<String, Value>) -> Option<String> {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(Value::Object(e)) = map.get("error") {
        let code = text(e.get("code")).or_else(|| text(e.get("title")));
        let message = text(e.get("message"));
        return join(code, message);
    }
    join(
        text(map.get("error_code")).or_else(|| text(map.get("code"))),
        text(map.get("error_msg")).or_else(|| text(map.get("message"))),
    )
}

fn join(code: Option<String>, message: Option<String>) -> Option<String> {
    match (code, message) {
        (Some(c), Some(m)) => Some(format!("{c} {m}")),
        (Some(s), None) | (None, Some(s)) => Some(s),
        (None, None) => None,
    }
}

/// Reads temporary credentials as the official SDK does: under `credential` or
/// `credentials` (or at the top), `access|accessKeyId|access_key_id`,
/// `secret|secretAccessKey|secret_access_key`, `securitytoken|securityToken|security_token`,
/// `expires_at|expiration`. The error says what is missing, never a value.
pub(crate) fn parse_credential(body: &[u8]) -> Result<Temporary, String> {
    let root = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err("the answer is not a JSON object".into()),
        Err(e) => {
            return Err(format!(
                "the answer is not JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        }
    };
    let inner = match root.get("credential").or_else(|| root.get("credentials")) {
        Some(Value::Object(m)) => m,
        Some(_) => return Err("its \"credential\" is not a JSON object".into()),
        None => &root,
    };
    let field = |keys: &[&str]| -> Result<String, String> {
        let found = keys.iter().find_map(|k| match inner.get(*k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        });
        match found {
            None => Err(format!("it has no {}", keys.join(" / "))),
            Some(v) if dataarts_signing::has_control_chars(&v) => {
                Err(format!("its {} contains control characters", keys[0]))
            }
            Some(v) => Ok(v),
        }
    };
    // The AK and the security token go into headers: visible ASCII only.
    let header_field = |keys: &[&str]| -> Result<String, String> {
        let v = field(keys)?;
        match crate::validate::not_visible_ascii(&v) {
            None => Ok(v),
            Some(_) => Err(format!(
                "its {} contains a character an HTTP header cannot carry",
                keys[0]
            )),
        }
    };
    let ak = header_field(&["access", "accessKeyId", "access_key_id"])?;
    let sk = field(&["secret", "secretAccessKey", "secret_access_key"])?;
    let token = header_field(&["securitytoken", "securityToken", "security_token"])?;
    let expiry = field(&["expires_at", "expiration"])?;
    let expires_at = parse_time(&expiry).ok_or_else(|| {
        format!(
            "its expiry {:?} is not an RFC 3339 time like 2026-12-02T03:04:05.000000Z",
            expiry.chars().take(40).collect::<String>()
        )
    })?;
    Ok(Temporary {
        ak,
        sk: SecretString::from(sk),
        security_token: SecretString::from(token),
        expires_at,
    })
}

/// Parses an RFC 3339 time, with or without a fraction, in UTC (`Z`) or with an offset.
pub(crate) fn parse_time(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    if !s.is_ascii() || s.len() < "2018-02-14T00:28:07Z".len() || &s[10..11] != "T" {
        return None;
    }
    if s.ends_with(['Z', 'z']) {
        return humantime::parse_rfc3339(&format!("{}Z", &s[..s.len() - 1])).ok();
    }
    let (base, offset) = s.split_at(s.len() - 6);
    let o = offset.as_bytes();
    let sign = match o[0] {
        b'+' => 1i64,
        b'-' => -1,
        _ => return None,
    };
    if o[3] != b':' {
        return None;
    }
    let hours: u64 = offset[1..3].parse().ok()?;
    let minutes: u64 = offset[4..6].parse().ok()?;
    if hours > 23
        || minutes > 59
        || !offset[1..3]
            .bytes()
            .chain(offset[4..6].bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let local = humantime::parse_rfc3339(&format!("{base}Z")).ok()?;
    let shift = Duration::from_secs(hours * 3600 + minutes * 60);
    // Local time minus the offset is UTC.
    if sign > 0 {
        local.checked_sub(shift)
    } else {
        local.checked_add(shift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn times_with_and_without_fraction_and_offsets() {
        // 2026-12-02T03:04:05Z
        let t = at(1_796_180_645);
        assert_eq!(parse_time("2026-12-02T03:04:05Z"), Some(t));
        assert_eq!(parse_time("2026-12-02T03:04:05.000000Z"), Some(t));
        assert_eq!(
            parse_time("2026-12-02T03:04:05.5Z"),
            Some(t + Duration::from_millis(500))
        );
        assert_eq!(parse_time("2026-12-02T03:04:05+00:00"), Some(t));
        assert_eq!(parse_time("2026-12-02T11:04:05.000+08:00"), Some(t));
        assert_eq!(parse_time("2026-12-01T22:04:05-05:00"), Some(t));
        for bad in [
            "",
            "tomorrow",
            "2026-12-02 03:04:05",
            "2026-12-02T03:04:05",
            "2026-12-02T03:04:05+8:000",
            "2026-12-02T03:04:05+24:00",
            "2026-13-02T03:04:05Z",
            "2026-12-02T03:04:05+0a:00",
            "２０２６-12-02T03:04:05Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_spelling_the_sdk_reads() {
        let bodies = [
            r#"{"credential":{"access":"A","secret":"S","securitytoken":"T","expires_at":"2026-12-02T03:04:05.000000Z"}}"#,
            r#"{"credentials":{"access_key_id":"A","secret_access_key":"S","security_token":"T","expiration":"2026-12-02T03:04:05Z"}}"#,
            r#"{"credentials":{"accessKeyId":"A","secretAccessKey":"S","securityToken":"T","expiration":"2026-12-02T03:04:05Z"},"assumed_agency":{}}"#,
            r#"{"access":"A","secret":"S","securitytoken":"T","expires_at":"2026-12-02T03:04:05Z"}"#,
        ];
        for b in bodies {
            let t = parse_credential(b.as_bytes()).unwrap_or_else(|e| panic!("{b}: {e}"));
            assert_eq!(t.ak, "A");
            assert_eq!(t.sk.expose_secret(), "S");
            assert_eq!(t.security_token.expose_secret(), "T");
            assert_eq!(t.expires_at, at(1_796_180_645));
        }
    }

    #[test]
    fn malformed_answers_say_what_is_missing_without_values() {
        let cases = [
            ("not json", "not JSON"),
            ("[1]", "not a JSON object"),
            (r#"{"credential":"x"}"#, "not a JSON object"),
            (
                r#"{"credential":{"secret":"SECRETVALUE","securitytoken":"T","expires_at":"2026-12-02T03:04:05Z"}}"#,
                "no access",
            ),
            (
                r#"{"credential":{"access":"A","secret":"SECRETVALUE","expires_at":"2026-12-02T03:04:05Z"}}"#,
                "no securitytoken",
            ),
            (
                r#"{"credential":{"access":"A","secret":"SECRETVALUE","securitytoken":"T"}}"#,
                "no expires_at / expiration",
            ),
            (
                r#"{"credential":{"access":"A","secret":"SECRETVALUE","securitytoken":"T","expires_at":"soon"}}"#,
                "not an RFC 3339 time",
            ),
            (
                r#"{"credential":{"access":"A\u0000B","secret":"SECRETVALUE","securitytoken":"T","expires_at":"2026-12-02T03:04:05Z"}}"#,
                "control characters",
            ),
            (
                r#"{"credential":{"access":"\u00c4K","secret":"SECRETVALUE","securitytoken":"T","expires_at":"2026-12-02T03:04:05Z"}}"#,
                "its access contains a character an HTTP header cannot carry",
            ),
            (
                r#"{"credential":{"access":"AK","secret":"SECRETVALUE","securitytoken":"T SECRETVALUE","expires_at":"2026-12-02T03:04:05Z"}}"#,
                "its securitytoken contains a character",
            ),
        ];
        for (body, expected) in cases {
            let e = parse_credential(body.as_bytes()).err().unwrap();
            assert!(e.contains(expected), "{body}: {e}");
            assert!(!e.contains("SECRETVALUE"), "{e}");
        }
    }

    #[test]
    fn refusals_quote_code_and_message_bounded_and_scrubbed() {
        let iam = br#"{"error":{"code":401,"message":"id token my-id-token is invalid","title":"Unauthorized"}}"#;
        assert_eq!(
            refusal(401, iam, &["my-id-token"]),
            "HTTP 401: 401 id token ** redacted ** is invalid"
        );
        let sts = br#"{"error_code":"STS.0104","error_msg":"agency refused"}"#;
        assert_eq!(refusal(403, sts, &[]), "HTTP 403: STS.0104 agency refused");
        assert_eq!(refusal(404, b"", &[]), "HTTP 404");
        let long = "x".repeat(5000);
        assert!(refusal(400, long.as_bytes(), &[]).len() < 220);
        assert_eq!(refusal(401, b"line\r\nbreak", &[]), "HTTP 401: linebreak");
    }

    proptest::proptest! {
        #[test]
        fn answers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse_credential(&bytes);
            let _ = refusal(400, &bytes, &["x"]);
            let _ = parse_time(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn times_never_panic(s in "[0-9T:.+Zz -]{0,40}") {
            let _ = parse_time(&s);
        }
    }
}
