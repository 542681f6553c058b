//! What the end-to-end tests share: the real `dataarts-release` binary run with a cleared
//! environment (PATH and a temporary HOME only, so the developer's real `~/.huaweicloud` and
//! `HUAWEICLOUD_*`/`DATAARTS_*` variables never leak in), an emulator started in the test
//! process, and insta snapshots of the exit code, stdout and stderr.
//!
//! No test may send traffic anywhere but loopback: every command starts with the ECS metadata
//! address, the IAM endpoint and the STS endpoint on a closed loopback port
//! ([`CLOSED`]), so a credential source or a project lookup that a test did not point at its
//! emulator fails fast instead of reaching 169.254.169.254 or Huawei Cloud.

// Each test file uses a different part of this module.
#![allow(dead_code, unused_imports)]

use std::process::Output;

pub use dataarts_emulator::{
    Emulator, EmulatorBuilder, FaultConfig, RunningEmulator, TaskTiming, DEMO_AK, DEMO_IDP_ID,
    DEMO_ID_TOKEN, DEMO_OIDC_AGENCY_URN, DEMO_OIDC_PROVIDER_URN, DEMO_POD_TOKEN, DEMO_PROJECT_ID,
};
pub use serde_json::Value;

pub const TEST_AK: &str = "CLITESTAK00000000001";
pub const TEST_SK: &str = "cli-test-secret-key-never-printed-0001";

/// A loopback port nothing listens on (discard): connections are refused at once.
pub const CLOSED: &str = "http://127.0.0.1:9";

/// The region the emulator's demo data maps to `DEMO_PROJECT_ID`.
pub const REGION: &str = "cn-north-4";

/// A command with an empty environment and a temporary home directory.
pub struct Cli {
    cmd: std::process::Command,
    stdin: Option<String>,
    home: tempfile::TempDir,
}

impl Cli {
    pub fn new(args: &[&str]) -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("dataarts-release"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("DATAARTS_METADATA_ENDPOINT", CLOSED)
            .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", CLOSED)
            .env("HUAWEICLOUD_SDK_STS_ENDPOINT", CLOSED)
            .args(args);
        Self {
            cmd,
            stdin: None,
            home,
        }
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

    /// The emulator's endpoint and region, its IAM and STS, and nothing else: the credentials
    /// and the project id are up to the test (the project id is discovered when none is set).
    pub fn region_of(self, emu: &TestEmu) -> Self {
        self.env("DATAARTS_ENDPOINT", &emu.url())
            .env("DATAARTS_REGION", REGION)
            .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &emu.url())
            .env("HUAWEICLOUD_SDK_STS_ENDPOINT", &emu.url())
    }

    /// The temporary home directory (for a profile file, token files...).
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// Writes `text` to `name` in the temporary home and returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.home.path().join(name);
        std::fs::write(&path, text).expect("write a test file");
        path.display().to_string()
    }

    pub fn env_remove(mut self, k: &str) -> Self {
        self.cmd.env_remove(k);
        self
    }

    /// OIDC federation with the demo provider and agency, the id token in a file.
    pub fn oidc(self, emu: &TestEmu) -> Self {
        let token = self.file("oidc-token", DEMO_ID_TOKEN);
        self.region_of(emu)
            .env("HUAWEICLOUD_OIDC_PROVIDER_URN", DEMO_OIDC_PROVIDER_URN)
            .env("HUAWEICLOUD_OIDC_AGENCY_URN", DEMO_OIDC_AGENCY_URN)
            .env("HUAWEICLOUD_OIDC_TOKEN_FILE", &token)
    }

    /// IAM identity-provider federation from the environment (the demo IdP and id token).
    pub fn idp(self, emu: &TestEmu) -> Self {
        let token = self.file("id-token", DEMO_ID_TOKEN);
        self.region_of(emu)
            .env("HUAWEICLOUD_SDK_IDP_ID", DEMO_IDP_ID)
            .env("HUAWEICLOUD_SDK_ID_TOKEN_FILE", &token)
    }

    /// IAM identity-provider federation from the profile file in the temporary home, whose
    /// `iam_endpoint` is the only IAM endpoint set.
    pub fn profile_idp(self, emu: &TestEmu) -> Self {
        let token = self.file("id-token", DEMO_ID_TOKEN);
        std::fs::create_dir_all(self.home().join(".huaweicloud")).expect("profile dir");
        self.file(
            ".huaweicloud/credentials",
            &format!(
                "[basic]\nidp_id = {DEMO_IDP_ID}\nid_token_file = {token}\niam_endpoint = {}\n",
                emu.url()
            ),
        );
        self.region_of(emu)
            .env_remove("HUAWEICLOUD_SDK_IAM_ENDPOINT")
    }

    /// The ECS metadata service of the emulator, nothing else configured.
    pub fn metadata(self, emu: &TestEmu) -> Self {
        self.region_of(emu)
            .env("DATAARTS_METADATA_ENDPOINT", &emu.url())
    }

    /// CCE pod identity (the metadata service stays unreachable, as off ECS).
    pub fn pod(self, emu: &TestEmu) -> Self {
        let token = self.file("pod-token", DEMO_POD_TOKEN);
        self.region_of(emu)
            .env(
                "HC_CONTAINER_CREDENTIALS_FULL_URI",
                &format!("{}/pod-identity/v1/credentials", emu.url()),
            )
            .env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token)
    }

    pub fn stdin(mut self, s: &str) -> Self {
        self.stdin = Some(s.to_string());
        self
    }

    pub fn run(self) -> Output {
        let mut cmd = assert_cmd::Command::from_std(self.cmd);
        if let Some(s) = self.stdin {
            cmd.write_stdin(s);
        }
        cmd.output().expect("run dataarts-release")
    }

    /// Runs the command with stdout going to `out` (a file such as `/dev/full`); stderr is
    /// captured, the returned stdout is empty.
    pub fn run_with_stdout(mut self, out: std::fs::File) -> Output {
        self.cmd
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run dataarts-release")
    }

    /// Starts the command without waiting for it (stdout and stderr captured).
    pub fn spawn(mut self) -> Running {
        let child = self
            .cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start dataarts-release");
        Running {
            child,
            _home: self.home,
        }
    }
}

