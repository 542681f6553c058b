//! The HTTP server: accept loop, per-connection handling (with the "drop the connection"
//! fault), and the request pipeline gateway -> faults -> operation -> journal.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch, Notify};

use dataarts_release_raw::types::ErrorBody;

use crate::error::ApiError;
use crate::faults::{FaultKind, Faults};
use crate::fixtures::Fixtures;
use crate::gateway::{AuthInput, Credentials, RateLimiter};
use crate::ids::HexIds;
use crate::journal::{Journal, JournalEntry};
use crate::routes::ops::{execute, OpRequest};
use crate::routes::{route, RouteMatch};
use crate::state::State;
use crate::TaskTiming;

/// Largest accepted request body (the gateway's AK/SK limit).
pub(crate) const MAX_BODY: usize = 12 * 1024 * 1024;
/// `Content-Type` of every JSON answer.
pub(crate) const JSON_CT: &str = "application/json;charset=UTF-8";

/// Everything the request handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub fixtures: Fixtures,
    pub seed_packages: usize,
    pub timing: TaskTiming,
    pub creds: Credentials,
    pub rate: RateLimiter,
    pub faults: Faults,
    pub journal: Journal,
    pub ids: HexIds,
}

impl Shared {
    pub(crate) fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Back to the initial fixtures: state, journal, rate-limit buckets.
    pub(crate) fn reset(&self) {
        let fresh = State::new(&self.fixtures, self.seed_packages, self.timing);
        *self.lock_state() = fresh;
        self.journal.clear();
        self.rate.reset();
    }
}

pub(crate) type Body = Full<Bytes>;

/// Runs the accept loop until `shutdown` turns true, then lets open connections finish their
/// current request (at most 5 s).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        let shared = shared.clone();
                        let shutdown = shutdown.clone();
                        let alive = alive_tx.clone();
                        tokio::spawn(async move {
                            connection(stream, shared, shutdown).await;
                            drop(alive);
                        });
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    drop(alive_tx);
    let _ = tokio::time::timeout(Duration::from_secs(5), alive_rx.recv()).await;
}

async fn connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let svc_kill = kill.clone();
    let svc = service_fn(move |req: Request<Incoming>| {
        let shared = shared.clone();
        let kill = svc_kill.clone();
        async move { Ok::<_, Infallible>(handle(shared, req, kill).await) }
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), svc);
    tokio::pin!(conn);
    let killed = kill.notified();
    tokio::pin!(killed);
    if *shutdown.borrow() {
        return;
    }
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = &mut killed => return,
        _ = shutdown.changed() => {}
    }
    conn.as_mut().graceful_shutdown();
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = &mut killed => {}
        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}

