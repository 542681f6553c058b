//! `cargo xtask test`: everything the README's test command promises, on a fresh machine.
//!
//! Steps, in order:
//!
//! 1. `venv`: create or refresh `<root>/.venv` and install `conformance/requirements.txt` into it
//!    (skipped when a stamp file shows the requirements and the interpreter unchanged);
//! 2. `spec`: validate `openapi/deploy.yaml` with `openapi-spec-validator`;
//! 3. `rust`: `cargo test --workspace`, with any extra arguments passed through;
//! 4. `conformance`: build the emulator and CLI binaries and the signing test-vector example, and
//!    run the Python suite in `conformance/` (official Huawei SDK, schemathesis, a generated Python
//!    client) against them.
//!
//! The `rust` and `conformance` steps run with `DATAARTS_METADATA_ENDPOINT` pointing at a closed
//! loopback port (unless the caller set it), so no test can reach the real ECS metadata address.
//!
//! A failed step does not stop the independent ones after it; the summary lists every step,
//! its time, and the command that reruns just that step.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use process::run_inherited;
use venv::{prepare_venv, venv_bin, venv_python, REQUIREMENTS, VENV_DIR};

mod process;
mod venv;

const USAGE: &str = "\
usage: cargo xtask test [--only STEP[,STEP...]]... [-- CARGO_TEST_ARGS...]

Runs every test: prepares the Python venv (.venv), validates openapi/deploy.yaml, runs
`cargo test --workspace`, then the Python conformance suite against the emulator binary.

options:
  --only STEP     run only these steps (repeatable or comma-separated); STEP is one of
                  venv, spec, rust, conformance (spec and conformance prepare the venv too)
  -h, --help      print this help
  -- ARGS...      passed to `cargo test --workspace` verbatim, e.g. `-- -- --nocapture`;
                  with `-p NAME` among them only those packages are tested (no --workspace)

environment:
  PYTHON          the interpreter that creates the venv (default: python3; 3.11 or newer)
  PYTEST_ADDOPTS  extra pytest arguments for the conformance step, e.g. `-k sdk -x`
  DATAARTS_METADATA_ENDPOINT
                  the ECS metadata address the tests see; default http://127.0.0.1:9 (a closed
                  loopback port), so no test ever reaches 169.254.169.254
";

/// The spec, relative to the workspace root.
const SPEC: &str = crate::codegen::SPEC_PATH;
/// The conformance suite, relative to the workspace root.
const CONFORMANCE_DIR: &str = "conformance";
/// The variable that overrides the ECS metadata address in the library, the CLI and the tests.
const METADATA_ENV: &str = "DATAARTS_METADATA_ENDPOINT";
/// Where the tests' metadata traffic goes unless the caller chose: a closed loopback port (the
/// discard port, nothing listens there), so a test that falls through to the metadata source
/// fails fast instead of reaching `http://169.254.169.254`.
const CLOSED_METADATA_ENDPOINT: &str = "http://127.0.0.1:9";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Venv,
    Spec,
    Rust,
    Conformance,
}

impl Step {
    const ALL: [Step; 4] = [Step::Venv, Step::Spec, Step::Rust, Step::Conformance];

