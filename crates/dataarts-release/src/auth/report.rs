//! What [`Client::auth_report`](crate::Client::auth_report) tells: where the credentials
//! came from, the project id and how it was found, the endpoints, the algorithm. Never a
//! secret.

use std::time::SystemTime;

use serde::{Serialize, Serializer};

use super::CredentialSource;
use crate::error::Origin;
use crate::SigningAlgorithm;

/// How a client authenticates, as found by fetching its credentials and resolving its
/// project id. Holds no secret: the access key is masked to its first and last 4
/// characters.
///
/// Serialises (for `--output json`) with the source as its [`CredentialSource::key`],
/// origins as text, `expires_at` as an RFC 3339 UTC time and the algorithm as spelled in
/// the `Authorization` header.
///
/// ```no_run
/// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
/// let report = client.auth_report().await?;
/// println!("credentials: {} ({})", report.source, report.source_origin);
/// println!("project id: {}", report.project_id);
/// println!("{}", serde_json::to_string_pretty(&report).unwrap());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct AuthReport {
    /// Where the credentials come from.
    #[serde(serialize_with = "source_key")]
    pub source: CredentialSource,
    /// Where that source was configured (a variable, the profile file, the builder;
    /// [`Origin::Default`] for the last resort, the ECS metadata service).
    pub source_origin: Origin,
    /// The access key id, masked (`ABCD****WXYZ`); `None` for an IAM token.
    pub access_key: Option<String>,
    /// True when a security token goes with the key (temporary credentials).
    pub temporary: bool,
    /// When the credentials in use expire (temporary credentials fetched from a source;
    /// they are renewed before).
    #[serde(serialize_with = "time_text")]
    pub expires_at: Option<SystemTime>,
    /// The project id in use.
    pub project_id: String,
    /// How the project id was found.
    pub project_id_source: ProjectIdSource,
    /// The region, when set.
    pub region: Option<String>,
    /// The endpoints in use.
    pub endpoints: AuthEndpoints,
    /// The algorithm AK/SK requests are signed with; `None` for an IAM token.
    #[serde(serialize_with = "algorithm_name")]
    pub signing_algorithm: Option<SigningAlgorithm>,
}

/// How the project id was found.
///
/// ```
/// use dataarts_release::{Origin, ProjectIdSource};
/// let s = ProjectIdSource::Configured { origin: Origin::Builder };
/// assert_eq!(serde_json::to_value(&s).unwrap()["how"], "configured");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProjectIdSource {
    /// Configured: by a variable, the profile file or the builder.
    Configured {
        /// Where it was set.
        origin: Origin,
    },
    /// Looked up in IAM by the region's name.
    Discovered {
        /// The IAM endpoint asked.
        iam_endpoint: String,
    },
}

/// The endpoints a client uses.
///
/// ```
/// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
/// let e = client.auth_report().await?.endpoints;
/// println!("IAM: {}", e.iam);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AuthEndpoints {
    /// The DataArts Factory V2 API.
    pub dataarts: String,
    /// The V1 API (system tasks).
    pub dataarts_v1: String,
    /// IAM (project-id discovery, identity-provider federation).
    pub iam: String,
    /// STS, when the credentials come from OIDC federation.
    pub sts: Option<String>,
    /// The ECS metadata service, when the credentials come from it.
    pub metadata: Option<String>,
}

fn source_key<S: Serializer>(s: &CredentialSource, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.key())
}

fn time_text<S: Serializer>(t: &Option<SystemTime>, ser: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => ser.serialize_str(&super::cache::rfc3339(*t)),
        None => ser.serialize_none(),
    }
}

fn algorithm_name<S: Serializer>(a: &Option<SigningAlgorithm>, ser: S) -> Result<S::Ok, S::Error> {
    match a {
        Some(a) => ser.serialize_str(a.as_str()),
        None => ser.serialize_none(),
    }
}
