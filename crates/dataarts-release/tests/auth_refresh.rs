//! Temporary credentials from a source, renewed before they expire, against the emulator's
//! metadata service and IAM, in real time with lifetimes of a couple of seconds.

mod common;

use std::time::{Duration, SystemTime};

use common::{emulator_with, fast_retries};
use dataarts_emulator::{
    FaultConfig, RunningEmulator, DEMO_IDP_ID, DEMO_ID_TOKEN, DEMO_PROJECT_ID, DEMO_REGION,
    DEMO_WORKSPACE_ID,
};
use dataarts_release::{
    Client, ClientBuilder, CredentialProblem, CredentialSource, Credentials, EcsMetadata, Error,
    ErrorKind, IdpFederation, ProjectIdSource, ReleaseOutcome,
};

const SECURITYKEY: &str = "/openstack/latest/securitykey";

async fn emulator(lifetime: Duration) -> RunningEmulator {
    emulator_with(|b| b.credential_lifetime(lifetime)).await
}

fn base(emu: &RunningEmulator, credentials: Credentials) -> ClientBuilder {
    Client::builder()
        .endpoint(emu.url())
        .iam_endpoint(emu.url())
        .metadata_endpoint(emu.url())
        .region(DEMO_REGION)
        .workspace(DEMO_WORKSPACE_ID)
        .credentials(credentials)
        .rate_limit(None)
        .retry_policy(fast_retries())
        .attempt_timeout(Duration::from_secs(5))
}

