//! The two elliptic-curve algorithms: `SDK-ECDSA-P256-SHA256` and `SDK-SM2-SM3`.
//!
//! Neither needs a key pair from anywhere: the private key is derived from the AK/SK the way
//! the official SDK does it (one block of a counter-mode HMAC key derivation, SP 800-108
//! style), so the gateway, which knows the SK, derives the same public key and verifies.
//!
//! ```text
//! for counter in 0..=254:
//!     candidate = HMAC(key = SK, 00000001 || ALGORITHM || 00 || AK || counter || 00000100)
//!     if candidate <= n - 2: private key = candidate + 1
//! ```
//!
//! HMAC uses the algorithm's own hash (SHA-256 or SM3) and `n` is the order of its curve.
//! Signatures are DER `SEQUENCE { INTEGER r, INTEGER s }`, sent as lower-case hex, made with
//! a fresh random nonce each time (hedged: RFC 6979 mixed with random bytes), so two
//! signatures of the same request differ.
//!
//! SM2 hashes `ZA || message` with SM3, where `ZA` is computed like the official SDK does: the
//! public key coordinates are written in their shortest big-endian form (the standard uses
//! 32 bytes; the two differ when a coordinate starts with a zero byte).

use ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use ecdsa::signature::{RandomizedSigner, Verifier};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::PrimeField;
use rand_core_06::OsRng;

use crate::hash::HashFn;
use crate::{Algorithm, SignError};

/// The SM2 distinguishing identifier the official SDK uses (the standard's default).
const SM2_DIST_ID: &str = "1234567812345678";

/// A derived private key, ready to sign.
#[derive(Clone)]
pub(crate) enum EcKey {
    /// `SDK-ECDSA-P256-SHA256`.
    P256(p256::ecdsa::SigningKey),
    /// `SDK-SM2-SM3`, with its `ZA`.
    Sm2(sm2::dsa::SigningKey, [u8; 32]),
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EcRejection {
    /// The signature is not hex, or not a DER pair of integers in range.
    Malformed(&'static str),
    /// Well-formed, but not a signature of this message with this key.
    Mismatch,
}

impl EcKey {
    /// Derives the key of `algorithm` (one of the two EC algorithms) from the AK/SK.
    pub(crate) fn derive(algorithm: Algorithm, ak: &str, sk: &[u8]) -> Result<Self, SignError> {
        match algorithm {
            Algorithm::EcdsaP256Sha256 => {
                let d = derive_scalar::<p256::Scalar>(algorithm, ak, sk)?;
                let d = p256::NonZeroScalar::new(d)
                    .into_option()
                    .ok_or(SignError::KeyDerivation { algorithm })?;
                Ok(Self::P256(p256::ecdsa::SigningKey::from(d)))
            }
            Algorithm::Sm2Sm3 => {
                let d = derive_scalar::<sm2::Scalar>(algorithm, ak, sk)?;
                let d = sm2::NonZeroScalar::new(d)
                    .into_option()
                    .ok_or(SignError::KeyDerivation { algorithm })?;
                let key = sm2::dsa::SigningKey::from_nonzero_scalar(SM2_DIST_ID, d)
                    .map_err(|_| SignError::KeyDerivation { algorithm })?;
                let za = sdk_za(&key.verifying_key().to_encoded_point(false));
                Ok(Self::Sm2(key, za))
            }
            Algorithm::HmacSha256 | Algorithm::HmacSm3 => {
                Err(SignError::KeyDerivation { algorithm })
            }
        }
    }

    /// The uncompressed SEC1 public key: `04 || x || y`.
    pub(crate) fn public_key(&self) -> Vec<u8> {
        match self {
            Self::P256(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            Self::Sm2(k, _) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        }
    }

    /// Signs `message` (the string to sign) with a fresh nonce; returns the DER signature.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .try_sign_with_rng(&mut OsRng, message)
                    .map_err(|_| SignError::Randomness)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::Sm2(k, za) => {
                let e = sm2_prehash(za, message);
                let sig: sm2::dsa::Signature = k
                    .sign_prehash_with_rng(&mut OsRng, &e)
                    .map_err(|_| SignError::Randomness)?;
                let der = ecdsa::Signature::<sm2::Sm2>::from_scalars(sig.r_bytes(), sig.s_bytes())
                    .map_err(|_| SignError::Randomness)?
                    .to_der();
                Ok(der.as_bytes().to_vec())
            }
        }
    }

    /// Checks a DER signature (as sent: hex) of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature_hex: &str) -> Result<(), EcRejection> {
        let der = crate::hash::from_hex(signature_hex)
            .ok_or(EcRejection::Malformed("the signature is not hexadecimal"))?;
        match self {
            Self::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(&der).map_err(|_| {
                    EcRejection::Malformed("the signature is not a DER-encoded ECDSA P-256 pair")
                })?;
                k.verifying_key()
                    .verify(message, &sig)
                    .map_err(|_| EcRejection::Mismatch)
            }
            Self::Sm2(k, za) => {
                let sig = ecdsa::Signature::<sm2::Sm2>::from_der(&der)
                    .ok()
                    .and_then(|s| {
                        let (r, s) = s.split_bytes();
                        sm2::dsa::Signature::from_scalars(r, s).ok()
                    })
                    .ok_or(EcRejection::Malformed(
                        "the signature is not a DER-encoded SM2 pair",
                    ))?;
                k.verifying_key()
                    .verify_prehash(&sm2_prehash(za, message), &sig)
                    .map_err(|_| EcRejection::Mismatch)
            }
        }
    }
}

