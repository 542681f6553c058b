//! The command-line surface: every flag, its environment variable and its help text.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use dataarts_release::SigningAlgorithm;

/// The exit-code table and the credential sources, after `--help`.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
    0  success (deploy: every package ended released, this run or before; see --strict)
    1  the service refused the request, or a release ended FAILED
       (deploy: a package was refused, failed, or was not sent by --all-or-nothing)
    2  usage or invalid input, including a file named by a flag, a variable or the default
       profile that is missing, not a regular file, too large or invalid (nothing was sent)
    3  authentication or permission (also: a credential source refused, credentials expired
       and could not be renewed, or none are configured)
    4  timed out while waiting
    5  network or transport failure (also: a credential source or the proxy did not answer)
    6  local I/O failure: the output or a report could not be written, or the in-process
       emulator could not start (the message says what had already been sent)
  130  interrupted by SIGINT (Ctrl-C); re-run the same command to resume
  143  terminated by SIGTERM; re-run the same command to resume

Credentials come from the environment, the profile file or the machine, never from flags
(first found wins; `dataarts-release auth` shows which was used):
  HUAWEICLOUD_OIDC_PROVIDER_URN, HUAWEICLOUD_OIDC_AGENCY_URN and HUAWEICLOUD_OIDC_TOKEN_FILE
    (or HUAWEICLOUD_OIDC_ID_TOKEN): OIDC federation through STS
  DATAARTS_AUTH_TOKEN or --token-file FILE (an IAM token)
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_SECURITY_TOKEN], or
    HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE (IAM identity-provider federation)
  ~/.huaweicloud/credentials ([basic] ak/sk/security_token/project_id or idp_id/id_token_file)
  the ECS metadata service (an agency bound to the instance), or CCE pod identity
    (HC_CONTAINER_CREDENTIALS_FULL_URI and HC_CONTAINER_AUTHORIZATION_TOKEN_FILE)
Without --project-id, the project id of --region is looked up in IAM.";

/// Release DataArts Factory task packages from pipelines and terminals.
#[derive(Debug, Parser)]
#[command(name = "dataarts-release", version, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Huawei Cloud region id; sets both service endpoints.
    #[arg(
        long,
        global = true,
        env = "DATAARTS_REGION",
        hide_env_values = true,
        value_name = "REGION"
    )]
    pub region: Option<String>,
    /// IAM project id of the region.
    #[arg(
        long,
        global = true,
        env = "HUAWEICLOUD_SDK_PROJECT_ID",
        hide_env_values = true,
        value_name = "ID"
    )]
    pub project_id: Option<String>,
    /// DataArts Studio workspace id (default: the default workspace).
    #[arg(
        long,
        global = true,
        env = "DATAARTS_WORKSPACE",
        hide_env_values = true,
        value_name = "ID"
    )]
    pub workspace: Option<String>,
    /// One URL serving both the V2 and the V1 API (emulator, Huawei Cloud Stack, .eu site).
    #[arg(
        long,
        global = true,
        env = "DATAARTS_ENDPOINT",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub endpoint: Option<String>,
    /// Read an IAM token from this file instead of DATAARTS_AUTH_TOKEN.
    #[arg(
        long,
        global = true,
        env = "DATAARTS_AUTH_TOKEN_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub token_file: Option<PathBuf>,
    /// How requests are signed, as in the Authorization header (case-insensitive):
    /// SDK-HMAC-SHA256 (default), SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256 or SDK-SM2-SM3.
    #[arg(
        long,
        global = true,
        env = "DATAARTS_SIGNING_ALGORITHM",
        hide_env_values = true,
        value_name = "NAME",
        value_parser = parse_algorithm
    )]
    pub signing_algorithm: Option<SigningAlgorithm>,
    /// Run against an in-process emulator seeded with the demo data.
    #[arg(long, global = true)]
    pub emulator: bool,
    /// Output format: tables for people, one JSON document for scripts.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table, env = "DATAARTS_OUTPUT", hide_env_values = true)]
    pub output: OutputFormat,
    /// Print only errors (and JSON output when asked for).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log to stderr: -v for info, -vv for debug, -vvv for trace.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour in logs and the progress bar: auto (only when stderr is a terminal and NO_COLOR
    /// is not set), always, or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// When stderr gets colour (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Only when stderr is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour stderr, given whether it is a terminal and the value of `NO_COLOR`.
    pub fn enabled(self, stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // https://no-color.org: any non-empty value turns colour off.
            ColorChoice::Auto => stderr_is_terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

/// A wait timeout: a duration like `90s` or `10m`, at least one second (a zero or
/// sub-second timeout would give up before the first status check).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| e.to_string())?;
    if d < MIN_TIMEOUT {
        return Err(format!(
            "must be at least {} (e.g. 90s, 10m)",
            humantime::format_duration(MIN_TIMEOUT)
        ));
    }
    Ok(d)
}

/// The shortest `--timeout`.
pub const MIN_TIMEOUT: Duration = Duration::from_secs(1);

