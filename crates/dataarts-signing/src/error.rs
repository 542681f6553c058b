//! Error types. None of them ever holds the secret key or a computed signature.

use std::fmt;

use crate::Algorithm;

/// Why a request could not be signed, or an `Authorization` header or date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// No `X-Sdk-Date` header (in any case) among the headers.
    #[error(
        "the request has no X-Sdk-Date header: add `X-Sdk-Date: <UTC time as YYYYMMDDTHHMMSSZ>` \
         (see format_sdk_date) before signing"
    )]
    MissingDate,
    /// The `X-Sdk-Date` value is not a valid `YYYYMMDDTHHMMSSZ` UTC time.
    #[error(
        "X-Sdk-Date value {value:?} is not a valid UTC time of the form YYYYMMDDTHHMMSSZ \
         (for example 20240102T030405Z): {reason}; generate it with format_sdk_date"
    )]
    MalformedDate {
        /// The value received (cut after 64 characters).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two headers have the same name, compared case-insensitively.
    #[error(
        "header {name:?} appears more than once (names compare case-insensitively): \
         keep exactly one value per header name before signing"
    )]
    DuplicateHeader {
        /// The lower-cased header name.
        name: String,
    },
    /// A header that has to be signed is not among the headers.
    #[error(
        "header {name:?} must be signed but the request does not carry it: \
         send the header, or leave it out of the signed header names"
    )]
    MissingHeader {
        /// The lower-cased header name.
        name: String,
    },
    /// `x-sdk-date` is not among the names to sign; the gateway rejects such a signature.
    #[error(
        "x-sdk-date is not among the signed headers: the gateway only accepts signatures \
         that cover X-Sdk-Date, so include it in the signed header names"
    )]
    DateNotSigned,
    /// The headers to sign already contain an `Authorization` header.
    #[error(
        "the request already carries an Authorization header: sign a fresh copy of the \
         unsigned request instead (sign again, from the unsigned request, on every retry)"
    )]
    AlreadySigned,
    /// An `Authorization` header could not be parsed.
    #[error(
        "malformed Authorization header: {reason}; expected \
         `<ALGORITHM> Access=<AK>, SignedHeaders=<name;name;...>, Signature=<hex>`"
    )]
    MalformedAuthorization {
        /// What is wrong with it.
        reason: String,
    },
    /// The `Authorization` header names none of the four algorithms.
    #[error(
        "unsupported signing algorithm {algorithm:?}: use one of SDK-HMAC-SHA256, \
         SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3 (names are case-sensitive here)"
    )]
    UnsupportedAlgorithm {
        /// The algorithm token received (cut after 64 characters).
        algorithm: String,
    },
    /// [`crate::SigningKey::new`] was given an empty access key.
    #[error("the access key (AK) is empty: give the AK of the credentials to sign with")]
    EmptyAccessKey,
    /// [`crate::SigningKey::new`] was given an empty secret key.
    #[error("the secret key (SK) is empty: give the SK that belongs to the access key")]
    EmptySecretKey,
    /// No private key could be derived from the AK/SK (after the 255 tries the official SDK
    /// makes; it does not happen with real keys).
    #[error(
        "could not derive a {algorithm} signing key from this AK/SK: sign with SDK-HMAC-SHA256 \
         or SDK-HMAC-SM3 instead, or use other credentials"
    )]
    KeyDerivation {
        /// The algorithm whose key was derived.
        algorithm: Algorithm,
    },
    /// The operating system's random number generator failed while making an
    /// elliptic-curve signature's nonce.
    #[error(
        "the system random number generator failed while signing: check the operating \
         system's entropy source, or sign with an HMAC algorithm, which needs no randomness"
    )]
    Randomness,
}

