//! The JSON contract of `deploy`, end to end: every document the real binary prints with
//! `--output json` against the emulator, successes and failures, matches the schema the same
//! binary prints with `dataarts-release schema deploy`.
#![cfg(feature = "emulator")]

mod common;
mod contract;

use common::*;
use contract::{document, failure};

/// `deploy --output json` with these arguments.
fn deploy(args: &[&str]) -> Cli {
    let mut a = vec!["--output", "json", "deploy"];
    a.extend(args);
    cli(&a)
}

/// The deploy document's own promise: `ok` exactly when the exit code is 0.
fn ok_agrees_with_exit(v: &Value, o: &std::process::Output) {
    assert_eq!(v["ok"] == true, code(o) == 0, "{}", stdout(o));
}

/// The deploy document, checked against its schema, whose counts add up: one entry per id,
/// and every entry counted once.
fn deploy_doc(o: &std::process::Output) -> Value {
    let v = document("deploy", o);
    let n = v["packages"].as_array().map(Vec::len).unwrap_or_default() as u64;
    assert_eq!(v["summary"]["requested"], n, "{v:#}");
    let counted: u64 = v["summary"]
        .as_object()
        .expect("summary")
        .iter()
        .filter(|(k, _)| *k != "requested")
        .filter_map(|(_, c)| c.as_u64())
        .sum();
    assert_eq!(counted, n, "every package counted once: {v:#}");
    v
}

fn results(v: &Value) -> Vec<&str> {
    v["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| p["result"].as_str().expect("result"))
        .collect()
}

#[test]
fn released_with_and_without_wait() {
    let emu = TestEmu::fast();
    let o = deploy(&["23"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(results(&v), ["releasing"]);

    let o = deploy(&["12", "13", "--wait", "--no-start"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(results(&v), ["released", "released"]);
    assert_eq!(v["start_jobs"], false);
    ok_agrees_with_exit(&v, &o);
}

#[test]
fn refused_and_rerun() {
    // An id that does not exist.
    let o = cli(&["--emulator", "--output", "json", "deploy", "99999"]).run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(results(&v), ["refused"]);
    assert_eq!(v["packages"][0]["reason"], "not_found");
    assert!(v["packages"][0]["error"]["message"].is_string());

    // A package released once, deployed again next to others: each id has its own result.
    let emu = TestEmu::fast();
    let o = deploy(&["23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = deploy(&["12", "23"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(results(&v), ["releasing", "already_released"]);
    let o = deploy(&["13", "23", "999"]).against(&emu).run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(results(&v), ["releasing", "already_released", "refused"]);
    assert_eq!(v["packages"][2]["reason"], "not_found");
    ok_agrees_with_exit(&v, &o);
    for id in ["12", "13", "23"] {
        assert_eq!(emu.emu().release_count(id), 1, "{id} released once");
    }
}

#[test]
fn a_failed_release() {
    let emu = TestEmu::fast();
    emu.emu().fail_release_of("23");
    let o = deploy(&["12", "23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(results(&v), ["released", "failed"]);
    assert!(v["packages"][1]["task_id"].is_string());
}

#[test]
fn a_wait_that_times_out_exits_4() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let o = deploy(&["23", "--wait", "--timeout", "1s"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(v["error"]["exit_code"], 4);
    assert_eq!(results(&v), ["releasing"]);
}

#[test]
fn invalid_input_exits_2_with_the_error_document() {
    let emu = TestEmu::fast();
    let o = deploy(&["23", "a/b"]).against(&emu).run();
    failure("deploy", &o, 2);
    let o = deploy(&[]).against(&emu).run();
    failure("deploy", &o, 2);
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
}

#[test]
fn an_argument_the_parser_rejects_prints_no_document() {
    // clap stops before any command runs: usage on stderr, nothing on stdout.
    let o = deploy(&["23", "--no-such-flag"]).run();
    assert_eq!(code(&o), 2);
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("--no-such-flag"), "{}", stderr(&o));
}

#[test]
fn wrong_credentials_exit_3() {
    let emu = TestEmu::fast();
    let o = deploy(&["23"])
        .against(&emu)
        .env("HUAWEICLOUD_SDK_SK", "not-the-right-secret")
        .run();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v = contract_any("deploy", &o);
    assert!(!stdout(&o).contains("not-the-right-secret"));
    assert_eq!(find_exit_code(&v), Some(3), "{v}");
}

#[test]
fn an_unreachable_service_exits_5() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let o = deploy(&["23"])
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_ENDPOINT", &format!("http://127.0.0.1:{port}"))
        .run();
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    let v = contract_any("deploy", &o);
    assert_eq!(find_exit_code(&v), Some(5), "{v}");
}

/// A deploy that fails on every id may print the deploy document (each id with its error)
/// or the error document; either must match the schema.
fn contract_any(command: &str, o: &std::process::Output) -> Value {
    let v = json(o);
    if v.get("packages").is_some() {
        let v = deploy_doc(o);
        ok_agrees_with_exit(&v, o);
        v
    } else {
        failure(command, o, code(o))
    }
}

/// The exit code the document states: the error document's, or the first package error's.
fn find_exit_code(v: &Value) -> Option<i64> {
    v["error"]["exit_code"].as_i64().or_else(|| {
        v["packages"]
            .as_array()?
            .iter()
            .find_map(|p| p["error"]["exit_code"].as_i64())
    })
}

#[test]
fn rerun_dry_run_all_or_nothing_and_strict() {
    let emu = TestEmu::fast();
    let o = deploy(&["23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // Already released: reaches the goal, unless --strict.
    let o = deploy(&["23"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(results(&v), ["already_released"]);
    let o = deploy(&["23", "--strict"]).against(&emu).run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(v["strict"], true);
    ok_agrees_with_exit(&v, &o);

    // The plan: nothing is sent.
    let o = deploy(&["12", "23", "999", "--dry-run"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(v["dry_run"], true);
    assert_eq!(
        results(&v),
        ["would_release", "already_released", "would_refuse"]
    );
    assert_eq!(v["packages"][2]["reason"], "not_found");
    let o = deploy(&["12", "23", "--dry-run"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    ok_agrees_with_exit(&deploy_doc(&o), &o);

    // All or nothing: one id cannot be released, so nothing is sent.
    let o = deploy(&["12", "999", "--all-or-nothing"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(v["all_or_nothing"], true);
    assert_eq!(results(&v), ["not_sent", "refused"]);
    assert_eq!(v["packages"][0]["reason"], "awaiting_review");
    assert_eq!(emu.emu().release_count("12"), 0);
    assert_eq!(emu.emu().release_count("23"), 1, "never released twice");
}

#[cfg(unix)]
#[test]
fn an_interrupted_deploy_exits_130_with_its_document() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let home = tempfile::tempdir().unwrap();
    let child = Command::new(assert_cmd::cargo::cargo_bin("dataarts-release"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_ENDPOINT", emu.url())
        .args(["--output", "json", "deploy", "12", "--wait"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dataarts-release");
    // Interrupt once the release landed and the wait has polled at least once since.
    let give_up = Instant::now() + Duration::from_secs(30);
    while emu.emu().release_count("12") == 0 || emu.emu().journal().len() < 2 {
        assert!(Instant::now() < give_up, "the release never landed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let o = child.wait_with_output().expect("wait for dataarts-release");
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    let v = deploy_doc(&o);
    assert_eq!(v["interrupted"], "SIGINT");
    assert_eq!(results(&v), ["releasing"]);
}