/// Builds a response with `X-Request-Id`.
pub(crate) fn respond(
    status: u16,
    content_type: Option<&str>,
    body: Bytes,
    request_id: &str,
) -> Response<Body> {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    if let Some(ct) = content_type {
        h.insert(http::header::CONTENT_TYPE, HeaderValue::from_static_str(ct));
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
    resp
}

/// `HeaderValue::from_static` for the few constant strings we use, without panicking.
trait FromStaticStr {
    fn from_static_str(s: &str) -> HeaderValue;
}

impl FromStaticStr for HeaderValue {
    fn from_static_str(s: &str) -> HeaderValue {
        HeaderValue::from_str(s)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    }
}

/// The JSON error answer.
pub(crate) fn error_response(e: &ApiError, request_id: &str) -> Response<Body> {
    let body = ErrorBody {
        error_code: Some(e.code.to_string()),
        error_msg: Some(e.msg.clone()),
        request_id: e.gateway.then(|| request_id.to_string()),
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut resp = respond(e.status, Some(JSON_CT), Bytes::from(bytes), request_id);
    if let Some(secs) = e.retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
    }
    resp
}

async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(ApiError::too_large(MAX_BODY))
            } else {
                Err(ApiError::bad_request(format!(
                    "cannot read the request body: {e}"
                )))
            }
        }
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>, kill: Arc<Notify>) -> Response<Body> {
    let request_id = shared.ids.next();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    if let Some(rest) = path.strip_prefix("/_emulator") {
        let body = match read_body(body).await {
            Ok(b) => b,
            Err(e) => return error_response(&e, &request_id),
        };
        return crate::admin::handle(
            &shared,
            &parts.method,
            rest,
            parts.uri.query(),
            &body,
            &request_id,
        );
    }
    let mut entry = JournalEntry {
        seq: 0,
        operation: "unknown".to_string(),
        method: parts.method.as_str().to_string(),
        path: path.clone(),
        package_ids: Vec::new(),
        status: 0,
        error_code: None,
        fault: None,
        applied: false,
        request_id: request_id.clone(),
    };
    let route = match route(&parts.method, &path) {
        RouteMatch::Found(r) => r,
        RouteMatch::NotFound => {
            return fail(
                &shared,
                entry,
                &ApiError::no_route(parts.method.as_str(), &path),
                &request_id,
            );
        }
        RouteMatch::WrongMethod(allowed) => {
            let e = ApiError::method_not_allowed(parts.method.as_str(), &path, allowed);
            entry.error_code = Some(e.code.to_string());
            let mut resp = error_response(&e, &request_id);
            if let Ok(v) = HeaderValue::from_str(allowed) {
                resp.headers_mut().insert(http::header::ALLOW, v);
            }
            return finish(&shared, entry, resp);
        }
    };
    let op_id = route.op.id();
    entry.operation = op_id.to_string();
    let body = match read_body(body).await {
        Ok(b) => b,
        Err(e) => return fail(&shared, entry, &e, &request_id),
    };
    // Gateway: authentication, project authorization, rate limits.
    let auth_input = AuthInput {
        method: parts.method.as_str(),
        raw_path: &path,
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &body,
    };
    let principal = match shared.creds.authenticate(&auth_input) {
        Ok(p) => p,
        Err(e) => return fail(&shared, entry, &e, &request_id),
    };
    if !principal.projects.contains(&route.project) {
        return fail(
            &shared,
            entry,
            &ApiError::forbidden(&route.project),
            &request_id,
        );
    }
    if let Err(e) = shared.rate.check(&principal.key, op_id) {
        return fail(&shared, entry, &e, &request_id);
    }
    // Faults.
    let decision = shared.faults.decide(op_id);
    entry.fault = decision.label();
    if let Some(d) = decision.latency {
        tokio::time::sleep(d).await;
    }
    match decision.kind {
        Some(FaultKind::ThrottleBurst) => {
            return fail(&shared, entry, &ApiError::burst(), &request_id);
        }
        Some(FaultKind::ErrorBefore) => {
            return fail(&shared, entry, &ApiError::injected(), &request_id);
        }
        Some(FaultKind::NonJsonBody) => {
            entry.error_code = None;
            let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";
            let resp = respond(
                502,
                Some("text/html"),
                Bytes::from_static(html.as_bytes()),
                &request_id,
            );
            return finish(&shared, entry, resp);
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
    entry.package_ids = result.package_ids;
    let ok = match result.outcome {
        Ok(ok) => ok,
        Err(e) => {
            // An after-processing fault needs a processed request: the real error goes out.
            if decision.kind.is_some_and(FaultKind::after_processing) {
                entry.fault = decision.latency.map(|_| "latency".to_string());
            }
            return fail(&shared, entry, &e, &request_id);
        }
    };
    entry.applied = ok.applied;
    match decision.kind {
        Some(FaultKind::ErrorAfter) => fail(&shared, entry, &ApiError::injected(), &request_id),
        Some(FaultKind::DropAfter) => {
            entry.status = 0;
            shared.journal.push(entry);
            kill.notify_one();
            // The connection task drops the connection; this future is dropped with it.
            std::future::pending::<()>().await;
            respond(500, None, Bytes::new(), &request_id)
        }
        Some(FaultKind::TruncatedBody) => {
            let full = ok.body.unwrap_or_default();
            let half = full[..full.len() / 2].to_vec();
            finish(
                &shared,
                entry,
                respond(200, Some(JSON_CT), Bytes::from(half), &request_id),
            )
        }
        _ => match ok.body {
            Some(b) => finish(
                &shared,
                entry,
                respond(200, Some(JSON_CT), Bytes::from(b), &request_id),
            ),
            None => finish(
                &shared,
                entry,
                respond(200, None, Bytes::new(), &request_id),
            ),
        },
    }
}

/// Records the journal entry for a response and returns the response.
fn finish(shared: &Shared, mut entry: JournalEntry, resp: Response<Body>) -> Response<Body> {
    entry.status = resp.status().as_u16();
    shared.journal.push(entry);
    resp
}

/// Records and returns an error answer.
fn fail(
    shared: &Shared,
    mut entry: JournalEntry,
    e: &ApiError,
    request_id: &str,
) -> Response<Body> {
    entry.error_code = Some(e.code.to_string());
    finish(shared, entry, error_response(e, request_id))
}
