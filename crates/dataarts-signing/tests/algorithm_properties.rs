//! The four algorithms: names, round trips, tampering, garbage signatures, and secrets that
//! never show.

use dataarts_signing::{
    parse_authorization, verify, Algorithm, ParsedAuthorization, SignError, SigningInput,
    SigningKey, VerifyError,
};
use proptest::prelude::*;

const AK: &str = "TESTAK0123456789ABCD";
const SK: &str = "TestSecretKey0123456789abcdefghijklmnopq";
const PATH: &str = "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/factory/release-packages/deploy";
const BODY: &[u8] = br#"{"package_ids": ["1001"], "startup_mode": 1}"#;

fn headers() -> Vec<(String, String)> {
    [
        ("Content-Type", "application/json;charset=utf-8"),
        ("Host", "dayu.cn-north-4.myhuaweicloud.com"),
        ("workspace", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"),
        ("X-Security-Token", "SECURITYTOKENVALUE"),
        ("X-Sdk-Date", "20240102T030405Z"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn signed(algorithm: Algorithm) -> (ParsedAuthorization, Vec<(String, String)>) {
    let headers = headers();
    let key = SigningKey::new(algorithm, AK, SK.as_bytes()).unwrap();
    let input = SigningInput {
        method: "POST",
        path: PATH,
        query: &[],
        headers: &headers,
        body: BODY,
    };
    let auth = parse_authorization(&key.sign(&input).unwrap().authorization).unwrap();
    (auth, headers)
}

#[test]
fn names_parse_in_any_case_and_round_trip() {
    for algorithm in Algorithm::ALL {
        let name = algorithm.as_str();
        for spelling in [
            name.to_string(),
            name.to_ascii_lowercase(),
            format!("  {}\t", name.to_ascii_lowercase()),
        ] {
            assert_eq!(spelling.parse::<Algorithm>(), Ok(algorithm), "{spelling:?}");
        }
        assert_eq!(algorithm.to_string(), name);
    }
    assert_eq!(Algorithm::default(), Algorithm::HmacSha256);
    for bad in [
        "",
        "SDK-HMAC-SHA1",
        "HMAC-SM3",
        "SDK-ECDSA-P384-SHA384",
        "V11-HMAC-SHA256",
    ] {
        let err = bad.parse::<Algorithm>().unwrap_err();
        assert!(err.to_string().contains("SDK-SM2-SM3"), "{err}");
    }
}

#[test]
fn each_algorithm_verifies_and_refuses_a_tampered_request() {
    for algorithm in Algorithm::ALL {
        let (auth, headers) = signed(algorithm);
        assert_eq!(auth.algorithm, algorithm);
        let check = |sk: &[u8], auth: &ParsedAuthorization, h: &[(String, String)], body: &[u8]| {
            verify(sk, auth, "POST", PATH, "", h, body)
        };
        assert_eq!(
            check(SK.as_bytes(), &auth, &headers, BODY),
            Ok(()),
            "{algorithm}"
        );

        let mismatch = |r: Result<(), VerifyError>, what: &str| {
            assert!(
                matches!(r, Err(VerifyError::SignatureMismatch { .. })),
                "{algorithm}: {what}: {r:?}"
            );
        };
        mismatch(
            check(SK.as_bytes(), &auth, &headers, b"{\"package_ids\": []}"),
            "body",
        );
        let mut other = headers.clone();
        other[2].1 = "another-workspace".into();
        mismatch(check(SK.as_bytes(), &auth, &other, BODY), "signed header");
        let mut other = headers.clone();
        other[3].1 = "ANOTHERTOKEN".into();
        mismatch(check(SK.as_bytes(), &auth, &other, BODY), "security token");
        mismatch(check(b"another SK", &auth, &headers, BODY), "secret key");
        mismatch(
            verify(SK.as_bytes(), &auth, "PUT", PATH, "", &headers, BODY),
            "method",
        );
        mismatch(
            verify(SK.as_bytes(), &auth, "POST", PATH, "a=1", &headers, BODY),
            "query",
        );
        // The elliptic-curve keys are derived from the AK too; an HMAC covers only the SK
        // (the gateway finds the SK by the AK, so another AK means another SK anyway).
        let mut other_ak = auth.clone();
        other_ak.access = "ANOTHERAK".into();
        let r = check(SK.as_bytes(), &other_ak, &headers, BODY);
        if algorithm.is_elliptic_curve() {
            mismatch(r, "access key");
        } else {
            assert_eq!(r, Ok(()), "{algorithm}");
        }
        // An unsigned header may change.
        let mut extra = headers.clone();
        extra.push(("X-Request-Id".into(), "abc".into()));
        assert_eq!(
            check(SK.as_bytes(), &auth, &extra, BODY),
            Ok(()),
            "{algorithm}"
        );
    }
}

#[test]
fn other_algorithm_names_are_unsupported() {
    for header in [
        "SDK-HMAC-SHA1 Access=AK, SignedHeaders=x-sdk-date, Signature=a",
        "sdk-hmac-sm3 Access=AK, SignedHeaders=x-sdk-date, Signature=a",
        "V11-HMAC-SHA256 Credential=AK/20240102/r/s, SignedHeaders=host, Signature=ab",
    ] {
        let err = VerifyError::from(parse_authorization(header).unwrap_err());
        assert!(
            matches!(err, VerifyError::UnsupportedAlgorithm { .. }),
            "{header}: {err:?}"
        );
        assert!(err.to_string().contains("SDK-ECDSA-P256-SHA256"), "{err}");
    }
    let err = parse_authorization("SDK-SM2-SM3 Access=AK").unwrap_err();
    assert!(
        matches!(err, SignError::MalformedAuthorization { .. }),
        "{err:?}"
    );
}

/// A signature made for one algorithm, presented as another, is refused.
#[test]
fn a_signature_under_another_algorithm_is_refused() {
    for made in Algorithm::ALL {
        for claimed in Algorithm::ALL.into_iter().filter(|a| *a != made) {
            let (mut auth, headers) = signed(made);
            auth.algorithm = claimed;
            let r = verify(SK.as_bytes(), &auth, "POST", PATH, "", &headers, BODY);
            assert!(
                matches!(
                    r,
                    Err(VerifyError::SignatureMismatch { .. }
                        | VerifyError::MalformedSignature { .. })
                ),
                "{made} as {claimed}: {r:?}"
            );
        }
    }
}

#[test]
fn elliptic_curve_garbage_signatures_are_malformed() {
    for algorithm in [Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3] {
        let (auth, headers) = signed(algorithm);
        let n = match algorithm {
            Algorithm::Sm2Sm3 => "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123",
            _ => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        };
        for garbage in [
            "zz".to_string(),
            "abc".to_string(),
            "00".to_string(),
            "3000".to_string(),
            "30060201000201".to_string(),
            // r = 0
            "3006020100020101".to_string(),
            // r = n (out of range)
            format!("3026022100{n}020101"),
            auth.signature[..auth.signature.len() - 2].to_string(),
            format!("{}00", auth.signature),
        ] {
            let mut bad = auth.clone();
            bad.signature = garbage.clone();
            let r = verify(SK.as_bytes(), &bad, "POST", PATH, "", &headers, BODY);
            assert!(
                matches!(r, Err(VerifyError::MalformedSignature { .. })),
                "{algorithm} {garbage}: {r:?}"
            );
            assert!(!r.unwrap_err().to_string().contains(SK));
        }
    }
}

#[test]
fn debug_and_errors_show_no_secret() {
    let secret = "VerySecretKeyMaterial0123456789";
    for algorithm in Algorithm::ALL {
        let key = SigningKey::new(algorithm, AK, secret.as_bytes()).unwrap();
        for shown in [format!("{key:?}"), format!("{key:#?}")] {
            assert!(!shown.contains(secret), "{shown}");
            assert!(!shown.contains("VerySecret"), "{shown}");
            assert!(
                shown.contains(AK) && shown.contains("<redacted>"),
                "{shown}"
            );
        }
        // The derived public key is not the secret; nothing else of the key is shown.
        if let Some(public) = key.public_key() {
            assert!(!format!("{key:?}").contains(&hex::encode(&public[1..9])));
        }
        let (auth, headers) = signed(algorithm);
        let err = verify(secret.as_bytes(), &auth, "POST", PATH, "", &headers, BODY).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(secret) && !shown.contains(SK), "{shown}");
            assert!(!shown.contains(&auth.signature), "{shown}");
        }
    }
    assert_eq!(
        SigningKey::new(Algorithm::Sm2Sm3, "", b"SK").unwrap_err(),
        SignError::EmptyAccessKey
    );
}

#[test]
fn signing_key_checks_like_sign() {
    for algorithm in Algorithm::ALL {
        let key = SigningKey::new(algorithm, AK, SK.as_bytes()).unwrap();
        let mut h = headers();
        h.push((
            algorithm.content_hash_header().to_ascii_lowercase(),
            "x".into(),
        ));
        h.push((algorithm.content_hash_header().to_string(), "y".into()));
        let input = SigningInput {
            method: "POST",
            path: PATH,
            query: &[],
            headers: &h,
            body: BODY,
        };
        let expected = Err(SignError::DuplicateHeader {
            name: algorithm.content_hash_header().to_ascii_lowercase(),
        });
        assert_eq!(key.check(&input), expected, "{algorithm}");
        assert_eq!(key.sign(&input).map(drop), expected, "{algorithm}");
    }
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the request and the credentials, what one algorithm signs verifies.
    #[test]
    fn sign_then_verify_round_trips(
        algorithm in algorithm(),
        ak in "[A-Za-z0-9]{1,24}",
        sk in prop::collection::vec(any::<u8>(), 1..80),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        path in "(/[a-zA-Z0-9._~%-]{0,8}){1,4}",
        query in prop::collection::vec(("[a-z]{1,4}", "[ -~]{0,6}"), 0..4),
        extra in prop::collection::vec(("[a-z][a-z0-9-]{0,8}", "[!-~]{0,10}"), 0..4),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut headers = vec![
            ("Host".to_string(), "127.0.0.1:8443".to_string()),
            ("X-Sdk-Date".to_string(), "20240102T030405Z".to_string()),
        ];
        for (k, v) in extra {
            if !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(&k))
                && !k.starts_with("x-sdk")
                && k != "authorization"
            {
                headers.push((k, v));
            }
        }
        let query: Vec<(String, String)> = query;
        let key = SigningKey::new(algorithm, &ak, &sk).unwrap();
        let input = SigningInput { method, path: &path, query: &query, headers: &headers, body: &body };
        let signed = key.sign(&input).unwrap();
        let auth = parse_authorization(&signed.authorization).unwrap();
        prop_assert_eq!(auth.algorithm, algorithm);
        let wire_query = dataarts_signing::canonical_query(&query);
        prop_assert_eq!(verify(&sk, &auth, method, &path, &wire_query, &headers, &body), Ok(()));
        let mut other = body.clone();
        other.push(b'!');
        prop_assert!(verify(&sk, &auth, method, &path, &wire_query, &headers, &other).is_err());
    }

    /// No signature text makes `verify` panic; anything but the real one is refused.
    #[test]
    fn any_signature_text_is_refused_without_panicking(
        algorithm in algorithm(),
        signature in prop_oneof![
            "[0-9a-f]{0,160}",
            "30[0-9a-f]{0,150}",
            any::<String>(),
        ],
    ) {
        let (mut auth, headers) = signed(algorithm);
        auth.signature = signature;
        prop_assert!(verify(SK.as_bytes(), &auth, "POST", PATH, "", &headers, BODY).is_err());
    }

    /// No `Authorization` text makes the parser panic.
    #[test]
    fn any_authorization_text_parses_or_fails_cleanly(
        algorithm in algorithm(),
        rest in any::<String>(),
    ) {
        let _ = parse_authorization(&format!("{algorithm} {rest}"));
    }
}
