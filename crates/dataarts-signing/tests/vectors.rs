//! Every SDK-HMAC-SHA256 and SDK-HMAC-SM3 vector of `tests/data/signing_vectors.json`
//! (produced by the official Python SDK core 3.1.219 and taken from the Go SDK's tests),
//! signed and verified, and the `ecdsa_family` examples (derived keys and the official
//! signer's signatures). More vectors for all four algorithms: `tests/algorithms.rs`.
//!
//! Out of scope, skipped by id: V14, U3, U6: V11-HMAC-SHA256 (a derived-key scheme that
//! DataArts does not use).

use dataarts_signing::{
    canonical_query, needs_unsigned_payload, parse_authorization, sign, sign_with_names, verify,
    Algorithm, SigningInput, SigningKey, ALGORITHM,
};
use serde_json::Value;

const VECTORS: &str = include_str!("data/signing_vectors.json");

/// The vectors with another algorithm, which this crate does not implement.
const SKIPPED: &[&str] = &["V14", "U3", "U6"];

/// Every SDK-HMAC-SM3 vector in the file, in file order.
const SM3_IDS: &[&str] = &["V13", "U2", "U5"];

/// Every SDK-HMAC-SHA256 vector in the file, in file order.
const SHA256_IDS: &[&str] = &[
    "V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10", "V11", "V12", "V15", "U1", "U4",
    "G1", "G2",
];

/// One vector, turned into the inputs of `sign` as `how_to_read` describes.
struct Case {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    ak: String,
    sk: String,
    signed_names: Option<Vec<String>>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("unexpected scalar {other}"),
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string field {key}"))
}

/// `scheme://host/path` -> (`host`, `/path`).
fn split_url(url: &str) -> (&str, &str) {
    let rest = &url[url.find("://").expect("absolute URL") + 3..];
    match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    }
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

fn build(vector: &Value) -> Case {
    let i = &vector["inputs"];
    let url = str_field(i, "url");
    let (url_host, url_path) = split_url(url);
    let host = i["host"].as_str().unwrap_or(url_host).to_string();
    let path = i["path"].as_str().unwrap_or(url_path).to_string();

    let mut query = Vec::new();
    for pair in i["query"].as_array().expect("query is a list") {
        let key = text(&pair[0]);
        match &pair[1] {
            Value::Array(values) => query.extend(values.iter().map(|v| (key.clone(), text(v)))),
            v => query.push((key, text(v))),
        }
    }

    let mut headers: Vec<(String, String)> = i["headers"]
        .as_object()
        .expect("headers is an object")
        .iter()
        .map(|(k, v)| (k.clone(), text(v)))
        .collect();
    if !has_header(&headers, "x-sdk-date") {
        headers.push(("X-Sdk-Date".into(), str_field(i, "date").into()));
    }
    if i["signer_adds_host"].as_bool() != Some(false) && !has_header(&headers, "host") {
        headers.push(("Host".into(), host));
    }
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "Content-Type")
        .map(|(_, v)| v.clone());
    let algorithm: Algorithm = str_field(vector, "algorithm")
        .parse()
        .unwrap_or(Algorithm::HmacSha256);
    if content_type.is_some_and(|ct| needs_unsigned_payload(&ct)) {
        headers.push((
            algorithm.content_hash_header().into(),
            "UNSIGNED-PAYLOAD".into(),
        ));
    }

    let body = match &i["body"] {
        Value::Null => Vec::new(),
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Object(o) => hex::decode(o["hex"].as_str().expect("hex body")).expect("valid hex"),
        other => panic!("unexpected body {other}"),
    };

    Case {
        method: str_field(i, "method").to_string(),
        path,
        query,
        headers,
        body,
        ak: str_field(i, "ak").to_string(),
        sk: str_field(i, "sk").to_string(),
        signed_names: i["signed_header_names"].as_array().map(|names| {
            names
                .iter()
                .map(|n| n.as_str().expect("name").to_string())
                .collect()
        }),
    }
}

fn all_vectors() -> Vec<Value> {
    let root: Value = serde_json::from_str(VECTORS).expect("valid JSON");
    ["vectors", "sdk_unit_test_vectors", "cross_sdk_vectors"]
        .iter()
        .flat_map(|section| {
            root[*section]
                .as_array()
                .unwrap_or_else(|| panic!("section {section}"))
                .clone()
        })
        .collect()
}