fn metadata_client(emu: &RunningEmulator) -> Client {
    base(emu, Credentials::ecs_metadata(EcsMetadata::new()))
        .project_id(DEMO_PROJECT_ID)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_wait_outlives_several_lifetimes_of_metadata_credentials() {
    let emu = emulator(Duration::from_secs(2)).await;
    let c = metadata_client(&emu);
    assert_eq!(
        emu.journal_count(SECURITYKEY),
        0,
        "fetched on first use only"
    );
    let d = c.deploy(["23"]).start_jobs(false).send().await.unwrap();
    let finisher = async {
        // About three lifetimes of polling before the release ends.
        tokio::time::sleep(Duration::from_millis(6500)).await;
        emu.complete_all_tasks();
    };
    let (results, ()) = tokio::join!(
        d.wait()
            .poll_interval(Duration::from_millis(200))
            .max_poll_interval(Duration::from_millis(200))
            .timeout(Duration::from_secs(30)),
        finisher
    );
    let results = results.unwrap();
    assert_eq!(results[0].outcome, ReleaseOutcome::Succeeded);
    let fetches = emu.journal_count(SECURITYKEY);
    assert!(fetches >= 3, "renewed during the wait: {fetches} fetches");
    // Renewed ahead of expiry: the gateway never refused a request as expired (refusals are
    // counted, not journalled).
    assert_eq!(emu.refused_auth().total, 0);
}

#[tokio::test]
async fn idp_federation_is_renewed_too_and_rereads_the_id_token_file() {
    // 4 s sets, renewed after 3 s.
    let emu = emulator(Duration::from_secs(4)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("id-token");
    std::fs::write(&file, DEMO_ID_TOKEN).unwrap();
    let c = base(
        &emu,
        Credentials::idp_federation(IdpFederation::new(DEMO_IDP_ID, &file)),
    )
    .build()
    .unwrap();
    // The project id is looked up with the temporary credentials (X-Security-Token).
    assert_eq!(c.resolve_project_id().await.unwrap(), DEMO_PROJECT_ID);
    c.show_package("23").await.unwrap();
    tokio::time::sleep(Duration::from_millis(3200)).await;
    c.show_package("23").await.unwrap();
    assert_eq!(emu.journal_count("/v3.0/OS-CREDENTIAL/securitytokens"), 2);

    // A rotated id token the IdP refuses: the set still valid stays in use...
    std::fs::write(&file, "a-token-the-idp-refuses").unwrap();
    tokio::time::sleep(Duration::from_millis(3200)).await;
    c.show_package("23").await.unwrap();
    assert_eq!(emu.journal_count("/v3.0/OS-AUTH/id-token/tokens"), 3);
    // ...until it expires.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let e = c.show_package("23").await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Credentials {
                provider: CredentialSource::IdpFederation,
                problem: CredentialProblem::Expired,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.to_string().contains("a-token-the-idp-refuses"), "{e}");
}

#[tokio::test]
async fn a_set_the_gateway_refuses_as_expired_is_renewed_and_the_call_resigned() {
    let emu = emulator(Duration::from_secs(3600)).await;
    let c = metadata_client(&emu);
    c.show_package("23").await.unwrap();
    assert_eq!(emu.journal_count(SECURITYKEY), 1);
    // The service's clock runs ahead: the set is expired there, not here.
    emu.advance_identity_clock(Duration::from_secs(2 * 3600));
    c.show_package("23").await.unwrap();
    assert_eq!(emu.journal_count(SECURITYKEY), 2);
    assert_eq!(
        emu.refused_auth().count("APIGW.0301"),
        1,
        "one refusal, then the re-signed attempt passed"
    );
    assert_eq!(emu.refused_auth().total, 1);
}

#[tokio::test]
async fn expired_and_not_renewable_is_a_credentials_error_and_nothing_is_sent() {
    let emu = emulator(Duration::from_secs(2)).await;
    let c = metadata_client(&emu);
    c.show_package("23").await.unwrap();
    emu.set_faults(FaultConfig {
        metadata_error: 1.0,
        ..FaultConfig::default()
    });
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let before = (emu.journal_count("/v2/"), emu.refused_auth().total);
    let e = c.deploy(["23"]).send().await.unwrap_err();
    match &e {
        Error::Credentials {
            provider,
            problem,
            message,
        } => {
            assert_eq!(*provider, CredentialSource::EcsMetadata);
            assert_eq!(*problem, CredentialProblem::Expired);
            assert!(message.contains("expired at"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert_eq!(
        (emu.journal_count("/v2/"), emu.refused_auth().total),
        before,
        "nothing was sent"
    );
    assert_eq!(emu.release_count("23"), 0);

    // The source recovers: so does the client.
    emu.set_faults(FaultConfig::default());
    c.show_package("23").await.unwrap();
}

#[tokio::test]
async fn refused_as_expired_and_not_renewable_is_a_credentials_error() {
    let emu = emulator(Duration::from_secs(3600)).await;
    let c = metadata_client(&emu);
    c.show_package("23").await.unwrap();
    emu.advance_identity_clock(Duration::from_secs(2 * 3600));
    emu.set_faults(FaultConfig {
        metadata_error: 1.0,
        ..FaultConfig::default()
    });
    let e = c.show_package("23").await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Credentials {
                problem: CredentialProblem::Expired,
                message,
                ..
            } if message.contains("refused by the service as expired")
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn the_auth_report_of_metadata_credentials() {
    let emu = emulator(Duration::from_secs(600)).await;
    let c = base(&emu, Credentials::ecs_metadata(EcsMetadata::new()))
        .build()
        .unwrap();
    let r = c.auth_report().await.unwrap();
    assert_eq!(r.source, CredentialSource::EcsMetadata);
    assert!(r.temporary);
    let ak = r.access_key.clone().unwrap();
    assert!(ak.contains("****"), "{ak}");
    let expires = r.expires_at.unwrap();
    let left = expires.duration_since(SystemTime::now()).unwrap();
    assert!(left <= Duration::from_secs(600) && left > Duration::from_secs(500));
    assert_eq!(r.project_id, DEMO_PROJECT_ID);
    assert!(matches!(
        r.project_id_source,
        ProjectIdSource::Discovered { .. }
    ));
    assert!(r.endpoints.metadata.is_some());
    assert!(r.endpoints.sts.is_none());
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["source"], "ecs_metadata");
    assert_eq!(json["signing_algorithm"], "SDK-HMAC-SHA256");
    assert_eq!(json["project_id_source"]["how"], "discovered");
    assert!(json["expires_at"].as_str().unwrap().ends_with('Z'));
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert!(
        keys.iter()
            .all(|k| !k.contains("secret") && !k.contains("token")),
        "{keys:?}"
    );
}

#[tokio::test]
async fn temporary_credentials_sign_with_each_algorithm() {
    let emu = emulator(Duration::from_secs(600)).await;
    for algorithm in dataarts_release::SigningAlgorithm::ALL {
        let c = base(&emu, Credentials::ecs_metadata(EcsMetadata::new()))
            .signing_algorithm(algorithm)
            .build()
            .unwrap();
        // The lookup (IAM) and the call (DataArts) both carry X-Security-Token.
        assert_eq!(c.resolve_project_id().await.unwrap(), DEMO_PROJECT_ID);
        c.show_package("23")
            .await
            .unwrap_or_else(|e| panic!("{algorithm:?}: {e}"));
    }
}
