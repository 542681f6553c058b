//! `dataarts-emulator`: a local DataArts Factory for tests, demos and CI.
//!
//! Exit codes: 0 after Ctrl-C or SIGTERM; 2 for invalid flags or fixtures (nothing was
//! served); 6 when the emulator could not run locally (port in use, runtime, stdout).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use dataarts_emulator::{run_cli, EmulatorArgs, EmulatorError};

/// Invalid flags or fixtures (clap uses the same code for parse errors).
const EXIT_USAGE: u8 = 2;
/// A local failure: the port, the runtime, writing the URL.
const EXIT_LOCAL: u8 = 6;

/// What the emulator answers, on one port (shown after the options in `--help`).
const ROUTES: &str = "\
Routes:
  /v2/{project_id}/factory/...        the release-package operations (IAM token or AK/SK)
  /v1/{project_id}/system-tasks/{id}  the system-task query (list_system_tasks)
  /v3/..., /v3.0/..., /v5/..., /meta-data/..., /openstack/..., /pod-identity/...
                                      the identity services (IAM, STS, ECS metadata, CCE)
  /openapi.yaml, /openapi.json        the API description (no authentication)
  /reference/                         the HTML API reference (Swagger UI, works offline)
  /_emulator/...                      admin endpoints, local callers only (see the crate docs)";

/// A faithful local DataArts Factory (release packages, system tasks, API gateway auth).
#[derive(Parser, Debug)]
#[command(name = "dataarts-emulator", version, about, long_about = None, after_help = ROUTES)]
struct Cli {
    #[command(flatten)]
    args: EmulatorArgs,
    /// Colour in the log lines on stderr: auto (only when stderr is a terminal and NO_COLOR
    /// is unset), always, never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

fn exit_code(e: &EmulatorError) -> u8 {
    match e {
        EmulatorError::FixturesIo { .. }
        | EmulatorError::FixturesJson { .. }
        | EmulatorError::FixturesInvalid(_)
        | EmulatorError::Config(_) => EXIT_USAGE,
        _ => EXIT_LOCAL,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(cli.color.enabled())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dataarts-emulator: cannot start the runtime: {e}");
            return ExitCode::from(EXIT_LOCAL);
        }
    };
    match runtime.block_on(run_cli(cli.args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dataarts-emulator: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}
