//! The steps that test the non-Rust parts (lint, the official Go and Java SDKs, the generated
//! clients, the browser check of the API reference), declared in one table: [`EXTERNAL_STEPS`].

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};

use super::args::Step;
use super::cargo_steps::{build_executable, Target};
use super::chromium::{ensure_chromium, CHROMIUM_ENV};
use super::emulator::RunningEmulator;
use super::toolchain::{check_go_module, Tool, Toolchains};
use crate::process::run_inherited;

/// Where steps leave logs and screenshots, relative to the workspace root.
pub(super) const ARTIFACTS_DIR: &str = "target/test-artifacts";

/// One thing a step does, in order.
#[derive(Debug)]
pub(super) enum Action {
    /// `npm ci --ignore-scripts` in this directory (skipped when `node_modules` already matches
    /// the committed lock file).
    NpmCi(&'static str),
    /// `cargo xtask docs --check`: the generated API reference is fresh.
    DocsCheck,
    /// Find Chromium (install Debian's as root); later commands get it in `DATAARTS_CHROMIUM`.
    Chromium,
    /// Run `argv` in `dir` (relative to the root). A program with a `/` is relative to `dir`.
    Run {
        dir: &'static str,
        argv: &'static [&'static str],
    },
}

/// A step of the table: what it needs and does.
#[derive(Debug)]
pub(super) struct ExternalStep {
    pub(super) step: Step,
    /// Shown in the step's banner.
    pub(super) what: &'static str,
    /// Checked before anything runs; a missing one fails the step with what to install.
    pub(super) tools: &'static [Tool],
    /// Start a fresh emulator before the first `Run` and pass it in `DATAARTS_EMULATOR_*`.
    pub(super) emulator: bool,
    /// Extra environment for every `Run`.
    pub(super) env: &'static [(&'static str, &'static str)],
    pub(super) actions: &'static [Action],
}

const NODE: &[Tool] = &[Tool::Node, Tool::Npm];
const GO: &[Tool] = &[Tool::Go];
const JAVA: &[Tool] = &[Tool::Java, Tool::Maven];
const GO_TEST: &[&str] = &["go", "test", "-count=1", "./..."];
const MVN_VERIFY: &[&str] = &["mvn", "-B", "-ntp", "-q", "verify"];

/// Every non-Rust step: the one place to change what they run.
pub(super) const EXTERNAL_STEPS: &[ExternalStep] = &[
    ExternalStep {
        step: Step::Lint,
        what: "Spectral lint of openapi/deploy.yaml (openapi/.spectral.yaml, zero findings)",
        tools: NODE,
        emulator: false,
        env: &[],
        actions: &[
            Action::NpmCi("tools/node"),
            Action::Run {
                dir: "tools/node",
                argv: &[
                    "node_modules/.bin/spectral",
                    "lint",
                    "--ruleset",
                    "../../openapi/.spectral.yaml",
                    "--fail-severity=hint",
                    "../../openapi/deploy.yaml",
                ],
            },
        ],
    },
    ExternalStep {
        step: Step::GoSdk,
        what: "the official Huawei Go SDK against the emulator (conformance/go-sdk)",
        tools: GO,
        emulator: true,
        env: &[],
        actions: &[Action::Run {
            dir: "conformance/go-sdk",
            argv: GO_TEST,
        }],
    },
    ExternalStep {
        step: Step::JavaSdk,
        what: "the official Huawei Java SDK against the emulator (conformance/java-sdk)",
        tools: JAVA,
        emulator: true,
        env: &[],
        actions: &[Action::Run {
            dir: "conformance/java-sdk",
            argv: MVN_VERIFY,
        }],
    },
    ExternalStep {
        step: Step::Typescript,
        what: "the generated TypeScript client against the emulator (examples/typescript)",
        tools: NODE,
        emulator: true,
        env: &[],
        actions: &[
            Action::NpmCi("examples/typescript"),
            Action::Run {
                dir: "examples/typescript",
                argv: &["npm", "test"],
            },
        ],
    },
    ExternalStep {
        step: Step::GoClient,
        what: "the generated Go client against the emulator (examples/go)",
        tools: GO,
        emulator: true,
        env: &[],
        actions: &[Action::Run {
            dir: "examples/go",
            argv: GO_TEST,
        }],
    },
    ExternalStep {
        step: Step::JavaClient,
        what: "the generated Java client against the emulator (examples/java)",
        tools: JAVA,
        emulator: true,
        env: &[],
        actions: &[Action::Run {
            dir: "examples/java",
            argv: MVN_VERIFY,
        }],
    },
    ExternalStep {
        step: Step::Reference,
        what: "the HTML API reference: fresh, and served by the emulator to headless Chromium",
        tools: NODE,
        emulator: true,
        env: &[(
            "DATAARTS_SCREENSHOT",
            "target/test-artifacts/api-reference.png",
        )],
        actions: &[
            Action::NpmCi("tools/node"),
            Action::DocsCheck,
            Action::Chromium,
            Action::Run {
                dir: ".",
                argv: &["node", "conformance/browser/reference.mjs"],
            },
        ],
    },
];

