//! CCE pod identity: `POST <full URI>` with the authorization token file's content.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::super::{CredentialProblem, CredentialSource, Temporary};
use super::answer::fail;
use super::file::TokenFile;
use super::{credential_answer, local_client, post_json_with, Call};
use crate::error::Result;

const PROVIDER: CredentialSource = CredentialSource::PodIdentity;

/// The whole call, as the official SDK allows it.
const TIMEOUT: Duration = Duration::from_secs(5);

/// CCE pod identity (`HC_CONTAINER_CREDENTIALS_FULL_URI`,
/// `HC_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
#[derive(Debug, Clone)]
pub struct PodIdentity {
    pub(crate) uri: String,
    pub(crate) token_file: PathBuf,
    /// What named the URI, for messages.
    pub(crate) uri_setting: String,
    /// What named the token file, for messages.
    pub(crate) file_setting: String,
}

impl PodIdentity {
    /// The full credentials URI and the file holding the authorization token (read again
    /// at every renewal).
    ///
    /// ```
    /// let _p = dataarts_release::PodIdentity::new("http://169.254.170.2/v1/credentials", "/var/run/token");
    /// ```
    pub fn new(uri: impl Into<String>, token_file: impl Into<PathBuf>) -> Self {
        Self {
            uri: uri.into(),
            token_file: token_file.into(),
            uri_setting: "PodIdentity::new".into(),
            file_setting: "PodIdentity::new".into(),
        }
    }

    /// Names the settings the URI and the file came from, for messages.
    pub(crate) fn settings(mut self, uri: impl Into<String>, file: impl Into<String>) -> Self {
        self.uri_setting = uri.into();
        self.file_setting = file.into();
        self
    }

    /// `POST {uri}` with `Authorization: <token>` and `{}`.
    pub(crate) async fn fetch(&self) -> Result<Temporary> {
        let token = TokenFile::new(self.token_file.clone(), self.file_setting.clone())
            .read(PROVIDER, "the pod's authorization token")?;
        let bad_uri = || {
            fail(
                PROVIDER,
                CredentialProblem::Unreachable,
                format!(
                    "{} is not an http(s) URL; set it to the credentials URI the pod was given",
                    self.uri_setting
                ),
            )
        };
        let uri = url::Url::parse(self.uri.trim()).map_err(|_| bad_uri())?;
        if !matches!(uri.scheme(), "http" | "https") || uri.host_str().is_none() {
            return Err(bad_uri());
        }
        let header =
            reqwest::header::HeaderValue::from_str(token.expose_secret()).map_err(|_| {
                fail(
                    PROVIDER,
                    CredentialProblem::Unreadable,
                    format!(
                        "the file {} ({}) holds characters an HTTP header cannot carry",
                        self.token_file.display(),
                        self.file_setting
                    ),
                )
            })?;
        let refused = format!(
            "check that {} ({}) holds the token the pod was given and that the pod's \
             service account is bound to an identity",
            self.token_file.display(),
            self.file_setting
        );
        let check = format!(
            "check {} and that pod identity is enabled on the cluster",
            self.uri_setting
        );
        let call = Call {
            provider: PROVIDER,
            what: "pod identity",
            url: uri.to_string(),
            check: &check,
            refused: &refused,
        };
        let http = local_client(PROVIDER)?;
        let answer = post_json_with(
            &http,
            &call,
            &serde_json::json!({}),
            &[token.expose_secret()],
            |r| {
                let mut header = header.clone();
                header.set_sensitive(true);
                r.header(reqwest::header::AUTHORIZATION, header)
                    .timeout(TIMEOUT)
            },
        )
        .await?;
        credential_answer(&call, &answer)
    }
}
