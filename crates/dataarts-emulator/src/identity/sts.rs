//! STS: assume an agency with an OIDC id token (`assume-with-oidc`).

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use super::reply::{service_time, Answer};
use super::Req;
use crate::faults::FaultKind;

/// `POST`: temporary credentials of an agency, for an OIDC id token.
pub(super) const ASSUME_WITH_OIDC_PATH: &str = "/v5/agencies/assume-with-oidc";

/// Durations STS accepts, in seconds (15 min to 12 h), and its default.
const DURATION_SECS: std::ops::RangeInclusive<u64> = 900..=43_200;
const DEFAULT_DURATION_SECS: u64 = 3600;

#[derive(Deserialize)]
struct AssumeBody {
    provider_urn: Option<String>,
    agency_urn: Option<String>,
    agency_session_name: Option<String>,
    id_token: Option<String>,
    duration_seconds: Option<Value>,
    #[allow(dead_code)]
    policy: Option<Value>,
    #[allow(dead_code)]
    policy_ids: Option<Vec<String>>,
}

fn bad(msg: impl Into<String>) -> Answer {
    Answer::sts(400, "STS.0001", msg)
}

fn valid_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// `POST /v5/agencies/assume-with-oidc`.
pub(super) fn assume_with_oidc(req: &Req<'_>) -> Answer {
    let body: AssumeBody = match serde_json::from_slice(req.body) {
        Ok(b) => b,
        Err(e) => return bad(format!("the request body is not valid: {e}")),
    };
    let (Some(provider), Some(agency), Some(id_token)) = (
        body.provider_urn.filter(|s| !s.is_empty()),
        body.agency_urn.filter(|s| !s.is_empty()),
        body.id_token.filter(|s| !s.is_empty()),
    ) else {
        return bad("provider_urn, agency_urn and id_token are required");
    };
    let session = match body.agency_session_name {
        None => "session".to_string(),
        Some(s) if valid_session_name(&s) => s,
        Some(_) => {
            return bad(
                "agency_session_name must be 2 to 64 characters: letters, digits and _+=,.@-",
            )
        }
    };
    let secs = match body.duration_seconds {
        None | Some(Value::Null) => DEFAULT_DURATION_SECS,
        Some(v) => match v.as_u64().filter(|n| DURATION_SECS.contains(n)) {
            Some(n) => n,
            None => {
                return bad(format!(
                    "duration_seconds must be a whole number from {} to {}",
                    DURATION_SECS.start(),
                    DURATION_SECS.end()
                ))
            }
        },
    };
    let cfg = req.config();
    let Some((tokens, agencies)) = cfg.oidc.get(&provider) else {
        return Answer::sts(
            404,
            "STS.0004",
            format!("the identity provider {provider} does not exist"),
        );
    };
    if !tokens.contains(&id_token) {
        return Answer::sts(
            401,
            "STS.0002",
            format!("the id token is not valid for {provider}"),
        );
    }
    if req.shared.faults.draw(|f| f.sts_refuse_agency) {
        return Answer::sts(
            403,
            "STS.0003",
            format!("the agency {agency} may not be assumed (injected fault)"),
        )
        .fault(FaultKind::StsRefuseAgency);
    }
    if !agencies.contains(&agency) {
        return Answer::sts(
            403,
            "STS.0003",
            format!("the identity provider {provider} may not assume the agency {agency}"),
        );
    }
    let grant = req.shared.issued.issue_with(
        &req.shared.ids,
        |access| cfg.principal_for(&cfg.principal, access),
        Some(Duration::from_secs(secs)),
    );
    let agency_name = agency.rsplit(':').next().unwrap_or(&agency);
    Answer::json(
        200,
        json!({
            "credentials": {
                "access_key_id": grant.access,
                "secret_access_key": grant.secret,
                "security_token": grant.security_token,
                "expiration": service_time(grant.expires_at),
            },
            "assumed_agency": {
                "agency_session_id": format!("{}:{session}", &req.shared.ids.next()[..20]),
                "agency_session_urn": format!(
                    "sts::{}:assumed-agency:{agency_name}/{session}",
                    cfg.domain_id
                ),
            },
        }),
    )
}
