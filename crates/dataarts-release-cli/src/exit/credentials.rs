//! Hints for credentials that could not be obtained from their source, in the CLI's terms
//! (the variables and flags that configure each source), chosen from the typed source and
//! problem.

use dataarts_release::{CredentialProblem, CredentialSource, Error};

use super::Rendered;

/// Everything that can supply credentials, for "nothing is configured".
pub const WHAT_TO_SET: &str = "set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK; or \
     HUAWEICLOUD_OIDC_PROVIDER_URN, HUAWEICLOUD_OIDC_AGENCY_URN and HUAWEICLOUD_OIDC_TOKEN_FILE \
     (OIDC federation); or HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE (IAM \
     federation); or DATAARTS_AUTH_TOKEN / --token-file FILE; or the [basic] section of \
     ~/.huaweicloud/credentials (HUAWEICLOUD_SDK_CREDENTIALS_FILE); on ECS bind an agency to the \
     instance, on CCE set HC_CONTAINER_CREDENTIALS_FULL_URI and \
     HC_CONTAINER_AUTHORIZATION_TOKEN_FILE; --emulator runs against a local demo instead";

/// The hint when nothing is configured (the wrapper's message lists the variables).
pub const NOT_CONFIGURED: &str = "an IAM token can also come from --token-file FILE; \
     `dataarts-release --help` lists every source; --emulator runs against a local demo instead";

/// What configures a source, as the user sets it.
fn settings(source: CredentialSource) -> &'static str {
    match source {
        CredentialSource::OidcFederation => {
            "HUAWEICLOUD_OIDC_PROVIDER_URN, HUAWEICLOUD_OIDC_AGENCY_URN and the id token \
             (HUAWEICLOUD_OIDC_TOKEN_FILE or HUAWEICLOUD_OIDC_ID_TOKEN)"
        }
        CredentialSource::IdpFederation => {
            "HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE (or idp_id and \
             id_token_file in the profile file)"
        }
        CredentialSource::EcsMetadata => {
            "the agency bound to this ECS instance (DATAARTS_METADATA_ENDPOINT overrides the \
             metadata address)"
        }
        CredentialSource::PodIdentity => {
            "HC_CONTAINER_CREDENTIALS_FULL_URI and HC_CONTAINER_AUTHORIZATION_TOKEN_FILE"
        }
        CredentialSource::IamToken => "DATAARTS_AUTH_TOKEN or --token-file FILE",
        _ => "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_SECURITY_TOKEN",
    }
}

/// What to check when a source refused.
fn refused(source: CredentialSource) -> &'static str {
    match source {
        CredentialSource::OidcFederation => {
            "check HUAWEICLOUD_OIDC_PROVIDER_URN and HUAWEICLOUD_OIDC_AGENCY_URN, and that the id \
             token (HUAWEICLOUD_OIDC_TOKEN_FILE or HUAWEICLOUD_OIDC_ID_TOKEN) is current"
        }
        CredentialSource::IdpFederation => {
            "check HUAWEICLOUD_SDK_IDP_ID, and that the id token in \
             HUAWEICLOUD_SDK_ID_TOKEN_FILE is current (or idp_id and id_token_file in the \
             profile file)"
        }
        CredentialSource::EcsMetadata => {
            "check the agency bound to this ECS instance, or configure other credentials \
             (`dataarts-release --help` lists them)"
        }
        CredentialSource::PodIdentity => {
            "check that HC_CONTAINER_AUTHORIZATION_TOKEN_FILE holds the pod's current token \
             and that HC_CONTAINER_CREDENTIALS_FULL_URI is the cluster's pod identity endpoint"
        }
        _ => "check the credentials (`dataarts-release auth` shows which are used)",
    }
}

/// The endpoint a source talks to, as the user sets it.
fn endpoint(source: CredentialSource) -> &'static str {
    match source {
        CredentialSource::OidcFederation => "HUAWEICLOUD_SDK_STS_ENDPOINT (or --region)",
        CredentialSource::IdpFederation => "HUAWEICLOUD_SDK_IAM_ENDPOINT (or --region)",
        CredentialSource::EcsMetadata => "DATAARTS_METADATA_ENDPOINT",
        CredentialSource::PodIdentity => "HC_CONTAINER_CREDENTIALS_FULL_URI",
        _ => "--endpoint / --region",
    }
}

