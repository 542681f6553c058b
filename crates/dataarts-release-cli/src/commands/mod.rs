//! One module per command noun; `run` dispatches.

use std::io::{self, Write};

use clap::CommandFactory;
use serde::Serialize;

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::exit::CliError;
use crate::output;

pub mod auth;
pub mod deploy;
pub mod packages;
pub mod pending;
pub mod schema;
pub mod tasks;

/// The command's name as shown in JSON failure documents.
pub fn name(c: &Command) -> &'static str {
    use crate::cli::{PackagesCommand as P, PendingCommand as Q, TasksCommand as T};
    match c {
        Command::Deploy(_) => "deploy",
        Command::Packages(P::List(_)) => "packages list",
        Command::Packages(P::Show { .. }) => "packages show",
        Command::Packages(P::Cancel { .. }) => "packages cancel",
        Command::Pending(Q::List(_)) => "pending list",
        Command::Pending(Q::Package(_)) => "pending package",
        Command::Tasks(T::Show { .. }) => "tasks show",
        Command::Tasks(T::Wait { .. }) => "tasks wait",
        Command::Auth => "auth",
        Command::Emulator(_) => "emulator",
        Command::Schema(_) => "schema",
        Command::Completions { .. } => "completions",
    }
}

/// Runs the command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "dataarts-release", &mut out);
            write_stdout(&out)
        }
        Command::Emulator(args) => run_emulator(*args).await,
        Command::Schema(args) => schema::run(&cli.global, &args),
        command => {
            let ctx = Context::new(&cli.global).await?;
            let r = match &command {
                Command::Deploy(a) => deploy::run(&ctx, a).await,
                Command::Packages(c) => packages::run(&ctx, c).await,
                Command::Pending(c) => pending::run(&ctx, c).await,
                Command::Tasks(c) => tasks::run(&ctx, c).await,
                Command::Auth => auth::run(&ctx).await,
                Command::Emulator(_) | Command::Schema(_) | Command::Completions { .. } => Ok(()),
            };
            ctx.close().await;
            r
        }
    }
}

/// Runs the emulator in the foreground (demo data unless fixtures or credentials are given).
#[cfg(feature = "emulator")]
async fn run_emulator(mut args: crate::embedded::EmulatorArgs) -> Result<(), CliError> {
    if !args.demo && args.fixtures.is_none() && args.ak.is_empty() && args.token.is_empty() {
        args.demo = true;
    }
    dataarts_emulator::run_cli(args)
        .await
        .map_err(emulator_error)
}

/// An emulator that could not start: bad flags or fixtures are usage errors (exit 2) naming
/// the flag; a port that cannot be bound or another I/O failure is local (exit 6).
#[cfg(feature = "emulator")]
fn emulator_error(e: dataarts_emulator::EmulatorError) -> CliError {
    use dataarts_emulator::EmulatorError as E;
    let fixtures = |message: String| CliError::Input {
        message,
        hint: Some(
            "--fixtures takes a JSON file of the documented shape (`dataarts-release emulator \
             --help`); without it the demo data is used"
                .into(),
        ),
    };
    match e {
        E::FixturesIo { path, source } => fixtures(format!(
            "--fixtures {}: cannot read the file: {source}",
            path.display()
        )),
        E::FixturesJson { path, source } => fixtures(match path {
            Some(p) => format!(
                "--fixtures {}: not valid fixtures JSON: {source}",
                p.display()
            ),
            None => format!("--fixtures: not valid fixtures JSON: {source}"),
        }),
        E::FixturesInvalid(m) => fixtures(format!("--fixtures: invalid fixtures: {m}")),
        E::Config(m) => CliError::Input {
            message: format!("emulator: {m}"),
            hint: Some("`dataarts-release emulator --help` lists its flags".into()),
        },
        other => CliError::Local(format!("the emulator could not start or run: {other}")),
    }
}

/// Without the `emulator` feature there is no emulator to run.
#[cfg(not(feature = "emulator"))]
async fn run_emulator(_args: crate::embedded::EmulatorArgs) -> Result<(), CliError> {
    Err(crate::embedded::missing())
}

/// Writes bytes to stdout. A closed pipe (`| head -1`) is not an error: the reader has what
/// it wanted, so the rest is dropped quietly (exit 0, as `cat` does under a shell that ignores
/// SIGPIPE). Any other failure (a full disk, `> /dev/full`) is a local failure, exit 6.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Local(format!(
            "cannot write the output to stdout: {e}"
        ))),
    }
}

/// Prints the JSON document, or the table text when tables are wanted.
pub fn emit<T: Serialize>(
    ctx: &Context,
    json: impl FnOnce() -> T,
    table: impl FnOnce() -> String,
) -> Result<(), CliError> {
    match ctx.output {
        crate::cli::OutputFormat::Json => {
            let mut buf = Vec::new();
            output::write_json(&mut buf, &json())
                .map_err(|e| CliError::Local(format!("cannot encode the output: {e}")))?;
            write_stdout(&buf)
        }
        crate::cli::OutputFormat::Table => {
            if ctx.quiet {
                Ok(())
            } else {
                write_stdout(table().as_bytes())
            }
        }
    }
}

#[cfg(all(test, feature = "emulator"))]
mod tests {
    use super::*;
    use crate::exit::Exit;
    use dataarts_emulator::EmulatorError as E;

    #[test]
    fn emulator_failures_are_usage_for_flags_and_local_for_the_machine() {
        let e = emulator_error(E::FixturesInvalid("duplicate package id 23".into()));
        assert_eq!(e.exit(), Exit::Usage);
        assert!(e.render().message.starts_with("--fixtures: "), "{e:?}");
        let e = emulator_error(E::Config("--ak without --sk".into()));
        assert_eq!(e.exit(), Exit::Usage);
        let e = emulator_error(E::Bind {
            port: 8080,
            source: io::Error::from(io::ErrorKind::AddrInUse),
        });
        assert_eq!(e.exit(), Exit::Local);
        assert!(e.render().message.contains("8080"), "{e:?}");
        assert_eq!(CliError::Local("x".into()).exit(), Exit::Local);
    }
}
