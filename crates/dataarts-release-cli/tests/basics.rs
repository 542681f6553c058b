//! Help, version, completions and the failures that need no emulator: the binary alone.

mod common;

use common::*;

// ---------------------------------------------------------------------------------------
// Help, version, completions

#[test]
fn version() {
    let o = cli(&["--version"]).run();
    assert_eq!(code(&o), 0);
    snap("version", &o);
}

#[test]
fn help() {
    let o = cli(&["--help"]).run();
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Exit codes:"));
    snap("help", &o);
}

#[test]
fn deploy_help() {
    let o = cli(&["deploy", "--help"]).run();
    assert_eq!(code(&o), 0);
    snap("deploy_help", &o);
}

#[cfg(feature = "emulator")]
#[test]
fn emulator_help() {
    let o = cli(&["emulator", "--help"]).run();
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("--port"));
    snap("emulator_help", &o);
}

#[test]
fn completions_bash() {
    let o = cli(&["completions", "bash"]).run();
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.contains("complete -F _dataarts__release"), "{out}");
    assert!(out.contains("deploy"));
    assert!(out.contains("--ids-from"));
    assert!(stderr(&o).is_empty());
}

// ---------------------------------------------------------------------------------------
// Usage and configuration errors

#[test]
fn unknown_flag_exits_2() {
    let o = cli(&["deploy", "23", "--frobnicate"]).run();
    assert_eq!(code(&o), 2);
    snap("unknown_flag", &o);
}

/// Nothing configured: the ECS metadata service is the last resort (here a closed port, as
/// off ECS); it gives nothing, so exit 3 with what can be set.
#[test]
fn missing_credentials_says_what_to_set() {
    let o = cli(&["--region", "cn-north-4", "packages", "list"]).run();
    assert_eq!(code(&o), 3);
    let err = stderr(&o);
    assert!(err.contains("HUAWEICLOUD_SDK_AK"), "{err}");
    assert!(err.contains("HUAWEICLOUD_SDK_SK"), "{err}");
    snap_with(
        "missing_credentials",
        &o,
        &[(
            r"/[^ ]*/\.huaweicloud/credentials",
            "[HOME]/.huaweicloud/credentials",
        )],
    );
}

#[test]
fn connection_refused_exits_5() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    let o = cli(&["--endpoint", &endpoint, "packages", "show", "23"])
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .run();
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    snap("connection_refused", &o);
}
