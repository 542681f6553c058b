//! The one error type of this crate, its classification, and the typed details the
//! variants carry.

use std::sync::Arc;
use std::time::Duration;

use dataarts_release_raw::Operation;

use crate::auth::{CredentialProblem, CredentialSource};
use crate::ids::PackageId;
use crate::model::DeployStatus;

mod config;
mod discovery;
mod hints;
mod input;
mod kind;
mod proxy;
mod service;

pub(crate) use hints::is_write;
use hints::{after_text, auth_hint, retry_after_text, service_hint};
pub use kind::ErrorKind;

pub(crate) use config::SourceName;
pub use config::{ConfigProblem, Origin, Setting};
pub use discovery::DiscoveryProblem;
pub use input::{Input, InputProblem, LocalProblem};
pub use proxy::ProxyUsed;
pub use service::ServiceError;

/// Shorthand for `Result<T, dataarts_release::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure of this crate.
///
/// Branch on [`Error::kind`] and the classification methods ([`Error::code`],
/// [`Error::is_not_found`], [`Error::is_auth`], [`Error::is_retryable`], ...) rather than on
/// variants where you can: new variants may appear (the enum is `#[non_exhaustive]`), and
/// one kind can arrive as more than one variant (a package in the wrong state is refused by
/// the service, or found by reconciliation: both are [`ErrorKind::PackageState`]).
///
/// `Display` reads like `DLF.0810 Task does not exist. (request id 3f…)`, followed by a
/// hint when one helps. No variant ever contains a secret key, token or security token.
///
/// ```
/// # async fn run(client: dataarts_release::Client) {
/// match client.show_package("23").await {
///     Ok(detail) => println!("{:?}", detail.package.deploy_status),
///     Err(e) if e.is_not_found() => println!("no such package"),
///     Err(e) => eprintln!("error: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the request (4xx or 5xx) for a reason not covered by a more
    /// specific variant.
    #[error("{0}{hint}", hint = service_hint(.0))]
    Service(ServiceError),
    /// The credentials were rejected (HTTP 401) or lack permission (HTTP 403).
    #[error("{0}{hint}", hint = auth_hint(.0))]
    Auth(ServiceError),
    /// The package, pending item or system task does not exist (`DLF.0810`, `DLF.20810`).
    #[error(
        "{0}: check the id (list packages with list_packages, pending items with pending_items)"
    )]
    NotFound(ServiceError),
    /// The rate limit was exceeded (HTTP 429, `APIGW.0308`) and retries ran out.
    #[error("{error}: the rate limit was exceeded{after}; lower ClientBuilder::rate_limit or retry later",
        after = retry_after_text(*.retry_after))]
    Throttled {
        /// The last 429 response.
        error: ServiceError,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// No answer in time: one attempt exceeded its timeout, or the whole call its deadline.
    #[error("{operation} timed out{after}: the server did not answer in time; check the network \
             or raise ClientBuilder::attempt_timeout / total_timeout{write_note}",
        after = after_text(*.after),
        write_note = if is_write(*operation) { " (the change may or may not have been applied: read the state back before retrying)" } else { "" })]
    Timeout {
        /// The operation.
        operation: Operation,
        /// How long it waited, when known.
        after: Option<Duration>,
    },
    /// The request could not be sent, or the connection failed before a full answer arrived.
    #[error("{operation}: {message}{hint}", hint = match (.connect, .proxy) {
        (true, Some(p)) => format!(": could not connect through the proxy {p}; check the proxy, or add the host to NO_PROXY"),
        (true, None) => ": could not connect; check the endpoint, proxy and network".to_string(),
        (false, _) => ": the connection failed after the request was sent".to_string(),
    })]
    Transport {
        /// The operation.
        operation: Operation,
        /// What went wrong (from the HTTP library).
        message: String,
        /// True when no connection could be made, so the request provably never reached
        /// the server (nor, with a proxy, necessarily the proxy).
        connect: bool,
        /// The proxy from the environment that the request went through, when one did
        /// (`None` with [`ClientBuilder::proxy`](crate::ClientBuilder::proxy) or
        /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)).
        proxy: Option<ProxyUsed>,
        /// The underlying error.
        #[source]
        source: Option<Arc<reqwest::Error>>,
    },
    /// The input was rejected before anything was sent.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which input.
        what: Input,
        /// What is wrong with it.
        problem: InputProblem,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The client configuration is incomplete or wrong (builder or environment).
    #[error("configuration error in {source_name}: {message}", source_name = SourceName(*setting, origin))]
    Config {
        /// Which setting.
        setting: Setting,
        /// Where its value came from (the variable, the file, the builder).
        origin: Origin,
        /// What is wrong with it.
        problem: ConfigProblem,
        /// What is wrong and what to set.
        message: String,
    },
    /// The request could not be prepared on this machine (a header value HTTP does not
    /// allow, a signing failure...); nothing was sent.
    #[error("{operation}: {problem}; nothing was sent")]
    Local {
        /// The operation.
        operation: Operation,
        /// What went wrong.
        problem: LocalProblem,
    },
    /// A response could not be understood.
    #[error("{operation}: could not decode the response ({status_text}{rid}): {message}; \
             body starts with: {excerpt:?}",
        status_text = if *status == 0 { "success status".to_string() } else { format!("HTTP {status}") },
        rid = request_id.as_deref().map(|r| format!(", request id {r}")).unwrap_or_default())]
    Decode {
        /// The operation.
        operation: Operation,
        /// HTTP status; 0 for an unreadable success answer whose exact status was not kept.
        status: u16,
        /// Why decoding failed.
        message: String,
        /// The first characters of the body, with credentials removed.
        excerpt: String,
        /// Request id, when known.
        request_id: Option<String>,
    },
    /// A package was not in a state that allows the release.
    #[error("package {package_id} was not released: it is {state}")]
    PackageState {
        /// The package.
        package_id: PackageId,
        /// Its status when read back.
        status: DeployStatus,
        /// Its `delete_flag`.
        deleted: bool,
        /// Human description of the state.
        state: String,
    },
    /// A package does not exist, as found by reading its state (it is absent from a complete
    /// package list, or reading it answered "does not exist").
    #[error(
        "package {package_id} does not exist in this project and workspace: check the id \
             (list_packages shows the packages)"
    )]
    PackageNotFound {
        /// The package.
        package_id: PackageId,
    },
    /// A deploy released some packages and then failed for the others.
    #[error("released {released:?}, then failed: {source}", released = released.iter().map(PackageId::as_str).collect::<Vec<_>>())]
    PartialRelease {
        /// The packages that were released.
        released: Vec<PackageId>,
        /// Why the rest were not.
        #[source]
        source: Box<Error>,
    },
    /// Credentials could not be obtained or renewed from their source (federation, the ECS
    /// metadata service, pod identity); nothing was sent with them.
    #[error("credentials from the {provider}: {message}")]
    Credentials {
        /// Where the credentials were to come from.
        provider: CredentialSource,
        /// What went wrong.
        problem: CredentialProblem,
        /// What went wrong, naming the variable, file or endpoint, and what to do.
        message: String,
    },
    /// No project id was configured, and looking it up in IAM
    /// (`GET /v3/projects?name={region}`, or the IAM token's own projects) failed. Its
    /// [`kind`](Error::kind) follows the problem: no match or several matches are
    /// [`ErrorKind::Config`], a refusal [`ErrorKind::Auth`], no answer
    /// [`ErrorKind::Transport`], an unreadable answer [`ErrorKind::Decode`].
    #[error(
        "could not find the project id of region {region} with IAM at {iam_endpoint}: {message}"
    )]
    ProjectDiscovery {
        /// The region whose project was looked up.
        region: String,
        /// The IAM endpoint asked.
        iam_endpoint: String,
        /// What went wrong.
        problem: DiscoveryProblem,
        /// IAM's HTTP status, when it answered.
        status: Option<u16>,
        /// The project ids found, when there were several.
        projects: Vec<String>,
        /// What went wrong and what to do.
        message: String,
    },
    /// Waiting gave up before the task or package reached a final state.
    #[error(
        "gave up waiting for {what} after {waited:?} (last status: {last_status}); it may \
             still finish: wait again or raise the wait timeout"
    )]
    WaitTimeout {
        /// What was being waited for.
        what: String,
        /// How long it waited.
        waited: Duration,
        /// The last status seen.
        last_status: String,
    },
}

