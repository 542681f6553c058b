//! Signing: what a gateway parses from untrusted requests.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dataarts_signing::{
    check_freshness, format_sdk_date, parse_authorization, parse_raw_query, parse_sdk_date,
    sign_with_names, verify, Algorithm, SigningInput, MAX_CLOCK_SKEW,
};

use super::input::*;

/// Parses untrusted `Authorization` and `X-Sdk-Date` values and verifies an arbitrary request.
///
/// Fields: `Authorization value`, `X-Sdk-Date value`, `method`, `path`, `raw query`,
/// `headers`, `SK`, `now` (decimal seconds since the epoch, optionally with `.nanos`), then
/// the body (all remaining bytes).
///
/// Invariants: nothing panics; a parsed `Authorization` has one of the four algorithms and non-empty
/// parts, and rendering it again parses to the same value; a parsed date formats back to the
/// same text, and any instant survives format-then-parse (to the second, within years
/// 0001-9999); [`check_freshness`] accepts only dates that parse; [`verify`] never accepts a
/// signature that [`sign_with_names`] would not produce.
pub fn signing_parse(data: &[u8]) {
    let f = Fields::new(data);
    let authorization = f.text(0);
    let date = f.text(1);
    let method = f.text(2);
    let path = f.text(3);
    let raw_query = f.text(4);
    let headers = f.pairs(5);
    let sk = f.bytes(6);
    let body = f.rest(8, data);

    if let Ok(auth) = parse_authorization(&authorization) {
        assert!(Algorithm::ALL.contains(&auth.algorithm));
        assert!(!auth.access.is_empty() && !auth.signature.is_empty());
        assert!(!auth.signed_headers.is_empty());
        assert!(auth.signed_headers.iter().all(|n| !n.is_empty()));
        let rendered = format!(
            "{} Access={}, SignedHeaders={}, Signature={}",
            auth.algorithm,
            auth.access,
            auth.signed_headers.join(";"),
            auth.signature
        );
        assert_eq!(
            parse_authorization(&rendered).as_ref(),
            Ok(&auth),
            "{authorization:?} re-rendered as {rendered:?}"
        );
        let result = verify(sk, &auth, &method, &path, &raw_query, &headers, body);
        // The HMAC-SHA256 signature is the one `sign_with_names` makes (the elliptic-curve
        // ones take a random nonce, so there is no one signature to compare with).
        if result.is_ok() && auth.algorithm == Algorithm::HmacSha256 {
            let query = parse_raw_query(&raw_query);
            let input = SigningInput {
                method: &method,
                path: &path,
                query: &query,
                headers: &headers,
                body,
            };
            let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
            let signed = sign_with_names(&auth.access, sk, &input, &names)
                .expect("verify accepted, so signing works");
            assert_eq!(signed.signature, auth.signature);
        }
    }

    match parse_sdk_date(&date) {
        Ok(t) => assert_eq!(format_sdk_date(t), date, "date does not format back"),
        Err(_) => assert!(check_freshness(&date, UNIX_EPOCH, Duration::MAX).is_err()),
    }
    let now = instant(&f.text(7));
    let _ = check_freshness(&date, now, MAX_CLOCK_SKEW);
    let text = format_sdk_date(now);
    assert_eq!(text.len(), 16, "format_sdk_date gave {text:?}");
    let back = parse_sdk_date(&text)
        .unwrap_or_else(|e| panic!("format_sdk_date gave {text:?}, which does not parse: {e}"));
    assert_eq!(format_sdk_date(back), text);
}

/// An instant from decimal text: whole seconds since the epoch, optionally `.` and
/// nanoseconds (`1704164645`, `-62135596801.5`). Anything else is folded into a number.
fn instant(text: &str) -> SystemTime {
    let (secs, nanos) = text.split_once('.').unwrap_or((text, "0"));
    let secs = secs.parse::<i64>().unwrap_or_else(|_| {
        text.bytes().fold(0i64, |acc, b| {
            acc.wrapping_mul(31).wrapping_add(i64::from(b))
        })
    });
    let nanos = nanos.parse::<u32>().unwrap_or(0) % 1_000_000_000;
    let offset = Duration::new(secs.unsigned_abs(), nanos);
    let t = if secs >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    t.unwrap_or(UNIX_EPOCH)
}
