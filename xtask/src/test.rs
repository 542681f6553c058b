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
//!    client) against them;
//! 5. the non-Rust steps, declared in one table (`EXTERNAL_STEPS` in `test/external.rs`):
//!    `lint`, `go-sdk`, `java-sdk`, `typescript`, `go-client`, `java-client`, `reference`. Each
//!    checks its toolchains, starts a fresh emulator with random credentials when it needs one,
//!    and runs its commands with the emulator's address and credentials in `DATAARTS_EMULATOR_*`.
//!
//! The emulator binary is built once per run. The `rust` and `conformance` steps run with
//! `DATAARTS_METADATA_ENDPOINT` pointing at a closed loopback port (unless the caller set it), so
//! no test can reach the real ECS metadata address.
//!
//! A failed step does not stop the independent ones after it; the summary lists every step,
//! its time, and the command that reruns just that step.

use std::time::{Duration, Instant};

use anyhow::bail;

use args::{parse_args, Step};
use cargo_steps::{cargo_test, conformance, validate_spec, SPEC};
use external::{external_step, run_external, Shared};
use venv::{prepare_venv, REQUIREMENTS, VENV_DIR};

mod args;
mod cargo_steps;
mod chromium;
mod emulator;
mod external;
mod toolchain;
mod venv;

const USAGE: &str = "\
usage: cargo xtask test [--only STEP[,STEP...]]... [--command-timeout SECS] [-- CARGO_TEST_ARGS...]

Runs every test: prepares the Python venv (.venv), validates openapi/deploy.yaml, runs
`cargo test --workspace`, the Python conformance suite against the emulator binary, then lints
the spec, runs the official Go and Java SDKs and the generated TypeScript, Go and Java clients
against a fresh emulator each, and checks the HTML API reference in headless Chromium.

steps (in this order):
  venv         create/refresh .venv from conformance/requirements.txt
  spec         openapi-spec-validator on openapi/deploy.yaml
  rust         cargo test --workspace
  conformance  the Python suite in conformance/ (official Python SDK, schemathesis, ...)
  lint         Spectral on openapi/deploy.yaml with openapi/.spectral.yaml: zero findings
  go-sdk       conformance/go-sdk: go test (the official Go SDK)
  java-sdk     conformance/java-sdk: mvn verify (the official Java SDK)
  typescript   examples/typescript: npm ci, npm test
  go-client    examples/go: go test
  java-client  examples/java: mvn verify
  reference    cargo xtask docs --check, then conformance/browser/reference.mjs in Chromium;
               screenshot in target/test-artifacts/api-reference.png
  groups: sdks = go-sdk,java-sdk; clients = typescript,go-client,java-client

options:
  --only STEP     run only these steps or groups (repeatable or comma-separated); spec and
                  conformance prepare the venv too
  --command-timeout SECS
                  how long each command but `cargo test` may run (pip, pytest, npm, apt-get,
                  go, mvn, node; default 600); one that takes longer is stopped with every
                  process it started, and its step fails
  -h, --help      print this help
  -- ARGS...      passed to `cargo test --workspace` verbatim, e.g. `-- -- --nocapture`;
                  with `-p NAME` among them only those packages are tested (no --workspace)

what it needs: Rust; Python 3.11+ with venv (venv, spec, conformance); Node.js 20+ with npm
(lint, typescript, reference); Go 1.24+ (go-sdk, go-client); a JDK 17+ and Maven 3.6.3+
(java-sdk, java-client); Chromium (reference: installed with apt-get when run as root on
Debian/Ubuntu). It downloads the pinned packages itself (PyPI, npm, the Go proxy, Maven Central);
a step whose toolchain is missing fails and says what to install.

environment:
  PYTHON          the interpreter that creates the venv (default: python3; 3.11 or newer)
  PYTEST_ADDOPTS  extra pytest arguments for the conformance step, e.g. `-k sdk -x`
  DATAARTS_METADATA_ENDPOINT
                  the ECS metadata address the tests see; default http://127.0.0.1:9 (a closed
                  loopback port), so no test ever reaches 169.254.169.254
  DATAARTS_CHROMIUM
                  the Chromium (or Chrome) executable for the reference step; default
                  `chromium` on PATH, then /usr/bin/chromium
  GOPROXY, GOPATH, GOCACHE, MAVEN_OPTS, npm's settings
                  used as you set them (the Go steps set GOFLAGS=-mod=readonly and
                  GOTOOLCHAIN=local)

go-sdk, java-sdk, the clients and reference start a fresh emulator each and pass
DATAARTS_EMULATOR_URL, _AK, _SK, _TOKEN, _PROJECT_ID and _WORKSPACE_ID to their tests; the
emulator's log (RUST_LOG, default warn,dataarts_emulator=debug) is in
target/test-artifacts/emulator-STEP.log.
";

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
    let mut shared = Shared::new(crate::workspace_root(), options.command_limit);
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
        let root = shared.root.clone();
        let result = match step {
            Step::Venv => prepare_venv(&root, options.command_limit),
            Step::Spec => validate_spec(&root, options.command_limit).map(|()| None),
            Step::Rust => cargo_test(&root, &options.cargo_test_args).map(|()| None),
            Step::Conformance => shared
                .emulator_binary()
                .and_then(|emulator| conformance(&root, &emulator, options.command_limit))
                .map(|()| None),
            other => match external_step(other) {
                Some(spec) => run_external(&mut shared, spec),
                None => Err(anyhow::anyhow!("step `{other}` has no entry in the table")),
            },
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
        other => external_step(other)
            .map(|s| s.what.to_string())
            .unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_lists_every_step_and_group() {
        for step in Step::ALL {
            assert!(
                USAGE.contains(&format!("\n  {:<12} ", step.name())),
                "USAGE does not describe `{step}`"
            );
        }
        for (group, steps) in args::GROUPS {
            let names: Vec<&str> = steps.iter().map(|s| s.name()).collect();
            assert!(
                USAGE.contains(&format!("{group} = {}", names.join(","))),
                "USAGE does not describe the group `{group}`"
            );
        }
    }
}
