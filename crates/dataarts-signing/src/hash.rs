//! The two hash functions behind the four algorithms (SHA-256 and SM3), their HMACs and hex.

use hmac::digest::core_api::BlockSizeUser;
use hmac::digest::{Digest, KeyInit, Output};
use hmac::{Mac, SimpleHmac};
use sha2::Sha256;
use sm3::Sm3;

use crate::Algorithm;

/// The hash function an algorithm uses for the canonical request, the payload, HMAC and key
/// derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashFn {
    /// SHA-256 (`SDK-HMAC-SHA256`, `SDK-ECDSA-P256-SHA256`).
    Sha256,
    /// SM3 (`SDK-HMAC-SM3`, `SDK-SM2-SM3`).
    Sm3,
}

impl HashFn {
    /// The hash function of `algorithm`.
    pub(crate) fn of(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::HmacSha256 | Algorithm::EcdsaP256Sha256 => Self::Sha256,
            Algorithm::HmacSm3 | Algorithm::Sm2Sm3 => Self::Sm3,
        }
    }

    /// The 32-byte digest of `data`.
    pub(crate) fn digest(self, data: &[u8]) -> [u8; 32] {
        match self {
            Self::Sha256 => Sha256::digest(data).into(),
            Self::Sm3 => Sm3::digest(data).into(),
        }
    }

    /// Appends the lower-case hex digest of `data`.
    pub(crate) fn push_hex_digest(self, out: &mut String, data: &[u8]) {
        push_hex(out, &self.digest(data));
    }

    /// HMAC of `msg` keyed with `key` (any length).
    pub(crate) fn hmac(self, key: &[u8], msg: &[u8]) -> [u8; 32] {
        match self {
            Self::Sha256 => hmac::<Sha256>(key, msg).into(),
            Self::Sm3 => hmac::<Sm3>(key, msg).into(),
        }
    }
}

/// HMAC with a key of any length.
///
/// HMAC first turns the key into one block: hashed when longer than a block, then padded with
/// zeros. Doing that here lets us use the infallible block-sized constructor.
fn hmac<D: Digest + BlockSizeUser + Clone>(key: &[u8], msg: &[u8]) -> Output<D> {
    let mut block = hmac::digest::Key::<SimpleHmac<D>>::default();
    if key.len() > block.len() {
        let hashed = D::digest(key);
        let n = hashed.len().min(block.len());
        block[..n].copy_from_slice(&hashed[..n]);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut mac = <SimpleHmac<D> as KeyInit>::new(&block);
    mac.update(msg);
    mac.finalize().into_bytes()
}

/// Appends the lower-case hex form of `bytes`.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
}

/// The lower-case hex form of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// Decodes hex digits (either case); `None` for an odd length or a non-hex character.
pub(crate) fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::Hmac;

    #[test]
    fn hmac_matches_the_hmac_crate_for_every_key_length() {
        for len in 0..=200usize {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
            reference.update(b"message");
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            assert_eq!(
                HashFn::Sha256.hmac(&key, b"message"),
                expected,
                "key length {len}"
            );
            let mut reference = <Hmac<Sm3> as Mac>::new_from_slice(&key).unwrap();
            reference.update(b"message");
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            assert_eq!(
                HashFn::Sm3.hmac(&key, b"message"),
                expected,
                "key length {len}"
            );
        }
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        assert_eq!(
            to_hex(&HashFn::Sha256.hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sm3_of_abc_is_the_standard_vector() {
        // GB/T 32905-2016, example 1.
        assert_eq!(
            to_hex(&HashFn::Sm3.digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn hex_roundtrip_and_garbage() {
        assert_eq!(from_hex("00aBff"), Some(vec![0, 0xab, 0xff]));
        assert_eq!(from_hex(""), Some(vec![]));
        for bad in ["0", "zz", "0g", "é0", "+1"] {
            assert_eq!(from_hex(bad), None, "{bad:?}");
        }
        assert_eq!(to_hex(&[0, 0x0f, 0xf0]), "000ff0");
    }
}
