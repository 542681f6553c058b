//! Error types: the library's own errors, and the API errors the emulator answers with.

use std::path::PathBuf;

/// Why the emulator could not be configured or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A fixtures file could not be read.
    #[error("cannot read fixtures file {path}: {source}")]
    FixturesIo {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A fixtures document is not valid JSON of the documented shape.
    #[error("invalid fixtures JSON{}: {source}", path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    FixturesJson {
        /// The file, when the fixtures came from one.
        path: Option<PathBuf>,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The fixtures are well-formed JSON but inconsistent (duplicate ids, dangling references...).
    #[error("invalid fixtures: {0}")]
    FixturesInvalid(String),
    /// The configuration is invalid (e.g. `--ak` without a matching `--sk`).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The listening socket could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The requested port.
        port: u16,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another I/O error (signal handling, writing the URL).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// An error answer: HTTP status, error code and message, and whether it comes from the
/// "gateway" (gateway errors carry `request_id` in the body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub msg: String,
    pub gateway: bool,
    /// `Retry-After` seconds, for 429.
    pub retry_after: Option<u64>,
}

/// "The specified parameter is not configured."
pub(crate) const MSG_NOT_CONFIGURED: &str = "The specified parameter is not configured.";
/// "Task does not exist."
pub(crate) const MSG_TASK_NOT_EXIST: &str = "Task does not exist.";

impl ApiError {
    fn dlf(status: u16, code: &'static str, msg: impl Into<String>) -> Self {
        Self {
            status,
            code,
            msg: msg.into(),
            gateway: false,
            retry_after: None,
        }
    }

    fn gw(status: u16, code: &'static str, msg: impl Into<String>) -> Self {
        Self {
            status,
            code,
            msg: msg.into(),
            gateway: true,
            retry_after: None,
        }
    }

    /// 400 DLF.0810 "Task does not exist."
    pub fn not_found() -> Self {
        Self::dlf(400, "DLF.0810", MSG_TASK_NOT_EXIST)
    }

    /// 400 DLF.20810 "Task[<id>] does not exist"
    pub fn task_not_found(id: &str) -> Self {
        Self::dlf(400, "DLF.20810", format!("Task[{id}] does not exist"))
    }

    /// 400 DLF.0802 "The specified parameter is not configured."
    pub fn not_configured() -> Self {
        Self::dlf(400, "DLF.0802", MSG_NOT_CONFIGURED)
    }

    /// 400 DLF.6888 "Invalid account permissions."
    pub fn permissions() -> Self {
        Self::dlf(400, "DLF.6888", "Invalid account permissions.")
    }

    /// 400 EMU.0001 malformed JSON.
    pub fn malformed_json(detail: impl std::fmt::Display) -> Self {
        Self::dlf(
            400,
            "EMU.0001",
            format!("The request body is not valid JSON: {detail}"),
        )
    }

    /// 400 EMU.0002 invalid value.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Self::dlf(400, "EMU.0002", msg)
    }

    /// 400 EMU.0003 wrong state.
    pub fn wrong_state(msg: impl Into<String>) -> Self {
        Self::dlf(400, "EMU.0003", msg)
    }

    /// 400 EMU.0004 unknown workspace.
    pub fn workspace(msg: impl Into<String>) -> Self {
        Self::dlf(400, "EMU.0004", msg)
    }

    /// 401 APIGW.0301.
    pub fn unauthorized(detail: impl std::fmt::Display) -> Self {
        Self::gw(
            401,
            "APIGW.0301",
            format!("Incorrect IAM authentication information: {detail}"),
        )
    }

    /// 403 APIGW.0302.
    pub fn forbidden(project_id: &str) -> Self {
        Self::gw(
            403,
            "APIGW.0302",
            format!(
                "The IAM user is not authorized to access the API: project {} does not belong to the caller",
                crate::journal::cap_text(project_id, 128)
            ),
        )
    }

    /// 404 APIGW.0101.
    pub fn no_route(method: &str, path: &str) -> Self {
        Self::gw(
            404,
            "APIGW.0101",
            format!(
                "The API does not exist or has not been published in the environment: {} {}",
                crate::journal::cap_text(method, 16),
                crate::journal::cap_text(path, 256)
            ),
        )
    }

    /// 405 APIGW.0101 (the path exists with another method).
    pub fn method_not_allowed(method: &str, path: &str, allowed: &str) -> Self {
        Self::gw(
            405,
            "APIGW.0101",
            format!(
                "Method {} is not allowed on {}; allowed: {allowed}",
                crate::journal::cap_text(method, 16),
                crate::journal::cap_text(path, 256)
            ),
        )
    }

    /// 413 APIGW.0201.
    pub fn too_large(limit: usize) -> Self {
        Self::gw(
            413,
            "APIGW.0201",
            format!("Request entity too large: the body exceeds {limit} bytes"),
        )
    }

    /// 503 EMU.0503: the request bodies being read at once already hold `budget` bytes
    /// (retry in a second).
    pub fn bodies_busy(budget: usize) -> Self {
        let mut e = Self::gw(
            503,
            "EMU.0503",
            format!(
                "Service unavailable: the emulator is already reading {} MiB of request bodies; retry",
                budget / (1024 * 1024)
            ),
        );
        e.retry_after = Some(1);
        e
    }

    /// 400 APIGW.0201 (unreadable request).
    pub fn bad_request(detail: impl std::fmt::Display) -> Self {
        Self::gw(400, "APIGW.0201", format!("Bad request: {detail}"))
    }

    /// 414 APIGW.0201 (request target longer than `limit` bytes).
    pub fn uri_too_long(limit: usize) -> Self {
        Self::gw(
            414,
            "APIGW.0201",
            format!("Request-URI too long: the request target exceeds {limit} bytes"),
        )
    }

    /// 431 APIGW.0201 (request headers too large).
    pub fn headers_too_large(detail: impl std::fmt::Display) -> Self {
        Self::gw(
            431,
            "APIGW.0201",
            format!("Request header fields too large: {detail}"),
        )
    }

    /// 429 APIGW.0308.
    pub fn throttled(policy: &str, limit: u32, retry_after: u64) -> Self {
        let mut e = Self::gw(
            429,
            "APIGW.0308",
            format!(
                "The throttling threshold has been reached: policy {policy} over ratelimit,limit:{limit},time:1 second"
            ),
        );
        e.retry_after = Some(retry_after.max(1));
        e
    }

    /// 429 APIGW.0308 for an injected throttling burst.
    pub fn burst() -> Self {
        let mut e = Self::gw(
            429,
            "APIGW.0308",
            "The throttling threshold has been reached: policy user over ratelimit,limit:burst,time:1 second",
        );
        e.retry_after = Some(1);
        e
    }

    /// 500 EMU.0500 (injected fault).
    pub fn injected() -> Self {
        Self::gw(500, "EMU.0500", "Internal server error (injected fault).")
    }
}
