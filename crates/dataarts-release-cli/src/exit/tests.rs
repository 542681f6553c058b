//! Exit codes and hints, chosen from kinds and typed details.

use super::render::render_api;
use super::*;
use std::path::PathBuf;
use std::time::Duration;

use dataarts_release::{
    Client, ClientBuilder, CredentialProblem, CredentialSource, Credentials, EnvSource, Operation,
    Origin, ServiceError, Setting,
};

/// Builds real errors through the wrapper's public API.
fn config_error() -> ApiError {
    Client::from_env_source(&EnvSource::from_map([
        ("DATAARTS_REGION", "cn-north-4"),
        ("HUAWEICLOUD_SDK_AK", "AK"),
    ]))
    .unwrap_err()
}

fn invalid_input() -> ApiError {
    let client = Client::builder()
        .endpoint("http://127.0.0.1:9")
        .project_id("p")
        .credentials(Credentials::token("t"))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(client.show_package("a/b")).unwrap_err()
}

fn service(status: u16, code: &str) -> ServiceError {
    ServiceError::new(
        Operation::ShowFactoryPackageDetail,
        status,
        code,
        "Task does not exist.",
    )
    .with_request_id("3f2a")
}

#[test]
fn service_is_1() {
    assert_eq!(
        exit_for(&ApiError::Service(service(400, "DLF.0802"))),
        Exit::Refused
    );
}

#[test]
fn not_found_is_1_with_hint() {
    let e = ApiError::NotFound(service(400, "DLF.0810"));
    assert_eq!(exit_for(&e), Exit::Refused);
    let r = render_api(&e);
    assert_eq!(r.code.as_deref(), Some("DLF.0810"));
    assert!(r.hint.unwrap().contains("packages list"));
}

#[test]
fn a_package_found_missing_is_1_and_named() {
    let e = ApiError::PackageNotFound {
        package_id: "999".into(),
    };
    assert_eq!(exit_for(&e), Exit::Refused);
    let r = render_api(&e);
    assert_eq!(r.code, None);
    assert!(r.message.starts_with("package 999 does not exist"), "{r:?}");
    assert!(!r.message.contains("list_packages"), "CLI terms: {r:?}");
    assert!(r.hint.unwrap().contains("packages list"));
}

#[test]
fn signals_have_their_shell_exit_codes() {
    assert_eq!(Exit::Interrupted.code(), 130);
    assert_eq!(Exit::Terminated.code(), 143);
}

#[test]
fn throttled_is_1() {
    let e = ApiError::Throttled {
        error: service(429, "APIGW.0308"),
        retry_after: Some(Duration::from_secs(2)),
    };
    assert_eq!(exit_for(&e), Exit::Refused);
    assert!(render_api(&e).hint.unwrap().contains("2s"));
}

#[test]
fn auth_is_3() {
    assert_eq!(
        exit_for(&ApiError::Auth(service(401, "APIGW.0301"))),
        Exit::Auth
    );
    assert_eq!(
        exit_for(&ApiError::Auth(service(403, "APIGW.0302"))),
        Exit::Auth
    );
}

#[test]
fn timeout_is_5() {
    let e = ApiError::Timeout {
        operation: Operation::DeployFactoryPackages,
        after: Some(Duration::from_secs(30)),
    };
    assert_eq!(exit_for(&e), Exit::Network);
    assert!(render_api(&e).hint.unwrap().contains("packages show"));
}

#[test]
fn transport_is_5() {
    let e = ApiError::Transport {
        operation: Operation::ShowFactoryPackageDetail,
        message: "connection refused".into(),
        connect: true,
        proxy: None,
        source: None,
    };
    assert_eq!(exit_for(&e), Exit::Network);
}

#[test]
fn decode_is_5() {
    let e = ApiError::Decode {
        operation: Operation::ListFactoryReleasePackages,
        status: 200,
        message: "EOF".into(),
        excerpt: "{\"da".into(),
        request_id: Some("abc".into()),
    };
    assert_eq!(exit_for(&e), Exit::Network);
    let r = render_api(&e);
    assert_eq!(r.request_id.as_deref(), Some("abc"));
    assert!(!r.message.contains("request id"));
}

#[test]
fn invalid_input_is_2() {
    let e = invalid_input();
    assert!(matches!(e, ApiError::InvalidInput { .. }));
    assert_eq!(exit_for(&e), Exit::Usage);
}

