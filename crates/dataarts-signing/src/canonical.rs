//! Percent-encoding, canonical URI and canonical query, and small header helpers.

use std::borrow::Cow;

use percent_encoding::{percent_decode, percent_decode_str, AsciiSet, NON_ALPHANUMERIC};

/// Everything except `A-Z a-z 0-9 - _ . ~` is escaped (Python `quote(s, safe='~')`).
const QUERY_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The same set with `/` kept: encoding a whole decoded path with it equals splitting on `/`,
/// encoding each segment with [`QUERY_SET`] and joining with `/`.
const PATH_SET: &AsciiSet = &QUERY_SET.remove(b'/');

/// Percent-encodes `s` the way the official signer does.
///
/// The UTF-8 bytes of `s` are kept when they are one of `A-Z a-z 0-9 - _ . ~`; every other byte
/// is written as `%XX` with upper-case hex. A space becomes `%20` (never `+`), `~` is kept, and
/// `! * ' ( )` are escaped.
///
/// ```
/// use dataarts_signing::encode;
///
/// assert_eq!(encode("my job 测试"), "my%20job%20%E6%B5%8B%E8%AF%95");
/// assert_eq!(encode("~-_.!*'()"), "~-_.%21%2A%27%28%29");
/// assert_eq!(encode("a=b&c/d?e#f+g"), "a%3Db%26c%2Fd%3Fe%23f%2Bg");
/// ```
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    encode_into(&mut out, s.as_bytes(), QUERY_SET);
    out
}

/// Appends the percent-encoding of `bytes` under `set` to `out`.
fn encode_into(out: &mut String, bytes: &[u8], set: &'static AsciiSet) {
    for chunk in percent_encoding::percent_encode(bytes, set) {
        out.push_str(chunk);
    }
}

/// Builds the canonical URI of a request path.
///
/// `raw_path` is the path as sent on the wire (it may contain percent-escapes and raw
/// characters). It is percent-decoded as a whole (a `+` stays a `+`; invalid UTF-8 is replaced
/// with U+FFFD, as Python does), split on `/`, each segment is [`encode`]d, the segments are
/// joined with `/`, and a `/` is appended unless the result already ends with one. An empty path
/// gives `/` (the official SDK crashes on it; always send at least `/`).
///
/// A `%2F` inside a path parameter therefore becomes a real separator in the canonical URI,
/// while the wire keeps `%2F`.
///
/// ```
/// use dataarts_signing::canonical_uri;
///
/// assert_eq!(canonical_uri("/v2/x/jobs"), "/v2/x/jobs/");
/// assert_eq!(canonical_uri("/a/"), "/a/");
/// assert_eq!(canonical_uri(""), "/");
/// assert_eq!(
///     canonical_uri("/jobs/my%20job%2Fv2%2B%E6%B5%8B"),
///     "/jobs/my%20job/v2%2B%E6%B5%8B/"
/// );
/// assert_eq!(canonical_uri("/s/a b%2Fc~d(e)é%41"), "/s/a%20b/c~d%28e%29%C3%A9A/");
/// ```
pub fn canonical_uri(raw_path: &str) -> String {
    let mut out = String::with_capacity(raw_path.len() + 8);
    push_canonical_uri(&mut out, raw_path);
    out
}

/// Appends the canonical URI of `raw_path` to `out` (see [`canonical_uri`]).
pub(crate) fn push_canonical_uri(out: &mut String, raw_path: &str) {
    let start = out.len();
    if raw_path.as_bytes().contains(&b'%') {
        let decoded: Cow<'_, str> = percent_decode_str(raw_path).decode_utf8_lossy();
        encode_into(out, decoded.as_bytes(), PATH_SET);
    } else {
        encode_into(out, raw_path.as_bytes(), PATH_SET);
    }
    if !out[start..].ends_with('/') {
        out.push('/');
    }
}

/// Builds the canonical query string from raw (decoded) pairs.
///
/// The pairs are sorted by raw key, then raw value (Unicode code point order, which is Rust's
/// `str` order and differs from sorting the encoded forms), rendered as
/// `encode(key)=encode(value)` and joined with `&`. No pairs give the empty string. A client
/// must send exactly this string as the URL query.
///
/// ```
/// use dataarts_signing::canonical_query;
///
/// let pairs: Vec<(String, String)> = [("z", "1"), ("é", "2"), ("a/", "4"), ("a-", "3"), ("B", "")]
///     .iter()
///     .map(|(k, v)| (k.to_string(), v.to_string()))
///     .collect();
/// assert_eq!(canonical_query(&pairs), "B=&a-=3&a%2F=4&z=1&%C3%A9=2");
/// assert_eq!(canonical_query(&[]), "");
/// ```
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    push_canonical_query(&mut out, pairs);
    out
}

