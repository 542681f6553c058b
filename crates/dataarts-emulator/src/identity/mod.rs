//! The identity services the emulator plays on its one port, beside the DataArts API: IAM
//! (identity-provider federation, security tokens, project lookup), STS (OIDC federation), the
//! ECS metadata service and CCE pod identity. They issue temporary credentials the gateway then
//! accepts until they expire.
//!
//! `store` remembers what was issued, `iam`, `sts` and `metadata` serve the routes, `reply`
//! builds the answers. Every request is journalled (path without query, never a secret).

mod iam;
mod metadata;
mod reply;
mod store;
mod sts;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use http::request::Parts;
use http::{Method, Response};
use hyper::body::Incoming;

use self::reply::{read_small_body, Answer};
use crate::app::{Body, Shared};
use crate::error::ApiError;
use crate::fixtures::{Fixtures, DEMO_DOMAIN_ID};
use crate::gateway::Principal;
use crate::journal::JournalEntry;

pub(crate) use self::store::Issued;

/// The identity routes: (method, path).
const ROUTES: &[(&str, &str)] = &[
    ("PUT", metadata::TOKEN_PATH),
    ("GET", metadata::SECURITY_KEY_PATH),
    ("POST", metadata::POD_IDENTITY_PATH),
    ("POST", iam::ID_TOKEN_PATH),
    ("POST", iam::SECURITY_TOKENS_PATH),
    ("GET", iam::PROJECTS_PATH),
    ("GET", iam::AUTH_PROJECTS_PATH),
    ("POST", sts::ASSUME_WITH_OIDC_PATH),
];

/// Whether `path` is one of the identity routes (with any method).
pub(crate) fn is_identity_path(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    ROUTES.iter().any(|(_, r)| *r == p)
}

/// Who may get temporary credentials, from the fixtures (fixed for the emulator's lifetime).
pub(crate) struct IdentityConfig {
    /// Identity provider id → accepted id tokens.
    idps: HashMap<String, HashSet<String>>,
    /// OIDC provider urn → (accepted id tokens, agencies it may assume).
    oidc: HashMap<String, (HashSet<String>, HashSet<String>)>,
    metadata: bool,
    pod_tokens: HashSet<String>,
    /// Who issued credentials act as.
    principal: Arc<Principal>,
    /// Projects as IAM lists them: (id, name).
    projects: Vec<(String, Option<String>)>,
    domain_id: String,
}

impl std::fmt::Debug for IdentityConfig {
    // Never prints id tokens or pod tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityConfig")
            .field("idps", &self.idps.keys().collect::<Vec<_>>())
            .field("oidc_providers", &self.oidc.keys().collect::<Vec<_>>())
            .field("metadata", &self.metadata)
            .field("pod_tokens", &self.pod_tokens.len())
            .finish_non_exhaustive()
    }
}

impl IdentityConfig {
    /// From validated fixtures; `all_projects` is every project the emulator serves.
    pub(crate) fn new(fixtures: &Fixtures, all_projects: &HashSet<String>) -> Self {
        let id = fixtures.identity.clone().unwrap_or_default();
        let projects = id
            .projects
            .as_ref()
            .map_or_else(|| all_projects.clone(), |p| p.iter().cloned().collect());
        let mut listed: Vec<(String, Option<String>)> = fixtures
            .projects
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect();
        for p in all_projects {
            if !listed.iter().any(|(id, _)| id == p) {
                listed.push((p.clone(), None));
            }
        }
        Self {
            idps: id
                .identity_providers
                .iter()
                .map(|p| (p.id.clone(), p.id_tokens.iter().cloned().collect()))
                .collect(),
            oidc: id
                .oidc_providers
                .iter()
                .map(|p| {
                    (
                        p.urn.clone(),
                        (
                            p.id_tokens.iter().cloned().collect(),
                            p.agencies.iter().cloned().collect(),
                        ),
                    )
                })
                .collect(),
            metadata: id.metadata_credentials,
            pod_tokens: id.pod_identity_tokens.iter().cloned().collect(),
            principal: Arc::new(Principal {
                key: Arc::from("identity"),
                user_id: id.user_id.clone(),
                projects,
            }),
            projects: listed,
            domain_id: DEMO_DOMAIN_ID.to_string(),
        }
    }

    /// The principal of credentials issued to `access` (its own rate-limit key).
    fn principal_for(&self, base: &Principal, access: &str) -> Arc<Principal> {
        Arc::new(Principal {
            key: Arc::from(format!("ak:{access}")),
            user_id: base.user_id.clone(),
            projects: base.projects.clone(),
        })
    }
}

/// What a route handler sees of a request.
pub(super) struct Req<'a> {
    pub shared: &'a Shared,
    pub parts: &'a Parts,
    pub body: &'a [u8],
    pub request_id: &'a str,
}

impl Req<'_> {
    fn config(&self) -> &IdentityConfig {
        &self.shared.identity
    }
}

/// Handles a request to an identity route (see [`is_identity_path`]) and journals it.
pub(crate) async fn handle(
    shared: &Shared,
    parts: &Parts,
    body: Incoming,
    request_id: &str,
) -> Response<Body> {
    let path = parts.uri.path().trim_end_matches('/');
    let mut entry = JournalEntry::received(parts.method.as_str(), parts.uri.path(), request_id);
    let answer = match ROUTES
        .iter()
        .find(|(m, p)| *p == path && *m == parts.method.as_str())
    {
        None => {
            let allowed = ROUTES
                .iter()
                .filter(|(_, p)| *p == path)
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", ");
            Answer::gateway(ApiError::method_not_allowed(
                parts.method.as_str(),
                path,
                &allowed,
            ))
            .header("allow", allowed)
        }
        Some(_) => match read_small_body(body).await {
            Err(a) => a,
            Ok(bytes) => {
                let req = Req {
                    shared,
                    parts,
                    body: &bytes,
                    request_id,
                };
                let answer = route(&req, path).await;
                if shared.faults.draw(|f| f.identity_malformed) {
                    answer.malformed().unwrap_or_else(|a| a)
                } else {
                    answer
                }
            }
        },
    };
    entry.error_code = answer.code.clone();
    entry.fault = answer.fault;
    let resp = answer.into_response(request_id);
    entry.status = resp.status().as_u16();
    shared.journal.push(entry);
    resp
}

async fn route(req: &Req<'_>, path: &str) -> Answer {
    match (req.parts.method.clone(), path) {
        (Method::PUT, metadata::TOKEN_PATH) => metadata::token(req).await,
        (Method::GET, metadata::SECURITY_KEY_PATH) => metadata::security_key(req).await,
        (Method::POST, metadata::POD_IDENTITY_PATH) => metadata::pod_identity(req),
        (Method::POST, iam::ID_TOKEN_PATH) => iam::id_token(req),
        (Method::POST, iam::SECURITY_TOKENS_PATH) => iam::security_tokens(req),
        (Method::GET, iam::PROJECTS_PATH) => iam::projects(req, false),
        (Method::GET, iam::AUTH_PROJECTS_PATH) => iam::projects(req, true),
        (Method::POST, sts::ASSUME_WITH_OIDC_PATH) => sts::assume_with_oidc(req),
        (m, p) => Answer::gateway(ApiError::no_route(m.as_str(), p)),
    }
}