#[test]
fn config_is_2_and_names_the_variables() {
    let e = config_error();
    assert!(matches!(e, ApiError::Config { .. }));
    assert_eq!(exit_for(&e), Exit::Usage);
    let text = render_api(&e).lines();
    assert!(text.contains("HUAWEICLOUD_SDK_AK"), "{text}");
}

#[test]
fn package_state_is_1() {
    let e = ApiError::PackageState {
        package_id: "23".into(),
        status: dataarts_release::DeployStatus::Succeeded,
        deleted: false,
        state: "released".into(),
    };
    assert_eq!(exit_for(&e), Exit::Refused);
}

#[test]
fn partial_release_takes_the_cause() {
    let e = ApiError::PartialRelease {
        released: vec!["12".into()],
        source: Box::new(ApiError::Auth(service(401, "APIGW.0301"))),
    };
    assert_eq!(exit_for(&e), Exit::Auth);
    assert!(render_api(&e).message.contains("12"));
}

#[test]
fn wait_timeout_is_4() {
    let e = ApiError::WaitTimeout {
        what: "system task t".into(),
        waited: Duration::from_millis(1500),
        last_status: "RUNNING".into(),
    };
    assert_eq!(exit_for(&e), Exit::WaitTimeout);
    assert!(render_api(&e).message.contains("1s"));
}

#[test]
fn lines_are_single_and_clean() {
    let r = Rendered {
        code: Some("DLF.1".into()),
        message: "bad\nthing\u{1b}[31m".into(),
        request_id: Some("r1".into()),
        hint: Some("do x".into()),
    };
    assert_eq!(
        r.lines(),
        "error: DLF.1 bad thing [31m (request id r1)\nhint: do x\n"
    );
}

fn env_error(pairs: &[(&str, &str)]) -> ApiError {
    Client::from_env_source(&EnvSource::from_map(pairs.iter().copied())).unwrap_err()
}

const PID: &str = "b384b9e9ab9b4ee8994c8633aabc9505";

/// Every missing setting the CLI words in its own terms: exit 2, its own message and hint.
#[test]
fn missing_settings_get_their_own_message_and_hint() {
    // From the environment, no credentials means the ECS metadata service as the last
    // resort; a builder without credentials is incomplete.
    let no_credentials = Client::builder()
        .region("cn-north-4")
        .project_id(PID)
        .build()
        .unwrap_err();
    let cases = [
        (
            no_credentials,
            Setting::Credentials,
            "no credentials found",
            "HUAWEICLOUD_SDK_AK",
        ),
        (
            // Without a region there is no project to look up.
            env_error(&[
                ("DATAARTS_AUTH_TOKEN", "t"),
                ("DATAARTS_ENDPOINT", "https://dayu.example.com"),
            ]),
            Setting::ProjectId,
            "no project id",
            "--project-id",
        ),
        (
            env_error(&[
                ("DATAARTS_AUTH_TOKEN", "t"),
                ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
            ]),
            Setting::Endpoint,
            "no region and no endpoint",
            "--region",
        ),
    ];
    for (e, setting, message, hint) in cases {
        assert_eq!(e.setting(), Some(setting), "{e}");
        assert_eq!(e.origin(), Some(&Origin::Unset), "{e}");
        assert_eq!(exit_for(&e), Exit::Usage);
        let r = render_api(&e);
        assert_eq!(r.message, message);
        assert!(r.hint.as_deref().unwrap_or("").contains(hint), "{r:?}");
    }
}

