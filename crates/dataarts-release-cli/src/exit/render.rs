//! How an error of the wrapper crate is worded for people: the message and a hint in the
//! CLI's own terms (flags, commands). Everything is chosen from the error's kind and typed
//! details; messages are only ever copied, never read.

use std::path::Path;
use std::time::Duration;

use dataarts_release::raw::RetryClass;
use dataarts_release::{
    ConfigProblem, DiscoveryProblem, Error as ApiError, ErrorKind, Input, InputProblem, Operation,
    Origin, ServiceError, Setting, ENV_AUTH_TOKEN_FILE, ENV_ENDPOINT, ENV_PROJECT_ID, ENV_REGION,
    ENV_SIGNING_ALGORITHM, ENV_WORKSPACE,
};

use super::Rendered;

const WRITE_MAY_HAVE_HAPPENED: &str = "the change may or may not have been applied: check with \
     `dataarts-release packages show <ID>` before retrying";

pub(super) fn render_api(e: &ApiError) -> Rendered {
    if let ApiError::PartialRelease { released, source } = e {
        let inner = render_api(source);
        let ids: Vec<&str> = released.iter().map(|p| p.as_str()).collect();
        return Rendered {
            message: format!(
                "{} (released before the failure: {})",
                inner.message,
                super::bounded_list(&ids)
            ),
            ..inner
        };
    }
    if let Some(s) = e.service() {
        return service(e, s);
    }
    match e {
        ApiError::Timeout { operation, after } => plain(
            match after {
                Some(d) => format!(
                    "{operation} timed out after {}",
                    humantime::format_duration(*d)
                ),
                None => format!("{operation} timed out"),
            },
            Some(if is_write(*operation) {
                WRITE_MAY_HAVE_HAPPENED
            } else {
                "the server did not answer in time; check the network and the endpoint"
            }),
        ),
        ApiError::Transport {
            operation,
            message,
            connect,
            proxy,
            source,
        } => {
            // Only `scheme://host:port` of the URL, never its path or query; and the innermost
            // cause, without the HTTP library's chain of wrappers around it.
            let origin = source.as_deref().and_then(|e| e.url()).and_then(|u| {
                Some(format!(
                    "{}://{}:{}",
                    u.scheme(),
                    u.host_str()?,
                    u.port_or_known_default()?
                ))
            });
            let cause =
                root_cause(source.as_deref().map(|e| e as _)).unwrap_or_else(|| message.clone());
            match (connect, proxy) {
                (true, Some(proxy)) => plain(
                    format!(
                        "could not connect to the proxy {} ({}): {cause}",
                        proxy.url, proxy.variable
                    ),
                    Some(&format!(
                        "check the proxy in {}, or add the endpoint's host to NO_PROXY",
                        proxy.variable
                    )),
                ),
                (true, None) => plain(
                    match origin {
                        Some(origin) => format!("could not connect to {origin}: {cause}"),
                        None => format!("could not connect: {cause}"),
                    },
                    Some(
                        "could not connect: check --endpoint / --region, the proxy and the network",
                    ),
                ),
                (false, _) => plain(
                    match origin {
                        Some(origin) => {
                            format!("the connection to {origin} broke before the answer: {cause}")
                        }
                        None => format!("the connection broke before the answer: {cause}"),
                    },
                    Some(if is_write(*operation) {
                        "the connection failed after the request was sent: check with \
                         `dataarts-release packages show <ID>` before retrying"
                    } else {
                        "the connection failed; try again"
                    }),
                ),
            }
        }
        ApiError::InvalidInput {
            what,
            problem,
            reason,
        } => input(*what, *problem, reason),
        ApiError::Config {
            setting,
            origin,
            problem,
            message,
        } => config(*setting, origin, *problem, message),
        ApiError::Decode {
            operation,
            status,
            message,
            excerpt,
            request_id,
        } => Rendered {
            code: None,
            // The wrapper's wording, with the request id left to the `(request id …)` part.
            message: format!(
                "{operation}: could not decode the response ({}): {message}; body starts with: \
                 {excerpt:?}",
                if *status == 0 {
                    "success status".to_string()
                } else {
                    format!("HTTP {status}")
                }
            ),
            request_id: request_id.clone(),
            hint: Some("the answer could not be read; check --endpoint".into()),
        },
        ApiError::Credentials {
            provider, problem, ..
        } => super::credentials::render(e, *provider, *problem),
        ApiError::ProjectDiscovery {
            region,
            iam_endpoint,
            problem,
            status,
            projects,
            ..
        } => plain(
            discovery_message(region, iam_endpoint, *problem, *status, projects),
            Some(match problem {
                DiscoveryProblem::NoMatch => {
                    "check --region (the IAM project is named after it), or pass --project-id \
                     / set HUAWEICLOUD_SDK_PROJECT_ID"
                }
                DiscoveryProblem::SeveralMatches => {
                    "pass --project-id or set HUAWEICLOUD_SDK_PROJECT_ID to the one to use"
                }
                DiscoveryProblem::Refused => {
                    "IAM refused the credentials: check them (`dataarts-release auth`), or pass \
                     --project-id so that no lookup is needed"
                }
                _ => {
                    "check HUAWEICLOUD_SDK_IAM_ENDPOINT (or --region) and the network, or pass \
                     --project-id so that no lookup is needed"
                }
            }),
        ),
        ApiError::PackageNotFound { package_id } => plain(
            format!("package {package_id} does not exist in this project and workspace"),
            Some(
                "check the id and --workspace: `dataarts-release packages list` shows the packages",
            ),
        ),
        ApiError::PackageState { .. } => plain(
            e.to_string(),
            Some("`dataarts-release packages show <ID>` shows its state"),
        ),
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

/// Why the project id of `region` could not be looked up, from the typed parts.
fn discovery_message(
    region: &str,
    iam: &str,
    problem: DiscoveryProblem,
    status: Option<u16>,
    projects: &[String],
) -> String {
    let why = match problem {
        DiscoveryProblem::NoMatch => format!("IAM knows no project named {region}"),
        DiscoveryProblem::SeveralMatches => format!(
            "IAM has several projects named {region}: {}",
            super::bounded_list(projects)
        ),
        DiscoveryProblem::Refused => "IAM refused the credentials".to_string(),
        DiscoveryProblem::Unreachable => "IAM did not answer".to_string(),
        DiscoveryProblem::Malformed => "IAM's answer could not be read".to_string(),
        _ => "IAM failed".to_string(),
    };
    let status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    format!("could not look up the project id of region {region} with IAM at {iam}: {why}{status}")
}

fn plain(message: String, hint: Option<&str>) -> Rendered {
    Rendered {
        code: None,
        message,
        request_id: None,
        hint: hint.map(str::to_string),
    }
}

/// An answer of the service: its code, message and request id, and a hint by kind.
fn service(e: &ApiError, s: &ServiceError) -> Rendered {
    let message = if s.message.trim().is_empty() {
        format!("HTTP {}", s.status)
    } else {
        s.message.clone()
    };
    let hint = match e.kind() {
        ErrorKind::Auth if s.status == 403 => Some(
            "the credentials are valid but may not use this project or API: check the IAM \
             permissions and --project-id"
                .to_string(),
        ),
        ErrorKind::Auth => Some(
            "check HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (or the IAM token), --project-id \
             and --region, and that this machine's clock is right"
                .to_string(),
        ),
        ErrorKind::NotFound => {
            Some("check the id: `dataarts-release packages list` shows the packages".to_string())
        }
        ErrorKind::Throttled => {
            let wait = e
                .retry_after()
                .map(|d| {
                    format!(
                        " (the service asks to wait {})",
                        humantime::format_duration(d)
                    )
                })
                .unwrap_or_default();
            Some(format!(
                "the rate limit was exceeded and retries ran out{wait}; try again later"
            ))
        }
        // Refusals (a package in the wrong state included) are worded by their status.
        _ => match s.status {
            500..=599 => Some("the service failed; try again later".to_string()),
            300..=399 => Some("redirects are not followed; check --endpoint".to_string()),
            _ => None,
        },
    };
    Rendered {
        code: Some(s.code.clone()),
        message,
        request_id: s.request_id.clone(),
        hint,
    }
}

/// An input the wrapper refused before sending, named by the flag or argument that gave it.
/// The wrapper's reason is shown only where it describes the value itself (its characters, a
/// duplicate, its range); what to do is always said here, in the CLI's terms.
fn input(what: Input, problem: InputProblem, reason: &str) -> Rendered {
    use InputProblem as P;
    match (what, problem) {
        (Input::Workspace, P::Missing) => plain(
            "this command needs a workspace".into(),
            Some("pass --workspace ID or set DATAARTS_WORKSPACE"),
        ),
        (Input::PackageName, P::Missing | P::Empty) => plain(
            "--name is empty".into(),
            Some("give the new package a name: --name NAME"),
        ),
        (Input::Applicant, P::Missing | P::Empty) => plain(
            "--applicant is empty".into(),
            Some("give the applicant's user id: --applicant USER_ID"),
        ),
        (Input::Approvers | Input::ApproverId, P::Missing | P::Empty) => plain(
            "no approver".into(),
            Some("give at least one approver: --approver USER_ID (repeatable)"),
        ),
        (_, P::TooMany) => plain(
            format!("too many {}s in one command", input_name(what)),
            Some("at most 100 per command: split them over several commands"),
        ),
        _ => plain(format!("invalid {}: {reason}", input_name(what)), None),
    }
}

/// An input as the CLI names it: the flag, or the argument as `--help` shows it.
fn input_name(what: Input) -> &'static str {
    match what {
        Input::PackageId | Input::PackageIds => "package id",
        Input::TaskId => "task id",
        Input::PendingItemId | Input::PendingItemIds => "pending item id",
        Input::ApproverId | Input::Approvers => "--approver",
        Input::Applicant => "--applicant",
        Input::PackageName => "--name",
        Input::Workspace => "--workspace / DATAARTS_WORKSPACE",
        Input::Limit => "--limit",
        _ => "value",
    }
}

/// A configuration problem: what is missing, in the CLI's terms, or where the bad value came
/// from.
fn config(setting: Setting, origin: &Origin, problem: ConfigProblem, message: &str) -> Rendered {
    match (setting, problem) {
        (Setting::Credentials, ConfigProblem::Missing) if *origin == Origin::Unset => plain(
            "no credentials found".into(),
            Some(super::credentials::WHAT_TO_SET),
        ),
        (Setting::ProjectId, ConfigProblem::Missing) if *origin == Origin::Unset => plain(
            "no project id".into(),
            Some(
                "pass --project-id or set HUAWEICLOUD_SDK_PROJECT_ID (the IAM project id of \
                 the region, 32 hex characters), or --region so that it is looked up in IAM",
            ),
        ),
        (Setting::Endpoint | Setting::Region, ConfigProblem::Missing) => plain(
            "no region and no endpoint".into(),
            Some(
                "pass --region (e.g. cn-north-4) or --endpoint URL, or set DATAARTS_REGION \
                 or DATAARTS_ENDPOINT",
            ),
        ),
        (_, ConfigProblem::InsecureHttp) => plain(
            format!(
                "{}: http:// is only allowed for a loopback host (a local emulator)",
                source(setting, origin)
            ),
            Some("use the https:// URL of the service"),
        ),
        _ => plain(format!("{}: {message}", source(setting, origin)), None),
    }
}

/// Names where a value came from; a variable that a flag also sets is named with its flag.
fn source(setting: Setting, origin: &Origin) -> String {
    match origin {
        Origin::Environment(variable) => match flag_of(variable) {
            Some(flag) => format!("{flag} / {variable}"),
            None => variable.clone(),
        },
        Origin::ProfileFile(path) => profile_file(path),
        Origin::RegionPattern => Setting::Region.label().to_string(),
        // The CLI sets these on the builder itself with `--emulator`.
        Origin::Builder => match setting {
            Setting::Workspace => "--workspace".to_string(),
            Setting::SigningAlgorithm => "--signing-algorithm".to_string(),
            _ => setting.label().to_string(),
        },
        _ => setting.label().to_string(),
    }
}

/// Where a setting was configured, in the CLI's terms (the flag and its variable, the
/// variable, the profile file); `None` for a built-in default or a value nobody set.
pub fn configured_by(origin: &Origin) -> Option<String> {
    match origin {
        Origin::Environment(_) | Origin::ProfileFile(_) => {
            Some(source(Setting::Credentials, origin))
        }
        Origin::Builder => Some("a command-line flag".into()),
        Origin::RegionPattern => Some("--region".into()),
        _ => None,
    }
}

fn profile_file(path: &Path) -> String {
    format!("profile file {}", path.display())
}

/// The flag that sets this environment variable (the CLI passes its flags to the wrapper as
/// these variables).
fn flag_of(variable: &str) -> Option<&'static str> {
    [
        (ENV_WORKSPACE, "--workspace"),
        (ENV_REGION, "--region"),
        (ENV_ENDPOINT, "--endpoint"),
        (ENV_PROJECT_ID, "--project-id"),
        (ENV_AUTH_TOKEN_FILE, "--token-file"),
        (ENV_SIGNING_ALGORITHM, "--signing-algorithm"),
    ]
    .into_iter()
    .find_map(|(name, flag)| (name == variable).then_some(flag))
}

fn round_secs(d: Duration) -> Duration {
    if d.as_secs() >= 1 {
        Duration::from_secs(d.as_secs())
    } else {
        Duration::from_millis(d.as_millis() as u64)
    }
}

/// True for operations that change state (from the operation table).
/// The innermost cause of an HTTP library error ("Connection refused (os error 111)"),
/// without the chain of wrappers around it.
fn root_cause(e: Option<&(dyn std::error::Error + 'static)>) -> Option<String> {
    let mut cause = e?;
    while let Some(next) = cause.source() {
        cause = next;
    }
    Some(cause.to_string())
}

fn is_write(operation: Operation) -> bool {
    operation.retry() != RetryClass::Read
}
