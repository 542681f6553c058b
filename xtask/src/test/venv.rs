//! The `venv` step: a Python virtual environment with the pinned conformance tools.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::process::{capture, run_inherited};

/// The venv, relative to the workspace root.
pub(super) const VENV_DIR: &str = ".venv";
/// The pinned Python requirements, relative to the workspace root.
pub(super) const REQUIREMENTS: &str = "conformance/requirements.txt";
/// Inside the venv: what the last successful `pip install` installed.
const STAMP: &str = ".xtask-requirements.stamp";
/// The oldest Python the pinned requirements support (schemathesis and openapi-python-client).
const MIN_PYTHON: (u32, u32) = (3, 11);

pub(super) fn venv_python(root: &Path) -> PathBuf {
    root.join(VENV_DIR).join("bin").join("python")
}

pub(super) fn venv_bin(root: &Path, name: &str) -> PathBuf {
    root.join(VENV_DIR).join("bin").join(name)
}

fn python_version(python: &Path) -> Option<(u32, u32, String)> {
    let out = capture(Command::new(python).args([
        "-c",
        "import sys; print('%d %d %s' % (sys.version_info[0], sys.version_info[1], sys.version.split()[0]))",
    ]))?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let full = parts.next()?.to_string();
    Some((major, minor, full))
}

/// Creates (or repairs) the venv and installs the pinned requirements unless the stamp matches.
pub(super) fn prepare_venv(root: &Path, limit: Duration) -> anyhow::Result<Option<String>> {
    let base_python = std::env::var_os("PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let venv = root.join(VENV_DIR);
    let python = venv_python(root);

    // A venv is usable when its interpreter runs and has pip; a half-made one (ensurepip missing
    // when it was created) or one whose base interpreter went away is rebuilt.
    let usable = python_version(&python).is_some()
        && capture(Command::new(&python).args(["-m", "pip", "--version"]))
            .is_some_and(|o| o.status.success());
    let mut created = false;
    if !usable {
        let (major, minor, full) = python_version(&base_python).with_context(|| {
            format!(
                "could not run `{}`: install Python {}.{}+ (Debian: `apt-get install python3 python3-venv python3-pip`) \
                 or point PYTHON at an interpreter",
                base_python.display(),
                MIN_PYTHON.0,
                MIN_PYTHON.1
            )
        })?;
        if (major, minor) < MIN_PYTHON {
            bail!(
                "`{}` is Python {full}, but the pinned tools need {}.{} or newer; point PYTHON at a newer interpreter",
                base_python.display(),
                MIN_PYTHON.0,
                MIN_PYTHON.1
            );
        }
        let has_ensurepip =
            capture(Command::new(&base_python).args(["-c", "import ensurepip, venv"]))
                .is_some_and(|o| o.status.success());
        if !has_ensurepip {
            bail!(
                "`{}` (Python {full}) cannot create a venv with pip: its `ensurepip` module is missing. \
                 On Debian/Ubuntu run `apt-get install python3-venv` (for this version: `apt-get install python{major}.{minor}-venv`), \
                 then rerun `cargo xtask test --only venv`",
                base_python.display()
            );
        }
        if venv.exists() {
            println!(
                "{VENV_DIR} exists but is not usable (no working python or pip); recreating it"
            );
            std::fs::remove_dir_all(&venv)
                .with_context(|| format!("removing the broken {}", venv.display()))?;
        }
        println!(
            "creating {VENV_DIR} with {} (Python {full})",
            base_python.display()
        );
        run_inherited(
            Command::new(&base_python)
                .args(["-m", "venv"])
                .arg(&venv)
                .current_dir(root),
            "`python3 -m venv .venv`",
            Some(limit),
        )?;
        created = true;
    }

    let (_, _, venv_full) = python_version(&python).context("the venv's python does not run")?;
    let requirements = std::fs::read_to_string(root.join(REQUIREMENTS))
        .with_context(|| format!("reading {REQUIREMENTS}"))?;
    let stamp_text = format!("python {venv_full}\n{requirements}");
    let stamp = venv.join(STAMP);
    if !created && std::fs::read_to_string(&stamp).is_ok_and(|s| s == stamp_text) {
        return Ok(Some(format!(
            "Python {venv_full}; {REQUIREMENTS} unchanged, pip install skipped"
        )));
    }

    // Forget the old stamp first, so an interrupted install is redone next time.
    let _ = std::fs::remove_file(&stamp);
    println!("installing the pinned packages from {REQUIREMENTS} into {VENV_DIR} (needs PyPI)");
    run_inherited(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                "-r",
            ])
            .arg(root.join(REQUIREMENTS))
            .current_dir(root),
        "`pip install -r conformance/requirements.txt` (is PyPI reachable?)",
        Some(limit),
    )?;
    std::fs::write(&stamp, stamp_text).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(Some(format!(
        "Python {venv_full}; installed {REQUIREMENTS}"
    )))
}