/// A command started by [`Cli::spawn`].
pub struct Running {
    pub child: std::process::Child,
    _home: tempfile::TempDir,
}

impl Running {
    /// Waits for the command to end.
    pub fn finish(self) -> Output {
        self.child
            .wait_with_output()
            .expect("wait for dataarts-release")
    }
}

/// Waits (at most 30 s) until the emulator's journal satisfies `f`.
pub fn wait_for_journal(emu: &TestEmu, f: impl Fn(&[dataarts_emulator::JournalEntry]) -> bool) {
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !f(&emu.emu().journal()) {
        assert!(
            std::time::Instant::now() < give_up,
            "the journal never got there: {:#?}",
            emu.emu()
                .journal()
                .iter()
                .map(|e| format!("{} {} {}", e.method, e.path, e.status))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
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
        Self::with(|b| b.task_timing(timing).seed_packages(seed_packages))
    }

    /// The demo data and the test credentials, then whatever `f` sets.
    pub fn with(f: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt
            .block_on(f(Emulator::builder().demo().aksk(TEST_AK, TEST_SK)).start())
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
    snap_with(name, o, &[]);
}

/// [`snap`] with more redactions (regex, replacement), applied first.
pub fn snap_with(name: &str, o: &Output, filters: &[(&str, &str)]) {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        code(o),
        stdout(o),
        stderr(o)
    );
    let mut s = insta::Settings::clone_current();
    for (re, with) in filters {
        s.add_filter(re, *with);
    }
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

/// A credential source the tests configure, with the path of the emulator's route that
/// issues its credentials.
pub struct Source {
    pub key: &'static str,
    pub name: &'static str,
    pub setup: fn(Cli, &TestEmu) -> Cli,
    pub fetch_path: &'static str,
}

/// Every run-time source, as a user configures it.
pub const SOURCES: [Source; 5] = [
    Source {
        key: "oidc_federation",
        name: "oidc",
        setup: Cli::oidc,
        fetch_path: "/v5/agencies/assume-with-oidc",
    },
    Source {
        key: "idp_federation",
        name: "idp",
        setup: Cli::idp,
        fetch_path: "/v3.0/OS-CREDENTIAL/securitytokens",
    },
    Source {
        key: "idp_federation",
        name: "profile_idp",
        setup: Cli::profile_idp,
        fetch_path: "/v3.0/OS-CREDENTIAL/securitytokens",
    },
    Source {
        key: "ecs_metadata",
        name: "metadata",
        setup: Cli::metadata,
        fetch_path: "/openstack/latest/securitykey",
    },
    Source {
        key: "pod_identity",
        name: "pod",
        setup: Cli::pod,
        fetch_path: "/pod-identity/v1/credentials",
    },
];

/// Fails when `text` holds a secret: the test SK, an id token, a pod token, or anything the
/// emulator issues (security tokens `emu-st-`, unscoped IAM tokens `emu-unscoped-`, metadata
/// tokens `emu-md-`, and temporary SKs: 40 lower-case hex characters).
pub fn assert_no_secret(what: &str, text: &str) {
    for secret in [
        TEST_SK,
        DEMO_ID_TOKEN,
        DEMO_POD_TOKEN,
        dataarts_emulator::DEMO_SK,
        "emu-st-",
        "emu-unscoped-",
        "emu-md-",
    ] {
        assert!(!text.contains(secret), "{what} shows {secret:?}:\n{text}");
    }
    let hex_runs = text
        .split(|c: char| !(c.is_ascii_digit() || ('a'..='f').contains(&c)))
        .filter(|run| run.len() == 40);
    assert_eq!(hex_runs.count(), 0, "{what} shows a temporary SK:\n{text}");
}

/// Both outputs of a run are free of secrets.
pub fn assert_no_secret_in(o: &Output) {
    assert_no_secret("stdout", &stdout(o));
    assert_no_secret("stderr", &stderr(o));
}
