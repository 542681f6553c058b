//! Finding the Chromium the `reference` step drives headless, and installing Debian's package
//! when the run is allowed to.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::bail;

use crate::process::{capture, run_inherited};

/// The variable that names the browser executable (read here, passed on to the browser check).
pub(super) const CHROMIUM_ENV: &str = "DATAARTS_CHROMIUM";
/// Looked up on PATH, in this order.
const NAMES: &[&str] = &["chromium", "chromium-browser"];
/// Debian's location, for a PATH without /usr/bin.
const DEBIAN_PATH: &str = "/usr/bin/chromium";
/// What a root run installs; fonts-liberation is only recommended by the package, but without
/// any font the screenshot shows no text.
const APT_PACKAGES: &[&str] = &["chromium", "fonts-liberation"];

/// Finds the browser: `configured` is the value of [`CHROMIUM_ENV`], `path` the value of PATH,
/// `is_file` tells whether an executable file exists. `Ok(None)`: not found anywhere.
pub(super) fn find_chromium(
    configured: Option<&OsStr>,
    path: Option<&OsStr>,
    is_file: &dyn Fn(&Path) -> bool,
) -> Result<Option<PathBuf>, String> {
    if let Some(configured) = configured.filter(|c| !c.is_empty()) {
        let candidate = PathBuf::from(configured);
        return if is_file(&candidate) {
            Ok(Some(candidate))
        } else {
            Err(format!(
                "{CHROMIUM_ENV} is {}, but that file does not exist: point it at a Chromium or \
                 Chrome executable, or unset it to use `chromium` from PATH",
                candidate.display()
            ))
        };
    }
    let found = NAMES.iter().find_map(|name| on_path(name, path, is_file));
    Ok(found.or_else(|| Some(PathBuf::from(DEBIAN_PATH)).filter(|p| is_file(p))))
}

/// The first `dir/name` of the PATH value `path` that `is_file` accepts.
fn on_path(name: &str, path: Option<&OsStr>, is_file: &dyn Fn(&Path) -> bool) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|candidate| is_file(candidate))
}

/// The apt-get commands that install the browser (shown to the user, and run as root).
pub(super) fn apt_commands() -> [Vec<&'static str>; 2] {
    let mut install = vec!["apt-get", "install", "-y", "-q", "--no-install-recommends"];
    install.extend(APT_PACKAGES);
    [vec!["apt-get", "update", "-q"], install]
}

fn shell_line(sudo: &str) -> String {
    let [update, install] = apt_commands();
    format!(
        "{sudo}{} && {sudo}DEBIAN_FRONTEND=noninteractive {}",
        update.join(" "),
        install.join(" ")
    )
}

/// What to do when no browser was found: `Ok(())` to install it with apt-get (running as root
/// with apt-get available), else the message to fail with.
pub(super) fn install_plan(is_root: bool, has_apt: bool) -> Result<(), String> {
    match (is_root, has_apt) {
        (true, true) => Ok(()),
        (false, true) => Err(format!(
            "Chromium not found (set {CHROMIUM_ENV}, or put `chromium` on PATH): install it with \
             `{}`, or rerun `cargo xtask test --only reference` as root and it installs it",
            shell_line("sudo ")
        )),
        (_, false) => Err(format!(
            "Chromium not found (set {CHROMIUM_ENV}, or put `chromium` on PATH): install Chromium \
             or Google Chrome with your package manager and set {CHROMIUM_ENV} to its executable"
        )),
    }
}

/// Whether the effective user id in `/proc/self/status` text is 0.
fn effective_uid_is_root(status: &str) -> Option<bool> {
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    let effective = line.split_whitespace().nth(2)?;
    Some(effective == "0")
}

