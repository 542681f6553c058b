//! What the service said when it refused a request, and how its answer is classified.

use std::fmt;
use std::time::Duration;

use dataarts_release_raw::Operation;

use super::Error;

/// Codes meaning "no such package, pending item or task".
const NOT_FOUND_CODES: [&str; 2] = ["DLF.0810", "DLF.20810"];

/// Codes meaning "the package is not in a state that allows this". The public service
/// documents none; the emulator answers `EMU.0003`.
const WRONG_STATE_CODES: [&str; 1] = ["EMU.0003"];

/// The API gateway's rate-limit code.
const THROTTLED_CODE: &str = "APIGW.0308";

/// The API gateway's "authentication failed" code.
const AUTH_CODE: &str = "APIGW.0301";

/// What the service (or its API gateway) said when it refused a request.
///
/// ```
/// use dataarts_release::{Error, Operation, ServiceError};
///
/// let refused = ServiceError::new(Operation::ShowFactoryPackageDetail, 400, "DLF.0810", "Task does not exist.")
///     .with_request_id("3f2a");
/// assert_eq!(refused.to_string(), "DLF.0810 Task does not exist. (request id 3f2a)");
/// assert!(Error::from(refused).is_not_found());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The operation that failed.
    pub operation: Operation,
    /// HTTP status code.
    pub status: u16,
    /// Error code, e.g. `DLF.0810` or `APIGW.0301`; the status as text when the body had none.
    pub code: String,
    /// Error message as sent by the server (or the raw body text when it was not JSON).
    pub message: String,
    /// Request id from the `X-Request-Id` header, else from the body.
    pub request_id: Option<String>,
}

impl ServiceError {
    /// A service answer without a request id (add one with
    /// [`with_request_id`](Self::with_request_id)): for tests and for transports of your own.
    ///
    /// ```
    /// use dataarts_release::{Operation, ServiceError};
    /// let e = ServiceError::new(Operation::DeployFactoryPackages, 403, "DLF.6888", "Invalid account permissions.");
    /// assert_eq!(e.status, 403);
    /// ```
    pub fn new(
        operation: Operation,
        status: u16,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            operation,
            status,
            code: code.into(),
            message: message.into(),
            request_id: None,
        }
    }

    /// The same answer with this request id.
    ///
    /// ```
    /// use dataarts_release::{Operation, ServiceError};
    /// let e = ServiceError::new(Operation::ListSystemTasks, 500, "500", "oops").with_request_id("r1");
    /// assert_eq!(e.request_id.as_deref(), Some("r1"));
    /// ```
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// True when the code says the package was in a state that forbids the operation.
    pub(crate) fn is_wrong_state(&self) -> bool {
        WRONG_STATE_CODES.contains(&self.code.as_str())
    }
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

/// Classifies an answer by its status and code, as the client does with the answers it
/// receives (without a `Retry-After`).
impl From<ServiceError> for Error {
    fn from(error: ServiceError) -> Self {
        Error::from_service(error, None)
    }
}

impl Error {
    /// Classifies a service answer by status first, then code.
    pub(crate) fn from_service(error: ServiceError, retry_after: Option<Duration>) -> Self {
        if NOT_FOUND_CODES.contains(&error.code.as_str()) {
            return Error::NotFound(error);
        }
        match error.status {
            401 | 403 => Error::Auth(error),
            429 => Error::Throttled { error, retry_after },
            _ if error.code == THROTTLED_CODE => Error::Throttled { error, retry_after },
            _ if error.code == AUTH_CODE => Error::Auth(error),
            _ => Error::Service(error),
        }
    }
}