/// Why a signature was rejected by [`crate::verify`] or [`crate::check_freshness`].
///
/// Each variant maps to a 401 `APIGW.0301` in the emulator. The messages never contain the
/// secret key or the signature the server expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The `Authorization` header could not be parsed.
    #[error(
        "malformed Authorization header: {reason}; expected \
         `<ALGORITHM> Access=<AK>, SignedHeaders=<name;name;...>, Signature=<hex>`"
    )]
    MalformedAuthorization {
        /// What is wrong with it.
        reason: String,
    },
    /// The `Authorization` header names none of the four algorithms.
    #[error(
        "unsupported signing algorithm {algorithm:?}: sign with one of SDK-HMAC-SHA256, \
         SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3"
    )]
    UnsupportedAlgorithm {
        /// The algorithm token received (cut after 64 characters).
        algorithm: String,
    },
    /// The `Signature` of an elliptic-curve algorithm is not hex, or not a DER-encoded pair
    /// of integers in range.
    #[error(
        "malformed {algorithm} signature: {reason}; the Signature field must be the lower-case \
         hex of a DER SEQUENCE of two INTEGERs (r, s)"
    )]
    MalformedSignature {
        /// The algorithm named in the header.
        algorithm: Algorithm,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key to verify with could not be made from the stored AK/SK.
    #[error("cannot verify with the stored credentials of this access key: {reason}")]
    UnusableKey {
        /// Why (the [`SignError`] message).
        reason: String,
    },
    /// A header listed in `SignedHeaders` did not arrive with the request.
    #[error(
        "header {name:?} is listed in SignedHeaders but was not received: the request was \
         changed after signing, or a proxy dropped the header"
    )]
    MissingSignedHeader {
        /// The lower-cased header name.
        name: String,
    },
    /// A signed header arrived more than once, so its value is ambiguous.
    #[error("signed header {name:?} was received more than once: send each signed header once")]
    DuplicateHeader {
        /// The lower-cased header name.
        name: String,
    },
    /// No `X-Sdk-Date` header arrived.
    #[error(
        "the request has no X-Sdk-Date header: signed requests must carry \
         `X-Sdk-Date: <UTC time as YYYYMMDDTHHMMSSZ>`"
    )]
    MissingDate,
    /// The `X-Sdk-Date` value is not a valid `YYYYMMDDTHHMMSSZ` UTC time.
    #[error(
        "X-Sdk-Date value {value:?} is not a valid UTC time of the form YYYYMMDDTHHMMSSZ \
         (for example 20240102T030405Z): {reason}"
    )]
    MalformedDate {
        /// The value received (cut after 64 characters).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `SignedHeaders` does not include `x-sdk-date`.
    #[error("SignedHeaders does not include x-sdk-date: the signature must cover X-Sdk-Date")]
    DateNotSigned,
    /// `X-Sdk-Date` is too far from the server's clock (see [`crate::check_freshness`]).
    #[error(
        "signature expired: X-Sdk-Date is {signed_at} but the server time is {server_time} \
         (more than {max_skew_minutes} minutes apart); synchronise the client's clock and sign \
         each attempt just before sending it"
    )]
    Expired {
        /// The `X-Sdk-Date` value of the request.
        signed_at: String,
        /// The server's time, in the same format.
        server_time: String,
        /// The allowed difference, in whole minutes.
        max_skew_minutes: u64,
    },
    /// The recomputed signature differs from the one in the `Authorization` header.
    #[error(
        "signature mismatch (verify aksk signature fail): the request was not signed with the \
         secret key of this access key, or it was changed after signing; compare the client's \
         canonical request with the server's (VerifyError::canonical_request)"
    )]
    SignatureMismatch {
        /// What the server signed; read it through [`VerifyError::canonical_request`].
        detail: MismatchDetail,
    },
}

impl VerifyError {
    /// For [`VerifyError::SignatureMismatch`], the canonical request the server recomputed
    /// from what it received; compare it with the client's to find the difference. It is never
    /// part of `Display` or `Debug`. It can hold `X-Security-Token` and `X-Auth-Token` values:
    /// log [`VerifyError::redacted_canonical_request`] instead, at debug level only, and never
    /// send it back to the client.
    pub fn canonical_request(&self) -> Option<&str> {
        match self {
            VerifyError::SignatureMismatch { detail } => Some(&detail.canonical_request),
            _ => None,
        }
    }