/// Credentials that could not be had, worded from the typed source and problem. The
/// wrapper's message is shown where it names what the user set (the unreadable file and its
/// variable, the source's refusal); otherwise it speaks of `ClientBuilder` settings, and the
/// hint names the variables instead.
pub fn render(e: &Error, source: CredentialSource, problem: CredentialProblem) -> Rendered {
    let message = match problem {
        CredentialProblem::NotConfigured => {
            return Rendered {
                code: None,
                message: "no credentials found: none are configured, and the ECS metadata \
                          service (DATAARTS_METADATA_ENDPOINT) gave none"
                    .into(),
                request_id: None,
                hint: Some(WHAT_TO_SET.into()),
            }
        }
        CredentialProblem::Unreadable | CredentialProblem::Refused => e.to_string(),
        CredentialProblem::Unreachable => {
            format!("credentials from the {source}: the service did not answer")
        }
        CredentialProblem::Malformed => {
            format!("credentials from the {source}: the answer did not hold credentials")
        }
        CredentialProblem::Expired => {
            format!("credentials from the {source} expired and could not be renewed")
        }
        _ => format!("credentials from the {source} could not be obtained"),
    };
    Rendered {
        code: None,
        message,
        request_id: None,
        hint: Some(hint(source, problem)),
    }
}

/// What to do about a problem with a source.
pub fn hint(source: CredentialSource, problem: CredentialProblem) -> String {
    match problem {
        // The message already lists the variables and the profile file.
        CredentialProblem::NotConfigured => NOT_CONFIGURED.to_string(),
        CredentialProblem::Unreachable => {
            format!("check {} and the network, then try again", endpoint(source))
        }
        CredentialProblem::Refused => refused(source).to_string(),
        CredentialProblem::Unreadable => format!(
            "the file must exist, be readable and hold the token; check {}",
            settings(source)
        ),
        CredentialProblem::Malformed => format!(
            "the answer was not credentials: check that {} points at the right service",
            endpoint(source)
        ),
        CredentialProblem::Expired => format!(
            "fix what stopped the renewal (see {} and {}), then run the same command again: \
             `deploy` picks up where it stopped, and `dataarts-release auth` checks the \
             credentials first",
            settings(source),
            endpoint(source)
        ),
        _ => format!("check {}", settings(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hint_names_a_variable_and_no_secret_value() {
        let sources = [
            CredentialSource::OidcFederation,
            CredentialSource::IdpFederation,
            CredentialSource::EcsMetadata,
            CredentialSource::PodIdentity,
        ];
        let problems = [
            CredentialProblem::Unreachable,
            CredentialProblem::Refused,
            CredentialProblem::Malformed,
            CredentialProblem::Unreadable,
            CredentialProblem::Expired,
            CredentialProblem::NotConfigured,
        ];
        for s in sources {
            for p in problems {
                let h = hint(s, p);
                assert!(
                    h.contains("HUAWEICLOUD_")
                        || h.contains("DATAARTS_")
                        || h.contains("HC_")
                        || h.contains("--"),
                    "{s:?} {p:?}: {h}"
                );
            }
        }
        for v in [
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_OIDC_PROVIDER_URN",
            "HUAWEICLOUD_SDK_IDP_ID",
            "DATAARTS_AUTH_TOKEN",
            "HC_CONTAINER_CREDENTIALS_FULL_URI",
            "--emulator",
        ] {
            assert!(WHAT_TO_SET.contains(v), "{v}: {WHAT_TO_SET}");
        }
        let h = hint(
            CredentialSource::EcsMetadata,
            CredentialProblem::NotConfigured,
        );
        assert!(
            h.contains("--token-file") && h.contains("--emulator"),
            "{h}"
        );
    }
}
