//! The `spec`, `rust` and `conformance` steps, and building the workspace's binaries for tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};

use crate::process::{run_inherited, run_within};

use super::venv::{venv_bin, venv_python};

/// The spec, relative to the workspace root.
pub(super) const SPEC: &str = crate::codegen::SPEC_PATH;
/// The conformance suite, relative to the workspace root.
const CONFORMANCE_DIR: &str = "conformance";
/// The variable that overrides the ECS metadata address in the library, the CLI and the tests.
const METADATA_ENV: &str = "DATAARTS_METADATA_ENDPOINT";
/// Where the tests' metadata traffic goes unless the caller chose: a closed loopback port (the
/// discard port, nothing listens there), so a test that falls through to the metadata source
/// fails fast instead of reaching `http://169.254.169.254`.
const CLOSED_METADATA_ENDPOINT: &str = "http://127.0.0.1:9";

// ---------------------------------------------------------------------------------------------
// spec

pub(super) fn validate_spec(root: &Path, limit: Duration) -> anyhow::Result<()> {
    run_inherited(
        Command::new(venv_bin(root, "openapi-spec-validator"))
            .arg(SPEC)
            .current_dir(root),
        "openapi-spec-validator on openapi/deploy.yaml",
        Some(limit),
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

pub(super) fn cargo_test(root: &Path, extra: &[String]) -> anyhow::Result<()> {
    let args = cargo_test_args(extra);
    let shown = format!("cargo {}", args.join(" "));
    println!("$ {shown}");
    let mut cmd = cargo();
    cmd.args(&args).current_dir(root);
    keep_metadata_on_loopback(&mut cmd);
    // No limit: how long the workspace takes to build depends on the machine and its caches.
    run_inherited(&mut cmd, &format!("`{shown}`"), None)
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
pub(super) fn keep_metadata_on_loopback(cmd: &mut Command) {
    if let Some(endpoint) = metadata_endpoint_for_tests(std::env::var_os(METADATA_ENV).as_deref()) {
        println!("  ({METADATA_ENV}={endpoint}: no test reaches the real metadata service)");
        cmd.env(METADATA_ENV, endpoint);
    }
}

// ---------------------------------------------------------------------------------------------
// building binaries

/// What [`build_executable`] builds: a binary target or an example of a package.
#[derive(Clone, Copy)]
pub(super) enum Target<'a> {
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
pub(super) fn build_executable(
    root: &Path,
    package: &str,
    target: Target<'_>,
) -> anyhow::Result<PathBuf> {
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

// ---------------------------------------------------------------------------------------------
// conformance

/// Runs the Python suite against the emulator binary `emulator` (built once per run).
pub(super) fn conformance(root: &Path, emulator: &Path, limit: Duration) -> anyhow::Result<()> {
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
        .env("DATAARTS_EMULATOR_BIN", emulator)
        .env("DATAARTS_RELEASE_BIN", &cli)
        .env("DATAARTS_SIGN_VECTORS_BIN", &sign_vectors)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(root);
    keep_metadata_on_loopback(&mut pytest);
    let status = run_within(&mut pytest, "pytest from the venv", Some(limit))?;
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