fn is_root() -> bool {
    if let Some(root) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| effective_uid_is_root(&s))
    {
        return root;
    }
    capture(Command::new("id").arg("-u"))
        .is_some_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn is_executable_file(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

fn locate() -> Result<Option<PathBuf>, String> {
    let configured: Option<OsString> = std::env::var_os(CHROMIUM_ENV);
    find_chromium(
        configured.as_deref(),
        std::env::var_os("PATH").as_deref(),
        &is_executable_file,
    )
}

/// Finds the browser, or installs Debian's when running as root with apt-get; otherwise fails
/// with the command to run.
pub(super) fn ensure_chromium(limit: Duration) -> anyhow::Result<PathBuf> {
    if let Some(found) = locate().map_err(anyhow::Error::msg)? {
        println!("  Chromium: {}", found.display());
        return Ok(found);
    }
    let has_apt = on_path(
        "apt-get",
        std::env::var_os("PATH").as_deref(),
        &is_executable_file,
    )
    .is_some();
    install_plan(is_root(), has_apt).map_err(anyhow::Error::msg)?;
    println!(
        "Chromium not found; installing Debian's package (about a minute):\n$ {}",
        shell_line("")
    );
    for argv in apt_commands() {
        run_inherited(
            Command::new(argv[0])
                .args(&argv[1..])
                .env("DEBIAN_FRONTEND", "noninteractive"),
            &format!("`{}`", argv.join(" ")),
            Some(limit),
        )?;
    }
    match locate().map_err(anyhow::Error::msg)? {
        Some(found) => {
            println!("  Chromium: {}", found.display());
            Ok(found)
        }
        None => bail!(
            "apt-get installed chromium, but no `chromium` is on PATH or at {DEBIAN_PATH}: set {CHROMIUM_ENV}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exists_only(paths: &'static [&'static str]) -> impl Fn(&Path) -> bool {
        move |p: &Path| paths.iter().any(|q| Path::new(q) == p)
    }

    #[test]
    fn the_variable_wins_and_must_name_an_existing_file() {
        let files = exists_only(&["/opt/chrome/chrome", "/usr/bin/chromium"]);
        assert_eq!(
            find_chromium(
                Some(OsStr::new("/opt/chrome/chrome")),
                Some(OsStr::new("/usr/bin")),
                &files
            ),
            Ok(Some(PathBuf::from("/opt/chrome/chrome")))
        );
        let e = find_chromium(
            Some(OsStr::new("/nope/chromium")),
            Some(OsStr::new("/usr/bin")),
            &files,
        )
        .unwrap_err();
        assert!(e.contains("DATAARTS_CHROMIUM is /nope/chromium"), "{e}");
        // Empty counts as unset.
        assert_eq!(
            find_chromium(Some(OsStr::new("")), Some(OsStr::new("/usr/bin")), &files),
            Ok(Some(PathBuf::from("/usr/bin/chromium")))
        );
    }

    #[test]
    fn path_is_searched_in_order_then_debians_location() {
        let files = exists_only(&["/b/chromium", "/a/chromium-browser", "/usr/bin/chromium"]);
        assert_eq!(
            find_chromium(None, Some(OsStr::new("/a:/b")), &files),
            Ok(Some(PathBuf::from("/b/chromium")))
        );
        let files = exists_only(&["/a/chromium-browser", "/usr/bin/chromium"]);
        assert_eq!(
            find_chromium(None, Some(OsStr::new("/x:/a")), &files),
            Ok(Some(PathBuf::from("/a/chromium-browser")))
        );
        let files = exists_only(&["/usr/bin/chromium"]);
        assert_eq!(
            find_chromium(None, Some(OsStr::new("/x")), &files),
            Ok(Some(PathBuf::from("/usr/bin/chromium")))
        );
        assert_eq!(find_chromium(None, None, &exists_only(&[])), Ok(None));
    }

    #[test]
    fn only_root_with_apt_installs_and_everyone_else_is_told_what_to_run() {
        assert_eq!(install_plan(true, true), Ok(()));
        let e = install_plan(false, true).unwrap_err();
        assert!(
            e.contains("sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium"),
            "{e}"
        );
        assert!(e.contains("as root"), "{e}");
        let e = install_plan(true, false).unwrap_err();
        assert!(e.contains("set DATAARTS_CHROMIUM"), "{e}");
        assert!(!e.contains("apt-get"), "{e}");
    }

    #[test]
    fn root_is_the_effective_uid() {
        assert_eq!(
            effective_uid_is_root("Name:\txtask\nUid:\t1000\t0\t0\t0\nGid:\t0\n"),
            Some(true)
        );
        assert_eq!(
            effective_uid_is_root("Uid:\t0\t1000\t1000\t1000\n"),
            Some(false)
        );
        assert_eq!(effective_uid_is_root("Name:\txtask\n"), None);
    }
}
