//! Local failures have their own exit codes and messages: output that cannot be written is 6
//! (and says what was already sent), a closed pipe stops quietly, a missing `--fixtures` is 2
//! naming the flag, a dead proxy is 5 naming its variable, colour follows `--color`, and a
//! one-line error lists at most ten ids.
#![cfg(feature = "emulator")]

mod common;

use std::time::{Duration, Instant};

use common::*;

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

/// `packages list > /dev/full`, as a table and as JSON: exit 6, naming stdout.
#[test]
fn output_that_cannot_be_written_exits_6() {
    for args in [
        &["--emulator", "packages", "list"][..],
        &["--emulator", "--output", "json", "packages", "list"][..],
    ] {
        let o = cli(args).run_with_stdout(dev_full());
        let err = stderr(&o);
        assert_eq!(code(&o), 6, "{args:?}: {err}");
        assert!(
            err.starts_with("error: cannot write the output to stdout: "),
            "{args:?}: {err}"
        );
    }
}

/// A deploy whose table cannot be written: exit 6, and the message says that the release
/// was sent and that re-running is safe; it was released once.
#[test]
fn deploy_into_a_full_disk_says_the_releases_were_sent() {
    let emu = TestEmu::fast();
    let o = cli(&["deploy", "23"])
        .against(&emu)
        .run_with_stdout(dev_full());
    let err = stderr(&o);
    assert_eq!(code(&o), 6, "{err}");
    assert!(
        err.contains("cannot write the output to stdout")
            && err.contains("after 1 deploy request had been sent"),
        "{err}"
    );
    assert!(
        err.contains(
            "hint: the releases sent were not undone: re-run the same command to see their state"
        ),
        "{err}"
    );
    assert_eq!(emu.emu().release_count("23"), 1);
}

/// A deploy whose Markdown summary cannot be written: the table is printed, exit 6, the
/// error names the flag and the file, and the hint says that re-running is safe.
#[test]
fn a_report_that_cannot_be_written_after_a_deploy_exits_6() {
    let emu = TestEmu::fast();
    let o = cli(&["deploy", "23", "--summary", "/dev/full"])
        .against(&emu)
        .run();
    let err = stderr(&o);
    assert_eq!(code(&o), 6, "{err}");
    assert!(stdout(&o).contains("23 "), "{}", stdout(&o));
    assert!(
        err.starts_with("error: --summary /dev/full: cannot write the Markdown summary: "),
        "{err}"
    );
    assert!(
        err.contains("hint: the releases sent were not undone"),
        "{err}"
    );
    assert_eq!(emu.emu().release_count("23"), 1);
}

/// `| head -1` closing the pipe: no error, exit 0.
#[test]
fn a_closed_pipe_stops_quietly() {
    let mut run = cli(&["--emulator", "packages", "list"]).spawn();
    drop(run.child.stdout.take());
    let o = run.finish();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

/// `emulator --fixtures` with a file that is missing or not fixtures: exit 2 naming the flag,
/// at once.
#[test]
fn bad_fixtures_are_usage_errors_naming_the_flag() {
    let c = cli(&["emulator", "--fixtures", "/nonexistent/fixtures.json"]);
    let o = c.run();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.starts_with("error: --fixtures /nonexistent/fixtures.json: cannot read the file"),
        "{err}"
    );
    assert!(err.contains("hint: --fixtures takes a JSON file"), "{err}");

    let c = cli(&["emulator"]);
    let bad = c.file("fixtures.json", "{ not json");
    let o = cli(&["emulator", "--fixtures", &bad]).run();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.starts_with("error: --fixtures "), "{err}");
}

