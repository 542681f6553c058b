//! Project-id discovery against the emulator's IAM: `GET /v3/projects?name={region}` signed
//! with the client's algorithm (or the IAM token's own projects), once per client.

mod common;

use std::time::Duration;

use common::{emulator, emulator_with, fast_retries};
use dataarts_emulator::{
    Fixtures, RunningEmulator, DEMO_AK, DEMO_PROJECT_ID, DEMO_PROJECT_ID_2, DEMO_REGION, DEMO_SK,
    DEMO_TOKEN, DEMO_WORKSPACE_ID,
};
use dataarts_release::{
    Client, ClientBuilder, Credentials, DiscoveryProblem, Error, ErrorKind, ProjectIdSource,
    SigningAlgorithm,
};

/// A client for the emulator without a project id: it is looked up by `region`.
fn discovering(emu: &RunningEmulator, region: &str, credentials: Credentials) -> ClientBuilder {
    Client::builder()
        .endpoint(emu.url())
        .iam_endpoint(emu.url())
        .region(region)
        .workspace(DEMO_WORKSPACE_ID)
        .credentials(credentials)
        .rate_limit(None)
        .retry_policy(fast_retries())
        .attempt_timeout(Duration::from_secs(5))
}

fn lookups(emu: &RunningEmulator) -> usize {
    emu.journal_count("/v3/projects") + emu.journal_count("/v3/auth/projects")
}

#[tokio::test]
async fn the_project_id_is_looked_up_once_per_client_and_used() {
    let emu = emulator().await;
    let c = discovering(&emu, DEMO_REGION, Credentials::aksk(DEMO_AK, DEMO_SK))
        .build()
        .unwrap();
    assert_eq!(c.project_id(), None);
    assert_eq!(lookups(&emu), 0, "nothing is sent by build()");

    let page = c.list_packages().send().await.unwrap();
    assert!(!page.items.is_empty());
    assert_eq!(c.resolve_project_id().await.unwrap(), DEMO_PROJECT_ID);
    // A clone (another workspace) shares the answer.
    let other = c.with_workspace(None::<String>);
    other.list_packages().send().await.unwrap();
    c.show_package("23").await.unwrap();
    assert_eq!(emu.journal_count("/v3/projects"), 1);
    // The project id reached the DataArts API.
    assert!(emu.journal_count(&format!("/v2/{DEMO_PROJECT_ID}/")) >= 3);

    let report = c.auth_report().await.unwrap();
    assert_eq!(report.project_id, DEMO_PROJECT_ID);
    assert_eq!(
        report.project_id_source,
        ProjectIdSource::Discovered {
            iam_endpoint: format!("{}/", emu.url().trim_end_matches('/'))
        }
    );
    assert_eq!(emu.journal_count("/v3/projects"), 1);
}

#[tokio::test]
async fn each_algorithm_signs_the_lookup_and_the_calls() {
    let emu = emulator().await;
    for algorithm in SigningAlgorithm::ALL {
        let c = discovering(&emu, DEMO_REGION, Credentials::aksk(DEMO_AK, DEMO_SK))
            .signing_algorithm(algorithm)
            .build()
            .unwrap();
        assert_eq!(
            c.resolve_project_id().await.unwrap(),
            DEMO_PROJECT_ID,
            "{algorithm:?}"
        );
        c.show_package("23")
            .await
            .unwrap_or_else(|e| panic!("{algorithm:?}: {e}"));
        let report = c.auth_report().await.unwrap();
        assert_eq!(report.signing_algorithm, Some(algorithm));
    }
}

#[test]
fn algorithm_names_parse_as_spelled_in_the_header() {
    for a in SigningAlgorithm::ALL {
        assert_eq!(a.as_str().parse::<SigningAlgorithm>().unwrap(), a);
        assert_eq!(
            a.as_str()
                .to_ascii_lowercase()
                .parse::<SigningAlgorithm>()
                .unwrap(),
            a
        );
    }
    let e = "SDK-HMAC-MD5".parse::<SigningAlgorithm>().unwrap_err();
    assert!(e.to_string().contains("SDK-HMAC-MD5"), "{e}");
}

