//! Round trips between `sign` and `verify`, each kind of tampering, and the error types.

use std::time::{Duration, UNIX_EPOCH};

use dataarts_signing::{
    canonical_query, check_freshness, parse_authorization, parse_sdk_date, sign, sign_with_names,
    verify, Algorithm, ParsedAuthorization, SignError, SigningInput, SigningKey, VerifyError,
    MAX_CLOCK_SKEW,
};

const AK: &str = "TESTAK0123456789ABCD";
/// A secret key that cannot appear in any message by accident.
const SK: &str = "SuperSecretKey-9f2c71e0-DO-NOT-LEAK";
const PATH: &str = "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/factory/jobs/my%20job%2Fv2";
const BODY: &[u8] = br#"{"package_ids": ["1001", "1002"], "startup_mode": 1}"#;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A signed request as the emulator receives it.
struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    auth: ParsedAuthorization,
    signed: dataarts_signing::Signed,
}

impl Request {
    fn new() -> Self {
        let query = pairs(&[
            ("limit", "10"),
            ("job_name", "daily etl 作业"),
            ("a+b", "~"),
        ]);
        let headers = pairs(&[
            ("Content-Type", "application/json;charset=utf-8"),
            ("workspace", "  a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6 "),
            ("X-Project-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            ("X-Security-Token", "TESTSECURITYTOKEN+/=abc"),
            ("X-Sdk-Date", "20240102T030405Z"),
            ("Host", "127.0.0.1:8443"),
            ("X_Unsigned", "sent but not signed"),
        ]);
        let input = SigningInput {
            method: "POST",
            path: PATH,
            query: &query,
            headers: &headers,
            body: BODY,
        };
        let signed = sign(AK, SK.as_bytes(), &input).unwrap();
        let mut received = headers.clone();
        received.push(("Authorization".into(), signed.authorization.clone()));
        received.push(("Content-Length".into(), BODY.len().to_string()));
        Request {
            method: "POST".into(),
            path: PATH.into(),
            query: canonical_query(&query),
            headers: received,
            body: BODY.to_vec(),
            auth: parse_authorization(&signed.authorization).unwrap(),
            signed,
        }
    }

    fn verify(&self) -> Result<(), VerifyError> {
        verify(
            SK.as_bytes(),
            &self.auth,
            &self.method,
            &self.path,
            &self.query,
            &self.headers,
            &self.body,
        )
    }

    fn set_header(&mut self, name: &str, value: &str) {
        let slot = self
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .expect("header present");
        slot.1 = value.to_string();
    }

    fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }
}

fn is_mismatch(r: Result<(), VerifyError>) -> bool {
    matches!(r, Err(VerifyError::SignatureMismatch { .. }))
}

#[test]
fn round_trip_passes() {
    let r = Request::new();
    assert_eq!(
        r.signed.signed_headers,
        "content-type;host;workspace;x-project-id;x-sdk-date;x-security-token"
    );
    assert_eq!(r.verify(), Ok(()));
}

#[test]
fn unsigned_and_transport_headers_may_change() {
    let mut r = Request::new();
    r.set_header("X_Unsigned", "changed");
    r.set_header("Content-Length", "999");
    r.headers.push(("Accept-Encoding".into(), "gzip".into()));
    // Servers hand over header names in any case and values without surrounding spaces.
    for (name, value) in &mut r.headers {
        *name = name.to_uppercase();
        *value = value.trim().to_string();
    }
    assert_eq!(r.verify(), Ok(()));
}

#[test]
fn tampered_body_fails() {
    let mut r = Request::new();
    r.body = br#"{"package_ids": ["1001"], "startup_mode": 1}"#.to_vec();
    assert!(is_mismatch(r.verify()));
    r.body.clear();
    assert!(is_mismatch(r.verify()));
}

