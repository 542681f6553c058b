//! Huawei Cloud API Gateway AK/SK request signing, with the four algorithms of the official
//! SDKs: `SDK-HMAC-SHA256` (the default), `SDK-HMAC-SM3`, `SDK-ECDSA-P256-SHA256` and
//! `SDK-SM2-SM3`.
//!
//! This crate reproduces what the official Python SDK runtime (`huaweicloudsdkcore` 3.1.219,
//! `signer/signer.py`) computes when it signs a request, byte for byte for the HMAC
//! algorithms, and offers the same computation to the other side of the wire: an emulator that
//! has to check signatures the way the API Gateway does.
//!
//! It is pure and synchronous: no I/O, no clock (dates are passed in), no HTTP-library types
//! (only `&str`, byte slices and pairs of strings), and no panics on any input. The only thing
//! it takes from the operating system is randomness, for the nonces of the elliptic-curve
//! signatures.
//!
//! # The algorithm
//!
//! ```text
//! CanonicalRequest = METHOD "\n" CanonicalURI "\n" CanonicalQuery "\n"
//!                    CanonicalHeaders "\n" SignedHeaders "\n" HexPayloadHash
//! StringToSign     = ALGORITHM "\n" <X-Sdk-Date> "\n" hex(HASH(CanonicalRequest))
//! Authorization    = ALGORITHM " Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>"
//! ```
//!
//! * [`canonical_uri`]: percent-decode the path, split on `/`, [`encode`] each segment, end in `/`.
//! * [`canonical_query`]: sort the raw pairs by key then value, render `enc(k)=enc(v)`, join with `&`.
//!   The client puts exactly this string on the wire as the query.
//! * Canonical headers: `name:value\n` per signed header, names lower-cased and sorted, values
//!   trimmed at both ends (inner runs of spaces are kept).
//! * Payload hash: the hash of nothing for an empty body, otherwise the value of the
//!   algorithm's payload-hash header when present ([`Algorithm::content_hash_header`], see
//!   [`needs_unsigned_payload`]), otherwise the hex hash of the body.
//!
//! | Algorithm | `HASH` | `Signature` |
//! |---|---|---|
//! | `SDK-HMAC-SHA256` | SHA-256 | hex(HMAC-SHA256(key = SK, StringToSign)) |
//! | `SDK-HMAC-SM3` | SM3 | hex(HMAC-SM3(key = SK, StringToSign)) |
//! | `SDK-ECDSA-P256-SHA256` | SHA-256 | hex(DER(ECDSA-P256-SHA256(d, StringToSign))) |
//! | `SDK-SM2-SM3` | SM3 | hex(DER(SM2-SM3(d, StringToSign))) |
//!
//! For the two elliptic-curve algorithms the private key `d` is derived from the AK/SK (an
//! HMAC of the algorithm name and the AK, keyed with the SK, repeated with a counter until the
//! value fits the curve), so the gateway, which knows the SK, derives the public key and
//! verifies. Their signatures use a fresh random nonce: two signatures of the same request
//! differ, and both are valid. [`SigningKey`] derives once and signs many times.
//!
//! # Client side
//!
//! [`sign`] signs with `SDK-HMAC-SHA256`; [`SigningKey`] with any of the four.
//!
//! ```
//! use dataarts_signing::{canonical_query, sign, Algorithm, SigningInput, SigningKey};
//!
//! let query = vec![("limit".to_string(), "10".to_string())];
//! let headers = vec![
//!     ("Content-Type".to_string(), "application/json".to_string()),
//!     ("Host".to_string(), "dayu.cn-north-4.myhuaweicloud.com".to_string()),
//!     ("X-Sdk-Date".to_string(), "20240102T030405Z".to_string()),
//! ];
//! let input = SigningInput {
//!     method: "GET",
//!     path: "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/factory/jobs",
//!     query: &query,
//!     headers: &headers,
//!     body: b"",
//! };
//! let signed = sign("TESTAK0123456789ABCD", b"TestSecretKey0123456789abcdefghijklmnopq", &input)?;
//! // Send `Authorization: <signed.authorization>` and use this exact string as the URL query.
//! assert_eq!(canonical_query(&query), "limit=10");
//! assert_eq!(signed.signed_headers, "content-type;host;x-sdk-date");
//! assert!(signed.authorization.starts_with("SDK-HMAC-SHA256 Access=TESTAK0123456789ABCD, "));
//!
//! let key = SigningKey::new(Algorithm::Sm2Sm3, "TESTAK0123456789ABCD", b"TestSecretKey0123456789abcdefghijklmnopq")?;
//! let signed = key.sign(&input)?;
//! assert!(signed.authorization.starts_with("SDK-SM2-SM3 Access=TESTAK0123456789ABCD, "));
//! # Ok::<(), dataarts_signing::SignError>(())
//! ```
//!
//! # Emulator side
//!
//! ```
//! # use dataarts_signing::{sign, SigningInput};
//! use dataarts_signing::{parse_authorization, verify};
//! # let headers = vec![
//! #     ("Host".to_string(), "127.0.0.1:8443".to_string()),
//! #     ("X-Sdk-Date".to_string(), "20240102T030405Z".to_string()),
//! # ];
//! # let input = SigningInput { method: "GET", path: "/", query: &[], headers: &headers, body: b"" };
//! # let authorization_header = sign("AK", b"SK", &input).unwrap().authorization;
//! let auth = parse_authorization(&authorization_header)?; // any of the four algorithms
//! // ... look up the SK of `auth.access`, check the date with `check_freshness` ...
//! verify(b"SK", &auth, "GET", "/", "", &headers, b"")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod algorithm;
mod auth;
mod canonical;
mod date;
mod ecc;
mod error;
mod hash;
mod key;
mod sign;
mod verify;

pub use algorithm::{Algorithm, UnknownAlgorithm};
pub use auth::{parse_authorization, ParsedAuthorization};
pub use canonical::{
    canonical_query, canonical_uri, encode, has_control_chars, needs_unsigned_payload,
    parse_form_query, parse_raw_query,
};
pub use date::{format_sdk_date, parse_sdk_date};
pub use error::{MismatchDetail, SignError, VerifyError};
pub use key::SigningKey;
pub use sign::{check, sign, sign_with_names, HeaderPair, Signed, SigningInput};
pub use verify::{check_freshness, verify, verify_with_key, MAX_CLOCK_SKEW};

/// The name of the default algorithm, [`Algorithm::HmacSha256`], the one [`sign`],
/// [`sign_with_names`] and [`check`] use, as it appears at the start of the `Authorization`
/// header and on the first line of the string to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Name of the header that carries the signing time (`YYYYMMDDTHHMMSSZ`, UTC).
///
/// It is looked up case-insensitively; the official SDK adds it under this spelling.
pub const DATE_HEADER: &str = "X-Sdk-Date";

/// Name of the header whose value, when present and the body is not empty, replaces the
/// payload hash in the canonical request, for the SHA-256 algorithms (the SM3 ones use
/// `X-Sdk-Content-Sm3`: see [`Algorithm::content_hash_header`]). It is looked up
/// case-insensitively.
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";

/// Value of [`CONTENT_SHA256_HEADER`] that the official signer adds for non-JSON bodies
/// (see [`needs_unsigned_payload`]).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Lower-case hex SHA-256 of the empty string: the payload hash of every request without a
/// body, whatever its headers say, for the SHA-256 algorithms (see
/// [`Algorithm::empty_payload_hash`]).
pub const EMPTY_PAYLOAD_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
