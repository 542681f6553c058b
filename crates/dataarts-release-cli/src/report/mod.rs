//! CI reports of a `deploy` run: `--junit FILE` (JUnit XML, one test case per package) and
//! `--summary [FILE]` (a Markdown section appended to a file, by default GitHub's step summary).
//!
//! The command fills a [`RunReport`] as far as it knows (also when interrupted or timed out)
//! and calls [`write()`]; [`check`] runs before anything is sent so that a report that could not
//! be written stops the run while it is still harmless.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::exit::CliError;

mod file;
mod junit;
mod summary;

/// The environment variable GitHub Actions sets to the current step's summary file.
pub const STEP_SUMMARY_VAR: &str = "GITHUB_STEP_SUMMARY";

/// CI report flags, flattened into `deploy`'s arguments.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "CI reports")]
pub struct ReportArgs {
    /// Write a JUnit XML report to FILE: one test case per package, a failure for each one not
    /// released (also written when the run is interrupted or times out).
    #[arg(long, value_name = "FILE", value_parser = report_path)]
    pub junit: Option<PathBuf>,
    /// Append a Markdown summary to FILE; with no FILE, to $GITHUB_STEP_SUMMARY (set in
    /// every GitHub Actions step). Put it after the ids, or write --summary=FILE.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        value_parser = report_path
    )]
    pub summary: Option<Option<PathBuf>>,
}

/// What a run did, as far as it is known when the reports are written.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The command line as the user would retype it (no secrets ever come from flags).
    pub command: String,
    /// When the run started (wall clock, for the report's timestamp).
    pub started: SystemTime,
    /// How long the run took.
    pub elapsed: Duration,
    /// `--dry-run`: nothing was sent; the rows are a plan.
    pub dry_run: bool,
    /// The signal that interrupted the run (`SIGINT`, `SIGTERM`), if one did.
    pub interrupted: Option<String>,
    /// The wait gave up (`--timeout`) before every release ended.
    pub timed_out: bool,
    /// One entry per requested package, in the order requested.
    pub packages: Vec<PackageReport>,
}

/// What happened to one package.
#[derive(Debug, Clone)]
pub struct PackageReport {
    /// The release package id.
    pub package_id: String,
    /// The JSON `result` key: `released`, `releasing`, `already_released`, `failed`,
    /// `refused`, `unknown`, `not_sent`, `would_release`, ...
    pub result: String,
    /// Why it was not released, when known: `not_found`, `already_released`, `releasing`,
    /// `revoked`, `failed`, `awaiting_review`.
    pub reason: Option<String>,
    /// Whether the package reached the goal under the flags given.
    pub ok: bool,
    /// What the service said, or what else there is to know (one or more lines).
    pub detail: Option<String>,
    /// The release's system task, when it has one.
    pub task_id: Option<String>,
    /// How long this package took, from the start of the run to its last known state.
    pub elapsed: Duration,
}

impl PackageReport {
    /// Its release was (last seen) running.
    fn is_running(&self) -> bool {
        self.result == "releasing" || self.reason.as_deref() == Some("releasing")
    }
}

/// How a package shows in a CI report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Reached the goal.
    Passed,
    /// Did not reach the goal.
    Failed,
    /// Nothing was tried for it: a dry run's plan, or an id never sent.
    Skipped,
}

impl RunReport {
    /// A release still running counts as reaching the goal unless the run waited for it: then
    /// a timed-out wait makes it a failure, and an interrupted one leaves it skipped.
    fn verdict(&self, p: &PackageReport) -> Verdict {
        if p.result == "not_sent" {
            Verdict::Skipped
        } else if !p.ok {
            Verdict::Failed
        } else if self.dry_run {
            Verdict::Skipped
        } else if p.is_running() && self.timed_out {
            Verdict::Failed
        } else if p.is_running() && self.interrupted.is_some() {
            Verdict::Skipped
        } else {
            Verdict::Passed
        }
    }

    fn count(&self, v: Verdict) -> usize {
        self.packages
            .iter()
            .filter(|p| self.verdict(p) == v)
            .count()
    }

    /// Each result key with its number of packages, most frequent first (then by name).
    fn totals(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for p in &self.packages {
            *counts.entry(p.result.as_str()).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(k, n)| (bounded(k, MAX_KEY_CHARS), n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// The sentences that explain an interrupted, timed-out or dry run.
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(signal) = &self.interrupted {
            notes.push(format!(
                "The run was interrupted by {}: no new batch was sent; releases already accepted \
                 continue on the service. Run the same command again to resume.",
                bounded(signal, MAX_KEY_CHARS)
            ));
        }
        if self.timed_out {
            notes.push(
                "The wait timed out: releases still running continue on the service. Run the \
                 same command again (with --wait) to see them end."
                    .to_string(),
            );
        }
        if self.dry_run {
            notes.push(
                "Dry run: nothing was released; each row is what a run would do.".to_string(),
            );
        }
        notes
    }
}

/// The longest result key, reason or signal name we write.
const MAX_KEY_CHARS: usize = 64;

/// `text` cut to at most `max` characters, marked when cut.
fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}… (truncated)", &text[..end]),
    }
}

