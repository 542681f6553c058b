//! `deploy` is safe to re-run: the scenarios of the issue, `--strict`, `--all-or-nothing`
//! and `--dry-run`, each with exact per-id results and exit codes, and a journal that shows
//! no package released twice.
#![cfg(feature = "emulator")]

mod common;

use common::*;

/// `(package_id, result, reason)` of every row of a JSON document.
fn results(v: &Value) -> Vec<(String, String, Option<String>)> {
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["package_id"].as_str().unwrap().to_string(),
                p["result"].as_str().unwrap().to_string(),
                p["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn row(id: &str, result: &str, reason: Option<&str>) -> (String, String, Option<String>) {
    (id.into(), result.into(), reason.map(str::to_string))
}

/// 23 released and finished, as after a first successful pipeline run.
fn with_23_released() -> TestEmu {
    let emu = TestEmu::fast();
    let o = cli(&["deploy", "23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    emu
}

#[test]
fn re_running_a_released_deploy_exits_0() {
    let emu = with_23_released();
    let o = cli(&["deploy", "23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("deploy_rerun_released", &o);
    let o = cli(&["--output", "json", "deploy", "23", "--wait"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["ok"], true);
    assert_eq!(
        results(&v),
        vec![row("23", "already_released", Some("already_released"))]
    );
    assert_eq!(v["summary"]["already_released"], 1);
    assert!(v["packages"][0]["error"].is_null());
    assert_eq!(emu.emu().release_count("23"), 1);
    assert_never_twice(&emu);
}

#[test]
fn strict_makes_an_already_released_package_an_error() {
    let emu = with_23_released();
    let o = cli(&["deploy", "23", "--strict"]).against(&emu).run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: package 23 was not released by this run: already_released"),
        "{err}"
    );
    assert!(err.contains("without --strict"), "{err}");
    let o = cli(&["--output", "json", "deploy", "12", "23", "--strict"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(v["strict"], true);
    assert_eq!(
        results(&v),
        vec![
            row("12", "releasing", None),
            row("23", "already_released", Some("already_released")),
        ]
    );
    assert_never_twice(&emu);
}

#[test]
fn a_released_id_does_not_hold_back_the_others_or_lend_them_its_reason() {
    let emu = with_23_released();
    let o = cli(&["--output", "json", "deploy", "12", "23"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        results(&v),
        vec![
            row("12", "releasing", None),
            row("23", "already_released", Some("already_released")),
        ]
    );
    assert!(v["packages"][0]["error"].is_null());
    assert_eq!(emu.emu().release_count("12"), 1);
    assert_never_twice(&emu);
}

#[test]
fn one_unknown_id_is_the_only_one_refused() {
    // The issue's `--emulator deploy 12 13 23 999`: only 999 does not exist.
    let o = cli(&["--emulator", "deploy", "12", "13", "23", "999"]).run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    snap("deploy_one_unknown_id", &o);
    let out = stdout(&o);
    assert_eq!(out.lines().filter(|l| l.contains("releasing")).count(), 3);
    assert!(
        stderr(&o).starts_with(
            "error: 1 of 4 packages not released: 999 (refused); released: 12, 13, 23"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn every_id_gets_its_own_reason() {
    let emu = with_23_released();
    let o = cli(&["--output", "json", "deploy", "12", "13", "23", "999"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        results(&v),
        vec![
            row("12", "releasing", None),
            row("13", "releasing", None),
            row("23", "already_released", Some("already_released")),
            row("999", "refused", Some("not_found")),
        ]
    );
    let e = &v["packages"][3]["error"];
    assert!(
        e["message"].as_str().unwrap().contains("package 999 "),
        "{e}"
    );
    assert_eq!(e["exit_code"], 1);
    assert_eq!(v["summary"]["refused"], 1);
    assert_eq!(v["summary"]["released"], 2);
    assert_never_twice(&emu);
}

#[test]
fn all_or_nothing_sends_nothing_when_one_id_cannot_be_released() {
    let emu = with_23_released();
    let before = deploys(&emu);
    let o = cli(&["deploy", "12", "13", "23", "999", "--all-or-nothing"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    snap("deploy_all_or_nothing", &o);
    assert_eq!(deploys(&emu), before, "no deploy request");
    let o = cli(&[
        "--output",
        "json",
        "deploy",
        "12",
        "13",
        "23",
        "999",
        "--all-or-nothing",
    ])
    .against(&emu)
    .run();
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(
        results(&v),
        vec![
            row("12", "not_sent", Some("awaiting_review")),
            row("13", "not_sent", Some("awaiting_review")),
            row("23", "already_released", Some("already_released")),
            row("999", "refused", Some("not_found")),
        ]
    );
    assert_eq!(v["requests"], 0);
    assert_eq!(v["summary"]["not_sent"], 2);
    assert_eq!(deploys(&emu), before);
    assert_eq!(emu.emu().release_count("12"), 0);

    // Without the unknown id everything can end released: only 12 and 13 are sent.
    let o = cli(&["deploy", "12", "13", "23", "--all-or-nothing"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(deploys(&emu), before + 1);
    assert_never_twice(&emu);
}

#[test]
fn dry_run_prints_the_plan_and_sends_nothing() {
    let emu = with_23_released();
    let before = deploys(&emu);
    let o = cli(&["deploy", "12", "13", "23", "999", "--dry-run"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    snap("deploy_dry_run", &o);
    let o = cli(&["--output", "json", "deploy", "12", "23", "999", "--dry-run"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["dry_run"], true);
    assert_eq!(
        results(&v),
        vec![
            row("12", "would_release", Some("awaiting_review")),
            row("23", "already_released", Some("already_released")),
            row("999", "would_refuse", Some("not_found")),
        ]
    );
    assert_eq!(v["summary"]["would_release"], 1);

    let o = cli(&["deploy", "12", "23", "--dry-run"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = cli(&["deploy", "12", "23", "--dry-run", "--strict"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(deploys(&emu), before, "a dry run sends no release");
    assert_eq!(emu.emu().release_count("12"), 0);

    let o = cli(&["deploy", "12", "--dry-run", "--wait"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 2, "--dry-run and --wait conflict");
}

#[test]
fn a_request_that_never_reached_the_service_is_not_sent_with_exit_5() {
    // A loopback port nobody listens on: the connection is refused, nothing is sent.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let o = cli(&["--output", "json", "deploy", "12", "13"])
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_ENDPOINT", &format!("http://127.0.0.1:{port}"))
        .run();
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        results(&v),
        [
            ("12".to_string(), "not_sent".to_string(), None),
            ("13".to_string(), "not_sent".to_string(), None),
        ]
    );
    assert_eq!(v["summary"]["not_sent"], 2);
    assert_eq!(v["summary"]["refused"], 0);
    assert!(v["packages"][0]["error"]["message"].is_string(), "{v:#}");
    // The remedy of the cause, not the generic "see the table" hint.
    let err = stderr(&o);
    assert!(err.contains("could not connect"), "{err}");
}
