//! The bodies of the `cargo fuzz` targets in `/fuzz`.
//!
//! Each `pub fn` here takes the fuzzer's raw bytes and panics only when an invariant is
//! broken (or when the code under test panics). The fuzz targets in `fuzz/fuzz_targets/` are
//! one-line wrappers around these functions, and `tests/tests/fuzz_corpus_replay.rs` runs every
//! file of `fuzz/corpus/<target>/` through the same functions on stable Rust, so the committed
//! corpus is a regression test in `cargo test`.
//!
//! # Input format of the structured targets
//!
//! The signing targets split their input into fields on NUL bytes (`\0`); missing fields are
//! empty. Text fields are decoded as lossy UTF-8. A list of pairs (query pairs, headers) is one
//! field whose records are separated by `\x1e` (ASCII record separator), each record split
//! into name and value on its first `\x1f` (unit separator); a record without `\x1f` is a name
//! with an empty value. An empty field is an empty list. These bytes are easy for a fuzzer to
//! find and for a person to write (`printf 'GET\0/a b\0k\x1fv'`).

use std::fmt::Debug;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dataarts_release_raw::types::{
    CreatePackageResponse, DeployResponse, ErrorBody, ListPendingItemsResponse,
    ListReleasePackagesResponse, ShowPackageDetailResponse, SystemTask,
};
use dataarts_release_raw::EpochMillis;
use dataarts_signing::{
    canonical_query, canonical_uri, check_freshness, encode, format_sdk_date, has_control_chars,
    parse_authorization, parse_form_query, parse_raw_query, parse_sdk_date, sign, sign_with_names,
    verify, ParsedAuthorization, SignError, SigningInput, VerifyError, ALGORITHM,
    EMPTY_PAYLOAD_HASH, MAX_CLOCK_SKEW,
};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A fuzz target body: raw fuzzer bytes in, a panic on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `cargo fuzz` binary and corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode_responses", decode_responses),
    ("decode_error_body", decode_error_body),
    ("signing_canonical", signing_canonical),
    ("signing_roundtrip", signing_roundtrip),
    ("signing_parse", signing_parse),
];

/// The `X-Sdk-Date` that [`signing_roundtrip`] adds when the input has none.
pub const DEFAULT_DATE: &str = "20240102T030405Z";

/// Field separator of the structured inputs.
pub const FIELD_SEP: u8 = 0x00;
/// Record separator inside a list field.
pub const RECORD_SEP: char = '\u{1e}';
/// Name/value separator inside a record.
pub const UNIT_SEP: char = '\u{1f}';

// ---------------------------------------------------------------------------------------------
// (a) decoding
// ---------------------------------------------------------------------------------------------

/// Decodes the input as every operation's success type (and as a bare [`EpochMillis`]).
///
/// Invariants: decoding never panics; whatever decodes re-encodes, and the encoding decodes to
/// an equal value (no field is lost or changed on the way through the generated types); an
/// [`EpochMillis`] encodes as its integer.
pub fn decode_responses(data: &[u8]) {
    round_trip::<DeployResponse>(data);
    round_trip::<ListReleasePackagesResponse>(data);
    round_trip::<ShowPackageDetailResponse>(data);
    round_trip::<ListPendingItemsResponse>(data);
    round_trip::<CreatePackageResponse>(data);
    round_trip::<SystemTask>(data);
    if let Some(millis) = round_trip::<EpochMillis>(data) {
        assert_eq!(
            serde_json::to_string(&millis).expect("an EpochMillis encodes"),
            millis.millis().to_string()
        );
    }
}

