//! Signing: canonical URI, canonical query, query parsing and percent-encoding.

use dataarts_signing::{
    canonical_query, canonical_uri, encode, has_control_chars, parse_form_query, parse_raw_query,
};

use super::input::*;

/// Canonical URI, canonical query, query parsing and percent-encoding.
///
/// Fields: `path`, `query pairs`, `raw query string`, `text to encode`, `permutation bytes`.
///
/// Invariants:
/// - [`encode`] writes only `A-Z a-z 0-9 - _ . ~` and `%XX` (upper-case hex), one or three
///   characters per input byte, and percent-decoding gives the input back;
/// - [`canonical_uri`] ends with `/`, writes only unreserved characters, `/` and `%XX`, is
///   idempotent, and percent-decodes to the lossy percent-decoding of its input (plus the
///   trailing `/`);
/// - [`canonical_query`] is the same for every permutation of the pairs, writes only
///   unreserved characters, `=`, `&` and `%XX`, has one `=` per pair, and parses back (raw and
///   form) to the sorted pairs;
/// - [`parse_raw_query`] yields one pair per non-empty `&` piece, each the lossy
///   percent-decoding of its key and value; [`parse_form_query`] agrees with it when there is
///   no `+`; canonicalizing a parsed query is idempotent;
/// - [`has_control_chars`] is true exactly for C0 characters and DEL.
pub fn signing_canonical(data: &[u8]) {
    let f = Fields::new(data);
    let path = f.text(0);
    let pairs = f.pairs(1);
    let raw_query = f.text(2);
    let free = f.text(3);
    let perm = f.bytes(4);

    for s in [&path, &raw_query, &free] {
        check_encode(s);
        assert_eq!(
            has_control_chars(s),
            s.chars().any(|c| c < ' ' || c == '\u{7f}'),
            "has_control_chars({s:?})"
        );
    }
    check_canonical_uri(&path);
    check_canonical_uri(&free);
    check_canonical_query(&pairs, perm);
    check_parsed_query(&raw_query);
    check_parsed_query(&free);
}

fn check_encode(s: &str) {
    let e = encode(s);
    assert_only(&e, |_| false, "encode", &s);
    let expected_len: usize = s
        .bytes()
        .map(|b| if is_unreserved(b) { 1 } else { 3 })
        .sum();
    assert_eq!(e.len(), expected_len, "encode({s:?}) = {e:?}");
    assert_eq!(
        pct_decode(&e),
        s.as_bytes(),
        "encode({s:?}) = {e:?} does not decode back"
    );
}

fn check_canonical_uri(path: &str) {
    let c = canonical_uri(path);
    assert!(
        c.ends_with('/'),
        "canonical_uri({path:?}) = {c:?} lacks the trailing '/'"
    );
    assert_only(&c, |b| b == b'/', "canonical_uri", &path);
    assert_eq!(
        canonical_uri(&c),
        c,
        "canonical_uri is not idempotent on {path:?}"
    );
    let mut decoded = String::from_utf8_lossy(&pct_decode(path)).into_owned();
    if !decoded.ends_with('/') {
        decoded.push('/');
    }
    assert_eq!(
        String::from_utf8_lossy(&pct_decode(&c)),
        decoded,
        "canonical_uri({path:?}) = {c:?} does not decode to the decoded path"
    );
    if !path.contains('%') {
        let by_segment: Vec<String> = path.split('/').map(encode).collect();
        let mut expected = by_segment.join("/");
        if !expected.ends_with('/') {
            expected.push('/');
        }
        assert_eq!(
            c, expected,
            "canonical_uri({path:?}) differs from per-segment encoding"
        );
    }
}

fn check_canonical_query(pairs: &[(String, String)], perm: &[u8]) {
    let cq = canonical_query(pairs);
    assert_only(&cq, |b| b == b'=' || b == b'&', "canonical_query", &pairs);
    if pairs.is_empty() {
        assert_eq!(cq, "");
    } else {
        assert_eq!(cq.matches('=').count(), pairs.len(), "{pairs:?} -> {cq:?}");
        assert_eq!(
            cq.matches('&').count(),
            pairs.len() - 1,
            "{pairs:?} -> {cq:?}"
        );
    }

    let mut reversed = pairs.to_vec();
    reversed.reverse();
    assert_eq!(
        canonical_query(&reversed),
        cq,
        "order matters for {pairs:?}"
    );
    let mut shuffled = pairs.to_vec();
    if !shuffled.is_empty() {
        let n = shuffled.len();
        shuffled.rotate_left(perm.first().map_or(0, |&b| usize::from(b)) % n);
        for w in perm.chunks(2) {
            let (i, j) = (
                usize::from(w[0]) % n,
                usize::from(*w.last().unwrap_or(&0)) % n,
            );
            shuffled.swap(i, j);
        }
    }
    assert_eq!(
        canonical_query(&shuffled),
        cq,
        "order matters for {pairs:?}"
    );

    let mut sorted = pairs.to_vec();
    sorted.sort();
    assert_eq!(parse_raw_query(&cq), sorted, "{cq:?} does not parse back");
    assert_eq!(
        parse_form_query(&cq),
        sorted,
        "{cq:?} does not form-parse back"
    );
    assert_eq!(canonical_query(&parse_raw_query(&cq)), cq);
}

fn check_parsed_query(raw: &str) {
    let parsed = parse_raw_query(raw);
    let pieces: Vec<&str> = raw.split('&').filter(|p| !p.is_empty()).collect();
    assert_eq!(
        parsed.len(),
        pieces.len(),
        "parse_raw_query({raw:?}) = {parsed:?}"
    );
    for ((k, v), piece) in parsed.iter().zip(&pieces) {
        let (rk, rv) = piece.split_once('=').unwrap_or((piece, ""));
        assert_eq!(
            k,
            &String::from_utf8_lossy(&pct_decode(rk)),
            "key of {piece:?}"
        );
        assert_eq!(
            v,
            &String::from_utf8_lossy(&pct_decode(rv)),
            "value of {piece:?}"
        );
    }
    if !raw.contains('+') {
        assert_eq!(
            parse_form_query(raw),
            parsed,
            "form and raw parsing differ on {raw:?}"
        );
    }
    let c1 = canonical_query(&parsed);
    assert_eq!(
        canonical_query(&parse_raw_query(&c1)),
        c1,
        "not idempotent on {raw:?}"
    );
    let form = parse_form_query(raw);
    assert_eq!(
        form.len(),
        parsed.len(),
        "parse_form_query({raw:?}) = {form:?}"
    );
}