#[test]
fn unsigned_payload_header_added_later_fails() {
    let mut r = Request::new();
    r.headers
        .push(("X-Sdk-Content-Sha256".into(), "UNSIGNED-PAYLOAD".into()));
    r.body = b"anything".to_vec();
    assert!(is_mismatch(r.verify()));
}

#[test]
fn tampered_signed_header_fails() {
    let mut r = Request::new();
    r.set_header("workspace", "another-workspace");
    assert!(is_mismatch(r.verify()));
    let mut r = Request::new();
    r.set_header("Host", "127.0.0.1:8444");
    assert!(is_mismatch(r.verify()));
    let mut r = Request::new();
    r.set_header("X-Security-Token", "other-token");
    assert!(is_mismatch(r.verify()));
}

#[test]
fn tampered_path_fails() {
    let mut r = Request::new();
    r.path = PATH.replace("my%20job", "my%20jab");
    assert!(is_mismatch(r.verify()));
    let mut r = Request::new();
    r.path = format!("{PATH}/extra");
    assert!(is_mismatch(r.verify()));
    // Equivalent encodings of the same path canonicalise alike and still pass.
    let mut r = Request::new();
    r.path = PATH.replace("%20", " ").replace("job", "%6Aob");
    assert_eq!(r.verify(), Ok(()));
}

#[test]
fn tampered_query_fails() {
    let mut r = Request::new();
    r.query = r.query.replace("limit=10", "limit=11");
    assert!(is_mismatch(r.verify()));
    let mut r = Request::new();
    r.query.push_str("&offset=0");
    assert!(is_mismatch(r.verify()));
    // '+' is not a space on the server side.
    let mut r = Request::new();
    r.query = r.query.replace("%20", "+");
    assert!(is_mismatch(r.verify()));
}

#[test]
fn tampered_method_fails() {
    let mut r = Request::new();
    r.method = "PUT".into();
    assert!(is_mismatch(r.verify()));
}

#[test]
fn tampered_date_fails() {
    let mut r = Request::new();
    r.set_header("X-Sdk-Date", "20240102T030406Z");
    assert!(is_mismatch(r.verify()));

    let mut r = Request::new();
    r.set_header("X-Sdk-Date", "2024-01-02T03:04:05Z");
    assert!(matches!(r.verify(), Err(VerifyError::MalformedDate { .. })));

    let mut r = Request::new();
    r.remove_header("X-Sdk-Date");
    assert_eq!(r.verify(), Err(VerifyError::MissingDate));
}

#[test]
fn tampered_signature_or_access_fails() {
    let mut r = Request::new();
    let mut sig = r.auth.signature.into_bytes();
    sig[0] = if sig[0] == b'0' { b'1' } else { b'0' };
    r.auth.signature = String::from_utf8(sig).unwrap();
    assert!(is_mismatch(r.verify()));

    let mut r = Request::new();
    r.auth.signature.make_ascii_uppercase();
    assert!(is_mismatch(r.verify()));

    let mut r = Request::new();
    r.auth.signature.pop();
    assert!(is_mismatch(r.verify()));

    // The access key is not part of the signature: it only selects the SK to check with.
    let mut r = Request::new();
    r.auth.access = "OTHERAK".into();
    assert_eq!(r.verify(), Ok(()));
}

#[test]
fn wrong_secret_key_fails() {
    let r = Request::new();
    let result = verify(
        b"another secret",
        &r.auth,
        &r.method,
        &r.path,
        &r.query,
        &r.headers,
        &r.body,
    );
    assert!(is_mismatch(result));
}

#[test]
fn missing_signed_header_fails() {
    let mut r = Request::new();
    r.remove_header("workspace");
    assert_eq!(
        r.verify(),
        Err(VerifyError::MissingSignedHeader {
            name: "workspace".into()
        })
    );
}

