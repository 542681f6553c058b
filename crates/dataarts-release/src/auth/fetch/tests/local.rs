//! The ECS metadata service, pod identity, the fallback between them, and answers that
//! cannot be used.

use std::time::{Duration, Instant};

use dataarts_emulator::{FaultConfig, DEMO_IDP_ID, DEMO_ID_TOKEN, DEMO_POD_TOKEN};

use super::super::stub::Stub;
use super::federation::{idp, oidc};
use super::*;

// ---- ECS metadata ----

#[tokio::test]
async fn metadata_with_a_token_kept_between_fetches() {
    let emu = emulator().await;
    let ctx = Ctx::all(&emu.url());
    let m = Dynamic::Metadata(EcsMetadata::new());
    assert_fresh(&m.fetch(&ctx.cx()).await.unwrap());
    assert_fresh(&m.fetch(&ctx.cx()).await.unwrap());
    assert_eq!(emu.journal_count("/meta-data/latest/api/token"), 1);
    assert_eq!(emu.journal_count("/openstack/latest/securitykey"), 2);
    let shown = format!("{m:?}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[tokio::test]
async fn metadata_without_a_token_service_goes_on_without_one() {
    for status in [404u16, 405, 503] {
        let stub = Stub::start(move |req, _| match req.method.as_str() {
            "PUT" => (status, vec![], b"no".to_vec()),
            _ => (
                200,
                vec![],
                br#"{"credential":{"access":"AK1","secret":"SK1","securitytoken":"ST1","expires_at":"2099-01-01T00:00:00.000000Z"}}"#.to_vec(),
            ),
        })
        .await;
        let ctx = Ctx::all(stub.url.as_str());
        let m = Dynamic::Metadata(EcsMetadata::new());
        m.fetch(&ctx.cx()).await.unwrap();
        m.fetch(&ctx.cx()).await.unwrap();
        let seen = stub.seen();
        // One token call (not again within 24 h), two key calls without a token header.
        assert_eq!(
            seen.iter().filter(|r| r.method == "PUT").count(),
            1,
            "{status}"
        );
        assert_eq!(
            seen[0].header("x-metadata-token-ttl-seconds"),
            Some("21600")
        );
        let gets: Vec<_> = seen.iter().filter(|r| r.method == "GET").collect();
        assert_eq!(gets.len(), 2);
        assert!(gets.iter().all(|r| r.header("x-metadata-token").is_none()));
    }
}

#[tokio::test]
async fn metadata_401_gets_a_new_token_once() {
    // The first token is refused; the second works.
    let stub = Stub::start(|req, n| match (req.method.as_str(), n) {
        ("PUT", 0) => (200, vec![], b"first-metadata-token".to_vec()),
        ("PUT", _) => (200, vec![], b"second-metadata-token".to_vec()),
        ("GET", _) if req.header("x-metadata-token") == Some("second-metadata-token") => (
            200,
            vec![],
            br#"{"credential":{"access":"AK1","secret":"SK1","securitytoken":"ST1","expires_at":"2099-01-01T00:00:00.000000Z"}}"#.to_vec(),
        ),
        _ => (401, vec![], br#"{"error":{"code":401,"message":"token expired"}}"#.to_vec()),
    })
    .await;
    let ctx = Ctx::all(stub.url.as_str());
    let m = Dynamic::Metadata(EcsMetadata::new());
    assert_eq!(m.fetch(&ctx.cx()).await.unwrap().ak, "AK1");
    let methods: Vec<_> = stub.seen().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["PUT", "GET", "PUT", "GET"]);

    // Always refused: one retry only, then Refused, without the token in the message.
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "PUT" => (200, vec![], b"some-metadata-token".to_vec()),
        _ => (401, vec![], b"refused some-metadata-token".to_vec()),
    })
    .await;
    let ctx = Ctx::all(stub.url.as_str());
    let e = Dynamic::Metadata(EcsMetadata::new())
        .fetch(&ctx.cx())
        .await
        .failed();
    let (_, pr, m) = problem(e, &["some-metadata-token"]);
    assert_eq!(pr, CredentialProblem::Refused);
    assert!(m.contains("HTTP 401"), "{m}");
    assert_eq!(stub.seen().len(), 4);
}

