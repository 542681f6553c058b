//! Property tests: canonicalisation invariants, round trips, and no panics on any input.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dataarts_signing::{
    canonical_query, canonical_uri, encode, format_sdk_date, parse_authorization, parse_form_query,
    parse_raw_query, parse_sdk_date, sign, sign_with_names, verify, SigningInput,
};
use proptest::prelude::*;

/// Strings rich in the characters that matter here: separators, escapes, `+`, spaces,
/// unreserved punctuation, non-ASCII and control characters, plus arbitrary Unicode.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9/%+ ~._\\-=&?#é测\u{0}\r\n\t]{0,24}",
        "(%[0-9a-fA-FgG]{0,2}|/|[a-z]){0,12}",
        any::<String>(),
    ]
}

/// Mostly valid HTTP header names (tokens), sometimes anything.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}",
        1 => tricky_string(),
    ]
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((tricky_string(), tricky_string()), 0..8)
}

/// A path already in canonical form: segments of unreserved characters and `%XX` escapes of
/// reserved bytes, joined with `/`, ending in `/`.
fn canonical_path() -> impl Strategy<Value = String> {
    let escape = prop::sample::select(vec![
        "%20",
        "%2B",
        "%25",
        "%28",
        "%E6%B5%8B",
        "%C3%A9",
        "%3F",
        "%23",
    ]);
    let piece = prop_oneof!["[A-Za-z0-9._~-]{1,6}", escape.prop_map(str::to_string)];
    let segment = prop::collection::vec(piece, 0..4).prop_map(|p| p.concat());
    prop::collection::vec(segment, 1..6).prop_map(|segs| format!("/{}/", segs.join("/")))
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Only unreserved characters and `%XX` escapes with upper-case hex (and `/` if allowed).
fn assert_encoded(s: &str, allow_slash: bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            assert!(i + 2 < b.len(), "truncated escape in {s:?}");
            let hex = &b[i + 1..i + 3];
            assert!(
                hex.iter()
                    .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)),
                "bad escape in {s:?}"
            );
            i += 3;
        } else {
            assert!(
                is_unreserved(b[i]) || (allow_slash && b[i] == b'/'),
                "unexpected {:?} in {s:?}",
                b[i] as char
            );
            i += 1;
        }
    }
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn encode_emits_only_unreserved_and_escapes(s in tricky_string()) {
        let e = encode(&s);
        assert_encoded(&e, false);
        // Decoding gives the input back.
        prop_assert_eq!(parse_raw_query(&format!("k={e}")), vec![("k".to_string(), s.clone())]);
        // Unreserved-only input is unchanged.
        if s.bytes().all(is_unreserved) {
            prop_assert_eq!(e, s);
        }
    }

    #[test]
    fn canonical_uri_is_idempotent_and_ends_with_slash(p in tricky_string()) {
        let c = canonical_uri(&p);
        prop_assert!(c.ends_with('/'));
        assert_encoded(&c, true);
        prop_assert_eq!(canonical_uri(&c), c);
    }

    #[test]
    fn canonical_paths_are_fixed_points(p in canonical_path()) {
        prop_assert_eq!(canonical_uri(&p), p);
    }

    #[test]
    fn canonical_query_ignores_input_order(
        (original, shuffled) in pairs().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle()))
    ) {
        prop_assert_eq!(canonical_query(&original), canonical_query(&shuffled));
    }

    #[test]
    fn raw_query_round_trips(p in pairs()) {
        let q = canonical_query(&p);
        assert_encoded(&q.replace(['=', '&'], ""), false);
        prop_assert_eq!(sorted(parse_raw_query(&q)), sorted(p.clone()));
        // A canonical query contains no '+', so the form decoder reads it the same way.
        prop_assert_eq!(sorted(parse_form_query(&q)), sorted(p));
    }

    #[test]
    fn query_parsers_never_panic(s in tricky_string()) {
        let _ = parse_raw_query(&s);
        let _ = parse_form_query(&s);
    }

    #[test]
    fn sign_never_panics_and_verifies_what_it_signs(
        method in "[A-Z]{0,7}|\\PC{0,5}",
        path in tricky_string(),
        query in pairs(),
        mut headers in prop::collection::vec((header_name(), tricky_string()), 0..6),
        date in prop_oneof![Just("20240102T030405Z".to_string()), tricky_string()],
        body in prop::collection::vec(any::<u8>(), 0..64),
        ak in tricky_string(),
        sk in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        headers.push(("X-Sdk-Date".to_string(), date));
        let input = SigningInput { method: &method, path: &path, query: &query, headers: &headers, body: &body };
        let names = ["x-sdk-date", "host"];
        let _ = sign_with_names(&ak, &sk, &input, &names);
        if let Ok(signed) = sign(&ak, &sk, &input) {
            // What the emulator receives: the canonical query, the same headers plus
            // Authorization. Check the round trip when the header names are HTTP tokens and
            // the AK survives parsing.
            let tokens = headers.iter().all(|(name, _)| is_token(name));
            let mut received = headers.clone();
            received.push(("Authorization".to_string(), signed.authorization.clone()));
            if let Ok(auth) = parse_authorization(&signed.authorization) {
                if tokens && auth.access == ak {
                    let wire_query = canonical_query(&query);
                    prop_assert_eq!(
                        verify(&sk, &auth, &method, &path, &wire_query, &received, &body),
                        Ok(())
                    );
                }
            }
        }
    }

    #[test]
    fn authorization_parser_never_panics(s in tricky_string(), tail in tricky_string()) {
        let _ = parse_authorization(&s);
        let _ = parse_authorization(&format!("SDK-HMAC-SHA256 {tail}"));
        let _ = parse_authorization(&format!("SDK-HMAC-SHA256 Access={s}, SignedHeaders={tail}, Signature=ab"));
    }

    #[test]
    fn verify_never_panics(
        auth in tricky_string(),
        path in tricky_string(),
        query in tricky_string(),
        headers in prop::collection::vec((tricky_string(), tricky_string()), 0..6),
        body in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        if let Ok(auth) = parse_authorization(&format!("SDK-HMAC-SHA256 {auth}")) {
            let _ = verify(b"sk", &auth, "GET", &path, &query, &headers, &body);
        }
    }

    #[test]
    fn dates_round_trip(secs in -62_135_596_800i64..=253_402_300_799i64, nanos in 0u32..1_000_000_000) {
        let t = if secs >= 0 {
            UNIX_EPOCH + Duration::new(secs.unsigned_abs(), nanos)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + Duration::from_nanos(u64::from(nanos))
        };
        let text = format_sdk_date(t);
        prop_assert_eq!(text.len(), 16);
        let back = parse_sdk_date(&text).unwrap();
        // Rounded down to the second.
        prop_assert!(back <= t && t.duration_since(back).unwrap() < Duration::from_secs(1));
        prop_assert_eq!(format_sdk_date(back), text);
    }

    #[test]
    fn date_functions_never_panic(s in tricky_string(), secs in any::<u64>(), before in any::<bool>()) {
        let _ = parse_sdk_date(&s);
        let d = Duration::from_secs(secs);
        let t: Option<SystemTime> = if before { UNIX_EPOCH.checked_sub(d) } else { UNIX_EPOCH.checked_add(d) };
        if let Some(t) = t {
            prop_assert_eq!(format_sdk_date(t).len(), 16);
        }
    }
}
