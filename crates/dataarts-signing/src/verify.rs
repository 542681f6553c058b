//! Checking a signature the way the API Gateway does.

use std::time::{Duration, SystemTime};

use subtle::ConstantTimeEq;

use crate::error::MismatchDetail;
use crate::{
    format_sdk_date, parse_raw_query, parse_sdk_date, sign_with_names, ParsedAuthorization,
    SigningInput, VerifyError, ALGORITHM,
};

/// How far `X-Sdk-Date` may be from the gateway's clock, in either direction: 15 minutes.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Checks a received request's signature (emulator side).
///
/// Rebuilds the canonical request from what arrived: `method`, the raw request path as
/// received (`raw_path`, see [`crate::canonical_uri`]), the raw query string without the `?`
/// (`raw_query`, split and decoded by [`crate::parse_raw_query`]), exactly the headers named in
/// `auth.signed_headers` looked up case-insensitively in `received_headers` (which may contain
/// any other headers too, `Authorization` included), and the body bytes (the
/// `X-Sdk-Content-Sha256` rule applies). It then signs with `sk` and compares the result with
/// `auth.signature` in constant time.
///
/// The date is not compared with a clock here; do that with [`check_freshness`].
///
/// # Errors
///
/// [`VerifyError::UnsupportedAlgorithm`] for an algorithm other than [`ALGORITHM`];
/// [`VerifyError::MissingDate`] / [`VerifyError::MalformedDate`] for a missing or malformed
/// `X-Sdk-Date`; [`VerifyError::DateNotSigned`] when `SignedHeaders` lacks `x-sdk-date`;
/// [`VerifyError::MissingSignedHeader`] / [`VerifyError::DuplicateHeader`] when a signed header
/// is absent or repeated; [`VerifyError::SignatureMismatch`] when the signature differs.
///
/// ```
/// use dataarts_signing::{parse_authorization, verify, VerifyError};
///
/// // Vector V12: GET http://127.0.0.1:8443/
/// let headers = vec![
///     ("Host".to_string(), "127.0.0.1:8443".to_string()),
///     ("X-Sdk-Date".to_string(), "20240102T030405Z".to_string()),
/// ];
/// let auth = parse_authorization(
///     "SDK-HMAC-SHA256 Access=TESTAK0123456789ABCD, SignedHeaders=host;x-sdk-date, \
///      Signature=9f88e82d66ecdf81c1087c5b8f56c2d7a8789ade57e9f2b05b7b120d427789e1",
/// )?;
/// let sk = b"TestSecretKey0123456789abcdefghijklmnopq";
/// assert_eq!(verify(sk, &auth, "GET", "/", "", &headers, b""), Ok(()));
/// assert!(matches!(
///     verify(sk, &auth, "GET", "/", "x=1", &headers, b""),
///     Err(VerifyError::SignatureMismatch { .. })
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(
    sk: &[u8],
    auth: &ParsedAuthorization,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    received_headers: &[(String, String)],
    body: &[u8],
) -> Result<(), VerifyError> {
    if auth.algorithm != ALGORITHM {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: crate::date::truncate_for_message(&auth.algorithm),
        });
    }
    let query = parse_raw_query(raw_query);
    let input = SigningInput {
        method,
        path: raw_path,
        query: &query,
        headers: received_headers,
        body,
    };
    let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
    let recomputed = sign_with_names(&auth.access, sk, &input, &names)?;
    let equal: bool = recomputed
        .signature
        .as_bytes()
        .ct_eq(auth.signature.as_bytes())
        .into();
    if equal {
        Ok(())
    } else {
        Err(VerifyError::SignatureMismatch {
            detail: MismatchDetail {
                canonical_request: recomputed.canonical_request,
            },
        })
    }
}

/// Checks that an `X-Sdk-Date` value is within `max_skew` of `now`, in either direction (the
/// gateway allows [`MAX_CLOCK_SKEW`]).
///
/// # Errors
///
/// [`VerifyError::MalformedDate`] when the value does not parse, and
/// [`VerifyError::Expired`] (whose message shows both times) when it is too far from `now`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use dataarts_signing::{check_freshness, VerifyError, MAX_CLOCK_SKEW};
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_704_164_645); // 20240102T030405Z
/// assert!(check_freshness("20240102T031905Z", now, MAX_CLOCK_SKEW).is_ok());
/// let err = check_freshness("20240102T031906Z", now, MAX_CLOCK_SKEW).unwrap_err();
/// assert!(matches!(err, VerifyError::Expired { .. }));
/// assert!(err.to_string().contains("20240102T030405Z"));
/// ```
pub fn check_freshness(date: &str, now: SystemTime, max_skew: Duration) -> Result<(), VerifyError> {
    let signed_at = parse_sdk_date(date)?;
    let skew = match signed_at.duration_since(now) {
        Ok(ahead) => ahead,
        Err(behind) => behind.duration(),
    };
    if skew <= max_skew {
        Ok(())
    } else {
        Err(VerifyError::Expired {
            signed_at: date.to_string(),
            server_time: format_sdk_date(now),
            max_skew_minutes: max_skew.as_secs() / 60,
        })
    }
}