/// Appends the canonical query of `pairs` to `out` (see [`canonical_query`]).
pub(crate) fn push_canonical_query(out: &mut String, pairs: &[(String, String)]) {
    match pairs {
        [] => {}
        [(k, v)] => push_pair(out, k, v),
        _ => {
            let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
            sorted.sort_unstable();
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push('&');
                }
                push_pair(out, k, v);
            }
        }
    }
}

fn push_pair(out: &mut String, key: &str, value: &str) {
    encode_into(out, key.as_bytes(), QUERY_SET);
    out.push('=');
    encode_into(out, value.as_bytes(), QUERY_SET);
}

/// Splits a raw query string (what follows `?` on the wire, without the `?`) into decoded
/// pairs, the way the gateway reads it when it rebuilds the canonical request. Server side.
///
/// The string is split on `&`, each piece on its first `=` (a piece without `=` has an empty
/// value), and keys and values are percent-decoded **without** treating `+` as a space (invalid
/// UTF-8 is replaced with U+FFFD). Empty pieces (as in `a=1&&b=2`) are skipped, so the empty
/// string gives no pairs.
///
/// ```
/// use dataarts_signing::parse_raw_query;
///
/// assert_eq!(
///     parse_raw_query("a=1+2&b&c=x%20y%3Dz=w"),
///     vec![
///         ("a".to_string(), "1+2".to_string()),
///         ("b".to_string(), String::new()),
///         ("c".to_string(), "x y=z=w".to_string()),
///     ]
/// );
/// assert!(parse_raw_query("").is_empty());
/// ```
pub fn parse_raw_query(raw: &str) -> Vec<(String, String)> {
    split_query(raw, |s| {
        percent_decode_str(s).decode_utf8_lossy().into_owned()
    })
}

/// Decodes an `application/x-www-form-urlencoded` query, as written by `reqwest` /
/// `serde_urlencoded` (`+` is a space, `%2B` is a plus). Client side: turns the query that
/// generated code wrote into the raw pairs that [`canonical_query`] expects.
///
/// Splitting works as in [`parse_raw_query`]; empty pieces are skipped.
///
/// ```
/// use dataarts_signing::parse_form_query;
///
/// assert_eq!(
///     parse_form_query("job_name=daily+etl&tag=a%2Bb"),
///     vec![
///         ("job_name".to_string(), "daily etl".to_string()),
///         ("tag".to_string(), "a+b".to_string()),
///     ]
/// );
/// ```
pub fn parse_form_query(raw: &str) -> Vec<(String, String)> {
    split_query(raw, |s| {
        if s.as_bytes().contains(&b'+') {
            let bytes: Vec<u8> = s
                .bytes()
                .map(|b| if b == b'+' { b' ' } else { b })
                .collect();
            percent_decode(&bytes).decode_utf8_lossy().into_owned()
        } else {
            percent_decode_str(s).decode_utf8_lossy().into_owned()
        }
    })
}

fn split_query(raw: &str, decode: impl Fn(&str) -> String) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Whether the official signer adds `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (for the SM3
/// algorithms `X-Sdk-Content-Sm3`, see [`crate::Algorithm::content_hash_header`]) for a request
/// whose `Content-Type` header (named exactly so) has this value: true unless the value starts
/// with `application/json` or `application/bson`. The comparison is case-sensitive, as
/// in Python.
///
/// The added header is signed like any other; with a non-empty body its value then replaces
/// the payload hash (with an empty body the empty hash still wins).
///
/// ```
/// use dataarts_signing::needs_unsigned_payload;
///
/// assert!(!needs_unsigned_payload("application/json;charset=utf-8"));
/// assert!(!needs_unsigned_payload("application/bson"));
/// assert!(needs_unsigned_payload("application/octet-stream"));
/// assert!(needs_unsigned_payload("multipart/form-data; boundary=x"));
/// ```
pub fn needs_unsigned_payload(content_type: &str) -> bool {
    !(content_type.starts_with("application/json") || content_type.starts_with("application/bson"))
}

