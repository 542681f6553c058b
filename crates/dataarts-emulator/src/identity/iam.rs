//! IAM: federation with an identity provider's id token (an unscoped token), temporary AK/SK
//! for a token, and the project lookup by region.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::reply::{credential_body, header, service_time, Answer};
use super::Req;
use crate::faults::FaultKind;
use crate::gateway::{AuthInput, Principal};

/// `POST` with `X-Idp-Id`: an unscoped token for an id token.
pub(super) const ID_TOKEN_PATH: &str = "/v3.0/OS-AUTH/id-token/tokens";
/// `POST`: temporary AK/SK and security token for a token.
pub(super) const SECURITY_TOKENS_PATH: &str = "/v3.0/OS-CREDENTIAL/securitytokens";
/// `GET`, signed: the caller's projects, `?name=<region>` to filter.
pub(super) const PROJECTS_PATH: &str = "/v3/projects";
/// `GET` with `X-Auth-Token`: the token's projects.
pub(super) const AUTH_PROJECTS_PATH: &str = "/v3/auth/projects";

/// Lifetime of an unscoped token (IAM's 24 h).
const UNSCOPED_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Security-token durations IAM accepts, in seconds (15 min to 24 h), and its default.
const SECURITY_TOKEN_SECS: std::ops::RangeInclusive<u64> = 900..=86_400;
const SECURITY_TOKEN_DEFAULT_SECS: u64 = 900;

fn parse(body: &[u8]) -> Result<Value, Answer> {
    serde_json::from_slice::<Value>(body)
        .map_err(|e| Answer::iam(400, format!("the request body is not valid JSON: {e}")))
}

/// `POST /v3.0/OS-AUTH/id-token/tokens`.
pub(super) fn id_token(req: &Req<'_>) -> Answer {
    let Some(idp) = header(&req.parts.headers, "x-idp-id").filter(|v| !v.trim().is_empty()) else {
        return Answer::iam(400, "missing X-Idp-Id header: name the identity provider");
    };
    let body = match parse(req.body) {
        Ok(v) => v,
        Err(a) => return a,
    };
    let Some(id_token) = body
        .pointer("/auth/id_token/id")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    else {
        return Answer::iam(
            400,
            "the body must be {\"auth\":{\"id_token\":{\"id\":\"<id token>\"}}}",
        );
    };
    let cfg = req.config();
    let Some(accepted) = cfg.idps.get(idp) else {
        return Answer::iam(404, format!("identity provider {idp:?} does not exist"));
    };
    if req.shared.faults.draw(|f| f.iam_refuse_id_token) {
        return Answer::iam(401, "the id token was refused (injected fault)")
            .fault(FaultKind::IamRefuseIdToken);
    }
    if !accepted.contains(id_token) {
        return Answer::iam(
            401,
            format!("the id token is not valid for identity provider {idp:?}"),
        );
    }
    let issued = &req.shared.issued;
    let now = issued.now();
    let (token, expires_at) =
        issued.new_unscoped(&req.shared.ids, cfg.principal.clone(), UNSCOPED_TTL);
    let user_id = cfg.principal.user_id.clone().unwrap_or_default();
    Answer::json(
        201,
        json!({"token": {
            "expires_at": service_time(expires_at),
            "issued_at": service_time(now),
            "methods": ["mapped"],
            "user": {
                "domain": {"id": cfg.domain_id, "name": "emulator"},
                "id": user_id,
                "name": format!("{idp}-user"),
                "OS-FEDERATION": {
                    "identity_provider": {"id": idp},
                    "protocol": {"id": "oidc"},
                    "groups": [],
                },
            },
        }}),
    )
    .header("x-subject-token", token)
}

/// `POST /v3.0/OS-CREDENTIAL/securitytokens` (token in the body, or `X-Auth-Token`).
pub(super) fn security_tokens(req: &Req<'_>) -> Answer {
    let body = match parse(req.body) {
        Ok(v) => v,
        Err(a) => return a,
    };
    let Some(identity) = body.pointer("/auth/identity") else {
        return Answer::iam(400, "the body must hold auth.identity");
    };
    let methods_ok = identity
        .get("methods")
        .and_then(Value::as_array)
        .is_some_and(|m| m.iter().any(|x| x == "token"));
    if !methods_ok {
        return Answer::iam(400, "auth.identity.methods must be [\"token\"]");
    }
    let duration = match identity.pointer("/token/duration_seconds") {
        None | Some(Value::Null) => SECURITY_TOKEN_DEFAULT_SECS,
        Some(v) => match v.as_u64().filter(|n| SECURITY_TOKEN_SECS.contains(n)) {
            Some(n) => n,
            None => {
                return Answer::iam(
                    400,
                    format!(
                        "duration_seconds must be a whole number from {} to {}",
                        SECURITY_TOKEN_SECS.start(),
                        SECURITY_TOKEN_SECS.end()
                    ),
                )
            }
        },
    };
    let token = identity
        .pointer("/token/id")
        .and_then(Value::as_str)
        .or_else(|| header(&req.parts.headers, "x-auth-token"));
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Answer::iam(401, "no token: send auth.identity.token.id or X-Auth-Token");
    };
    let base: Option<Arc<Principal>> = req
        .shared
        .issued
        .unscoped(token)
        .or_else(|| req.shared.creds.token_principal(token));
    let Some(base) = base else {
        return Answer::iam(401, "the token is unknown or has expired");
    };
    let cfg = req.config();
    let grant = req.shared.issued.issue_with(
        &req.shared.ids,
        |access| cfg.principal_for(&base, access),
        Some(Duration::from_secs(duration)),
    );
    Answer::json(201, credential_body(&grant))
}

/// `GET /v3/projects[?name=<region>]` (signed) and `GET /v3/auth/projects` (token).
pub(super) fn projects(req: &Req<'_>, auth_projects: bool) -> Answer {
    let query = req.parts.uri.query().unwrap_or("");
    let input = AuthInput {
        method: req.parts.method.as_str(),
        raw_path: req.parts.uri.path(),
        raw_query: query,
        headers: &req.parts.headers,
        body: req.body,
    };
    let principal = match req.shared.creds.authenticate(&input, &req.shared.issued) {
        Ok(p) => p,
        Err(e) => return Answer::gateway(e).header("x-iam-trace-id", req.request_id.to_string()),
    };
    let name = if auth_projects {
        None
    } else {
        dataarts_signing::parse_form_query(query)
            .into_iter()
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v)
    };
    let cfg = req.config();
    let host = header(&req.parts.headers, "host").unwrap_or("127.0.0.1");
    let list: Vec<Value> = cfg
        .projects
        .iter()
        .filter(|(id, _)| principal.projects.contains(id))
        .filter(|(_, n)| name.as_ref().is_none_or(|want| n.as_ref() == Some(want)))
        .map(|(id, n)| {
            json!({
                "id": id,
                "name": n.clone().unwrap_or_else(|| id.clone()),
                "domain_id": cfg.domain_id,
                "enabled": true,
                "is_domain": false,
                "parent_id": cfg.domain_id,
                "description": "",
                "links": {"self": format!("http://{host}/v3/projects/{id}")},
            })
        })
        .collect();
    let path = req.parts.uri.path();
    let this = if query.is_empty() {
        format!("http://{host}{path}")
    } else {
        format!("http://{host}{path}?{query}")
    };
    Answer::json(
        200,
        json!({"projects": list, "links": {"self": this, "previous": null, "next": null}}),
    )
    .header("x-iam-trace-id", req.request_id.to_string())
}
