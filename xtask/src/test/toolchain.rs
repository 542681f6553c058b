//! The non-Rust toolchains a step needs: found on PATH, new enough, or a message naming what to
//! install.

use std::collections::HashMap;
use std::process::Command;

use crate::process::capture;

/// A toolchain program one of the steps runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(super) enum Tool {
    Go,
    Java,
    Maven,
    Node,
    Npm,
}

/// A version as `major.minor.patch` (missing parts are 0).
pub(super) type Version = (u32, u32, u32);

impl Tool {
    /// What to call it in messages.
    pub(super) fn display(self) -> &'static str {
        match self {
            Tool::Go => "Go",
            Tool::Java => "a JDK",
            Tool::Maven => "Maven",
            Tool::Node => "Node.js",
            Tool::Npm => "npm",
        }
    }

    /// The command that prints its version.
    pub(super) fn version_command(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Tool::Go => ("go", &["version"]),
            Tool::Java => ("java", &["-version"]),
            Tool::Maven => ("mvn", &["-v"]),
            Tool::Node => ("node", &["--version"]),
            Tool::Npm => ("npm", &["--version"]),
        }
    }

    /// The oldest version the projects build with (their go.mod, pom.xml and package.json).
    pub(super) fn minimum(self) -> Version {
        match self {
            // examples/go's go.mod asks for 1.24 (conformance/go-sdk's for 1.22).
            Tool::Go => (1, 24, 0),
            Tool::Java => (17, 0, 0),
            // maven-compiler-plugin 3.13 and surefire 3.5 need Maven 3.6.3.
            Tool::Maven => (3, 6, 3),
            Tool::Node => (20, 0, 0),
            // lockfileVersion 3 (our package-lock.json files) needs npm 7; Node 20 ships npm 10.
            Tool::Npm => (9, 0, 0),
        }
    }

    /// What to install, and where from.
    pub(super) fn install_hint(self) -> &'static str {
        match self {
            Tool::Go => "install Go 1.24 or newer (https://go.dev/dl)",
            Tool::Java => {
                "install a JDK 17 or newer (Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless`, \
                 or https://adoptium.net)"
            }
            Tool::Maven => {
                "install Maven 3.6.3 or newer (Debian/Ubuntu: `apt-get install maven`, or \
                 https://maven.apache.org/download.cgi)"
            }
            Tool::Node => "install Node.js 20 or newer with npm (https://nodejs.org/en/download)",
            Tool::Npm => "install npm 9 or newer (it comes with Node.js 20: https://nodejs.org/en/download)",
        }
    }

    /// Reads the version from the output of [`Tool::version_command`] (stdout and stderr).
    pub(super) fn parse_version(self, output: &str) -> Option<Version> {
        match self {
            // `go version go1.26.8 linux/amd64`, `go version devel go1.24-abcdef ...`
            Tool::Go => output
                .split_whitespace()
                .filter_map(|w| w.strip_prefix("go"))
                .find_map(dotted),
            // `openjdk version "17.0.15" 2025-04-15`; the old scheme says "1.8.0_402" for 8.
            Tool::Java => {
                let quoted = output.split('"').nth(1)?;
                match dotted(quoted)? {
                    (1, minor, _) => Some((minor, 0, 0)),
                    v => Some(v),
                }
            }
            // `Apache Maven 3.8.7`, possibly wrapped in colour escapes and followed by a hash.
            Tool::Maven => {
                let rest = &output[output.find("Apache Maven ")? + "Apache Maven ".len()..];
                dotted(rest)
            }
            // `v20.20.2`
            Tool::Node => dotted(output.trim().trim_start_matches('v')),
            // `11.19.1`
            Tool::Npm => dotted(output.trim()),
        }
    }
}

/// Parses the leading `N[.N[.N]]` of `s`; `None` when it does not start with a digit.
fn dotted(s: &str) -> Option<Version> {
    let mut parts = [0u32; 3];
    let mut rest = s;
    for (i, part) in parts.iter_mut().enumerate() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            if i == 0 {
                return None;
            }
            break;
        }
        *part = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None => break,
        }
    }
    Some((parts[0], parts[1], parts[2]))
}

fn show(v: Version) -> String {
    format!("{}.{}.{}", v.0, v.1, v.2)
}

