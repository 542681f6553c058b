//! The credential chain end to end: variables (and the profile file) in an `EnvSource`, a
//! client built from them, and its credentials fetched from the emulator's IAM, STS, metadata
//! service and pod identity (`Client::auth_report` does the fetching). Everything on loopback:
//! the metadata address is a closed port unless a test points it at its emulator.

use std::io::Write;
use std::time::{Duration, Instant, SystemTime};

use dataarts_emulator::{
    Emulator, RunningEmulator, DEMO_AK, DEMO_IDP_ID, DEMO_ID_TOKEN, DEMO_OIDC_AGENCY_URN,
    DEMO_OIDC_PROVIDER_URN, DEMO_POD_TOKEN, DEMO_PROJECT_ID, DEMO_REGION, DEMO_SK,
};
use dataarts_release::{
    Client, ClientBuilder, ConfigProblem, CredentialProblem, CredentialSource, EnvSource, Error,
    Origin, Setting, SigningAlgorithm,
};

/// A loopback port nothing listens on: connections are refused at once.
const CLOSED: &str = "http://127.0.0.1:9";

async fn emulator() -> RunningEmulator {
    Emulator::builder().demo().start().await.unwrap()
}

/// The emulator as DataArts, IAM and STS; the metadata service closed; a project id.
fn env_for(emu: &RunningEmulator, pairs: &[(&str, &str)]) -> EnvSource {
    let url = emu.url();
    let mut all: Vec<(String, String)> = vec![
        ("DATAARTS_ENDPOINT".into(), url.clone()),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT".into(), url.clone()),
        ("HUAWEICLOUD_SDK_STS_ENDPOINT".into(), url),
        ("DATAARTS_METADATA_ENDPOINT".into(), CLOSED.into()),
        ("HUAWEICLOUD_SDK_PROJECT_ID".into(), DEMO_PROJECT_ID.into()),
    ];
    all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    EnvSource::from_map(all).home("/nonexistent-home-for-tests")
}

