//! The identity services on the emulator's port: ECS metadata, CCE pod identity and the
//! project lookup; the credentials they issue at the gateway, until they expire.

mod common;

use std::time::{Duration, SystemTime};

use common::identity::*;
use common::*;
use dataarts_emulator::{
    Fixtures, IdentityFixture, DEMO_AK, DEMO_IDP_ID, DEMO_ID_TOKEN, DEMO_POD_TOKEN,
    DEMO_PROJECT_ID, DEMO_PROJECT_ID_2, DEMO_REGION, DEMO_SK, DEMO_TOKEN,
};
use serde_json::json;

#[tokio::test]
async fn metadata_token_then_security_key() {
    let emu = start().await;
    let t = from_metadata(&emu).await;
    assert_eq!(t.ak.len(), 20);
    assert!(!t.sk.is_empty() && !t.token.is_empty());
    // Default lifetime: one hour, in the services' format with microseconds.
    assert!(t.expires_at.ends_with('Z') && t.expires_at.contains('.'));
    assert!((3590..=3600).contains(&secs_left(&t.expires_at)));
    // Each call issues new credentials.
    let u = from_metadata(&emu).await;
    assert_ne!((&t.ak, &t.token), (&u.ak, &u.token));
    assert_eq!(emu.journal_count("/meta-data/latest/api/token"), 2);
    assert_eq!(emu.journal_count("/openstack/latest/securitykey"), 2);
    // The gateway accepts them, with their security token only.
    assert_eq!(show_with(&emu, &t, true).await.status, 200);
    let r = show_with(&emu, &t, false).await;
    assert_eq!((r.status, r.code()), (401, "APIGW.0301".to_string()));
}

#[tokio::test]
async fn metadata_refuses_missing_unknown_and_expired_tokens() {
    let emu = start().await;
    let key = "/openstack/latest/securitykey";
    iam_error(&send(&emu, "GET", key, &[], None).await, 401);
    iam_error(
        &send(&emu, "GET", key, &[("X-Metadata-Token", "nope")], None).await,
        401,
    );
    let path = "/meta-data/latest/api/token";
    iam_error(&send(&emu, "PUT", path, &[], None).await, 400);
    for bad in ["0", "21601", "soon"] {
        let h = [("X-Metadata-Token-Ttl-Seconds", bad)];
        iam_error(&send(&emu, "PUT", path, &h, None).await, 400);
    }
    let r = send(&emu, "GET", path, &[], None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.headers["allow"], "PUT");
    // A token with a 60-s TTL expires with the clock.
    let r = send(
        &emu,
        "PUT",
        path,
        &[("X-Metadata-Token-Ttl-Seconds", "60")],
        None,
    )
    .await;
    let token = r.text;
    let h = [("X-Metadata-Token", token.as_str())];
    assert_eq!(send(&emu, "GET", key, &h, None).await.status, 200);
    emu.advance_identity_clock(Duration::from_secs(61));
    iam_error(&send(&emu, "GET", key, &h, None).await, 401);
}

#[tokio::test]
async fn metadata_without_an_agency_says_so() {
    let mut f = Fixtures::demo();
    f.identity = Some(IdentityFixture {
        metadata_credentials: false,
        ..IdentityFixture::demo()
    });
    let emu = builder().fixtures(f).start().await.unwrap();
    let token = metadata_token(&emu).await;
    let r = send(
        &emu,
        "GET",
        "/openstack/latest/securitykey",
        &[("X-Metadata-Token", &token)],
        None,
    )
    .await;
    iam_error(&r, 401);
    assert!(r
        .text
        .contains("Please configure Cloud Service Agency first"));
}

