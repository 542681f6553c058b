//! Parsing the `Authorization` header: `<ALGORITHM> Access=<AK>, SignedHeaders=<h1;h2>,
//! Signature=<hex>`, the first thing the gateway checks.

use crate::date::truncate_for_message;
use crate::{Algorithm, SignError};

/// The parts of an `<ALGORITHM> Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// The algorithm named first in the header.
    pub algorithm: Algorithm,
    /// The access key id (`Access=`).
    pub access: String,
    /// The signed header names, in the order listed (`SignedHeaders=`, split on `;`).
    pub signed_headers: Vec<String>,
    /// The signature as sent (`Signature=`): 64 lower-case hex digits for the HMAC
    /// algorithms, the hex of a DER `(r, s)` pair (about 140 digits) for the others.
    pub signature: String,
}

/// Parses an `Authorization` header value of the form
/// `<ALGORITHM> Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<hex>`.
///
/// `<ALGORITHM>` is one of the four names of [`Algorithm`], spelt exactly (upper case), as
/// the gateway wants it. Surrounding whitespace is ignored, and so are spaces around the
/// comma-separated fields, which may come in any order. Each of the three fields must appear
/// exactly once with a non-empty value, `SignedHeaders` must not contain empty names, and no
/// other field is allowed. Any other algorithm gives [`SignError::UnsupportedAlgorithm`];
/// anything else that does not fit gives [`SignError::MalformedAuthorization`].
///
/// ```
/// use dataarts_signing::parse_authorization;
///
/// let auth = parse_authorization(
///     "SDK-HMAC-SHA256 Access=TESTAK0123456789ABCD, SignedHeaders=host;x-sdk-date, \
///      Signature=9f88e82d66ecdf81c1087c5b8f56c2d7a8789ade57e9f2b05b7b120d427789e1",
/// )?;
/// assert_eq!(auth.algorithm, dataarts_signing::Algorithm::HmacSha256);
/// assert_eq!(auth.access, "TESTAK0123456789ABCD");
/// assert_eq!(auth.signed_headers, ["host", "x-sdk-date"]);
/// assert!(parse_authorization("V11-HMAC-SHA256 Credential=AK/20240102/r/s, x").is_err());
/// # Ok::<(), dataarts_signing::SignError>(())
/// ```
pub fn parse_authorization(value: &str) -> Result<ParsedAuthorization, SignError> {
    let malformed = |reason: &str| SignError::MalformedAuthorization {
        reason: reason.to_string(),
    };
    let value = value.trim_matches([' ', '\t']);
    let (algorithm, rest) = match value.split_once(' ') {
        Some(parts) => parts,
        None if known(value).is_some() => {
            return Err(malformed(
                "it has no Access, SignedHeaders and Signature fields",
            ))
        }
        None if value.is_empty() => return Err(malformed("it is empty")),
        None => (value, ""),
    };
    let Some(algorithm) = known(algorithm) else {
        return Err(SignError::UnsupportedAlgorithm {
            algorithm: truncate_for_message(algorithm),
        });
    };

    let mut access = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in rest.split(',') {
        let field = field.trim_matches([' ', '\t']);
        let Some((key, val)) = field.split_once('=') else {
            return Err(malformed(if field.is_empty() {
                "it has an empty field (check the commas)"
            } else {
                "a field has no '='"
            }));
        };
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => {
                return Err(SignError::MalformedAuthorization {
                    reason: format!(
                        "unknown field {:?} (only Access, SignedHeaders and Signature are allowed)",
                        truncate_for_message(key)
                    ),
                })
            }
        };
        if slot.is_some() {
            return Err(SignError::MalformedAuthorization {
                reason: format!("the field {key} appears more than once"),
            });
        }
        if val.is_empty() {
            return Err(SignError::MalformedAuthorization {
                reason: format!("the field {key} is empty"),
            });
        }
        *slot = Some(val);
    }

    let access = access.ok_or_else(|| malformed("the Access field is missing"))?;
    let signed_headers =
        signed_headers.ok_or_else(|| malformed("the SignedHeaders field is missing"))?;
    let signature = signature.ok_or_else(|| malformed("the Signature field is missing"))?;
    let names: Vec<String> = signed_headers.split(';').map(str::to_string).collect();
    if names.iter().any(String::is_empty) {
        return Err(malformed("SignedHeaders contains an empty header name"));
    }
    Ok(ParsedAuthorization {
        algorithm,
        access: access.to_string(),
        signed_headers: names,
        signature: signature.to_string(),
    })
}

/// The algorithm spelt exactly `name`.
fn known(name: &str) -> Option<Algorithm> {
    Algorithm::ALL.into_iter().find(|a| a.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_spacing_and_order_variants() {
        let a = parse_authorization(
            "  SDK-HMAC-SHA256 Signature=ab,SignedHeaders=x-sdk-date ,  Access=AK \t",
        )
        .unwrap();
        assert_eq!(a.algorithm, Algorithm::HmacSha256);
        assert_eq!(a.access, "AK");
        assert_eq!(a.signed_headers, ["x-sdk-date"]);
        assert_eq!(a.signature, "ab");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "SDK-HMAC-SHA256",
            "SDK-SM2-SM3",
            "SDK-HMAC-SHA256 ",
            "SDK-HMAC-SHA256 Access=AK",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x, Signature=ab",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Access=AK",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Extra=1",
            "SDK-HMAC-SHA256 Access=AK,, SignedHeaders=host, Signature=ab",
            "SDK-HMAC-SHA256 Access AK, SignedHeaders=host, Signature=ab",
        ] {
            assert!(
                matches!(
                    parse_authorization(bad),
                    Err(SignError::MalformedAuthorization { .. })
                ),
                "{bad:?}: {:?}",
                parse_authorization(bad)
            );
        }
    }

    #[test]
    fn rejects_other_algorithms() {
        for bad in [
            "SDK-HMAC-SHA1 Access=AK, SignedHeaders=host, Signature=ab",
            "sdk-hmac-sha256 Access=AK, SignedHeaders=host, Signature=ab",
            "Sdk-Sm2-Sm3 Access=AK, SignedHeaders=host, Signature=ab",
            "SDK-ECDSA-P256-SHA256X Access=AK, SignedHeaders=host, Signature=ab",
            "V11-HMAC-SHA256 Credential=AK/20240102/r/s, SignedHeaders=host, Signature=ab",
            "Bearer",
        ] {
            assert!(
                matches!(
                    parse_authorization(bad),
                    Err(SignError::UnsupportedAlgorithm { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn accepts_each_algorithm_name() {
        for algorithm in Algorithm::ALL {
            let a = parse_authorization(&format!(
                "{algorithm} Access=AK, SignedHeaders=host;x-sdk-date, Signature=3045"
            ))
            .unwrap();
            assert_eq!(a.algorithm, algorithm);
            assert_eq!(a.signature, "3045");
        }
    }
}
