//! The `Client` handle, how a `ClientBuilder` becomes one, and how raw results become
//! domain results.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use dataarts_release_raw::types::ErrorBody;
use dataarts_release_raw::{LocalError, Operation};
use url::Url;

use crate::auth::live::Auth;
use crate::auth::project::{Lookup, Project};
use crate::config::{AuthUrls, ClientBuilder};
use crate::credentials::Credentials;
use crate::error::{Error, Input, InputProblem, LocalProblem, Origin, Result, ServiceError};
use crate::paging::OffsetUnits;
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::transport::Clock;
use crate::validate;
use crate::SigningAlgorithm;

/// The DataArts Factory release client. Cheap to clone (an `Arc` inside); share it.
///
/// Build one with [`Client::builder`] or [`Client::from_env`]. Every operation validates its
/// input before sending, signs each attempt, retries by the [`RetryPolicy`], and returns a
/// domain type or an [`Error`].
///
/// ```no_run
/// use dataarts_release::{Client, Credentials};
///
/// # async fn run() -> dataarts_release::Result<()> {
/// let client = Client::builder()
///     .region("cn-north-4")
///     .project_id("b384b9e9ab9b4ee8994c8633aabc9505")
///     .credentials(Credentials::aksk("AK", "SK"))
///     .build()?;
/// let deployment = client.deploy(["23"]).start_jobs(false).send().await?;
/// let results = deployment.wait().await?;
/// for r in results {
///     println!("{}: {:?}", r.package_id, r.outcome);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    workspace: Option<Arc<Workspace>>,
}

/// A default workspace, checked once, when it is set: the check cannot change afterwards.
struct Workspace {
    value: String,
    /// What [`validate::workspace`] said about `value`.
    check: Result<()>,
}

impl Workspace {
    fn new(value: String) -> Arc<Self> {
        let check = validate::workspace(&value);
        Arc::new(Self { value, check })
    }
}

