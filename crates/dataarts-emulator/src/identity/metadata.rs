//! The ECS metadata service (session token, then the agency's temporary credentials) and CCE
//! pod identity.

use std::time::Duration;

use super::reply::{credential_body, header, Answer};
use super::Req;
use crate::faults::FaultKind;

/// `PUT`: a metadata session token.
pub(super) const TOKEN_PATH: &str = "/meta-data/latest/api/token";
/// `GET` with `X-Metadata-Token`: the agency's temporary credentials.
pub(super) const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
/// `POST` with `Authorization: <pod token>`: the pod's temporary credentials.
pub(super) const POD_IDENTITY_PATH: &str = "/pod-identity/v1/credentials";

/// Longest metadata session token lifetime the service grants (6 h).
const MAX_TOKEN_TTL_SECS: u64 = 6 * 60 * 60;
/// The marker the official SDK looks for: no agency is attached to the ECS.
pub(super) const NO_AGENCY: &str = "Please configure Cloud Service Agency first";

/// The metadata faults: a delay, then possibly a 500.
async fn metadata_faults(req: &Req<'_>) -> Result<Option<FaultKind>, Answer> {
    let mut seen = None;
    if let Some(d) = req.shared.faults.metadata_delay() {
        tokio::time::sleep(d).await;
        seen = Some(FaultKind::MetadataDelay);
    }
    if req.shared.faults.draw(|f| f.metadata_error) {
        return Err(
            Answer::iam(500, "the metadata service failed (injected fault)")
                .fault(FaultKind::MetadataError),
        );
    }
    Ok(seen)
}

fn with_fault(a: Answer, f: Option<FaultKind>) -> Answer {
    match f {
        Some(f) => a.fault(f),
        None => a,
    }
}

/// `PUT /meta-data/latest/api/token`.
pub(super) async fn token(req: &Req<'_>) -> Answer {
    let fault = match metadata_faults(req).await {
        Ok(f) => f,
        Err(a) => return a,
    };
    if req.shared.faults.metadata_without_token() {
        return with_fault(
            Answer::iam(404, "this metadata service issues no session tokens"),
            fault,
        );
    }
    let ttl = header(&req.parts.headers, "x-metadata-token-ttl-seconds")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| (1..=MAX_TOKEN_TTL_SECS).contains(n));
    let answer = match ttl {
        None => Answer::iam(
            400,
            format!(
                "X-Metadata-Token-Ttl-Seconds must be a number of seconds from 1 to {MAX_TOKEN_TTL_SECS}"
            ),
        ),
        Some(secs) => Answer::text(
            req.shared
                .issued
                .new_metadata_token(&req.shared.ids, Duration::from_secs(secs)),
        ),
    };
    with_fault(answer, fault)
}

/// `GET /openstack/latest/securitykey`.
pub(super) async fn security_key(req: &Req<'_>) -> Answer {
    let fault = match metadata_faults(req).await {
        Ok(f) => f,
        Err(a) => return a,
    };
    let tokenless = req.shared.faults.metadata_without_token();
    let answer = match header(&req.parts.headers, "x-metadata-token") {
        _ if tokenless && !req.config().metadata => Answer::iam(401, NO_AGENCY),
        _ if tokenless => issue(req),
        None => Answer::iam(
            401,
            "missing X-Metadata-Token: get one with PUT /meta-data/latest/api/token",
        ),
        Some(t) if !req.shared.issued.metadata_token_valid(t) => Answer::iam(
            401,
            "unknown or expired X-Metadata-Token: get a new one with PUT /meta-data/latest/api/token",
        ),
        Some(_) if !req.config().metadata => Answer::iam(401, NO_AGENCY),
        Some(_) => issue(req),
    };
    with_fault(answer, fault)
}

/// `POST /pod-identity/v1/credentials`.
pub(super) fn pod_identity(req: &Req<'_>) -> Answer {
    match header(&req.parts.headers, "authorization") {
        Some(t) if req.config().pod_tokens.contains(t.trim()) => issue(req),
        Some(_) => Answer::iam(401, "the pod-identity token is not valid"),
        None => Answer::iam(
            401,
            "missing Authorization: send the content of the pod-identity token file",
        ),
    }
}

fn issue(req: &Req<'_>) -> Answer {
    let cfg = req.config();
    let grant = req.shared.issued.issue_with(
        &req.shared.ids,
        |access| cfg.principal_for(&cfg.principal, access),
        None,
    );
    Answer::json(200, credential_body(&grant))
}
