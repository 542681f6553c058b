//! What `auth` prints: where the credentials, the project id and the endpoints come from,
//! and how requests are signed. Never a secret: the access key is masked, and secret keys,
//! security tokens and id tokens are not part of the document at all.

use schemars::JsonSchema;
use serde::Serialize;

/// Every value of `credentials.source`.
pub const CREDENTIAL_SOURCES: [&str; 7] = [
    "iam_token",
    "aksk",
    "temporary_aksk",
    "oidc_federation",
    "idp_federation",
    "ecs_metadata",
    "pod_identity",
];

/// Every value of `project.found_by`.
pub const PROJECT_FOUND_BY: [&str; 2] = ["configured", "discovered"];

/// Where the credentials come from.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "AuthCredentials")]
pub struct AuthCredentialsJson {
    /// The source that supplied them: `iam_token` (`DATAARTS_AUTH_TOKEN`, `--token-file`),
    /// `aksk` (a permanent access key), `temporary_aksk` (an access key with its security
    /// token, given as such), `oidc_federation` (an id token exchanged with STS),
    /// `idp_federation` (an id token exchanged with IAM), `ecs_metadata` (the ECS metadata
    /// service), `pod_identity` (CCE pod identity).
    #[schemars(extend("enum" = CREDENTIAL_SOURCES))]
    pub source: &'static str,
    /// The source in words (e.g. `IAM identity-provider federation`).
    pub description: String,
    /// Where the source was configured: the variable(s), the profile file, the flag; null
    /// when it was chosen as the last resort (nothing else configured).
    pub configured_by: Option<String>,
    /// The access key, masked (its first and last four characters); null for an IAM token.
    pub access_key: Option<String>,
    /// True when the credentials carry a security token and expire.
    pub temporary: bool,
    /// True when the client renews them before they expire (federation, metadata, pod
    /// identity).
    pub refreshed: bool,
    /// When they expire: RFC 3339, UTC, whole seconds; null when they do not (or it is not
    /// known).
    pub expires_at: Option<String>,
    /// Seconds until they expire (0 once expired); null when `expires_at` is.
    pub expires_in_seconds: Option<u64>,
}

/// The IAM project the requests go to.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "AuthProject")]
pub struct AuthProjectJson {
    /// The project id.
    pub id: String,
    /// `configured` (a flag, variable or the profile file set it) or `discovered` (looked up
    /// in IAM by the region's name).
    #[schemars(extend("enum" = PROJECT_FOUND_BY))]
    pub found_by: &'static str,
    /// Where it was configured (e.g. `--project-id / HUAWEICLOUD_SDK_PROJECT_ID`); null when
    /// it was discovered.
    pub configured_by: Option<String>,
    /// The IAM endpoint it was discovered from; null when it was configured.
    pub discovered_from: Option<String>,
}

/// The endpoints in use.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "AuthEndpoints")]
pub struct AuthEndpointsJson {
    /// The DataArts Factory V2 API (packages, pending items).
    pub dataarts: String,
    /// The DataArts Factory V1 API (system tasks).
    pub dataarts_v1: String,
    /// The IAM endpoint (project-id discovery, identity-provider federation).
    pub iam: String,
    /// The STS endpoint (OIDC federation); null when it is not used.
    pub sts: Option<String>,
    /// The ECS metadata service (also asked first when pod identity is configured); null
    /// when it is not used.
    pub metadata: Option<String>,
}

/// What `auth --output json` prints once the credentials were obtained and the project id is
/// known.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Auth")]
pub struct AuthJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// Where the credentials come from.
    pub credentials: AuthCredentialsJson,
    /// The region id; null when only an endpoint was given.
    pub region: Option<String>,
    /// The IAM project.
    pub project: AuthProjectJson,
    /// The endpoints in use.
    pub endpoints: AuthEndpointsJson,
    /// How requests are signed, as in the Authorization header (`SDK-HMAC-SHA256`,
    /// `SDK-HMAC-SM3`, `SDK-ECDSA-P256-SHA256`, `SDK-SM2-SM3`); null with an IAM token
    /// (requests carry the token instead).
    #[schemars(extend("enum" = SIGNING_ALGORITHMS))]
    pub signing_algorithm: Option<&'static str>,
}

/// Every value of `signing_algorithm`, and null.
pub const SIGNING_ALGORITHMS: [Option<&str>; 5] = [
    Some("SDK-HMAC-SHA256"),
    Some("SDK-HMAC-SM3"),
    Some("SDK-ECDSA-P256-SHA256"),
    Some("SDK-SM2-SM3"),
    None,
];