#[test]
fn duplicate_signed_header_fails() {
    let mut r = Request::new();
    r.headers.push(("WORKSPACE".into(), "other".into()));
    assert_eq!(
        r.verify(),
        Err(VerifyError::DuplicateHeader {
            name: "workspace".into()
        })
    );
}

#[test]
fn signed_headers_list_is_enforced() {
    // Dropping a name from SignedHeaders changes the canonical request.
    let mut r = Request::new();
    r.auth.signed_headers.retain(|n| n != "workspace");
    assert!(is_mismatch(r.verify()));
    // Without x-sdk-date the signature is refused outright.
    let mut r = Request::new();
    r.auth.signed_headers.retain(|n| n != "x-sdk-date");
    assert_eq!(r.verify(), Err(VerifyError::DateNotSigned));
}

#[test]
fn subset_of_headers_signed_like_go_is_accepted() {
    let mut r = Request::new();
    let query = dataarts_signing::parse_raw_query(&r.query);
    let input = SigningInput {
        method: &r.method,
        path: &r.path,
        query: &query,
        headers: &r.headers,
        body: &r.body,
    };
    let signed = sign_with_names(AK, SK.as_bytes(), &input, &["x-sdk-date"]).unwrap();
    assert_eq!(signed.signed_headers, "x-sdk-date");
    r.auth = parse_authorization(&signed.authorization).unwrap();
    assert_eq!(r.verify(), Ok(()));
    // Now the other headers may change freely.
    r.set_header("workspace", "another-workspace");
    assert_eq!(r.verify(), Ok(()));
}

#[test]
fn mismatch_exposes_canonical_request_only_through_accessors() {
    let mut r = Request::new();
    r.set_header("workspace", "another-workspace");
    let err = r.verify().unwrap_err();
    let canonical = err.canonical_request().expect("mismatch carries it");
    assert!(canonical.contains("workspace:another-workspace\n"));
    assert!(canonical.contains("x-security-token:TESTSECURITYTOKEN+/=abc\n"));
    let redacted = err.redacted_canonical_request().unwrap();
    assert!(redacted.contains("x-security-token:<redacted>\n"));
    assert!(!redacted.contains("TESTSECURITYTOKEN"));
    // No signed header value at all, only the names.
    assert!(redacted.contains("workspace:<redacted>\n"));
    assert!(!redacted.contains("another-workspace"), "{redacted}");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("another-workspace"), "{shown}");
        assert!(!shown.contains("TESTSECURITYTOKEN"), "{shown}");
    }
    assert_eq!(VerifyError::MissingDate.canonical_request(), None);
}

#[test]
fn sign_rejects_bad_inputs() {
    let mut headers = pairs(&[("Host", "h"), ("X-Sdk-Date", "20240102T030405Z")]);
    let input = |headers: &[(String, String)]| {
        sign(
            AK,
            SK.as_bytes(),
            &SigningInput {
                method: "GET",
                path: "/",
                query: &[],
                headers,
                body: b"",
            },
        )
    };
    assert!(input(&headers).is_ok());

    headers.push(("HOST".into(), "h2".into()));
    assert_eq!(
        input(&headers),
        Err(SignError::DuplicateHeader {
            name: "host".into()
        })
    );
    headers.pop();

    headers.push(("authorization".into(), "SDK-HMAC-SHA256 ...".into()));
    assert_eq!(input(&headers), Err(SignError::AlreadySigned));
    headers.pop();

    headers[1].1 = "20240102T030405".into();
    assert!(matches!(
        input(&headers),
        Err(SignError::MalformedDate { .. })
    ));
    headers.pop();
    assert_eq!(input(&headers), Err(SignError::MissingDate));

    // An X_Sdk_Date with underscores is a different header.
    headers.push(("X_Sdk_Date".into(), "20240102T030405Z".into()));
    assert_eq!(input(&headers), Err(SignError::MissingDate));
}

