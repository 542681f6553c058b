//! Credentials: an IAM token, or a permanent or temporary AK/SK pair.

use std::fmt;

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::auth::{
    CredentialSource, Dynamic, EcsMetadata, IdpFederation, OidcFederation, PodIdentity,
};

use crate::error::{ConfigProblem, Error, Origin, Result, Setting};

/// How requests are authenticated.
///
/// Secrets are held in [`secrecy::SecretString`]; `Debug` prints `** redacted **` in their
/// place and shows only the first and last characters of the access key.
///
/// ```
/// use dataarts_release::Credentials;
///
/// let c = Credentials::aksk("TESTAK0123456789ABCD", "my-secret-key");
/// let printed = format!("{c:?}");
/// assert!(!printed.contains("my-secret-key"));
/// assert!(printed.contains("redacted"));
/// ```
#[derive(Clone)]
pub struct Credentials(pub(crate) Kind);

#[derive(Clone)]
pub(crate) enum Kind {
    Token(SecretString),
    AkSk {
        ak: String,
        sk: SecretString,
        security_token: Option<SecretString>,
    },
    /// Temporary credentials fetched, and renewed before they expire, from a source.
    Dynamic(Arc<Dynamic>),
}

impl Credentials {
    /// A project-scoped IAM token (the `X-Subject-Token` from IAM), sent as `X-Auth-Token`
    /// without a signature.
    ///
    /// ```
    /// let c = dataarts_release::Credentials::token("MIIE...");
    /// assert!(c.access_key().is_none());
    /// ```
    pub fn token(token: impl Into<String>) -> Self {
        Self(Kind::Token(SecretString::from(token.into())))
    }

    /// A permanent access key pair; requests are signed with the client's
    /// [`SigningAlgorithm`](crate::SigningAlgorithm) (SDK-HMAC-SHA256 by default).
    ///
    /// ```
    /// let c = dataarts_release::Credentials::aksk("AK", "SK");
    /// assert_eq!(c.access_key(), Some("AK"));
    /// ```
    pub fn aksk(ak: impl Into<String>, sk: impl Into<String>) -> Self {
        Self(Kind::AkSk {
            ak: ak.into(),
            sk: SecretString::from(sk.into()),
            security_token: None,
        })
    }

    /// A temporary access key pair with its security token (sent as `X-Security-Token`).
    ///
    /// ```
    /// let c = dataarts_release::Credentials::temporary("AK", "SK", "TOKEN");
    /// assert!(c.is_temporary());
    /// ```
    pub fn temporary(
        ak: impl Into<String>,
        sk: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        Self(Kind::AkSk {
            ak: ak.into(),
            sk: SecretString::from(sk.into()),
            security_token: Some(SecretString::from(security_token.into())),
        })
    }

    /// Temporary credentials from OIDC federation: the id token is exchanged with STS
    /// (`assume-with-oidc`) for an agency's credentials, renewed before they expire.
    ///
    /// ```
    /// use dataarts_release::{CredentialSource, Credentials, IdToken, OidcFederation};
    /// let c = Credentials::oidc(OidcFederation::new("urn-p", "urn-a", IdToken::File("/t".into())));
    /// assert_eq!(c.source(), CredentialSource::OidcFederation);
    /// ```
    pub fn oidc(federation: OidcFederation) -> Self {
        Self(Kind::Dynamic(Arc::new(Dynamic::Oidc(federation))))
    }

    /// Temporary credentials from IAM identity-provider federation (an id token exchanged
    /// for an unscoped token, then for temporary AK/SK), renewed before they expire.
    ///
    /// ```
    /// use dataarts_release::{CredentialSource, Credentials, IdpFederation};
    /// let c = Credentials::idp_federation(IdpFederation::new("demo-idp", "/var/run/id-token"));
    /// assert_eq!(c.source(), CredentialSource::IdpFederation);
    /// ```
    pub fn idp_federation(federation: IdpFederation) -> Self {
        Self(Kind::Dynamic(Arc::new(Dynamic::Idp(federation))))
    }

