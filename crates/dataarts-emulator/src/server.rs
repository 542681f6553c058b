//! The HTTP server: the accept loop, one task per connection (which the "drop the
//! connection" fault can close), and dispatch to the admin endpoints or the API pipeline.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch, Notify};

use crate::app::{error_response, read_body, respond, Body, Shared};
use crate::identity;
use crate::routes::admin;
use crate::routes::api::{self, Reply};

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

async fn handle(shared: Arc<Shared>, req: Request<Incoming>, kill: Arc<Notify>) -> Response<Body> {
    let request_id = shared.ids.next();
    let (parts, body) = req.into_parts();
    if let Some(rest) = parts.uri.path().strip_prefix("/_emulator") {
        let body = match read_body(body).await {
            Ok(b) => b,
            Err(e) => return error_response(&e, &request_id),
        };
        return admin::handle(
            &shared,
            &parts.method,
            rest,
            parts.uri.query(),
            &body,
            &request_id,
        );
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
