//! The sources that hand out temporary credentials over HTTP, and how to ask each.

use std::path::PathBuf;

use secrecy::SecretString;
use url::Url;

use super::{CredentialProblem, CredentialSource, Temporary};
use crate::error::{Error, Result};

/// Everything a fetch needs besides its own settings.
pub(crate) struct FetchContext<'a> {
    /// The client's HTTP client (proxy, roots, user agent).
    pub(crate) http: &'a reqwest::Client,
    /// The IAM endpoint.
    pub(crate) iam: &'a Url,
    /// The STS endpoint.
    pub(crate) sts: &'a Url,
    /// The ECS metadata service.
    pub(crate) metadata: &'a Url,
}

/// A source of temporary credentials.
#[derive(Debug)]
pub(crate) enum Dynamic {
    Oidc(OidcFederation),
    Idp(IdpFederation),
    Metadata(EcsMetadata),
    Pod(PodIdentity),
}

impl Dynamic {
    pub(crate) fn source(&self) -> CredentialSource {
        match self {
            Self::Oidc(_) => CredentialSource::OidcFederation,
            Self::Idp(_) => CredentialSource::IdpFederation,
            Self::Metadata(_) => CredentialSource::EcsMetadata,
            Self::Pod(_) => CredentialSource::PodIdentity,
        }
    }

    /// Asks the source for a fresh set of temporary credentials.
    pub(crate) async fn fetch(&self, cx: &FetchContext<'_>) -> Result<Temporary> {
        let _ = cx;
        Err(Error::Credentials {
            provider: self.source(),
            problem: CredentialProblem::Unreachable,
            message: "not implemented yet".into(),
        })
    }
}

/// Where an OIDC id token comes from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IdToken {
    /// The token itself (`HUAWEICLOUD_OIDC_ID_TOKEN`).
    Value(SecretString),
    /// A file holding it, read again at every renewal (`HUAWEICLOUD_OIDC_TOKEN_FILE`).
    File(PathBuf),
}

/// OIDC federation settings: an id token exchanged with STS (`assume-with-oidc`).
#[derive(Debug, Clone)]
pub struct OidcFederation {
    pub(crate) provider_urn: String,
    pub(crate) agency_urn: String,
    pub(crate) id_token: IdToken,
    pub(crate) session_name: String,
    pub(crate) duration_seconds: u32,
    pub(crate) policy: Option<String>,
    pub(crate) policy_ids: Vec<String>,
}

impl OidcFederation {
    /// Settings with the SDK's defaults: session name `oidc-sts-session`, 3600 seconds.
    ///
    /// ```
    /// use dataarts_release::{IdToken, OidcFederation};
    /// let _o = OidcFederation::new(
    ///     "iam::0123:identity-provider:github",
    ///     "iam::0123:agency:deployer",
    ///     IdToken::File("/var/run/oidc/token".into()),
    /// );
    /// ```
    pub fn new(
        provider_urn: impl Into<String>,
        agency_urn: impl Into<String>,
        id_token: IdToken,
    ) -> Self {
        Self {
            provider_urn: provider_urn.into(),
            agency_urn: agency_urn.into(),
            id_token,
            session_name: "oidc-sts-session".into(),
            duration_seconds: 3600,
            policy: None,
            policy_ids: Vec::new(),
        }
    }
}

/// IAM identity-provider federation settings (`HUAWEICLOUD_SDK_IDP_ID`,
/// `HUAWEICLOUD_SDK_ID_TOKEN_FILE`).
#[derive(Debug, Clone)]
pub struct IdpFederation {
    pub(crate) idp_id: String,
    pub(crate) id_token_file: PathBuf,
}

impl IdpFederation {
    /// The identity provider and the file holding the id token (read at every renewal).
    ///
    /// ```
    /// let _f = dataarts_release::IdpFederation::new("demo-idp", "/var/run/id-token");
    /// ```
    pub fn new(idp_id: impl Into<String>, id_token_file: impl Into<PathBuf>) -> Self {
        Self {
            idp_id: idp_id.into(),
            id_token_file: id_token_file.into(),
        }
    }
}

/// The ECS metadata service (an agency bound to the instance).
#[derive(Debug, Default)]
pub struct EcsMetadata {}

impl EcsMetadata {
    /// The metadata source (its address is a client setting).
    ///
    /// ```
    /// let _m = dataarts_release::EcsMetadata::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

/// CCE pod identity (`HC_CONTAINER_CREDENTIALS_FULL_URI`,
/// `HC_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
#[derive(Debug, Clone)]
pub struct PodIdentity {
    pub(crate) uri: String,
    pub(crate) token_file: PathBuf,
}

impl PodIdentity {
    /// The full credentials URI and the file holding the authorization token.
    ///
    /// ```
    /// let _p = dataarts_release::PodIdentity::new("http://169.254.170.2/v1/credentials", "/var/run/token");
    /// ```
    pub fn new(uri: impl Into<String>, token_file: impl Into<PathBuf>) -> Self {
        Self {
            uri: uri.into(),
            token_file: token_file.into(),
        }
    }
}