#[tokio::test]
async fn an_iam_token_uses_its_own_project_list() {
    let emu = emulator().await;
    let c = discovering(&emu, DEMO_REGION, Credentials::token(DEMO_TOKEN))
        .build()
        .unwrap();
    assert_eq!(c.resolve_project_id().await.unwrap(), DEMO_PROJECT_ID);
    assert_eq!(emu.journal_count("/v3/auth/projects"), 1);
    assert_eq!(emu.journal_count("/v3/projects"), 0);
    c.show_package("23").await.unwrap();
}

#[tokio::test]
async fn no_match_names_the_region_and_the_fix_and_nothing_is_released() {
    let emu = emulator().await;
    let c = discovering(&emu, "ap-southeast-1", Credentials::aksk(DEMO_AK, DEMO_SK))
        .build()
        .unwrap();
    let e = c.deploy(["23"]).send().await.unwrap_err();
    match &e {
        Error::ProjectDiscovery {
            region, problem, ..
        } => {
            assert_eq!(region, "ap-southeast-1");
            assert_eq!(*problem, DiscoveryProblem::NoMatch);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.kind(), ErrorKind::Config);
    let text = e.to_string();
    for needle in [
        "ap-southeast-1",
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "ClientBuilder::project_id",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(emu.released_more_than_once().is_empty());
    assert_eq!(emu.release_count("23"), 0);
    assert_eq!(
        emu.journal_count("/v2/"),
        0,
        "nothing reached the DataArts API"
    );
}

#[tokio::test]
async fn several_matches_are_listed() {
    let mut fixtures = Fixtures::demo();
    for p in &mut fixtures.projects {
        if p.id == DEMO_PROJECT_ID_2 {
            p.name = Some(DEMO_REGION.to_string());
        }
    }
    let emu = emulator_with(|b| b.fixtures(fixtures)).await;
    let c = discovering(&emu, DEMO_REGION, Credentials::aksk(DEMO_AK, DEMO_SK))
        .build()
        .unwrap();
    let e = c.resolve_project_id().await.unwrap_err();
    match &e {
        Error::ProjectDiscovery {
            problem, projects, ..
        } => {
            assert_eq!(*problem, DiscoveryProblem::SeveralMatches);
            let mut got = projects.clone();
            got.sort();
            let mut want = vec![DEMO_PROJECT_ID.to_string(), DEMO_PROJECT_ID_2.to_string()];
            want.sort();
            assert_eq!(got, want);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains(DEMO_PROJECT_ID_2), "{e}");
}

#[tokio::test]
async fn a_refusal_is_an_auth_error_and_a_dead_iam_a_transport_error() {
    let emu = emulator().await;
    let c = discovering(
        &emu,
        DEMO_REGION,
        Credentials::aksk(DEMO_AK, "not-the-secret-key-SECRET"),
    )
    .build()
    .unwrap();
    let e = c.resolve_project_id().await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::ProjectDiscovery {
                problem: DiscoveryProblem::Refused,
                status: Some(401),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(!e.to_string().contains("SECRET"), "{e}");

    let c = discovering(&emu, DEMO_REGION, Credentials::aksk(DEMO_AK, DEMO_SK))
        .iam_endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    let e = c.list_packages().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(
        e.to_string().contains("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
        "{e}"
    );
    // A failed lookup is not cached: a working IAM later is asked again.
}

#[test]
fn build_needs_a_project_id_or_a_region() {
    let e = Client::builder()
        .endpoint("http://127.0.0.1:1")
        .credentials(Credentials::aksk("AK", "SK"))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("ClientBuilder::region"), "{e}");
    // IAM and STS endpoints come from the region table, else the global defaults.
    let c = Client::builder()
        .region("eu-west-101")
        .credentials(Credentials::aksk("AK", "SK"))
        .build()
        .unwrap();
    assert_eq!(c.iam_endpoint(), "https://iam.myhuaweicloud.com/");
    assert_eq!(
        c.sts_endpoint(),
        "https://sts.cn-north-4.myhuaweicloud.com/"
    );
    // Plain http is refused off loopback, like the other endpoints.
    let e = Client::builder()
        .region("cn-north-4")
        .iam_endpoint("http://iam.example.com")
        .credentials(Credentials::aksk("AK", "SK"))
        .build()
        .unwrap_err();
    assert_eq!(e.setting(), Some(dataarts_release::Setting::IamEndpoint));
}
