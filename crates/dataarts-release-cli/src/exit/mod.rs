//! Exit codes, the CLI's error type, and how errors are shown: one `error:` line and an
//! optional `hint:` line on stderr, never a debug dump.

use std::fmt::Write as _;
use std::process::ExitCode;

use dataarts_release::Error as ApiError;

/// The documented exit codes (also in `--help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Success = 0,
    /// 1: the service refused the request, or a release ended FAILED.
    Refused = 1,
    /// 2: usage or invalid input; nothing was sent.
    Usage = 2,
    /// 3: authentication or permission.
    Auth = 3,
    /// 4: timed out while waiting.
    WaitTimeout = 4,
    /// 5: network or transport failure.
    Network = 5,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

/// Every way a command can fail.
#[derive(Debug)]
pub enum CliError {
    /// The wrapper crate failed.
    Api(ApiError),
    /// Input the CLI itself rejected before sending anything.
    Input {
        /// What is wrong.
        message: String,
        /// What to do instead, when useful.
        hint: Option<String>,
    },
    /// Some releases ended FAILED, or some packages were not released (already reported).
    Releases {
        /// The summary line.
        message: String,
        /// The exit code (1 for FAILED releases and refusals, or the worst cause).
        exit: Exit,
        /// A hint line.
        hint: Option<String>,
    },
    /// A local failure (the in-process emulator, writing the output).
    Local(String),
}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        CliError::Api(e)
    }
}

impl From<crate::ids_input::IdsInputError> for CliError {
    fn from(e: crate::ids_input::IdsInputError) -> Self {
        CliError::Input {
            message: e.to_string(),
            hint: None,
        }
    }
}

/// The exit code for an error of the wrapper crate.
pub fn exit_for(e: &ApiError) -> Exit {
    match e {
        ApiError::Service(_) | ApiError::NotFound(_) | ApiError::Throttled { .. } => Exit::Refused,
        ApiError::PackageState { .. } => Exit::Refused,
        ApiError::Auth(_) => Exit::Auth,
        ApiError::Timeout { .. } | ApiError::Transport { .. } | ApiError::Decode { .. } => {
            Exit::Network
        }
        ApiError::InvalidInput { .. } | ApiError::Config { .. } => Exit::Usage,
        ApiError::WaitTimeout { .. } => Exit::WaitTimeout,
        ApiError::PartialRelease { source, .. } => exit_for(source),
        _ => Exit::Refused,
    }
}

impl CliError {
    /// The exit code of this error.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Api(e) => exit_for(e),
            CliError::Input { .. } => Exit::Usage,
            CliError::Releases { exit, .. } => *exit,
            CliError::Local(_) => Exit::Refused,
        }
    }

    /// The error as shown to people: the `error:` text and an optional hint.
    pub fn render(&self) -> Rendered {
        match self {
            CliError::Api(e) => render_api(e),
            CliError::Input { message, hint } => Rendered {
                code: None,
                message: message.clone(),
                request_id: None,
                hint: hint.clone(),
            },
            CliError::Releases { message, hint, .. } => Rendered {
                code: None,
                message: message.clone(),
                request_id: None,
                hint: hint.clone(),
            },
            CliError::Local(m) => Rendered {
                code: None,
                message: m.clone(),
                request_id: None,
                hint: None,
            },
        }
    }
}

/// An error broken into the parts we print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The service's error code, when it answered.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The request id, when the service answered.
    pub request_id: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Rendered {
    /// `error: <code> <message> (request id …)` and, when there is one, `hint: …`.
    pub fn lines(&self) -> String {
        let mut s = String::from("error: ");
        if let Some(c) = &self.code {
            let _ = write!(s, "{} ", one_line(c));
        }
        s.push_str(&one_line(&self.message));
        if let Some(r) = &self.request_id {
            let _ = write!(s, " (request id {})", one_line(r));
        }
        s.push('\n');
        if let Some(h) = &self.hint {
            let _ = writeln!(s, "hint: {}", one_line(h));
        }
        s
    }
}

