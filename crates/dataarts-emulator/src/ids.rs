//! Identifiers and a small deterministic random generator.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// SplitMix64: tiny, fast, good enough for ids and fault draws, and reproducible from a seed.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A float in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Generates unique 32-lowercase-hex identifiers (request ids, task ids) without locking.
#[derive(Debug)]
pub(crate) struct HexIds {
    base: u64,
    counter: AtomicU64,
}

impl HexIds {
    pub(crate) fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5eed);
        let base = mix(nanos ^ (std::process::id() as u64).rotate_left(32));
        Self {
            base,
            counter: AtomicU64::new(0),
        }
    }

    /// A fresh id: 32 lowercase hex characters, never repeated by this generator.
    pub(crate) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // The high half is a bijective mix of the counter, so ids never collide; the low half
        // makes them look random.
        let hi = mix(n ^ self.base);
        let lo = mix(hi ^ self.base.rotate_left(17));
        hex32(hi, lo)
    }
}

fn hex32(hi: u64, lo: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for word in [hi, lo] {
        for i in (0..16).rev() {
            out.push(HEX[((word >> (i * 4)) & 0xf) as usize] as char);
        }
    }
    out
}

/// Whether `s` is exactly 32 lowercase hex characters.
pub(crate) fn is_hex32(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_hex_and_unique() {
        let g = HexIds::new();
        let a = g.next();
        let b = g.next();
        assert!(is_hex32(&a) && is_hex32(&b), "{a} {b}");
        assert_ne!(a, b);
    }

    #[test]
    fn rng_is_reproducible() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        for _ in 0..10 {
            let x = a.next_f64();
            assert!((0.0..1.0).contains(&x));
            assert_eq!(x, b.next_f64());
        }
    }
}
