//! Preparing the non-Rust toolchains' dependencies: npm packages from committed lock files.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

use crate::process::run_inherited;

/// Installs the npm packages of `dir` exactly as its committed `package-lock.json` pins them
/// (`npm ci`), unless `node_modules` already matches that lock file. Install scripts are not
/// run: none of our tools needs one, and some packages use them only to report telemetry.
/// `npm` is stopped if it runs longer than `limit`.
pub fn npm_ci(dir: &Path, limit: Duration) -> anyhow::Result<()> {
    let lock = dir.join("package-lock.json");
    let lock_text = std::fs::read(&lock)
        .with_context(|| format!("could not read {}: it pins the npm tools", lock.display()))?;
    // npm writes its view of the installed tree here; equal to our lock, nothing to do.
    let stamp = dir.join("node_modules").join(".xtask-lock-stamp");
    if std::fs::read(&stamp).ok().as_deref() == Some(&lock_text[..]) {
        return Ok(());
    }
    let root = crate::workspace_root();
    let shown = dir.strip_prefix(&root).unwrap_or(dir);
    println!(
        "$ (cd {} && npm ci --ignore-scripts --no-audit --no-fund)",
        shown.display()
    );
    run_inherited(
        Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .env("SCARF_ANALYTICS", "false")
            .current_dir(dir),
        &format!(
            "`npm ci` in {} (needs Node.js 20 or newer with npm)",
            shown.display()
        ),
        Some(limit),
    )?;
    std::fs::write(&stamp, &lock_text)
        .with_context(|| format!("could not write {}", stamp.display()))?;
    Ok(())
}
