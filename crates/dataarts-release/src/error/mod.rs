//! The one error type of this crate, and how raw responses become it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::ids::PackageId;
use crate::model::DeployStatus;

/// Shorthand for `Result<T, dataarts_release::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the service (or its API gateway) said when it refused a request.
///
/// ```
/// # fn show(e: &dataarts_release::Error) {
/// if let Some(service) = e.service() {
///     eprintln!("{} {} (status {})", service.code, service.message, service.status);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The operation that failed, e.g. `deploy_factory_packages`.
    pub operation: &'static str,
    /// HTTP status code.
    pub status: u16,
    /// Error code, e.g. `DLF.0810` or `APIGW.0301`; the status as text when the body had none.
    pub code: String,
    /// Error message as sent by the server (or the raw body text when it was not JSON).
    pub message: String,
    /// Request id from the `X-Request-Id` header, else from the body.
    pub request_id: Option<String>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.message.trim())?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        } else {
            write!(f, " (HTTP {})", self.status)?;
        }
        Ok(())
    }
}

/// Every failure of this crate.
///
/// Match on the classification methods ([`Error::code`], [`Error::is_not_found`],
/// [`Error::is_retryable`], ...) rather than on variants where you can: new variants may
/// appear (the enum is `#[non_exhaustive]`).
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
        write_note = if is_write(operation) { " (the change may or may not have been applied: read the state back before retrying)" } else { "" })]
    Timeout {
        /// The operation, e.g. `list_system_tasks`.
        operation: &'static str,
        /// How long it waited, when known.
        after: Option<Duration>,
    },
    /// The request could not be sent, or the connection failed before a full answer arrived.
    #[error("{operation}: {message}{hint}", hint = if *.connect { ": could not connect; check the endpoint, proxy and network" } else { ": the connection failed after the request was sent" })]
    Transport {
        /// The operation.
        operation: &'static str,
        /// What went wrong (from the HTTP library).
        message: String,
        /// True when no connection could be made, so the request provably never reached
        /// the server.
        connect: bool,
        /// The underlying error.
        #[source]
        source: Option<Arc<reqwest::Error>>,
    },
    /// The input was rejected before anything was sent.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was wrong, e.g. `package id`.
        what: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The client configuration is incomplete or wrong (builder or environment).
    #[error("configuration error in {source_name}: {message}")]
    Config {
        /// Where the bad value came from, e.g. `HUAWEICLOUD_SDK_AK` or `ClientBuilder::region`.
        source_name: String,
        /// What is wrong and what to set.
        message: String,
    },
    /// A response could not be understood.
    #[error("{operation}: could not decode the response ({status_text}{rid}): {message}; \
             body starts with: {excerpt:?}",
        status_text = if *status == 0 { "success status".to_string() } else { format!("HTTP {status}") },
        rid = request_id.as_deref().map(|r| format!(", request id {r}")).unwrap_or_default())]
    Decode {
        /// The operation.
        operation: &'static str,
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
    /// A deploy released some packages and then failed for the others.
    #[error("released {released:?}, then failed: {source}", released = released.iter().map(PackageId::as_str).collect::<Vec<_>>())]
    PartialRelease {
        /// The packages that were released.
        released: Vec<PackageId>,
        /// Why the rest were not.
        #[source]
        source: Box<Error>,
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

fn is_write(operation: &str) -> bool {
    matches!(
        operation,
        "deploy_factory_packages"
            | "cancel_factory_packages"
            | "create_factory_pending_items_package"
    )
}

fn after_text(after: Option<Duration>) -> String {
    after.map(|d| format!(" after {d:?}")).unwrap_or_default()
}

fn retry_after_text(after: Option<Duration>) -> String {
    after
        .map(|d| format!(" (server asks to wait {d:?})"))
        .unwrap_or_default()
}

fn service_hint(e: &ServiceError) -> &'static str {
    match e.status {
        500..=599 => ": the service failed; retry later (reads are retried automatically)",
        300..=399 => ": redirects are not followed; check the endpoint URL",
        _ => "",
    }
}

fn auth_hint(e: &ServiceError) -> &'static str {
    let m = e.message.to_ascii_lowercase();
    if e.status == 403 {
        ": the IAM user is not allowed to call this API or project; check its permissions and the project id"
    } else if m.contains("expired") {
        ": the request signature expired; check that this machine's clock is synchronised \
         (signatures are valid for 15 minutes)"
    } else if m.contains("not exist") {
        ": the access key is unknown; check HUAWEICLOUD_SDK_AK, the region and the cloud"
    } else if m.contains("token") {
        ": the IAM token was rejected; get a fresh project-scoped token (they last 24 hours)"
    } else {
        ": check the access key and secret key (or token) and the project id"
    }
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

    /// True for "does not exist" (`DLF.0810`, `DLF.20810`).
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { if e.is_not_found() { /* ... */ } }
    /// ```
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_))
    }

    /// True when the caller was throttled.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { let _ = e.is_throttled(); }
    /// ```
    pub fn is_throttled(&self) -> bool {
        matches!(self, Error::Throttled { .. })
    }

    /// True when the error is an input or configuration problem found before sending.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) { let _ = e.is_invalid_input(); }
    /// ```
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. } | Error::Config { .. })
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

    pub(crate) fn invalid(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what: what.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn config(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            source_name: source_name.into(),
            message: message.into(),
        }
    }

    /// Classifies a service answer by status first, then code.
    pub(crate) fn from_service(error: ServiceError, retry_after: Option<Duration>) -> Self {
        if error.code == "DLF.0810" || error.code == "DLF.20810" {
            return Error::NotFound(error);
        }
        match error.status {
            401 | 403 => Error::Auth(error),
            429 => Error::Throttled { error, retry_after },
            _ if error.code == "APIGW.0308" => Error::Throttled { error, retry_after },
            _ if error.code == "APIGW.0301" => Error::Auth(error),
            _ => Error::Service(error),
        }
    }

    pub(crate) fn from_reqwest(operation: &'static str, e: reqwest::Error) -> Self {
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
        Error::Transport {
            operation,
            message,
            connect,
            source: Some(Arc::new(e)),
        }
    }
}