#[tokio::test]
async fn metadata_without_an_agency_is_not_retried() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "PUT" => (200, vec![], b"tok".to_vec()),
        _ => (
            401,
            vec![],
            br#"{"error":{"code":401,"message":"Please configure Cloud Service Agency first"}}"#
                .to_vec(),
        ),
    })
    .await;
    let ctx = Ctx::all(stub.url.as_str());
    let e = Dynamic::Metadata(EcsMetadata::new())
        .fetch(&ctx.cx())
        .await
        .failed();
    let (_, pr, m) = problem(e, &[]);
    assert_eq!(pr, CredentialProblem::Refused);
    assert!(m.contains("no agency is bound"), "{m}");
    assert_eq!(stub.seen().len(), 2);

    // As the last resort, that means nothing is configured.
    let e = Dynamic::Metadata(EcsMetadata::new().last_resort("/srv/ci/.huaweicloud/credentials"))
        .fetch(&ctx.cx())
        .await
        .failed();
    assert_eq!(problem(e, &[]).1, CredentialProblem::NotConfigured);
}

#[tokio::test]
async fn metadata_unreachable_fails_fast_and_as_last_resort_says_what_to_set() {
    let ctx = Ctx::all(CLOSED);
    let started = Instant::now();
    let e = Dynamic::Metadata(EcsMetadata::new())
        .fetch(&ctx.cx())
        .await
        .failed();
    assert!(started.elapsed() < Duration::from_secs(2));
    let (p, pr, m) = problem(e, &[]);
    assert_eq!(
        (p, pr),
        (
            CredentialSource::EcsMetadata,
            CredentialProblem::Unreachable
        )
    );
    assert!(
        m.contains("127.0.0.1:9") && m.contains("DATAARTS_METADATA_ENDPOINT"),
        "{m}"
    );

    let e = Dynamic::Metadata(EcsMetadata::new().last_resort("/srv/ci/.huaweicloud/credentials"))
        .fetch(&ctx.cx())
        .await
        .failed();
    let (_, pr, m) = problem(e, &[]);
    assert_eq!(pr, CredentialProblem::NotConfigured);
    assert!(m.contains("no credentials are configured"), "{m}");
    for name in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_IDP_ID",
        "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
        "HUAWEICLOUD_OIDC_PROVIDER_URN",
        "HUAWEICLOUD_OIDC_TOKEN_FILE",
        "DATAARTS_AUTH_TOKEN",
        "HC_CONTAINER_CREDENTIALS_FULL_URI",
        "/srv/ci/.huaweicloud/credentials",
        "DATAARTS_METADATA_ENDPOINT",
    ] {
        assert!(m.contains(name), "{name} missing from {m}");
    }
}

#[tokio::test]
async fn metadata_faults_500_and_slow() {
    let emu = emulator().await;
    let ctx = Ctx::all(&emu.url());
    emu.set_faults(FaultConfig {
        metadata_error: 1.0,
        ..FaultConfig::default()
    });
    let e = Dynamic::Metadata(EcsMetadata::new())
        .fetch(&ctx.cx())
        .await
        .failed();
    let (_, pr, m) = problem(e, &[]);
    assert_eq!(pr, CredentialProblem::Unreachable);
    assert!(m.contains("HTTP 500"), "{m}");

    emu.set_faults(FaultConfig {
        metadata_delay: Some(Duration::from_secs(30)),
        ..FaultConfig::default()
    });
    let started = Instant::now();
    let e = Dynamic::Metadata(EcsMetadata::new())
        .fetch(&ctx.cx())
        .await
        .failed();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(5),
        "{took:?}"
    );
    let (_, pr, m) = problem(e, &[]);
    assert_eq!(pr, CredentialProblem::Unreachable);
    assert!(m.contains("no answer in time"), "{m}");
}

