//! SIGINT and SIGTERM sent to a running `deploy`: while it waits, and while it sends
//! batches. It stops cleanly (exit 130 or 143) with every id's last known state, no package
//! is released twice, and running the same command again resumes and ends released. A
//! signalled `tasks wait` says how far the task got and how to resume.
#![cfg(all(feature = "emulator", unix))]

mod common;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use dataarts_emulator::FaultConfig;
use dataarts_release::Operation;

/// The binary, started against `emu` with a cleared environment.
fn spawn(emu: &TestEmu, args: &[&str], home: &std::path::Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("dataarts-release"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("DATAARTS_METADATA_ENDPOINT", CLOSED)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", CLOSED)
        .env("HUAWEICLOUD_SDK_STS_ENDPOINT", CLOSED)
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_ENDPOINT", emu.url())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dataarts-release")
}

fn kill(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill {signal}");
}

fn is_deploy(e: &dataarts_emulator::JournalEntry) -> bool {
    e.operation == Some(Operation::DeployFactoryPackages)
}

fn finish(child: Child) -> Output {
    child.wait_with_output().expect("wait for dataarts-release")
}

fn count(v: &Value, result: &str) -> usize {
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["result"] == result)
        .count()
}

#[test]
fn sigint_while_waiting_exits_130_and_a_re_run_resumes() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let home = tempfile::tempdir().unwrap();
    let junit = home.path().join("report.xml");
    let child = spawn(
        &emu,
        &[
            "--output",
            "json",
            "deploy",
            "12",
            "13",
            "--wait",
            "--junit",
            junit.to_str().unwrap(),
        ],
        home.path(),
    );
    // The release landed and the wait has polled at least once since.
    wait_for_journal(&emu, |j| {
        j.iter()
            .position(|e| is_deploy(e) && e.applied)
            .is_some_and(|i| j.len() > i + 1)
    });
    kill(&child, "-INT");
    let o = finish(child);
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["interrupted"], "SIGINT");
    assert_eq!(v["ok"], false);
    assert_eq!(count(&v, "releasing"), 2, "{v:#}");
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "error: interrupted by SIGINT: releases already accepted continue on the service"
        ),
        "{err}"
    );
    assert!(err.contains("re-run the same command to resume"), "{err}");
    // The CI report is written on interruption too, one test case per package.
    let xml = std::fs::read_to_string(&junit).expect("the JUnit report was written");
    assert_eq!(xml.matches("<testcase").count(), 2, "{xml}");

    // The releases went on; running the command again follows them to the end.
    emu.emu().complete_all_tasks();
    let o = cli(&["--output", "json", "deploy", "12", "13", "--wait"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(count(&v, "already_released"), 2, "{v:#}");
    assert_eq!(emu.emu().release_count("12"), 1);
    assert_eq!(emu.emu().release_count("13"), 1);
    assert_never_twice(&emu);
}

#[test]
fn sigterm_while_sending_batches_exits_143_and_sends_no_new_batch() {
    let emu = TestEmu::start(TaskTiming::Manual, 300);
    emu.emu().set_faults(FaultConfig {
        latency: Some(Duration::from_millis(700)),
        operations: Some(vec![Operation::DeployFactoryPackages.id().to_string()]),
        ..Default::default()
    });
    let ids: Vec<String> = (1000..1250).map(|n| n.to_string()).collect();
    let mut args = vec!["--output", "json", "deploy", "--no-start"];
    args.extend(ids.iter().map(String::as_str));
    let home = tempfile::tempdir().unwrap();
    let child = spawn(&emu, &args, home.path());
    wait_for_journal(&emu, |j| j.iter().any(is_deploy));
    kill(&child, "-TERM");
    let o = finish(child);
    assert_eq!(code(&o), 143, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["interrupted"], "SIGTERM");
    let sent = emu.emu().journal().iter().filter(|e| is_deploy(e)).count();
    assert!(sent < 3, "no batch after the signal: {sent} sent");
    let releasing = count(&v, "releasing");
    assert_eq!(releasing, sent * 100, "{v:#}");
    assert_eq!(count(&v, "not_sent"), 250 - releasing);
    assert!(
        stderr(&o).contains("interrupted by SIGTERM"),
        "{}",
        stderr(&o)
    );
    assert_never_twice(&emu);

    // Running the same command again releases the rest, and only the rest.
    emu.emu().set_faults(FaultConfig::default());
    let mut args = vec!["--output", "json", "deploy", "--no-start"];
    args.extend(ids.iter().map(String::as_str));
    let o = cli(&args).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(count(&v, "already_released"), releasing);
    assert_eq!(count(&v, "releasing"), 250 - releasing);
    for id in &ids {
        assert_eq!(emu.emu().release_count(id), 1, "{id}");
    }
    assert_never_twice(&emu);
}

#[test]
fn a_second_sigint_exits_at_once() {
    // The first SIGINT lets the batch in flight finish (slow answers here); the second one
    // does not wait for it.
    let emu = TestEmu::start(TaskTiming::Manual, 300);
    emu.emu().set_faults(FaultConfig {
        latency: Some(Duration::from_secs(3)),
        operations: Some(vec![Operation::DeployFactoryPackages.id().to_string()]),
        ..Default::default()
    });
    let ids: Vec<String> = (1000..1250).map(|n| n.to_string()).collect();
    let mut args = vec!["deploy", "--no-start"];
    args.extend(ids.iter().map(String::as_str));
    let home = tempfile::tempdir().unwrap();
    let child = spawn(&emu, &args, home.path());
    // The first batch was answered: the second one is on its way, for 3 s.
    wait_for_journal(&emu, |j| j.iter().any(is_deploy));
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    kill(&child, "-INT");
    std::thread::sleep(Duration::from_millis(200));
    kill(&child, "-INT");
    let o = finish(child);
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "exited at once, not after the batch in flight"
    );
    assert_never_twice(&emu);
}

#[test]
fn sigterm_during_tasks_wait_exits_143_and_says_how_to_resume() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let home = tempfile::tempdir().unwrap();
    let deployed = cli(&["--output", "json", "deploy", "23", "--no-start"])
        .against(&emu)
        .run();
    assert_eq!(code(&deployed), 0, "{}", stderr(&deployed));
    let task = json(&deployed)["packages"][0]["task_id"]
        .as_str()
        .expect("a task id")
        .to_string();
    let polls = |j: &[dataarts_emulator::JournalEntry]| {
        j.iter()
            .filter(|e| e.operation == Some(Operation::ListSystemTasks))
            .count()
    };
    let before = polls(&emu.emu().journal());
    let child = spawn(
        &emu,
        &["--output", "json", "tasks", "wait", &task],
        home.path(),
    );
    // The task stays running (manual timing): signal once the wait has read it.
    wait_for_journal(&emu, |j| polls(j) > before);
    kill(&child, "-TERM");
    let o = finish(child);
    assert_eq!(code(&o), 143, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "interrupted by SIGTERM while waiting for task {task}"
        )),
        "{err}"
    );
    assert!(err.contains("the task continues on the service"), "{err}");
    // Scripts still get one JSON document: the error document, with the exit code.
    let v = json(&o);
    assert_eq!(v["command"], "tasks wait", "{v:#}");
    assert_eq!(v["error"]["exit_code"], 143, "{v:#}");
    assert!(
        err.contains(&format!("dataarts-release tasks wait {task}")),
        "{err}"
    );
    assert_never_twice(&emu);
}