/// Decodes the input as the generated [`ErrorBody`] and as a JSON value, and reads the
/// error-body shapes Huawei uses from the value.
///
/// Invariants: no panic; a decoded [`ErrorBody`] round-trips; it only decodes from a JSON
/// object, or from a three-element array (serde's sequence form of a struct, fields in
/// declaration order: `["DLF.0810", "msg", "req-id"]`); when the same bytes also parse as a
/// [`serde_json::Value`], its three fields are exactly the object's string members of the same
/// names, or the array's elements.
pub fn decode_error_body(data: &[u8]) {
    let value = serde_json::from_slice::<serde_json::Value>(data).ok();
    if let Some(value) = &value {
        // The shapes the wrapper has to understand; reading them must not panic either.
        let _ = error_shape(value);
    }
    let Some(body) = round_trip::<ErrorBody>(data) else {
        return;
    };
    let first = data.iter().find(|b| !b.is_ascii_whitespace());
    assert!(
        matches!(first, Some(b'{' | b'[')),
        "ErrorBody decoded from something other than an object or an array"
    );
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    match value {
        Some(serde_json::Value::Object(object)) => {
            assert_eq!(body.error_code, text(object.get("error_code")));
            assert_eq!(body.error_msg, text(object.get("error_msg")));
            assert_eq!(body.request_id, text(object.get("request_id")));
        }
        Some(serde_json::Value::Array(items)) => {
            assert_eq!(items.len(), 3, "ErrorBody decoded from {items:?}");
            assert_eq!(body.error_code, text(items.first()));
            assert_eq!(body.error_msg, text(items.get(1)));
            assert_eq!(body.request_id, text(items.get(2)));
        }
        Some(other) => panic!("ErrorBody decoded from {other}"),
        None => {}
    }
}

/// The (code, message) of an error body in any of the documented shapes: `error_code` /
/// `error_msg` (DLF, API gateway), `errorCode` / `errorMsg`, `code` / `message`, or one of
/// those nested in an object member (e.g. `{"error": {"code": .., "message": ..}}`).
pub fn error_shape(value: &serde_json::Value) -> Option<(String, String)> {
    fn scalar(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    let object = value.as_object()?;
    for (code, msg) in [
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
    ] {
        if let (Some(c), Some(m)) = (
            object.get(code).and_then(scalar),
            object.get(msg).and_then(scalar),
        ) {
            return Some((c, m));
        }
    }
    object.values().filter_map(error_shape).next_back()
}

/// Decodes `data` as `T`; if that works, checks encode-then-decode gives an equal value.
fn round_trip<T>(data: &[u8]) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let value: T = serde_json::from_slice(data).ok()?;
    let encoded = serde_json::to_vec(&value).expect("a decoded value encodes");
    let again: T = serde_json::from_slice(&encoded).unwrap_or_else(|e| {
        panic!(
            "{} re-encoded as {:?} does not decode: {e}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&encoded)
        )
    });
    assert_eq!(
        again,
        value,
        "{} changed on a round trip",
        std::any::type_name::<T>()
    );
    Some(value)
}

// ---------------------------------------------------------------------------------------------
// (b) signing: canonicalization
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// (b) signing: sign, parse the header, verify
// ---------------------------------------------------------------------------------------------

