//! The signing step against the official vectors, and the dry run against the real thing.

use std::time::SystemTime;

use super::*;
use crate::credentials::Credentials;

/// The set a client holding `c` signs with (HMAC-SHA256).
fn active(c: &Credentials) -> Active {
    Active::fixed(c, dataarts_signing::Algorithm::HmacSha256)
        .expect("given credentials")
        .expect("a key")
}

/// Per attempt: adds the credential headers, `Host`, `X-Sdk-Date`, and `Authorization`
/// (AK/SK) or `X-Auth-Token` (token), both marked sensitive. On failure the request is left
/// as it was.
fn sign_request(
    req: &mut reqwest::Request,
    auth: &Credentials,
    project_id: &str,
    now: SystemTime,
) -> Result<(), LocalProblem> {
    let date = dataarts_signing::format_sdk_date(now);
    let headers = signed_headers(
        req,
        req.headers(),
        &active(auth),
        &ProjectId::new(project_id.into()),
        &date,
    )?;
    *req.headers_mut() = headers;
    Ok(())
}

fn v1() -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../dataarts-signing/tests/data/signing_vectors.json"
    ))
    .unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "V1")
        .unwrap()
        .clone()
}

/// The transport's signing step reproduces vector V1 byte for byte (fixed clock).
#[test]
fn v1_authorization_is_byte_identical() {
    let v = v1();
    let i = &v["inputs"];
    let client = reqwest::Client::new();
    let mut req = client
        .post(i["url"].as_str().unwrap())
        .header("workspace", i["headers"]["workspace"].as_str().unwrap())
        .header(
            "Content-Type",
            i["headers"]["Content-Type"].as_str().unwrap(),
        )
        .header("User-Agent", i["headers"]["User-Agent"].as_str().unwrap())
        .header("api-version", "2.0.0")
        .body(i["body"].as_str().unwrap().to_string())
        .build()
        .unwrap();
    prepare(&mut req).unwrap();
    let creds = Credentials::aksk(i["ak"].as_str().unwrap(), i["sk"].as_str().unwrap());
    let now = dataarts_signing::parse_sdk_date(i["date"].as_str().unwrap()).unwrap();
    sign_request(&mut req, &creds, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", now).unwrap();
    let auth = req.headers().get("authorization").unwrap();
    assert!(auth.is_sensitive());
    assert_eq!(
        auth.to_str().unwrap(),
        v["expected"]["authorization"].as_str().unwrap()
    );
    assert!(req.headers().get("api-version").is_none());
    assert_eq!(req.headers()["host"], "dayu.cn-north-4.myhuaweicloud.com");
    assert_eq!(req.headers()["x-sdk-date"], "20240102T030405Z");
}

#[test]
fn query_is_rewritten_canonically_and_host_keeps_the_port() {
    let client = reqwest::Client::new();
    let mut req = client
        .get("http://127.0.0.1:8443/v2/p/factory/pending-items")
        .query(&[("item_name", "daily etl~"), ("limit", "10")])
        .build()
        .unwrap();
    prepare(&mut req).unwrap();
    assert_eq!(req.url().query(), Some("item_name=daily%20etl~&limit=10"));
    let creds = Credentials::temporary("AK", "SK", "ST");
    sign_request(&mut req, &creds, "p", SystemTime::UNIX_EPOCH).unwrap();
    assert_eq!(req.headers()["host"], "127.0.0.1:8443");
    assert!(req.headers()["x-security-token"].is_sensitive());
    let auth = req.headers()["authorization"].to_str().unwrap();
    assert!(auth.contains("x-security-token"), "{auth}");
}

#[test]
fn token_auth_is_unsigned_and_sensitive() {
    let client = reqwest::Client::new();
    let mut req = client.get("https://dayu.example/v2/p").build().unwrap();
    sign_request(
        &mut req,
        &Credentials::token("TOKEN"),
        "p",
        SystemTime::UNIX_EPOCH,
    )
    .unwrap();
    assert!(req.headers().get("authorization").is_none());
    assert!(req.headers()["x-auth-token"].is_sensitive());
}

proptest::proptest! {
    /// Whatever query the generated code writes, the wire carries exactly the canonical
    /// query of the same pairs, and the signature verifies against the wire form.
    #[test]
    fn query_rewrite_and_signature_round_trip(
        pairs in proptest::collection::vec(("[a-zA-Z0-9_.~+/ %&=é测-]{1,8}", "[a-zA-Z0-9_.~+/ %&=é测-]{0,8}"), 0..6),
        workspace in "[!-~]{1,40}",
    ) {
        static CLIENT: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(reqwest::Client::new);
        let mut req = CLIENT
            .get("http://127.0.0.1:8443/v2/p/factory/pending-items")
            .query(&pairs)
            .header("workspace", workspace.as_str())
            .build()
            .unwrap();
        prepare(&mut req).unwrap();
        let mut want = pairs.clone();
        want.sort();
        let wire = req.url().query().unwrap_or("").to_string();
        let mut got = dataarts_signing::parse_raw_query(&wire);
        got.sort();
        proptest::prop_assert_eq!(&got, &want);
        proptest::prop_assert_eq!(wire, dataarts_signing::canonical_query(&pairs));

        let creds = Credentials::aksk("AK", "SK");
        sign_request(&mut req, &creds, "p", SystemTime::UNIX_EPOCH).unwrap();
        let headers: Vec<(String, String)> = req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        let auth = dataarts_signing::parse_authorization(req.headers()["authorization"].to_str().unwrap()).unwrap();
        let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
        let input = dataarts_signing::SigningInput {
            method: "GET",
            path: req.url().path(),
            query: &dataarts_signing::parse_raw_query(req.url().query().unwrap_or("")),
            headers: &headers,
            body: b"",
        };
        let again = dataarts_signing::sign_with_names("AK", b"SK", &input, &names).unwrap();
        proptest::prop_assert_eq!(again.signature, auth.signature);
    }
}

#[test]
fn the_dry_run_date_is_the_epoch() {
    assert_eq!(
        dataarts_signing::format_sdk_date(SystemTime::UNIX_EPOCH),
        EPOCH_DATE
    );
}

#[test]
fn check_value_fails_exactly_when_header_value_does() {
    let chars = (0u32..0x100)
        .filter_map(char::from_u32)
        .chain(['\u{2028}', '\u{feff}', '测', '𝄞']);
    for c in chars {
        let v = format!("a{c}b");
        assert_eq!(
            check_value(&HOST, &v).is_ok(),
            HeaderValue::from_str(&v).is_ok(),
            "{c:?}"
        );
        assert_eq!(
            ProjectId::new(v.clone()).header_value().ok(),
            HeaderValue::from_str(&v).ok(),
            "{c:?}"
        );
    }
}

fn credentials() -> impl proptest::strategy::Strategy<Value = Credentials> {
    use proptest::prelude::*;
    let secret = prop::sample::select(vec!["SK", "T\tK", "ok"]);
    prop_oneof![
        secret.clone().prop_map(Credentials::token),
        (
            prop::sample::select(vec!["AK", "A\u{7f}K", "AK\t"]),
            secret.clone()
        )
            .prop_map(|(ak, sk)| Credentials::aksk(ak, sk)),
        (secret.clone(), secret).prop_map(|(sk, t)| Credentials::temporary("AK", sk, t)),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// The dry run fails exactly when, and as, signing an attempt does: whatever the
    /// headers (repeated, replaced by the signer, unsignable), credentials, project id,
    /// host and body.
    #[test]
    fn the_dry_run_fails_exactly_as_signing_does(
        headers in proptest::collection::vec((
            proptest::sample::select(vec![
                "authorization", "host", "x-project-id", "x-sdk-date", "x-security-token",
                "x-auth-token", "workspace", "accept", "x_under", "x-sdk-content-sha256",
            ]),
            proptest::sample::select(vec!["v", "a\tb", "é", " padded ", ""]),
            proptest::bool::ANY,
        ), 0..6),
        auth in credentials(),
        project_id in proptest::sample::select(vec!["p", "p\tq", "p\u{7f}"]),
        url in proptest::sample::select(vec![
            "http://127.0.0.1:8443/v2/p/x?b=2&a=1",
            "https://dayu.example/v2/p/x",
            "https://u:pw@dayu.example:444/v2/p/x",
            "data:text/plain,x",
        ]),
        body in proptest::sample::select(vec!["", "{}"]),
    ) {
        let mut req = reqwest::Request::new(reqwest::Method::POST, url.parse().unwrap());
        *req.body_mut() = Some(body.into());
        for (name, value, append) in headers {
            let value = HeaderValue::from_str(value).unwrap();
            if append {
                req.headers_mut().append(name, value);
            } else {
                req.headers_mut().insert(name, value);
            }
        }
        let project_id = ProjectId::new(project_id.to_string());
        let auth = active(&auth);
        let dry = check_signable(&req, req.headers(), Some(&auth), &project_id);
        let real = signed_headers(&req, req.headers(), &auth, &project_id, EPOCH_DATE);
        proptest::prop_assert_eq!(format!("{:?}", dry), format!("{:?}", real.map(drop)));
    }
}
