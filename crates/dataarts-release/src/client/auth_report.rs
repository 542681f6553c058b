//! [`Client::auth_report`]: how the client authenticates, found by doing it.

use crate::auth::{AuthEndpoints, AuthReport, CredentialSource, ProjectIdSource};
use crate::credentials::mask;
use crate::error::Result;
use crate::Client;

impl Client {
    /// Fetches the credentials (from their source, when they come from one) and resolves
    /// the project id, then reports where each came from, the endpoints and the signing
    /// algorithm; never a secret. The first thing to run when requests cannot
    /// authenticate.
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`](crate::Error::Credentials) when the credentials cannot be
    /// had, [`Error::ProjectDiscovery`](crate::Error::ProjectDiscovery) when the project id
    /// cannot be found.
    ///
    /// ```no_run
    /// # async fn f() -> dataarts_release::Result<()> {
    /// let client = dataarts_release::Client::from_env()?;
    /// let report = client.auth_report().await?;
    /// println!("{} from {}; project {} ({:?})", report.source, report.source_origin,
    ///     report.project_id, report.project_id_source);
    /// # Ok(()) }
    /// ```
    pub async fn auth_report(&self) -> Result<AuthReport> {
        let active = self.inner.auth.current().await?;
        let project_id = self.resolve_project_id().await?;
        let inner = &self.inner;
        let project_id_source = match &inner.project.configured {
            Some(origin) => ProjectIdSource::Configured {
                origin: origin.clone(),
            },
            None => ProjectIdSource::Discovered {
                iam_endpoint: inner.urls.iam.to_string(),
            },
        };
        let source = inner.auth.source();
        Ok(AuthReport {
            source,
            source_origin: inner.credentials_origin.clone(),
            access_key: active.access_key().map(mask),
            temporary: active.is_temporary(),
            expires_at: active.expires_at,
            project_id,
            project_id_source,
            region: inner.region.clone(),
            endpoints: AuthEndpoints {
                dataarts: inner.v2_url.to_string(),
                dataarts_v1: inner.v1_url.to_string(),
                iam: inner.urls.iam.to_string(),
                sts: (source == CredentialSource::OidcFederation)
                    .then(|| inner.urls.sts.to_string()),
                metadata: (source == CredentialSource::EcsMetadata)
                    .then(|| inner.urls.metadata.to_string()),
            },
            signing_algorithm: active.access_key().map(|_| inner.algorithm),
        })
    }
}