/// Removes line breaks and other control characters (server text must not break our lines
/// or drive the terminal).
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c.is_control() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn service_parts(s: &dataarts_release::ServiceError) -> (Option<String>, String, Option<String>) {
    let message = if s.message.trim().is_empty() {
        format!("HTTP {}", s.status)
    } else {
        s.message.clone()
    };
    (Some(s.code.clone()), message, s.request_id.clone())
}

fn render_api(e: &ApiError) -> Rendered {
    let plain = |message: String, hint: Option<&str>| Rendered {
        code: None,
        message,
        request_id: None,
        hint: hint.map(str::to_string),
    };
    match e {
        ApiError::Service(s) => {
            let (code, message, request_id) = service_parts(s);
            let hint = match s.status {
                500..=599 => Some("the service failed; try again later".to_string()),
                300..=399 => Some("redirects are not followed; check --endpoint".to_string()),
                _ => None,
            };
            Rendered {
                code,
                message,
                request_id,
                hint,
            }
        }
        ApiError::Auth(s) => {
            let (code, message, request_id) = service_parts(s);
            let hint = if s.status == 403 {
                "the credentials are valid but may not use this project or API: check the IAM \
                 permissions and --project-id"
            } else {
                "check HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (or the IAM token), --project-id \
                 and --region, and that this machine's clock is right"
            };
            Rendered {
                code,
                message,
                request_id,
                hint: Some(hint.into()),
            }
        }
        ApiError::NotFound(s) => {
            let (code, message, request_id) = service_parts(s);
            Rendered {
                code,
                message,
                request_id,
                hint: Some(
                    "check the id: `dataarts-release packages list` shows the packages".into(),
                ),
            }
        }
        ApiError::Throttled { error, retry_after } => {
            let (code, message, request_id) = service_parts(error);
            let wait = retry_after
                .map(|d| {
                    format!(
                        " (the service asks to wait {})",
                        humantime::format_duration(d)
                    )
                })
                .unwrap_or_default();
            Rendered {
                code,
                message,
                request_id,
                hint: Some(format!(
                    "the rate limit was exceeded and retries ran out{wait}; try again later"
                )),
            }
        }
        ApiError::Timeout { operation, after } => plain(
            match after {
                Some(d) => format!(
                    "{operation} timed out after {}",
                    humantime::format_duration(*d)
                ),
                None => format!("{operation} timed out"),
            },
            Some(if is_write(operation) {
                "the change may or may not have been applied: check with `dataarts-release \
                 packages show <ID>` before retrying"
            } else {
                "the server did not answer in time; check the network and the endpoint"
            }),
        ),
        ApiError::Transport {
            operation,
            message,
            connect,
            ..
        } => plain(
            format!("{operation}: {message}"),
            Some(if *connect {
                "could not connect: check --endpoint / --region, the proxy and the network"
            } else if is_write(operation) {
                "the connection failed after the request was sent: check with `dataarts-release \
                 packages show <ID>` before retrying"
            } else {
                "the connection failed; try again"
            }),
        ),
        ApiError::InvalidInput { what, reason }
            if what == "workspace" && reason.contains("needs a workspace") =>
        {
            plain(
                "this command needs a workspace".into(),
                Some("pass --workspace ID or set DATAARTS_WORKSPACE"),
            )
        }
        ApiError::InvalidInput { what, reason } => plain(format!("invalid {what}: {reason}"), None),
        ApiError::Config {
            source_name,
            message,
        } => match source_name.as_str() {
            "credentials" => plain(
                "no credentials found".into(),
                Some(
                    "set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or DATAARTS_AUTH_TOKEN, or \
                     --token-file FILE), or put ak and sk in the [basic] section of \
                     ~/.huaweicloud/credentials; --emulator runs against a local demo instead",
                ),
            ),
            "project id" => plain(
                "no project id".into(),
                Some(
                    "pass --project-id or set HUAWEICLOUD_SDK_PROJECT_ID (the IAM project id of \
                     the region, 32 hex characters)",
                ),
            ),
            "endpoint" if message.starts_with("no region") => plain(
                "no region and no endpoint".into(),
                Some(
                    "pass --region (e.g. cn-north-4) or --endpoint URL, or set DATAARTS_REGION \
                     or DATAARTS_ENDPOINT",
                ),
            ),
            other => plain(format!("{}: {message}", with_flag(other)), None),
        },
        ApiError::Decode { request_id, .. } => Rendered {
            code: None,
            message: strip_request_id(&e.to_string()),
            request_id: request_id.clone(),
            hint: Some("the answer could not be read; check --endpoint".into()),
        },
        ApiError::PackageState { .. } => plain(
            e.to_string(),
            Some("`dataarts-release packages show <ID>` shows its state"),
        ),
        ApiError::PartialRelease { released, source } => {
            let inner = render_api(source);
            let ids: Vec<&str> = released.iter().map(|p| p.as_str()).collect();
            Rendered {
                message: format!(
                    "{} (released before the failure: {})",
                    inner.message,
                    ids.join(", ")
                ),
                ..inner
            }
        }
        ApiError::WaitTimeout {
            what,
            waited,
            last_status,
        } => plain(
            format!(
                "gave up waiting for {what} after {} (last status: {last_status})",
                humantime::format_duration(round_secs(*waited))
            ),
            Some(
                "it may still finish: wait again with `dataarts-release tasks wait <TASK_ID>` or \
                 raise --timeout",
            ),
        ),
        other => plain(other.to_string(), None),
    }
}