#[test]
fn lower_case_date_header_is_used_and_signed() {
    let headers = pairs(&[("host", "h"), ("x-SDK-date", "20240102T030405Z")]);
    let input = SigningInput {
        method: "GET",
        path: "/",
        query: &[],
        headers: &headers,
        body: b"",
    };
    let signed = sign(AK, SK.as_bytes(), &input).unwrap();
    assert!(signed
        .canonical_request
        .contains("\nx-sdk-date:20240102T030405Z\n"));
    assert!(signed
        .string_to_sign
        .starts_with("SDK-HMAC-SHA256\n20240102T030405Z\n"));
}

#[test]
fn freshness_window() {
    let now = parse_sdk_date("20240102T030405Z").unwrap();
    assert_eq!(
        check_freshness("20240102T030405Z", now, MAX_CLOCK_SKEW),
        Ok(())
    );
    assert_eq!(
        check_freshness("20240102T024905Z", now, MAX_CLOCK_SKEW),
        Ok(())
    );
    assert_eq!(
        check_freshness("20240102T031905Z", now, MAX_CLOCK_SKEW),
        Ok(())
    );
    let late = check_freshness("20240102T024904Z", now, MAX_CLOCK_SKEW).unwrap_err();
    assert_eq!(
        late,
        VerifyError::Expired {
            signed_at: "20240102T024904Z".into(),
            server_time: "20240102T030405Z".into(),
            max_skew_minutes: 15,
        }
    );
    let msg = late.to_string();
    assert!(
        msg.contains("20240102T024904Z") && msg.contains("20240102T030405Z"),
        "{msg}"
    );
    assert!(matches!(
        check_freshness("20240102T031906Z", now, MAX_CLOCK_SKEW),
        Err(VerifyError::Expired { .. })
    ));
    assert!(matches!(
        check_freshness("garbage", now, MAX_CLOCK_SKEW),
        Err(VerifyError::MalformedDate { .. })
    ));
    let sub_second = now + Duration::from_millis(900);
    assert!(check_freshness("20240102T030405Z", sub_second, Duration::ZERO).is_err());
    assert_eq!(
        check_freshness("19700101T000000Z", UNIX_EPOCH, Duration::ZERO),
        Ok(())
    );
}

