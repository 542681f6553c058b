//! `deploy` end to end: against the in-process emulator (`--emulator`) or one started in
//! this test process.
#![cfg(feature = "emulator")]

mod common;

use common::*;

// ---------------------------------------------------------------------------------------
// deploy

#[test]
fn deploy_wait_releases_package_23() {
    // The README's quick start.
    let o = cli(&["--emulator", "deploy", "23", "--wait"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("deploy_wait", &o);
}

#[test]
fn deploy_without_wait() {
    let o = cli(&["--emulator", "deploy", "23"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("deploy", &o);
}

#[test]
fn deploy_no_start_json() {
    let o = cli(&[
        "--emulator",
        "--output",
        "json",
        "deploy",
        "12",
        "13",
        "--no-start",
    ])
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["ok"], true);
    assert_eq!(v["waited"], false);
    assert_eq!(v["start_jobs"], false);
    assert_eq!(v["requests"], 1);
    assert_eq!(v["summary"]["requested"], 2);
    assert_eq!(v["summary"]["released"], 2);
    let p = v["packages"].as_array().unwrap();
    assert_eq!(p[0]["package_id"], "12");
    assert_eq!(p[0]["result"], "releasing");
    assert_eq!(p[0]["subtasks_total"], 2);
    assert_eq!(p[1]["package_id"], "13");
    assert_eq!(p[1]["task_id"].as_str().unwrap().len(), 32);
    assert!(p[1]["error"].is_null());
    assert!(v["error"].is_null());
    snap("deploy_no_start_json", &o);
}

#[test]
fn deploy_wait_json() {
    let o = cli(&[
        "--emulator",
        "--output",
        "json",
        "deploy",
        "12",
        "23",
        "--wait",
    ])
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["ok"], true);
    assert_eq!(v["waited"], true);
    for p in v["packages"].as_array().unwrap() {
        assert_eq!(p["result"], "released");
        assert_eq!(p["subtasks_completed"], p["subtasks_total"]);
    }
    assert!(stderr(&o).is_empty(), "no progress bar without a terminal");
}

#[test]
fn deploy_quiet_prints_nothing() {
    let o = cli(&["--emulator", "-q", "deploy", "23", "--wait"]).run();
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).is_empty());
}

#[test]
fn deploy_ids_from_file_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ids.txt");
    std::fs::write(&f, "# packages\n12\n\n 13 \n").unwrap();
    let o = cli(&[
        "--emulator",
        "--output",
        "json",
        "deploy",
        "23",
        "--ids-from",
        f.to_str().unwrap(),
    ])
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let ids: Vec<String> = json(&o)["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["package_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["23", "12", "13"]);

    let o = cli(&[
        "--emulator",
        "--output",
        "json",
        "deploy",
        "--ids-from",
        "-",
    ])
    .stdin("23\n")
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["packages"][0]["package_id"], "23");
}

#[test]
fn deploy_101_ids_is_batched() {
    let emu = TestEmu::start(TaskTiming::Manual, 150);
    let ids: Vec<String> = (1000..1101).map(|n| n.to_string()).collect();
    let mut args = vec!["--output", "json", "deploy", "--no-start"];
    args.extend(ids.iter().map(String::as_str));
    let o = cli(&args).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["requests"], 2);
    assert_eq!(v["summary"]["released"], 101);
    let deploys = emu
        .emu()
        .journal()
        .iter()
        .filter(|e| e.operation == Some(dataarts_release::Operation::DeployFactoryPackages))
        .count();
    assert_eq!(deploys, 2);
}

#[test]
fn deploy_refused_package_exits_1() {
    let o = cli(&["--emulator", "deploy", "99999"]).run();
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).starts_with("error: DLF.0810 "));
    snap("deploy_refused", &o);
}