/// Names the flag next to the environment variable it shares a value with.
fn with_flag(source: &str) -> String {
    let flag = match source {
        "DATAARTS_WORKSPACE" => "--workspace",
        "DATAARTS_REGION" => "--region",
        "DATAARTS_ENDPOINT" => "--endpoint",
        "HUAWEICLOUD_SDK_PROJECT_ID" => "--project-id",
        "DATAARTS_AUTH_TOKEN_FILE" => "--token-file",
        _ => return source.to_string(),
    };
    format!("{flag} / {source}")
}

/// Drops the ", request id …" part of a Decode message (we print it ourselves).
fn strip_request_id(s: &str) -> String {
    match s.find(", request id ") {
        Some(start) => {
            let rest = &s[start..];
            match rest.find(')') {
                Some(end) => format!("{}{}", &s[..start], &rest[end..]),
                None => s.to_string(),
            }
        }
        None => s.to_string(),
    }
}

fn round_secs(d: std::time::Duration) -> std::time::Duration {
    if d.as_secs() >= 1 {
        std::time::Duration::from_secs(d.as_secs())
    } else {
        std::time::Duration::from_millis(d.as_millis() as u64)
    }
}

fn is_write(operation: &str) -> bool {
    matches!(
        operation,
        "deploy_factory_packages"
            | "cancel_factory_packages"
            | "create_factory_pending_items_package"
    )
}