/// The table's entry for `step`, if it is one of the non-Rust steps.
pub(super) fn external_step(step: Step) -> Option<&'static ExternalStep> {
    EXTERNAL_STEPS.iter().find(|s| s.step == step)
}

/// Environment every program of a toolchain gets: reproducible Go builds from the committed
/// go.sum with the installed Go (no automatic toolchain download); no telemetry from npm
/// packages. The user's GOPROXY, GOPATH and caches are kept.
fn toolchain_env(tool: Tool) -> &'static [(&'static str, &'static str)] {
    match tool {
        Tool::Go => &[("GOFLAGS", "-mod=readonly"), ("GOTOOLCHAIN", "local")],
        Tool::Node | Tool::Npm => &[
            ("SCARF_ANALYTICS", "false"),
            ("NPM_CONFIG_UPDATE_NOTIFIER", "false"),
        ],
        Tool::Java | Tool::Maven => &[],
    }
}

/// The no-proxy list for the test processes: the caller's (`current`) plus the loopback names,
/// so a proxy from the environment never sits between a test and the emulator.
fn loopback_no_proxy(current: Option<&OsStr>) -> OsString {
    let current = current
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut entries: Vec<&str> = current
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    for loopback in ["127.0.0.1", "localhost"] {
        if !entries.contains(&loopback) {
            entries.push(loopback);
        }
    }
    entries.join(",").into()
}