pub(crate) struct Inner {
    pub(crate) v2: dataarts_release_raw::Client,
    pub(crate) v1: dataarts_release_raw::Client,
    pub(crate) v2_url: Url,
    pub(crate) v1_url: Url,
    /// The project id, configured or discovered once.
    pub(crate) project: Arc<Project>,
    /// The credentials as given (for `Debug`), where they were set, and the set in force.
    pub(crate) credentials: Credentials,
    pub(crate) credentials_origin: Origin,
    pub(crate) auth: Arc<Auth>,
    pub(crate) algorithm: SigningAlgorithm,
    pub(crate) region: Option<String>,
    pub(crate) urls: AuthUrls,
    pub(crate) http: reqwest::Client,
    /// Whether `http` takes its proxy from the environment (to name it in errors).
    pub(crate) env_proxy: bool,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) attempt_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    /// What each list operation's `offset` counts, once a listing found out.
    pub(crate) offset_units: OffsetUnits,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.v2_url.as_str())
            .field("v1_endpoint", &self.inner.v1_url.as_str())
            .field("project_id", &self.inner.project.get().map(|p| p.as_str()))
            .field("region", &self.inner.region)
            .field("workspace", &self.workspace())
            .field("credentials", &self.inner.credentials)
            .field("active_credentials", &self.inner.auth.peek())
            .field("signing_algorithm", &self.inner.algorithm)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl Client {
    /// Starts configuring a client.
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder();
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The same client with another default workspace (`None`: send no `workspace` header).
    /// The value is checked when a request uses it.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let other = client.with_workspace(Some("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"));
    /// let page = other.pending_items().send().await?;
    /// # Ok(()) }
    /// ```
    pub fn with_workspace(&self, workspace: Option<impl Into<String>>) -> Self {
        Self {
            inner: self.inner.clone(),
            workspace: workspace.map(|w| Workspace::new(w.into())),
        }
    }

    /// The V2 base URL (every operation but the system-task query).
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().endpoint("http://127.0.0.1:1")
    /// #     .project_id("p").credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.endpoint(), "http://127.0.0.1:1/");
    /// ```
    pub fn endpoint(&self) -> &str {
        self.inner.v2_url.as_str()
    }

    /// The V1 base URL (system tasks).
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .project_id("p").credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.v1_endpoint(), "https://dayu-dlf.cn-north-4.myhuaweicloud.com/");
    /// ```
    pub fn v1_endpoint(&self) -> &str {
        self.inner.v1_url.as_str()
    }

    /// The configured project id; `None` when it is looked up in IAM (see
    /// [`resolve_project_id`](Self::resolve_project_id)).
    ///
    /// ```
    /// use dataarts_release::{Client, Credentials};
    /// let client = Client::builder().region("cn-north-4")
    ///     .project_id("p1").credentials(Credentials::token("t")).build()?;
    /// assert_eq!(client.project_id(), Some("p1"));
    /// let client = Client::builder().region("cn-north-4").credentials(Credentials::token("t")).build()?;
    /// assert_eq!(client.project_id(), None);
    /// # Ok::<(), dataarts_release::Error>(())
    /// ```
    pub fn project_id(&self) -> Option<&str> {
        self.inner.project.configured.as_ref()?;
        self.inner.project.get().map(|p| p.as_str())
    }

    /// The project id in use: the configured one, or the one IAM lists for the region
    /// (`GET /v3/projects?name={region}` signed with the client's credentials and
    /// algorithm, as Huawei's SDKs do; with an IAM token, the token's own projects). The
    /// lookup happens once per client (clones share it); every operation does it first.
    ///
    /// # Errors
    ///
    /// [`Error::ProjectDiscovery`] (no project of that name, several, IAM refusing or
    /// unreachable), or [`Error::Credentials`] when the credentials cannot be had.
    ///
    /// ```no_run
    /// # async fn f() -> dataarts_release::Result<()> {
    /// use dataarts_release::{Client, Credentials};
    /// let client = Client::builder()
    ///     .region("cn-north-4")
    ///     .credentials(Credentials::aksk("AK", "SK"))
    ///     .build()?;
    /// println!("project {}", client.resolve_project_id().await?);
    /// # Ok(()) }
    /// ```
    pub async fn resolve_project_id(&self) -> Result<String> {
        let cx = Lookup {
            auth: &self.inner.auth,
            http: &self.inner.http,
            clock: &*self.inner.clock,
            timeout: self.inner.attempt_timeout,
        };
        Ok(self.inner.project.resolve(&cx).await?.as_str().to_string())
    }

    /// Before an operation sends: the credentials can be had (fetched on first use) and
    /// the project id is known. Returns the project id.
    pub(crate) async fn ready(&self) -> Result<String> {
        self.inner.auth.current().await?;
        self.resolve_project_id().await
    }

    /// Where the credentials come from.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.credential_source(), dataarts_release::CredentialSource::IamToken);
    /// ```
    pub fn credential_source(&self) -> crate::CredentialSource {
        self.inner.auth.source()
    }

    /// The algorithm AK/SK requests are signed with.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .credentials(dataarts_release::Credentials::aksk("AK", "SK")).build().unwrap();
    /// assert_eq!(client.signing_algorithm(), dataarts_release::SigningAlgorithm::HmacSha256);
    /// ```
    pub fn signing_algorithm(&self) -> SigningAlgorithm {
        self.inner.algorithm
    }

    /// The region, when set.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.region(), Some("cn-north-4"));
    /// ```
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// The IAM endpoint (project-id discovery, identity-provider federation).
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.iam_endpoint(), "https://iam.cn-north-4.myhuaweicloud.com/");
    /// ```
    pub fn iam_endpoint(&self) -> &str {
        self.inner.urls.iam.as_str()
    }

    /// The STS endpoint (OIDC federation).
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.sts_endpoint(), "https://sts.cn-north-4.myhuaweicloud.com/");
    /// ```
    pub fn sts_endpoint(&self) -> &str {
        self.inner.urls.sts.as_str()
    }

    /// The ECS metadata service's address.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.metadata_endpoint(), "http://169.254.169.254/");
    /// ```
    pub fn metadata_endpoint(&self) -> &str {
        self.inner.urls.metadata.as_str()
    }

    /// The default workspace, if any.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .project_id("p").credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.workspace(), None);
    /// ```
    pub fn workspace(&self) -> Option<&str> {
        self.workspace.as_deref().map(|w| w.value.as_str())
    }

    /// The retry policy in force.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .project_id("p").credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.retry_policy().attempts(), 4);
    /// ```
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The workspace header to send, checked; `required` for the pending-item operations.
    pub(crate) fn workspace_checked(&self, required: bool) -> Result<Option<&str>> {
        match self.workspace.as_deref() {
            Some(ws) => {
                ws.check.clone()?;
                Ok(Some(&ws.value))
            }
            None if required => Err(Error::invalid(
                Input::Workspace,
                InputProblem::Missing,
                "this operation needs a workspace: set ClientBuilder::workspace or DATAARTS_WORKSPACE, \
                 or use Client::with_workspace",
            )),
            None => Ok(None),
        }
    }

    /// Runs a raw call under the total deadline and maps its result.
    pub(crate) async fn call<T, F>(&self, operation: Operation, fut: F) -> Result<T>
    where
        F: std::future::Future<
            Output = std::result::Result<
                dataarts_release_raw::ResponseValue<T>,
                dataarts_release_raw::Error<ErrorBody>,
            >,
        >,
    {
        // No timer here: the transport bounds every attempt by the attempt timeout and the
        // remaining total deadline, and stops retrying at the deadline.
        match dataarts_release_raw::capture_local_failure(fut).await {
            (Ok(v), _) => Ok(v.into_inner()),
            (Err(_), Some(local)) => Err(local_error(operation, local)),
            (Err(e), None) => {
                let e = self.map_raw_error(operation, e);
                // Refused because temporary credentials expired and could not be renewed:
                // that is the failure to report.
                match self.inner.auth.expired() {
                    Some(expired) if e.is_auth() => Err(expired),
                    _ => Err(e),
                }
            }
        }
    }

    /// Maps a raw client error, removing any credential from texts we copy.
    pub(crate) fn map_raw_error(
        &self,
        operation: Operation,
        e: dataarts_release_raw::Error<ErrorBody>,
    ) -> Error {
        use dataarts_release_raw::Error as Raw;
        let scrub = |s: &str| self.inner.auth.scrub(s);
        match e {
            Raw::InvalidRequest(msg) | Raw::Custom(msg) => Error::Local {
                operation,
                problem: LocalProblem::Generated(scrub(&msg)),
            },
            Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) | Raw::ResponseBodyError(e) => {
                Error::from_reqwest(operation, e, self.inner.env_proxy)
            }
            Raw::InvalidResponsePayload(bytes, err) => Error::Decode {
                operation,
                status: 0,
                message: err.to_string(),
                excerpt: scrub(&crate::error_body::excerpt(
                    &String::from_utf8_lossy(&bytes),
                    120,
                )),
                request_id: None,
            },
            Raw::UnexpectedResponse(resp) => {
                let status = resp.status().as_u16();
                let request_id = header(resp.headers(), "x-request-id");
                Error::from_service(
                    ServiceError {
                        operation,
                        status,
                        code: status.to_string(),
                        message: format!("unexpected HTTP status {status}"),
                        request_id,
                    },
                    None,
                )
            }
            Raw::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let headers = rv.headers().clone();
                let body = rv.into_inner();
                let request_id =
                    header(&headers, "x-request-id").or(body.request_id.filter(|s| !s.is_empty()));
                let retry_after =
                    header(&headers, "retry-after").and_then(|v| parse_retry_after(&v));
                Error::from_service(
                    ServiceError {
                        operation,
                        status,
                        code: body
                            .error_code
                            .filter(|c| !c.is_empty())
                            .unwrap_or_else(|| status.to_string()),
                        message: scrub(body.error_msg.as_deref().unwrap_or("")),
                        request_id,
                    },
                    retry_after,
                )
            }
        }
    }
}

/// The failure the transport found before sending, back in its own type.
fn local_error(operation: Operation, local: LocalError) -> Error {
    match local.downcast::<LocalProblem>() {
        Ok(problem) => Error::Local {
            operation,
            problem: *problem,
        },
        // The transport is ours and reports only `LocalProblem`s; keep any other as text.
        Err(other) => Error::Local {
            operation,
            problem: LocalProblem::Generated(other.to_string()),
        },
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

mod auth_report;
mod build;
#[cfg(test)]
mod tests;
