//! The four signing algorithms of Huawei Cloud's API Gateway and their names.

use std::fmt;
use std::str::FromStr;

/// A signing algorithm, named as at the start of the `Authorization` header.
///
/// ```
/// use dataarts_signing::Algorithm;
/// let a: Algorithm = "sdk-hmac-sm3".parse()?;
/// assert_eq!(a, Algorithm::HmacSm3);
/// assert_eq!(a.as_str(), "SDK-HMAC-SM3");
/// # Ok::<(), dataarts_signing::UnknownAlgorithm>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// `SDK-HMAC-SHA256` (the default).
    #[default]
    HmacSha256,
    /// `SDK-HMAC-SM3`.
    HmacSm3,
    /// `SDK-ECDSA-P256-SHA256`: ECDSA on P-256 with a key derived from the AK/SK.
    EcdsaP256Sha256,
    /// `SDK-SM2-SM3`: SM2 with a key derived from the AK/SK.
    Sm2Sm3,
}

impl Algorithm {
    /// Every algorithm, the default first.
    pub const ALL: [Algorithm; 4] = [
        Algorithm::HmacSha256,
        Algorithm::HmacSm3,
        Algorithm::EcdsaP256Sha256,
        Algorithm::Sm2Sm3,
    ];

    /// The name as it appears in the `Authorization` header.
    ///
    /// ```
    /// assert_eq!(dataarts_signing::Algorithm::Sm2Sm3.as_str(), "SDK-SM2-SM3");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => "SDK-HMAC-SHA256",
            Self::HmacSm3 => "SDK-HMAC-SM3",
            Self::EcdsaP256Sha256 => "SDK-ECDSA-P256-SHA256",
            Self::Sm2Sm3 => "SDK-SM2-SM3",
        }
    }

    /// The header whose value, when present and the body is not empty, replaces the payload
    /// hash: `X-Sdk-Content-Sha256` for the SHA-256 algorithms, `X-Sdk-Content-Sm3` for the
    /// SM3 ones. The official SDK sets it to `UNSIGNED-PAYLOAD` for bodies that are not JSON
    /// (see [`crate::needs_unsigned_payload`]).
    ///
    /// ```
    /// use dataarts_signing::Algorithm;
    /// assert_eq!(Algorithm::HmacSha256.content_hash_header(), "X-Sdk-Content-Sha256");
    /// assert_eq!(Algorithm::Sm2Sm3.content_hash_header(), "X-Sdk-Content-Sm3");
    /// ```
    pub fn content_hash_header(self) -> &'static str {
        if self.uses_sm3() {
            "X-Sdk-Content-Sm3"
        } else {
            crate::CONTENT_SHA256_HEADER
        }
    }

    /// The payload hash of a request without a body: the hex hash of nothing, with SHA-256
    /// or SM3.
    ///
    /// ```
    /// use dataarts_signing::{Algorithm, EMPTY_PAYLOAD_HASH};
    /// assert_eq!(Algorithm::EcdsaP256Sha256.empty_payload_hash(), EMPTY_PAYLOAD_HASH);
    /// assert!(Algorithm::HmacSm3.empty_payload_hash().starts_with("1ab21d83"));
    /// ```
    pub fn empty_payload_hash(self) -> &'static str {
        if self.uses_sm3() {
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
        } else {
            crate::EMPTY_PAYLOAD_HASH
        }
    }

    /// Whether the signature is an elliptic-curve one (`SDK-ECDSA-P256-SHA256`,
    /// `SDK-SM2-SM3`), made with a key derived from the AK/SK and a random nonce, so that two
    /// signatures of the same request differ. The other two are HMACs keyed with the SK.
    ///
    /// ```
    /// use dataarts_signing::Algorithm;
    /// assert!(Algorithm::Sm2Sm3.is_elliptic_curve());
    /// assert!(!Algorithm::HmacSm3.is_elliptic_curve());
    /// ```
    pub fn is_elliptic_curve(self) -> bool {
        matches!(self, Self::EcdsaP256Sha256 | Self::Sm2Sm3)
    }

    /// Whether the algorithm hashes with SM3 rather than SHA-256.
    fn uses_sm3(self) -> bool {
        matches!(self, Self::HmacSm3 | Self::Sm2Sm3)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is none of the four algorithms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown signing algorithm {name:?}: use one of SDK-HMAC-SHA256, SDK-HMAC-SM3, \
     SDK-ECDSA-P256-SHA256, SDK-SM2-SM3"
)]
pub struct UnknownAlgorithm {
    /// The name given (cut after 64 characters).
    pub name: String,
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    /// Case-insensitive; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownAlgorithm {
                name: t.chars().take(64).collect(),
            })
    }
}
