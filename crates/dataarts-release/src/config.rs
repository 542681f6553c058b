//! `ClientBuilder`: the settings of a client (endpoints, credentials, timeouts, TLS, proxy,
//! retries, rate limit), where each came from, and the endpoint rules. No I/O happens here;
//! [`ClientBuilder::build`] lives with the client it builds.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::credentials::Credentials;
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};
use crate::retry::RetryPolicy;
use crate::transport::{Clock, SystemClock};
use dataarts_signing::Algorithm as SigningAlgorithm;

pub(crate) mod auth_urls;
mod endpoint;

use endpoint::check_region;
pub(crate) use endpoint::{missing_scheme, parse_endpoint};

pub(crate) use auth_urls::AuthUrls;

/// Default per-user rate limit of the service, in requests per second.
///
/// ```
/// assert_eq!(dataarts_release::DEFAULT_RATE_LIMIT, 10);
/// ```
pub const DEFAULT_RATE_LIMIT: u32 = 10;

/// Configures and builds a [`Client`](crate::Client).
///
/// Required: credentials, and either a region or an endpoint. The project id is looked up
/// in IAM by the region's name when it is not set (then a region is required too).
/// `build()` sends nothing, and returns an error (never panics) when something is missing
/// or wrong.
///
/// ```
/// use std::time::Duration;
/// use dataarts_release::{Client, Credentials};
///
/// let client = Client::builder()
///     .region("cn-north-4")
///     .project_id("b384b9e9ab9b4ee8994c8633aabc9505")
///     .workspace("d1cd7861478748a6925bc02f47c69279")
///     .credentials(Credentials::aksk("AK", "SK"))
///     .attempt_timeout(Duration::from_secs(20))
///     .build()?;
/// assert_eq!(client.endpoint(), "https://dayu.cn-north-4.myhuaweicloud.com/");
/// assert_eq!(client.v1_endpoint(), "https://dayu-dlf.cn-north-4.myhuaweicloud.com/");
/// # Ok::<(), dataarts_release::Error>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    pub(crate) region: Option<String>,
    pub(crate) project_id: Option<String>,
    pub(crate) workspace: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) endpoint: Option<String>,
    pub(crate) v1_endpoint: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) total_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Option<u32>,
    pub(crate) allow_insecure_http: bool,
    pub(crate) root_certificates: Vec<reqwest::Certificate>,
    pub(crate) proxy: Option<reqwest::Proxy>,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) user_agent: Option<String>,
    pub(crate) iam_endpoint: Option<String>,
    pub(crate) sts_endpoint: Option<String>,
    pub(crate) metadata_endpoint: Option<String>,
    pub(crate) signing_algorithm: SigningAlgorithm,
    /// Where each value came from, for errors (`DATAARTS_REGION`...).
    pub(crate) origins: Origins,
}

impl std::fmt::Debug for ClientBuilder {
    // Hand-written: a proxy URL can carry a password, credentials carry secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("project_id", &self.project_id)
            .field("workspace", &self.workspace)
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("v1_endpoint", &self.v1_endpoint)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("root_certificates", &self.root_certificates.len())
            .field("proxy", &self.proxy.as_ref().map(|_| "set"))
            .field("http_client", &self.http_client.as_ref().map(|_| "custom"))
            .field("clock", &self.clock)
            .field("user_agent", &self.user_agent)
            .field("iam_endpoint", &self.iam_endpoint)
            .field("sts_endpoint", &self.sts_endpoint)
            .field("metadata_endpoint", &self.metadata_endpoint)
            .field("signing_algorithm", &self.signing_algorithm)
            .finish()
    }
}

/// Where each setting's value came from; `Unset` until something sets it.
#[derive(Debug, Clone)]
pub(crate) struct Origins {
    pub(crate) endpoint: Origin,
    pub(crate) v1_endpoint: Origin,
    pub(crate) region: Origin,
    pub(crate) project_id: Origin,
    pub(crate) workspace: Origin,
    pub(crate) credentials: Origin,
    pub(crate) iam_endpoint: Origin,
    pub(crate) sts_endpoint: Origin,
    pub(crate) metadata_endpoint: Origin,
    pub(crate) signing_algorithm: Origin,
}

