//! Running the tools a step needs.

use std::process::{Command, Stdio};

use anyhow::{bail, Context};

/// Runs a command with inherited stdio and fails with `what` when it exits non-zero.
pub(super) fn run_inherited(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start {what} ({cmd:?})"))?;
    if !status.success() {
        bail!("{what} exited with {status}");
    }
    Ok(())
}

/// Runs a command and captures stdout+stderr; `Ok(None)` when it could not be started.
pub(super) fn capture(cmd: &mut Command) -> Option<std::process::Output> {
    cmd.stdin(Stdio::null()).output().ok()
}
