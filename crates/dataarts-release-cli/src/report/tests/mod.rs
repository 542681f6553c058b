//! Unit tests of the reports: flags and targets, files, JUnit XML and Markdown.

use std::time::{Duration, UNIX_EPOCH};

use clap::Parser;

use super::*;
use crate::exit::Exit;

mod junit;
mod summary;

/// A package that reached the goal.
pub(super) fn released(id: &str, ms: u64) -> PackageReport {
    PackageReport {
        package_id: id.to_string(),
        result: "released".to_string(),
        reason: None,
        ok: true,
        detail: None,
        task_id: Some(format!("ff80808{id}")),
        elapsed: Duration::from_millis(ms),
    }
}

/// A package the service refused, for `reason`.
pub(super) fn refused(id: &str, reason: &str, detail: &str) -> PackageReport {
    PackageReport {
        package_id: id.to_string(),
        result: "refused".to_string(),
        reason: Some(reason.to_string()),
        ok: false,
        detail: Some(detail.to_string()),
        task_id: None,
        elapsed: Duration::from_millis(12),
    }
}

pub(super) fn run(packages: Vec<PackageReport>) -> RunReport {
    RunReport {
        command: "dataarts-release deploy 12 23".to_string(),
        started: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        elapsed: Duration::from_millis(4_250),
        dry_run: false,
        interrupted: None,
        timed_out: false,
        packages,
    }
}

#[derive(Debug, Parser)]
struct Flags {
    #[command(flatten)]
    reports: ReportArgs,
    ids: Vec<String>,
}

fn parse(args: &[&str]) -> Result<Flags, clap::Error> {
    Flags::try_parse_from(std::iter::once("deploy").chain(args.iter().copied()))
}

#[test]
fn summary_takes_an_optional_file() {
    let f = parse(&["12", "--summary"]).unwrap();
    assert_eq!(f.reports.summary, Some(None));
    assert_eq!(f.ids, ["12"]);
    let f = parse(&["--summary=out.md", "12"]).unwrap();
    assert_eq!(f.reports.summary, Some(Some(PathBuf::from("out.md"))));
    let f = parse(&["--summary", "out.md", "--junit", "r.xml", "12"]).unwrap();
    assert_eq!(f.reports.summary, Some(Some(PathBuf::from("out.md"))));
    assert_eq!(f.reports.junit, Some(PathBuf::from("r.xml")));
    assert_eq!(f.ids, ["12"]);
    let f = parse(&["12"]).unwrap();
    assert_eq!(f.reports.summary, None);
    assert_eq!(f.reports.junit, None);
}

#[test]
fn an_id_where_the_file_goes_is_a_usage_error() {
    for args in [&["--summary", "12", "13"][..], &["--junit", "12", "13"][..]] {
        let e = parse(args).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let text = e.to_string();
        assert!(text.contains("`12` looks like a package id"), "{text}");
        assert!(text.contains("./12"), "{text}");
    }
    let f = parse(&["--summary", "./12", "13"]).unwrap();
    assert_eq!(f.reports.summary, Some(Some(PathBuf::from("./12"))));
}

#[test]
fn summary_without_file_uses_the_step_summary_variable() {
    let args = ReportArgs {
        junit: None,
        summary: Some(None),
    };
    let t = targets(&args, Some("/tmp/step.md".into())).unwrap();
    assert_eq!(t.summary, Some(PathBuf::from("/tmp/step.md")));
    for unset in [None, Some(OsString::new())] {
        let e = targets(&args, unset).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        let r = e.render();
        assert!(r.message.contains("--summary") && r.message.contains(STEP_SUMMARY_VAR));
        assert!(r.hint.unwrap().contains("--summary=FILE"));
    }
    // A FILE wins over the variable.
    let args = ReportArgs {
        junit: None,
        summary: Some(Some("mine.md".into())),
    };
    let t = targets(&args, Some("/tmp/step.md".into())).unwrap();
    assert_eq!(t.summary, Some(PathBuf::from("mine.md")));
}

