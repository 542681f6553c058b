//! Every file the command reads, pointed at `/dev/zero` (endless) and at a FIFO nobody writes
//! to (opening it would block): exit 2 naming the file and the flag or variable that named
//! it, at once, with bounded memory.

#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

/// A way to make the command read a file: how to name it, and what the message must say
/// besides the file.
struct Source {
    name: &'static str,
    /// Sets up a command that reads `path`.
    setup: fn(Cli, &str) -> Cli,
    /// The flag or variable the message names.
    named_by: &'static str,
}

/// A command that needs credentials and would otherwise fail only at the (closed) endpoint.
fn list() -> Cli {
    cli(&["packages", "list"])
        .env("DATAARTS_ENDPOINT", CLOSED)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
}

const SOURCES: &[Source] = &[
    Source {
        name: "--token-file",
        setup: |_, p| {
            cli(&["--token-file", p, "packages", "list"])
                .env("DATAARTS_ENDPOINT", CLOSED)
                .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        },
        named_by: "--token-file",
    },
    Source {
        name: "DATAARTS_AUTH_TOKEN_FILE",
        setup: |c, p| c.env("DATAARTS_AUTH_TOKEN_FILE", p),
        named_by: "DATAARTS_AUTH_TOKEN_FILE",
    },
    Source {
        name: "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        setup: |c, p| c.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", p),
        named_by: "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
    },
    Source {
        name: "default profile",
        setup: |c, p| {
            let dir = c.home().join(".huaweicloud");
            std::fs::create_dir_all(&dir).unwrap();
            std::os::unix::fs::symlink(p, dir.join("credentials")).unwrap();
            c
        },
        named_by: ".huaweicloud/credentials",
    },
    Source {
        name: "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
        setup: |c, p| {
            c.env("HUAWEICLOUD_SDK_IDP_ID", DEMO_IDP_ID)
                .env("HUAWEICLOUD_SDK_ID_TOKEN_FILE", p)
                .env("DATAARTS_REGION", REGION)
        },
        named_by: "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
    },
    Source {
        name: "HUAWEICLOUD_OIDC_TOKEN_FILE",
        setup: |c, p| {
            c.env("HUAWEICLOUD_OIDC_PROVIDER_URN", DEMO_OIDC_PROVIDER_URN)
                .env("HUAWEICLOUD_OIDC_AGENCY_URN", DEMO_OIDC_AGENCY_URN)
                .env("HUAWEICLOUD_OIDC_TOKEN_FILE", p)
                .env("DATAARTS_REGION", REGION)
        },
        named_by: "HUAWEICLOUD_OIDC_TOKEN_FILE",
    },
    Source {
        name: "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        setup: |c, p| {
            c.env(
                "HC_CONTAINER_CREDENTIALS_FULL_URI",
                &format!("{CLOSED}/pod-identity/v1/credentials"),
            )
            .env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", p)
            .env("DATAARTS_REGION", REGION)
        },
        named_by: "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    },
    Source {
        name: "--ids-from",
        setup: |_, p| {
            cli(&["deploy", "--ids-from", p])
                .env("DATAARTS_ENDPOINT", CLOSED)
                .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
                .env("HUAWEICLOUD_SDK_AK", TEST_AK)
                .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        },
        named_by: "--ids-from",
    },
    Source {
        name: "emulator --fixtures",
        setup: |_, p| cli(&["emulator", "--port", "0", "--fixtures", p]),
        named_by: "--fixtures",
    },
];

/// A FIFO with no writer, in a directory that lives as long as the returned guard.
fn fifo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    (dir, path)
}

/// Runs `c`, killing it (and failing) after 10 s; returns its output and how long it took.
fn run_bounded(c: Cli, what: &str) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let mut running = c.spawn();
    loop {
        if running.child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = running.child.kill();
            let _ = running.child.wait();
            panic!("{what}: still running after 10 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = started.elapsed();
    (running.finish(), took)
}

/// The largest resident set of any child this process has waited for, in bytes.
fn max_child_rss() -> u64 {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    // Linux reports kilobytes.
    usage.ru_maxrss as u64 * 1024
}

fn check(source: &Source, file: &Path, kind: &str) -> Duration {
    let p = file.to_str().unwrap();
    let what = format!("{} = {kind} {p}", source.name);
    let (o, took) = run_bounded((source.setup)(list(), p), &what);
    let err = stderr(&o);
    eprintln!("{what}: exit {} in {took:?}: {}", code(&o), err.trim());
    assert_eq!(code(&o), 2, "{what}: {err}");
    assert!(err.contains(source.named_by), "{what}: {err}");
    assert!(
        err.contains(p) || err.contains(source.named_by) && source.name == "default profile",
        "{what}: the file is not named: {err}"
    );
    assert!(
        err.contains("not a regular file") || err.contains("a FIFO") || err.contains("a device"),
        "{what}: {err}"
    );
    took
}

#[test]
fn devices_and_fifos_are_refused_at_once_with_bounded_memory() {
    // A normal run, for comparison: the command fails at the closed endpoint.
    let (baseline, _) = run_bounded(
        list()
            .env("HUAWEICLOUD_SDK_AK", TEST_AK)
            .env("HUAWEICLOUD_SDK_SK", TEST_SK),
        "baseline",
    );
    assert_eq!(code(&baseline), 5, "{}", stderr(&baseline));
    let normal = max_child_rss();

    let (_keep, fifo) = fifo();
    let mut slowest = Duration::ZERO;
    for source in SOURCES {
        for (file, kind) in [(Path::new("/dev/zero"), "device"), (fifo.as_path(), "FIFO")] {
            slowest = slowest.max(check(source, file, kind));
        }
    }
    let hostile = max_child_rss();
    eprintln!(
        "{} sources x 2 files: slowest run {slowest:?}; max RSS of a child {} KiB (a normal run: {} KiB)",
        SOURCES.len(),
        hostile / 1024,
        normal / 1024
    );
    assert!(
        hostile < 100 * 1024 * 1024,
        "a child grew to {} MiB",
        hostile / (1024 * 1024)
    );
}
