//! The API request pipeline: route (404/405), body size (413) and the shared body budget
//! (503), gateway (401, 403, 429), fault
//! draw, operation, and one journal entry per request, except for the requests the gateway
//! refuses as unauthenticated or unauthorized (401, 403): those are only counted, so an
//! unauthenticated client cannot fill the journal. An unknown route (404, 405) is answered
//! before authentication, as the gateway does, and is journalled with its path capped (the
//! journal shows a client's wrong base path; each entry stays small).

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Response};
use hyper::body::Incoming;

use super::matcher::{route, RouteMatch};
use super::ops::{execute, OpRequest};
use crate::app::{error_response, read_body_within, respond, Body, Shared, JSON_CT};
use crate::error::ApiError;
use crate::faults::FaultKind;
use crate::gateway::AuthInput;
use crate::journal::JournalEntry;

/// What the connection should do with a request's outcome.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Send this response.
    Send(Response<Body>),
    /// Close the connection without a response (the `drop_after` fault; the journal already
    /// has the entry).
    Drop,
}

/// The page a misbehaving proxy sends (the `non_json_body` fault).
const BAD_GATEWAY_HTML: &str = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";

/// Handles one API request (anything outside `/_emulator`).
pub(crate) async fn handle(
    shared: &Shared,
    parts: &Parts,
    body: Incoming,
    request_id: &str,
) -> Reply {
    let path = parts.uri.path();
    let mut entry = JournalEntry::received(parts.method.as_str(), path, request_id);
    let route = match route(&parts.method, path) {
        RouteMatch::Found(r) => r,
        RouteMatch::NotFound => {
            let e = ApiError::no_route(parts.method.as_str(), path);
            return fail(shared, entry, &e, request_id);
        }
        RouteMatch::WrongMethod(allowed) => {
            let e = ApiError::method_not_allowed(parts.method.as_str(), path, &allowed);
            entry.error_code = Some(e.code.to_string());
            let mut resp = error_response(&e, request_id);
            if let Ok(v) = HeaderValue::from_str(&allowed) {
                resp.headers_mut().insert(http::header::ALLOW, v);
            }
            return finish(shared, entry, resp);
        }
    };
    let op = route.op;
    entry.operation = Some(op);
    let body = match read_body_within(body, &shared.bodies).await {
        Ok(b) => b,
        Err(e) => return fail(shared, entry, &e, request_id),
    };
    // Gateway: authentication, project authorization, rate limits.
    let auth_input = AuthInput {
        method: parts.method.as_str(),
        raw_path: path,
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &body,
    };
    let principal = match shared.creds.authenticate(&auth_input, &shared.issued) {
        Ok(p) => p,
        Err(e) => return refuse(shared, &e, request_id),
    };
    if !principal.projects.contains(&route.project) {
        return refuse(shared, &ApiError::forbidden(&route.project), request_id);
    }
    if let Err(e) = shared.rate.check(&principal.key, op) {
        return fail(shared, entry, &e, request_id);
    }
    // Faults.
    let decision = shared.faults.decide(op);
    entry.fault = decision.recorded();
    if let Some(d) = decision.latency {
        tokio::time::sleep(d).await;
    }
    match decision.kind {
        Some(FaultKind::ThrottleBurst) => {
            return fail(shared, entry, &ApiError::burst(), request_id);
        }
        Some(FaultKind::ErrorBefore) => {
            return fail(shared, entry, &ApiError::injected(), request_id);
        }
        Some(FaultKind::NonJsonBody) => {
            let resp = respond(
                502,
                Some("text/html"),
                Bytes::from_static(BAD_GATEWAY_HTML.as_bytes()),
                request_id,
            );
            return finish(shared, entry, resp);
        }
        _ => {}
    }
    let result = execute(
        &shared.state,
        &shared.ids,
        &OpRequest {
            route: &route,
            headers: &parts.headers,
            raw_query: parts.uri.query().unwrap_or(""),
            body: &body,
            principal: &principal,
        },
    );
    entry.set_package_ids(result.package_ids);
    let ok = match result.outcome {
        Ok(ok) => ok,
        Err(e) => {
            // An after-processing fault needs a processed request: the real error goes out.
            if decision.kind.is_some_and(FaultKind::after_processing) {
                entry.fault = decision.latency.map(|_| FaultKind::Latency);
            }
            return fail(shared, entry, &e, request_id);
        }
    };
    entry.applied = ok.applied;
    match decision.kind {
        Some(FaultKind::ErrorAfter) => fail(shared, entry, &ApiError::injected(), request_id),
        Some(FaultKind::DropAfter) => {
            entry.status = 0;
            shared.journal.push(entry);
            Reply::Drop
        }
        Some(FaultKind::TruncatedBody) => {
            let full = ok.body.unwrap_or_default();
            let half = full[..full.len() / 2].to_vec();
            let resp = respond(200, Some(JSON_CT), Bytes::from(half), request_id);
            finish(shared, entry, resp)
        }
        _ => {
            let resp = match ok.body {
                Some(b) => respond(200, Some(JSON_CT), Bytes::from(b), request_id),
                None => respond(200, None, Bytes::new(), request_id),
            };
            finish(shared, entry, resp)
        }
    }
}

/// Records the journal entry for a response and sends the response.
fn finish(shared: &Shared, mut entry: JournalEntry, resp: Response<Body>) -> Reply {
    entry.status = resp.status().as_u16();
    shared.journal.push(entry);
    Reply::Send(resp)
}

/// Counts a request the gateway refused (401, 403) and sends the answer, without a journal
/// entry.
fn refuse(shared: &Shared, e: &ApiError, request_id: &str) -> Reply {
    shared.journal.refused(e.code);
    Reply::Send(error_response(e, request_id))
}

/// Records and sends an error answer.
fn fail(shared: &Shared, mut entry: JournalEntry, e: &ApiError, request_id: &str) -> Reply {
    entry.error_code = Some(e.code.to_string());
    finish(shared, entry, error_response(e, request_id))
}
