//! IAM identity-provider federation: an id token exchanged for an unscoped IAM token, and
//! that for temporary AK/SK.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use super::super::{CredentialProblem, CredentialSource, Temporary};
use super::answer::fail;
use super::file::TokenFile;
use super::{credential_answer, post_json_with, Call, FetchContext};
use crate::error::Result;

const PROVIDER: CredentialSource = CredentialSource::IdpFederation;

/// How long the temporary credentials should last: the official SDK asks for 6 hours.
const DURATION_SECONDS: u32 = 6 * 60 * 60;

/// IAM identity-provider federation settings (`HUAWEICLOUD_SDK_IDP_ID`,
/// `HUAWEICLOUD_SDK_ID_TOKEN_FILE`).
#[derive(Debug, Clone)]
pub struct IdpFederation {
    pub(crate) idp_id: String,
    pub(crate) id_token_file: PathBuf,
    /// What named the identity provider, for messages.
    pub(crate) idp_setting: String,
    /// What named the id-token file, for messages.
    pub(crate) file_setting: String,
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
            idp_setting: "IdpFederation::new".into(),
            file_setting: "IdpFederation::new".into(),
        }
    }

    /// Names the settings the IdP id and the file came from, for messages.
    pub(crate) fn settings(mut self, idp: impl Into<String>, file: impl Into<String>) -> Self {
        self.idp_setting = idp.into();
        self.file_setting = file.into();
        self
    }

    /// `POST {iam}/v3.0/OS-AUTH/id-token/tokens`, then
    /// `POST {iam}/v3.0/OS-CREDENTIAL/securitytokens`.
    pub(super) async fn fetch(&self, cx: &FetchContext<'_>) -> Result<Temporary> {
        let id_token = TokenFile::new(self.id_token_file.clone(), self.file_setting.clone())
            .read(PROVIDER, "the id token the identity provider issued")?;
        let idp_header = reqwest::header::HeaderValue::from_str(&self.idp_id).map_err(|_| {
            fail(
                PROVIDER,
                CredentialProblem::Refused,
                format!(
                    "the identity provider id ({}) holds characters an HTTP header cannot \
                     carry; set it to the IdP's id as IAM shows it",
                    self.idp_setting
                ),
            )
        })?;
        let check = "check ClientBuilder::iam_endpoint / HUAWEICLOUD_SDK_IAM_ENDPOINT (or the \
                     region) and the network";

        let refused = format!(
            "check {} (the IdP id, as IAM's identity providers list shows it), that the IdP's \
             mapping accepts this token, and that {} ({}) holds a fresh token",
            self.idp_setting,
            self.id_token_file.display(),
            self.file_setting
        );
        let call = Call {
            provider: PROVIDER,
            what: "IAM (id token to unscoped token)",
            url: super::url(cx.iam, "/v3.0/OS-AUTH/id-token/tokens"),
            check,
            refused: &refused,
        };
        let body = serde_json::json!({"auth": {"id_token": {"id": id_token.expose_secret()}}});
        let answer = post_json_with(cx.http, &call, &body, &[id_token.expose_secret()], |r| {
            r.header("X-Idp-Id", idp_header.clone())
        })
        .await?;
        let unscoped = answer
            .1
            .get("X-Subject-Token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| SecretString::from(v.to_string()))
            .ok_or_else(|| {
                fail(
                    PROVIDER,
                    CredentialProblem::Malformed,
                    format!(
                        "{} at {} accepted the id token but sent no X-Subject-Token header; \
                         {check}: is this IAM?",
                        call.what, call.url
                    ),
                )
            })?;

        let call = Call {
            provider: PROVIDER,
            what: "IAM (unscoped token to temporary AK/SK)",
            url: super::url(cx.iam, "/v3.0/OS-CREDENTIAL/securitytokens"),
            check,
            refused: "check that the IdP's mapping grants the federated user access to \
                      temporary credentials",
        };
        let body = serde_json::json!({"auth": {"identity": {
            "methods": ["token"],
            "token": {"id": unscoped.expose_secret(), "duration_seconds": DURATION_SECONDS},
        }}});
        let answer = post_json_with(
            cx.http,
            &call,
            &body,
            &[unscoped.expose_secret(), id_token.expose_secret()],
            |r| r,
        )
        .await?;
        credential_answer(&call, &answer)
    }
}