#[test]
fn every_sha256_vector_matches() {
    let mut checked = Vec::new();
    for vector in all_vectors() {
        let id = str_field(&vector, "id").to_string();
        if str_field(&vector, "algorithm") != ALGORITHM {
            assert!(
                SKIPPED.contains(&id.as_str()) || SM3_IDS.contains(&id.as_str()),
                "unexpected non-SHA-256 vector {id}"
            );
            continue;
        }
        let case = build(&vector);
        let input = SigningInput {
            method: &case.method,
            path: &case.path,
            query: &case.query,
            headers: &case.headers,
            body: &case.body,
        };
        let signed = match &case.signed_names {
            Some(names) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                sign_with_names(&case.ak, case.sk.as_bytes(), &input, &names)
            }
            None => sign(&case.ak, case.sk.as_bytes(), &input),
        }
        .unwrap_or_else(|e| panic!("{id}: {e}"));

        let expected = &vector["expected"];
        for (field, got) in [
            ("canonical_request", &signed.canonical_request),
            ("string_to_sign", &signed.string_to_sign),
            ("signed_headers", &signed.signed_headers),
            ("signature", &signed.signature),
            ("authorization", &signed.authorization),
        ] {
            assert_eq!(got, str_field(expected, field), "{id}: {field}");
        }
        let last_line = signed.canonical_request.rsplit('\n').next();
        assert_eq!(
            last_line,
            expected["payload_hash"].as_str(),
            "{id}: payload hash"
        );

        let wire_query = canonical_query(&case.query);
        if let Some(url) = expected["url_after_signing"].as_str() {
            let query = url.split_once('?').map_or("", |(_, q)| q);
            assert_eq!(wire_query, query, "{id}: query on the wire");
        }
        if let Some(after) = expected["headers_after_signing"].as_object() {
            assert_eq!(
                after["Authorization"].as_str(),
                Some(signed.authorization.as_str()),
                "{id}: Authorization header"
            );
        }

        // The emulator accepts what the official SDK sent: the expected Authorization header,
        // the wire path and query, every header (Authorization included) and the body.
        let auth = parse_authorization(str_field(expected, "authorization"))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let wire_path = expected["url_on_the_wire"]
            .as_str()
            .map_or(case.path.as_str(), |url| split_url(url).1);
        let mut received = case.headers.clone();
        received.push(("Authorization".into(), signed.authorization.clone()));
        verify(
            case.sk.as_bytes(),
            &auth,
            &case.method,
            wire_path,
            &wire_query,
            &received,
            &case.body,
        )
        .unwrap_or_else(|e| panic!("{id}: verify: {e}"));
        // ... and rejects it under another secret key.
        assert!(
            verify(
                b"wrong",
                &auth,
                &case.method,
                wire_path,
                &wire_query,
                &received,
                &case.body
            )
            .is_err(),
            "{id}: verify with a wrong SK"
        );

        checked.push(id);
    }
    assert_eq!(checked, SHA256_IDS, "SDK-HMAC-SHA256 vectors checked");
    assert_eq!(checked.len(), 17);
}

#[test]
fn every_sm3_vector_matches() {
    let mut checked = Vec::new();
    for vector in all_vectors() {
        let id = str_field(&vector, "id").to_string();
        if str_field(&vector, "algorithm") != Algorithm::HmacSm3.as_str() {
            continue;
        }
        let case = build(&vector);
        let input = SigningInput {
            method: &case.method,
            path: &case.path,
            query: &case.query,
            headers: &case.headers,
            body: &case.body,
        };
        let key = SigningKey::new(Algorithm::HmacSm3, &case.ak, case.sk.as_bytes()).unwrap();
        let signed = key.sign(&input).unwrap_or_else(|e| panic!("{id}: {e}"));
        let expected = &vector["expected"];
        for (field, got) in [
            ("canonical_request", &signed.canonical_request),
            ("string_to_sign", &signed.string_to_sign),
            ("signed_headers", &signed.signed_headers),
            ("signature", &signed.signature),
            ("authorization", &signed.authorization),
        ] {
            assert_eq!(got, str_field(expected, field), "{id}: {field}");
        }
        let auth = parse_authorization(str_field(expected, "authorization")).unwrap();
        assert_eq!(auth.algorithm, Algorithm::HmacSm3);
        let wire_query = canonical_query(&case.query);
        let verify_sk = |sk: &[u8]| {
            verify(
                sk,
                &auth,
                &case.method,
                &case.path,
                &wire_query,
                &case.headers,
                &case.body,
            )
        };
        verify_sk(case.sk.as_bytes()).unwrap_or_else(|e| panic!("{id}: verify: {e}"));
        assert!(verify_sk(b"wrong").is_err(), "{id}: verify with a wrong SK");
        checked.push(id);
    }
    assert_eq!(checked, SM3_IDS);
}