/// Seconds with millisecond precision, as JUnit readers expect (`12.345`).
fn seconds(d: Duration) -> String {
    format!("{}.{:03}", d.as_secs(), d.subsec_millis())
}

/// A short human duration: `0.3s`, `12.0s`, `2m05s`, `1h02m`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{}.{}s", s, d.subsec_millis() / 100)
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

/// Where the reports go, once the flags and the environment are read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Targets {
    junit: Option<PathBuf>,
    summary: Option<PathBuf>,
}

fn targets(args: &ReportArgs, step_summary: Option<OsString>) -> Result<Targets, CliError> {
    let summary = match &args.summary {
        None => None,
        Some(Some(file)) => Some(file.clone()),
        Some(None) => match step_summary.filter(|v| !v.is_empty()) {
            Some(v) => Some(PathBuf::from(v)),
            None => {
                return Err(CliError::Input {
                    message: format!(
                        "--summary was given without a FILE and {STEP_SUMMARY_VAR} is not set"
                    ),
                    hint: Some(format!(
                        "give a file (--summary=FILE), or set {STEP_SUMMARY_VAR} \
                         (GitHub Actions sets it in every step)"
                    )),
                })
            }
        },
    };
    for (flag, path) in [("--junit", &args.junit), ("--summary", &summary)] {
        if let Some(p) = path {
            if p.is_dir() {
                return Err(CliError::Input {
                    message: format!("{flag} {}: is a directory", p.display()),
                    hint: Some(format!("give {flag} a file path")),
                });
            }
            // The nearest existing ancestor must be a directory to create the file in.
            if let Some(a) = p.ancestors().skip(1).find(|a| a.exists()) {
                if !a.is_dir() {
                    return Err(CliError::Input {
                        message: format!(
                            "{flag} {}: {} is not a directory",
                            p.display(),
                            a.display()
                        ),
                        hint: Some(format!("give {flag} a path in a directory")),
                    });
                }
            }
        }
    }
    Ok(Targets {
        junit: args.junit.clone(),
        summary,
    })
}

fn step_summary_env() -> Option<OsString> {
    std::env::var_os(STEP_SUMMARY_VAR)
}

/// Checks the report flags before anything is sent: `--summary` without FILE needs
/// `GITHUB_STEP_SUMMARY`, and neither path may be a directory (exit 2 otherwise).
pub fn check(args: &ReportArgs) -> Result<(), CliError> {
    targets(args, step_summary_env()).map(|_| ())
}

/// Writes the reports the flags ask for: the JUnit file atomically (a run interrupted while
/// writing never leaves half a file), the Markdown summary appended (the step summary file is
/// shared by every step of a job). Both are tried; the first failure is returned, naming the
/// flag and the path.
pub fn write(args: &ReportArgs, run: &RunReport) -> Result<(), CliError> {
    // After a run, a bad target is a local failure: exit 2 would claim that nothing was sent.
    let targets = targets(args, step_summary_env()).map_err(|e| {
        let r = e.render();
        CliError::Local(match r.hint {
            Some(h) => format!("{} ({h})", r.message),
            None => r.message,
        })
    })?;
    write_to(&targets, run)
}

fn write_to(targets: &Targets, run: &RunReport) -> Result<(), CliError> {
    let mut errors = Vec::new();
    if let Some(path) = &targets.junit {
        if let Err(e) = file::replace(path, junit::render(run).as_bytes()) {
            errors.push(local("--junit", path, "the JUnit report", &e));
        }
    }
    if let Some(path) = &targets.summary {
        if let Err(e) = file::append(path, summary::render(run).as_bytes()) {
            errors.push(local("--summary", path, "the Markdown summary", &e));
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(CliError::Local(errors.remove(0))),
        _ => Err(CliError::Local(errors.join("; "))),
    }
}

fn local(flag: &str, path: &Path, what: &str, e: &std::io::Error) -> String {
    let mut s = String::new();
    let _ = write!(s, "{flag} {}: cannot write {what}: {e}", path.display());
    s
}

/// Writes the reports, then returns the run's own result: a report that could not be written
/// fails a run that otherwise succeeded; after a failed run its error is printed and the run's
/// error (and exit code) is kept.
pub fn finish(
    args: &ReportArgs,
    run: &RunReport,
    result: Result<(), CliError>,
) -> Result<(), CliError> {
    match (write(args, run), result) {
        (Ok(()), r) => r,
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(run_error)) => {
            use std::io::Write;
            let _ = std::io::stderr()
                .lock()
                .write_all(e.render().lines().as_bytes());
            Err(run_error)
        }
    }
}

/// `--junit` and `--summary` values: a package id given by mistake where the FILE goes
/// (`--summary 12 13`) is refused rather than becoming a file named `12`.
fn report_path(value: &str) -> Result<PathBuf, String> {
    if value.is_empty() {
        return Err("the file name is empty".into());
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{value}` looks like a package id, not a file: put the ids before the flag, or \
             write ./{value} for a file of that name"
        ));
    }
    Ok(PathBuf::from(value))
}

#[cfg(test)]
mod tests;