// ---- pod identity, and the fallback to it ----

fn pod(url: &str, file: &std::path::Path) -> PodIdentity {
    PodIdentity::new(format!("{url}/pod-identity/v1/credentials"), file).settings(
        "HC_CONTAINER_CREDENTIALS_FULL_URI",
        "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    )
}

#[tokio::test]
async fn pod_identity_happy_and_wrong_token() {
    let emu = emulator().await;
    let ctx = Ctx::all(CLOSED);
    let f = token_file(DEMO_POD_TOKEN);
    assert_fresh(
        &Dynamic::Pod(pod(&emu.url(), f.path()))
            .fetch(&ctx.cx())
            .await
            .unwrap(),
    );
    let wrong = token_file("wrong-pod-token");
    let e = Dynamic::Pod(pod(&emu.url(), wrong.path()))
        .fetch(&ctx.cx())
        .await
        .failed();
    let (p, pr, m) = problem(e, &["wrong-pod-token"]);
    assert_eq!(
        (p, pr),
        (CredentialSource::PodIdentity, CredentialProblem::Refused)
    );
    assert!(m.contains("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE"), "{m}");
}

#[tokio::test]
async fn metadata_falls_back_to_pod_identity_and_keeps_it() {
    let emu = emulator().await;
    let f = token_file(DEMO_POD_TOKEN);
    // No metadata service: pod identity answers, and is then asked directly.
    let ctx = Ctx::all(CLOSED);
    let m = Dynamic::Metadata(EcsMetadata::new().or_pod_identity(pod(&emu.url(), f.path())));
    assert_eq!(m.source(), CredentialSource::EcsMetadata);
    assert_fresh(&m.fetch(&ctx.cx()).await.unwrap());
    assert_eq!(m.source(), CredentialSource::PodIdentity);
    assert_fresh(&m.fetch(&ctx.cx()).await.unwrap());
    assert_eq!(emu.journal_count("/pod-identity/v1/credentials"), 2);

    // Metadata answers first: it is kept, pod identity never asked.
    let ctx = Ctx::all(&emu.url());
    let m = Dynamic::Metadata(EcsMetadata::new().or_pod_identity(pod(&emu.url(), f.path())));
    m.fetch(&ctx.cx()).await.unwrap();
    m.fetch(&ctx.cx()).await.unwrap();
    assert_eq!(m.source(), CredentialSource::EcsMetadata);
    assert_eq!(emu.journal_count("/pod-identity/v1/credentials"), 2);

    // Both fail: pod identity's error, noting the metadata service was tried.
    let ctx = Ctx::all(CLOSED);
    let m = Dynamic::Metadata(EcsMetadata::new().or_pod_identity(pod(CLOSED, f.path())));
    let (p, pr, msg) = problem(m.fetch(&ctx.cx()).await.failed(), &[DEMO_POD_TOKEN]);
    assert_eq!(
        (p, pr),
        (
            CredentialSource::PodIdentity,
            CredentialProblem::Unreachable
        )
    );
    assert!(msg.contains("metadata service was tried first"), "{msg}");
}

// ---- answers that cannot be used ----

#[tokio::test]
async fn malformed_and_oversized_answers() {
    let bodies: Vec<(u16, Vec<u8>, CredentialProblem, &str)> = vec![
        (200, b"<html>".to_vec(), CredentialProblem::Malformed, "not JSON"),
        (200, br#"{"credential":{"access":"A"}}"#.to_vec(), CredentialProblem::Malformed, "no secret"),
        (
            200,
            br#"{"credential":{"access":"A","secret":"S","securitytoken":"T","expires_at":"later"}}"#.to_vec(),
            CredentialProblem::Malformed,
            "RFC 3339",
        ),
        (200, vec![b' '; answer::MAX_BODY + 1], CredentialProblem::Malformed, "more than 1 MiB"),
        (502, b"bad gateway".to_vec(), CredentialProblem::Unreachable, "HTTP 502"),
        (400, br#"{"error_code":"STS.0001","error_msg":"bad"}"#.to_vec(), CredentialProblem::Refused, "STS.0001 bad"),
    ];
    let f = token_file("pod-token-value");
    for (status, body, expected, text) in bodies {
        let stub = Stub::start(move |_, _| (status, vec![], body.clone())).await;
        let ctx = Ctx::all(CLOSED);
        let p = Dynamic::Pod(PodIdentity::new(stub.url.as_str(), f.path()));
        let (_, pr, m) = problem(p.fetch(&ctx.cx()).await.failed(), &["pod-token-value"]);
        assert_eq!(pr, expected, "{m}");
        assert!(m.contains(text), "{text:?} not in {m}");
    }
}

#[tokio::test]
async fn pod_identity_sends_the_file_content_as_authorization() {
    let stub = Stub::start(|_, _| {
        (
            200,
            vec![],
            br#"{"credential":{"access":"AK1","secret":"SK1","securitytoken":"ST1","expires_at":"2099-01-01T00:00:00Z"}}"#.to_vec(),
        )
    })
    .await;
    let f = token_file("pod-token-1\n");
    let p = Dynamic::Pod(PodIdentity::new(format!("{}creds", stub.url), f.path()));
    let ctx = Ctx::all(CLOSED);
    p.fetch(&ctx.cx()).await.unwrap();
    std::fs::write(f.path(), "pod-token-2").unwrap();
    p.fetch(&ctx.cx()).await.unwrap();
    let seen = stub.seen();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/creds");
    assert_eq!(seen[0].header("authorization"), Some("pod-token-1"));
    assert_eq!(seen[1].header("authorization"), Some("pod-token-2"));
    assert_eq!(seen[0].json(), serde_json::json!({}));
}

#[tokio::test]
async fn unreachable_iam_and_sts_name_the_url_and_setting() {
    let ctx = Ctx::all(CLOSED);
    let f = token_file(DEMO_ID_TOKEN);
    let (_, pr, m) = problem(
        idp(DEMO_IDP_ID, f.path()).fetch(&ctx.cx()).await.failed(),
        &[DEMO_ID_TOKEN],
    );
    assert_eq!(pr, CredentialProblem::Unreachable);
    assert!(
        m.contains("127.0.0.1:9/v3.0/OS-AUTH/id-token/tokens")
            && m.contains("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
        "{m}"
    );
    let (_, pr, m) = problem(
        oidc(IdToken::Value(DEMO_ID_TOKEN.to_string().into()))
            .fetch(&ctx.cx())
            .await
            .failed(),
        &[DEMO_ID_TOKEN],
    );
    assert_eq!(pr, CredentialProblem::Unreachable);
    assert!(m.contains("HUAWEICLOUD_SDK_STS_ENDPOINT"), "{m}");
}

#[tokio::test]
async fn a_last_resort_that_answered_once_reports_its_own_failures() {
    let emu = emulator().await;
    let ctx = Ctx::all(&emu.url());
    let m = Dynamic::Metadata(EcsMetadata::new().last_resort("/srv/ci/.huaweicloud/credentials"));
    assert_fresh(&m.fetch(&ctx.cx()).await.unwrap());
    emu.set_faults(FaultConfig {
        metadata_error: 1.0,
        ..FaultConfig::default()
    });
    let (p, pr, msg) = problem(m.fetch(&ctx.cx()).await.failed(), &[]);
    assert_eq!(
        (p, pr),
        (
            CredentialSource::EcsMetadata,
            CredentialProblem::Unreachable
        )
    );
    assert!(msg.contains("HTTP 500"), "{msg}");
}