impl Error {
    /// The service's error code (`DLF.0810`, `APIGW.0308`...), when the server answered.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) {
    /// if e.code() == Some("DLF.6888") { eprintln!("permission problem"); }
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.service().map(|s| s.code.as_str())
    }

    /// The request id to quote to support, when the server answered.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) {
    /// if let Some(id) = e.request_id() { eprintln!("request id {id}"); }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => self.service().and_then(|s| s.request_id.as_deref()),
        }
    }

    /// The HTTP status, when the server answered.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) {
    /// let _server_side = e.status().is_some_and(|s| s >= 500);
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } if *status != 0 => Some(*status),
            Error::ProjectDiscovery { status, .. } => *status,
            _ => self.service().map(|s| s.status),
        }
    }

    /// The service error behind this error, if the server answered with one.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) {
    /// let _message = e.service().map(|s| s.message.clone());
    /// # }
    /// ```
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(s) | Error::Auth(s) | Error::NotFound(s) => Some(s),
            Error::Throttled { error, .. } => Some(error),
            Error::PartialRelease { source, .. } => source.service(),
            _ => None,
        }
    }

    /// What kind of failure this is. A [`Error::PartialRelease`] has the kind of its cause.
    ///
    /// ```
    /// use dataarts_release::{Error, ErrorKind, Operation, ServiceError};
    /// let e = Error::from(ServiceError::new(Operation::DeployFactoryPackages, 401, "APIGW.0301", "bad signature"));
    /// assert_eq!(e.kind(), ErrorKind::Auth);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Service(s) if s.is_wrong_state() => ErrorKind::PackageState,
            Error::Service(_) => ErrorKind::Service,
            Error::Auth(_) => ErrorKind::Auth,
            Error::NotFound(_) | Error::PackageNotFound { .. } => ErrorKind::NotFound,
            Error::Throttled { .. } => ErrorKind::Throttled,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Config { .. } => ErrorKind::Config,
            Error::Local { .. } => ErrorKind::Local,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::PackageState { .. } => ErrorKind::PackageState,
            Error::PartialRelease { source, .. } => source.kind(),
            Error::WaitTimeout { .. } => ErrorKind::WaitTimeout,
            Error::Credentials { .. } => ErrorKind::Credentials,
            Error::ProjectDiscovery { problem, .. } => match problem {
                DiscoveryProblem::NoMatch | DiscoveryProblem::SeveralMatches => ErrorKind::Config,
                DiscoveryProblem::Refused => ErrorKind::Auth,
                DiscoveryProblem::Unreachable => ErrorKind::Transport,
                DiscoveryProblem::Malformed => ErrorKind::Decode,
                DiscoveryProblem::Failed => ErrorKind::Service,
            },
        }
    }

    /// The operation that failed, when the error came from one call.
    ///
    /// ```
    /// use dataarts_release::{Error, Operation, ServiceError};
    /// let e = Error::from(ServiceError::new(Operation::ListSystemTasks, 500, "500", "oops"));
    /// assert_eq!(e.operation(), Some(Operation::ListSystemTasks));
    /// ```
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Error::Timeout { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Local { operation, .. }
            | Error::Decode { operation, .. } => Some(*operation),
            Error::PartialRelease { source, .. } => source.operation(),
            _ => self.service().map(|s| s.operation),
        }
    }

    /// True when the credentials were rejected (HTTP 401, `APIGW.0301`) or lack permission
    /// (HTTP 403).
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { if e.is_auth() { eprintln!("check the credentials"); } }
    /// ```
    pub fn is_auth(&self) -> bool {
        self.kind() == ErrorKind::Auth
    }

    /// True when no answer came in time (one attempt, or the whole call); waiting that gave
    /// up is [`ErrorKind::WaitTimeout`] instead.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { let _ = e.is_timeout(); }
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// True when the client configuration is incomplete or wrong ([`Error::Config`]).
    ///
    /// ```
    /// assert!(dataarts_release::Client::builder().build().unwrap_err().is_config());
    /// ```
    pub fn is_config(&self) -> bool {
        self.kind() == ErrorKind::Config
    }

    /// True when a package was not in a state that allows the operation, whether the service
    /// refused it or reading the package back showed it.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { if e.is_package_state() { /* show the package */ } }
    /// ```
    pub fn is_package_state(&self) -> bool {
        self.kind() == ErrorKind::PackageState
    }

    /// The setting a configuration error is about.
    ///
    /// ```
    /// use dataarts_release::Setting;
    /// let e = dataarts_release::Client::builder().build().unwrap_err();
    /// assert_eq!(e.setting(), Some(Setting::Credentials));
    /// ```
    pub fn setting(&self) -> Option<Setting> {
        match self {
            Error::Config { setting, .. } => Some(*setting),
            Error::ProjectDiscovery { .. } if self.kind() == ErrorKind::Config => {
                Some(Setting::ProjectId)
            }
            _ => None,
        }
    }

    /// Where the value of a configuration error's setting came from.
    ///
    /// ```
    /// use dataarts_release::Origin;
    /// let e = dataarts_release::Client::builder().build().unwrap_err();
    /// assert_eq!(e.origin(), Some(&Origin::Unset));
    /// ```
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Error::Config { origin, .. } => Some(origin),
            Error::ProjectDiscovery { .. } if self.kind() == ErrorKind::Config => {
                Some(&Origin::Unset)
            }
            _ => None,
        }
    }

    /// What is wrong with a configuration error's setting.
    ///
    /// ```
    /// use dataarts_release::ConfigProblem;
    /// let e = dataarts_release::Client::builder().build().unwrap_err();
    /// assert_eq!(e.config_problem(), Some(ConfigProblem::Missing));
    /// ```
    pub fn config_problem(&self) -> Option<ConfigProblem> {
        match self {
            Error::Config { problem, .. } => Some(*problem),
            _ => None,
        }
    }

    /// The input an input error is about.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) {
    /// if e.input() == Some(dataarts_release::Input::Workspace) { /* ask for one */ }
    /// # }
    /// ```
    pub fn input(&self) -> Option<Input> {
        match self {
            Error::InvalidInput { what, .. } => Some(*what),
            _ => None,
        }
    }

    /// What is wrong with the input of an input error.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) {
    /// let _missing = e.input_problem() == Some(dataarts_release::InputProblem::Missing);
    /// # }
    /// ```
    pub fn input_problem(&self) -> Option<InputProblem> {
        match self {
            Error::InvalidInput { problem, .. } => Some(*problem),
            _ => None,
        }
    }

    /// True for "does not exist" (`DLF.0810`, `DLF.20810`).
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { if e.is_not_found() { /* ... */ } }
    /// ```
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_) | Error::PackageNotFound { .. })
    }

    /// True when the caller was throttled.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { let _ = e.is_throttled(); }
    /// ```
    pub fn is_throttled(&self) -> bool {
        matches!(self, Error::Throttled { .. })
    }

    /// True when the error is an input, configuration or local problem found before
    /// sending.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { let _ = e.is_invalid_input(); }
    /// ```
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::InvalidInput | ErrorKind::Config | ErrorKind::Local
        )
    }

    /// The server's `Retry-After`, when throttled.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { let _ = e.retry_after(); }
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying the same call again later could succeed: throttling, timeouts,
    /// transport failures and 502/503/504. For writes, read the state back first (or use
    /// [`Client::deploy`](crate::Client::deploy), which does so itself).
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { if e.is_retryable() { /* back off, retry */ } }
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Throttled { .. } | Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Service(s) => matches!(s.status, 502..=504),
            Error::ProjectDiscovery {
                problem, status, ..
            } => *problem == DiscoveryProblem::Unreachable || matches!(status, Some(502..=504)),
            Error::Credentials { problem, .. } => *problem == CredentialProblem::Unreachable,
            Error::Decode { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Whether a write may have taken effect although it failed: a timeout, a connection
    /// lost after sending, a 5xx, or a success answer that could not be read.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { if e.is_ambiguous() { /* read back first */ } }
    /// ```
    pub fn is_ambiguous(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Transport { connect, .. } => !connect,
            Error::Service(s) => s.status >= 500,
            Error::Decode { status, .. } => {
                *status == 0 || (200..300).contains(status) || *status >= 500
            }
            _ => false,
        }
    }

    pub(crate) fn invalid(what: Input, problem: InputProblem, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            problem,
            reason: reason.into(),
        }
    }

    pub(crate) fn config(
        setting: Setting,
        origin: Origin,
        problem: ConfigProblem,
        message: impl Into<String>,
    ) -> Self {
        Error::Config {
            setting,
            origin,
            problem,
            message: message.into(),
        }
    }

    /// `env_proxy`: whether the client takes its proxy from the environment (no
    /// [`ClientBuilder::proxy`](crate::ClientBuilder::proxy) or custom HTTP client).
    pub(crate) fn from_reqwest(operation: Operation, e: reqwest::Error, env_proxy: bool) -> Self {
        if e.is_timeout() {
            return Error::Timeout {
                operation,
                after: None,
            };
        }
        let connect = e.is_connect();
        let mut message = e.to_string();
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        let proxy = e.url().filter(|_| env_proxy).and_then(ProxyUsed::from_env);
        Error::Transport {
            operation,
            message,
            connect,
            proxy,
            source: Some(Arc::new(e)),
        }
    }
}
