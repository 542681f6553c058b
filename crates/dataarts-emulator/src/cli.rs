//! Command-line arguments (shared with the `dataarts-release emulator` subcommand) and the
//! "run until Ctrl-C" loop.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{FaultConfig, OffsetUnit, RateLimits, TaskTiming};
use crate::emulator::{Emulator, EmulatorBuilder};
use crate::error::EmulatorError;
use crate::limits::ConnectionLimits;
use crate::routes::guard::AdminToken;
use crate::task_times::SystemTaskTimes;

fn probability(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not a probability between 0 and 1"))
    }
}

fn duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| format!("invalid duration {s:?}: {e}"))
}

fn positive_duration(s: &str) -> Result<Duration, String> {
    match duration(s)? {
        d if d.is_zero() => Err("must be longer than 0, e.g. 10s".to_string()),
        d => Ok(d),
    }
}

fn positive_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Options of the `dataarts-emulator` binary.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct EmulatorArgs {
    /// Port to listen on, on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,
    /// Initial state from a fixtures JSON file (see the crate docs for the format).
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Seed the demo data; without credential flags, accept the demo credentials.
    #[arg(long)]
    pub demo: bool,
    /// Accepted access key ID (repeatable; pairs with the --sk at the same position).
    #[arg(long = "ak", value_name = "AK")]
    pub ak: Vec<String>,
    /// Secret key of the --ak at the same position (repeatable).
    #[arg(long = "sk", value_name = "SK")]
    pub sk: Vec<String>,
    /// Accepted X-Auth-Token value (repeatable).
    #[arg(long = "token", value_name = "TOKEN")]
    pub token: Vec<String>,
    /// Require `Authorization: Bearer <TOKEN>` on the admin endpoints (/_emulator/...), for
    /// shared machines. Prefer the variable: a flag shows in the process list.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "DATAARTS_EMULATOR_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<AdminToken>,
    /// Requests per second per caller (default 10).
    #[arg(long, value_name = "N")]
    pub rate_limit_user: Option<u32>,
    /// Requests per second per operation (default 100).
    #[arg(long, value_name = "N")]
    pub rate_limit_api: Option<u32>,
    /// Switch rate limiting off.
    #[arg(long, conflicts_with_all = ["rate_limit_user", "rate_limit_api"])]
    pub no_rate_limit: bool,
    /// Duration of one release subtask, e.g. 300ms or 2s (default 300ms).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub task_duration: Option<Duration>,
    /// Tasks only advance through the admin endpoints (/_emulator/tasks/advance, .../complete).
    #[arg(long, conflicts_with = "task_duration")]
    pub manual_tasks: bool,
    /// Add N deployable packages "1000".. to the demo project (for load tests).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed_packages: usize,
    /// Seed of the fault random generator.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fault_seed: u64,
    /// Latency added to every request, e.g. 50ms.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub fault_latency: Option<Duration>,
    /// Probability of a 500 before processing.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_error_before: f64,
    /// Probability of a 500 after processing (the change happened).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_error_after: f64,
    /// Probability of closing the connection after processing.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_drop_after: f64,
    /// Probability of a truncated JSON body (after processing).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_truncate: f64,
    /// Probability of a 502 HTML (non-JSON) answer (before processing).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_non_json: f64,
    /// Probability of an injected 429 APIGW.0308 (before processing).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_throttle: f64,
    /// Restrict faults to these operationIds (repeatable).
    #[arg(long = "fault-operation", value_name = "OPERATION_ID")]
    pub fault_operations: Vec<String>,
    /// What `offset` counts when listing packages and pending items: rows to skip, or a page
    /// index (`offset * limit` rows are skipped).
    #[arg(long, value_name = "UNIT", value_enum, default_value_t = OffsetUnit::Rows)]
    pub offset_unit: OffsetUnit,
    /// How the system-task query writes startTime, endTime and lastUpdate: JSON numbers, as
    /// documented, or numeric strings, which the official Go and Java SDKs need.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = SystemTaskTimes::Number)]
    pub system_task_times: SystemTaskTimes,
    /// Journal entries kept in memory (default 20000; when full the oldest are dropped and
    /// counted, see GET /_emulator/journal/stats).
    #[arg(long, value_name = "N")]
    pub journal_capacity: Option<usize>,
    /// Longest time from the first byte of a request head to its end, e.g. 10s (default 10s);
    /// slower clients are disconnected.
    #[arg(long, value_name = "DURATION", value_parser = positive_duration)]
    pub header_read_timeout: Option<Duration>,
    /// Longest wait for a byte from (or to) a client, e.g. 30s (default 30s): idle keep-alive
    /// connections, stalled bodies and clients that do not read their answer are closed.
    #[arg(long, value_name = "DURATION", value_parser = positive_duration)]
    pub idle_timeout: Option<Duration>,
    /// Most client connections open at once (default 512); more wait until one closes.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub max_connections: Option<usize>,
    /// Longest lifetime of the temporary credentials the emulated IAM, STS, metadata service
    /// and pod identity issue, e.g. 30s (default 1h).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub credential_lifetime: Option<Duration>,
    /// Probability that the ECS metadata service answers 500.
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_metadata_error: f64,
    /// Delay of every ECS metadata-service answer, e.g. 10s (longer than a client's timeout).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub fault_metadata_delay: Option<Duration>,
    /// The metadata service issues no session tokens (the token call answers 404; the security
    /// key is served without one).
    #[arg(long)]
    pub fault_metadata_without_token: bool,
    /// Probability that IAM refuses the id token of identity-provider federation (401).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_iam_refuse_id_token: f64,
    /// Probability that a JSON success answer of IAM, STS, the metadata service or pod
    /// identity is cut in half (not valid JSON).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_identity_malformed: f64,
    /// Probability that STS refuses the agency of an OIDC federation (403 STS.0003).
    #[arg(long, value_name = "P", value_parser = probability, default_value_t = 0.0)]
    pub fault_sts_refuse_agency: f64,
}