/// A bad value from a variable that a flag also sets is named with the flag; other
/// variables and files by themselves. No hint: the wrapper's message says what to do.
#[test]
fn bad_values_name_their_origin_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("empty-token");
    std::fs::write(&token_file, "").unwrap();
    let profile = dir.path().join("credentials");
    std::fs::write(&profile, "[basic]\nak = AK\n").unwrap();
    let token_path = token_file.display().to_string();
    let profile_path = profile.display().to_string();
    let cases: Vec<(ApiError, Setting, Origin, &str)> = vec![
        (
            env_error(&[("DATAARTS_WORKSPACE", "w\r\n")]),
            Setting::Workspace,
            Origin::Environment("DATAARTS_WORKSPACE".into()),
            "--workspace / DATAARTS_WORKSPACE: ",
        ),
        (
            env_error(&[
                ("DATAARTS_REGION", "CN NORTH"),
                ("DATAARTS_AUTH_TOKEN", "t"),
                ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
            ]),
            Setting::Region,
            Origin::Environment("DATAARTS_REGION".into()),
            "--region / DATAARTS_REGION: ",
        ),
        (
            env_error(&[
                ("DATAARTS_ENDPOINT", "http://example.com"),
                ("DATAARTS_AUTH_TOKEN", "t"),
                ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
            ]),
            Setting::Endpoint,
            Origin::Environment("DATAARTS_ENDPOINT".into()),
            "--endpoint / DATAARTS_ENDPOINT: ",
        ),
        (
            env_error(&[
                ("HUAWEICLOUD_SDK_PROJECT_ID", "a/b"),
                ("DATAARTS_AUTH_TOKEN", "t"),
                ("DATAARTS_REGION", "cn-north-4"),
            ]),
            Setting::ProjectId,
            Origin::Environment("HUAWEICLOUD_SDK_PROJECT_ID".into()),
            "--project-id / HUAWEICLOUD_SDK_PROJECT_ID: ",
        ),
        (
            env_error(&[("DATAARTS_AUTH_TOKEN_FILE", &token_path)]),
            Setting::Credentials,
            Origin::Environment("DATAARTS_AUTH_TOKEN_FILE".into()),
            "--token-file / DATAARTS_AUTH_TOKEN_FILE: ",
        ),
        (
            env_error(&[("HUAWEICLOUD_SDK_AK", "AK")]),
            Setting::Credentials,
            Origin::Environment("HUAWEICLOUD_SDK_AK".into()),
            "HUAWEICLOUD_SDK_AK: ",
        ),
        (
            env_error(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &profile_path)]),
            Setting::Credentials,
            Origin::ProfileFile(PathBuf::from(&profile_path)),
            "profile file ",
        ),
    ];
    for (e, setting, origin, prefix) in cases {
        assert_eq!(e.setting(), Some(setting), "{e}");
        assert_eq!(e.origin(), Some(&origin), "{e}");
        assert_eq!(exit_for(&e), Exit::Usage);
        let r = render_api(&e);
        assert!(r.message.starts_with(prefix), "{prefix}: {r:?}");
        assert!(!r.message.contains("ClientBuilder"), "{r:?}");
        if setting == Setting::Endpoint {
            // http:// on a remote host: the CLI says what to use instead.
            assert_eq!(
                r.hint.as_deref(),
                Some("use the https:// URL of the service")
            );
        } else {
            assert_eq!(r.hint, None);
        }
    }
}

/// A builder-made error is named by the setting (the CLI has no builder flags).
#[test]
fn builder_origins_are_named_by_setting() {
    let e = ClientBuilder::new()
        .credentials(Credentials::token("t"))
        .project_id(PID)
        .region("cn-north-4")
        .total_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(e.setting(), Some(Setting::Timeouts));
    assert_eq!(exit_for(&e), Exit::Usage);
    assert!(render_api(&e).message.starts_with("timeouts: "));
}

/// The workspace hint comes from the input and its problem, not from the reason's text.
#[test]
fn missing_workspace_is_worded_by_type() {
    let e = ApiError::InvalidInput {
        what: dataarts_release::Input::Workspace,
        problem: dataarts_release::InputProblem::Missing,
        reason: "anything at all".into(),
    };
    assert_eq!(exit_for(&e), Exit::Usage);
    let r = render_api(&e);
    assert_eq!(r.message, "this command needs a workspace");
    assert!(r.hint.unwrap().contains("--workspace"));
    let e = ApiError::InvalidInput {
        what: dataarts_release::Input::Workspace,
        problem: dataarts_release::InputProblem::Malformed,
        reason: "this operation needs a workspace".into(),
    };
    assert_eq!(render_api(&e).hint, None);
}