/// The environment a `Run` of `spec` gets on top of the caller's. `no_proxy` is the caller's
/// `NO_PROXY` (or `no_proxy`).
pub(super) fn step_env(
    spec: &ExternalStep,
    emulator: &[(&'static str, String)],
    chromium: Option<&Path>,
    no_proxy: Option<&OsStr>,
) -> Vec<(&'static str, OsString)> {
    let mut env: Vec<(&'static str, OsString)> = Vec::new();
    for &tool in spec.tools {
        for &(k, v) in toolchain_env(tool) {
            if !env.iter().any(|(n, _)| *n == k) {
                env.push((k, v.into()));
            }
        }
    }
    env.extend(spec.env.iter().map(|&(k, v)| (k, OsString::from(v))));
    env.extend(emulator.iter().map(|(k, v)| (*k, OsString::from(v))));
    if let Some(chromium) = chromium {
        env.push((CHROMIUM_ENV, chromium.as_os_str().to_owned()));
    }
    let no_proxy = loopback_no_proxy(no_proxy);
    env.push(("NO_PROXY", no_proxy.clone()));
    env.push(("no_proxy", no_proxy));
    env
}

/// How a `Run` is shown: `(cd DIR && ARGV...)`.
pub(super) fn shown(dir: &str, argv: &[&str]) -> String {
    if dir == "." {
        argv.join(" ")
    } else {
        format!("(cd {dir} && {})", argv.join(" "))
    }
}

/// What the steps of one run share: the emulator binary (built once), the toolchain checks and
/// the time limit of each command.
pub(super) struct Shared {
    pub(super) root: PathBuf,
    /// How long each command of a step may run (`--command-timeout`).
    command_limit: Duration,
    emulator_binary: Option<Result<PathBuf, String>>,
    toolchains: Toolchains,
}

impl Shared {
    pub(super) fn new(root: PathBuf, command_limit: Duration) -> Shared {
        Shared {
            root,
            command_limit,
            emulator_binary: None,
            toolchains: Toolchains::default(),
        }
    }

    /// The debug `dataarts-emulator` binary, built the first time a step asks for it.
    pub(super) fn emulator_binary(&mut self) -> anyhow::Result<PathBuf> {
        let root = &self.root;
        self.emulator_binary
            .get_or_insert_with(|| {
                build_executable(root, "dataarts-emulator", Target::Bin("dataarts-emulator"))
                    .map_err(|e| format!("{e:#}"))
            })
            .clone()
            .map_err(|e| anyhow!("the emulator binary did not build: {e}"))
    }
}

/// `cargo xtask docs --check`: the vendored reference files and the spec copies are fresh.
fn docs_check() -> anyhow::Result<()> {
    println!("$ cargo xtask docs --check");
    crate::docs::run(&["--check"])
}

/// Runs one step of the table; `Ok` carries the toolchain versions for the summary.
pub(super) fn run_external(
    shared: &mut Shared,
    spec: &ExternalStep,
) -> anyhow::Result<Option<String>> {
    let root = shared.root.clone();
    let versions = shared.toolchains.check(spec.tools)?;
    println!("  toolchains: {versions}");
    let artifacts = root.join(ARTIFACTS_DIR);
    std::fs::create_dir_all(&artifacts)
        .with_context(|| format!("creating {}", artifacts.display()))?;

    let mut chromium: Option<PathBuf> = None;
    let mut emulator: Option<RunningEmulator> = None;
    let caller_no_proxy = std::env::var_os("NO_PROXY").or_else(|| std::env::var_os("no_proxy"));
    for action in spec.actions {
        match action {
            Action::NpmCi(dir) => crate::tools::npm_ci(&root.join(dir), shared.command_limit)?,
            Action::DocsCheck => docs_check()?,
            Action::Chromium => chromium = Some(ensure_chromium(shared.command_limit)?),
            Action::Run { dir, argv } => {
                let cwd = root.join(dir);
                if !cwd.is_dir() {
                    bail!("{dir}/ does not exist (needed by `{}`)", argv.join(" "));
                }
                if argv[0] == "go" {
                    if let Ok(go_mod) = std::fs::read_to_string(cwd.join("go.mod")) {
                        let label = format!("{dir}/go.mod");
                        check_go_module(shared.toolchains.version(Tool::Go), &label, &go_mod)
                            .map_err(anyhow::Error::msg)?;
                    }
                }
                if spec.emulator && emulator.is_none() {
                    let binary = shared.emulator_binary()?;
                    let log = artifacts.join(format!("emulator-{}.log", spec.step));
                    emulator = Some(RunningEmulator::start(&binary, &log)?);
                }
                let emulator_env = emulator.as_ref().map(|e| e.env()).unwrap_or_default();
                let program = if argv[0].contains('/') {
                    cwd.join(argv[0])
                } else {
                    PathBuf::from(argv[0])
                };
                let shown = shown(dir, argv);
                println!("$ {shown}");
                let mut cmd = Command::new(program);
                cmd.args(&argv[1..]).current_dir(&cwd).envs(step_env(
                    spec,
                    &emulator_env,
                    chromium.as_deref(),
                    caller_no_proxy.as_deref(),
                ));
                if let Err(e) =
                    run_inherited(&mut cmd, &format!("`{shown}`"), Some(shared.command_limit))
                {
                    if let Some(emulator) = emulator.as_mut() {
                        emulator.report_failure();
                    }
                    return Err(e);
                }
            }
        }
    }
    Ok(Some(versions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_covers_each_non_rust_step_once_in_run_order() {
        let steps: Vec<Step> = EXTERNAL_STEPS.iter().map(|s| s.step).collect();
        let expected: Vec<Step> = Step::ALL
            .into_iter()
            .filter(|s| !matches!(s, Step::Venv | Step::Spec | Step::Rust | Step::Conformance))
            .collect();
        assert_eq!(steps, expected);
        for step in Step::ALL {
            assert_eq!(
                external_step(step).is_some(),
                expected.contains(&step),
                "{step}"
            );
        }
    }

    #[test]
    fn every_step_runs_something_with_the_toolchains_it_checks() {
        for spec in EXTERNAL_STEPS {
            let runs: Vec<&[&str]> = spec
                .actions
                .iter()
                .filter_map(|a| match a {
                    Action::Run { argv, .. } => Some(*argv),
                    _ => None,
                })
                .collect();
            assert!(!runs.is_empty(), "{}: nothing to run", spec.step);
            for argv in runs {
                let needs = match argv[0] {
                    "go" => Some(Tool::Go),
                    "mvn" => Some(Tool::Maven),
                    "npm" => Some(Tool::Npm),
                    "node" => Some(Tool::Node),
                    p if p.starts_with("node_modules/") => Some(Tool::Node),
                    _ => None,
                };
                let needs =
                    needs.unwrap_or_else(|| panic!("{}: unknown program {}", spec.step, argv[0]));
                assert!(
                    spec.tools.contains(&needs),
                    "{}: runs {} unchecked",
                    spec.step,
                    argv[0]
                );
                if argv[0] == "mvn" {
                    assert!(argv.contains(&"-B") && argv.contains(&"-ntp"), "{argv:?}");
                }
            }
            let npm_ci = spec.actions.iter().any(|a| matches!(a, Action::NpmCi(_)));
            assert!(!npm_ci || spec.tools.contains(&Tool::Npm), "{}", spec.step);
        }
        let lint = external_step(Step::Lint).unwrap();
        assert!(!lint.emulator);
        assert!(matches!(lint.actions[0], Action::NpmCi("tools/node")));
        let reference = external_step(Step::Reference).unwrap();
        let chromium_at = reference
            .actions
            .iter()
            .position(|a| matches!(a, Action::Chromium));
        let run_at = reference
            .actions
            .iter()
            .position(|a| matches!(a, Action::Run { .. }));
        assert!(
            chromium_at < run_at,
            "Chromium must be found before the browser check"
        );
    }

    #[test]
    fn the_step_environment_holds_the_emulator_toolchain_and_loopback_settings() {
        let go = external_step(Step::GoSdk).unwrap();
        let emu = vec![("DATAARTS_EMULATOR_URL", "http://127.0.0.1:7".to_string())];
        let env = step_env(go, &emu, None, Some(OsStr::new("corp.example, localhost")));
        let get = |env: &[(&str, OsString)], k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string_lossy().into_owned())
        };
        assert_eq!(get(&env, "GOFLAGS").as_deref(), Some("-mod=readonly"));
        assert_eq!(get(&env, "GOTOOLCHAIN").as_deref(), Some("local"));
        assert_eq!(get(&env, "GOPROXY"), None, "the user's GOPROXY is kept");
        assert_eq!(
            get(&env, "DATAARTS_EMULATOR_URL").as_deref(),
            Some("http://127.0.0.1:7")
        );
        assert_eq!(
            get(&env, "NO_PROXY").as_deref(),
            Some("corp.example,localhost,127.0.0.1")
        );
        assert_eq!(get(&env, "no_proxy"), get(&env, "NO_PROXY"));
        assert_eq!(get(&env, "SCARF_ANALYTICS"), None);
        assert_eq!(get(&env, CHROMIUM_ENV), None);

        let reference = external_step(Step::Reference).unwrap();
        let env = step_env(reference, &[], Some(Path::new("/usr/bin/chromium")), None);
        assert_eq!(
            get(&env, "DATAARTS_CHROMIUM").as_deref(),
            Some("/usr/bin/chromium")
        );
        assert_eq!(
            get(&env, "DATAARTS_SCREENSHOT").as_deref(),
            Some("target/test-artifacts/api-reference.png")
        );
        assert_eq!(get(&env, "SCARF_ANALYTICS").as_deref(), Some("false"));
        assert_eq!(
            get(&env, "NO_PROXY").as_deref(),
            Some("127.0.0.1,localhost")
        );
        assert_eq!(get(&env, "GOFLAGS"), None);
        assert_eq!(
            env.iter().filter(|(k, _)| *k == "SCARF_ANALYTICS").count(),
            1
        );
    }

    #[test]
    fn commands_are_shown_with_their_directory() {
        assert_eq!(
            shown("examples/go", GO_TEST),
            "(cd examples/go && go test -count=1 ./...)"
        );
        assert_eq!(
            shown(".", &["node", "conformance/browser/reference.mjs"]),
            "node conformance/browser/reference.mjs"
        );
    }
}