fn file(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

fn credentials_error(e: Error) -> (CredentialSource, CredentialProblem, String) {
    let text = e.to_string();
    match e {
        Error::Credentials {
            provider, problem, ..
        } => (provider, problem, text),
        other => panic!("not a credentials error: {other}"),
    }
}

#[tokio::test]
async fn oidc_federation_from_the_environment() {
    let emu = emulator().await;
    let token = file(DEMO_ID_TOKEN);
    let env = env_for(
        &emu,
        &[
            ("HUAWEICLOUD_OIDC_PROVIDER_URN", DEMO_OIDC_PROVIDER_URN),
            ("HUAWEICLOUD_OIDC_AGENCY_URN", DEMO_OIDC_AGENCY_URN),
            (
                "HUAWEICLOUD_OIDC_TOKEN_FILE",
                token.path().to_str().unwrap(),
            ),
            ("HUAWEICLOUD_OIDC_DURATION_SECONDS", "900"),
        ],
    );
    let client = Client::from_env_source(&env).unwrap();
    assert_eq!(client.credential_source(), CredentialSource::OidcFederation);
    let report = client.auth_report().await.unwrap();
    assert_eq!(report.source, CredentialSource::OidcFederation);
    assert_eq!(
        report.source_origin,
        Origin::Environment(
            "HUAWEICLOUD_OIDC_PROVIDER_URN/HUAWEICLOUD_OIDC_AGENCY_URN/HUAWEICLOUD_OIDC_TOKEN_FILE"
                .into()
        )
    );
    assert!(report.temporary);
    let expires = report.expires_at.unwrap();
    assert!(expires > SystemTime::now());
    // 900 s asked for: STS gives at most that.
    assert!(expires <= SystemTime::now() + Duration::from_secs(905));
    assert_eq!(emu.journal_count("/v5/agencies/assume-with-oidc"), 1);
}

#[tokio::test]
async fn idp_federation_from_the_environment_and_from_the_profile() {
    let emu = emulator().await;
    let token = file(DEMO_ID_TOKEN);
    let path = token.path().to_str().unwrap();

    let env = env_for(
        &emu,
        &[
            ("HUAWEICLOUD_SDK_IDP_ID", DEMO_IDP_ID),
            ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", path),
            // The SDK's precedence: the IdP pair wins over AK/SK.
            ("HUAWEICLOUD_SDK_AK", DEMO_AK),
            ("HUAWEICLOUD_SDK_SK", DEMO_SK),
        ],
    );
    let report = Client::from_env_source(&env)
        .unwrap()
        .auth_report()
        .await
        .unwrap();
    assert_eq!(report.source, CredentialSource::IdpFederation);
    assert!(report.temporary && report.expires_at.is_some());
    assert_eq!(emu.journal_count("/v3.0/OS-AUTH/id-token/tokens"), 1);
    assert_eq!(emu.journal_count("/v3.0/OS-CREDENTIAL/securitytokens"), 1);

    // The same from the profile file, whose iam_endpoint is used when the variable is unset.
    let profile = file(&format!(
        "[basic]\nidp_id = {DEMO_IDP_ID}\nid_token_file = {path}\niam_endpoint = {}\n",
        emu.url()
    ));
    let env = EnvSource::from_map([
        ("DATAARTS_ENDPOINT", emu.url().as_str()),
        ("DATAARTS_METADATA_ENDPOINT", CLOSED),
        ("DATAARTS_REGION", DEMO_REGION),
        (
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            profile.path().to_str().unwrap(),
        ),
    ])
    .home("/nonexistent-home-for-tests");
    let client = Client::from_env_source(&env).unwrap();
    assert_eq!(client.iam_endpoint(), format!("{}/", emu.url()));
    let report = client.auth_report().await.unwrap();
    assert_eq!(report.source, CredentialSource::IdpFederation);
    assert_eq!(
        report.source_origin,
        Origin::ProfileFile(profile.path().into())
    );
    // No project id anywhere: looked up in IAM, signed with the temporary credentials.
    assert_eq!(report.project_id, DEMO_PROJECT_ID);
    assert_eq!(emu.journal_count("/v3.0/OS-CREDENTIAL/securitytokens"), 2);
}

#[tokio::test]
async fn the_metadata_service_when_nothing_else_is_set() {
    let emu = emulator().await;
    let env = env_for(&emu, &[("DATAARTS_METADATA_ENDPOINT", emu.url().as_str())]);
    let client = Client::from_env_source(&env).unwrap();
    assert_eq!(client.credential_source(), CredentialSource::EcsMetadata);
    assert_eq!(client.metadata_endpoint(), format!("{}/", emu.url()));
    let report = client.auth_report().await.unwrap();
    assert_eq!(report.source, CredentialSource::EcsMetadata);
    assert_eq!(report.source_origin, Origin::Default);
    assert!(report.temporary);
    assert_eq!(emu.journal_count("/meta-data/latest/api/token"), 1);
    assert_eq!(emu.journal_count("/openstack/latest/securitykey"), 1);
}

#[tokio::test]
async fn pod_identity_after_a_silent_metadata_service() {
    let emu = emulator().await;
    let token = file(DEMO_POD_TOKEN);
    let uri = format!("{}/pod-identity/v1/credentials", emu.url());
    let env = env_for(
        &emu,
        &[
            ("HC_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
            (
                "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token.path().to_str().unwrap(),
            ),
        ],
    );
    let client = Client::from_env_source(&env).unwrap();
    let report = client.auth_report().await.unwrap();
    assert_eq!(report.source, CredentialSource::PodIdentity);
    assert_eq!(client.credential_source(), CredentialSource::PodIdentity);
    assert_eq!(emu.journal_count("/pod-identity/v1/credentials"), 1);
}

#[tokio::test]
async fn nothing_configured_fails_fast_and_says_what_to_set() {
    let emu = emulator().await;
    let env = env_for(&emu, &[]);
    let client = Client::from_env_source(&env).unwrap();
    let started = Instant::now();
    let (provider, problem, text) = credentials_error(client.auth_report().await.unwrap_err());
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(provider, CredentialSource::EcsMetadata);
    assert_eq!(problem, CredentialProblem::NotConfigured);
    for name in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_IDP_ID",
        "HUAWEICLOUD_OIDC_TOKEN_FILE",
        "DATAARTS_AUTH_TOKEN",
        "HC_CONTAINER_CREDENTIALS_FULL_URI",
        "/nonexistent-home-for-tests/.huaweicloud/credentials",
        "127.0.0.1:9",
    ] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
    // Nothing reached the DataArts API.
    assert_eq!(emu.journal().len(), 0);
    assert_eq!(emu.refused_auth().total, 0);
}

#[tokio::test]
async fn refusals_and_unreadable_files_name_the_variable() {
    let emu = emulator().await;
    let token = file(DEMO_ID_TOKEN);
    let env = env_for(
        &emu,
        &[
            ("HUAWEICLOUD_SDK_IDP_ID", "unknown-idp"),
            (
                "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
                token.path().to_str().unwrap(),
            ),
        ],
    );
    let e = Client::from_env_source(&env)
        .unwrap()
        .auth_report()
        .await
        .unwrap_err();
    let (provider, problem, text) = credentials_error(e);
    assert_eq!(
        (provider, problem),
        (CredentialSource::IdpFederation, CredentialProblem::Refused)
    );
    assert!(text.contains("HUAWEICLOUD_SDK_IDP_ID"), "{text}");
    assert!(!text.contains(DEMO_ID_TOKEN), "{text}");

    let env = env_for(
        &emu,
        &[
            ("HUAWEICLOUD_OIDC_PROVIDER_URN", DEMO_OIDC_PROVIDER_URN),
            ("HUAWEICLOUD_OIDC_AGENCY_URN", DEMO_OIDC_AGENCY_URN),
            ("HUAWEICLOUD_OIDC_TOKEN_FILE", "/nonexistent/oidc-token"),
        ],
    );
    let e = Client::from_env_source(&env)
        .unwrap()
        .auth_report()
        .await
        .unwrap_err();
    let (provider, problem, text) = credentials_error(e);
    assert_eq!(
        (provider, problem),
        (
            CredentialSource::OidcFederation,
            CredentialProblem::Unreadable
        )
    );
    assert!(
        text.contains("/nonexistent/oidc-token") && text.contains("HUAWEICLOUD_OIDC_TOKEN_FILE"),
        "{text}"
    );
    assert_eq!(emu.journal_count("/v5/agencies/assume-with-oidc"), 0);
}

#[test]
fn broken_sources_are_config_errors_naming_the_variable() {
    /// The variables, then the setting, variable and problem the error names.
    type Case = (
        Vec<(&'static str, &'static str)>,
        Setting,
        &'static str,
        ConfigProblem,
    );
    let cases: Vec<Case> = vec![
        (
            vec![("HUAWEICLOUD_OIDC_AGENCY_URN", "urn")],
            Setting::Credentials,
            "HUAWEICLOUD_OIDC_PROVIDER_URN",
            ConfigProblem::Missing,
        ),
        (
            vec![
                ("HUAWEICLOUD_OIDC_PROVIDER_URN", "p"),
                ("HUAWEICLOUD_OIDC_AGENCY_URN", "a"),
                ("HUAWEICLOUD_OIDC_ID_TOKEN", "t"),
                ("HUAWEICLOUD_OIDC_DURATION_SECONDS", "an hour"),
            ],
            Setting::Credentials,
            "HUAWEICLOUD_OIDC_DURATION_SECONDS",
            ConfigProblem::Invalid,
        ),
        (
            vec![("HUAWEICLOUD_SDK_IDP_ID", "demo-idp")],
            Setting::Credentials,
            "HUAWEICLOUD_SDK_IDP_ID",
            ConfigProblem::Incomplete,
        ),
        (
            vec![
                ("DATAARTS_AUTH_TOKEN", "t"),
                ("HUAWEICLOUD_SDK_IDP_ID", "demo-idp"),
                ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/t"),
            ],
            Setting::Credentials,
            "DATAARTS_AUTH_TOKEN",
            ConfigProblem::Conflict,
        ),
        (
            vec![("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t")],
            Setting::Credentials,
            "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            ConfigProblem::Incomplete,
        ),
        (
            vec![("DATAARTS_SIGNING_ALGORITHM", "SDK-HMAC-MD5")],
            Setting::SigningAlgorithm,
            "DATAARTS_SIGNING_ALGORITHM",
            ConfigProblem::Invalid,
        ),
        (
            vec![("DATAARTS_METADATA_ENDPOINT", "http://x\r\ny")],
            Setting::MetadataEndpoint,
            "DATAARTS_METADATA_ENDPOINT",
            ConfigProblem::Invalid,
        ),
    ];
    for (pairs, setting, variable, problem) in cases {
        let env = EnvSource::from_map(pairs.iter().copied()).home("/nonexistent-home-for-tests");
        let e = ClientBuilder::from_env_source(&env).unwrap_err();
        assert_eq!(e.setting(), Some(setting), "{e}");
        assert_eq!(
            e.origin(),
            Some(&Origin::Environment(variable.into())),
            "{e}"
        );
        assert_eq!(e.config_problem(), Some(problem), "{e}");
        assert!(e.to_string().contains(variable), "{e}");
    }
    // The bad algorithm's message lists the good ones.
    let env = EnvSource::from_map([("DATAARTS_SIGNING_ALGORITHM", "hmac")]);
    let text = ClientBuilder::from_env_source(&env)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("SDK-HMAC-SM3") && text.contains("SDK-SM2-SM3"),
        "{text}"
    );
}

