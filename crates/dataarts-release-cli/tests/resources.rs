//! `packages`, `pending` and `tasks` end to end.
#![cfg(feature = "emulator")]

mod common;

use common::*;

// ---------------------------------------------------------------------------------------
// packages

#[test]
fn packages_list() {
    let o = cli(&["--emulator", "packages", "list"]).run();
    assert_eq!(code(&o), 0);
    snap("packages_list", &o);
}

#[test]
fn packages_list_status_and_limit() {
    let o = cli(&[
        "--emulator",
        "packages",
        "list",
        "--status",
        "pending",
        "--limit",
        "2",
    ])
    .run();
    assert_eq!(code(&o), 0);
    snap("packages_list_limit", &o);
}

#[test]
fn packages_list_all_json() {
    let emu = TestEmu::start(TaskTiming::Manual, 25);
    let o = cli(&[
        "--output", "json", "packages", "list", "--all", "--limit", "10",
    ])
    .against(&emu)
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["all"], true);
    assert_eq!(v["packages"].as_array().unwrap().len(), 28);
    assert_eq!(v["total"], 28);
    let first = &v["packages"][0];
    for key in [
        "id",
        "name",
        "status",
        "status_code",
        "revoked",
        "approvers",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }

    let o = cli(&[
        "--output",
        "json",
        "packages",
        "list",
        "--status",
        "failed,succeeded",
    ])
    .against(&emu)
    .run();
    assert_eq!(code(&o), 0);
    assert_eq!(json(&o)["packages"].as_array().unwrap().len(), 0);
}

#[test]
fn packages_show() {
    let o = cli(&["--emulator", "packages", "show", "12"]).run();
    assert_eq!(code(&o), 0);
    snap("packages_show", &o);

    let o = cli(&["--emulator", "--output", "json", "packages", "show", "12"]).run();
    let v = json(&o);
    assert_eq!(v["package"]["id"], "12");
    assert_eq!(v["package"]["status"], "awaiting_review");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
}

#[test]
fn packages_show_missing_exits_1() {
    let o = cli(&["--emulator", "packages", "show", "99999"]).run();
    assert_eq!(code(&o), 1);
    snap("packages_show_missing", &o);

    let o = cli(&[
        "--emulator",
        "--output",
        "json",
        "packages",
        "show",
        "99999",
    ])
    .run();
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["command"], "packages show");
    assert_eq!(v["error"]["code"], "DLF.0810");
    assert_eq!(v["error"]["exit_code"], 1);
    assert_eq!(v["error"]["request_id"].as_str().unwrap().len(), 32);
}

#[test]
fn packages_cancel() {
    let o = cli(&["--emulator", "packages", "cancel", "12", "13"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("packages_cancel", &o);

    let o = cli(&["--emulator", "--output", "json", "packages", "cancel", "23"]).run();
    assert_eq!(json(&o)["cancelled"], serde_json::json!(["23"]));
}

#[test]
fn packages_cancel_101_ids_exits_2_and_sends_nothing() {
    let emu = TestEmu::start(TaskTiming::Manual, 150);
    let ids: Vec<String> = (1000..1101).map(|n| n.to_string()).collect();
    let mut args = vec!["packages", "cancel"];
    args.extend(ids.iter().map(String::as_str));
    let o = cli(&args).against(&emu).run();
    assert_eq!(code(&o), 2);
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
    snap("packages_cancel_101", &o);
}

// ---------------------------------------------------------------------------------------
// pending

#[test]
fn pending_list() {
    let o = cli(&["--emulator", "pending", "list"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("pending_list", &o);

    let o = cli(&["--emulator", "--output", "json", "pending", "list", "--all"]).run();
    let v = json(&o);
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    assert_eq!(v["items"][4]["packaged"], false);
}

#[test]
fn pending_package() {
    let args = [
        "pending",
        "package",
        "--name",
        "job_batch_release",
        "--applicant",
        "f8ccc2ff3c7748e8a7bfede38ae1cffa",
        "--approver",
        "0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7",
        "26",
    ];
    let mut a = vec!["--emulator"];
    a.extend(args);
    let o = cli(&a).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("pending_package", &o);

    let mut a = vec!["--emulator", "--output", "json"];
    a.extend(args);
    let v = json(&cli(&a).run());
    assert_eq!(v["package_id"], "27");
    assert_eq!(v["items"], serde_json::json!(["26"]));
}

// ---------------------------------------------------------------------------------------
// tasks

const DOC_TASK: &str = "008aae2e675d3bcb01675d40ab3f0005";

#[test]
fn tasks_show() {
    let o = cli(&["--emulator", "tasks", "show", DOC_TASK]).run();
    assert_eq!(code(&o), 0);
    snap("tasks_show", &o);

    let v = json(&cli(&["--emulator", "--output", "json", "tasks", "show", DOC_TASK]).run());
    assert_eq!(v["task"]["status"], "SUCCESSFUL");
    assert_eq!(v["task"]["subtasks_total"], 1);
}

#[test]
fn tasks_wait() {
    let o = cli(&["--emulator", "tasks", "wait", DOC_TASK]).run();
    assert_eq!(code(&o), 0);
    snap("tasks_wait", &o);
}

#[test]
fn tasks_wait_timeout_exits_4() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let v = json(
        &cli(&["--output", "json", "deploy", "23"])
            .against(&emu)
            .run(),
    );
    let task = v["packages"][0]["task_id"].as_str().unwrap().to_string();
    let o = cli(&["tasks", "wait", &task, "--timeout", "1s"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 4);
    snap("tasks_wait_timeout", &o);
}