#[test]
fn deploy_release_failed_exits_1() {
    let emu = TestEmu::fast();
    emu.emu().fail_release_of("23");
    let o = cli(&["deploy", "23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 1);
    snap("deploy_failed", &o);
}

#[test]
fn deploy_partial_failure_names_every_id() {
    let emu = TestEmu::fast();
    emu.emu().fail_release_of("23");
    let o = cli(&["deploy", "12", "23", "--wait"]).against(&emu).run();
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("1 of 2 packages not released: 23 (failed); released: 12"),
        "{err}"
    );
    snap("deploy_partial_failure", &o);

    // The same as JSON, and the failed task can be inspected and waited for.
    emu.emu().reset();
    emu.emu().fail_release_of("23");
    let o = cli(&["--output", "json", "deploy", "12", "23", "--wait"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(v["summary"]["failed"], 1);
    assert_eq!(v["packages"][0]["result"], "released");
    assert_eq!(v["packages"][1]["result"], "failed");
    let task = v["packages"][1]["task_id"].as_str().unwrap().to_string();
    let o = cli(&["tasks", "wait", &task]).against(&emu).run();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    snap("tasks_wait_failed", &o);
}

#[test]
fn deploy_wait_timeout_exits_4() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let o = cli(&["deploy", "23", "--wait", "--timeout", "1s"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    snap("deploy_wait_timeout", &o);

    let o = cli(&[
        "--output",
        "json",
        "deploy",
        "13",
        "--wait",
        "--timeout",
        "1s",
    ])
    .against(&emu)
    .run();
    assert_eq!(code(&o), 4);
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(v["packages"][0]["result"], "releasing");
    assert_eq!(v["error"]["exit_code"], 4);
}

#[test]
fn deploy_wait_timeout_still_reports_the_packages_that_finished() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let o = std::thread::scope(|s| {
        s.spawn(|| {
            // As soon as the release has landed, finish one subtask of every task: package
            // 23 (one item) ends, package 12 (two items) keeps running past the timeout.
            let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while !emu.emu().journal().iter().any(|e| {
                e.operation == Some(dataarts_release::Operation::DeployFactoryPackages) && e.applied
            }) {
                if std::time::Instant::now() > give_up {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            emu.emu().advance_tasks();
        });
        cli(&[
            "--output",
            "json",
            "deploy",
            "12",
            "23",
            "--wait",
            "--timeout",
            "3s",
        ])
        .against(&emu)
        .run()
    });
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let v = json(&o);
    let package = |id: &str| {
        v["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["package_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(package("23")["result"], "released", "{v:#}");
    assert_eq!(package("23")["subtasks_completed"], 1, "{v:#}");
    assert_eq!(package("12")["result"], "releasing", "{v:#}");
    assert_eq!(package("12")["subtasks_completed"], 1, "{v:#}");
    assert_eq!(package("12")["subtasks_total"], 2, "{v:#}");
    assert_eq!(v["error"]["exit_code"], 4);
}

#[test]
fn deploy_partial_failure_across_batches() {
    // 100 deployable ids (one request) and an unknown one (the second request, refused).
    let emu = TestEmu::start(TaskTiming::Manual, 150);
    let mut ids: Vec<String> = (1000..1100).map(|n| n.to_string()).collect();
    ids.push("99999".into());
    let mut args = vec!["deploy", "--no-start"];
    args.extend(ids.iter().map(String::as_str));
    let o = cli(&args).against(&emu).run();
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "error: 1 of 101 packages not released: 99999 (refused); released: 1000, 1001, "
        ),
        "{err}"
    );
    // One line stays short: ten ids, then how many more (the table and JSON list all).
    assert!(
        err.contains(", 1009 ... and 90 more (the full list is in --output json)\n"),
        "{err}"
    );
    assert!(!err.contains("1099"), "{err}");
    let out = stdout(&o);
    assert!(out.contains("99999    refused"), "{out}");
    assert_eq!(out.lines().filter(|l| l.contains("releasing")).count(), 100);
    assert_eq!(emu.emu().release_count("1099"), 1);
}
