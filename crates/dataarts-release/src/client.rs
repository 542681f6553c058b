//! The `Client` handle, how a `ClientBuilder` becomes one, and how raw results become
//! domain results.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use dataarts_release_raw::types::ErrorBody;
use dataarts_release_raw::{LocalError, Operation};
use url::Url;

use crate::config::ClientBuilder;
use crate::credentials::{self, Credentials};
use crate::error::{
    ConfigProblem, Error, Input, InputProblem, LocalProblem, Origin, Result, ServiceError, Setting,
};
use crate::pace::Pacer;
use crate::paging::OffsetUnits;
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::transport::{ProjectId, SigningTransport};
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
    pub(crate) project_id: String,
    pub(crate) credentials: Credentials,
    pub(crate) retry: RetryPolicy,
    /// What each list operation's `offset` counts, once a listing found out.
    pub(crate) offset_units: OffsetUnits,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.v2_url.as_str())
            .field("v1_endpoint", &self.inner.v1_url.as_str())
            .field("project_id", &self.inner.project_id)
            .field("workspace", &self.workspace())
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
            (Err(e), None) => Err(self.map_raw_error(operation, e)),
        }
    }

    /// Maps a raw client error, removing any credential from texts we copy.
    pub(crate) fn map_raw_error(
        &self,
        operation: Operation,
        e: dataarts_release_raw::Error<ErrorBody>,
    ) -> Error {
        use dataarts_release_raw::Error as Raw;
        let secrets = self.inner.credentials.secrets();
        let scrub = |s: &str| credentials::scrub(s, &secrets);
        match e {
            Raw::InvalidRequest(msg) | Raw::Custom(msg) => Error::Local {
                operation,
                problem: LocalProblem::Generated(scrub(&msg)),
            },
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

impl ClientBuilder {
    /// Checks everything and builds the client. Nothing is sent.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the missing or bad setting.
    ///
    /// ```
    /// let err = dataarts_release::Client::builder().build().unwrap_err();
    /// assert!(err.to_string().contains("credentials"));
    /// ```
    pub fn build(self) -> Result<Client> {
        let credentials = self.credentials.clone().ok_or_else(|| {
            Error::config(
                Setting::Credentials,
                Origin::Unset,
                ConfigProblem::Missing,
                "no credentials: call ClientBuilder::credentials, or set HUAWEICLOUD_SDK_AK and \
                 HUAWEICLOUD_SDK_SK (or DATAARTS_AUTH_TOKEN, or a ~/.huaweicloud/credentials \
                 profile) and use Client::from_env",
            )
        })?;
        credentials.check(&self.origins.credentials)?;

        let project_id = self.project_id.clone().ok_or_else(|| {
            Error::config(
                Setting::ProjectId,
                Origin::Unset,
                ConfigProblem::Missing,
                "no project id: call ClientBuilder::project_id or set HUAWEICLOUD_SDK_PROJECT_ID \
                 (the IAM project id of the region, 32 hex characters)",
            )
        })?;
        if let Some((_, reason)) = validate::id_problem(&project_id) {
            return Err(Error::config(
                Setting::ProjectId,
                self.origins.project_id.clone(),
                ConfigProblem::Invalid,
                format!("invalid project id: {reason}"),
            ));
        }

        if let Some(ws) = &self.workspace {
            validate::workspace(ws).map_err(|e| {
                Error::config(
                    Setting::Workspace,
                    self.origins.workspace.clone(),
                    ConfigProblem::Invalid,
                    e.to_string(),
                )
            })?;
        }

        let (v2, v1) = self.endpoints()?;

        let http = match self.http_client.clone() {
            Some(c) => c,
            None => {
                let mut b = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(self.user_agent.clone().unwrap_or_else(|| {
                        format!("dataarts-release/{}", env!("CARGO_PKG_VERSION"))
                    }));
                for cert in &self.root_certificates {
                    b = b.add_root_certificate(cert.clone());
                }
                if let Some(p) = &self.proxy {
                    b = b.proxy(p.clone());
                }
                b.build().map_err(|e| {
                    Error::config(Setting::HttpClient, Origin::Builder, ConfigProblem::Invalid, format!("could not build the HTTP client: {e}; check the TLS and proxy settings"))
                })?
            }
        };

        let limiter = self
            .rate_limit
            .and_then(NonZeroU32::new)
            .map(Pacer::per_second);
        if self.total_timeout.is_zero() || self.attempt_timeout.is_zero() {
            return Err(Error::config(
                Setting::Timeouts,
                Origin::Builder,
                ConfigProblem::Invalid,
                "attempt_timeout and total_timeout must be greater than zero",
            ));
        }
        let transport = Arc::new(SigningTransport {
            auth: credentials.clone(),
            project_id: ProjectId::new(project_id.clone()),
            clock: self.clock.clone(),
            retry: self.retry.clone(),
            limiter,
            attempt_timeout: self.attempt_timeout,
            total_timeout: self.total_timeout,
        });
        let hooks = dataarts_release_raw::Hooks::new(transport);
        let base = |u: &Url| u.as_str().trim_end_matches('/').to_string();
        let inner = Inner {
            v2: dataarts_release_raw::Client::new_with_client(
                &base(&v2),
                http.clone(),
                hooks.clone(),
            ),
            v1: dataarts_release_raw::Client::new_with_client(&base(&v1), http, hooks),
            v2_url: v2,
            v1_url: v1,
            project_id,
            credentials,
            retry: self.retry,
            offset_units: OffsetUnits::default(),
        };
        Ok(Client {
            inner: Arc::new(inner),
            workspace: self.workspace.map(Workspace::new),
        })
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

#[cfg(test)]
mod tests;