impl Default for Origins {
    fn default() -> Self {
        Self {
            endpoint: Origin::Unset,
            v1_endpoint: Origin::Unset,
            region: Origin::Unset,
            project_id: Origin::Unset,
            workspace: Origin::Unset,
            credentials: Origin::Unset,
            iam_endpoint: Origin::Unset,
            sts_endpoint: Origin::Unset,
            metadata_endpoint: Origin::Unset,
            signing_algorithm: Origin::Unset,
        }
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            region: None,
            project_id: None,
            workspace: None,
            credentials: None,
            endpoint: None,
            v1_endpoint: None,
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            allow_insecure_http: false,
            root_certificates: Vec::new(),
            proxy: None,
            http_client: None,
            clock: Arc::new(SystemClock),
            user_agent: None,
            iam_endpoint: None,
            sts_endpoint: None,
            metadata_endpoint: None,
            signing_algorithm: SigningAlgorithm::default(),
            origins: Origins::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder with defaults: 10 s connect, 30 s per attempt, 120 s per call, the default
    /// [`RetryPolicy`], a 10 requests/s rate limit.
    ///
    /// ```
    /// let _b = dataarts_release::ClientBuilder::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The region, e.g. `cn-north-4`: endpoints become `https://dayu.{region}.myhuaweicloud.com`
    /// and `https://dayu-dlf.{region}.myhuaweicloud.com` (system tasks) unless overridden.
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().region("ap-southeast-1");
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self.origins.region = Origin::Builder;
        self
    }

