//! The emulator's gateway accepts requests signed with each of the four algorithms
//! (SDK-HMAC-SHA256, SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256, SDK-SM2-SM3) through
//! `dataarts_signing::SigningKey`, and refuses each when the request is changed after signing
//! or signed with another secret key (401 APIGW.0301).

mod common;

use std::time::SystemTime;

use common::{client, deploy_path, pending_path, read, start, Resp, P, WS};
use dataarts_emulator::{RunningEmulator, DEMO_AK, DEMO_SK};
use dataarts_signing::{
    canonical_query, format_sdk_date, needs_unsigned_payload, Algorithm, SigningInput, SigningKey,
};

/// What to send, and what to change after signing.
struct Call<'a> {
    method: &'a str,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: &'a [u8],
    /// Sent instead of `query` (the signature covers `query`).
    sent_query: Option<Vec<(String, String)>>,
    /// Sent instead of `body`.
    sent_body: Option<&'a [u8]>,
}

impl<'a> Call<'a> {
    fn new(emu: &RunningEmulator, method: &'a str, path: String, body: &'a [u8]) -> Self {
        let mut headers = vec![
            ("Host".to_string(), emu.local_addr().to_string()),
            ("X-Project-Id".to_string(), P.to_string()),
            ("X-Sdk-Date".to_string(), format_sdk_date(SystemTime::now())),
        ];
        if !body.is_empty() {
            headers.push((
                "Content-Type".to_string(),
                "application/json;charset=utf-8".to_string(),
            ));
        }
        Call {
            method,
            path,
            query: Vec::new(),
            headers,
            body,
            sent_query: None,
            sent_body: None,
        }
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        self.query = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }

    /// Signs with `key` (adding the algorithm's payload-hash header for a non-JSON body, as
    /// the official SDK does) and sends.
    async fn send(mut self, emu: &RunningEmulator, key: &SigningKey) -> Resp {
        let content_type = self
            .headers
            .iter()
            .find(|(k, _)| k == "Content-Type")
            .map(|(_, v)| v.clone());
        if content_type.is_some_and(|ct| needs_unsigned_payload(&ct)) {
            self.headers.push((
                key.algorithm().content_hash_header().to_string(),
                "UNSIGNED-PAYLOAD".to_string(),
            ));
        }
        let signed = key
            .sign(&SigningInput {
                method: self.method,
                path: &self.path,
                query: &self.query,
                headers: &self.headers,
                body: self.body,
            })
            .expect("sign");
        assert!(signed
            .authorization
            .starts_with(&format!("{} Access={DEMO_AK}, ", key.algorithm())));
        let q = canonical_query(self.sent_query.as_ref().unwrap_or(&self.query));
        let mut url = format!("{}{}", emu.url(), self.path);
        if !q.is_empty() {
            url = format!("{url}?{q}");
        }
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut rb = client()
            .request(method, url)
            .header("Authorization", signed.authorization);
        for (k, v) in &self.headers {
            if !k.eq_ignore_ascii_case("host") {
                rb = rb.header(k.as_str(), v.as_str());
            }
        }
        let body = self.sent_body.unwrap_or(self.body);
        if !body.is_empty() {
            rb = rb.body(body.to_vec());
        }
        read(rb.send().await.expect("send")).await
    }
}

fn assert_refused(r: &Resp, what: &str) {
    assert_eq!(r.status, 401, "{what}: {}", r.text);
    assert_eq!(r.code(), "APIGW.0301", "{what}: {}", r.text);
}

const DEPLOY_23: &[u8] = br#"{"package_ids": ["23"], "startup_mode": 0}"#;

#[tokio::test]
async fn each_algorithm_is_accepted_and_a_tampered_request_refused() {
    let emu = start().await;
    for algorithm in Algorithm::ALL {
        let key = SigningKey::new(algorithm, DEMO_AK, DEMO_SK.as_bytes()).unwrap();
        let pending = || {
            Call::new(&emu, "GET", pending_path(), b"")
                .query(&[("limit", "5"), ("item_name", "job batch"), ("offset", "0")])
                .header("workspace", WS)
                .header("User-Agent", "huaweicloud-usdk-python/3.0")
        };

        let r = pending().send(&emu, &key).await;
        assert_eq!(r.status, 200, "{algorithm}: {}", r.text);

        // Another query than the one signed.
        let mut tampered = pending();
        tampered.sent_query = Some(vec![("limit".into(), "6".into())]);
        assert_refused(
            &tampered.send(&emu, &key).await,
            &format!("{algorithm} query"),
        );

        // Another body than the one signed (refused before the deploy is looked at).
        let mut tampered = Call::new(&emu, "POST", deploy_path(), DEPLOY_23);
        tampered.sent_body = Some(br#"{"package_ids": ["12"], "startup_mode": 0}"#);
        assert_refused(
            &tampered.send(&emu, &key).await,
            &format!("{algorithm} body"),
        );

        // Signed with another secret key.
        let wrong = SigningKey::new(algorithm, DEMO_AK, b"not-the-secret").unwrap();
        assert_refused(
            &pending().send(&emu, &wrong).await,
            &format!("{algorithm} SK"),
        );
    }
}

/// A JSON body is hashed with the algorithm's hash; a non-JSON one is sent with the
/// algorithm's `UNSIGNED-PAYLOAD` header (`X-Sdk-Content-Sm3` for the SM3 algorithms).
#[tokio::test]
async fn bodies_are_signed_with_each_algorithms_hash() {
    let emu = start().await;
    for algorithm in Algorithm::ALL {
        let key = SigningKey::new(algorithm, DEMO_AK, DEMO_SK.as_bytes()).unwrap();
        let r = Call::new(
            &emu,
            "POST",
            deploy_path(),
            br#"{"package_ids": [], "startup_mode": 0}"#,
        )
        .send(&emu, &key)
        .await;
        // Past the gateway: the deploy itself is refused (no package ids).
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "DLF.0802"),
            "{algorithm}: {}",
            r.text
        );

        let mut call = Call::new(&emu, "POST", deploy_path(), b"not json");
        call.headers.retain(|(k, _)| k != "Content-Type");
        let call = call.header("Content-Type", "text/plain");
        let r = call.send(&emu, &key).await;
        // Past the gateway: the deploy route wants JSON.
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "EMU.0002"),
            "{algorithm} unsigned payload: {}",
            r.text
        );
    }
}
