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
