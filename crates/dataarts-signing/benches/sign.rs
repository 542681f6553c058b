//! Signing and verifying the V1 deploy request (`signing_vectors.json`), end to end.
//!
//! Run with `cargo bench -p dataarts-signing -- --quick` for a fast estimate.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dataarts_signing::{
    canonical_query, parse_authorization, sign, verify, verify_with_key, Algorithm, SigningInput,
    SigningKey,
};

const AK: &str = "TESTAK0123456789ABCD";
const SK: &[u8] = b"TestSecretKey0123456789abcdefghijklmnopq";
const PATH: &str = "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/factory/release-packages/deploy";
const BODY: &[u8] = br#"{"package_ids": ["1001", "1002"], "startup_mode": 1}"#;

fn deploy_headers() -> Vec<(String, String)> {
    [
        ("workspace", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"),
        ("Content-Type", "application/json;charset=utf-8"),
        (
            "User-Agent",
            "huaweicloud-usdk-python/3.0; rust-compat-test",
        ),
        ("X-Project-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
        ("X-Sdk-Date", "20240102T030405Z"),
        ("Host", "dayu.cn-north-4.myhuaweicloud.com"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn benches(c: &mut Criterion) {
    let headers = deploy_headers();
    let input = SigningInput {
        method: "POST",
        path: PATH,
        query: &[],
        headers: &headers,
        body: BODY,
    };
    let signed = sign(AK, SK, &input).expect("V1 signs");
    assert!(
        signed.signature.starts_with("945e89e6"),
        "V1 signature changed"
    );

    c.bench_function("sign_v1_deploy", |b| {
        b.iter(|| sign(black_box(AK), black_box(SK), black_box(&input)))
    });

    let mut received = headers.clone();
    received.push(("Authorization".to_string(), signed.authorization.clone()));
    c.bench_function("parse_and_verify_v1_deploy", |b| {
        b.iter(|| {
            let auth = parse_authorization(black_box(&signed.authorization)).expect("parses");
            verify(
                black_box(SK),
                &auth,
                "POST",
                PATH,
                "",
                black_box(&received),
                BODY,
            )
        })
    });

    // Each algorithm through a SigningKey made once (as the client caches it): sign, then
    // verify with a cached key (what a gateway with a key cache does).
    for algorithm in Algorithm::ALL {
        let key = SigningKey::new(algorithm, AK, SK).expect("key");
        let name = algorithm.as_str();
        c.bench_function(&format!("key_sign_v1_deploy/{name}"), |b| {
            b.iter(|| key.sign(black_box(&input)))
        });
        let auth =
            parse_authorization(&key.sign(&input).expect("signs").authorization).expect("parses");
        c.bench_function(&format!("key_verify_v1_deploy/{name}"), |b| {
            b.iter(|| verify_with_key(&key, &auth, "POST", PATH, "", black_box(&received), BODY))
        });
        c.bench_function(&format!("derive_key/{name}"), |b| {
            b.iter(|| SigningKey::new(algorithm, black_box(AK), black_box(SK)))
        });
    }

    let query: Vec<(String, String)> = [
        ("limit", "10"),
        ("offset", "0"),
        ("job_name", "daily etl 作业"),
        ("need_alarms", "true"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    c.bench_function("canonical_query_v4", |b| {
        b.iter(|| canonical_query(black_box(&query)))
    });
}

criterion_group!(sign_benches, benches);
criterion_main!(sign_benches);
