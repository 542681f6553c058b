//! A timestamp that tolerates both wire forms Huawei uses.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Milliseconds since the Unix epoch (UTC).
///
/// Decodes from a JSON number (`1544777083000`, as documented) or a numeric string
/// (`"1544777083000"`, as the official SDK models some fields); always encodes a number.
///
/// ```
/// use dataarts_release_raw::EpochMillis;
/// let a: EpochMillis = serde_json::from_str("1544777083000").unwrap();
/// let b: EpochMillis = serde_json::from_str("\"1544777083000\"").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(serde_json::to_string(&a).unwrap(), "1544777083000");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EpochMillis(pub i64);

impl EpochMillis {
    /// The raw millisecond count.
    pub fn millis(self) -> i64 {
        self.0
    }
}

impl From<i64> for EpochMillis {
    fn from(millis: i64) -> Self {
        Self(millis)
    }
}

impl fmt::Display for EpochMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for EpochMillis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for EpochMillis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MillisVisitor)
    }
}

struct MillisVisitor;

impl Visitor<'_> for MillisVisitor {
    type Value = EpochMillis;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("milliseconds since the epoch, as a number or a numeric string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<EpochMillis, E> {
        Ok(EpochMillis(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<EpochMillis, E> {
        i64::try_from(v)
            .map(EpochMillis)
            .map_err(|_| E::custom(format!("timestamp {v} is out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<EpochMillis, E> {
        if v.fract() == 0.0 && v.is_finite() && v.abs() < 9.0e15 {
            Ok(EpochMillis(v as i64))
        } else {
            Err(E::custom(format!(
                "timestamp {v} is not a whole number of milliseconds"
            )))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<EpochMillis, E> {
        v.trim()
            .parse::<i64>()
            .map(EpochMillis)
            .map_err(|_| E::custom(format!("timestamp {v:?} is not a number of milliseconds")))
    }
}

#[cfg(test)]
mod tests {
    use super::EpochMillis;

    #[test]
    fn decodes_numbers_and_numeric_strings_and_rejects_the_rest() {
        let n: EpochMillis = serde_json::from_str("1747106460000").unwrap();
        assert_eq!(n.millis(), 1_747_106_460_000);
        let s: EpochMillis = serde_json::from_str("\" 1747106460000\"").unwrap();
        assert_eq!(s, n);
        let f: EpochMillis = serde_json::from_str("1747106460000.0").unwrap();
        assert_eq!(f, n);
        assert!(serde_json::from_str::<EpochMillis>("\"soon\"").is_err());
        assert!(serde_json::from_str::<EpochMillis>("1.5").is_err());
        assert!(serde_json::from_str::<EpochMillis>("18446744073709551615").is_err());
        assert!(serde_json::from_str::<EpochMillis>("true").is_err());
    }

    #[test]
    fn encodes_a_number() {
        assert_eq!(serde_json::to_string(&EpochMillis(5)).unwrap(), "5");
    }
}
