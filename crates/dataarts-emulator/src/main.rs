//! `dataarts-emulator`: a local DataArts Factory for tests, demos and CI.

use std::process::ExitCode;

use clap::Parser;
use dataarts_emulator::{run_cli, EmulatorArgs};

/// A faithful local DataArts Factory (release packages, system tasks, API gateway auth).
#[derive(Parser, Debug)]
#[command(name = "dataarts-emulator", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    args: EmulatorArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
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
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_cli(cli.args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dataarts-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
