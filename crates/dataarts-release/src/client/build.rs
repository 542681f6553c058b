//! How a [`ClientBuilder`] becomes a [`Client`]: every setting checked, nothing sent.

use std::num::NonZeroU32;
use std::sync::Arc;

use url::Url;

use super::{Client, Inner, Workspace};
use crate::auth::active::Active;
use crate::auth::cache::Cache;
use crate::auth::live::{Auth, SourceFetcher};
use crate::auth::project::Project;
use crate::config::auth_urls::AuthUrls;
use crate::config::ClientBuilder;
use crate::credentials::Kind;
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};
use crate::pace::Pacer;
use crate::paging::OffsetUnits;
use crate::transport::SigningTransport;
use crate::validate;

/// Proxy variables reqwest reads for `http://` targets.
const HTTP_PROXY_VARS: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

/// Whether a proxy variable reqwest would use for `http://` targets is itself `https://`.
fn env_proxy_over_tls() -> bool {
    HTTP_PROXY_VARS.iter().any(|var| {
        std::env::var(var).is_ok_and(|v| v.trim_start().to_ascii_lowercase().starts_with("https:"))
    })
}

impl ClientBuilder {
    /// Whether every address this client can ever reach is plain `http://` (an emulator on
    /// loopback): then the HTTP client is built without the system's root certificates,
    /// whose loading and parsing is about half the CPU time of a program that makes one call.
    /// `service` are the V2 and V1 endpoints; IAM is reached only to discover the project id
    /// or for temporary credentials, STS and the metadata service only for the latter.
    /// Redirects are off, so no `https://` address can come up later.
    fn speaks_plain_http_only(
        &self,
        service: &[&Url],
        urls: &AuthUrls,
        dynamic: bool,
        env_proxy_over_tls: bool,
    ) -> bool {
        let is_http = |u: &Url| u.scheme() == "http";
        self.root_certificates.is_empty()
            && self.proxy.is_none()
            && !env_proxy_over_tls
            && service.iter().all(|u| is_http(u))
            && (self.project_id.is_some() || is_http(&urls.iam))
            && (!dynamic
                || [&urls.iam, &urls.sts, &urls.metadata]
                    .into_iter()
                    .all(is_http))
    }

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

        if self.project_id.is_none() && self.region.is_none() {
            return Err(Error::config(
                Setting::ProjectId,
                Origin::Unset,
                ConfigProblem::Missing,
                "no project id, and no region to look it up by: call ClientBuilder::project_id \
                 or set HUAWEICLOUD_SDK_PROJECT_ID (the IAM project id of the region, 32 hex \
                 characters), or set the region (ClientBuilder::region, DATAARTS_REGION) and \
                 the project id is found in IAM",
            ));
        }
        if let Some(project_id) = &self.project_id {
            if let Some((_, reason)) = validate::id_problem(project_id) {
                return Err(Error::config(
                    Setting::ProjectId,
                    self.origins.project_id.clone(),
                    ConfigProblem::Invalid,
                    format!("invalid project id: {reason}"),
                ));
            }
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
        let urls = self.auth_urls()?;

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
                let dynamic = matches!(credentials.0, Kind::Dynamic(_));
                if self.speaks_plain_http_only(&[&v2, &v1], &urls, dynamic, env_proxy_over_tls()) {
                    b = b.tls_certs_only(std::iter::empty::<reqwest::Certificate>());
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
        let algorithm = self.signing_algorithm;
        let auth = match (&credentials.0, Active::fixed(&credentials, algorithm)) {
            (_, Some(Ok(active))) => Auth::Fixed {
                active: Arc::new(active),
                source: credentials.source(),
            },
            (_, Some(Err(e))) => {
                return Err(Error::config(
                    Setting::Credentials,
                    self.origins.credentials.clone(),
                    ConfigProblem::Invalid,
                    format!(
                        "the credentials cannot sign with {}: {e}",
                        algorithm.as_str()
                    ),
                ))
            }
            (Kind::Dynamic(dynamic), None) => Auth::Renewed(Box::new(Cache::new(
                SourceFetcher {
                    dynamic: dynamic.clone(),
                    http: http.clone(),
                    iam: urls.iam.clone(),
                    sts: urls.sts.clone(),
                    metadata: urls.metadata.clone(),
                },
                algorithm,
                self.clock.clone(),
            ))),
            // `Active::fixed` gives a set for every other kind.
            (_, None) => {
                return Err(Error::config(
                    Setting::Credentials,
                    self.origins.credentials.clone(),
                    ConfigProblem::Invalid,
                    "unsupported credentials",
                ))
            }
        };
        let auth = Arc::new(auth);
        let project = Arc::new(match self.project_id.clone() {
            Some(id) => Project::configured(
                id,
                self.origins.project_id.clone(),
                self.region.clone(),
                urls.iam.clone(),
            ),
            // Checked above: without a project id there is a region.
            None => Project::discovered(self.region.clone().unwrap_or_default(), urls.iam.clone()),
        });
        let transport = Arc::new(SigningTransport {
            auth: auth.clone(),
            project: project.clone(),
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
            v1: dataarts_release_raw::Client::new_with_client(&base(&v1), http.clone(), hooks),
            v2_url: v2,
            v1_url: v1,
            project,
            credentials,
            credentials_origin: self.origins.credentials.clone(),
            auth,
            algorithm,
            region: self.region.clone(),
            urls,
            http,
            env_proxy: self.http_client.is_none() && self.proxy.is_none(),
            clock: self.clock.clone(),
            attempt_timeout: self.attempt_timeout,
            retry: self.retry,
            offset_units: OffsetUnits::default(),
        };
        Ok(Client {
            inner: Arc::new(inner),
            workspace: self.workspace.map(Workspace::new),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn urls(iam: &str) -> AuthUrls {
        AuthUrls {
            iam: url(iam),
            sts: url("https://sts.example"),
            metadata: url("http://169.254.169.254"),
        }
    }

    fn builder() -> ClientBuilder {
        crate::Client::builder()
            .credentials(Credentials::aksk("AK", "SK"))
            .project_id("b384b9e9ab9b4ee8994c8633aabc9505")
    }

    #[test]
    fn root_certificates_are_skipped_only_when_nothing_reachable_needs_tls() {
        let emu = url("http://127.0.0.1:8080");
        let cloud = url("https://dayu.cn-north-4.myhuaweicloud.com");
        let iam_https = urls("https://iam.myhuaweicloud.com");
        let b = builder();
        assert!(b.speaks_plain_http_only(&[&emu, &emu], &iam_https, false, false));
        assert!(!b.speaks_plain_http_only(&[&emu, &cloud], &iam_https, false, false));
        assert!(!b.speaks_plain_http_only(&[&emu, &emu], &iam_https, false, true));
        // Temporary credentials reach IAM and STS, here over https.
        assert!(!b.speaks_plain_http_only(&[&emu, &emu], &iam_https, true, false));
        // Without a project id, IAM is asked for it.
        let mut no_project = builder();
        no_project.project_id = None;
        assert!(!no_project.speaks_plain_http_only(&[&emu, &emu], &iam_https, false, false));
        assert!(no_project.speaks_plain_http_only(
            &[&emu, &emu],
            &urls("http://127.0.0.1:8080"),
            false,
            false
        ));
    }
}
