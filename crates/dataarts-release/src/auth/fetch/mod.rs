//! The sources that hand out temporary credentials over HTTP, and how to ask each: one fetch,
//! done as the official SDK does it. Renewal, margins and single flight are the caller's.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::header::HeaderMap;
use url::Url;

use super::{CredentialProblem, CredentialSource, Temporary};
use crate::error::Result;

mod answer;
pub(crate) mod file;
mod idp;
mod metadata;
mod oidc;
mod pod;
#[cfg(test)]
mod stub;
#[cfg(test)]
mod tests;

use answer::{fail, parse_credential, refusal, send, Failure};
pub use idp::IdpFederation;
pub use metadata::EcsMetadata;
pub use oidc::{IdToken, OidcFederation};
pub use pod::PodIdentity;

/// One call to IAM or STS, as a whole (they are remote services behind the client's proxy).
const SERVICE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connecting to a link-local service (metadata, pod identity).
const LOCAL_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

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
    /// The metadata service, possibly falling back to pod identity.
    Metadata(EcsMetadata),
    Pod(PodIdentity),
}

impl Dynamic {
    /// The source; for the metadata service, pod identity once it took over.
    pub(crate) fn source(&self) -> CredentialSource {
        match self {
            Self::Oidc(_) => CredentialSource::OidcFederation,
            Self::Idp(_) => CredentialSource::IdpFederation,
            Self::Metadata(m) => m.source(),
            Self::Pod(_) => CredentialSource::PodIdentity,
        }
    }

    /// Asks the source for a fresh set of temporary credentials (one attempt, no retry).
    ///
    /// Errors are [`Error::Credentials`](crate::Error::Credentials): `Unreachable` (no
    /// connection or answer in time, or a 5xx), `Refused` (a 4xx, quoted), `Malformed` (an
    /// answer without the credential fields), `Unreadable` (a token file), `NotConfigured`
    /// (the metadata service as the last resort gave nothing).
    pub(crate) async fn fetch(&self, cx: &FetchContext<'_>) -> Result<Temporary> {
        let t = match self {
            Self::Oidc(o) => o.fetch(cx).await,
            Self::Idp(i) => i.fetch(cx).await,
            Self::Metadata(m) => m.fetch(cx).await,
            Self::Pod(p) => p.fetch().await,
        }?;
        tracing::debug!(source = %self.source(), ak = %mask(&t.ak), "fetched temporary credentials");
        Ok(t)
    }
}

/// First and last 4 characters of an access key, for logs.
fn mask(ak: &str) -> String {
    let chars: Vec<char> = ak.chars().collect();
    if chars.len() <= 8 {
        return "****".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// `base` with `path` appended to its path.
pub(crate) fn url(base: &Url, path: &str) -> String {
    format!("{}{path}", base.as_str().trim_end_matches('/'))
}

/// What a call is, for its messages.
pub(crate) struct Call<'a> {
    pub(crate) provider: CredentialSource,
    /// The service and step, e.g. `STS (assume-with-oidc)`.
    pub(crate) what: &'a str,
    pub(crate) url: String,
    /// What to check when it cannot be reached.
    pub(crate) check: &'a str,
    /// What to check when it refuses.
    pub(crate) refused: &'a str,
}

/// POSTs `body` as JSON; gives the headers and body of a 2xx answer, or the error:
/// `Unreachable` (no answer, 5xx), `Refused` (4xx, quoted without `secrets`).
pub(crate) async fn post_json_with(
    http: &reqwest::Client,
    call: &Call<'_>,
    body: &serde_json::Value,
    secrets: &[&str],
    extra: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Result<(u16, HeaderMap, Vec<u8>)> {
    let request = http
        .post(&call.url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json;charset=UTF-8",
        )
        .body(body.to_string())
        .timeout(SERVICE_TIMEOUT);
    let (status, headers, bytes) = send(extra(request)).await.map_err(|f| match f {
        Failure::Unreachable(why) => fail(
            call.provider,
            CredentialProblem::Unreachable,
            format!("{} at {}: {why}; {}", call.what, call.url, call.check),
        ),
        Failure::TooLarge => fail(
            call.provider,
            CredentialProblem::Malformed,
            format!(
                "{} at {} answered with more than 1 MiB; {}",
                call.what, call.url, call.check
            ),
        ),
    })?;
    match status {
        200..=299 => Ok((status, headers, bytes)),
        400..=499 => Err(fail(
            call.provider,
            CredentialProblem::Refused,
            format!(
                "{} at {} refused: {}; {}",
                call.what,
                call.url,
                refusal(status, &bytes, secrets),
                call.refused
            ),
        )),
        _ => Err(fail(
            call.provider,
            CredentialProblem::Unreachable,
            format!(
                "{} at {} failed: {}; try again later, or {}",
                call.what,
                call.url,
                refusal(status, &bytes, secrets),
                call.check
            ),
        )),
    }
}

/// [`post_json_with`] without extra headers.
pub(crate) async fn post_json(
    http: &reqwest::Client,
    call: &Call<'_>,
    body: &serde_json::Value,
    secrets: &[&str],
) -> Result<(u16, HeaderMap, Vec<u8>)> {
    post_json_with(http, call, body, secrets, |r| r).await
}

/// The temporary credentials in a 2xx answer, or a `Malformed` error saying what is missing.
pub(crate) fn credential_answer(
    call: &Call<'_>,
    answer: &(u16, HeaderMap, Vec<u8>),
) -> Result<Temporary> {
    parse_credential(&answer.2).map_err(|why| {
        fail(
            call.provider,
            CredentialProblem::Malformed,
            format!(
                "{} at {} answered HTTP {}, but {why}; {}",
                call.what, call.url, answer.0, call.check
            ),
        )
    })
}

/// The HTTP client for link-local services (metadata, pod identity): no proxy, a short
/// connect timeout, no idle connections kept; each call sets its own total timeout.
pub(crate) fn local_client(provider: CredentialSource) -> Result<reqwest::Client> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    let built = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(LOCAL_CONNECT_TIMEOUT)
        // Calls are rare (one per renewal), and a pooled connection would be tied to the
        // runtime that opened it.
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(format!("dataarts-release/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            fail(
                provider,
                CredentialProblem::Unreachable,
                format!("could not set up an HTTP client for the {provider} ({e})"),
            )
        })?;
    Ok(CLIENT.get_or_init(|| built).clone())
}
