//! The `Client` handle and how raw results become domain results.

use std::fmt;
use std::sync::Arc;

use dataarts_release_raw::types::ErrorBody;
use url::Url;

use crate::config::ClientBuilder;
use crate::credentials::{self, Credentials};
use crate::error::{Error, Result, ServiceError};
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::transport::CLIENT_ERROR_HEADER;
use crate::validate;

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
    pub(crate) workspace: Option<String>,
}

pub(crate) struct Inner {
    pub(crate) v2: dataarts_release_raw::Client,
    pub(crate) v1: dataarts_release_raw::Client,
    pub(crate) v2_url: Url,
    pub(crate) v1_url: Url,
    pub(crate) project_id: String,
    pub(crate) credentials: Credentials,
    pub(crate) retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.v2_url.as_str())
            .field("v1_endpoint", &self.inner.v1_url.as_str())
            .field("project_id", &self.inner.project_id)
            .field("workspace", &self.workspace)
            .field("credentials", &self.inner.credentials)
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

    pub(crate) fn from_parts(inner: Arc<Inner>, workspace: Option<String>) -> Self {
        Self { inner, workspace }
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
            workspace: workspace.map(Into::into),
        }
    }

    /// The V2 base URL (ops 1 to 6).
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

    /// The project id.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .project_id("p1").credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.project_id(), "p1");
    /// ```
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// The default workspace, if any.
    ///
    /// ```
    /// # let client = dataarts_release::Client::builder().region("cn-north-4")
    /// #     .project_id("p").credentials(dataarts_release::Credentials::token("t")).build().unwrap();
    /// assert_eq!(client.workspace(), None);
    /// ```
    pub fn workspace(&self) -> Option<&str> {
        self.workspace.as_deref()
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

    /// The workspace header to send, checked; `required` for ops 5 and 6.
    pub(crate) fn workspace_checked(&self, required: bool) -> Result<Option<&str>> {
        match self.workspace.as_deref() {
            Some(ws) => {
                validate::workspace(ws)?;
                Ok(Some(ws))
            }
            None if required => Err(Error::invalid(
                "workspace",
                "this operation needs a workspace: set ClientBuilder::workspace or DATAARTS_WORKSPACE, \
                 or use Client::with_workspace",
            )),
            None => Ok(None),
        }
    }

    /// Runs a raw call under the total deadline and maps its result.
    pub(crate) async fn call<T, F>(&self, operation: &'static str, fut: F) -> Result<T>
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
        match fut.await {
            Ok(v) => Ok(v.into_inner()),
            Err(e) => Err(self.map_raw_error(operation, e)),
        }
    }

    /// Maps a raw client error, removing any credential from texts we copy.
    pub(crate) fn map_raw_error(
        &self,
        operation: &'static str,
        e: dataarts_release_raw::Error<ErrorBody>,
    ) -> Error {
        use dataarts_release_raw::Error as Raw;
        let secrets = self.inner.credentials.secrets();
        let scrub = |s: &str| credentials::scrub(s, &secrets);
        match e {
            Raw::InvalidRequest(msg) => Error::invalid("request", scrub(&msg)),
            Raw::Custom(msg) => Error::invalid("request", scrub(&msg)),
            Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) | Raw::ResponseBodyError(e) => {
                Error::from_reqwest(operation, e)
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
                if headers.contains_key(CLIENT_ERROR_HEADER) {
                    return Error::invalid(
                        "request",
                        scrub(
                            body.error_msg
                                .as_deref()
                                .unwrap_or("rejected before sending"),
                        ),
                    );
                }
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

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
