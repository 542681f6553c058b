//! The JSON contract of `packages`, `pending`, `tasks` and `schema`, end to end: every
//! document the real binary prints with `--output json` against the emulator, successes and
//! failures, matches the schema the same binary prints with `dataarts-release schema`.
#![cfg(feature = "emulator")]

mod common;
mod contract;

use common::*;
use contract::{document, failure};

/// A task of the demo data that ended SUCCESSFUL.
const DOC_TASK: &str = "008aae2e675d3bcb01675d40ab3f0005";

fn run_json(emu: &TestEmu, args: &[&str]) -> std::process::Output {
    let mut a = vec!["--output", "json"];
    a.extend(args);
    cli(&a).against(emu).run()
}

fn unreachable(args: &[&str]) -> std::process::Output {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut a = vec!["--output", "json"];
    a.extend(args);
    cli(&a)
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_WORKSPACE", "d1cd7861478748a6925bc02f47c69279")
        .env("DATAARTS_ENDPOINT", &format!("http://127.0.0.1:{port}"))
        .run()
}

#[test]
fn packages_list() {
    let emu = TestEmu::start(TaskTiming::Manual, 25);
    let o = run_json(&emu, &["packages", "list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("packages list", &o);
    assert_eq!(v["all"], false);
    assert!(!v["packages"].as_array().unwrap().is_empty());

    let o = run_json(&emu, &["packages", "list", "--all", "--limit", "7"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("packages list", &o);
    assert_eq!(v["packages"].as_array().unwrap().len() as u64, v["total"]);

    let o = run_json(&emu, &["packages", "list", "--keyword", "no such package"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("packages list", &o);
    assert_eq!(v["packages"].as_array().unwrap().len(), 0);

    let o = cli(&["--output", "json", "packages", "list"])
        .against(&emu)
        .env("HUAWEICLOUD_SDK_SK", "not-the-right-secret")
        .run();
    failure("packages list", &o, 3);

    failure("packages list", &unreachable(&["packages", "list"]), 5);
}

#[test]
fn packages_show() {
    let emu = TestEmu::fast();
    let o = run_json(&emu, &["packages", "show", "12"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("packages show", &o);
    assert_eq!(v["package"]["id"], "12");
    assert!(!v["items"].as_array().unwrap().is_empty());

    // Released: the deployer and the release time are filled in.
    let o = run_json(&emu, &["deploy", "23", "--wait"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document(
        "packages show",
        &run_json(&emu, &["packages", "show", "23"]),
    );
    assert_eq!(v["package"]["status"], "released");

    let v = failure(
        "packages show",
        &run_json(&emu, &["packages", "show", "99999"]),
        1,
    );
    assert!(v["error"]["code"].is_string(), "the service's code: {v}");
    failure(
        "packages show",
        &run_json(&emu, &["packages", "show", "12/../13"]),
        2,
    );
    failure(
        "packages show",
        &unreachable(&["packages", "show", "12"]),
        5,
    );
}

#[test]
fn packages_cancel() {
    let emu = TestEmu::fast();
    let o = run_json(&emu, &["packages", "cancel", "13"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("packages cancel", &o);
    assert_eq!(v["cancelled"], serde_json::json!(["13"]));

    // Revoking it again: the service refuses.
    failure(
        "packages cancel",
        &run_json(&emu, &["packages", "cancel", "13"]),
        1,
    );

    let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let mut args = vec!["packages", "cancel"];
    args.extend(many.iter().map(String::as_str));
    failure("packages cancel", &run_json(&emu, &args), 2);
}

#[test]
fn pending_list_and_package() {
    let emu = TestEmu::fast();
    let with_workspace = |args: &[&str]| {
        let mut a = vec![
            "--output",
            "json",
            "--workspace",
            "d1cd7861478748a6925bc02f47c69279",
        ];
        a.extend(args);
        cli(&a).against(&emu).run()
    };
    // No workspace: nothing is sent.
    failure("pending list", &run_json(&emu, &["pending", "list"]), 2);
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );

    let o = with_workspace(&["pending", "list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    document("pending list", &o);

    let o = with_workspace(&["pending", "list", "--all"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("pending list", &o);
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(ids.contains(&"26"), "{ids:?}");

    let package = |items: &[&str]| {
        let mut a = vec![
            "pending",
            "package",
            "--name",
            "job_batch_release",
            "--applicant",
            "f8ccc2ff3c7748e8a7bfede38ae1cffa",
            "--approver",
            "0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7",
        ];
        a.extend(items);
        with_workspace(&a)
    };
    let o = package(&["26"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("pending package", &o);
    assert_eq!(v["items"], serde_json::json!(["26"]));

    let o = package(&["99999"]);
    failure("pending package", &o, 1);
    failure(
        "pending package",
        &unreachable(&[
            "pending",
            "package",
            "--name",
            "n",
            "--applicant",
            "a",
            "--approver",
            "b",
            "26",
        ]),
        5,
    );
}

#[test]
fn tasks_show_and_wait() {
    let emu = TestEmu::fast();
    let o = run_json(&emu, &["tasks", "show", DOC_TASK]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = document("tasks show", &o);
    assert_eq!(v["task"]["status"], "SUCCESSFUL");
    failure(
        "tasks show",
        &run_json(&emu, &["tasks", "show", "ffffffffffffffffffffffffffffffff"]),
        1,
    );

    let o = run_json(&emu, &["tasks", "wait", DOC_TASK]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    document("tasks wait", &o);

    // A task that ends FAILED: its document, and exit 1.
    emu.emu().fail_release_of("23");
    let v = document("deploy", &run_json(&emu, &["deploy", "23"]));
    let task = v["packages"][0]["task_id"].as_str().unwrap().to_string();
    let o = run_json(&emu, &["tasks", "wait", &task]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = document("tasks wait", &o);
    assert_eq!(v["task"]["status"], "FAILED");
    failure("tasks wait", &unreachable(&["tasks", "wait", DOC_TASK]), 5);
}

#[test]
fn a_task_wait_that_times_out_exits_4() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let v = document("deploy", &run_json(&emu, &["deploy", "23"]));
    let task = v["packages"][0]["task_id"].as_str().unwrap().to_string();
    let o = run_json(&emu, &["tasks", "wait", &task, "--timeout", "1s"]);
    failure("tasks wait", &o, 4);
}

#[test]
fn schema_index() {
    let o = cli(&["--output", "json", "schema"]).run();
    assert_eq!(code(&o), 0);
    document("schema", &o);
    failure(
        "schema",
        &cli(&["--output", "json", "schema", "nothing"]).run(),
        2,
    );
}