/// Judges one toolchain from what its version command did: `None` when it could not be started,
/// else whether it exited successfully and what it printed. `Ok` is the version to show.
pub(super) fn judge(tool: Tool, ran: Option<(bool, &str)>) -> Result<String, String> {
    let (program, args) = tool.version_command();
    let shown = format!("`{program} {}`", args.join(" "));
    let Some((success, output)) = ran else {
        return Err(format!(
            "{} not found ({shown} could not start): {}",
            tool.display(),
            tool.install_hint()
        ));
    };
    if !success {
        let first = output.lines().next().unwrap_or_default();
        return Err(format!("{shown} failed ({first}): {}", tool.install_hint()));
    }
    match tool.parse_version(output) {
        Some(v) if v < tool.minimum() => Err(format!(
            "{} {} is too old: {}",
            tool.display(),
            show(v),
            tool.install_hint()
        )),
        Some(v) => Ok(format!("{program} {}", show(v))),
        // A build that words its version differently: let the step itself find out.
        None => Ok(format!("{program} (version not recognised)")),
    }
}

/// The `go` directive of a go.mod file: the oldest Go that builds the module.
pub(super) fn go_directive(go_mod: &str) -> Option<Version> {
    go_mod
        .lines()
        .find_map(|l| l.trim().strip_prefix("go ").and_then(|v| dotted(v.trim())))
}

/// Fails when the installed Go (`installed`) is older than the `go` directive of `go_mod`, the
/// text of the file `label`. The steps run with `GOTOOLCHAIN=local`: Go never fetches a newer
/// toolchain by itself.
pub(super) fn check_go_module(
    installed: Option<Version>,
    label: &str,
    go_mod: &str,
) -> Result<(), String> {
    match (installed, go_directive(go_mod)) {
        (Some(have), Some(need)) if have < need => Err(format!(
            "{label} needs Go {} or newer, but `go` is {}: install Go {}.{} or newer (https://go.dev/dl)",
            show(need),
            show(have),
            need.0,
            need.1
        )),
        _ => Ok(()),
    }
}