#[test]
fn endpoints_and_algorithm_from_the_environment() {
    let env = EnvSource::from_map([
        ("HUAWEICLOUD_SDK_AK", "AK"),
        ("HUAWEICLOUD_SDK_SK", "SK"),
        ("DATAARTS_REGION", "cn-north-4"),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "https://iam.example.com"),
        ("HUAWEICLOUD_SDK_STS_ENDPOINT", "https://sts.example.com"),
        ("DATAARTS_METADATA_ENDPOINT", CLOSED),
        ("DATAARTS_SIGNING_ALGORITHM", "sdk-hmac-sm3"),
    ])
    .home("/nonexistent-home-for-tests");
    let client = Client::from_env_source(&env).unwrap();
    assert_eq!(client.iam_endpoint(), "https://iam.example.com/");
    assert_eq!(client.sts_endpoint(), "https://sts.example.com/");
    assert_eq!(client.metadata_endpoint(), "http://127.0.0.1:9/");
    assert_eq!(client.signing_algorithm(), SigningAlgorithm::HmacSm3);
    assert_eq!(client.credential_source(), CredentialSource::AkSk);
}

#[test]
fn no_secret_in_debug_of_builders_clients_or_errors() {
    let secrets = ["oidc-id-token-SECRET", "sk-SECRET", "st-SECRET"];
    let env = EnvSource::from_map([
        ("HUAWEICLOUD_OIDC_PROVIDER_URN", "p"),
        ("HUAWEICLOUD_OIDC_AGENCY_URN", "a"),
        ("HUAWEICLOUD_OIDC_ID_TOKEN", secrets[0]),
        ("HUAWEICLOUD_SDK_AK", "AK"),
        ("HUAWEICLOUD_SDK_SK", secrets[1]),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", secrets[2]),
        ("DATAARTS_REGION", "cn-north-4"),
    ]);
    let builder = ClientBuilder::from_env_source(&env).unwrap();
    let mut shown = format!("{builder:?} {builder:#?} {env:?}");
    let client = builder.build().unwrap();
    shown.push_str(&format!("{client:?}"));
    // A broken environment holding the same secrets.
    let broken = env.clone().set("HUAWEICLOUD_OIDC_DURATION_SECONDS", "x");
    let e = ClientBuilder::from_env_source(&broken).unwrap_err();
    shown.push_str(&format!("{e} {e:?}"));
    for s in secrets {
        assert!(!shown.contains(s), "{s} in {shown}");
    }
}
