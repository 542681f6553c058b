//! Names for where credentials came from and for what went wrong getting them.

use std::fmt;

/// Where a client's credentials come from.
///
/// ```
/// use dataarts_release::{CredentialSource, Credentials};
/// assert_eq!(Credentials::aksk("AK", "SK").source(), CredentialSource::AkSk);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialSource {
    /// A project-scoped IAM token.
    IamToken,
    /// A permanent access key pair.
    AkSk,
    /// A temporary access key pair with its security token, given as such.
    TemporaryAkSk,
    /// OIDC federation: an id token exchanged with STS for an agency's temporary credentials.
    OidcFederation,
    /// IAM identity-provider federation: an id token exchanged with IAM.
    IdpFederation,
    /// The ECS metadata service (an agency bound to the instance).
    EcsMetadata,
    /// CCE pod identity.
    PodIdentity,
}

impl CredentialSource {
    /// A stable lower-case key, for JSON output.
    ///
    /// ```
    /// assert_eq!(dataarts_release::CredentialSource::EcsMetadata.key(), "ecs_metadata");
    /// ```
    pub fn key(self) -> &'static str {
        match self {
            Self::IamToken => "iam_token",
            Self::AkSk => "aksk",
            Self::TemporaryAkSk => "temporary_aksk",
            Self::OidcFederation => "oidc_federation",
            Self::IdpFederation => "idp_federation",
            Self::EcsMetadata => "ecs_metadata",
            Self::PodIdentity => "pod_identity",
        }
    }

    /// True for sources whose credentials expire and are renewed by the client.
    ///
    /// ```
    /// assert!(dataarts_release::CredentialSource::PodIdentity.is_refreshed());
    /// assert!(!dataarts_release::CredentialSource::AkSk.is_refreshed());
    /// ```
    pub fn is_refreshed(self) -> bool {
        matches!(
            self,
            Self::OidcFederation | Self::IdpFederation | Self::EcsMetadata | Self::PodIdentity
        )
    }
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IamToken => "IAM token",
            Self::AkSk => "AK/SK",
            Self::TemporaryAkSk => "temporary AK/SK",
            Self::OidcFederation => "OIDC federation (STS assume-with-oidc)",
            Self::IdpFederation => "IAM identity-provider federation",
            Self::EcsMetadata => "ECS metadata service",
            Self::PodIdentity => "CCE pod identity",
        })
    }
}

/// What went wrong getting or renewing credentials from their source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialProblem {
    /// The source could not be reached (no answer within the timeout, connection refused).
    Unreachable,
    /// The source answered with a refusal (unknown IdP, id token rejected, agency refused).
    Refused,
    /// The source's answer could not be understood.
    Malformed,
    /// A file the source needs (id token, authorization token) is missing, unreadable or
    /// empty.
    Unreadable,
    /// The credentials expired and could not be renewed.
    Expired,
    /// No source was configured, and the last resort (the ECS metadata service, then pod
    /// identity) gave nothing: the message lists what can be set.
    NotConfigured,
}