/// The private scalar for `algorithm`, derived from the AK/SK like the official SDK.
fn derive_scalar<S>(algorithm: Algorithm, ak: &str, sk: &[u8]) -> Result<S, SignError>
where
    S: PrimeField,
    S::Repr: From<[u8; 32]>,
{
    let hash = HashFn::of(algorithm);
    let name = algorithm.as_str().as_bytes();
    let mut data = Vec::with_capacity(4 + name.len() + 1 + ak.len() + 1 + 4);
    for counter in 0u8..0xff {
        data.clear();
        data.extend_from_slice(&[0, 0, 0, 1]);
        data.extend_from_slice(name);
        data.push(0);
        data.extend_from_slice(ak.as_bytes());
        data.push(counter);
        data.extend_from_slice(&[0, 0, 1, 0]);
        let candidate = hash.hmac(sk, &data);
        // `from_repr` accepts exactly the values below n; n - 1 is refused too, since the
        // SDK takes candidates up to n - 2 and adds one.
        if let Some(c) = S::from_repr(S::Repr::from(candidate)).into_option() {
            let d = c + S::ONE;
            if !bool::from(d.is_zero()) {
                return Ok(d);
            }
        }
    }
    Err(SignError::KeyDerivation { algorithm })
}

/// `SM3(ZA || message)`: the value SM2 signs.
fn sm2_prehash(za: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut m = Vec::with_capacity(za.len() + message.len());
    m.extend_from_slice(za);
    m.extend_from_slice(message);
    HashFn::Sm3.digest(&m)
}

/// `ZA = SM3(ENTL || ID || a || b || xG || yG || xA || yA)` with the coordinates of the public
/// key in their shortest big-endian form, as the official SDK writes them.
fn sdk_za(public: &sm2::EncodedPoint) -> [u8; 32] {
    const A: &str = "fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc";
    const B: &str = "28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93";
    const GX: &str = "32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7";
    const GY: &str = "bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0";
    let id = SM2_DIST_ID.as_bytes();
    let mut z = Vec::with_capacity(2 + id.len() + 6 * 32);
    let bits = (id.len() * 8) as u16;
    z.extend_from_slice(&bits.to_be_bytes());
    z.extend_from_slice(id);
    for constant in [A, B, GX, GY] {
        z.extend(crate::hash::from_hex(constant).unwrap_or_default());
    }
    for coordinate in [public.x(), public.y()].into_iter().flatten() {
        let first = coordinate
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(coordinate.len());
        z.extend_from_slice(&coordinate[first..]);
    }
    HashFn::Sm3.digest(&z)
}
