//! How a [`ClientBuilder`] becomes a [`Client`]: every setting checked, nothing sent.

use std::num::NonZeroU32;
use std::sync::Arc;

use url::Url;

use super::{Client, Inner, Workspace};
use crate::auth::active::Active;
use crate::auth::cache::Cache;
use crate::auth::live::{Auth, SourceFetcher};
use crate::auth::project::Project;
use crate::config::ClientBuilder;
use crate::credentials::Kind;
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};
use crate::pace::Pacer;
use crate::paging::OffsetUnits;
use crate::transport::SigningTransport;
use crate::validate;

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
