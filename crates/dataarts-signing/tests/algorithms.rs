//! The four algorithms against `tests/vectors/algorithms.json`, written by the official Python
//! SDK (`tests/vectors/generate.py`).
//!
//! * HMAC-SHA256 and HMAC-SM3: our canonical request, string to sign and `Authorization`
//!   header equal the SDK's byte for byte.
//! * ECDSA-P256-SHA256 and SM2-SM3: our canonical request and string to sign equal the SDK's,
//!   we derive the same public key, every official signature verifies with us (and stops
//!   verifying when the request is changed), and ours verify with us. That the SDK accepts our
//!   signatures is checked by `conformance/test_signing_interop.py`.

use dataarts_signing::{
    canonical_query, needs_unsigned_payload, parse_authorization, verify, verify_with_key,
    Algorithm, SigningInput, SigningKey, VerifyError,
};
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/algorithms.json");

/// One request of the file, as the inputs of `SigningKey::sign`.
struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    ak: String,
    sk: String,
}

impl Request {
    fn from_json(r: &Value, algorithm: Algorithm) -> Request {
        let pairs = |v: &Value| -> Vec<(String, String)> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|p| (s(&p[0]).to_string(), s(&p[1]).to_string()))
                .collect()
        };
        let mut headers = pairs(&r["headers"]);
        let content_type = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone());
        if content_type.is_some_and(|ct| needs_unsigned_payload(&ct)) {
            headers.push((
                algorithm.content_hash_header().to_string(),
                "UNSIGNED-PAYLOAD".to_string(),
            ));
        }
        let body = match &r["body"] {
            Value::Null => Vec::new(),
            b if b.get("utf8").is_some() => s(&b["utf8"]).as_bytes().to_vec(),
            b => hex::decode(s(&b["hex"])).unwrap(),
        };
        Request {
            method: s(&r["method"]).to_string(),
            path: s(&r["path"]).to_string(),
            query: pairs(&r["query"]),
            headers,
            body,
            ak: s(&r["ak"]).to_string(),
            sk: s(&r["sk"]).to_string(),
        }
    }

    fn input(&self) -> SigningInput<'_> {
        SigningInput {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    /// Verifies `authorization` as the emulator would, with `sk`.
    fn verify(&self, authorization: &str, sk: &[u8]) -> Result<(), VerifyError> {
        let auth = parse_authorization(authorization).unwrap();
        verify(
            sk,
            &auth,
            &self.method,
            &self.path,
            &canonical_query(&self.query),
            &self.headers,
            &self.body,
        )
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn root() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn request(root: &Value, id: &str, algorithm: Algorithm) -> Request {
    let r = root["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no request {id}"));
    Request::from_json(r, algorithm)
}

#[test]
fn every_algorithm_matches_the_official_signer() {
    let root = root();
    let mut seen = std::collections::HashMap::<Algorithm, usize>::new();
    for v in root["signatures"].as_array().unwrap() {
        let id = s(&v["request"]);
        let algorithm: Algorithm = s(&v["algorithm"]).parse().unwrap();
        let req = request(&root, id, algorithm);
        let key = SigningKey::new(algorithm, &req.ak, req.sk.as_bytes()).unwrap();
        let signed = key.sign(&req.input()).unwrap();
        let what = format!("{id} {algorithm}");
        assert_eq!(
            signed.canonical_request,
            s(&v["canonical_request"]),
            "{what}"
        );
        assert_eq!(signed.string_to_sign, s(&v["string_to_sign"]), "{what}");
        assert_eq!(signed.signed_headers, s(&v["signed_headers"]), "{what}");
        *seen.entry(algorithm).or_default() += 1;

        if algorithm.is_elliptic_curve() {
            assert_eq!(
                hex::encode(key.public_key().unwrap()),
                s(&v["public_key"]),
                "{what}: derived public key"
            );
            let official = v["official_authorizations"].as_array().unwrap();
            assert_eq!(official.len(), 3);
            for a in official
                .iter()
                .map(s)
                .chain([signed.authorization.as_str()])
            {
                req.verify(a, req.sk.as_bytes())
                    .unwrap_or_else(|e| panic!("{what}: {e}: {a}"));
                // Derived once, verified again.
                let auth = parse_authorization(a).unwrap();
                verify_with_key(
                    &key,
                    &auth,
                    &req.method,
                    &req.path,
                    &canonical_query(&req.query),
                    &req.headers,
                    &req.body,
                )
                .unwrap();
                assert!(matches!(
                    req.verify(a, b"another secret key"),
                    Err(VerifyError::SignatureMismatch { .. })
                ));
            }
            // A fresh nonce each time.
            assert_ne!(key.sign(&req.input()).unwrap().signature, signed.signature);
        } else {
            assert_eq!(signed.authorization, s(&v["authorization"]), "{what}");
            req.verify(s(&v["authorization"]), req.sk.as_bytes())
                .unwrap_or_else(|e| panic!("{what}: {e}"));
        }
    }
    assert!(
        Algorithm::ALL.iter().all(|a| seen.get(a) == Some(&6)),
        "{seen:?}"
    );
}

/// An official signature stops verifying when anything signed changes.
#[test]
fn official_signatures_of_a_changed_request_are_refused() {
    let root = root();
    for v in root["signatures"].as_array().unwrap() {
        let algorithm: Algorithm = s(&v["algorithm"]).parse().unwrap();
        let authorization = match v.get("official_authorizations") {
            Some(a) => s(&a[0]).to_string(),
            None => s(&v["authorization"]).to_string(),
        };
        let id = s(&v["request"]);
        let sk = request(&root, id, algorithm).sk;
        let mut body = request(&root, id, algorithm);
        body.body.push(b' ');
        let mut method = request(&root, id, algorithm);
        method.method = "PATCH".into();
        let mut date = request(&root, id, algorithm);
        for (k, v) in &mut date.headers {
            if k == "X-Sdk-Date" {
                *v = "20240102T030406Z".into();
            }
        }
        let mut query = request(&root, id, algorithm);
        query.query.push(("extra".into(), "1".into()));
        let unsigned_body = body
            .headers
            .iter()
            .any(|(k, _)| k == algorithm.content_hash_header());
        for (change, req) in [("method", method), ("date", date), ("query", query)]
            .into_iter()
            .chain((!unsigned_body).then_some(("body", body)))
        {
            assert!(
                matches!(
                    req.verify(&authorization, sk.as_bytes()),
                    Err(VerifyError::SignatureMismatch { .. })
                ),
                "{id} {algorithm}: changed {change}"
            );
        }
    }
}

#[test]
fn derived_keys_match_the_official_derivation() {
    let root = root();
    let keys = root["derived_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 6);
    for k in keys {
        let algorithm: Algorithm = s(&k["algorithm"]).parse().unwrap();
        let key = SigningKey::new(algorithm, s(&k["ak"]), s(&k["sk"]).as_bytes()).unwrap();
        assert_eq!(
            hex::encode(key.public_key().unwrap()),
            s(&k["public_key"]),
            "{algorithm} {}",
            s(&k["ak"])
        );
    }
}

/// Request A6's AK gives an SM2 public key with a coordinate that starts with a zero byte,
/// where the SDK's ZA differs from the standard's.
#[test]
fn sm2_key_with_a_short_coordinate() {
    let root = root();
    let req = request(&root, "A6", Algorithm::Sm2Sm3);
    let key = SigningKey::new(Algorithm::Sm2Sm3, &req.ak, req.sk.as_bytes()).unwrap();
    let public = key.public_key().unwrap();
    assert!(
        public[1] == 0 || public[33] == 0,
        "{}",
        hex::encode(&public)
    );
}