/// A proxy (from the environment) that refuses connections: exit 5, the message names the
/// proxy and its variable, never the proxy's password; with `NO_PROXY` covering the host,
/// the endpoint is named instead.
#[test]
fn a_dead_proxy_is_named_with_its_variable() {
    for (variable, endpoint) in [
        ("HTTPS_PROXY", "https://127.0.0.1:1"),
        ("https_proxy", "https://127.0.0.1:1"),
        ("HTTP_PROXY", "http://127.0.0.1:1"),
        ("ALL_PROXY", "http://127.0.0.1:1"),
    ] {
        let started = Instant::now();
        let o = cli(&["--endpoint", endpoint, "packages", "list"])
            .env("DATAARTS_AUTH_TOKEN", "iam-token")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
            .env(variable, "http://proxyuser:proxy-password@127.0.0.1:9")
            .run();
        let err = stderr(&o);
        assert_eq!(code(&o), 5, "{variable}: {err}");
        assert!(
            err.starts_with(&format!(
                "error: could not connect to the proxy http://127.0.0.1:9 ({variable}): "
            )),
            "{variable}: {err}"
        );
        assert!(err.contains("add the endpoint's host to NO_PROXY"), "{err}");
        assert!(
            !err.contains("proxy-password") && !err.contains("proxyuser"),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(30), "{err}");
    }
    let o = cli(&["--endpoint", "https://127.0.0.1:1", "packages", "list"])
        .env("DATAARTS_AUTH_TOKEN", "iam-token")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "127.0.0.1")
        .run();
    let err = stderr(&o);
    assert_eq!(code(&o), 5, "{err}");
    assert!(!err.contains("proxy http"), "{err}");
    assert!(err.contains("check --endpoint"), "{err}");
}

/// Logs into a file or pipe have no colour, unless `--color always`; `--color never` and
/// `NO_COLOR` keep them plain.
#[test]
fn colour_only_when_asked_for_outside_a_terminal() {
    let esc = |o: &std::process::Output| o.stderr.contains(&0x1b);
    let o = cli(&["-vv", "--emulator", "packages", "list"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).is_empty(), "-vv logs something");
    assert!(!esc(&o), "{}", stderr(&o));
    let o = cli(&["-vv", "--color", "always", "--emulator", "packages", "list"]).run();
    assert_eq!(code(&o), 0);
    assert!(esc(&o), "--color always colours: {}", stderr(&o));
    for args in [
        &["-vv", "--color", "never", "--emulator", "packages", "list"][..],
        &["-vv", "--color", "auto", "--emulator", "packages", "list"][..],
    ] {
        let o = cli(args).env("NO_COLOR", "1").run();
        assert!(!esc(&o), "{args:?}");
    }
}

/// `-vvv` against an emulator: the logs name requests but never a signed header's value.
#[test]
fn trace_logs_hold_no_signed_header_value() {
    let emu = TestEmu::fast();
    let o = cli(&["-vvv", "deploy", "23"])
        .against(&emu)
        .env("RUST_LOG", "trace")
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("TRACE"), "trace logs are on");
    assert_no_secret_in(&o);
    for value in ["SDK-HMAC-SHA256 Access=", "Signature=", TEST_AK] {
        assert!(!err.contains(value), "{value}: {err}");
    }
    let o = cli(&["-vvv", "packages", "list"])
        .env("DATAARTS_ENDPOINT", &emu.url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_AUTH_TOKEN", "iam-token-value-never-logged")
        .env("RUST_LOG", "trace")
        .run();
    assert!(!stderr(&o).contains("iam-token-value-never-logged"));
}

/// A deploy refused for many packages: the error line names ten and counts the rest; the
/// JSON document lists every one.
#[test]
fn one_line_errors_list_at_most_ten_ids() {
    let emu = TestEmu::fast();
    let ids: Vec<String> = (0..300).map(|n| format!("9{n:05}")).collect();
    let mut args = vec!["deploy", "--no-start"];
    args.extend(ids.iter().map(String::as_str));
    let o = cli(&args).against(&emu).run();
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    let line = err.lines().next().unwrap();
    assert!(line.len() < 600, "{} bytes: {line}", line.len());
    assert!(
        line.contains("... and 290 more (the full list is in --output json)"),
        "{line}"
    );
    let mut json_args = vec!["--output", "json"];
    json_args.extend(args.iter().copied());
    let o = cli(&json_args).against(&emu).run();
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["packages"].as_array().map(Vec::len), Some(300), "{v:#}");
}

/// The minimum `--timeout` is checked when parsing, before anything is sent.
#[test]
fn a_zero_timeout_is_refused_naming_the_flag() {
    for args in [
        &["--emulator", "deploy", "23", "--wait", "--timeout", "0"][..],
        &["--emulator", "tasks", "wait", "1", "--timeout", "500ms"][..],
    ] {
        let o = cli(args).run();
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{err}");
        assert!(
            err.contains("'--timeout <DURATION>': must be at least 1s"),
            "{err}"
        );
    }
}