/// True when `value` contains a control character: any C0 character (U+0000 to U+001F,
/// including CR, LF, NUL and TAB) or DEL (U+007F).
///
/// Callers reject such header values before signing: they cannot be sent safely, and Python's
/// trimming treats some of them as whitespace.
///
/// ```
/// use dataarts_signing::has_control_chars;
///
/// assert!(has_control_chars("a\r\nX-Injected: 1"));
/// assert!(has_control_chars("nul\0"));
/// assert!(!has_control_chars("spaced    value ✓"));
/// ```
pub fn has_control_chars(value: &str) -> bool {
    // Eight bytes at a time: callers check every header value of every request.
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const DEL: u64 = u64::from_ne_bytes([0x7f; 8]);
    // Nonzero exactly when a byte of `w` is below `n` (n <= 0x80): a byte below `n` sets
    // its top bit when `n` is subtracted; any false signal from a borrow comes after a true one.
    let has_below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH != 0;
    let mut chunks = value.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        if let Ok(bytes) = <[u8; 8]>::try_from(chunk) {
            let w = u64::from_ne_bytes(bytes);
            if has_below(w, 0x20) || has_below(w ^ DEL, 1) {
                return true;
            }
        }
    }
    chunks.remainder().iter().any(|&b| b < 0x20 || b == 0x7f)
}

/// Whitespace as Python's `str.strip()` sees it: Unicode `White_Space` (what Rust's
/// `char::is_whitespace` tests) plus U+001C to U+001F.
pub(crate) fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Trims a header value at both ends exactly like Python's `str.strip()`.
pub(crate) fn python_strip(s: &str) -> &str {
    s.trim_matches(is_python_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_whitespace_set_matches_cpython() {
        // Output of CPython 3.11: [hex(i) for i in range(0x110000) if chr(i).isspace()]
        const PY: &[u32] = &[
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ];
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            assert_eq!(
                is_python_space(c),
                PY.contains(&(c as u32)),
                "U+{:04X}",
                c as u32
            );
        }
        assert_eq!(python_strip("\u{1f} a  b\u{3000}\t"), "a  b");
    }

    #[test]
    fn path_set_equals_segment_encoding() {
        let decoded = "a b/c~d(e)é/+/%/";
        let by_segment: Vec<String> = decoded.split('/').map(encode).collect();
        let mut whole = String::new();
        encode_into(&mut whole, decoded.as_bytes(), PATH_SET);
        assert_eq!(whole, by_segment.join("/"));
    }

    #[test]
    fn uri_edge_cases() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("a"), "a/");
        assert_eq!(canonical_uri("//"), "//");
        assert_eq!(canonical_uri("/a+b"), "/a%2Bb/");
        assert_eq!(canonical_uri("/%zz%4"), "/%25zz%254/");
        assert_eq!(canonical_uri("/%FF"), "/%EF%BF%BD/");
        assert_eq!(canonical_uri("/x%2F"), "/x/");
    }

    #[test]
    fn query_edge_cases() {
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            canonical_query(&[p("tag", "zeta"), p("tag", "alpha")]),
            "tag=alpha&tag=zeta"
        );
        assert_eq!(canonical_query(&[p("", "")]), "=");
        assert_eq!(parse_raw_query("&&"), vec![]);
        assert_eq!(parse_raw_query("="), vec![p("", "")]);
        assert_eq!(parse_raw_query("%zz=%E6"), vec![p("%zz", "\u{fffd}")]);
        assert_eq!(parse_form_query("a+b=c+%2B"), vec![p("a b", "c +")]);
    }

    #[test]
    fn control_chars() {
        for b in (0u8..0x20).chain([0x7f]) {
            assert!(has_control_chars(&format!("x{}y", b as char)), "{b:#x}");
        }
        assert!(!has_control_chars("\u{85}\u{a0}~ "));
    }

    #[test]
    fn control_chars_at_every_position_of_long_values() {
        let naive = |v: &[u8]| v.iter().any(|&b| b < 0x20 || b == 0x7f);
        for len in 1..=20 {
            for at in 0..len {
                for b in 0u8..=0x7f {
                    let mut v = vec![b'a'; len];
                    v[at] = b;
                    let text = std::str::from_utf8(&v).unwrap();
                    assert_eq!(
                        has_control_chars(text),
                        naive(&v),
                        "{b:#x} at {at} of {len}"
                    );
                }
            }
        }
        for filler in ["é", "€", "𝄞", "\u{7ff}"] {
            for at in 0..12 {
                for b in (0u8..=0x7f).map(char::from) {
                    let mut text: String = filler.repeat(at);
                    text.push(b);
                    text.push_str(&filler.repeat(5));
                    let want = b < ' ' || b == '\u{7f}';
                    assert_eq!(has_control_chars(&text), want, "{text:?}");
                }
            }
        }
        for text in [
            "\u{85}\u{a0}~ ä€𝄞 spaced    value ✓ and more",
            "~~~~~~~~!!!!!!!!",
        ] {
            assert!(!has_control_chars(text), "{text:?}");
        }
    }
}
