//! Errors are typed: kinds and predicates on errors built without a server, configuration
//! errors that name their setting and origin, input errors that name the input. (Local
//! failures, which the public API's validation keeps from happening, are tested inside the
//! crate, in `client/tests.rs`.)

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::*;
use dataarts_emulator::DEMO_PROJECT_ID;
use dataarts_release::{
    ClientBuilder, ConfigProblem, Credentials, EnvSource, Error, ErrorKind, Input, InputProblem,
    Operation, Origin, ServiceError, Setting,
};

fn refused(operation: Operation, status: u16, code: &str) -> Error {
    Error::from(ServiceError::new(operation, status, code, "message").with_request_id("rid"))
}

#[test]
fn service_errors_built_without_a_server_are_classified() {
    let show = Operation::ShowFactoryPackageDetail;
    let cases = [
        (refused(show, 401, "APIGW.0301"), ErrorKind::Auth),
        (refused(show, 403, "DLF.6888"), ErrorKind::Auth),
        (refused(show, 400, "APIGW.0301"), ErrorKind::Auth),
        (refused(show, 400, "DLF.0810"), ErrorKind::NotFound),
        (
            refused(Operation::ListSystemTasks, 400, "DLF.20810"),
            ErrorKind::NotFound,
        ),
        (refused(show, 429, "APIGW.0308"), ErrorKind::Throttled),
        (refused(show, 400, "APIGW.0308"), ErrorKind::Throttled),
        (refused(show, 503, "503"), ErrorKind::Service),
        (refused(show, 400, "DLF.0802"), ErrorKind::Service),
        (
            refused(Operation::DeployFactoryPackages, 400, "EMU.0003"),
            ErrorKind::PackageState,
        ),
    ];
    for (e, kind) in &cases {
        assert_eq!(e.kind(), *kind, "{e}");
        assert_eq!(e.is_auth(), *kind == ErrorKind::Auth, "{e}");
        assert_eq!(e.is_not_found(), *kind == ErrorKind::NotFound, "{e}");
        assert_eq!(e.is_throttled(), *kind == ErrorKind::Throttled, "{e}");
        assert_eq!(
            e.is_package_state(),
            *kind == ErrorKind::PackageState,
            "{e}"
        );
        assert!(
            !e.is_config() && !e.is_invalid_input() && !e.is_timeout(),
            "{e}"
        );
        assert_eq!(e.request_id(), Some("rid"));
        assert!(e.operation().is_some());
    }
    assert!(refused(show, 503, "503").is_retryable());
    assert!(refused(show, 429, "APIGW.0308").is_retryable());
    assert!(!refused(show, 401, "APIGW.0301").is_retryable());
    assert_eq!(refused(show, 400, "DLF.0810").code(), Some("DLF.0810"));
    assert_eq!(refused(show, 400, "DLF.0810").status(), Some(400));
}

/// A package in the wrong state is one kind whether the service refused it or reading it
/// back showed it; a partial release has the kind of its cause.
#[test]
fn package_state_is_one_kind() {
    let found = Error::PackageState {
        package_id: "23".into(),
        status: dataarts_release::DeployStatus::Succeeded,
        deleted: false,
        state: "released".into(),
    };
    let refused = refused(Operation::DeployFactoryPackages, 400, "EMU.0003");
    assert_eq!(found.kind(), refused.kind());
    assert!(found.is_package_state() && refused.is_package_state());
    let partial = Error::PartialRelease {
        released: vec!["12".into()],
        source: Box::new(refused),
    };
    assert_eq!(partial.kind(), ErrorKind::PackageState);
    assert_eq!(partial.operation(), Some(Operation::DeployFactoryPackages));
}

#[test]
fn timeouts_and_transport_failures_name_their_operation() {
    let e = Error::Timeout {
        operation: Operation::CancelFactoryPackages,
        after: Some(Duration::from_secs(30)),
    };
    assert!(e.is_timeout() && e.is_retryable() && e.is_ambiguous());
    assert_eq!(e.operation(), Some(Operation::CancelFactoryPackages));
    assert!(e
        .to_string()
        .starts_with("cancel_factory_packages timed out after 30s"));
    assert!(e.to_string().contains("may or may not have been applied"));
    let e = Error::Timeout {
        operation: Operation::ListSystemTasks,
        after: None,
    };
    assert!(!e.to_string().contains("may or may not"));
}

