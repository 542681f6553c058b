//! Exit codes 2, 3 and 5 and bad input, end to end: nothing is sent when input is bad.
#![cfg(feature = "emulator")]

mod common;

use common::*;

// ---------------------------------------------------------------------------------------
// Exit codes 2, 3, 5 and bad input

#[test]
fn no_ids_exits_2() {
    let o = cli(&["--emulator", "deploy"]).run();
    assert_eq!(code(&o), 2);
    snap("deploy_no_ids", &o);
}

#[test]
fn id_with_slash_exits_2() {
    let o = cli(&["--emulator", "packages", "show", "12/../13"]).run();
    assert_eq!(code(&o), 2);
    snap("id_with_slash", &o);

    let emu = TestEmu::fast();
    let o = cli(&["deploy", "23", "a/b"]).against(&emu).run();
    assert_eq!(code(&o), 2);
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
}

#[test]
fn workspace_with_newline_exits_2() {
    let emu = TestEmu::fast();
    let o = cli(&["packages", "list"])
        .against(&emu)
        .env(
            "DATAARTS_WORKSPACE",
            "d1cd7861478748a6925bc02f47c69279\nX-Evil: 1",
        )
        .run();
    assert_eq!(code(&o), 2);
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
    snap("workspace_newline", &o);
}

#[test]
fn wrong_credentials_exits_3() {
    let emu = TestEmu::fast();
    let o = cli(&["packages", "list"])
        .against(&emu)
        .env("HUAWEICLOUD_SDK_SK", "not-the-right-secret")
        .run();
    assert_eq!(code(&o), 3);
    assert!(!stderr(&o).contains("not-the-right-secret"));
    snap("wrong_credentials", &o);
}

#[test]
fn verbose_logs_never_show_the_secret() {
    let emu = TestEmu::fast();
    let o = cli(&["-vvv", "deploy", "23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.is_empty(), "-vvv logs something");
    assert!(!err.contains(TEST_SK));
    assert!(!stdout(&o).contains(TEST_SK));
}

#[test]
fn token_file_is_used() {
    let emu = TestEmu::fast();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("token");
    std::fs::write(&f, "wrong-token\n").unwrap();
    let o = cli(&[
        "--endpoint",
        &emu.url(),
        "--project-id",
        DEMO_PROJECT_ID,
        "--token-file",
        f.to_str().unwrap(),
        "packages",
        "list",
    ])
    .run();
    // The emulator only knows the test AK/SK: the token is sent and rejected.
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(!stderr(&o).contains("wrong-token"));
}

#[test]
fn pending_without_workspace_says_what_to_set() {
    let emu = TestEmu::fast();
    let o = cli(&["pending", "list"]).against(&emu).run();
    assert_eq!(code(&o), 2);
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
    snap("pending_no_workspace", &o);
}