/// The `ecdsa_family` examples: our derived key is the official signer's, our canonical
/// request and string to sign are its, its example signature verifies with us, and ours
/// verify too.
#[test]
fn ecdsa_family_examples_match() {
    let root: Value = serde_json::from_str(VECTORS).expect("valid JSON");
    for (section, algorithm) in [
        ("ECDSA_P256_SHA256", Algorithm::EcdsaP256Sha256),
        ("SM2_SM3", Algorithm::Sm2Sm3),
    ] {
        let vector = &root["ecdsa_family"][section];
        assert_eq!(str_field(vector, "algorithm"), algorithm.as_str());
        let i = &vector["inputs"];
        let e = &vector["expected"];
        let (host, path) = split_url(str_field(i, "url"));
        let headers = vec![
            ("Host".to_string(), host.to_string()),
            ("X-Sdk-Date".to_string(), str_field(i, "date").to_string()),
        ];
        let (ak, sk) = (str_field(i, "ak"), str_field(i, "sk"));
        let key = SigningKey::new(algorithm, ak, sk.as_bytes()).unwrap();
        let public = key.public_key().unwrap();
        assert_eq!(
            hex::encode(&public),
            format!(
                "04{}{}",
                str_field(e, "public_key_x_hex"),
                str_field(e, "public_key_y_hex")
            ),
            "{section}: derived public key"
        );
        let input = SigningInput {
            method: str_field(i, "method"),
            path,
            query: &[],
            headers: &headers,
            body: b"",
        };
        let signed = key.sign(&input).unwrap();
        assert_eq!(signed.canonical_request, str_field(e, "canonical_request"));
        assert_eq!(signed.string_to_sign, str_field(e, "string_to_sign"));
        for authorization in [str_field(e, "example_authorization"), &signed.authorization] {
            let auth = parse_authorization(authorization).unwrap();
            assert_eq!(auth.algorithm, algorithm);
            verify(sk.as_bytes(), &auth, "GET", path, "", &headers, b"")
                .unwrap_or_else(|err| panic!("{section}: {err}"));
            assert!(verify(b"wrong", &auth, "GET", path, "", &headers, b"").is_err());
        }
    }
}

#[test]
fn skip_list_is_exactly_the_other_algorithms() {
    let others: Vec<String> = all_vectors()
        .iter()
        .filter(|v| {
            let a = str_field(v, "algorithm");
            a != ALGORITHM && a != Algorithm::HmacSm3.as_str()
        })
        .map(|v| str_field(v, "id").to_string())
        .collect();
    assert_eq!(others, SKIPPED);
}

/// A GET of the pending items with a query that needs encoding (a space in `item_name`), as
/// the official package signed it when the vectors were made.
#[test]
fn pending_items_request_signed_by_the_official_package() {
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let query = pairs(&[("limit", "10"), ("offset", "0"), ("item_name", "daily etl")]);
    let headers = pairs(&[
        ("workspace", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"),
        ("X-Project-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
        ("X-Sdk-Date", "20240102T030405Z"),
        ("Host", "dayu.cn-north-4.myhuaweicloud.com"),
    ]);
    let input = SigningInput {
        method: "GET",
        path: "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/factory/pending-items",
        query: &query,
        headers: &headers,
        body: b"",
    };
    let signed = sign(
        "TESTAK0123456789ABCD",
        b"TestSecretKey0123456789abcdefghijklmnopq",
        &input,
    )
    .unwrap();
    assert_eq!(
        canonical_query(&query),
        "item_name=daily%20etl&limit=10&offset=0"
    );
    assert_eq!(
        signed.signed_headers,
        "host;workspace;x-project-id;x-sdk-date"
    );
    assert_eq!(
        signed.signature,
        "05caf1427d483c719eb0f6241a0bd689f23fa6503f857ab487d14df159080e29"
    );
}