    /// Temporary credentials of the instance's agency, from the ECS metadata service.
    ///
    /// ```
    /// use dataarts_release::{CredentialSource, Credentials, EcsMetadata};
    /// assert_eq!(Credentials::ecs_metadata(EcsMetadata::new()).source(), CredentialSource::EcsMetadata);
    /// ```
    pub fn ecs_metadata(metadata: EcsMetadata) -> Self {
        Self(Kind::Dynamic(Arc::new(Dynamic::Metadata(metadata))))
    }

    /// Temporary credentials from CCE pod identity.
    ///
    /// ```
    /// use dataarts_release::{CredentialSource, Credentials, PodIdentity};
    /// let c = Credentials::pod_identity(PodIdentity::new("http://127.0.0.1:1/creds", "/t"));
    /// assert_eq!(c.source(), CredentialSource::PodIdentity);
    /// ```
    pub fn pod_identity(pod: PodIdentity) -> Self {
        Self(Kind::Dynamic(Arc::new(Dynamic::Pod(pod))))
    }

    /// Where these credentials come from.
    ///
    /// ```
    /// use dataarts_release::{CredentialSource, Credentials};
    /// assert_eq!(Credentials::token("t").source(), CredentialSource::IamToken);
    /// ```
    pub fn source(&self) -> CredentialSource {
        match &self.0 {
            Kind::Token(_) => CredentialSource::IamToken,
            Kind::AkSk {
                security_token: None,
                ..
            } => CredentialSource::AkSk,
            Kind::AkSk { .. } => CredentialSource::TemporaryAkSk,
            Kind::Dynamic(d) => d.source(),
        }
    }

    /// The access key id (not a secret), for AK/SK credentials.
    ///
    /// ```
    /// assert_eq!(dataarts_release::Credentials::token("t").access_key(), None);
    /// ```
    pub fn access_key(&self) -> Option<&str> {
        match &self.0 {
            Kind::AkSk { ak, .. } => Some(ak),
            Kind::Token(_) | Kind::Dynamic(_) => None,
        }
    }

    /// True for temporary AK/SK credentials.
    ///
    /// ```
    /// assert!(!dataarts_release::Credentials::aksk("AK", "SK").is_temporary());
    /// ```
    pub fn is_temporary(&self) -> bool {
        matches!(
            &self.0,
            Kind::AkSk {
                security_token: Some(_),
                ..
            }
        )
    }

    /// Checks for blanks and characters that cannot go into a header; `origin` is where
    /// they came from.
    pub(crate) fn check(&self, origin: &Origin) -> Result<()> {
        let invalid = |message: String| {
            Error::config(
                Setting::Credentials,
                origin.clone(),
                ConfigProblem::Invalid,
                message,
            )
        };
        let bad = |field: &str, v: &str| -> Result<()> {
            if v.trim().is_empty() {
                return Err(invalid(format!("the {field} is empty; set it")));
            }
            if dataarts_signing::has_control_chars(v) {
                return Err(invalid(format!(
                    "the {field} contains a control character (CR, LF, NUL...); remove it"
                )));
            }
            Ok(())
        };
        // What goes into a header (the token, the AK inside `Authorization`, the security
        // token) must be visible ASCII; the SK is only an HMAC key and never sent.
        let header = |field: &str, v: &str, secret: bool| -> Result<()> {
            bad(field, v)?;
            match header_problem(field, v, secret) {
                None => Ok(()),
                Some(message) => Err(invalid(message)),
            }
        };
        match &self.0 {
            Kind::Token(t) => header("token", t.expose_secret(), true),
            Kind::AkSk {
                ak,
                sk,
                security_token,
            } => {
                header("access key (AK)", ak, false)?;
                bad("secret key (SK)", sk.expose_secret())?;
                if let Some(t) = security_token {
                    header("security token", t.expose_secret(), true)?;
                }
                Ok(())
            }
            Kind::Dynamic(_) => Ok(()),
        }
    }
}

