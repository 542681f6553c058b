//! `deploy --junit FILE` and `--summary [FILE]` end to end: the files written for a success, a
//! refusal and a timed-out wait, `GITHUB_STEP_SUMMARY`, and the usage errors that stop a run
//! before anything is sent. (The JUnit files are validated against a published schema in the
//! conformance suite, `conformance/test_junit_report.py`.)
#![cfg(feature = "emulator")]

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use dataarts_release::Operation;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every package id the emulator released, in order, repeats kept.
fn released(emu: &TestEmu) -> Vec<String> {
    emu.emu()
        .journal()
        .iter()
        .filter(|e| e.operation == Some(Operation::DeployFactoryPackages) && e.applied)
        .flat_map(|e| e.package_ids.clone())
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// What `deploy ARGS --junit FILE --summary FILE` left behind.
struct Reported {
    out: Output,
    xml: String,
    md: String,
}

/// Runs `deploy` with `args` against `emu`, writing both reports into a temporary directory.
fn deploy_reporting(emu: &TestEmu, args: &[&str]) -> Reported {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("deploy.xml");
    let summary = dir.path().join("summary.md");
    let mut all = vec!["deploy"];
    all.extend_from_slice(args);
    all.extend(["--junit", s(&junit), "--summary", s(&summary)]);
    let out = cli(&all).against(emu).run();
    Reported {
        xml: read(&junit),
        md: read(&summary),
        out,
    }
}

#[test]
fn success_writes_both_reports() {
    let emu = TestEmu::fast();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("reports").join("deploy.xml");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let summary_flag = format!("--summary={}", s(&summary));
    let o = cli(&[
        "deploy",
        "12",
        "23",
        "--wait",
        "--junit",
        s(&junit),
        &summary_flag,
    ])
    .against(&emu)
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let xml = read(&junit);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dataarts-release deploy\" tests=\"2\" failures=\"0\" errors=\"0\""), "{xml}");
    for id in ["12", "23"] {
        let case = format!(
            "<testcase name=\"package {id}\" classname=\"dataarts-release.deploy\" time=\""
        );
        let at = xml.find(&case).unwrap_or_else(|| panic!("{xml}"));
        assert!(xml[at..].lines().next().unwrap().ends_with("\"/>"), "{xml}");
    }
    let md = read(&summary);
    assert!(md.starts_with("# earlier step\n\n### dataarts-release deploy\n\n**OK**: 2 packages (2 released); took "), "{md}");
    assert!(
        md.contains("| PACKAGE | RESULT | REASON/DETAIL | TASK | TIME |\n"),
        "{md}"
    );
    assert!(md.contains("\n| 12 | released |  | "), "{md}");
    assert_eq!(released(&emu), ["12", "23"]);
    // The table on stdout is unchanged by the reports.
    assert!(stdout(&o).starts_with("PACKAGE"), "{}", stdout(&o));
}

#[test]
fn a_refusal_is_a_failure_in_both_reports() {
    let emu = TestEmu::fast();
    let Reported { out: o, xml, md } = deploy_reporting(&emu, &["12", "999"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        xml.contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"package 12\" classname=\"dataarts-release.deploy\" time=\""),
        "{xml}"
    );
    let case = &xml[xml
        .find("<testcase name=\"package 999\"")
        .expect("case 999")..];
    assert!(
        case.contains("<failure message=\"refused (not_found)"),
        "{xml}"
    );
    assert!(case.contains("type=\"refused\">"), "{xml}");
    assert!(case.contains("does not exist"), "{xml}");
    assert!(
        md.contains("**FAILED**: 1 of 2 packages did not reach the goal (1 refused, 1 releasing)"),
        "{md}"
    );
    assert!(md.contains("| 999 | **refused** | not\\_found: "), "{md}");
    assert_eq!(released(&emu), ["12"], "12 is released once, 999 never");
}

#[test]
fn a_timed_out_wait_still_writes_the_reports() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let Reported { out: o, xml, md } = deploy_reporting(&emu, &["23", "--wait", "--timeout", "1s"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        xml.contains("<property name=\"timed_out\" value=\"true\"/>"),
        "{xml}"
    );
    assert!(xml.contains("failures=\"1\""), "{xml}");
    assert!(xml.contains("<failure message=\"releasing"), "{xml}");
    assert!(xml.contains("<system-err>The wait timed out"), "{xml}");
    assert!(md.contains("**TIMED OUT**: 1 package"), "{md}");
    assert!(md.contains("> The wait timed out"), "{md}");
    assert_eq!(released(&emu), ["23"]);
}

