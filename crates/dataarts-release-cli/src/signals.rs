//! SIGINT and SIGTERM during `deploy` and `tasks wait`: the first one asks the run to stop
//! cleanly (no new batch, what is known so far printed, exit 130 or 143); a second one exits
//! at once.

use tokio::sync::watch;

use crate::deploy_keys::SignalKey;
use crate::exit::Exit;

/// The first signal received, shared with whoever wants to stop on it.
#[derive(Debug, Clone)]
pub struct Signals {
    rx: watch::Receiver<Option<SignalKey>>,
}

impl Signals {
    /// Starts listening (on the current runtime). Signals that cannot be listened for are
    /// left to their default action.
    pub fn listen() -> Self {
        let (tx, rx) = watch::channel(None);
        tokio::spawn(listen(tx));
        Self { rx }
    }

    /// The signal received so far, if any.
    pub fn received(&self) -> Option<SignalKey> {
        *self.rx.borrow()
    }

    /// Completes when a signal arrives (at once if one already did).
    pub fn fired(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.rx.clone();
        async move {
            let _ = rx.wait_for(Option::is_some).await;
        }
    }
}

/// The exit code for a run stopped by `s`.
pub fn exit_for(s: SignalKey) -> Exit {
    match s {
        SignalKey::Sigint => Exit::Interrupted,
        SignalKey::Sigterm => Exit::Terminated,
    }
}

/// Records the first signal; exits at once on the second.
fn received(tx: &watch::Sender<Option<SignalKey>>, s: SignalKey) {
    if tx.borrow().is_some() {
        std::process::exit(i32::from(exit_for(s).code()));
    }
    let _ = tx.send(Some(s));
}

#[cfg(unix)]
async fn listen(tx: watch::Sender<Option<SignalKey>>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    loop {
        tokio::select! {
            Some(()) = int.recv() => received(&tx, SignalKey::Sigint),
            Some(()) = term.recv() => received(&tx, SignalKey::Sigterm),
            else => return,
        }
    }
}

#[cfg(not(unix))]
async fn listen(tx: watch::Sender<Option<SignalKey>>) {
    while tokio::signal::ctrl_c().await.is_ok() {
        received(&tx, SignalKey::Sigint);
    }
}
