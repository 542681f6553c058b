//! OIDC federation: an id token exchanged with STS (`assume-with-oidc`) for an agency's
//! temporary credentials.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use super::super::{CredentialSource, Temporary};
use super::file::TokenFile;
use super::{credential_answer, post_json, Call, FetchContext};
use crate::error::Result;

const PROVIDER: CredentialSource = CredentialSource::OidcFederation;

/// Where an OIDC id token comes from.
///
/// ```
/// use dataarts_release::IdToken;
/// let _from_ci = IdToken::File("/var/run/secrets/oidc/token".into());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IdToken {
    /// The token itself (`HUAWEICLOUD_OIDC_ID_TOKEN`).
    Value(SecretString),
    /// A file holding it, read again at every renewal (`HUAWEICLOUD_OIDC_TOKEN_FILE`).
    File(PathBuf),
}

/// OIDC federation settings: an id token exchanged with STS (`assume-with-oidc`).
///
/// `Debug` never shows the id token.
#[derive(Debug, Clone)]
pub struct OidcFederation {
    pub(crate) provider_urn: String,
    pub(crate) agency_urn: String,
    pub(crate) id_token: IdToken,
    pub(crate) session_name: String,
    pub(crate) duration_seconds: u32,
    pub(crate) policy: Option<String>,
    pub(crate) policy_ids: Vec<String>,
    /// What named the token file, for messages.
    pub(crate) token_setting: String,
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
            token_setting: "IdToken::File".into(),
        }
    }

    /// The agency session name STS records (default `oidc-sts-session`).
    ///
    /// ```
    /// # use dataarts_release::{IdToken, OidcFederation};
    /// let _o = OidcFederation::new("p", "a", IdToken::File("/t".into())).session_name("release-42");
    /// ```
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    /// How long the credentials should last, in seconds (default 3600); STS may cap it.
    ///
    /// ```
    /// # use dataarts_release::{IdToken, OidcFederation};
    /// let _o = OidcFederation::new("p", "a", IdToken::File("/t".into())).duration_seconds(900);
    /// ```
    pub fn duration_seconds(mut self, seconds: u32) -> Self {
        self.duration_seconds = seconds;
        self
    }

    /// A policy (JSON text) narrowing what the credentials may do.
    ///
    /// ```
    /// # use dataarts_release::{IdToken, OidcFederation};
    /// let _o = OidcFederation::new("p", "a", IdToken::File("/t".into()))
    ///     .policy(r#"{"Version":"5.0","Statement":[]}"#);
    /// ```
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// Ids of managed policies narrowing what the credentials may do.
    ///
    /// ```
    /// # use dataarts_release::{IdToken, OidcFederation};
    /// let _o = OidcFederation::new("p", "a", IdToken::File("/t".into())).policy_ids(["p-1", "p-2"]);
    /// ```
    pub fn policy_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.policy_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Names the setting the token file came from, for messages.
    pub(crate) fn token_setting(mut self, setting: impl Into<String>) -> Self {
        self.token_setting = setting.into();
        self
    }

    /// The id token: the value, or the file read now.
    fn id_token(&self) -> Result<SecretString> {
        match &self.id_token {
            IdToken::Value(v) => Ok(v.clone()),
            IdToken::File(path) => TokenFile::new(path.clone(), self.token_setting.clone())
                .read(PROVIDER, "the OIDC id token the CI system issued"),
        }
    }

    /// `POST {sts}/v5/agencies/assume-with-oidc`.
    pub(super) async fn fetch(&self, cx: &FetchContext<'_>) -> Result<Temporary> {
        let id_token = self.id_token()?;
        let mut payload = serde_json::json!({
            "provider_urn": self.provider_urn,
            "agency_urn": self.agency_urn,
            "agency_session_name": self.session_name,
            "id_token": id_token.expose_secret(),
            "duration_seconds": self.duration_seconds,
        });
        if let Some(p) = self.policy.as_deref().filter(|p| !p.is_empty()) {
            payload["policy"] = p.into();
        }
        if !self.policy_ids.is_empty() {
            payload["policy_ids"] = self.policy_ids.clone().into();
        }
        let call = Call {
            provider: PROVIDER,
            what: "STS (assume-with-oidc)",
            url: super::url(cx.sts, "/v5/agencies/assume-with-oidc"),
            check: "check ClientBuilder::sts_endpoint / HUAWEICLOUD_SDK_STS_ENDPOINT (or the \
                    region) and the network",
            refused: "check HUAWEICLOUD_OIDC_PROVIDER_URN and HUAWEICLOUD_OIDC_AGENCY_URN, that \
                      the agency trusts this identity provider, and that the id token is fresh",
        };
        let answer = post_json(cx.http, &call, &payload, &[id_token.expose_secret()]).await?;
        credential_answer(&call, &answer)
    }
}
