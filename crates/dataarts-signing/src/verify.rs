//! Checking a signature the way the API Gateway does.

use std::time::{Duration, SystemTime};

use subtle::ConstantTimeEq;

use crate::ecc::{EcKey, EcRejection};
use crate::error::MismatchDetail;
use crate::sign::prepare;
use crate::{
    format_sdk_date, parse_raw_query, parse_sdk_date, ParsedAuthorization, SigningInput,
    SigningKey, VerifyError,
};

/// How far `X-Sdk-Date` may be from the gateway's clock, in either direction: 15 minutes.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Checks a received request's signature (emulator side).
///
/// Rebuilds the canonical request from what arrived: `method`, the raw request path as
/// received (`raw_path`, see [`crate::canonical_uri`]), the raw query string without the `?`
/// (`raw_query`, split and decoded by [`crate::parse_raw_query`]), exactly the headers named in
/// `auth.signed_headers` looked up case-insensitively in `received_headers` (which may contain
/// any other headers too, `Authorization` included), and the body bytes (the payload-hash
/// header rule applies, [`crate::Algorithm::content_hash_header`]), with the hash of
/// `auth.algorithm`. For the HMAC algorithms it then signs with `sk` and compares the result
/// with `auth.signature` in constant time; for the elliptic-curve ones it derives the public
/// key from the AK/SK (`auth.access`, `sk`) as the signer did and checks the DER signature.
/// To verify many requests of one elliptic-curve AK/SK, derive once with [`SigningKey::new`]
/// and call [`verify_with_key`].
///
/// The date is not compared with a clock here; do that with [`check_freshness`].
///
/// # Errors
///
/// [`VerifyError::MalformedSignature`] for an elliptic-curve signature that is not hex DER;
/// [`VerifyError::UnusableKey`] when `sk` is empty (elliptic-curve algorithms);
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
    let request = Received {
        method,
        raw_path,
        raw_query,
        received_headers,
        body,
    };
    if auth.algorithm.is_elliptic_curve() {
        let key = SigningKey::new(auth.algorithm, &auth.access, sk).map_err(VerifyError::from)?;
        check(auth, &request, key.ec_key(), &[])
    } else {
        check(auth, &request, None, sk)
    }
}

/// [`verify`] with a key made beforehand by [`SigningKey::new`] from the AK/SK of
/// `auth.access` and `auth.algorithm` (so the elliptic-curve key is derived once).
///
/// # Errors
///
/// As [`verify`]; also [`VerifyError::UnusableKey`] when the key is not for `auth.access`
/// and `auth.algorithm`.
///
/// ```
/// use dataarts_signing::{parse_authorization, verify_with_key, Algorithm, SigningInput, SigningKey};
///
/// let key = SigningKey::new(Algorithm::Sm2Sm3, "AK", b"SK")?;
/// let headers = vec![("X-Sdk-Date".to_string(), "20240102T030405Z".to_string())];
/// let input = SigningInput { method: "PUT", path: "/a", query: &[], headers: &headers, body: b"x" };
/// let auth = parse_authorization(&key.sign(&input)?.authorization)?;
/// verify_with_key(&key, &auth, "PUT", "/a", "", &headers, b"x")?;
/// assert!(verify_with_key(&key, &auth, "PUT", "/a", "", &headers, b"y").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_with_key(
    key: &SigningKey,
    auth: &ParsedAuthorization,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    received_headers: &[(String, String)],
    body: &[u8],
) -> Result<(), VerifyError> {
    if key.algorithm() != auth.algorithm || key.access_key() != auth.access {
        return Err(VerifyError::UnusableKey {
            reason: format!(
                "the SigningKey is for {} with access key {:?} but the request is signed with \
                 {} by access key {:?}; make the key with SigningKey::new from the request's \
                 algorithm and access key",
                key.algorithm(),
                key.access_key(),
                auth.algorithm,
                auth.access
            ),
        });
    }
    let request = Received {
        method,
        raw_path,
        raw_query,
        received_headers,
        body,
    };
    check(auth, &request, key.ec_key(), key.hmac_secret())
}

/// The request as received.
struct Received<'a> {
    method: &'a str,
    raw_path: &'a str,
    raw_query: &'a str,
    received_headers: &'a [(String, String)],
    body: &'a [u8],
}

/// Rebuilds the string to sign from what was received and checks the signature: with `ec`
/// for the elliptic-curve algorithms, else as an HMAC keyed with `sk`.
fn check(
    auth: &ParsedAuthorization,
    r: &Received<'_>,
    ec: Option<&EcKey>,
    sk: &[u8],
) -> Result<(), VerifyError> {
    let query = parse_raw_query(r.raw_query);
    let input = SigningInput {
        method: r.method,
        path: r.raw_path,
        query: &query,
        headers: r.received_headers,
        body: r.body,
    };
    let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
    let prepared = prepare(auth.algorithm, &input, Some(&names))?;
    let outcome = match ec {
        Some(ec) => ec.verify(prepared.string_to_sign.as_bytes(), &auth.signature),
        None => {
            let expected = prepared.hmac_hex(sk);
            let equal: bool = expected.as_bytes().ct_eq(auth.signature.as_bytes()).into();
            equal.then_some(()).ok_or(EcRejection::Mismatch)
        }
    };
    match outcome {
        Ok(()) => Ok(()),
        Err(EcRejection::Malformed(reason)) => Err(VerifyError::MalformedSignature {
            algorithm: auth.algorithm,
            reason,
        }),
        Err(EcRejection::Mismatch) => Err(VerifyError::SignatureMismatch {
            detail: MismatchDetail {
                canonical_request: prepared.canonical_request,
            },
        }),
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
