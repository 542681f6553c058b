//! `dataarts-release`: release DataArts Factory task packages from pipelines and terminals.
//!
//! See the crate README for commands, options, exit codes and the JSON output schema.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
mod context;
mod deploy_keys;
mod embedded;
mod exit;
mod ids_input;
mod output;
mod progress;
mod report;
mod signals;

use cli::{Cli, ColorChoice, OutputFormat};
use exit::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose, cli.global.color);
    let json = cli.global.output == OutputFormat::Json;
    let command = commands::name(&cli.command);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return exit::report(&CliError::Local(format!("cannot start the runtime: {e}")));
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Deploy and wait print their own document, failures included.
            if json && !matches!(e, CliError::Releases { .. }) {
                let doc = output::FailureJson {
                    schema_version: output::SCHEMA_VERSION,
                    command,
                    error: output::ErrorJson::new(e.render(), e.exit().code()),
                };
                let mut buf = Vec::new();
                if output::write_json(&mut buf, &doc).is_ok() {
                    let _ = commands::write_stdout(&buf);
                }
            }
            exit::report(&e)
        }
    }
}

/// `-v` info, `-vv` debug, `-vvv` trace, on stderr; silent otherwise (errors are printed by
/// us). `RUST_LOG` overrides the level when `-v` is given. Colour as `--color` says.
fn init_tracing(verbose: u8, color: ColorChoice) {
    let level = match verbose {
        0 => return,
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "warn,dataarts_release={level},dataarts_release_cli={level},dataarts_emulator={level}"
        ))
    });
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(color.enabled(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .try_init();
}
