//! The ECS metadata service (an agency bound to the instance), with the official SDK's
//! fallbacks, and CCE pod identity after it when both are possible.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use url::Url;

use super::super::{CredentialProblem, CredentialSource, Temporary};
use super::answer::{fail, parse_credential, refusal, send, Failure};
use super::{local_client, FetchContext, PodIdentity};
use crate::error::{Error, Result};
use crate::source::{
    ENV_AK, ENV_AUTH_TOKEN, ENV_IDP_ID, ENV_ID_TOKEN_FILE, ENV_METADATA_ENDPOINT,
    ENV_OIDC_AGENCY_URN, ENV_OIDC_PROVIDER_URN, ENV_OIDC_TOKEN_FILE, ENV_POD_CREDENTIALS_URI,
    ENV_POD_TOKEN_FILE, ENV_SK,
};

const PROVIDER: CredentialSource = CredentialSource::EcsMetadata;
const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
/// The metadata token's lifetime we ask for (the SDK's 6 hours).
const TOKEN_TTL_SECONDS: &str = "21600";
/// After a token call that found no token service, when to try it again (the SDK's 24 h).
const TOKEN_RETRY: Duration = Duration::from_secs(24 * 60 * 60);
/// The answer the service gives on an instance without an agency.
const NO_AGENCY: &str = "Please configure Cloud Service Agency first";
/// The whole of one call: a machine without a metadata service must move on quickly.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The ECS metadata service (an agency bound to the instance).
///
/// Its address is a client setting ([`ClientBuilder::metadata_endpoint`](crate::ClientBuilder::metadata_endpoint),
/// default `http://169.254.169.254`). The metadata token it hands out is kept between
/// fetches and never shown by `Debug`.
#[derive(Default)]
pub struct EcsMetadata {
    /// Pod identity, tried when the metadata service gives nothing (the SDK's chain order).
    pub(crate) fallback: Option<PodIdentity>,
    /// Set when nothing was configured and this is the chain's last resort: what a user can
    /// set instead (the profile file it looked for).
    pub(crate) last_resort: Option<String>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    token: Option<SecretString>,
    /// When the token service last said it has no tokens (404/405/503).
    no_token_service_since: Option<Instant>,
    /// Which of the two answered first; then only it is asked.
    chosen: Option<Chosen>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chosen {
    Metadata,
    Pod,
}

impl fmt::Debug for EcsMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("EcsMetadata")
            .field("fallback", &self.fallback)
            .field("last_resort", &self.last_resort.is_some())
            .field("token", &state.token.as_ref().map(|_| "** redacted **"))
            .field("chosen", &state.chosen)
            .finish()
    }
}

impl EcsMetadata {
    /// The metadata source (its address is a client setting).
    ///
    /// ```
    /// let _m = dataarts_release::EcsMetadata::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Falls back to CCE pod identity when the metadata service gives nothing; once one of
    /// them answered, only that one is asked again.
    ///
    /// ```
    /// use dataarts_release::{EcsMetadata, PodIdentity};
    /// let _m = EcsMetadata::new()
    ///     .or_pod_identity(PodIdentity::new("http://169.254.170.2/v1/credentials", "/var/run/token"));
    /// ```
    pub fn or_pod_identity(mut self, pod: PodIdentity) -> Self {
        self.fallback = Some(pod);
        self
    }