    /// The IAM project id of the region (32 hex characters).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().project_id("b384b9e9ab9b4ee8994c8633aabc9505");
    /// ```
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self.origins.project_id = Origin::Builder;
        self
    }

    /// The default workspace id, sent as the `workspace` header (required by the pending-item
    /// operations; optional elsewhere). Override per call with
    /// [`Client::with_workspace`](crate::Client::with_workspace).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().workspace("d1cd7861478748a6925bc02f47c69279");
    /// ```
    pub fn workspace(mut self, workspace: impl Into<String>) -> Self {
        self.workspace = Some(workspace.into());
        self.origins.workspace = Origin::Builder;
        self
    }

    /// The credentials.
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().credentials(dataarts_release::Credentials::token("T"));
    /// ```
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self.origins.credentials = Origin::Builder;
        self
    }

    /// One base URL for both APIs (emulator, Huawei Cloud Stack, the `.myhuaweicloud.eu`
    /// site), with its scheme: a bare host such as `127.0.0.1:8080` is an error that suggests
    /// `http://` or `https://`. `http://` is accepted only for loopback hosts
    /// unless [`allow_insecure_http`](Self::allow_insecure_http) is set.
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().endpoint("http://127.0.0.1:8080");
    /// ```
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self.origins.endpoint = Origin::Builder;
        self
    }

    /// A base URL for the V1 API only (system tasks), overriding both the region pattern and
    /// [`endpoint`](Self::endpoint).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().v1_endpoint("https://dayu-dlf.eu-west-101.myhuaweicloud.eu");
    /// ```
    pub fn v1_endpoint(mut self, url: impl Into<String>) -> Self {
        self.v1_endpoint = Some(url.into());
        self.origins.v1_endpoint = Origin::Builder;
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().connect_timeout(std::time::Duration::from_secs(3));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout for one attempt, from sending to the end of the answer (default 30 s).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().attempt_timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Deadline for one call including its retries and backoff (default 120 s).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().total_timeout(std::time::Duration::from_secs(60));
    /// ```
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// The retry policy ([`RetryPolicy::none`] to switch retries off).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().retry_policy(dataarts_release::RetryPolicy::none());
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Client-side rate limit in requests per second, shared by every request of the client
    /// (default 10, the service's per-user limit). Requests are spaced evenly (`1/n` s apart,
    /// no burst), so the gateway's per-second window is never exceeded. `0` or `None`
    /// switches it off.
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().rate_limit(Some(5));
    /// ```
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate_limit = per_second;
        self
    }

    /// Accepts `http://` endpoints that are not loopback (default off; credentials and
    /// signatures would travel in clear text).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().allow_insecure_http(true);
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Trusts an extra root certificate (e.g. a private CA of Huawei Cloud Stack).
    ///
    /// ```no_run
    /// let pem = std::fs::read("ca.pem")?;
    /// let cert = reqwest::Certificate::from_pem(&pem)?;
    /// let _b = dataarts_release::Client::builder().add_root_certificate(cert);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_root_certificate(mut self, cert: reqwest::Certificate) -> Self {
        self.root_certificates.push(cert);
        self
    }

    /// Sends every request through this proxy.
    ///
    /// ```
    /// let proxy = reqwest::Proxy::all("http://proxy.internal:3128")?;
    /// let _b = dataarts_release::Client::builder().proxy(proxy);
    /// # Ok::<(), reqwest::Error>(())
    /// ```
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Uses this `reqwest::Client` instead of building one (then connect timeout,
    /// certificates, proxy and user agent settings of this builder are ignored). Disable
    /// redirects on it: a redirect would break the signature.
    ///
    /// ```
    /// let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    /// let _b = dataarts_release::Client::builder().http_client(http);
    /// # Ok::<(), reqwest::Error>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The clock used for `X-Sdk-Date` (tests inject a fixed one).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().clock(std::sync::Arc::new(dataarts_release::SystemClock));
    /// ```
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The `User-Agent` (default `dataarts-release/<version>`); it is not signed.
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().user_agent("my-release-bot/1.0");
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The IAM endpoint, for project-id discovery and identity-provider federation
    /// (default: `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else derived from the region as Huawei's
    /// SDKs do).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().iam_endpoint("https://iam.cn-north-4.myhuaweicloud.com");
    /// ```
    pub fn iam_endpoint(mut self, url: impl Into<String>) -> Self {
        self.iam_endpoint = Some(url.into());
        self.origins.iam_endpoint = Origin::Builder;
        self
    }

    /// The STS endpoint, for OIDC federation (default: `HUAWEICLOUD_SDK_STS_ENDPOINT`, else
    /// derived from the region as Huawei's SDKs do).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().sts_endpoint("https://sts.cn-north-4.myhuaweicloud.com");
    /// ```
    pub fn sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts_endpoint = Some(url.into());
        self.origins.sts_endpoint = Origin::Builder;
        self
    }

    /// The ECS metadata service (default `http://169.254.169.254`, or
    /// `DATAARTS_METADATA_ENDPOINT`).
    ///
    /// ```
    /// let _b = dataarts_release::Client::builder().metadata_endpoint("http://127.0.0.1:8080");
    /// ```
    pub fn metadata_endpoint(mut self, url: impl Into<String>) -> Self {
        self.metadata_endpoint = Some(url.into());
        self.origins.metadata_endpoint = Origin::Builder;
        self
    }

    /// The algorithm AK/SK requests are signed with (default `SDK-HMAC-SHA256`).
    ///
    /// ```
    /// use dataarts_release::SigningAlgorithm;
    /// let _b = dataarts_release::Client::builder().signing_algorithm(SigningAlgorithm::HmacSm3);
    /// ```
    pub fn signing_algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        self.signing_algorithm = algorithm;
        self.origins.signing_algorithm = Origin::Builder;
        self
    }

    /// The V2 and V1 base URLs the settings give.
    pub(crate) fn endpoints(&self) -> Result<(Url, Url)> {
        let allow = self.allow_insecure_http;
        let v2 = match &self.endpoint {
            Some(e) => Some(parse_endpoint(
                Setting::Endpoint,
                &self.origins.endpoint,
                e,
                allow,
            )?),
            None => None,
        };
        let region = match &self.region {
            Some(r) => {
                check_region(&self.origins.region, r)?;
                Some(r.as_str())
            }
            None => None,
        };
        let v2 =
            match (v2, region) {
                (Some(u), _) => u,
                (None, Some(r)) => parse_endpoint(
                    Setting::Endpoint,
                    &Origin::RegionPattern,
                    &format!("https://dayu.{r}.myhuaweicloud.com"),
                    allow,
                )?,
                (None, None) => return Err(Error::config(
                    Setting::Endpoint,
                    Origin::Unset,
                    ConfigProblem::Missing,
                    "no region and no endpoint: call ClientBuilder::region (e.g. cn-north-4) or \
                     ClientBuilder::endpoint, or set DATAARTS_REGION or DATAARTS_ENDPOINT",
                )),
            };
        let v1 = match (&self.v1_endpoint, &self.endpoint, region) {
            (Some(e), _, _) => {
                parse_endpoint(Setting::V1Endpoint, &self.origins.v1_endpoint, e, allow)?
            }
            (None, Some(_), _) => v2.clone(),
            (None, None, Some(r)) => parse_endpoint(
                Setting::V1Endpoint,
                &Origin::RegionPattern,
                &format!("https://dayu-dlf.{r}.myhuaweicloud.com"),
                allow,
            )?,
            (None, None, None) => v2.clone(),
        };
        Ok((v2, v1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ClientBuilder {
        ClientBuilder::new()
            .project_id("b384b9e9ab9b4ee8994c8633aabc9505")
            .credentials(Credentials::aksk("AK", "SK"))
    }

    #[test]
    fn region_pattern_and_overrides() {
        let c = base().region("cn-north-4").build().unwrap();
        assert_eq!(c.endpoint(), "https://dayu.cn-north-4.myhuaweicloud.com/");
        assert_eq!(
            c.v1_endpoint(),
            "https://dayu-dlf.cn-north-4.myhuaweicloud.com/"
        );
        let c = base().endpoint("http://127.0.0.1:9000/").build().unwrap();
        assert_eq!(c.endpoint(), "http://127.0.0.1:9000/");
        assert_eq!(c.v1_endpoint(), "http://127.0.0.1:9000/");
        let c = base()
            .endpoint("https://dayu.eu-west-101.myhuaweicloud.eu")
            .v1_endpoint("https://dayu-dlf.eu-west-101.myhuaweicloud.eu")
            .build()
            .unwrap();
        assert_eq!(c.endpoint(), "https://dayu.eu-west-101.myhuaweicloud.eu/");
        assert_eq!(
            c.v1_endpoint(),
            "https://dayu-dlf.eu-west-101.myhuaweicloud.eu/"
        );
    }

    #[test]
    fn bad_configs_are_errors_not_panics() {
        let cases = vec![
            ClientBuilder::new(),
            base(),
            base().region("CN NORTH"),
            base().endpoint("http://example.com"),
            base().endpoint("ftp://example.com"),
            base().endpoint("127.0.0.1:8080"),
            base().endpoint("localhost:8080"),
            base().endpoint("dayu.eu-west-101.myhuaweicloud.eu"),
            base().endpoint("https://user:pw@example.com"),
            base().endpoint("https://example.com/?a=b"),
            base().region("cn-north-4").project_id("a/b"),
            base().region("cn-north-4").workspace("a\r\nb"),
            base()
                .region("cn-north-4")
                .credentials(Credentials::aksk("AK", "")),
            base().region("cn-north-4").total_timeout(Duration::ZERO),
        ];
        for b in cases {
            let e = b.build().unwrap_err();
            assert!(matches!(e, Error::Config { .. }), "{e}");
        }
        assert!(base()
            .endpoint("http://example.com")
            .allow_insecure_http(true)
            .build()
            .is_ok());
        assert!(base().endpoint("http://localhost:1").build().is_ok());
        assert!(base().endpoint("http://[::1]:1").build().is_ok());
    }
}
