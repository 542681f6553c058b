//! What the end-to-end tests share: the real `dataarts-release` binary run with a cleared
//! environment (PATH and a temporary HOME only, so the developer's real `~/.huaweicloud` and
//! `HUAWEICLOUD_*`/`DATAARTS_*` variables never leak in), an emulator started in the test
//! process, and insta snapshots of the exit code, stdout and stderr.

// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::process::Output;

use assert_cmd::Command;
pub use dataarts_emulator::{Emulator, RunningEmulator, TaskTiming, DEMO_PROJECT_ID};
pub use serde_json::Value;

pub const TEST_AK: &str = "CLITESTAK00000000001";
pub const TEST_SK: &str = "cli-test-secret-key-never-printed-0001";

/// A command with an empty environment and a temporary home directory.
pub struct Cli {
    cmd: Command,
    _home: tempfile::TempDir,
}

impl Cli {
    pub fn new(args: &[&str]) -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        let mut cmd = Command::cargo_bin("dataarts-release").expect("binary");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .args(args);
        Self { cmd, _home: home }
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.cmd.env(k, v);
        self
    }

    /// Credentials and endpoint of a test emulator.
    pub fn against(self, emu: &TestEmu) -> Self {
        self.env("HUAWEICLOUD_SDK_AK", TEST_AK)
            .env("HUAWEICLOUD_SDK_SK", TEST_SK)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
            .env("DATAARTS_ENDPOINT", &emu.url())
    }

    pub fn stdin(mut self, s: &str) -> Self {
        self.cmd.write_stdin(s.to_string());
        self
    }

    pub fn run(mut self) -> Output {
        self.cmd.output().expect("run dataarts-release")
    }
}

pub fn cli(args: &[&str]) -> Cli {
    Cli::new(args)
}

/// An emulator in this process, with the demo data and the test credentials.
pub struct TestEmu {
    emu: Option<RunningEmulator>,
    rt: tokio::runtime::Runtime,
}

impl TestEmu {
    pub fn start(timing: TaskTiming, seed_packages: usize) -> Self {
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

    pub fn fast() -> Self {
        Self::start(
            TaskTiming::Auto {
                subtask: std::time::Duration::from_millis(50),
            },
            0,
        )
    }

    pub fn emu(&self) -> &RunningEmulator {
        self.emu.as_ref().expect("running")
    }

    pub fn url(&self) -> String {
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

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", stdout(o)))
}

/// Snapshots exit code, stdout and stderr together, with volatile parts redacted.
pub fn snap(name: &str, o: &Output) {
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
    // Next to the test files, as when they were one file.
    s.set_snapshot_path("../snapshots");
    s.bind(|| insta::assert_snapshot!(name, text));
}

/// No package was released more than once (the emulator counts every release).
pub fn assert_never_twice(emu: &TestEmu) {
    let twice = emu.emu().released_more_than_once();
    assert!(twice.is_empty(), "released more than once: {twice:?}");
}

/// Deploy requests the emulator received (sent, whatever became of them).
pub fn deploys(emu: &TestEmu) -> usize {
    emu.emu()
        .journal()
        .iter()
        .filter(|e| e.operation == Some(dataarts_release::Operation::DeployFactoryPackages))
        .count()
}
