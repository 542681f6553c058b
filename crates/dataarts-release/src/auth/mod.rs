//! Credentials obtained at run time: OIDC and IdP federation, the ECS metadata service, CCE
//! pod identity; what they are called, and what a source handed back.

pub(crate) mod fetch;
mod source;

use std::time::SystemTime;

use secrecy::SecretString;

pub use fetch::{EcsMetadata, IdToken, IdpFederation, OidcFederation, PodIdentity};
#[allow(unused_imports)] // used once the cache lands
pub(crate) use fetch::{Dynamic, FetchContext};
pub use source::{CredentialProblem, CredentialSource};

/// Temporary credentials as a source issued them.
pub(crate) struct Temporary {
    pub(crate) ak: String,
    pub(crate) sk: SecretString,
    pub(crate) security_token: SecretString,
    pub(crate) expires_at: SystemTime,
}