    fn name(self) -> &'static str {
        match self {
            Step::Venv => "venv",
            Step::Spec => "spec",
            Step::Rust => "rust",
            Step::Conformance => "conformance",
        }
    }

    fn parse(s: &str) -> anyhow::Result<Step> {
        Step::ALL
            .into_iter()
            .find(|step| step.name() == s)
            .with_context(|| {
                format!("unknown step `{s}`: expected one of venv, spec, rust, conformance")
            })
    }

    fn needs_venv(self) -> bool {
        matches!(self, Step::Venv | Step::Spec | Step::Conformance)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Options {
    steps: Vec<Step>,
    cargo_test_args: Vec<String>,
    help: bool,
}

fn parse_args(args: &[&str]) -> anyhow::Result<Options> {
    let mut only: Vec<Step> = Vec::new();
    let mut cargo_test_args = Vec::new();
    let mut help = false;
    let mut iter = args.iter();
    while let Some(&arg) = iter.next() {
        match arg {
            "--" => {
                cargo_test_args.extend(iter.by_ref().map(|s| s.to_string()));
            }
            "-h" | "--help" => help = true,
            "--only" => {
                let value = iter
                    .next()
                    .context("`--only` needs a step: venv, spec, rust or conformance")?;
                for part in value.split(',').filter(|p| !p.is_empty()) {
                    only.push(Step::parse(part)?);
                }
            }
            _ if arg.starts_with("--only=") => {
                for part in arg["--only=".len()..].split(',').filter(|p| !p.is_empty()) {
                    only.push(Step::parse(part)?);
                }
            }
            other => bail!(
                "unknown argument `{other}` (put arguments for `cargo test` after `--`)\n\n{USAGE}"
            ),
        }
    }
    let steps = if only.is_empty() {
        Step::ALL.to_vec()
    } else {
        // Run in the canonical order; the venv comes first whenever a selected step needs it.
        let needs_venv = only.iter().any(|s| s.needs_venv());
        Step::ALL
            .into_iter()
            .filter(|s| only.contains(s) || (*s == Step::Venv && needs_venv))
            .collect()
    };
    Ok(Options {
        steps,
        cargo_test_args,
        help,
    })
}

enum Outcome {
    Passed(Option<String>),
    Failed(anyhow::Error),
    Skipped(&'static str),
}

struct Report {
    step: Step,
    outcome: Outcome,
    elapsed: Duration,
}

/// Runs the whole test suite (or the selected steps).
pub fn run(args: &[&str]) -> anyhow::Result<()> {
    let options = parse_args(args)?;
    if options.help {
        print!("{USAGE}");
        return Ok(());
    }
    let root = crate::workspace_root();
    let mut reports: Vec<Report> = Vec::new();
    let mut venv_ok = true;
    let total = Instant::now();

    for &step in &options.steps {
        if step != Step::Venv && step.needs_venv() && !venv_ok {
            reports.push(Report {
                step,
                outcome: Outcome::Skipped("the venv step failed"),
                elapsed: Duration::ZERO,
            });
            continue;
        }
        banner(step);
        let started = Instant::now();
        let result = match step {
            Step::Venv => prepare_venv(&root),
            Step::Spec => validate_spec(&root).map(|()| None),
            Step::Rust => cargo_test(&root, &options.cargo_test_args).map(|()| None),
            Step::Conformance => conformance(&root).map(|()| None),
        };
        let elapsed = started.elapsed();
        let outcome = match result {
            Ok(note) => Outcome::Passed(note),
            Err(e) => {
                eprintln!("\nxtask test: step `{step}` failed: {e:#}");
                if step == Step::Venv {
                    venv_ok = false;
                }
                Outcome::Failed(e)
            }
        };
        reports.push(Report {
            step,
            outcome,
            elapsed,
        });
    }

    print_summary(&reports, total.elapsed());
    let failed: Vec<&str> = reports
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Passed(_)))
        .map(|r| r.step.name())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        bail!(
            "{} of {} steps did not succeed ({}); see the summary above",
            failed.len(),
            reports.len(),
            failed.join(", ")
        )
    }
}

fn banner(step: Step) {
    let what = match step {
        Step::Venv => format!("Python venv ({VENV_DIR}) from {REQUIREMENTS}"),
        Step::Spec => format!("validate {SPEC} with openapi-spec-validator"),
        Step::Rust => "cargo test --workspace".to_string(),
        Step::Conformance => {
            "conformance suite (official SDK, schemathesis, generated client) against the emulator"
                .into()
        }
    };
    println!("\n==> [{step}] {what}");
}

fn rerun_hint(step: Step) -> String {
    format!("cargo xtask test --only {step}")
}

