//! Reading the structured inputs, and small helpers the targets share.

use std::fmt::Debug;

/// The `X-Sdk-Date` that the `signing_roundtrip` target adds when the input has none.
pub const DEFAULT_DATE: &str = "20240102T030405Z";

/// Field separator of the structured inputs.
pub const FIELD_SEP: u8 = 0x00;
/// Record separator inside a list field.
pub const RECORD_SEP: char = '\u{1e}';
/// Name/value separator inside a record.
pub const UNIT_SEP: char = '\u{1f}';

/// The NUL-separated fields of a structured input.
pub(super) struct Fields<'a>(Vec<&'a [u8]>);

impl<'a> Fields<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Self(data.split(|&b| b == FIELD_SEP).collect())
    }

    pub(super) fn bytes(&self, i: usize) -> &'a [u8] {
        self.0.get(i).copied().unwrap_or_default()
    }

    /// Field `i` and everything after it, separators included (for bodies, which may hold
    /// NUL bytes).
    pub(super) fn rest(&self, i: usize, data: &'a [u8]) -> &'a [u8] {
        let skip: usize = self.0.iter().take(i).map(|f| f.len() + 1).sum();
        data.get(skip..).unwrap_or_default()
    }

    pub(super) fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.bytes(i)).into_owned()
    }

    pub(super) fn pairs(&self, i: usize) -> Vec<(String, String)> {
        let text = self.text(i);
        if text.is_empty() {
            return Vec::new();
        }
        text.split(RECORD_SEP)
            .map(|record| {
                let (k, v) = record.split_once(UNIT_SEP).unwrap_or((record, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    }
}

/// The value of the only header whose lower-cased name is `lower`.
pub(super) fn header<'h>(headers: &'h [(String, String)], lower: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.to_lowercase() == lower)
        .map(|(_, v)| v.as_str())
}

/// Python's `str.strip()`: Unicode whitespace plus U+001C to U+001F.
pub(super) fn python_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

pub(super) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Asserts that `out` holds only unreserved bytes, `%XX` with upper-case hex, and bytes that
/// `extra` allows.
pub(super) fn assert_only(out: &str, extra: impl Fn(u8) -> bool, what: &str, input: &dyn Debug) {
    let b = out.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.len() >= i + 3
                && b[i + 1..i + 3]
                    .iter()
                    .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c));
            assert!(ok, "{what}({input:?}) = {out:?}: bad escape at byte {i}");
            i += 3;
        } else {
            assert!(
                is_unreserved(b[i]) || extra(b[i]),
                "{what}({input:?}) = {out:?}: byte {:?} at {i}",
                char::from(b[i])
            );
            i += 1;
        }
    }
}

/// Percent-decodes like the `percent-encoding` crate: `%` and two hex digits (either case) is
/// a byte, anything else is kept as it is.
pub(super) fn pct_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

pub(super) fn hex_val(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The same string with its last character replaced by a different one.
pub(super) fn flip_last_hex(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(s.chars().count().saturating_sub(1))
        .collect();
    out.push(if s.ends_with('0') { '1' } else { '0' });
    out
}
