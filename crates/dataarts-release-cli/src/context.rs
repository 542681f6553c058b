//! Builds the [`Client`] for a command: from the environment and profile file with the
//! command-line flags laid over them, or against an in-process emulator (`--emulator`).

use std::time::Duration;

use dataarts_emulator::{Emulator, RunningEmulator, TaskTiming};
use dataarts_release::{
    Client, ClientBuilder, Credentials, EnvSource, ENV_AK, ENV_AUTH_TOKEN, ENV_AUTH_TOKEN_FILE,
    ENV_CREDENTIALS_FILE, ENV_ENDPOINT, ENV_PROJECT_ID, ENV_REGION, ENV_SECURITY_TOKEN, ENV_SK,
    ENV_V1_ENDPOINT, ENV_WORKSPACE,
};

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::CliError;

/// Duration of one release subtask in the `--emulator` demo: slow enough to watch.
const DEMO_SUBTASK: Duration = Duration::from_millis(800);

/// Everything a command needs.
#[derive(Debug)]
pub struct Context {
    /// The client.
    pub client: Client,
    /// Output format.
    pub output: OutputFormat,
    /// `-q`: print only errors (and JSON).
    pub quiet: bool,
    /// First polling interval when waiting (short against the emulator).
    pub poll_interval: Option<Duration>,
    /// The in-process emulator, kept alive for the command's duration.
    emulator: Option<RunningEmulator>,
}

impl Context {
    /// Connects as the global options say (starting the in-process emulator for
    /// `--emulator`). Nothing is sent yet.
    pub async fn new(g: &GlobalArgs) -> Result<Self, CliError> {
        if g.emulator {
            let emu = Emulator::builder()
                .demo()
                .task_timing(TaskTiming::Auto {
                    subtask: DEMO_SUBTASK,
                })
                .start()
                .await
                .map_err(|e| CliError::Local(format!("cannot start the emulator: {e}")))?;
            let workspace = g
                .workspace
                .clone()
                .unwrap_or_else(|| dataarts_emulator::DEMO_WORKSPACE_ID.to_string());
            let client = Client::builder()
                .endpoint(emu.url())
                .project_id(dataarts_emulator::DEMO_PROJECT_ID)
                .workspace(workspace)
                .credentials(Credentials::aksk(
                    dataarts_emulator::DEMO_AK,
                    dataarts_emulator::DEMO_SK,
                ))
                .build()?;
            tracing::info!(url = %emu.url(), "started the in-process emulator with the demo data");
            return Ok(Self {
                client,
                output: g.output,
                quiet: g.quiet,
                poll_interval: Some(Duration::from_millis(250)),
                emulator: Some(emu),
            });
        }
        let env = env_with_flags(g);
        let client = ClientBuilder::from_env_source(&env)?.build()?;
        tracing::debug!(endpoint = client.endpoint(), "client configured");
        Ok(Self {
            client,
            output: g.output,
            quiet: g.quiet,
            poll_interval: None,
            emulator: None,
        })
    }

    /// Stops the in-process emulator, if any.
    pub async fn close(self) {
        if let Some(emu) = self.emulator {
            emu.shutdown().await;
        }
    }
}

/// The variables the wrapper reads, from the process environment, with the flags (which
/// clap already merged with their own variables) written over them.
fn env_with_flags(g: &GlobalArgs) -> EnvSource {
    let mut names: Vec<String> = [
        ENV_AK,
        ENV_SK,
        ENV_SECURITY_TOKEN,
        ENV_PROJECT_ID,
        ENV_CREDENTIALS_FILE,
        ENV_ENDPOINT,
        ENV_V1_ENDPOINT,
        ENV_WORKSPACE,
        ENV_REGION,
        ENV_AUTH_TOKEN,
        ENV_AUTH_TOKEN_FILE,
        "HOME",
        "USERPROFILE",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.extend(
        std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .filter(|k| k.starts_with("HUAWEICLOUD_SDK_REGION_")),
    );
    let mut vars: Vec<(String, String)> = Vec::new();
    for name in names {
        match std::env::var(&name) {
            Ok(v) => vars.push((name, v)),
            // Pass something the wrapper rejects with the variable's name, rather than
            // silently ignoring it.
            Err(std::env::VarError::NotUnicode(_)) => vars.push((name, "\u{0}".into())),
            Err(std::env::VarError::NotPresent) => {}
        }
    }
    let mut set = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            vars.retain(|(k, _)| k != name);
            vars.push((name.to_string(), v));
        }
    };
    set(ENV_REGION, g.region.clone());
    set(ENV_PROJECT_ID, g.project_id.clone());
    set(ENV_WORKSPACE, g.workspace.clone());
    set(ENV_ENDPOINT, g.endpoint.clone());
    set(
        ENV_AUTH_TOKEN_FILE,
        g.token_file.as_ref().map(|p| p.display().to_string()),
    );
    EnvSource::from_map(vars)
}