impl EmulatorArgs {
    /// The builder these options describe.
    ///
    /// # Errors
    ///
    /// Unpaired `--ak`/`--sk`, an invalid `--admin-token`, or an unreadable or invalid fixtures
    /// file.
    pub fn builder(&self) -> Result<EmulatorBuilder, EmulatorError> {
        if self.ak.len() != self.sk.len() {
            return Err(EmulatorError::Config(format!(
                "--ak and --sk come in pairs: got {} --ak and {} --sk",
                self.ak.len(),
                self.sk.len()
            )));
        }
        let mut b = Emulator::builder().port(self.port);
        if self.demo {
            b = b.demo();
        }
        if let Some(path) = &self.fixtures {
            b = b.fixtures_file(path)?;
        }
        for (ak, sk) in self.ak.iter().zip(&self.sk) {
            b = b.aksk(ak, sk);
        }
        for t in &self.token {
            b = b.token(t);
        }
        if let Some(t) = &self.admin_token {
            let t = AdminToken::new(t.as_str()).map_err(|e| {
                EmulatorError::Config(format!(
                    "--admin-token (DATAARTS_EMULATOR_ADMIN_TOKEN): {e}"
                ))
            })?;
            b = b.admin_token(t.as_str());
        }
        let limits = if self.no_rate_limit {
            RateLimits::disabled()
        } else {
            let d = RateLimits::default();
            RateLimits {
                per_user: self.rate_limit_user.or(d.per_user),
                per_api: self.rate_limit_api.or(d.per_api),
            }
        };
        b = b.rate_limits(limits);
        b = b.task_timing(if self.manual_tasks {
            TaskTiming::Manual
        } else {
            match self.task_duration {
                Some(d) => TaskTiming::Auto { subtask: d },
                None => TaskTiming::default(),
            }
        });
        b = b.seed_packages(self.seed_packages);
        b = b.faults(FaultConfig {
            seed: self.fault_seed,
            latency: self.fault_latency,
            error_before: self.fault_error_before,
            error_after: self.fault_error_after,
            drop_after: self.fault_drop_after,
            truncated_body: self.fault_truncate,
            non_json_body: self.fault_non_json,
            throttle_burst: self.fault_throttle,
            operations: (!self.fault_operations.is_empty()).then(|| self.fault_operations.clone()),
            metadata_error: self.fault_metadata_error,
            metadata_delay: self.fault_metadata_delay,
            metadata_without_token: self.fault_metadata_without_token,
            iam_refuse_id_token: self.fault_iam_refuse_id_token,
            sts_refuse_agency: self.fault_sts_refuse_agency,
            identity_malformed: self.fault_identity_malformed,
        });
        if let Some(d) = self.credential_lifetime {
            b = b.credential_lifetime(d);
        }
        b = b.offset_unit(self.offset_unit);
        b = b.system_task_times(self.system_task_times);
        if let Some(n) = self.journal_capacity {
            b = b.journal_capacity(n);
        }
        let mut limits = ConnectionLimits::default();
        if let Some(d) = self.header_read_timeout {
            limits.header_read_timeout = d;
        }
        if let Some(d) = self.idle_timeout {
            limits.idle_timeout = d;
        }
        if let Some(n) = self.max_connections {
            limits.max_connections = n;
        }
        b = b.connection_limits(limits);
        Ok(b)
    }
}