/// Prints the error on stderr and returns its exit code.
pub fn report(e: &CliError) -> ExitCode {
    use std::io::Write;
    let text = e.render().lines();
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    e.exit().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use dataarts_release::{Client, Credentials, EnvSource, ServiceError};

    /// Builds real errors through the wrapper's public API where it can, so the test does
    /// not depend on constructors it does not expose.
    fn config_error() -> ApiError {
        Client::from_env_source(&EnvSource::from_map([("DATAARTS_REGION", "cn-north-4")]))
            .unwrap_err()
    }

    fn invalid_input() -> ApiError {
        let client = Client::builder()
            .endpoint("http://127.0.0.1:9")
            .project_id("p")
            .credentials(Credentials::token("t"))
            .build()
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(client.show_package("a/b")).unwrap_err()
    }

    fn service(status: u16, code: &str) -> ServiceError {
        // `ServiceError` is non_exhaustive: get one by parsing an error through the wrapper is
        // not possible without a server, so take it from a `Config`-free route: clone a field
        // set via struct update on a value we obtain from an error below.
        let mut s = sample_service();
        s.status = status;
        s.code = code.to_string();
        s
    }

    fn sample_service() -> ServiceError {
        // A throwaway server answering 400 DLF.0810 once.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let emu = dataarts_emulator::Emulator::builder()
                .demo()
                .start()
                .await
                .unwrap();
            let client = Client::builder()
                .endpoint(emu.url())
                .project_id(dataarts_emulator::DEMO_PROJECT_ID)
                .credentials(Credentials::token(dataarts_emulator::DEMO_TOKEN))
                .build()
                .unwrap();
            let e = client.show_package("999999").await.unwrap_err();
            emu.shutdown().await;
            e.service().cloned().unwrap()
        })
    }

    #[test]
    fn service_is_1() {
        assert_eq!(
            exit_for(&ApiError::Service(service(400, "DLF.0802"))),
            Exit::Refused
        );
    }

    #[test]
    fn not_found_is_1_with_hint() {
        let e = ApiError::NotFound(service(400, "DLF.0810"));
        assert_eq!(exit_for(&e), Exit::Refused);
        let r = render_api(&e);
        assert_eq!(r.code.as_deref(), Some("DLF.0810"));
        assert!(r.hint.unwrap().contains("packages list"));
    }

    #[test]
    fn throttled_is_1() {
        let e = ApiError::Throttled {
            error: service(429, "APIGW.0308"),
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(exit_for(&e), Exit::Refused);
        assert!(render_api(&e).hint.unwrap().contains("2s"));
    }

    #[test]
    fn auth_is_3() {
        assert_eq!(
            exit_for(&ApiError::Auth(service(401, "APIGW.0301"))),
            Exit::Auth
        );
        assert_eq!(
            exit_for(&ApiError::Auth(service(403, "APIGW.0302"))),
            Exit::Auth
        );
    }

    #[test]
    fn timeout_is_5() {
        let e = ApiError::Timeout {
            operation: "deploy_factory_packages",
            after: Some(Duration::from_secs(30)),
        };
        assert_eq!(exit_for(&e), Exit::Network);
        assert!(render_api(&e).hint.unwrap().contains("packages show"));
    }

    #[test]
    fn transport_is_5() {
        let e = ApiError::Transport {
            operation: "show_factory_package_detail",
            message: "connection refused".into(),
            connect: true,
            source: None,
        };
        assert_eq!(exit_for(&e), Exit::Network);
    }

    #[test]
    fn decode_is_5() {
        let e = ApiError::Decode {
            operation: "list_factory_release_packages",
            status: 200,
            message: "EOF".into(),
            excerpt: "{\"da".into(),
            request_id: Some("abc".into()),
        };
        assert_eq!(exit_for(&e), Exit::Network);
        let r = render_api(&e);
        assert_eq!(r.request_id.as_deref(), Some("abc"));
        assert!(!r.message.contains("request id"));
    }

    #[test]
    fn invalid_input_is_2() {
        let e = invalid_input();
        assert!(matches!(e, ApiError::InvalidInput { .. }));
        assert_eq!(exit_for(&e), Exit::Usage);
    }

    #[test]
    fn config_is_2_and_names_the_variables() {
        let e = config_error();
        assert!(matches!(e, ApiError::Config { .. }));
        assert_eq!(exit_for(&e), Exit::Usage);
        let text = render_api(&e).lines();
        assert!(text.contains("HUAWEICLOUD_SDK_AK"), "{text}");
    }

    #[test]
    fn package_state_is_1() {
        let e = ApiError::PackageState {
            package_id: "23".into(),
            status: dataarts_release::DeployStatus::Succeeded,
            deleted: false,
            state: "released".into(),
        };
        assert_eq!(exit_for(&e), Exit::Refused);
    }

    #[test]
    fn partial_release_takes_the_cause() {
        let e = ApiError::PartialRelease {
            released: vec!["12".into()],
            source: Box::new(ApiError::Auth(service(401, "APIGW.0301"))),
        };
        assert_eq!(exit_for(&e), Exit::Auth);
        assert!(render_api(&e).message.contains("12"));
    }

    #[test]
    fn wait_timeout_is_4() {
        let e = ApiError::WaitTimeout {
            what: "system task t".into(),
            waited: Duration::from_millis(1500),
            last_status: "RUNNING".into(),
        };
        assert_eq!(exit_for(&e), Exit::WaitTimeout);
        assert!(render_api(&e).message.contains("1s"));
    }

    #[test]
    fn lines_are_single_and_clean() {
        let r = Rendered {
            code: Some("DLF.1".into()),
            message: "bad\nthing\u{1b}[31m".into(),
            request_id: Some("r1".into()),
            hint: Some("do x".into()),
        };
        assert_eq!(
            r.lines(),
            "error: DLF.1 bad thing [31m (request id r1)\nhint: do x\n"
        );
    }
}