#[test]
fn config_errors_name_setting_origin_and_problem() {
    let e = ClientBuilder::new().build().unwrap_err();
    assert!(e.is_config() && e.is_invalid_input());
    assert_eq!(
        (e.setting(), e.origin(), e.config_problem()),
        (
            Some(Setting::Credentials),
            Some(&Origin::Unset),
            Some(ConfigProblem::Missing)
        )
    );
    assert!(e
        .to_string()
        .starts_with("configuration error in credentials: "));

    let e = ClientBuilder::new()
        .credentials(Credentials::token("t"))
        .project_id(DEMO_PROJECT_ID)
        .region("CN NORTH")
        .build()
        .unwrap_err();
    assert_eq!(e.setting(), Some(Setting::Region));
    assert_eq!(e.origin(), Some(&Origin::Builder));
    assert_eq!(e.config_problem(), Some(ConfigProblem::Invalid));
    assert!(e.to_string().contains("ClientBuilder::region"), "{e}");

    let env = |pairs: &[(&str, &str)]| EnvSource::from_map(pairs.iter().copied());
    let e = ClientBuilder::from_env_source(&env(&[("HUAWEICLOUD_SDK_SK", "SK")])).unwrap_err();
    assert_eq!(e.setting(), Some(Setting::Credentials));
    assert_eq!(
        e.origin(),
        Some(&Origin::Environment("HUAWEICLOUD_SDK_SK".into()))
    );
    assert_eq!(e.config_problem(), Some(ConfigProblem::Incomplete));

    let e = ClientBuilder::from_env_source(&env(&[
        ("DATAARTS_AUTH_TOKEN", "t"),
        ("HUAWEICLOUD_SDK_AK", "AK"),
        ("HUAWEICLOUD_SDK_SK", "SK"),
    ]))
    .unwrap_err();
    assert_eq!(e.config_problem(), Some(ConfigProblem::Conflict));

    let e = ClientBuilder::from_env_source(&env(&[(
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        "/nonexistent/credentials",
    )]))
    .unwrap_err();
    assert_eq!(e.setting(), Some(Setting::ProfileFile));
    assert_eq!(e.config_problem(), Some(ConfigProblem::Unreadable));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(&file, "[basic]\nak = AK\nsk = SK\nproject_id = a/b\n").unwrap();
    let e = dataarts_release::Client::from_env_source(&env(&[
        (
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            &file.display().to_string(),
        ),
        ("DATAARTS_REGION", "cn-north-4"),
    ]))
    .unwrap_err();
    assert_eq!(e.setting(), Some(Setting::ProjectId));
    assert_eq!(e.origin(), Some(&Origin::ProfileFile(PathBuf::from(&file))));
    assert_eq!(e.config_problem(), Some(ConfigProblem::Invalid));
}

#[tokio::test]
async fn input_errors_name_the_input_and_problem() {
    let emu = emulator().await;
    let c = client(&emu);
    let e = c.show_package("a/b").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        (e.input(), e.input_problem()),
        (Some(Input::PackageId), Some(InputProblem::Malformed))
    );
    assert_eq!(e.to_string(), "invalid package id: \"a/b\" contains \"/\", which would change the request path; ids never do");
    let e = c.cancel_packages(["1", "1"]).await.unwrap_err();
    assert_eq!(
        (e.input(), e.input_problem()),
        (Some(Input::PackageIds), Some(InputProblem::Duplicate))
    );
    let e = c
        .with_workspace(None::<String>)
        .pending_items()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (e.input(), e.input_problem()),
        (Some(Input::Workspace), Some(InputProblem::Missing))
    );
    assert!(
        emu.journal().is_empty() && emu.refused_auth().total == 0,
        "nothing may be sent"
    );
    emu.shutdown().await;
}