#[test]
fn a_directory_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let args = ReportArgs {
        junit: Some(dir.path().to_path_buf()),
        summary: None,
    };
    let e = targets(&args, None).unwrap_err();
    assert_eq!(e.exit(), Exit::Usage);
    assert!(e.render().message.starts_with("--junit "), "{e:?}");
    let args = ReportArgs {
        junit: None,
        summary: Some(Some(dir.path().to_path_buf())),
    };
    assert!(targets(&args, None)
        .unwrap_err()
        .render()
        .message
        .starts_with("--summary "));
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let args = ReportArgs {
        junit: Some(file.join("sub").join("deploy.xml")),
        summary: None,
    };
    let e = targets(&args, None).unwrap_err();
    assert_eq!(e.exit(), Exit::Usage);
    assert!(
        e.render().message.ends_with("/file is not a directory"),
        "{e:?}"
    );
    // A directory that does not exist yet is created when writing.
    let args = ReportArgs {
        junit: Some(dir.path().join("new").join("deploy.xml")),
        summary: Some(Some("relative.md".into())),
    };
    assert!(targets(&args, None).is_ok());
}

#[test]
fn files_are_written_atomically_and_summaries_appended() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("reports/deploy.xml");
    let md = dir.path().join("step.md");
    std::fs::write(&md, "earlier step\n").unwrap();
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    std::fs::write(&junit, "old report that is much longer than nothing").unwrap();
    let t = Targets {
        junit: Some(junit.clone()),
        summary: Some(md.clone()),
    };
    let r = run(vec![released("23", 300)]);
    write_to(&t, &r).unwrap();
    write_to(&t, &r).unwrap();
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(
        xml,
        crate::report::junit::render(&r),
        "replaced, not appended"
    );
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("earlier step\n"), "{text}");
    assert_eq!(text.matches("### dataarts-release deploy").count(), 2);
    // No temporary file is left next to the report.
    let names: Vec<String> = std::fs::read_dir(junit.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["deploy.xml"]);
}

#[test]
fn a_file_that_cannot_be_written_names_the_flag_and_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let t = Targets {
        junit: Some(blocker.join("deploy.xml")),
        summary: Some(blocker.join("step.md")),
    };
    let e = write_to(&t, &run(vec![released("23", 1)])).unwrap_err();
    assert_eq!(e.exit(), Exit::Local);
    let m = e.render().message;
    assert!(m.starts_with("--junit "), "{m}");
    assert!(
        m.contains("not-a-dir/deploy.xml: cannot write the JUnit report"),
        "{m}"
    );
    assert!(
        m.contains("--summary ") && m.contains("cannot write the Markdown summary"),
        "{m}"
    );
}

#[test]
fn finish_keeps_the_run_error_and_fails_an_ok_run() {
    let dir = tempfile::tempdir().unwrap();
    let bad = ReportArgs {
        junit: Some(dir.path().join("f").join("x.xml")),
        summary: None,
    };
    std::fs::write(dir.path().join("f"), "").unwrap();
    let r = run(vec![released("23", 1)]);
    let run_error = CliError::Input {
        message: "the run's own".into(),
        hint: None,
    };
    let e = finish(&bad, &r, Err(run_error)).unwrap_err();
    assert_eq!(e.render().message, "the run's own");
    let e = finish(&bad, &r, Ok(())).unwrap_err();
    assert_eq!(
        e.exit(),
        Exit::Local,
        "a local I/O failure, not a usage error: the run did send"
    );
    assert!(e.render().message.starts_with("--junit "));
    assert!(finish(&ReportArgs::default(), &r, Ok(())).is_ok());
}

#[test]
fn durations_and_bounds() {
    assert_eq!(seconds(Duration::from_millis(12_345)), "12.345");
    assert_eq!(seconds(Duration::from_micros(999)), "0.000");
    assert_eq!(human(Duration::from_millis(300)), "0.3s");
    assert_eq!(human(Duration::from_secs(125)), "2m05s");
    assert_eq!(human(Duration::from_secs(3720)), "1h02m");
    assert_eq!(bounded("abc", 3), "abc");
    assert_eq!(bounded("héllo", 2), "hé… (truncated)");
}
