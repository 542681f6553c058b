//! The steps of `cargo xtask test` and its command line.

use std::fmt;
use std::time::Duration;

use anyhow::{bail, Context};

use super::USAGE;

/// One step of the test run; [`Step::ALL`] is the order they run in.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(super) enum Step {
    Venv,
    Spec,
    Rust,
    Conformance,
    Lint,
    GoSdk,
    JavaSdk,
    Typescript,
    GoClient,
    JavaClient,
    Reference,
}

/// Names that select several steps at once with `--only`.
pub(super) const GROUPS: &[(&str, &[Step])] = &[
    ("sdks", &[Step::GoSdk, Step::JavaSdk]),
    (
        "clients",
        &[Step::Typescript, Step::GoClient, Step::JavaClient],
    ),
];

impl Step {
    pub(super) const ALL: [Step; 11] = [
        Step::Venv,
        Step::Spec,
        Step::Rust,
        Step::Conformance,
        Step::Lint,
        Step::GoSdk,
        Step::JavaSdk,
        Step::Typescript,
        Step::GoClient,
        Step::JavaClient,
        Step::Reference,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Step::Venv => "venv",
            Step::Spec => "spec",
            Step::Rust => "rust",
            Step::Conformance => "conformance",
            Step::Lint => "lint",
            Step::GoSdk => "go-sdk",
            Step::JavaSdk => "java-sdk",
            Step::Typescript => "typescript",
            Step::GoClient => "go-client",
            Step::JavaClient => "java-client",
            Step::Reference => "reference",
        }
    }

    /// The steps a `--only` value names: one step or a group.
    fn parse(s: &str) -> anyhow::Result<Vec<Step>> {
        if let Some(step) = Step::ALL.into_iter().find(|step| step.name() == s) {
            return Ok(vec![step]);
        }
        if let Some((_, steps)) = GROUPS.iter().find(|(name, _)| *name == s) {
            return Ok(steps.to_vec());
        }
        let names: Vec<&str> = Step::ALL.iter().map(|s| s.name()).collect();
        let groups: Vec<&str> = GROUPS.iter().map(|(name, _)| *name).collect();
        bail!(
            "unknown step `{s}`: expected one of {}, or a group: {}",
            names.join(", "),
            groups.join(", ")
        )
    }

    pub(super) fn needs_venv(self) -> bool {
        matches!(self, Step::Venv | Step::Spec | Step::Conformance)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Options {
    pub(super) steps: Vec<Step>,
    pub(super) cargo_test_args: Vec<String>,
    /// How long each command but `cargo test` may run (`--command-timeout SECS`).
    pub(super) command_limit: Duration,
    pub(super) help: bool,
}

/// The longest `--command-timeout` taken: a day.
const MAX_COMMAND_TIMEOUT_SECS: u64 = 86_400;

fn parse_command_timeout(value: &str) -> anyhow::Result<Duration> {
    match value.parse::<u64>() {
        Ok(secs @ 1..=MAX_COMMAND_TIMEOUT_SECS) => Ok(Duration::from_secs(secs)),
        _ => bail!(
            "`--command-timeout {value}`: expected whole seconds from 1 to {MAX_COMMAND_TIMEOUT_SECS}, e.g. `--command-timeout 1200`"
        ),
    }
}

fn push_steps(only: &mut Vec<Step>, value: &str) -> anyhow::Result<()> {
    for part in value.split(',').filter(|p| !p.is_empty()) {
        only.extend(Step::parse(part)?);
    }
    Ok(())
}

pub(super) fn parse_args(args: &[&str]) -> anyhow::Result<Options> {
    let mut only: Vec<Step> = Vec::new();
    let mut cargo_test_args = Vec::new();
    let mut help = false;
    let mut command_limit = crate::process::DEFAULT_COMMAND_LIMIT;
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
                    .context("`--only` needs a step, e.g. `--only rust` (see --help)")?;
                push_steps(&mut only, value)?;
            }
            _ if arg.starts_with("--only=") => push_steps(&mut only, &arg["--only=".len()..])?,
            "--command-timeout" => {
                let value = iter.next().context(
                    "`--command-timeout` needs whole seconds, e.g. `--command-timeout 1200`",
                )?;
                command_limit = parse_command_timeout(value)?;
            }
            _ if arg.starts_with("--command-timeout=") => {
                command_limit = parse_command_timeout(&arg["--command-timeout=".len()..])?;
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
        command_limit,
        help,
    })
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
        assert_eq!(
            parse_args(&["--only", "reference", "--only", "lint"])
                .unwrap()
                .steps,
            vec![Step::Lint, Step::Reference]
        );
    }

    #[test]
    fn every_step_is_selectable_by_its_name() {
        for step in Step::ALL {
            let steps = parse_args(&["--only", step.name()]).unwrap().steps;
            assert_eq!(steps.last(), Some(&step), "{step}");
            assert!(steps.len() <= 2, "{step}: {steps:?}");
        }
    }

    #[test]
    fn groups_select_their_steps() {
        assert_eq!(
            parse_args(&["--only", "sdks"]).unwrap().steps,
            vec![Step::GoSdk, Step::JavaSdk]
        );
        assert_eq!(
            parse_args(&["--only=clients,go-sdk"]).unwrap().steps,
            vec![
                Step::GoSdk,
                Step::Typescript,
                Step::GoClient,
                Step::JavaClient
            ]
        );
        // A group name never shadows a step name.
        for (group, _) in GROUPS {
            assert!(Step::ALL.iter().all(|s| s.name() != *group), "{group}");
        }
    }

    #[test]
    fn the_command_timeout_defaults_and_takes_whole_seconds() {
        assert_eq!(
            parse_args(&[]).unwrap().command_limit,
            crate::process::DEFAULT_COMMAND_LIMIT
        );
        assert_eq!(
            parse_args(&["--command-timeout", "1200"])
                .unwrap()
                .command_limit,
            Duration::from_secs(1200)
        );
        assert_eq!(
            parse_args(&["--command-timeout=5", "--only", "lint"])
                .unwrap()
                .command_limit,
            Duration::from_secs(5)
        );
        for bad in ["0", "-1", "1.5", "10m", "", "86401"] {
            let e = format!("{:#}", parse_args(&["--command-timeout", bad]).unwrap_err());
            assert!(e.contains("whole seconds from 1 to 86400"), "{bad}: {e}");
        }
        assert!(
            format!("{:#}", parse_args(&["--command-timeout"]).unwrap_err())
                .contains("needs whole seconds")
        );
        // After `--` it belongs to cargo test.
        let o = parse_args(&["--", "--command-timeout", "5"]).unwrap();
        assert_eq!(o.command_limit, crate::process::DEFAULT_COMMAND_LIMIT);
        assert_eq!(o.cargo_test_args, ["--command-timeout", "5"]);
    }

    #[test]
    fn arguments_after_the_separator_go_to_cargo_test() {
        let o = parse_args(&["--only", "rust", "--", "-p", "xtask", "--", "--nocapture"]).unwrap();
        assert_eq!(o.cargo_test_args, ["-p", "xtask", "--", "--nocapture"]);
    }

    #[test]
    fn unknown_steps_and_arguments_are_errors() {
        let e = format!("{:#}", parse_args(&["--only", "golang"]).unwrap_err());
        assert!(e.contains("unknown step `golang`"), "{e}");
        assert!(e.contains("go-sdk") && e.contains("clients"), "{e}");
        assert!(format!("{:#}", parse_args(&["--fast"]).unwrap_err()).contains("after `--`"));
        assert!(parse_args(&["--only"]).is_err());
    }
}