impl AuthJson {
    /// The document as text for people: one `NAME  value` line per fact.
    pub fn text(&self) -> String {
        let c = &self.credentials;
        let mut rows: Vec<(&str, String)> = vec![(
            "credentials",
            match &c.configured_by {
                Some(by) => format!("{}, from {by}", c.description),
                None => format!(
                    "{}, the last resort (nothing else is configured)",
                    c.description
                ),
            },
        )];
        if let Some(ak) = &c.access_key {
            rows.push(("access key", ak.clone()));
        }
        rows.push((
            "expires",
            match (&c.expires_at, c.expires_in_seconds) {
                (Some(at), Some(secs)) => format!(
                    "{at} (in {}){}",
                    humantime::format_duration(std::time::Duration::from_secs(secs)),
                    if c.refreshed {
                        "; renewed before then"
                    } else {
                        ""
                    }
                ),
                (Some(at), None) => at.clone(),
                _ => "never (a permanent access key or a token)".to_string(),
            },
        ));
        if let Some(r) = &self.region {
            rows.push(("region", r.clone()));
        }
        let p = &self.project;
        rows.push((
            "project id",
            match (&p.configured_by, &p.discovered_from) {
                (_, Some(iam)) => format!("{}, discovered from IAM at {iam}", p.id),
                (Some(by), None) => format!("{}, from {by}", p.id),
                (None, None) => p.id.clone(),
            },
        ));
        let e = &self.endpoints;
        rows.push(("DataArts V2", e.dataarts.clone()));
        rows.push(("DataArts V1", e.dataarts_v1.clone()));
        rows.push(("IAM", e.iam.clone()));
        for (name, v) in [("STS", &e.sts), ("metadata", &e.metadata)] {
            if let Some(v) = v {
                rows.push((name, v.clone()));
            }
        }
        rows.push((
            "signing",
            self.signing_algorithm
                .unwrap_or("none (an IAM token is sent instead)")
                .to_string(),
        ));
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        rows.iter()
            .map(|(k, v)| format!("{k:<width$}  {}\n", crate::exit::one_line(v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use dataarts_release::{CredentialSource as S, SigningAlgorithm};

    use super::*;

    // The schema lists the values these fields can take; every value must be among them.
    #[test]
    fn the_schema_lists_every_source_and_algorithm() {
        for s in [
            S::IamToken,
            S::AkSk,
            S::TemporaryAkSk,
            S::OidcFederation,
            S::IdpFederation,
            S::EcsMetadata,
            S::PodIdentity,
        ] {
            assert!(CREDENTIAL_SOURCES.contains(&s.key()), "{s:?}");
        }
        for a in SigningAlgorithm::ALL {
            assert!(SIGNING_ALGORITHMS.contains(&Some(a.as_str())), "{a:?}");
        }
    }

    fn token_document() -> AuthJson {
        AuthJson {
            schema_version: 1,
            credentials: AuthCredentialsJson {
                source: "iam_token",
                description: "IAM token".into(),
                configured_by: Some("--token-file / DATAARTS_AUTH_TOKEN_FILE".into()),
                access_key: None,
                temporary: false,
                refreshed: false,
                expires_at: None,
                expires_in_seconds: None,
            },
            region: None,
            project: AuthProjectJson {
                id: "p1".into(),
                found_by: "configured",
                configured_by: Some("--project-id / HUAWEICLOUD_SDK_PROJECT_ID".into()),
                discovered_from: None,
            },
            endpoints: AuthEndpointsJson {
                dataarts: "https://dayu.example/".into(),
                dataarts_v1: "https://dayu-dlf.example/".into(),
                iam: "https://iam.example/".into(),
                sts: None,
                metadata: None,
            },
            signing_algorithm: None,
        }
    }

    #[test]
    fn text_is_one_aligned_line_per_fact() {
        assert_eq!(
            token_document().text(),
            "credentials  IAM token, from --token-file / DATAARTS_AUTH_TOKEN_FILE\n\
             expires      never (a permanent access key or a token)\n\
             project id   p1, from --project-id / HUAWEICLOUD_SDK_PROJECT_ID\n\
             DataArts V2  https://dayu.example/\n\
             DataArts V1  https://dayu-dlf.example/\n\
             IAM          https://iam.example/\n\
             signing      none (an IAM token is sent instead)\n"
        );
    }

    #[test]
    fn text_says_when_temporary_credentials_expire_and_that_they_are_renewed() {
        let mut d = token_document();
        d.credentials.access_key = Some("EMUT****AB12".into());
        d.credentials.expires_at = Some("2026-12-02T03:04:05Z".into());
        d.credentials.expires_in_seconds = Some(3599);
        d.credentials.refreshed = true;
        d.project.configured_by = None;
        d.project.discovered_from = Some("https://iam.example/".into());
        d.region = Some("cn-north-4\n".into());
        let text = d.text();
        assert!(text.contains("access key   EMUT****AB12\n"), "{text}");
        assert!(
            text.contains("2026-12-02T03:04:05Z (in 59m 59s); renewed before then\n"),
            "{text}"
        );
        assert!(
            text.contains("p1, discovered from IAM at https://iam.example/\n"),
            "{text}"
        );
        // Values never break the lines.
        assert!(text.contains("region       cn-north-4\n"), "{text}");
    }
}
