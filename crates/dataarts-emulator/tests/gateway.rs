//! The emulated API gateway: authentication, project authorization, rate limits, routing
//! errors and X-Request-Id.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use dataarts_emulator::{
    CredentialFixture, Emulator, Fixtures, RateLimits, TaskTiming, DEMO_AK, DEMO_SK, DEMO_TOKEN,
};
use serde_json::json;

const DEPLOY_23: &[u8] = br#"{"package_ids": ["23"], "startup_mode": 0}"#;

fn assert_gateway_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["error_code"], json!(code), "{}", r.text);
    assert_eq!(
        v["request_id"],
        json!(r.request_id()),
        "body request_id must equal the header"
    );
}

#[tokio::test]
async fn token_auth() {
    let emu = start().await;
    let r = call(&emu, "GET", &show_path("23"), None, &[]).await;
    assert_eq!(r.status, 200);
    let r = call_token(&emu, "wrong", "GET", &show_path("23"), None, &[]).await;
    assert_gateway_error(&r, 401, "APIGW.0301");
    assert_eq!(
        r.json()["error_msg"],
        json!("Incorrect IAM authentication information: decrypt token fail")
    );
    // No credentials at all.
    let r = read(
        client()
            .get(format!("{}{}", emu.url(), show_path("23")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_gateway_error(&r, 401, "APIGW.0301");
    // Refused requests are counted, not journalled.
    assert_eq!(emu.refused_auth().count("APIGW.0301"), 2);
    assert_eq!(emu.journal().len(), 1, "only the accepted request");
    emu.reset();
    assert_eq!(emu.refused_auth().total, 0, "reset clears the counter");
}

#[tokio::test]
async fn aksk_auth_like_the_python_sdk() {
    let emu = start().await;
    let now = SystemTime::now();
    // A POST with a body, and GETs with a query and with extra signed headers, as the SDK sends them.
    let r = call_signed(
        &emu,
        DEMO_AK,
        DEMO_SK,
        "POST",
        &deploy_path(),
        &[],
        DEPLOY_23,
        &[],
        now,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["deploy_package_details"][0]["package_id"],
        json!(23)
    );
    let r = call_signed(
        &emu,
        DEMO_AK,
        DEMO_SK,
        "GET",
        &pending_path(),
        &[("limit", "5"), ("item_name", "job_batch"), ("offset", "0")],
        b"",
        &[
            ("workspace", WS),
            ("User-Agent", "huaweicloud-usdk-python/3.0"),
        ],
        now,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["total"], json!(1));
    let r = call_signed(
        &emu,
        DEMO_AK,
        DEMO_SK,
        "GET",
        &task_path("008aae2e675d3bcb01675d40ab3f0005"),
        &[],
        b"",
        &[],
        now,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The journal knows who did it.
    let s = call(&emu, "GET", &show_path("23"), None, &[]).await.json();
    assert_eq!(
        s["release_package"]["deploy_user_name"],
        json!("deployer_user")
    );
}

#[tokio::test]
async fn aksk_failures() {
    let emu = start().await;
    let now = SystemTime::now();
    let r = call_signed(
        &emu,
        DEMO_AK,
        "not-the-secret",
        "POST",
        &deploy_path(),
        &[],
        DEPLOY_23,
        &[],
        now,
    )
    .await;
    assert_gateway_error(&r, 401, "APIGW.0301");
    assert!(r.json()["error_msg"]
        .as_str()
        .unwrap()
        .contains("verify aksk signature fail"));
    let r = call_signed(
        &emu,
        "UNKNOWNAK00000000000",
        DEMO_SK,
        "POST",
        &deploy_path(),
        &[],
        DEPLOY_23,
        &[],
        now,
    )
    .await;
    assert_gateway_error(&r, 401, "APIGW.0301");
    assert!(r.json()["error_msg"]
        .as_str()
        .unwrap()
        .contains("ak:UNKNOWNAK00000000000,err:ak not exist"));
    for skew in [Duration::from_secs(16 * 60)] {
        let r = call_signed(
            &emu,
            DEMO_AK,
            DEMO_SK,
            "POST",
            &deploy_path(),
            &[],
            DEPLOY_23,
            &[],
            now - skew,
        )
        .await;
        assert_gateway_error(&r, 401, "APIGW.0301");
        assert!(
            r.json()["error_msg"]
                .as_str()
                .unwrap()
                .contains("signature expired"),
            "{}",
            r.text
        );
        let r = call_signed(
            &emu,
            DEMO_AK,
            DEMO_SK,
            "POST",
            &deploy_path(),
            &[],
            DEPLOY_23,
            &[],
            now + skew,
        )
        .await;
        assert_gateway_error(&r, 401, "APIGW.0301");
    }
    // 14 minutes off is still fine.
    let r = call_signed(
        &emu,
        DEMO_AK,
        DEMO_SK,
        "GET",
        &show_path("23"),
        &[],
        b"",
        &[],
        now - Duration::from_secs(14 * 60),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A body changed after signing.
    let garbage = client()
        .post(format!("{}{}", emu.url(), deploy_path()))
        .header("Authorization", "SDK-HMAC-SHA256 Access=DEMOAKEMULATOR000001, SignedHeaders=host;x-sdk-date, Signature=00")
        .header("X-Sdk-Date", dataarts_signing::format_sdk_date(now))
        .body(DEPLOY_23.to_vec())
        .send()
        .await
        .unwrap();
    assert_gateway_error(&read(garbage).await, 401, "APIGW.0301");
    let malformed = client()
        .get(format!("{}{}", emu.url(), show_path("23")))
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_gateway_error(&read(malformed).await, 401, "APIGW.0301");
    assert_eq!(emu.release_count("23"), 0);
}

#[tokio::test]
async fn temporary_credentials_need_the_security_token() {
    let emu = Emulator::builder()
        .demo()
        .security_token("STSAK", "STSSK", "sts-token-1")
        .rate_limits(RateLimits::disabled())
        .task_timing(TaskTiming::Manual)
        .start()
        .await
        .unwrap();
    let now = SystemTime::now();
    let ok = call_signed(
        &emu,
        "STSAK",
        "STSSK",
        "GET",
        &show_path("23"),
        &[],
        b"",
        &[("X-Security-Token", "sts-token-1")],
        now,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let missing = call_signed(
        &emu,
        "STSAK",
        "STSSK",
        "GET",
        &show_path("23"),
        &[],
        b"",
        &[],
        now,
    )
    .await;
    assert_gateway_error(&missing, 401, "APIGW.0301");
    let wrong = call_signed(
        &emu,
        "STSAK",
        "STSSK",
        "GET",
        &show_path("23"),
        &[],
        b"",
        &[("X-Security-Token", "other")],
        now,
    )
    .await;
    assert_gateway_error(&wrong, 401, "APIGW.0301");
    // Configured credentials replace the demo ones.
    let r = call(&emu, "GET", &show_path("23"), None, &[]).await;
    assert_gateway_error(&r, 401, "APIGW.0301");
}

#[tokio::test]
async fn configured_credentials() {
    let emu = Emulator::builder()
        .demo()
        .aksk("MYAK", "MYSK")
        .token("tok-1")
        .token("tok-2")
        .rate_limits(RateLimits::disabled())
        .start()
        .await
        .unwrap();
    let r = call_signed(
        &emu,
        "MYAK",
        "MYSK",
        "GET",
        &show_path("23"),
        &[],
        b"",
        &[],
        SystemTime::now(),
    )
    .await;
    assert_eq!(r.status, 200);
    for t in ["tok-1", "tok-2"] {
        assert_eq!(
            call_token(&emu, t, "GET", &show_path("23"), None, &[])
                .await
                .status,
            200
        );
    }
    assert_eq!(
        call_token(&emu, DEMO_TOKEN, "GET", &show_path("23"), None, &[])
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn foreign_project_is_forbidden() {
    let mut f = Fixtures::demo();
    f.credentials.push(CredentialFixture {
        token: Some("only-second".into()),
        projects: Some(vec!["62099355b894428e8916573ae635f1f9".into()]),
        ..Default::default()
    });
    let emu = builder().fixtures(f).start().await.unwrap();
    // A project that exists but is not the caller's.
    let r = call_token(&emu, "only-second", "GET", &show_path("23"), None, &[]).await;
    assert_gateway_error(&r, 403, "APIGW.0302");
    // A project nobody has.
    let demo = start().await;
    let r = call(
        &demo,
        "POST",
        "/v2/0123456789abcdef0123456789abcdef/factory/release-packages/deploy",
        Some(json!({"package_ids": ["23"]})),
        &[],
    )
    .await;
    assert_gateway_error(&r, 403, "APIGW.0302");
    assert_eq!(demo.release_count("23"), 0);
    assert_eq!(emu.refused_auth().count("APIGW.0302"), 1);
    assert_eq!(demo.refused_auth().count("APIGW.0302"), 1);
    assert!(
        demo.journal().is_empty(),
        "refused requests are not journalled"
    );
}

/// Sends `n` show requests at once; returns the responses.
async fn burst(emu: &dataarts_emulator::RunningEmulator, n: usize) -> Vec<Resp> {
    let url = format!("{}{}", emu.url(), show_path("23"));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let rb = client().get(url.clone()).header("X-Auth-Token", DEMO_TOKEN);
            tokio::spawn(async move { read(rb.send().await.unwrap()).await })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

fn count(rs: &[Resp], status: u16) -> usize {
    rs.iter().filter(|r| r.status == status).count()
}

#[tokio::test]
async fn rate_limits_per_user_and_per_api() {
    let emu = builder()
        .rate_limits(RateLimits {
            per_user: Some(3),
            per_api: None,
        })
        .start()
        .await
        .unwrap();
    let rs = burst(&emu, 12).await;
    assert!(count(&rs, 200) >= 3, "the bucket starts full");
    assert!(count(&rs, 429) >= 1);
    assert_eq!(count(&rs, 200) + count(&rs, 429), 12);
    let r = rs.iter().find(|r| r.status == 429).unwrap();
    assert_gateway_error(r, 429, "APIGW.0308");
    let retry: u64 = r
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert!(r.json()["error_msg"]
        .as_str()
        .unwrap()
        .contains("policy user over ratelimit,limit:3"));
    let j = emu.journal();
    assert_eq!(
        j.iter()
            .filter(|e| e.error_code.as_deref() == Some("APIGW.0308"))
            .count(),
        count(&rs, 429)
    );

    // Per API, shared by all callers.
    emu.set_rate_limits(RateLimits {
        per_user: None,
        per_api: Some(2),
    });
    let rs = burst(&emu, 10).await;
    assert!(count(&rs, 200) >= 2 && count(&rs, 429) >= 1);
    assert!(rs.iter().any(|r| r.status == 429
        && r.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("policy api")));
    // Another operation has its own bucket.
    assert_eq!(
        call(&emu, "POST", &list_path(), Some(json!({})), &[])
            .await
            .status,
        200
    );
    // After a second the bucket has refilled.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        200
    );
    emu.set_rate_limits(RateLimits::disabled());
    assert_eq!(count(&burst(&emu, 30).await, 200), 30);
}

#[tokio::test]
async fn default_rate_limit_is_ten_per_user() {
    let emu = Emulator::builder().demo().start().await.unwrap();
    let rs = burst(&emu, 40).await;
    assert!(count(&rs, 200) >= 10, "{}", count(&rs, 200));
    assert!(count(&rs, 429) >= 1);
    assert!(rs.iter().any(|r| r.text.contains("limit:10,")));
}

#[tokio::test]
async fn routing_errors_are_json() {
    let emu = start().await;
    let r = call(&emu, "GET", "/v2/nothing/here", None, &[]).await;
    assert_gateway_error(&r, 404, "APIGW.0101");
    let r = call(&emu, "GET", &deploy_path(), None, &[]).await;
    assert_gateway_error(&r, 405, "APIGW.0101");
    assert_eq!(r.headers.get("allow").unwrap(), "POST");
    let r = call(&emu, "DELETE", &show_path("23"), None, &[]).await;
    assert_gateway_error(&r, 405, "APIGW.0101");
    // Unknown routes are journaled without an operation.
    assert!(emu
        .journal()
        .iter()
        .any(|e| e.operation.is_none() && e.status == 404));
}

#[tokio::test]
async fn request_ids_are_unique_and_everywhere() {
    let emu = start().await;
    let mut ids = std::collections::HashSet::new();
    for r in [
        call(&emu, "GET", &show_path("23"), None, &[]).await,
        call(
            &emu,
            "POST",
            &cancel_path(),
            Some(json!({"package_ids": ["12"]})),
            &[],
        )
        .await,
        call(&emu, "GET", &show_path("999"), None, &[]).await,
        call_token(&emu, "bad", "GET", &show_path("23"), None, &[]).await,
        call(&emu, "GET", "/nope", None, &[]).await,
        read(
            client()
                .get(format!("{}/_emulator/health", emu.url()))
                .send()
                .await
                .unwrap(),
        )
        .await,
    ] {
        assert!(ids.insert(r.request_id()));
    }
    let journal = emu.journal();
    assert_eq!(
        journal.len(),
        4,
        "admin calls and the refused token are not journaled"
    );
    assert_eq!(
        emu.refused_auth().count("APIGW.0301"),
        1,
        "the refused token"
    );
    for e in &journal {
        assert!(ids.contains(&e.request_id));
    }
}

#[tokio::test]
async fn sdk_style_get_with_json_content_type_and_no_body() {
    let emu = start().await;
    let r = call(
        &emu,
        "GET",
        &show_path("23"),
        None,
        &[("Content-Type", "application/json;charset=utf-8")],
    )
    .await;
    assert_eq!(r.status, 200);
    let r = call(
        &emu,
        "GET",
        &pending_path(),
        None,
        &[
            ("Content-Type", "application/json"),
            ("workspace", WS),
            ("X-Project-Id", P),
            ("X-Language", "en_us"),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
}