fn print_summary(reports: &[Report], total: Duration) {
    println!("\n==> cargo xtask test: summary");
    for r in reports {
        let (status, detail) = match &r.outcome {
            Outcome::Passed(note) => ("ok", note.clone().unwrap_or_default()),
            Outcome::Failed(e) => {
                let first = format!("{e:#}");
                let first = first.lines().next().unwrap_or_default().to_string();
                (
                    "FAILED",
                    format!("{first}\n{:>26}rerun: {}", "", rerun_hint(r.step)),
                )
            }
            Outcome::Skipped(why) => ("skipped", format!("{why}; rerun: {}", rerun_hint(r.step))),
        };
        println!(
            "  {:<12} {:<8} {:>7.1}s  {detail}",
            r.step.name(),
            status,
            r.elapsed.as_secs_f64()
        );
    }
    // Worded so that CI's test-count reader never takes step counts for test counts: the last
    // runner line it sees stays pytest's (or cargo test's).
    let not_passed: Vec<&str> = reports
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Passed(_)))
        .map(|r| r.step.name())
        .collect();
    let secs = total.as_secs_f64();
    if not_passed.is_empty() {
        println!(
            "cargo xtask test: every step succeeded ({} of them, {secs:.1}s)",
            reports.len()
        );
    } else {
        println!(
            "cargo xtask test: FAILED, {} of {} steps did not succeed: {} ({secs:.1}s)",
            not_passed.len(),
            reports.len(),
            not_passed.join(", ")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// spec

fn validate_spec(root: &Path) -> anyhow::Result<()> {
    run_inherited(
        Command::new(venv_bin(root, "openapi-spec-validator"))
            .arg(SPEC)
            .current_dir(root),
        "openapi-spec-validator on openapi/deploy.yaml",
    )
}

// ---------------------------------------------------------------------------------------------
// rust

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The `cargo test` arguments: `--workspace` unless the extra arguments pick packages themselves
/// (with `--workspace`, cargo would ignore `-p` and test everything).
fn cargo_test_args(extra: &[String]) -> Vec<String> {
    let picks_packages = extra.iter().take_while(|a| a.as_str() != "--").any(|a| {
        a == "-p"
            || a == "--package"
            || a.starts_with("--package=")
            || (a.starts_with("-p") && a.len() > 2)
    });
    let mut args = vec!["test".to_string()];
    if !picks_packages {
        args.push("--workspace".into());
    }
    args.extend(extra.iter().cloned());
    args
}

fn cargo_test(root: &Path, extra: &[String]) -> anyhow::Result<()> {
    let args = cargo_test_args(extra);
    let shown = format!("cargo {}", args.join(" "));
    println!("$ {shown}");
    let mut cmd = cargo();
    cmd.args(&args).current_dir(root);
    keep_metadata_on_loopback(&mut cmd);
    run_inherited(&mut cmd, &format!("`{shown}`"))
}

/// The metadata address to set for a test run: the closed loopback port unless the caller's
/// environment already names one (`current` is the caller's value of [`METADATA_ENV`]).
fn metadata_endpoint_for_tests(current: Option<&std::ffi::OsStr>) -> Option<&'static str> {
    match current {
        Some(_) => None,
        None => Some(CLOSED_METADATA_ENDPOINT),
    }
}

/// Points the command's metadata source at [`CLOSED_METADATA_ENDPOINT`] unless the caller chose.
fn keep_metadata_on_loopback(cmd: &mut Command) {
    if let Some(endpoint) = metadata_endpoint_for_tests(std::env::var_os(METADATA_ENV).as_deref()) {
        println!("  ({METADATA_ENV}={endpoint}: no test reaches the real metadata service)");
        cmd.env(METADATA_ENV, endpoint);
    }
}

// ---------------------------------------------------------------------------------------------
// conformance

/// What [`build_executable`] builds: a binary target or an example of a package.
#[derive(Clone, Copy)]
enum Target<'a> {
    Bin(&'a str),
    Example(&'a str),
}

impl Target<'_> {
    fn flag(self) -> &'static str {
        match self {
            Target::Bin(_) => "--bin",
            Target::Example(_) => "--example",
        }
    }

    fn name(&self) -> &str {
        match self {
            Target::Bin(name) | Target::Example(name) => name,
        }
    }
}