#[tokio::test]
async fn pod_identity() {
    let emu = start().await;
    let path = "/pod-identity/v1/credentials";
    let r = send(
        &emu,
        "POST",
        path,
        &[("Authorization", DEMO_POD_TOKEN)],
        Some(json!({})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t = temp_from(&r.json());
    assert_eq!(show_with(&emu, &t, true).await.status, 200);
    let wrong = [("Authorization", "not-the-pod-token")];
    iam_error(
        &send(&emu, "POST", path, &wrong, Some(json!({}))).await,
        401,
    );
    iam_error(&send(&emu, "POST", path, &[], Some(json!({}))).await, 401);
    assert_eq!(emu.journal_count(path), 3);
}

#[tokio::test]
async fn issued_credentials_expire_at_the_gateway() {
    let emu = builder()
        .credential_lifetime(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let t = from_metadata(&emu).await;
    assert_eq!(show_with(&emu, &t, true).await.status, 200);
    assert_eq!(projects_with(&emu, &t, DEMO_REGION).await.status, 200);
    emu.advance_identity_clock(Duration::from_secs(31));
    for r in [
        show_with(&emu, &t, true).await,
        projects_with(&emu, &t, DEMO_REGION).await,
    ] {
        assert_eq!((r.status, r.code()), (401, "APIGW.0301".to_string()));
        assert!(
            r.json()["error_msg"]
                .as_str()
                .unwrap()
                .contains("the security token has expired"),
            "{}",
            r.text
        );
    }
    // Fresh credentials work again.
    let u = from_metadata(&emu).await;
    assert_eq!(show_with(&emu, &u, true).await.status, 200);
}

#[tokio::test]
async fn project_lookup_by_region() {
    let emu = start().await;
    let t = from_metadata(&emu).await;
    let r = projects_with(&emu, &t, DEMO_REGION).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers.contains_key("x-iam-trace-id"));
    let v = r.json();
    let projects = v["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1);
    let p = &projects[0];
    assert_eq!(p["id"], json!(DEMO_PROJECT_ID));
    assert_eq!(p["name"], json!(DEMO_REGION));
    assert_eq!(
        (p["enabled"].clone(), p["is_domain"].clone()),
        (json!(true), json!(false))
    );
    assert!(p["domain_id"].is_string() && p["parent_id"].is_string());
    assert!(v["links"]["self"].is_string());
    // No match: an empty list.
    let r = projects_with(&emu, &t, "ap-southeast-1").await;
    assert_eq!(r.json()["projects"], json!([]));
    // With the permanent demo AK/SK too.
    let r = call_signed(
        &emu,
        DEMO_AK,
        DEMO_SK,
        "GET",
        "/v3/projects",
        &[("name", DEMO_REGION)],
        b"",
        &[],
        SystemTime::now(),
    )
    .await;
    assert_eq!(r.json()["projects"][0]["id"], json!(DEMO_PROJECT_ID));
    // Unsigned: the gateway's 401.
    let r = send(&emu, "GET", "/v3/projects?name=cn-north-4", &[], None).await;
    assert_eq!((r.status, r.code()), (401, "APIGW.0301".to_string()));
    // A token's own projects.
    let r = send(
        &emu,
        "GET",
        "/v3/auth/projects",
        &[("X-Auth-Token", DEMO_TOKEN)],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut ids: Vec<String> = r.json()["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut want = vec![DEMO_PROJECT_ID.to_string(), DEMO_PROJECT_ID_2.to_string()];
    want.sort();
    assert_eq!(ids, want);
    let r = send(
        &emu,
        "GET",
        "/v3/auth/projects",
        &[("X-Auth-Token", "nope")],
        None,
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(emu.journal_count("/v3/projects"), 4);
    assert_eq!(emu.journal_count("/v3/auth/projects"), 2);
}

#[tokio::test]
async fn without_identity_fixtures_everything_is_refused() {
    let emu = builder()
        .fixtures(Fixtures::default())
        .start()
        .await
        .unwrap();
    iam_error(&unscoped(&emu, DEMO_IDP_ID, DEMO_ID_TOKEN).await, 404);
    sts_error(&assume(&emu, oidc_body()).await, 404, "STS.0004");
    let r = send(
        &emu,
        "POST",
        "/pod-identity/v1/credentials",
        &[("Authorization", DEMO_POD_TOKEN)],
        Some(json!({})),
    )
    .await;
    iam_error(&r, 401);
}

#[tokio::test]
async fn bodies_are_bounded() {
    let emu = start().await;
    let big = "x".repeat(70 * 1024);
    let r = send(
        &emu,
        "POST",
        "/v5/agencies/assume-with-oidc",
        &[],
        Some(json!({ "id_token": big })),
    )
    .await;
    assert_eq!(r.status, 413);
}

/// `/v3/projects` signed with temporary credentials in each of the four algorithms.
#[tokio::test]
async fn project_lookup_with_every_signing_algorithm() {
    use dataarts_signing::{canonical_query, format_sdk_date, Algorithm, SigningInput, SigningKey};
    let emu = start().await;
    for alg in Algorithm::ALL {
        let t = from_metadata(&emu).await;
        let query = vec![("name".to_string(), DEMO_REGION.to_string())];
        let headers: Vec<(String, String)> = vec![
            ("Host".into(), emu.local_addr().to_string()),
            ("X-Sdk-Date".into(), format_sdk_date(SystemTime::now())),
            ("X-Security-Token".into(), t.token.clone()),
        ];
        let key = SigningKey::new(alg, &t.ak, t.sk.as_bytes()).unwrap();
        let signed = key
            .sign(&SigningInput {
                method: "GET",
                path: "/v3/projects",
                query: &query,
                headers: &headers,
                body: b"",
            })
            .unwrap();
        let mut rb = client().get(format!(
            "{}/v3/projects?{}",
            emu.url(),
            canonical_query(&query)
        ));
        for (k, v) in &headers[1..] {
            rb = rb.header(k.as_str(), v.as_str());
        }
        let r = read(
            rb.header("Authorization", signed.authorization)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 200, "{alg}: {}", r.text);
        assert_eq!(
            r.json()["projects"][0]["id"],
            json!(DEMO_PROJECT_ID),
            "{alg}"
        );
    }
}
