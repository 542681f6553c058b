//! One set of credentials in force: an IAM token, or an access key pair (with a security
//! token when temporary) together with its signing key, derived once.

use std::fmt;
use std::time::SystemTime;

use dataarts_signing::{Algorithm, SignError, SigningKey};
use secrecy::{ExposeSecret, SecretString};

use super::Temporary;
use crate::credentials::{mask, Credentials, Kind};

/// The credentials each attempt is signed with.
pub(crate) struct Active {
    pub(crate) auth: ActiveAuth,
    /// When temporary credentials stop being accepted.
    pub(crate) expires_at: Option<SystemTime>,
    /// Counts the sets a client has held: a refresh forced by one answer replaces only the
    /// set that answer was signed with.
    pub(crate) generation: u64,
}

pub(crate) enum ActiveAuth {
    Token(SecretString),
    Key {
        sk: SecretString,
        security_token: Option<SecretString>,
        /// Derived from AK/SK for the client's algorithm (costly for the ECDSA ones).
        key: Box<SigningKey>,
    },
}

impl Active {
    /// The set given as such; `None` for credentials fetched at run time.
    pub(crate) fn fixed(
        credentials: &Credentials,
        algorithm: Algorithm,
    ) -> Option<Result<Self, SignError>> {
        let auth = match &credentials.0 {
            Kind::Dynamic(_) => return None,
            Kind::Token(t) => Ok(ActiveAuth::Token(t.clone())),
            Kind::AkSk {
                ak,
                sk,
                security_token,
            } => SigningKey::new(algorithm, ak, sk.expose_secret().as_bytes()).map(|key| {
                ActiveAuth::Key {
                    sk: sk.clone(),
                    security_token: security_token.clone(),
                    key: Box::new(key),
                }
            }),
        };
        Some(auth.map(|auth| Self {
            auth,
            expires_at: None,
            generation: 0,
        }))
    }

    /// A set a source issued.
    pub(crate) fn temporary(
        t: Temporary,
        algorithm: Algorithm,
        generation: u64,
    ) -> Result<Self, SignError> {
        let key = Box::new(SigningKey::new(
            algorithm,
            &t.ak,
            t.sk.expose_secret().as_bytes(),
        )?);
        Ok(Self {
            auth: ActiveAuth::Key {
                sk: t.sk,
                security_token: Some(t.security_token),
                key,
            },
            expires_at: Some(t.expires_at),
            generation,
        })
    }

    /// The access key id, for AK/SK.
    pub(crate) fn access_key(&self) -> Option<&str> {
        match &self.auth {
            ActiveAuth::Token(_) => None,
            ActiveAuth::Key { key, .. } => Some(key.access_key()),
        }
    }

    /// True when a security token goes with the key.
    pub(crate) fn is_temporary(&self) -> bool {
        matches!(
            &self.auth,
            ActiveAuth::Key {
                security_token: Some(_),
                ..
            }
        )
    }

    /// Every secret of the set, to scrub from anything we print.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match &self.auth {
            ActiveAuth::Token(t) => vec![t.expose_secret()],
            ActiveAuth::Key {
                sk, security_token, ..
            } => {
                let mut v = vec![sk.expose_secret()];
                if let Some(t) = security_token {
                    v.push(t.expose_secret());
                }
                v
            }
        }
    }
}

impl fmt::Debug for Active {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Active");
        match &self.auth {
            ActiveAuth::Token(_) => d.field("token", &"** redacted **"),
            ActiveAuth::Key {
                key,
                security_token,
                ..
            } => {
                d.field("ak", &mask(key.access_key()))
                    .field("algorithm", &key.algorithm())
                    .field("sk", &"** redacted **");
                if security_token.is_some() {
                    d.field("security_token", &"** redacted **");
                }
                &mut d
            }
        };
        d.field("expires_at", &self.expires_at)
            .field("generation", &self.generation)
            .finish()
    }
}