/// Signs a request built from the input, then checks the result from every side.
///
/// Fields: `method`, `path`, `query pairs`, `headers`, `AK`, `SK` (raw bytes), then the body
/// (all remaining bytes, NULs included). Without an `X-Sdk-Date` header, one with [`DEFAULT_DATE`] is added.
///
/// Invariants when [`sign`] succeeds:
/// - the canonical request equals one rebuilt here from the spec: method, [`canonical_uri`],
///   [`canonical_query`], every header without `_` as `lower(name):strip(value)` sorted by
///   name, the signed names, the payload hash (empty-body hash, else a non-empty
///   `X-Sdk-Content-Sha256`, else SHA-256 of the body);
/// - the string to sign, the signature (HMAC-SHA256 recomputed here) and the `Authorization`
///   header are what they should be;
/// - the result does not depend on the order of headers or query pairs, on the ASCII case of
///   header names, or on whitespace around header values (other than the date);
/// - [`sign_with_names`] over the signed names gives the same result;
/// - when the AK and header names are header-safe, [`parse_authorization`] returns exactly the
///   parts, [`verify`] accepts the request as it goes on the wire, and rejects it with another
///   method, another signature, or (when the payload hash is the body's) another body.
///
/// When it fails, the error matches the input (an `Authorization` header, a bad date, or two
/// headers with the same lower-case name).
pub fn signing_roundtrip(data: &[u8]) {
    let f = Fields::new(data);
    let method = f.text(0);
    let path = f.text(1);
    let query = f.pairs(2);
    let mut headers = f.pairs(3);
    let ak = f.text(4);
    let sk = f.bytes(5);
    let body = f.rest(6, data);
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("x-sdk-date"))
    {
        headers.push(("X-Sdk-Date".to_string(), DEFAULT_DATE.to_string()));
    }
    let input = SigningInput {
        method: &method,
        path: &path,
        query: &query,
        headers: &headers,
        body,
    };

    let signed = match sign(&ak, sk, &input) {
        Ok(signed) => signed,
        Err(SignError::AlreadySigned) => {
            assert!(
                headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("authorization")),
                "AlreadySigned without an Authorization header"
            );
            return;
        }
        Err(SignError::DuplicateHeader { name }) => {
            let count = headers
                .iter()
                .filter(|(n, _)| n.to_lowercase() == name)
                .count();
            assert!(
                count >= 2,
                "DuplicateHeader({name:?}) but it appears {count} times"
            );
            return;
        }
        Err(SignError::MissingDate | SignError::MalformedDate { .. }) => {
            let dates: Vec<&str> = headers
                .iter()
                .filter(|(n, _)| n.to_lowercase() == "x-sdk-date")
                .map(|(_, v)| v.as_str())
                .collect();
            assert!(
                dates.len() != 1 || parse_sdk_date(dates[0]).is_err(),
                "date error with the valid date {dates:?}"
            );
            return;
        }
        Err(e) => panic!("sign failed with an unexpected error: {e:?}"),
    };

    // The signed headers: every name without '_', lower-cased, sorted.
    let mut entries: Vec<(String, &str)> = headers
        .iter()
        .filter(|(n, _)| !n.contains('_'))
        .map(|(n, v)| (n.to_lowercase(), v.as_str()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    let signed_headers = names.join(";");
    assert_eq!(signed.signed_headers, signed_headers);

    // The canonical request, rebuilt from the spec.
    let date = header(&headers, "x-sdk-date").expect("signing needs a date");
    let declared_hash = header(&headers, "x-sdk-content-sha256")
        .map(python_strip)
        .filter(|v| !v.is_empty());
    let payload_hash = match (body.is_empty(), declared_hash) {
        (true, _) => EMPTY_PAYLOAD_HASH.to_string(),
        (false, Some(declared)) => declared.to_string(),
        (false, None) => hex(&Sha256::digest(body)),
    };
    let mut canonical = format!(
        "{method}\n{}\n{}\n",
        canonical_uri(&path),
        canonical_query(&query)
    );
    for (name, value) in &entries {
        canonical.push_str(&format!("{name}:{}\n", python_strip(value)));
    }
    canonical.push_str(&format!("\n{signed_headers}\n{payload_hash}"));
    assert_eq!(signed.canonical_request, canonical);
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    assert_eq!(signed.string_to_sign, string_to_sign);
    let mut mac = Hmac::<Sha256>::new_from_slice(sk).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    assert_eq!(signed.signature, hex(&mac.finalize().into_bytes()));
    assert_eq!(
        signed.authorization,
        format!(
            "{ALGORITHM} Access={ak}, SignedHeaders={signed_headers}, Signature={}",
            signed.signature
        )
    );

    // Order, name case and value padding do not matter.
    let resign = |q: &[(String, String)], h: &[(String, String)]| {
        let input = SigningInput {
            query: q,
            headers: h,
            ..input
        };
        sign(&ak, sk, &input).expect("an equivalent request signs")
    };
    let mut reversed_query = query.clone();
    reversed_query.reverse();
    let mut reversed_headers = headers.clone();
    reversed_headers.reverse();
    assert_eq!(resign(&reversed_query, &reversed_headers), signed);
    let recased: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            let n = if n.is_ascii() {
                n.to_ascii_uppercase()
            } else {
                n.clone()
            };
            (n, v.clone())
        })
        .collect();
    assert_eq!(resign(&query, &recased), signed, "header name case matters");
    let padded: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            if n.eq_ignore_ascii_case("x-sdk-date") {
                (n.clone(), v.clone())
            } else {
                (n.clone(), format!(" \t{v} "))
            }
        })
        .collect();
    assert_eq!(resign(&query, &padded), signed, "value padding matters");

    // Signing over the listed names is the same computation.
    let by_names = sign_with_names(&ak, sk, &input, &names).expect("sign_with_names");
    assert_eq!(by_names, signed);

    // The gateway side.
    let header_safe = |s: &str| !s.is_empty() && !s.contains([',', ';', ' ', '\t']);
    let ak_safe = !ak.is_empty() && !ak.contains(',') && !ak.ends_with([' ', '\t']);
    let parsed = parse_authorization(&signed.authorization);
    if !(ak_safe && names.iter().all(|n| header_safe(n))) {
        return;
    }
    let parsed = parsed.unwrap_or_else(|e| {
        panic!(
            "our own Authorization header {:?} does not parse: {e:?}",
            signed.authorization
        )
    });
    let expected = ParsedAuthorization {
        algorithm: ALGORITHM.to_string(),
        access: ak.clone(),
        signed_headers: names.iter().map(|n| n.to_string()).collect(),
        signature: signed.signature.clone(),
    };
    assert_eq!(parsed, expected);
    let wire_query = canonical_query(&query);
    let check = |auth: &ParsedAuthorization, method: &str, body: &[u8]| {
        verify(sk, auth, method, &path, &wire_query, &headers, body)
    };
    assert_eq!(
        check(&parsed, &method, body),
        Ok(()),
        "our own signature does not verify"
    );
    let other_method = format!("{method}X");
    assert!(
        matches!(
            check(&parsed, &other_method, body),
            Err(VerifyError::SignatureMismatch { .. })
        ),
        "another method verifies"
    );
    let mut forged = parsed.clone();
    forged.signature = flip_last_hex(&forged.signature);
    assert!(
        matches!(
            check(&forged, &method, body),
            Err(VerifyError::SignatureMismatch { .. })
        ),
        "another signature verifies"
    );
    if !body.is_empty() && declared_hash.is_none() {
        let mut other_body = body.to_vec();
        other_body.push(b'!');
        assert!(
            matches!(
                check(&parsed, &method, &other_body),
                Err(VerifyError::SignatureMismatch { .. })
            ),
            "another body verifies"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// (b) signing: what a gateway parses from untrusted requests
// ---------------------------------------------------------------------------------------------

/// Parses untrusted `Authorization` and `X-Sdk-Date` values and verifies an arbitrary request.
///
/// Fields: `Authorization value`, `X-Sdk-Date value`, `method`, `path`, `raw query`,
/// `headers`, `SK`, `now` (decimal seconds since the epoch, optionally with `.nanos`), then
/// the body (all remaining bytes).
///
/// Invariants: nothing panics; a parsed `Authorization` has the one algorithm and non-empty
/// parts, and rendering it again parses to the same value; a parsed date formats back to the
/// same text, and any instant survives format-then-parse (to the second, within years
/// 0001-9999); [`check_freshness`] accepts only dates that parse; [`verify`] never accepts a
/// signature that [`sign_with_names`] would not produce.
pub fn signing_parse(data: &[u8]) {
    let f = Fields::new(data);
    let authorization = f.text(0);
    let date = f.text(1);
    let method = f.text(2);
    let path = f.text(3);
    let raw_query = f.text(4);
    let headers = f.pairs(5);
    let sk = f.bytes(6);
    let body = f.rest(8, data);

    if let Ok(auth) = parse_authorization(&authorization) {
        assert_eq!(auth.algorithm, ALGORITHM);
        assert!(!auth.access.is_empty() && !auth.signature.is_empty());
        assert!(!auth.signed_headers.is_empty());
        assert!(auth.signed_headers.iter().all(|n| !n.is_empty()));
        let rendered = format!(
            "{ALGORITHM} Access={}, SignedHeaders={}, Signature={}",
            auth.access,
            auth.signed_headers.join(";"),
            auth.signature
        );
        assert_eq!(
            parse_authorization(&rendered).as_ref(),
            Ok(&auth),
            "{authorization:?} re-rendered as {rendered:?}"
        );
        let result = verify(sk, &auth, &method, &path, &raw_query, &headers, body);
        if result.is_ok() {
            let query = parse_raw_query(&raw_query);
            let input = SigningInput {
                method: &method,
                path: &path,
                query: &query,
                headers: &headers,
                body,
            };
            let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
            let signed = sign_with_names(&auth.access, sk, &input, &names)
                .expect("verify accepted, so signing works");
            assert_eq!(signed.signature, auth.signature);
        }
    }

    match parse_sdk_date(&date) {
        Ok(t) => assert_eq!(format_sdk_date(t), date, "date does not format back"),
        Err(_) => assert!(check_freshness(&date, UNIX_EPOCH, Duration::MAX).is_err()),
    }
    let now = instant(&f.text(7));
    let _ = check_freshness(&date, now, MAX_CLOCK_SKEW);
    let text = format_sdk_date(now);
    assert_eq!(text.len(), 16, "format_sdk_date gave {text:?}");
    let back = parse_sdk_date(&text)
        .unwrap_or_else(|e| panic!("format_sdk_date gave {text:?}, which does not parse: {e}"));
    assert_eq!(format_sdk_date(back), text);
}

/// An instant from decimal text: whole seconds since the epoch, optionally `.` and
/// nanoseconds (`1704164645`, `-62135596801.5`). Anything else is folded into a number.
fn instant(text: &str) -> SystemTime {
    let (secs, nanos) = text.split_once('.').unwrap_or((text, "0"));
    let secs = secs.parse::<i64>().unwrap_or_else(|_| {
        text.bytes().fold(0i64, |acc, b| {
            acc.wrapping_mul(31).wrapping_add(i64::from(b))
        })
    });
    let nanos = nanos.parse::<u32>().unwrap_or(0) % 1_000_000_000;
    let offset = Duration::new(secs.unsigned_abs(), nanos);
    let t = if secs >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    t.unwrap_or(UNIX_EPOCH)
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/// The NUL-separated fields of a structured input.
struct Fields<'a>(Vec<&'a [u8]>);

impl<'a> Fields<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self(data.split(|&b| b == FIELD_SEP).collect())
    }

    fn bytes(&self, i: usize) -> &'a [u8] {
        self.0.get(i).copied().unwrap_or_default()
    }

    /// Field `i` and everything after it, separators included (for bodies, which may hold
    /// NUL bytes).
    fn rest(&self, i: usize, data: &'a [u8]) -> &'a [u8] {
        let skip: usize = self.0.iter().take(i).map(|f| f.len() + 1).sum();
        data.get(skip..).unwrap_or_default()
    }

    fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.bytes(i)).into_owned()
    }

    fn pairs(&self, i: usize) -> Vec<(String, String)> {
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
fn header<'h>(headers: &'h [(String, String)], lower: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.to_lowercase() == lower)
        .map(|(_, v)| v.as_str())
}

/// Python's `str.strip()`: Unicode whitespace plus U+001C to U+001F.
fn python_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Asserts that `out` holds only unreserved bytes, `%XX` with upper-case hex, and bytes that
/// `extra` allows.
fn assert_only(out: &str, extra: impl Fn(u8) -> bool, what: &str, input: &dyn Debug) {
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
fn pct_decode(s: &str) -> Vec<u8> {
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

fn hex_val(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The same string with its last character replaced by a different one.
fn flip_last_hex(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(s.chars().count().saturating_sub(1))
        .collect();
    out.push(if s.ends_with('0') { '1' } else { '0' });
    out
}