    /// [`VerifyError::canonical_request`] with the value of every header line replaced by
    /// `<redacted>` (the names, the method, the path, the query, the signed-header list and the
    /// body hash stay): what the emulator may log. Signed headers can carry anything a client
    /// chose to sign (`cookie`, `x-security-token`, `x-auth-token`...), so no value is kept.
    ///
    /// ```
    /// use dataarts_signing::{parse_authorization, verify, VerifyError};
    /// let headers = vec![
    ///     ("host".to_string(), "h".to_string()),
    ///     ("cookie".to_string(), "session=secret".to_string()),
    ///     ("x-sdk-date".to_string(), "20240102T030405Z".to_string()),
    /// ];
    /// let auth = parse_authorization(
    ///     "SDK-HMAC-SHA256 Access=AK, SignedHeaders=cookie;host;x-sdk-date, Signature=00",
    /// )
    /// .unwrap();
    /// let err = verify(b"SK", &auth, "GET", "/v1/x", "", &headers, b"").unwrap_err();
    /// let logged = err.redacted_canonical_request().unwrap();
    /// assert!(logged.contains("cookie:<redacted>\n") && !logged.contains("secret"));
    /// ```
    pub fn redacted_canonical_request(&self) -> Option<String> {
        self.canonical_request().map(redact_canonical_request)
    }
}

/// Replaces the value of every header line of a canonical request (`method`, `uri`, `query`,
/// header lines, an empty line, the signed-header names, the body hash). Whatever does not
/// have that shape is redacted after the query line.
fn redact_canonical_request(canonical: &str) -> String {
    let lines: Vec<&str> = canonical.split('\n').collect();
    let headers_end = if lines.len() >= 6 {
        lines.len() - 3
    } else {
        lines.len()
    };
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if (3..headers_end).contains(&i) {
                match line.split_once(':') {
                    Some((name, _)) => format!("{name}:<redacted>"),
                    None => "<redacted>".to_string(),
                }
            } else {
                (*line).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Details kept with [`VerifyError::SignatureMismatch`]. Its `Debug` output shows only sizes.
#[derive(Clone, PartialEq, Eq)]
pub struct MismatchDetail {
    pub(crate) canonical_request: String,
}

impl fmt::Debug for MismatchDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MismatchDetail {{ canonical_request: <{} bytes, see VerifyError::canonical_request> }}",
            self.canonical_request.len()
        )
    }
}

impl From<SignError> for VerifyError {
    fn from(e: SignError) -> Self {
        match e {
            SignError::MissingDate => VerifyError::MissingDate,
            SignError::MalformedDate { value, reason } => {
                VerifyError::MalformedDate { value, reason }
            }
            SignError::DuplicateHeader { name } => VerifyError::DuplicateHeader { name },
            SignError::MissingHeader { name } => VerifyError::MissingSignedHeader { name },
            SignError::DateNotSigned => VerifyError::DateNotSigned,
            SignError::MalformedAuthorization { reason } => {
                VerifyError::MalformedAuthorization { reason }
            }
            SignError::UnsupportedAlgorithm { algorithm } => {
                VerifyError::UnsupportedAlgorithm { algorithm }
            }
            SignError::AlreadySigned => VerifyError::MalformedAuthorization {
                reason: "the signed headers include Authorization itself".to_string(),
            },
            e @ (SignError::EmptyAccessKey
            | SignError::EmptySecretKey
            | SignError::KeyDerivation { .. }
            | SignError::Randomness) => VerifyError::UnusableKey {
                reason: e.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        let creq = "GET\n/v1/a/\nq=1\nhost:h\nX-Auth-Token:abc\nx-security-token:TOKEN+/=\ncookie:c=SECRET\nx-sdk-date:d\n\ncookie;host;x-auth-token;x-security-token;x-sdk-date\nhash";
        let r = redact_canonical_request(creq);
        assert!(
            !r.contains("TOKEN") && !r.contains("abc") && !r.contains("SECRET"),
            "{r}"
        );
        assert_eq!(
            r,
            "GET\n/v1/a/\nq=1\nhost:<redacted>\nX-Auth-Token:<redacted>\n\
             x-security-token:<redacted>\ncookie:<redacted>\nx-sdk-date:<redacted>\n\n\
             cookie;host;x-auth-token;x-security-token;x-sdk-date\nhash"
        );
        // Lines without the expected shape are redacted whole, without panicking.
        assert_eq!(
            redact_canonical_request("GET\n/\n\nx-sécurity-token:é\nnot-a-header"),
            "GET\n/\n\nx-sécurity-token:<redacted>\n<redacted>"
        );
        assert_eq!(redact_canonical_request(""), "");
    }
}
