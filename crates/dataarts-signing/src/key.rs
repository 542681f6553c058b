//! [`SigningKey`]: an AK/SK made ready to sign with one of the four algorithms.

use std::fmt;

use zeroize::Zeroizing;

use crate::ecc::EcKey;
use crate::sign::{check_for, prepare};
use crate::{Algorithm, HeaderPair, SignError, Signed, SigningInput};

/// An access key and its secret, ready to sign requests with one [`Algorithm`].
///
/// For the two elliptic-curve algorithms, [`SigningKey::new`] derives the private key from
/// the AK/SK once (a few hundred microseconds); keep the `SigningKey` for as long as the
/// credentials stay the same and sign every request with it. For the HMAC algorithms it just
/// keeps a copy of the SK.
///
/// `Debug` shows the algorithm and the access key, never the secret key or the derived key.
///
/// ```
/// use dataarts_signing::{parse_authorization, verify, Algorithm, SigningInput, SigningKey};
///
/// let headers = vec![
///     ("Host".to_string(), "dayu.cn-north-4.myhuaweicloud.com".to_string()),
///     ("X-Sdk-Date".to_string(), "20240102T030405Z".to_string()),
/// ];
/// let input = SigningInput { method: "GET", path: "/v1/jobs", query: &[], headers: &headers, body: b"" };
/// for algorithm in Algorithm::ALL {
///     let key = SigningKey::new(algorithm, "AK", b"SK")?;
///     let signed = key.sign(&input)?;
///     assert!(signed.authorization.starts_with(&format!("{algorithm} Access=AK, ")));
///     // The gateway's side: it knows the SK of "AK".
///     let auth = parse_authorization(&signed.authorization)?;
///     assert_eq!(auth.algorithm, algorithm);
///     verify(b"SK", &auth, "GET", "/v1/jobs", "", &headers, b"")?;
/// }
/// assert!(!format!("{:?}", SigningKey::new(Algorithm::Sm2Sm3, "AK", b"SK")?).contains("SK\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    algorithm: Algorithm,
    access: String,
    secret: Secret,
}

/// What signs: the SK itself (HMAC), wiped on drop, or the derived private key (which the
/// curve crates wipe on drop).
#[derive(Clone)]
enum Secret {
    Hmac(Zeroizing<Vec<u8>>),
    Ec(EcKey),
}

impl SigningKey {
    /// Prepares `ak`/`sk` to sign with `algorithm`, deriving the private key of the
    /// elliptic-curve algorithms like the official SDK.
    ///
    /// # Errors
    ///
    /// [`SignError::EmptyAccessKey`] or [`SignError::EmptySecretKey`] when either is empty
    /// (the official SDK refuses them too), and [`SignError::KeyDerivation`] when no key can
    /// be derived (it does not happen with real keys).
    ///
    /// ```
    /// use dataarts_signing::{Algorithm, SignError, SigningKey};
    ///
    /// let key = SigningKey::new(Algorithm::HmacSm3, "AK", b"SK")?;
    /// assert_eq!((key.algorithm(), key.access_key()), (Algorithm::HmacSm3, "AK"));
    /// assert_eq!(SigningKey::new(Algorithm::HmacSm3, "AK", b"").unwrap_err(), SignError::EmptySecretKey);
    /// # Ok::<(), SignError>(())
    /// ```
    pub fn new(algorithm: Algorithm, ak: &str, sk: &[u8]) -> Result<Self, SignError> {
        if ak.is_empty() {
            return Err(SignError::EmptyAccessKey);
        }
        if sk.is_empty() {
            return Err(SignError::EmptySecretKey);
        }
        let secret = if algorithm.is_elliptic_curve() {
            Secret::Ec(EcKey::derive(algorithm, ak, sk)?)
        } else {
            Secret::Hmac(Zeroizing::new(sk.to_vec()))
        };
        Ok(Self {
            algorithm,
            access: ak.to_string(),
            secret,
        })
    }

    /// The algorithm this key signs with.
    ///
    /// ```
    /// # use dataarts_signing::{Algorithm, SigningKey};
    /// let key = SigningKey::new(Algorithm::default(), "AK", b"SK")?;
    /// assert_eq!(key.algorithm(), Algorithm::HmacSha256);
    /// # Ok::<(), dataarts_signing::SignError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The access key (AK), as put in `Access=` of the `Authorization` header.
    ///
    /// ```
    /// # use dataarts_signing::{Algorithm, SigningKey};
    /// assert_eq!(SigningKey::new(Algorithm::Sm2Sm3, "MYAK", b"SK")?.access_key(), "MYAK");
    /// # Ok::<(), dataarts_signing::SignError>(())
    /// ```
    pub fn access_key(&self) -> &str {
        &self.access
    }

