//! Helpers shared by the integration tests: locating (and if needed building) the CLI binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf()
}

/// The newest modification time of any file under `dir` (recursively).
fn newest(dir: &Path) -> Option<SystemTime> {
    let mut best = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let t = if path.is_dir() {
            newest(&path)
        } else {
            entry.metadata().ok().and_then(|m| m.modified().ok())
        };
        best = best.max(t);
    }
    best
}

/// `target/debug/dataarts-release`, used as is when it is newer than every source it is
/// built from, else built with `cargo build -p dataarts-release-cli`. Never skipped: a build
/// failure fails the test.
pub fn cli_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = workspace_root();
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let target = if target.is_absolute() {
            target
        } else {
            root.join(target)
        };
        let bin = target
            .join("debug")
            .join(format!("dataarts-release{}", std::env::consts::EXE_SUFFIX));
        let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
        let sources = [
            "crates/dataarts-release-cli",
            "crates/dataarts-release",
            "crates/dataarts-release-raw",
            "crates/dataarts-signing",
            "crates/dataarts-emulator",
        ]
        .iter()
        .filter_map(|d| newest(&root.join(d)))
        .max();
        if let (Some(b), Some(s)) = (built, sources) {
            if b > s {
                return bin;
            }
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "dataarts-release-cli",
                "--bin",
                "dataarts-release",
            ])
            .current_dir(&root)
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "cargo build -p dataarts-release-cli failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bin = target
            .join("debug")
            .join(format!("dataarts-release{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} missing after the build", bin.display());
        bin
    })
}

/// A `Command` for the CLI with a clean environment (only PATH and a private HOME), so
/// nothing from the machine running the tests leaks in.
pub fn cli(home: &Path) -> Command {
    let mut c = Command::new(cli_bin());
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("NO_COLOR", "1");
    c
}