/// What is wrong with a credential that goes into a header (an AK, a token), if anything: it
/// must be visible ASCII. `field` names it in the message; a `secret`'s character is not shown.
pub(crate) fn header_problem(field: &str, value: &str, secret: bool) -> Option<String> {
    let (at, c) = crate::validate::not_visible_ascii(value.trim())?;
    Some(format!(
        "the {field} contains {} at character {}, which an HTTP header cannot carry; \
         it is ASCII letters, digits and punctuation only: retype it rather than copy it",
        describe(c, secret),
        at + 1
    ))
}

/// Names a character that cannot go into a header, without showing a secret's character.
fn describe(c: char, secret: bool) -> String {
    match c {
        ' ' => "a space".into(),
        c if secret && c.is_whitespace() => "white space".into(),
        _ if secret => "a non-ASCII character".into(),
        c => format!("{c:?} ({})", c.escape_unicode()),
    }
}

/// Shows the first and last 4 characters of an access key.
pub(crate) fn mask(ak: &str) -> String {
    let chars: Vec<char> = ak.chars().collect();
    if chars.len() <= 8 {
        return "****".to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Token(_) => f
                .debug_struct("Credentials::Token")
                .field("token", &"** redacted **")
                .finish(),
            Kind::AkSk {
                ak, security_token, ..
            } => {
                let mut d = f.debug_struct(if security_token.is_some() {
                    "Credentials::Temporary"
                } else {
                    "Credentials::AkSk"
                });
                d.field("ak", &mask(ak)).field("sk", &"** redacted **");
                if security_token.is_some() {
                    d.field("security_token", &"** redacted **");
                }
                d.finish()
            }
            Kind::Dynamic(d) => f
                .debug_tuple("Credentials::Dynamic")
                .field(&d.source())
                .finish(),
        }
    }
}

/// Replaces every secret in `text` with `** redacted **`.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() >= 4 {
            out = out.replace(s, "** redacted **");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts() {
        for c in [
            Credentials::token("tok-SECRET-1"),
            Credentials::aksk("TESTAK0123456789ABCD", "sk-SECRET-2"),
            Credentials::temporary("TESTAK0123456789ABCD", "sk-SECRET-3", "st-SECRET-4"),
        ] {
            let s = format!("{c:?} {c:#?}");
            assert!(!s.contains("SECRET"), "{s}");
            assert!(!s.contains("TESTAK0123456789ABCD"), "{s}");
        }
    }

    #[test]
    fn check_rejects_blank_and_control() {
        assert!(Credentials::aksk("AK", "").check(&Origin::Builder).is_err());
        assert!(Credentials::aksk("AK\n", "SK")
            .check(&Origin::Builder)
            .is_err());
        assert!(Credentials::token("a\r\nb")
            .check(&Origin::Builder)
            .is_err());
        assert!(Credentials::temporary("AK", "SK", "")
            .check(&Origin::Builder)
            .is_err());
        assert!(Credentials::temporary("AK", "SK", "T")
            .check(&Origin::Builder)
            .is_ok());
    }

    #[test]
    fn check_rejects_what_a_header_cannot_carry() {
        let e = Credentials::aksk("\u{c4}K", "SK")
            .check(&Origin::Builder)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("access key (AK)") && e.contains("\\u{c4}"),
            "{e}"
        );
        for c in [
            Credentials::aksk("A K", "SK"),
            Credentials::token("tok\u{e9}n-SECRET"),
            Credentials::temporary("AK", "SK", "st SECRET"),
            Credentials::temporary("AK", "SK", "st\u{a0}SECRET"),
        ] {
            let e = c.check(&Origin::Builder).unwrap_err().to_string();
            assert!(e.contains("cannot carry"), "{e}");
            assert!(!e.contains("SECRET") && !e.contains('\u{e9}'), "{e}");
        }
        // The SK is only a key: any character but a control one.
        assert!(Credentials::aksk("AK", "s\u{e9}cret k")
            .check(&Origin::Builder)
            .is_ok());
    }

    #[test]
    fn scrub_removes_secrets() {
        assert_eq!(scrub("a SECRETKEY b", &["SECRETKEY"]), "a ** redacted ** b");
    }
}