    /// For the elliptic-curve algorithms, the derived public key as uncompressed SEC1 bytes
    /// (`04 || x || y`, 65 bytes): what the gateway derives from the SK to verify. `None` for
    /// the HMAC algorithms. It is not secret.
    ///
    /// ```
    /// # use dataarts_signing::{Algorithm, SigningKey};
    /// let key = SigningKey::new(Algorithm::EcdsaP256Sha256, "AK", b"SK")?;
    /// assert_eq!(key.public_key().map(|k| k.len()), Some(65));
    /// assert_eq!(SigningKey::new(Algorithm::HmacSha256, "AK", b"SK")?.public_key(), None);
    /// # Ok::<(), dataarts_signing::SignError>(())
    /// ```
    pub fn public_key(&self) -> Option<Vec<u8>> {
        match &self.secret {
            Secret::Hmac(_) => None,
            Secret::Ec(k) => Some(k.public_key()),
        }
    }

    /// Signs a request like the official SDK's signer for this algorithm.
    ///
    /// Everything is as in [`crate::sign`], with the algorithm's hash (SHA-256 or SM3) for the
    /// canonical request and the payload, and its payload-hash header
    /// ([`Algorithm::content_hash_header`]). The elliptic-curve signatures use a fresh random
    /// nonce, so signing the same request twice gives two different valid signatures.
    ///
    /// # Errors
    ///
    /// As [`crate::sign`]; also [`SignError::Randomness`] if the system's random number
    /// generator fails (elliptic-curve algorithms only).
    ///
    /// ```
    /// use dataarts_signing::{Algorithm, SigningInput, SigningKey};
    ///
    /// let headers = [("Host", "dayu.example"), ("X-Sdk-Date", "20240102T030405Z")];
    /// let input = SigningInput { method: "GET", path: "/", query: &[], headers: &headers, body: b"" };
    /// let signed = SigningKey::new(Algorithm::HmacSm3, "AK", b"SK")?.sign(&input)?;
    /// assert!(signed.string_to_sign.starts_with("SDK-HMAC-SM3\n20240102T030405Z\n"));
    /// # Ok::<(), dataarts_signing::SignError>(())
    /// ```
    pub fn sign<H: HeaderPair>(&self, input: &SigningInput<'_, H>) -> Result<Signed, SignError> {
        self.sign_prepared(input, None)
    }

    /// Signs over exactly the given header names, like [`crate::sign_with_names`].
    ///
    /// # Errors
    ///
    /// As [`crate::sign_with_names`], plus [`SignError::Randomness`] (see [`SigningKey::sign`]).
    ///
    /// ```
    /// use dataarts_signing::{Algorithm, SigningInput, SigningKey};
    ///
    /// let headers = [("Host", "dayu.example"), ("X-Sdk-Date", "20240102T030405Z")];
    /// let input = SigningInput { method: "GET", path: "/", query: &[], headers: &headers, body: b"" };
    /// let key = SigningKey::new(Algorithm::EcdsaP256Sha256, "AK", b"SK")?;
    /// assert_eq!(key.sign_with_names(&input, &["x-sdk-date"])?.signed_headers, "x-sdk-date");
    /// # Ok::<(), dataarts_signing::SignError>(())
    /// ```
    pub fn sign_with_names<H: HeaderPair>(
        &self,
        input: &SigningInput<'_, H>,
        signed_names: &[&str],
    ) -> Result<Signed, SignError> {
        self.sign_prepared(input, Some(signed_names))
    }

    /// Returns the error [`SigningKey::sign`] would return for `input` (other than
    /// [`SignError::Randomness`]), without hashing anything; see [`crate::check`].
    ///
    /// # Errors
    ///
    /// The same as [`SigningKey::sign`], for the same inputs.
    ///
    /// ```
    /// use dataarts_signing::{Algorithm, SignError, SigningInput, SigningKey};
    ///
    /// let headers = [("Host", "dayu.example")];
    /// let input = SigningInput { method: "GET", path: "/", query: &[], headers: &headers, body: b"" };
    /// let key = SigningKey::new(Algorithm::Sm2Sm3, "AK", b"SK")?;
    /// assert_eq!(key.check(&input), Err(SignError::MissingDate));
    /// # Ok::<(), SignError>(())
    /// ```
    pub fn check<H: HeaderPair>(&self, input: &SigningInput<'_, H>) -> Result<(), SignError> {
        check_for(self.algorithm, input)
    }

    fn sign_prepared<H: HeaderPair>(
        &self,
        input: &SigningInput<'_, H>,
        names: Option<&[&str]>,
    ) -> Result<Signed, SignError> {
        let prepared = prepare(self.algorithm, input, names)?;
        Ok(match &self.secret {
            Secret::Hmac(sk) => prepared.hmac_signed(&self.access, sk),
            Secret::Ec(key) => {
                let der = key.sign(prepared.string_to_sign.as_bytes())?;
                prepared.into_signed(&self.access, crate::hash::to_hex(&der))
            }
        })
    }

    /// The SK of the HMAC algorithms (empty for the others; for [`crate::verify`]).
    pub(crate) fn hmac_secret(&self) -> &[u8] {
        match &self.secret {
            Secret::Hmac(sk) => sk,
            Secret::Ec(_) => &[],
        }
    }

    /// The derived elliptic-curve key, if any (for [`crate::verify`]).
    pub(crate) fn ec_key(&self) -> Option<&EcKey> {
        match &self.secret {
            Secret::Hmac(_) => None,
            Secret::Ec(k) => Some(k),
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .field("access_key", &self.access)
            .field("secret", &"<redacted>")
            .finish()
    }
}
