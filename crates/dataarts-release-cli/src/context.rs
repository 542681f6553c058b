//! Builds the [`Client`] for a command: from the environment and profile file with the
//! command-line flags laid over them, or against an in-process emulator (`--emulator`).

use std::time::Duration;

#[cfg(feature = "emulator")]
use dataarts_emulator::{Emulator, RunningEmulator, TaskTiming};
#[cfg(feature = "emulator")]
use dataarts_release::Credentials;
use dataarts_release::{
    Client, ClientBuilder, EnvSource, ENV_AUTH_TOKEN_FILE, ENV_ENDPOINT, ENV_PROJECT_ID,
    ENV_REGION, ENV_SIGNING_ALGORITHM, ENV_WORKSPACE,
};

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::CliError;

/// Duration of one release subtask in the `--emulator` demo: slow enough to watch.
#[cfg(feature = "emulator")]
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
    /// True with `--emulator`: the client uses the emulator's demo credentials.
    pub embedded: bool,
    /// The in-process emulator, kept alive for the command's duration.
    #[cfg(feature = "emulator")]
    emulator: Option<RunningEmulator>,
}

impl Context {
    /// Connects as the global options say (starting the in-process emulator for
    /// `--emulator`). Nothing is sent yet.
    pub async fn new(g: &GlobalArgs) -> Result<Self, CliError> {
        if g.emulator {
            return Self::embedded(g).await;
        }
        let env = env_with_flags(g);
        let client = ClientBuilder::from_env_source(&env)?.build()?;
        tracing::debug!(endpoint = client.endpoint(), "client configured");
        Ok(Self {
            client,
            output: g.output,
            quiet: g.quiet,
            poll_interval: None,
            embedded: false,
            #[cfg(feature = "emulator")]
            emulator: None,
        })
    }

    /// Starts the in-process emulator with the demo data and a client for it.
    #[cfg(feature = "emulator")]
    async fn embedded(g: &GlobalArgs) -> Result<Self, CliError> {
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
        let mut builder = Client::builder();
        if let Some(algorithm) = g.signing_algorithm {
            builder = builder.signing_algorithm(algorithm);
        }
        // The emulator also plays IAM, STS and the metadata service.
        let client = builder
            .endpoint(emu.url())
            .iam_endpoint(emu.url())
            .sts_endpoint(emu.url())
            .metadata_endpoint(emu.url())
            .project_id(dataarts_emulator::DEMO_PROJECT_ID)
            .workspace(workspace)
            .credentials(Credentials::aksk(
                dataarts_emulator::DEMO_AK,
                dataarts_emulator::DEMO_SK,
            ))
            .build()?;
        tracing::info!(url = %emu.url(), "started the in-process emulator with the demo data");
        Ok(Self {
            client,
            output: g.output,
            quiet: g.quiet,
            poll_interval: Some(Duration::from_millis(250)),
            embedded: true,
            emulator: Some(emu),
        })
    }

    /// Without the `emulator` feature, `--emulator` says which feature is missing.
    #[cfg(not(feature = "emulator"))]
    async fn embedded(_g: &GlobalArgs) -> Result<Self, CliError> {
        Err(crate::embedded::missing())
    }

    /// Stops the in-process emulator, if any.
    pub async fn close(self) {
        #[cfg(feature = "emulator")]
        if let Some(emu) = self.emulator {
            emu.shutdown().await;
        }
    }
}

/// The process environment with the flags (which clap already merged with their own
/// variables) written over it.
fn env_with_flags(g: &GlobalArgs) -> EnvSource {
    let flags = [
        (ENV_REGION, g.region.clone()),
        (ENV_PROJECT_ID, g.project_id.clone()),
        (ENV_WORKSPACE, g.workspace.clone()),
        (ENV_ENDPOINT, g.endpoint.clone()),
        (
            ENV_AUTH_TOKEN_FILE,
            g.token_file.as_ref().map(|p| p.display().to_string()),
        ),
        (
            ENV_SIGNING_ALGORITHM,
            g.signing_algorithm.map(|a| a.as_str().to_string()),
        ),
    ];
    flags
        .into_iter()
        .fold(EnvSource::process(), |env, (name, value)| match value {
            Some(value) => env.set(name, value),
            None => env,
        })
}