/// Every error this crate can produce, by really triggering it.
fn every_error() -> (Vec<SignError>, Vec<VerifyError>) {
    let sk = SK.as_bytes();
    let base = pairs(&[("Host", "h"), ("X-Sdk-Date", "20240102T030405Z")]);
    let sign_err = |headers: &[(String, String)], names: Option<&[&str]>| {
        let input = SigningInput {
            method: "GET",
            path: "/",
            query: &[],
            headers,
            body: b"",
        };
        match names {
            Some(names) => sign_with_names(AK, sk, &input, names).unwrap_err(),
            None => sign(AK, sk, &input).unwrap_err(),
        }
    };
    let with = |extra: &[(&str, &str)]| {
        let mut h = base.clone();
        h.extend(pairs(extra));
        h
    };
    let sign_errors = vec![
        sign_err(&pairs(&[("Host", "h")]), None),
        sign_err(&pairs(&[("X-Sdk-Date", "2024")]), None),
        sign_err(&with(&[("host", "x")]), None),
        sign_err(&base, Some(&["x-sdk-date", "workspace"])),
        sign_err(&base, Some(&["host"])),
        sign_err(&with(&[("Authorization", "x")]), None),
        parse_authorization("SDK-HMAC-SHA256 Access=AK").unwrap_err(),
        parse_authorization("SDK-HMAC-SHA1 Access=AK").unwrap_err(),
        SigningKey::new(Algorithm::HmacSm3, "", b"SK").unwrap_err(),
        SigningKey::new(Algorithm::Sm2Sm3, "AK", b"").unwrap_err(),
        SignError::KeyDerivation {
            algorithm: Algorithm::Sm2Sm3,
        },
        SignError::Randomness,
    ];

    let r = Request::new();
    let verify_with = |auth: &ParsedAuthorization, headers: &[(String, String)]| {
        verify(sk, auth, "POST", PATH, &r.query, headers, BODY).unwrap_err()
    };
    let mut other_alg = r.auth.clone();
    other_alg.algorithm = Algorithm::EcdsaP256Sha256;
    let mut no_date_signed = r.auth.clone();
    no_date_signed.signed_headers.retain(|n| n != "x-sdk-date");
    let without = |name: &str| {
        let mut h = r.headers.clone();
        h.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        h
    };
    let mut bad_date = r.headers.clone();
    bad_date.retain(|(k, _)| k != "X-Sdk-Date");
    bad_date.push(("X-Sdk-Date".into(), "20241301T000000Z".into()));
    let mut dup = r.headers.clone();
    dup.push(("workspace".into(), "w".into()));
    let mut tampered = r.headers.clone();
    tampered.push(("X-Sdk-Content-Sha256".into(), "UNSIGNED-PAYLOAD".into()));
    let verify_errors = vec![
        VerifyError::from(parse_authorization("SDK-HMAC-SHA256 nonsense").unwrap_err()),
        VerifyError::from(parse_authorization("SDK-HMAC-SHA1 Access=AK").unwrap_err()),
        verify_with(&other_alg, &r.headers),
        {
            let mut ec = r.auth.clone();
            ec.algorithm = Algorithm::Sm2Sm3;
            verify(b"", &ec, "POST", PATH, &r.query, &r.headers, BODY).unwrap_err()
        },
        verify_with(&r.auth, &without("workspace")),
        verify_with(&r.auth, &dup),
        verify_with(&r.auth, &without("x-sdk-date")),
        verify_with(&r.auth, &bad_date),
        verify_with(&no_date_signed, &r.headers),
        verify_with(&r.auth, &tampered),
        check_freshness(
            "20200101T000000Z",
            parse_sdk_date("20240102T030405Z").unwrap(),
            MAX_CLOCK_SKEW,
        )
        .unwrap_err(),
        VerifyError::from(SignError::AlreadySigned),
    ];
    (sign_errors, verify_errors)
}

#[test]
fn errors_never_show_the_secret_key_or_expected_signature() {
    let (sign_errors, verify_errors) = every_error();
    // One of each variant.
    let mut sign_kinds: Vec<String> = sign_errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    sign_kinds.sort();
    sign_kinds.dedup();
    assert_eq!(sign_kinds.len(), 12, "{sign_kinds:?}");
    let mut verify_kinds: Vec<String> = verify_errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    verify_kinds.sort();
    verify_kinds.dedup();
    assert_eq!(verify_kinds.len(), 11, "{verify_kinds:?}");

    let r = Request::new();
    let shown: Vec<String> = sign_errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}"), format!("{e:#?}")])
        .chain(
            verify_errors
                .iter()
                .flat_map(|e| [e.to_string(), format!("{e:?}"), format!("{e:#?}")]),
        )
        .collect();
    for text in shown {
        assert!(!text.contains(SK), "SK leaked: {text}");
        assert!(
            !text.contains(&r.signed.signature),
            "signature leaked: {text}"
        );
        assert!(!text.is_empty());
    }
}

#[test]
fn mismatch_error_hides_the_expected_signature() {
    // The server's own signature for the tampered request must not be shown either.
    let mut r = Request::new();
    r.set_header("workspace", "w2");
    let query = dataarts_signing::parse_raw_query(&r.query);
    let expected = sign_with_names(
        AK,
        SK.as_bytes(),
        &SigningInput {
            method: &r.method,
            path: &r.path,
            query: &query,
            headers: &r.headers,
            body: &r.body,
        },
        &r.auth
            .signed_headers
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let err = r.verify().unwrap_err();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(&expected.signature), "{text}");
        assert!(!text.contains(&r.auth.signature), "{text}");
    }
}