/// A package in the wrong state: the service's refusal and the read-back state are the
/// same kind and exit code; the refusal is shown as the service worded it.
#[test]
fn wrong_state_refusal_is_package_state_and_keeps_its_wording() {
    let refused = ApiError::from(
        ServiceError::new(
            Operation::DeployFactoryPackages,
            400,
            "EMU.0003",
            "package 23 is not awaiting review",
        )
        .with_request_id("r1"),
    );
    assert!(refused.is_package_state());
    assert_eq!(exit_for(&refused), Exit::Refused);
    let r = render_api(&refused);
    assert_eq!(r.code.as_deref(), Some("EMU.0003"));
    assert_eq!(r.message, "package 23 is not awaiting review");
    assert_eq!(r.request_id.as_deref(), Some("r1"));
    assert_eq!(r.hint, None);
}

#[test]
fn auth_hints_by_status() {
    let e = ApiError::from(service(403, "DLF.6888"));
    assert!(e.is_auth());
    assert!(render_api(&e).hint.unwrap().contains("IAM permissions"));
    let e = ApiError::from(service(401, "APIGW.0301"));
    assert!(render_api(&e).hint.unwrap().contains("clock"));
}

#[test]
fn local_failures_are_usage_errors() {
    let e = ApiError::Local {
        operation: Operation::ShowFactoryPackageDetail,
        problem: dataarts_release::LocalProblem::StreamingBody,
    };
    assert_eq!(exit_for(&e), Exit::Usage);
    assert!(render_api(&e).message.contains("nothing was sent"));
}

fn credentials_error(provider: CredentialSource, problem: CredentialProblem) -> ApiError {
    ApiError::Credentials {
        provider,
        problem,
        message: "the source said no; set HUAWEICLOUD_SDK_IDP_ID".into(),
    }
}

/// Credentials that could not be had: 3, except a source that did not answer (5) and a file
/// that cannot be read (2); the hint names what configures the source, in the CLI's terms.
#[test]
fn credential_problems_are_3_or_5_with_a_hint_naming_the_source() {
    use dataarts_release::{CredentialProblem as P, CredentialSource as S};
    for (problem, exit) in [
        (P::Unreachable, Exit::Network),
        (P::Refused, Exit::Auth),
        (P::Malformed, Exit::Auth),
        (P::Unreadable, Exit::Usage),
        (P::Expired, Exit::Auth),
        (P::NotConfigured, Exit::Auth),
    ] {
        let e = credentials_error(S::IdpFederation, problem);
        assert_eq!(exit_for(&e), exit, "{problem:?}");
        let r = render_api(&e);
        if problem == P::NotConfigured {
            assert!(r.message.starts_with("no credentials found"), "{r:?}");
        } else {
            assert!(r.message.contains("identity-provider federation"), "{r:?}");
        }
        assert!(r.hint.is_some(), "{problem:?}");
        // Also when a deploy released some packages before the refresh failed.
        let partial = ApiError::PartialRelease {
            released: vec!["12".into()],
            source: Box::new(e),
        };
        assert_eq!(exit_for(&partial), exit, "{problem:?}");
    }
    let r = render_api(&credentials_error(S::IdpFederation, P::Refused));
    assert!(r.hint.unwrap().contains("HUAWEICLOUD_SDK_ID_TOKEN_FILE"));
    let r = render_api(&credentials_error(S::OidcFederation, P::Unreachable));
    assert!(r.hint.unwrap().contains("HUAWEICLOUD_SDK_STS_ENDPOINT"));
    let r = render_api(&credentials_error(S::EcsMetadata, P::NotConfigured));
    assert!(r.hint.unwrap().contains("--token-file"));
}

/// The exit table of `--help` lists exactly the codes of [`Exit`], each once.
#[test]
fn help_lists_every_exit_code_and_no_other() {
    // Exhaustive: a new variant does not compile until it is listed here and in `ALL`.
    let position = |e: Exit| match e {
        Exit::Success => 0,
        Exit::Refused => 1,
        Exit::Usage => 2,
        Exit::Auth => 3,
        Exit::WaitTimeout => 4,
        Exit::Network => 5,
        Exit::Local => 6,
        Exit::Interrupted => 7,
        Exit::Terminated => 8,
    };
    for (i, e) in Exit::ALL.iter().enumerate() {
        assert_eq!(position(*e), i, "{e:?}");
    }
    let table = crate::cli::EXIT_CODES
        .split("\n\n")
        .next()
        .expect("the exit table comes first");
    // A code line is indented and starts with the number; continuation lines do not.
    let listed: Vec<u8> = table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(listed, codes, "{table}");
}
