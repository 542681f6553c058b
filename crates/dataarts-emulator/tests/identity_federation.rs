//! Federation: IAM identity-provider federation (id token → unscoped token → temporary
//! AK/SK) and STS OIDC federation, with their refusals.

mod common;

use std::time::Duration;

use common::identity::*;
use common::*;
use dataarts_emulator::{DEMO_IDP_ID, DEMO_ID_TOKEN, DEMO_TOKEN};
use serde_json::{json, Value};

#[tokio::test]
async fn idp_federation_then_security_tokens() {
    let emu = builder()
        .credential_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let r = unscoped(&emu, DEMO_IDP_ID, DEMO_ID_TOKEN).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let subject = r.headers["x-subject-token"].to_str().unwrap().to_string();
    let v = r.json();
    assert_eq!(v["token"]["methods"], json!(["mapped"]));
    assert!(secs_left(v["token"]["expires_at"].as_str().unwrap()) > 3600);
    // The SDK's duration (6 h) is cut to the emulator's lifetime.
    let r = security_token(&emu, &subject, json!(21600)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t = temp_from(&r.json());
    assert!((590..=600).contains(&secs_left(&t.expires_at)));
    assert_eq!(show_with(&emu, &t, true).await.status, 200);
    // A shorter request is honoured; a configured IAM token works too (X-Auth-Token).
    let r = security_token(&emu, &subject, json!(900)).await;
    assert_eq!(r.status, 201);
    let r = send(
        &emu,
        "POST",
        "/v3.0/OS-CREDENTIAL/securitytokens",
        &[("X-Auth-Token", DEMO_TOKEN)],
        Some(json!({"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Refusals.
    iam_error(&security_token(&emu, "not-a-token", json!(900)).await, 401);
    iam_error(&security_token(&emu, &subject, json!(60)).await, 400);
    iam_error(&security_token(&emu, &subject, json!("1h")).await, 400);
    let r = send(
        &emu,
        "POST",
        "/v3.0/OS-CREDENTIAL/securitytokens",
        &[],
        Some(json!({"auth": {"identity": {"methods": ["password"]}}})),
    )
    .await;
    iam_error(&r, 400);
    // The unscoped token expires after 24 h.
    emu.advance_identity_clock(Duration::from_secs(24 * 3600));
    iam_error(&security_token(&emu, &subject, json!(900)).await, 401);
}

#[tokio::test]
async fn idp_refusals() {
    let emu = start().await;
    iam_error(&unscoped(&emu, "no-such-idp", DEMO_ID_TOKEN).await, 404);
    iam_error(&unscoped(&emu, DEMO_IDP_ID, "wrong-token").await, 401);
    let r = send(
        &emu,
        "POST",
        "/v3.0/OS-AUTH/id-token/tokens",
        &[],
        Some(json!({"auth": {"id_token": {"id": DEMO_ID_TOKEN}}})),
    )
    .await;
    iam_error(&r, 400);
    let r = send(
        &emu,
        "POST",
        "/v3.0/OS-AUTH/id-token/tokens",
        &[("X-Idp-Id", DEMO_IDP_ID)],
        Some(json!({"auth": {}})),
    )
    .await;
    iam_error(&r, 400);
    let e = emu.journal().pop().unwrap();
    assert_eq!(
        (e.operation, e.status, e.error_code.as_deref()),
        (None, 400, Some("IAM.400"))
    );
}

#[tokio::test]
async fn oidc_federation() {
    let emu = builder()
        .credential_lifetime(Duration::from_secs(120))
        .start()
        .await
        .unwrap();
    let r = assume(&emu, oidc_body()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let c = &v["credentials"];
    let t = Temp {
        ak: c["access_key_id"].as_str().unwrap().into(),
        sk: c["secret_access_key"].as_str().unwrap().into(),
        token: c["security_token"].as_str().unwrap().into(),
        expires_at: c["expiration"].as_str().unwrap().into(),
    };
    assert!((110..=120).contains(&secs_left(&t.expires_at)));
    assert!(v["assumed_agency"]["agency_session_urn"]
        .as_str()
        .unwrap()
        .ends_with(":assumed-agency:demo-agency/ci-job-42"));
    assert_eq!(show_with(&emu, &t, true).await.status, 200);
    // As the SDK sends it without a session name, duration or policy: accepted.
    let mut b = oidc_body();
    b["agency_session_name"] = Value::Null;
    b["policy_ids"] = json!(["p1"]);
    b.as_object_mut().unwrap().remove("duration_seconds");
    assert_eq!(assume(&emu, b).await.status, 200);
    // Refusals.
    let mut b = oidc_body();
    b["provider_urn"] = json!("iam::0:identityprovider:other");
    sts_error(&assume(&emu, b).await, 404, "STS.0004");
    let mut b = oidc_body();
    b["id_token"] = json!("wrong");
    sts_error(&assume(&emu, b).await, 401, "STS.0002");
    let mut b = oidc_body();
    b["agency_urn"] = json!("iam::0:agency:other");
    sts_error(&assume(&emu, b).await, 403, "STS.0003");
    let mut b = oidc_body();
    b.as_object_mut().unwrap().remove("id_token");
    sts_error(&assume(&emu, b).await, 400, "STS.0001");
    let mut b = oidc_body();
    b["duration_seconds"] = json!(43201);
    sts_error(&assume(&emu, b).await, 400, "STS.0001");
    let r = send(&emu, "POST", "/v5/agencies/assume-with-oidc", &[], None).await;
    sts_error(&r, 400, "STS.0001");
    assert_eq!(emu.journal_count("/v5/agencies/assume-with-oidc"), 8);
}
