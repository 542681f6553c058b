//! The HTTP server: the accept loop (at most `max_connections` connections at once), one task
//! per connection (which the "drop the connection" fault can close) under the
//! [`ConnectionLimits`], and dispatch to the admin endpoints, the API description and its
//! reference page, the identity services or the API pipeline.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify, OwnedSemaphorePermit, Semaphore};

use crate::app::{error_response, respond, Body, Shared};
use crate::identity;
use crate::limits::{self, ConnectionLimits, GuardedIo, HeadTimer};
use crate::routes::api::{self, Reply};
use crate::routes::{admin, reference};

/// Runs the accept loop until `shutdown` turns true, then lets open connections finish their
/// current request (at most 5 s). A connection holds one of `slots` until it closes; when
/// none is left, the loop waits with the last accepted client unread, and the next ones
/// wait in the listen backlog.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    limits: ConnectionLimits,
    slots: Arc<Semaphore>,
) {
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, typically: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        // At the cap this connection waits here, unread, and the next ones in the backlog.
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "connection limit reached: new clients wait until a connection closes"
                );
                tokio::select! {
                    p = slots.clone().acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                    _ = shutdown.changed() => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let shutdown = shutdown.clone();
        let alive = alive_tx.clone();
        tokio::spawn(async move {
            connection(stream, shared, shutdown, limits, permit).await;
            drop(alive);
        });
    }
    drop(listener);
    drop(alive_tx);
    let _ = tokio::time::timeout(Duration::from_secs(5), alive_rx.recv()).await;
}

async fn connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    limits: ConnectionLimits,
    _permit: OwnedSemaphorePermit,
) {
    let kill = Arc::new(Notify::new());
    let svc_kill = kill.clone();
    let svc_shared = shared.clone();
    let svc = service_fn(move |req: Request<Incoming>| {
        let shared = svc_shared.clone();
        let kill = svc_kill.clone();
        async move { Ok::<_, Infallible>(handle(shared, req, kill, limits).await) }
    });
    let reads = limits::ReadCounter::default();
    let io = GuardedIo::new(
        stream,
        limits.idle_timeout,
        limits.parser_buffer_bytes,
        reads.clone(),
        Arc::new(move || shared.ids.next()),
    );
    let conn = http1::Builder::new()
        .timer(HeadTimer::new(reads, limits.header_read_timeout))
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true)
        // A client that shuts its write side after sending still gets its answer.
        .half_close(true)
        .max_buf_size(limits.parser_buffer_bytes)
        .serve_connection(TokioIo::new(io), svc);
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

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
    kill: Arc<Notify>,
    limits: ConnectionLimits,
) -> Response<Body> {
    let request_id = shared.ids.next();
    let (parts, body) = req.into_parts();
    if let Some(e) = limits::check_head(&parts, &limits) {
        return error_response(&e, &request_id);
    }
    if parts.uri.path().starts_with("/_emulator") {
        return admin::handle(&shared, &parts, body, &request_id).await;
    }
    if reference::is_reference_path(parts.uri.path()) {
        return reference::handle(&parts, &request_id);
    }
    if identity::is_identity_path(parts.uri.path()) {
        return identity::handle(&shared, &parts, body, &request_id).await;
    }
    match api::handle(&shared, &parts, body, &request_id).await {
        Reply::Send(resp) => resp,
        Reply::Drop => {
            kill.notify_one();
            // The connection task drops the connection; this future is dropped with it.
            std::future::pending::<()>().await;
            respond(500, None, Bytes::new(), &request_id)
        }
    }
}
