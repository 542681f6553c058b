//! End-to-end tests: the real `dataarts-release` binary against the in-process emulator
//! (`--emulator`) or an emulator started in this test process, with insta snapshots of the
//! exit code, stdout and stderr.
//!
//! Every command runs with a cleared environment (PATH and a temporary HOME only), so the
//! developer's real `~/.huaweicloud` and `HUAWEICLOUD_*`/`DATAARTS_*` variables never leak in.

use std::process::Output;

use assert_cmd::Command;
use dataarts_emulator::{Emulator, RunningEmulator, TaskTiming, DEMO_PROJECT_ID};
use serde_json::Value;

const TEST_AK: &str = "CLITESTAK00000000001";
const TEST_SK: &str = "cli-test-secret-key-never-printed-0001";

/// A command with an empty environment and a temporary home directory.
struct Cli {
    cmd: Command,
    _home: tempfile::TempDir,
}

impl Cli {
    fn new(args: &[&str]) -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        let mut cmd = Command::cargo_bin("dataarts-release").expect("binary");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .args(args);
        Self { cmd, _home: home }
    }

    fn env(mut self, k: &str, v: &str) -> Self {
        self.cmd.env(k, v);
        self
    }

    /// Credentials and endpoint of a test emulator.
    fn against(self, emu: &TestEmu) -> Self {
        self.env("HUAWEICLOUD_SDK_AK", TEST_AK)
            .env("HUAWEICLOUD_SDK_SK", TEST_SK)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
            .env("DATAARTS_ENDPOINT", &emu.url())
    }

    fn stdin(mut self, s: &str) -> Self {
        self.cmd.write_stdin(s.to_string());
        self
    }

    fn run(mut self) -> Output {
        self.cmd.output().expect("run dataarts-release")
    }
}

fn cli(args: &[&str]) -> Cli {
    Cli::new(args)
}

/// An emulator in this process, with the demo data and the test credentials.
struct TestEmu {
    emu: Option<RunningEmulator>,
    rt: tokio::runtime::Runtime,
}

impl TestEmu {
    fn start(timing: TaskTiming, seed_packages: usize) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt
            .block_on(
                Emulator::builder()
                    .demo()
                    .aksk(TEST_AK, TEST_SK)
                    .task_timing(timing)
                    .seed_packages(seed_packages)
                    .start(),
            )
            .expect("emulator");
        Self { emu: Some(emu), rt }
    }

    fn fast() -> Self {
        Self::start(
            TaskTiming::Auto {
                subtask: std::time::Duration::from_millis(50),
            },
            0,
        )
    }

    fn emu(&self) -> &RunningEmulator {
        self.emu.as_ref().expect("running")
    }

    fn url(&self) -> String {
        self.emu().url()
    }
}

impl Drop for TestEmu {
    fn drop(&mut self) {
        if let Some(e) = self.emu.take() {
            self.rt.block_on(e.shutdown());
        }
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", stdout(o)))
}

/// Snapshots exit code, stdout and stderr together, with volatile parts redacted.
fn snap(name: &str, o: &Output) {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        code(o),
        stdout(o),
        stderr(o)
    );
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\b[0-9a-f]{32}\b", "[HEX32]");
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    s.add_filter(r"after (\d+(\.\d+)?[a-z]+ ?)+", "after [DURATION] ");
    s.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]");
    s.add_filter(
        r"dataarts-release \d+\.\d+\.\d+",
        "dataarts-release [VERSION]",
    );
    s.set_prepend_module_to_snapshot(false);
    s.bind(|| insta::assert_snapshot!(name, text));
}

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
        .filter(|e| e.operation == "deploy_factory_packages")
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
    let o = cli(&["deploy", "23", "--wait", "--timeout", "300ms"])
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
        "300ms",
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
            while !emu
                .emu()
                .journal()
                .iter()
                .any(|e| e.operation == "deploy_factory_packages" && e.applied)
            {
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
    assert!(emu.emu().journal().is_empty(), "nothing may be sent");
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
    let o = cli(&["tasks", "wait", &task, "--timeout", "200ms"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 4);
    snap("tasks_wait_timeout", &o);
}

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
    assert!(emu.emu().journal().is_empty(), "nothing may be sent");
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
    assert!(emu.emu().journal().is_empty(), "nothing may be sent");
    snap("workspace_newline", &o);
}

#[test]
fn unknown_flag_exits_2() {
    let o = cli(&["deploy", "23", "--frobnicate"]).run();
    assert_eq!(code(&o), 2);
    snap("unknown_flag", &o);
}

#[test]
fn missing_credentials_says_what_to_set() {
    let o = cli(&["--region", "cn-north-4", "packages", "list"]).run();
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("HUAWEICLOUD_SDK_AK"), "{err}");
    assert!(err.contains("HUAWEICLOUD_SDK_SK"), "{err}");
    snap("missing_credentials", &o);
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
    assert!(emu.emu().journal().is_empty(), "nothing may be sent");
    snap("pending_no_workspace", &o);
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
    assert!(err.contains(", 1099\n"), "{err}");
    let out = stdout(&o);
    assert!(out.contains("99999    refused"), "{out}");
    assert_eq!(out.lines().filter(|l| l.contains("releasing")).count(), 100);
    assert_eq!(emu.emu().release_count("1099"), 1);
}