/// A signing algorithm by its name in the Authorization header, any case; the error lists
/// the four names.
fn parse_algorithm(s: &str) -> Result<SigningAlgorithm, String> {
    s.parse()
        .map_err(|e: <SigningAlgorithm as std::str::FromStr>::Err| e.to_string())
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable tables.
    Table,
    /// One JSON document per command.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Release (deploy) packages; any number of ids, sent in batches of at most 100.
    Deploy(DeployArgs),
    /// List, show and cancel release packages.
    #[command(subcommand)]
    Packages(PackagesCommand),
    /// List and package the items waiting to be released.
    #[command(subcommand)]
    Pending(PendingCommand),
    /// Show and wait for asynchronous system tasks.
    #[command(subcommand)]
    Tasks(TasksCommand),
    /// Show where the credentials come from, the project id, the endpoints and the signing
    /// algorithm (never a secret); the first thing to run when authentication fails.
    Auth,
    /// Run the local DataArts Factory emulator in the foreground (demo data unless
    /// --fixtures or credentials are given).
    Emulator(Box<crate::embedded::EmulatorArgs>),
    /// Print the JSON Schema of a command's `--output json` document (none: list them).
    Schema(crate::commands::schema::SchemaArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
}

/// `deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Release package ids.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Read more ids from FILE, one per line ('-' for stdin; blank lines and # comments skipped).
    #[arg(long, value_name = "FILE")]
    pub ids_from: Option<PathBuf>,
    /// Do not start the packages' jobs after a successful release.
    #[arg(long)]
    pub no_start: bool,
    /// Wait until every release has finished, with a progress bar on a terminal.
    #[arg(long)]
    pub wait: bool,
    /// With --wait: give up waiting after this long (e.g. 90s, 10m; at least 1s).
    #[arg(
        long,
        requires = "wait",
        value_parser = parse_timeout,
        default_value = "10m",
        value_name = "DURATION"
    )]
    pub timeout: Duration,
    /// Anything not released by this run is an error (by default a package already released
    /// or being released counts as done).
    #[arg(long)]
    pub strict: bool,
    /// Read every package's state first and send nothing unless every one can be released.
    #[arg(long)]
    pub all_or_nothing: bool,
    /// Read every package's state and print what would happen; send no release.
    #[arg(long, conflicts_with = "wait")]
    pub dry_run: bool,
    /// CI reports.
    #[command(flatten)]
    pub reports: crate::report::ReportArgs,
}

/// `packages ...`.
#[derive(Debug, Subcommand)]
pub enum PackagesCommand {
    /// List release packages.
    List(PackagesListArgs),
    /// Show one release package and its tasks.
    Show {
        /// Release package id.
        id: String,
    },
    /// Revoke (cancel) packages that are waiting for review.
    Cancel {
        /// Release package ids (1 to 100).
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
}

/// A release status filter value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    /// Waiting for review (1).
    Pending,
    /// Released successfully (2).
    Succeeded,
    /// Release failed (3).
    Failed,
    /// Being released (5).
    Releasing,
}

/// `packages list`.
#[derive(Debug, Args)]
pub struct PackagesListArgs {
    /// Only packages in these states (repeatable or comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub status: Vec<StatusFilter>,
    /// Only packages whose name contains this text.
    #[arg(long)]
    pub keyword: Option<String>,
    /// Only packages applied for by this user name.
    #[arg(long)]
    pub applicant: Option<String>,
    /// Fetch every page instead of the first one.
    #[arg(long)]
    pub all: bool,
    /// Packages per page, 1 to 100 (default 10; with --all, the page size used while paging,
    /// default 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: Option<u32>,
}

/// `pending ...`.
#[derive(Debug, Subcommand)]
pub enum PendingCommand {
    /// List the items waiting to be packaged (needs a workspace).
    List(PendingListArgs),
    /// Bundle pending items into a new release package.
    Package(PendingPackageArgs),
}

/// `pending list`.
#[derive(Debug, Args)]
pub struct PendingListArgs {
    /// Only items whose name contains this text.
    #[arg(long)]
    pub item_name: Option<String>,
    /// Only items submitted by this user name.
    #[arg(long)]
    pub submitter: Option<String>,
    /// Fetch every page instead of the first one.
    #[arg(long)]
    pub all: bool,
    /// Items per page, 1 to 100 (default 10; with --all, the page size used while paging,
    /// default 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: Option<u32>,
}

/// `pending package`.
#[derive(Debug, Args)]
pub struct PendingPackageArgs {
    /// Name of the new package.
    #[arg(long)]
    pub name: String,
    /// User id of the applicant.
    #[arg(long, value_name = "USER_ID")]
    pub applicant: String,
    /// User id of an approver (repeatable).
    #[arg(long = "approver", required = true, value_name = "USER_ID")]
    pub approvers: Vec<String>,
    /// Pending item ids to package.
    #[arg(required = true, value_name = "ITEM_ID")]
    pub items: Vec<String>,
}

/// `tasks ...`.
#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Show a system task and its subtasks.
    Show {
        /// System task id (e.g. a release's asy_task_id).
        task_id: String,
    },
    /// Wait for a system task to finish.
    Wait {
        /// System task id.
        task_id: String,
        /// Give up after this long (e.g. 90s, 10m; at least 1s).
        #[arg(long, value_parser = parse_timeout, default_value = "10m", value_name = "DURATION")]
        timeout: Duration,
    },
}