#[test]
fn summary_without_file_appends_to_the_step_summary() {
    let emu = TestEmu::fast();
    let dir = tempfile::tempdir().unwrap();
    let step = dir.path().join("step_summary");
    std::fs::write(&step, "from an earlier step\n").unwrap();
    let o = cli(&["deploy", "23", "--summary"])
        .env("GITHUB_STEP_SUMMARY", s(&step))
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = cli(&["deploy", "12", "--summary"])
        .env("GITHUB_STEP_SUMMARY", s(&step))
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = read(&step);
    assert!(md.starts_with("from an earlier step\n"), "{md}");
    assert_eq!(md.matches("### dataarts-release deploy").count(), 2, "{md}");
    let first = md
        .find("| 23 | releasing |")
        .unwrap_or_else(|| panic!("{md}"));
    assert!(first < md.find("| 12 | releasing |").unwrap(), "{md}");
}

#[test]
fn summary_without_file_or_variable_is_a_usage_error_before_sending() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let o = cli(&["deploy", "23", "--summary"]).against(&emu).run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: --summary was given without a FILE and GITHUB_STEP_SUMMARY is not set\n\
         hint: give a file (--summary=FILE), or set GITHUB_STEP_SUMMARY (GitHub Actions sets it in every step)\n"
    );
    assert_eq!(deploys(&emu), 0, "nothing may be sent");
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
}

#[test]
fn report_paths_that_cannot_work_are_usage_errors_before_sending() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let cases = [
        vec!["deploy", "--summary", "12", "13"],
        vec!["deploy", "--junit", "12", "13"],
        vec!["deploy", "23", "--junit", s(dir.path())],
    ];
    for args in cases {
        let o = cli(&args).against(&emu).run();
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    }
    let nested = file.join("deploy.xml");
    let o = cli(&["deploy", "23", "--junit", s(&nested)])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with(&format!("error: --junit {}: ", nested.display())),
        "{}",
        stderr(&o)
    );
    let o = cli(&["deploy", "--summary", "12"]).against(&emu).run();
    assert!(
        stderr(&o).contains("`12` looks like a package id, not a file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(deploys(&emu), 0, "nothing may be sent");
}

#[test]
fn a_dry_run_report_skips_the_plan_and_fails_what_cannot_be_released() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let Reported { out: o, xml, md } = deploy_reporting(&emu, &["12", "999", "--dry-run"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        xml.contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<property name=\"dry_run\" value=\"true\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"dry run: would_release (awaiting_review)\"/>"),
        "{xml}"
    );
    let case = &xml[xml
        .find("<testcase name=\"package 999\"")
        .expect("case 999")..];
    assert!(case.contains("(not_found)"), "{xml}");
    assert!(
        md.starts_with("\n### dataarts-release deploy (dry run)\n"),
        "{md}"
    );
    assert!(md.contains("> Dry run: nothing was released"), "{md}");
    assert_eq!(deploys(&emu), 0, "a dry run sends no release");
}

/// SIGTERM while waiting: both reports say so, the releases count as skipped (they continue
/// on the service), and the summary tells how to resume.
#[cfg(unix)]
#[test]
fn an_interrupted_wait_still_writes_the_reports() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("deploy.xml");
    let summary = dir.path().join("summary.md");
    let child = Command::new(assert_cmd::cargo::cargo_bin("dataarts-release"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_ENDPOINT", emu.url())
        .args([
            "deploy",
            "23",
            "--wait",
            "--junit",
            s(&junit),
            "--summary",
            s(&summary),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dataarts-release");
    // The release landed and the wait has polled since.
    let give_up = Instant::now() + Duration::from_secs(30);
    loop {
        let j = emu.emu().journal();
        let deployed = j
            .iter()
            .position(|e| e.operation == Some(Operation::DeployFactoryPackages) && e.applied);
        if deployed.is_some_and(|i| j.len() > i + 1) {
            break;
        }
        assert!(Instant::now() < give_up, "the release never landed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let o = child.wait_with_output().expect("wait for dataarts-release");
    assert_eq!(code(&o), 143, "{}", stderr(&o));
    let xml = read(&junit);
    assert!(
        xml.contains("<property name=\"interrupted\" value=\"SIGTERM\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""),
        "{xml}"
    );
    assert!(xml.contains("<skipped message=\"releasing: interrupted by SIGTERM while waiting; the release continues on the service\"/>"), "{xml}");
    assert!(
        xml.contains("<system-err>The run was interrupted by SIGTERM"),
        "{xml}"
    );
    let md = read(&summary);
    assert!(
        md.contains("**INTERRUPTED** (SIGTERM): 1 package (1 releasing)"),
        "{md}"
    );
    assert!(md.contains("Run the same command again to resume."), "{md}");
    assert_eq!(released(&emu), ["23"]);
}
