//! Admin endpoints under `/_emulator/` (no API authentication, never journaled), behind the
//! admin guard ([`super::guard`]).

use bytes::Bytes;
use http::request::Parts;
use http::{Method, Response};
use hyper::body::Incoming;
use serde::Serialize;

use super::matcher::percent_decode;
use crate::app::{error_response, read_body, respond, Body, Shared, JSON_CT};
use crate::config::{FaultConfig, Paging, RateLimits};
use crate::error::ApiError;
use crate::task_times::TimesSetting;

/// Body of `POST /_emulator/clock/advance`: `{"by": "1h"}` (humantime, or milliseconds).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockAdvance {
    #[serde(deserialize_with = "crate::config::duration")]
    by: std::time::Duration,
}

fn ok_json<T: Serialize>(v: &T, request_id: &str) -> Response<Body> {
    match serde_json::to_vec(v) {
        Ok(b) => respond(200, Some(JSON_CT), Bytes::from(b), request_id),
        Err(e) => error_response(
            &ApiError::invalid(format!("cannot serialize: {e}")),
            request_id,
        ),
    }
}

fn done(request_id: &str) -> Response<Body> {
    ok_json(&serde_json::json!({"status": "ok"}), request_id)
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(ApiError::malformed_json)
}

fn paging(shared: &Shared) -> Paging {
    Paging {
        offset_unit: shared.state.lock().offset_unit(),
    }
}

fn task_times(shared: &Shared, request_id: &str) -> Response<Body> {
    let format = shared.state.lock().system_task_times();
    ok_json(&TimesSetting { format }, request_id)
}

/// Handles a request under `/_emulator`: the guard first (before the body is read), then the
/// route.
pub(crate) async fn handle(
    shared: &Shared,
    parts: &Parts,
    body: Incoming,
    request_id: &str,
) -> Response<Body> {
    if let Some(refusal) = shared.admin.refusal(parts, request_id) {
        return refusal;
    }
    let body = match read_body(body).await {
        Ok(b) => b,
        Err(e) => return error_response(&e, request_id),
    };
    let rest = parts
        .uri
        .path()
        .strip_prefix("/_emulator")
        .unwrap_or_default();
    route(
        shared,
        &parts.method,
        rest,
        parts.uri.query(),
        &body,
        request_id,
    )
}

/// Serves `/_emulator{rest}`.
fn route(
    shared: &Shared,
    method: &Method,
    rest: &str,
    query: Option<&str>,
    body: &[u8],
    request_id: &str,
) -> Response<Body> {
    let path = rest.trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let result: Result<Response<Body>, ApiError> = match (method, segs.as_slice()) {
        (&Method::GET, ["health"]) => Ok(done(request_id)),
        (&Method::GET, ["journal"]) => {
            let pairs = dataarts_signing::parse_form_query(query.unwrap_or(""));
            let after = pairs
                .iter()
                .find(|(k, _)| k == "after")
                .and_then(|(_, v)| v.parse::<u64>().ok())
                .unwrap_or(0);
            Ok(ok_json(&shared.journal.snapshot(after), request_id))
        }
        (&Method::GET, ["journal", "stats"]) => Ok(ok_json(&shared.journal.stats(), request_id)),
        (&Method::GET, ["faults"]) => Ok(ok_json(&shared.faults.get(), request_id)),
        (&Method::PUT, ["faults"]) => parse::<FaultConfig>(body).and_then(|f| {
            f.validate().map_err(ApiError::invalid)?;
            shared.faults.set(f);
            Ok(ok_json(&shared.faults.get(), request_id))
        }),
        (&Method::GET, ["rate-limits"]) => Ok(ok_json(&shared.rate.get(), request_id)),
        (&Method::PUT, ["rate-limits"]) => parse::<RateLimits>(body).map(|r| {
            shared.rate.set(r);
            ok_json(&shared.rate.get(), request_id)
        }),
        (&Method::GET, ["paging"]) => Ok(ok_json(&paging(shared), request_id)),
        (&Method::PUT, ["paging"]) => parse::<Paging>(body).map(|p| {
            shared.state.lock().set_offset_unit(p.offset_unit);
            ok_json(&paging(shared), request_id)
        }),
        (&Method::GET, ["system-task-times"]) => Ok(task_times(shared, request_id)),
        (&Method::PUT, ["system-task-times"]) => TimesSetting::parse(body).map(|t| {
            shared.state.lock().set_system_task_times(t.format);
            task_times(shared, request_id)
        }),
        (&Method::POST, ["tasks", "advance"]) => {
            let mut st = shared.state.lock();
            let now = st.now();
            st.advance_tasks(now);
            Ok(done(request_id))
        }
        (&Method::POST, ["tasks", "complete"]) => {
            let mut st = shared.state.lock();
            let now = st.now();
            st.complete_all_tasks(now);
            Ok(done(request_id))
        }
        (&Method::POST, ["clock", "advance"]) => parse::<ClockAdvance>(body).map(|a| {
            shared.issued.advance(a.by);
            done(request_id)
        }),
        (&Method::POST, ["reset"]) => {
            shared.reset();
            Ok(done(request_id))
        }
        (&Method::GET, ["releases"]) => {
            let st = shared.state.lock();
            let counts: std::collections::BTreeMap<&String, &usize> =
                st.release_counts().iter().collect();
            Ok(ok_json(&counts, request_id))
        }
        (&Method::POST, ["packages", id, "fail"]) => {
            shared.state.lock().fail_release_of(&percent_decode(id));
            Ok(done(request_id))
        }
        (m, _) => Err(ApiError::no_route(m.as_str(), &format!("/_emulator{rest}"))),
    };
    result.unwrap_or_else(|e| error_response(&e, request_id))
}
