//! What an input error is about, and the failures found on this machine while preparing a
//! request.

use std::fmt;

/// The input an [`Error::InvalidInput`](crate::Error::InvalidInput) is about.
///
/// `Display` is the name used in messages (`package id`, `package id list`...).
///
/// ```
/// # async fn f(client: dataarts_release::Client) {
/// use dataarts_release::Input;
///
/// let e = client.show_package("a/b").await.unwrap_err();
/// assert_eq!(e.input(), Some(Input::PackageId));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Input {
    /// One release package id.
    PackageId,
    /// The list of package ids of one call (empty, too long, duplicates).
    PackageIds,
    /// A system task id.
    TaskId,
    /// One pending item id.
    PendingItemId,
    /// The list of pending item ids of one call.
    PendingItemIds,
    /// One approver's user id.
    ApproverId,
    /// The list of approvers.
    Approvers,
    /// The applicant's user id.
    Applicant,
    /// The name of a new package.
    PackageName,
    /// The workspace id (missing where an operation needs one, or malformed).
    Workspace,
    /// The deploy startup mode (0 or 1).
    StartupMode,
    /// The number of ids sent per request by a batched deploy.
    ChunkSize,
    /// A page size.
    Limit,
    /// A page offset.
    Offset,
}

impl Input {
    /// The list this input is one element of (`PackageId` → `PackageIds`), else itself.
    pub(crate) fn list(self) -> Input {
        match self {
            Input::PackageId => Input::PackageIds,
            Input::PendingItemId => Input::PendingItemIds,
            Input::ApproverId => Input::Approvers,
            other => other,
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Input::PackageId => "package id",
            Input::PackageIds => "package id list",
            Input::TaskId => "task id",
            Input::PendingItemId => "pending item id",
            Input::PendingItemIds => "pending item id list",
            Input::ApproverId => "approver id",
            Input::Approvers => "approvers",
            Input::Applicant => "applicant",
            Input::PackageName => "package name",
            Input::Workspace => "workspace",
            Input::StartupMode => "startup mode",
            Input::ChunkSize => "chunk size",
            Input::Limit => "limit",
            Input::Offset => "offset",
        })
    }
}

/// What is wrong with an input.
///
/// ```
/// # async fn f(client: dataarts_release::Client) {
/// use dataarts_release::InputProblem;
///
/// let e = client.with_workspace(None::<String>).pending_items().send().await.unwrap_err();
/// assert_eq!(e.input_problem(), Some(InputProblem::Missing));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputProblem {
    /// Required but not given (a workspace for the pending-item operations, a package
    /// name...).
    Missing,
    /// Empty or blank.
    Empty,
    /// More values than one request allows.
    TooMany,
    /// The same value more than once.
    Duplicate,
    /// A number outside its allowed range.
    OutOfRange,
    /// Characters that are not allowed, or too long.
    Malformed,
}

/// A request that could not be prepared for sending on this machine; nothing was sent.
///
/// ```
/// # fn f(e: &dataarts_release::Error) {
/// use dataarts_release::{Error, LocalProblem};
///
/// if let Error::Local { problem: LocalProblem::InvalidHeaderValue { header }, .. } = e {
///     eprintln!("the {header} header cannot be sent");
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalProblem {
    /// A header value (from the credentials or the configuration) contains characters HTTP
    /// does not allow.
    #[error("the {header} header value contains characters HTTP does not allow")]
    InvalidHeaderValue {
        /// The header's name.
        header: String,
    },
    /// A header is not UTF-8 or contains a control character, so it cannot be signed.
    #[error("header {header} is not UTF-8 text without control characters and cannot be signed")]
    UnsignableHeader {
        /// The header's name.
        header: String,
    },
    /// The request body is a stream, which can be neither signed nor re-sent.
    #[error("the request body is a stream and cannot be signed; send a buffered body")]
    StreamingBody,
    /// The endpoint URL has no host.
    #[error("the endpoint URL has no host")]
    NoHost,
    /// The signer refused the request.
    #[error("could not sign the request: {0}")]
    Signing(#[source] dataarts_signing::SignError),
    /// The generated client refused to build the request.
    #[error("{0}")]
    Generated(String),
    /// The project id is to be discovered and was not yet: a request built on the raw
    /// client ([`Client::raw`](crate::raw)) before [`Client::resolve_project_id`](crate::Client::resolve_project_id).
    #[error("the project id is not known yet; call Client::resolve_project_id first")]
    ProjectIdUnresolved,
}