/// Builds one binary or example of the workspace and returns its path, as cargo reports it.
fn build_executable(root: &Path, package: &str, target: Target<'_>) -> anyhow::Result<PathBuf> {
    let (flag, bin) = (target.flag(), target.name());
    println!("$ cargo build -p {package} {flag} {bin}");
    let output = cargo()
        .args([
            "build",
            "-p",
            package,
            flag,
            bin,
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("could not start `cargo build`")?;
    if !output.status.success() {
        bail!(
            "`cargo build -p {package} {flag} {bin}` exited with {}",
            output.status
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    executable(&stdout, bin)
        .with_context(|| format!("cargo built {package} but reported no executable `{bin}`"))
}

/// Finds the executable of the binary target `bin` in cargo's JSON messages.
fn executable(messages: &str, bin: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bin)
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .next_back()
}

fn conformance(root: &Path) -> anyhow::Result<()> {
    let emulator = build_executable(root, "dataarts-emulator", Target::Bin("dataarts-emulator"))?;
    // The CLI too: the JUnit report test runs the real `dataarts-release deploy`.
    let cli = build_executable(
        root,
        "dataarts-release-cli",
        Target::Bin("dataarts-release"),
    )?;
    // test_signing_interop.py has the official SDK's verifiers check the signatures this example
    // makes with our signer (path in DATAARTS_SIGN_VECTORS_BIN).
    let sign_vectors = build_executable(root, "dataarts-signing", Target::Example("sign_vectors"))?;
    println!(
        "$ .venv/bin/python -m pytest {CONFORMANCE_DIR}   (emulator: {}, CLI: {}, sign_vectors: {})",
        emulator.display(),
        cli.display(),
        sign_vectors.display()
    );
    let mut pytest = Command::new(venv_python(root));
    pytest
        .args([
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-ra",
            CONFORMANCE_DIR,
        ])
        .env("DATAARTS_EMULATOR_BIN", &emulator)
        .env("DATAARTS_RELEASE_BIN", &cli)
        .env("DATAARTS_SIGN_VECTORS_BIN", &sign_vectors)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(root);
    keep_metadata_on_loopback(&mut pytest);
    let status = pytest
        .status()
        .context("could not start pytest from the venv")?;
    match status.code() {
        Some(0) => Ok(()),
        Some(5) => bail!("pytest collected no tests in {CONFORMANCE_DIR}/"),
        _ => bail!(
            "the Python conformance suite failed (pytest exited with {status}); the report is above. \
             One test only: PYTEST_ADDOPTS='-k NAME' cargo xtask test --only conformance"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_arguments_run_every_step() {
        let o = parse_args(&[]).unwrap();
        assert_eq!(o.steps, Step::ALL.to_vec());
        assert!(o.cargo_test_args.is_empty());
    }

    #[test]
    fn only_adds_the_venv_where_needed_and_keeps_the_order() {
        assert_eq!(
            parse_args(&["--only", "rust"]).unwrap().steps,
            vec![Step::Rust]
        );
        assert_eq!(
            parse_args(&["--only", "spec"]).unwrap().steps,
            vec![Step::Venv, Step::Spec]
        );
        assert_eq!(
            parse_args(&["--only", "conformance,rust"]).unwrap().steps,
            vec![Step::Venv, Step::Rust, Step::Conformance]
        );
        assert_eq!(
            parse_args(&["--only=venv"]).unwrap().steps,
            vec![Step::Venv]
        );
    }

    #[test]
    fn arguments_after_the_separator_go_to_cargo_test() {
        let o = parse_args(&["--only", "rust", "--", "-p", "xtask", "--", "--nocapture"]).unwrap();
        assert_eq!(o.cargo_test_args, ["-p", "xtask", "--", "--nocapture"]);
    }

    #[test]
    fn cargo_test_runs_the_workspace_unless_packages_are_picked() {
        let args = |extra: &[&str]| {
            cargo_test_args(&extra.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(args(&[]), ["test", "--workspace"]);
        assert_eq!(
            args(&["--", "--nocapture"]),
            ["test", "--workspace", "--", "--nocapture"]
        );
        assert_eq!(args(&["-p", "xtask"]), ["test", "-p", "xtask"]);
        assert_eq!(args(&["--package=xtask"]), ["test", "--package=xtask"]);
        assert_eq!(args(&["--", "-p"]), ["test", "--workspace", "--", "-p"]);
    }

    #[test]
    fn unknown_steps_and_arguments_are_errors() {
        assert!(
            format!("{:#}", parse_args(&["--only", "lint"]).unwrap_err()).contains("unknown step")
        );
        assert!(format!("{:#}", parse_args(&["--fast"]).unwrap_err()).contains("after `--`"));
    }

    #[test]
    fn tests_see_a_closed_loopback_metadata_endpoint_unless_one_is_set() {
        assert_eq!(
            metadata_endpoint_for_tests(None),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            metadata_endpoint_for_tests(Some(std::ffi::OsStr::new("http://127.0.0.1:4242"))),
            None
        );
    }

    #[test]
    fn binary_paths_come_from_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"dataarts-signing"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"dataarts-emulator"},"executable":"/t/debug/dataarts-emulator"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable(messages, "dataarts-emulator"),
            Some(PathBuf::from("/t/debug/dataarts-emulator"))
        );
        assert_eq!(executable(messages, "dataarts-release"), None);
        let example = r#"{"reason":"compiler-artifact","target":{"name":"sign_vectors","kind":["example"]},"executable":"/t/debug/examples/sign_vectors"}"#;
        assert_eq!(
            executable(example, "sign_vectors"),
            Some(PathBuf::from("/t/debug/examples/sign_vectors"))
        );
        assert_eq!(
            executable("{\"reason\":\"build-finished\"}", "dataarts-emulator"),
            None
        );
    }
}