/// Runs the version command of `tool` and judges it.
fn probe(tool: Tool) -> Result<String, String> {
    let (program, args) = tool.version_command();
    let out = capture(Command::new(program).args(args));
    let text = out.as_ref().map(|o| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    judge(
        tool,
        out.as_ref()
            .zip(text.as_deref())
            .map(|(o, t)| (o.status.success(), t)),
    )
}

/// The toolchains checked so far in this run (each is probed once).
#[derive(Default)]
pub(super) struct Toolchains {
    seen: HashMap<Tool, Result<String, String>>,
}

impl Toolchains {
    /// Checks `tools`; `Ok` lists their versions, `Err` names every missing or too old one and
    /// what to install (its first line says which, for the summary).
    pub(super) fn check(&mut self, tools: &[Tool]) -> anyhow::Result<String> {
        let results: Vec<(Tool, Result<String, String>)> = tools
            .iter()
            .map(|&t| (t, self.seen.entry(t).or_insert_with(|| probe(t)).clone()))
            .collect();
        missing_message(&results).map_err(anyhow::Error::msg)
    }

    /// The version of a tool already checked, when it was recognised.
    pub(super) fn version(&self, tool: Tool) -> Option<Version> {
        let label = self.seen.get(&tool)?.as_ref().ok()?;
        dotted(label.split_once(' ')?.1)
    }
}

/// `Ok(versions)` when every tool is usable, else one message naming the missing ones first.
pub(super) fn missing_message(
    results: &[(Tool, Result<String, String>)],
) -> Result<String, String> {
    let missing: Vec<(Tool, &String)> = results
        .iter()
        .filter_map(|(t, r)| r.as_ref().err().map(|e| (*t, e)))
        .collect();
    if missing.is_empty() {
        let versions: Vec<&str> = results
            .iter()
            .filter_map(|(_, r)| r.as_deref().ok())
            .collect();
        return Ok(versions.join(", "));
    }
    let names: Vec<&str> = missing.iter().map(|(t, _)| t.display()).collect();
    let details: Vec<&str> = missing.iter().map(|(_, e)| e.as_str()).collect();
    Err(format!(
        "missing toolchain: {}; {}",
        names.join(", "),
        details.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_each_tools_own_wording() {
        assert_eq!(
            Tool::Go.parse_version("go version go1.26.8 linux/amd64\n"),
            Some((1, 26, 8))
        );
        assert_eq!(
            Tool::Go.parse_version("go version devel go1.24-0a1b2c Tue linux/amd64"),
            Some((1, 24, 0))
        );
        assert_eq!(
            Tool::Java.parse_version(
                "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)\n"
            ),
            Some((17, 0, 15))
        );
        assert_eq!(
            Tool::Java.parse_version("openjdk version \"21\" 2023-09-19"),
            Some((21, 0, 0))
        );
        assert_eq!(
            Tool::Java.parse_version("java version \"1.8.0_402\""),
            Some((8, 0, 0))
        );
        assert_eq!(
            Tool::Maven.parse_version(
                "\u{1b}[1mApache Maven 3.9.9 (8e8579a9)\u{1b}[m\nMaven home: /usr/share/maven"
            ),
            Some((3, 9, 9))
        );
        assert_eq!(Tool::Node.parse_version("v20.20.2\n"), Some((20, 20, 2)));
        assert_eq!(Tool::Npm.parse_version("11.19.1\n"), Some((11, 19, 1)));
        assert_eq!(Tool::Node.parse_version("node: command broken"), None);
    }

    #[test]
    fn a_missing_tool_names_what_to_install() {
        let e = judge(Tool::Go, None).unwrap_err();
        assert!(
            e.starts_with("Go not found (`go version` could not start)"),
            "{e}"
        );
        assert!(
            e.contains("install Go 1.24 or newer (https://go.dev/dl)"),
            "{e}"
        );
        let e = judge(Tool::Maven, None).unwrap_err();
        assert!(e.contains("apt-get install maven"), "{e}");
        let e = judge(
            Tool::Java,
            Some((false, "Unable to locate a Java Runtime\n")),
        )
        .unwrap_err();
        assert!(
            e.contains("`java -version` failed (Unable to locate a Java Runtime)"),
            "{e}"
        );
        assert!(e.contains("JDK 17"), "{e}");
    }

    #[test]
    fn a_too_old_tool_is_refused_and_a_new_one_accepted() {
        let e = judge(Tool::Node, Some((true, "v18.19.0\n"))).unwrap_err();
        assert_eq!(
            e,
            "Node.js 18.19.0 is too old: install Node.js 20 or newer with npm (https://nodejs.org/en/download)"
        );
        let e = judge(
            Tool::Java,
            Some((true, "openjdk version \"11.0.2\" 2019-01-15")),
        )
        .unwrap_err();
        assert!(e.starts_with("a JDK 11.0.2 is too old"), "{e}");
        assert_eq!(
            judge(Tool::Go, Some((true, "go version go1.24.0 linux/amd64"))),
            Ok("go 1.24.0".to_string())
        );
        assert!(
            judge(Tool::Go, Some((true, "go version go1.22.5 linux/amd64")))
                .unwrap_err()
                .starts_with("Go 1.22.5 is too old")
        );
        assert_eq!(
            judge(Tool::Npm, Some((true, "something else"))),
            Ok("npm (version not recognised)".to_string())
        );
    }

    #[test]
    fn a_go_module_newer_than_the_installed_go_is_refused() {
        let go_mod = "module example.com/x\n\ngo 1.24.0\n\nrequire github.com/a/b v1.0.0\n";
        assert_eq!(go_directive(go_mod), Some((1, 24, 0)));
        assert_eq!(go_directive("module x\n"), None);
        let e = check_go_module(Some((1, 22, 5)), "examples/go/go.mod", go_mod).unwrap_err();
        assert_eq!(
            e,
            "examples/go/go.mod needs Go 1.24.0 or newer, but `go` is 1.22.5: install Go 1.24 or newer (https://go.dev/dl)"
        );
        assert_eq!(check_go_module(Some((1, 26, 8)), "go.mod", go_mod), Ok(()));
        assert_eq!(check_go_module(None, "go.mod", go_mod), Ok(()));
        let mut t = Toolchains::default();
        t.seen.insert(Tool::Go, Ok("go 1.26.8".into()));
        t.seen
            .insert(Tool::Npm, Ok("npm (version not recognised)".into()));
        assert_eq!(t.version(Tool::Go), Some((1, 26, 8)));
        assert_eq!(t.version(Tool::Npm), None);
        assert_eq!(t.version(Tool::Java), None);
    }

    #[test]
    fn the_step_message_lists_every_missing_toolchain_first() {
        let results = vec![
            (Tool::Java, judge(Tool::Java, None)),
            (
                Tool::Maven,
                judge(Tool::Maven, Some((true, "Apache Maven 3.8.7"))),
            ),
            (Tool::Go, judge(Tool::Go, None)),
        ];
        let e = missing_message(&results).unwrap_err();
        assert!(e.starts_with("missing toolchain: a JDK, Go; "), "{e}");
        assert!(e.contains("adoptium") && e.contains("go.dev/dl"), "{e}");
        assert!(!e.contains("Maven 3.6.3"), "{e}");
        let ok = vec![
            (Tool::Node, Ok("node 20.20.2".to_string())),
            (Tool::Npm, Ok("npm 11.19.1".to_string())),
        ];
        assert_eq!(
            missing_message(&ok),
            Ok("node 20.20.2, npm 11.19.1".to_string())
        );
    }
}