    /// Marks this source as the chain's last resort; `looked_for` names the profile file.
    pub(crate) fn last_resort(mut self, looked_for: impl Into<String>) -> Self {
        self.last_resort = Some(looked_for.into());
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Which source answers now: pod identity once it took over, else the metadata service.
    pub(crate) fn source(&self) -> CredentialSource {
        match self.lock().chosen {
            Some(Chosen::Pod) => CredentialSource::PodIdentity,
            _ => PROVIDER,
        }
    }

    /// Asks the metadata service, then pod identity when it is configured as a fallback.
    pub(crate) async fn fetch(&self, cx: &FetchContext<'_>) -> Result<Temporary> {
        let chosen = self.lock().chosen;
        match (chosen, &self.fallback) {
            (Some(Chosen::Pod), Some(pod)) => pod.fetch().await,
            (Some(Chosen::Metadata), _) | (_, None) => {
                let t = self.fetch_metadata(cx).await.map_err(|e| {
                    // Once it answered, a failure is the service's, not a lack of settings.
                    if chosen.is_none() {
                        self.explain(cx, e)
                    } else {
                        e
                    }
                })?;
                self.lock().chosen = Some(Chosen::Metadata);
                Ok(t)
            }
            (None, Some(pod)) => match self.fetch_metadata(cx).await {
                Ok(t) => {
                    self.lock().chosen = Some(Chosen::Metadata);
                    Ok(t)
                }
                Err(metadata_error) => {
                    let t = pod
                        .fetch()
                        .await
                        .map_err(|e| with_metadata_note(e, &metadata_error))?;
                    tracing::debug!("ECS metadata gave nothing; pod identity answered");
                    self.lock().chosen = Some(Chosen::Pod);
                    Ok(t)
                }
            },
        }
    }

    /// As the last resort, a metadata service that is not there means nothing was
    /// configured: say what can be.
    fn explain(&self, cx: &FetchContext<'_>, e: Error) -> Error {
        let Some(profile) = &self.last_resort else {
            return e;
        };
        let Error::Credentials {
            problem: CredentialProblem::Unreachable | CredentialProblem::Refused,
            message,
            ..
        } = &e
        else {
            return e;
        };
        fail(
            PROVIDER,
            CredentialProblem::NotConfigured,
            format!(
                "no credentials are configured, and the ECS metadata service at {} gave none \
                 ({message}). Set {ENV_AK} and {ENV_SK}; or {ENV_IDP_ID} and \
                 {ENV_ID_TOKEN_FILE}; or {ENV_OIDC_PROVIDER_URN}, {ENV_OIDC_AGENCY_URN} and \
                 {ENV_OIDC_TOKEN_FILE}; or {ENV_AUTH_TOKEN}; or {ENV_POD_CREDENTIALS_URI} and \
                 {ENV_POD_TOKEN_FILE}; or write a [basic] section with ak and sk into the \
                 profile file {profile}; or, on ECS, bind an agency to the instance (and set \
                 {ENV_METADATA_ENDPOINT} if its metadata service has another address)",
                origin(cx.metadata)
            ),
        )
    }

    async fn fetch_metadata(&self, cx: &FetchContext<'_>) -> Result<Temporary> {
        let http = local_client(PROVIDER)?;
        let base = cx.metadata;
        let needs_token = {
            let st = self.lock();
            st.token.is_none()
                && st
                    .no_token_service_since
                    .is_none_or(|t| t.elapsed() > TOKEN_RETRY)
        };
        if needs_token {
            self.update_token(&http, base, false).await?;
        }
        let (status, body, sent) = self.security_key(&http, base).await?;
        let (status, body, sent) =
            if status == 401 && !String::from_utf8_lossy(&body).contains(NO_AGENCY) {
                // The token expired or was never valid: get a new one, once.
                self.update_token(&http, base, true).await?;
                self.security_key(&http, base).await?
            } else {
                (status, body, sent)
            };
        let url = super::url(base, SECURITY_KEY_PATH);
        if status >= 400 {
            let secrets: Vec<&str> = sent.iter().map(|t| t.expose_secret()).collect();
            return Err(self.refused_with(&url, status, &body, &secrets));
        }
        parse_credential(&body).map_err(|why| {
            fail(
                PROVIDER,
                CredentialProblem::Malformed,
                format!(
                    "the metadata service at {url} answered HTTP {status}, but {why}; check \
                     ClientBuilder::metadata_endpoint / {ENV_METADATA_ENDPOINT}: is this the ECS \
                     metadata service?"
                ),
            )
        })
    }

    /// `PUT /meta-data/latest/api/token`; a service without tokens (404, 405, 503) means
    /// "go on without one" unless `must` (a 401 asked for a new token).
    async fn update_token(&self, http: &reqwest::Client, base: &Url, must: bool) -> Result<()> {
        let url = super::url(base, TOKEN_PATH);
        let request = http
            .put(&url)
            .header("X-Metadata-Token-Ttl-Seconds", TOKEN_TTL_SECONDS)
            .timeout(TIMEOUT);
        let (status, _, body) = send(request).await.map_err(|f| unreachable(&url, f))?;
        let mut st = self.lock();
        match status {
            200 => {
                let token = String::from_utf8_lossy(&body).trim().to_string();
                if token.is_empty() || reqwest::header::HeaderValue::from_str(&token).is_err() {
                    return Err(fail(
                        PROVIDER,
                        CredentialProblem::Malformed,
                        format!("the metadata service at {url} handed out an unusable token (empty, or not a header value)"),
                    ));
                }
                st.token = Some(SecretString::from(token));
                st.no_token_service_since = None;
                Ok(())
            }
            404 | 405 | 503 if !must => {
                st.token = None;
                st.no_token_service_since = Some(Instant::now());
                Ok(())
            }
            _ => {
                let secrets: Vec<String> = st
                    .token
                    .iter()
                    .map(|t| t.expose_secret().to_string())
                    .collect();
                drop(st);
                let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
                Err(self.refused_with(&url, status, &body, &secrets))
            }
        }
    }

    /// `GET /openstack/latest/securitykey`, with the metadata token when we have one: the
    /// status, the body and the token sent.
    async fn security_key(
        &self,
        http: &reqwest::Client,
        base: &Url,
    ) -> Result<(u16, Vec<u8>, Option<SecretString>)> {
        let url = super::url(base, SECURITY_KEY_PATH);
        let mut request = http.get(&url).timeout(TIMEOUT);
        let token = self.lock().token.clone();
        if let Some(t) = &token {
            let mut value =
                reqwest::header::HeaderValue::from_str(t.expose_secret()).map_err(|_| {
                    fail(
                        PROVIDER,
                        CredentialProblem::Malformed,
                        "the metadata token is not a header value",
                    )
                })?;
            value.set_sensitive(true);
            request = request.header("X-Metadata-Token", value);
        }
        let (status, _, body) = send(request).await.map_err(|f| unreachable(&url, f))?;
        if status == 401 {
            // A refused token is dropped, so the next fetch asks for a new one.
            self.lock().token = None;
        }
        Ok((status, body, token))
    }

    fn refused_with(&self, url: &str, status: u16, body: &[u8], secrets: &[&str]) -> Error {
        let quoted = refusal(status, body, secrets);
        if String::from_utf8_lossy(body).contains(NO_AGENCY) {
            return fail(
                PROVIDER,
                CredentialProblem::Refused,
                format!(
                    "the metadata service at {url} answered {quoted}: no agency is bound to \
                     this instance; bind one in the ECS console, or configure other credentials"
                ),
            );
        }
        let (problem, hint) = if (400..500).contains(&status) {
            (
                CredentialProblem::Refused,
                "check that an agency is bound to this instance",
            )
        } else {
            (
                CredentialProblem::Unreachable,
                "the metadata service failed; try again later",
            )
        };
        fail(
            PROVIDER,
            problem,
            format!("the metadata service at {url} answered {quoted}; {hint}"),
        )
    }
}

fn unreachable(url: &str, failure: Failure) -> Error {
    match failure {
        Failure::Unreachable(why) => fail(
            PROVIDER,
            CredentialProblem::Unreachable,
            format!(
                "the metadata service at {url}: {why}; on ECS check that the instance can reach \
                 it, elsewhere set ClientBuilder::metadata_endpoint / {ENV_METADATA_ENDPOINT} \
                 or configure other credentials"
            ),
        ),
        Failure::TooLarge => fail(
            PROVIDER,
            CredentialProblem::Malformed,
            format!("the metadata service at {url} answered with more than 1 MiB; is this the ECS metadata service?"),
        ),
    }
}

/// The scheme, host and port of `url`.
fn origin(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

/// Pod identity's error, noting that the metadata service was tried first.
fn with_metadata_note(pod_error: Error, metadata_error: &Error) -> Error {
    match pod_error {
        Error::Credentials {
            provider,
            problem,
            message,
        } => Error::Credentials {
            provider,
            problem,
            // Only how the metadata service failed: its own advice speaks of its settings,
            // which are beside the point once pod identity is configured.
            message: format!(
                "{message} (the ECS metadata service was tried first and {})",
                match metadata_error {
                    Error::Credentials {
                        problem: CredentialProblem::Refused,
                        ..
                    } => "refused",
                    _ => "did not answer",
                }
            ),
        },
        other => other,
    }
}
