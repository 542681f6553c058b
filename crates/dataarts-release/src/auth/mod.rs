//! Credentials at run time: what they are called, the sources that issue temporary ones
//! (OIDC and IdP federation, the ECS metadata service, CCE pod identity), the cache that
//! renews them before they expire, the project id (configured or discovered), and the
//! report of it all.

pub(crate) mod active;
pub(crate) mod cache;
pub(crate) mod endpoints;
pub(crate) mod fetch;
pub(crate) mod live;
pub(crate) mod project;
mod report;
mod source;

use std::time::SystemTime;

use secrecy::SecretString;

pub(crate) use fetch::{Dynamic, FetchContext};
pub use fetch::{EcsMetadata, IdToken, IdpFederation, OidcFederation, PodIdentity};
pub use report::{AuthEndpoints, AuthReport, ProjectIdSource};
pub use source::{CredentialProblem, CredentialSource};

/// Temporary credentials as a source issued them.
pub(crate) struct Temporary {
    pub(crate) ak: String,
    pub(crate) sk: SecretString,
    pub(crate) security_token: SecretString,
    pub(crate) expires_at: SystemTime,
}

impl std::fmt::Debug for Temporary {
    /// The access key masked, the secrets redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Temporary")
            .field("ak", &crate::credentials::mask(&self.ak))
            .field("sk", &"** redacted **")
            .field("security_token", &"** redacted **")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}
