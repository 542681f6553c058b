//! Signing: sign, parse the `Authorization` header, verify.

use dataarts_signing::{
    canonical_query, canonical_uri, parse_authorization, parse_sdk_date, sign, sign_with_names,
    verify, Algorithm, ParsedAuthorization, SignError, SigningInput, VerifyError, ALGORITHM,
    EMPTY_PAYLOAD_HASH,
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::input::*;

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
        algorithm: Algorithm::HmacSha256,
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