/// Starts the emulator these options describe, prints
/// `dataarts-emulator listening on http://127.0.0.1:PORT` as the first line of stdout, and
/// serves until Ctrl-C or SIGTERM, then shuts down gracefully.
///
/// # Errors
///
/// Invalid options or fixtures, a port that cannot be bound, or signal set-up failure.
pub async fn run_cli(args: EmulatorArgs) -> Result<(), EmulatorError> {
    let emu = args.builder()?.start().await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "dataarts-emulator listening on {}", emu.url())?;
        out.flush()?;
    }
    wait_for_signal().await?;
    emu.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> Result<(), EmulatorError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> Result<(), EmulatorError> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    fn args(argv: &[&str]) -> EmulatorArgs {
        Cli::try_parse_from(std::iter::once("dataarts-emulator").chain(argv.iter().copied()))
            .map(|c| c.args)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn system_task_times_flag() {
        let emu = args(&["--demo"]).builder().unwrap().start().await.unwrap();
        assert_eq!(emu.system_task_times(), SystemTaskTimes::Number);
        emu.shutdown().await;
        let a = args(&["--demo", "--system-task-times", "string"]);
        let emu = a.builder().unwrap().start().await.unwrap();
        assert_eq!(emu.system_task_times(), SystemTaskTimes::String);
        emu.shutdown().await;
        let err = Cli::try_parse_from(["dataarts-emulator", "--system-task-times", "text"])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("number") && err.contains("string"), "{err}");
    }

    #[tokio::test]
    async fn identity_flags() {
        let a = args(&[
            "--demo",
            "--credential-lifetime",
            "30s",
            "--fault-metadata-error",
            "0.5",
            "--fault-metadata-delay",
            "10s",
            "--fault-iam-refuse-id-token",
            "1",
            "--fault-sts-refuse-agency",
            "1",
            "--fault-metadata-without-token",
            "--fault-identity-malformed",
            "0.25",
        ]);
        let emu = a.builder().unwrap().start().await.unwrap();
        assert_eq!(emu.credential_lifetime(), Duration::from_secs(30));
        let f = emu.faults();
        assert_eq!(f.metadata_error, 0.5);
        assert_eq!(f.metadata_delay, Some(Duration::from_secs(10)));
        assert_eq!((f.iam_refuse_id_token, f.sts_refuse_agency), (1.0, 1.0));
        assert!(f.metadata_without_token);
        assert_eq!(f.identity_malformed, 0.25);
        let d = args(&["--demo"]).builder().unwrap().start().await.unwrap();
        assert_eq!(d.credential_lifetime(), Duration::from_secs(3600));
        assert!(Cli::try_parse_from(["x", "--credential-lifetime", "soon"]).is_err());
        assert!(Cli::try_parse_from(["x", "--fault-sts-refuse-agency", "2"]).is_err());
    }

    #[tokio::test]
    async fn connection_flags() {
        let a = args(&[
            "--header-read-timeout",
            "2s",
            "--idle-timeout",
            "5s",
            "--max-connections",
            "7",
        ]);
        let emu = a.builder().unwrap().start().await.unwrap();
        let l = emu.connection_limits();
        assert_eq!(l.header_read_timeout, Duration::from_secs(2));
        assert_eq!(l.idle_timeout, Duration::from_secs(5));
        assert_eq!(l.max_connections, 7);
        let d = args(&[]).builder().unwrap().start().await.unwrap();
        assert_eq!(d.connection_limits(), ConnectionLimits::default());
        for (flag, value) in [
            ("--max-connections", "0"),
            ("--idle-timeout", "0s"),
            ("--header-read-timeout", "0ms"),
        ] {
            let e = Cli::try_parse_from(["x", flag, value])
                .err()
                .expect("refused");
            assert!(e.to_string().contains(flag), "{e}");
        }
    }
}
