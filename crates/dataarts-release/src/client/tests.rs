//! Failures found while preparing a request keep their type on the way back through the
//! generated client, and nothing is sent.

use dataarts_emulator::{
    Emulator, RateLimits, RunningEmulator, DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_WORKSPACE_ID,
};

use super::*;

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .demo()
        .rate_limits(RateLimits::disabled())
        .start()
        .await
        .expect("emulator starts")
}

fn client(emu: &RunningEmulator, credentials: Credentials) -> Client {
    Client::builder()
        .endpoint(emu.url())
        .project_id(DEMO_PROJECT_ID)
        .credentials(credentials)
        .rate_limit(None)
        .build()
        .expect("client builds")
}

/// A tab is a valid HTTP header character but may not be signed: bypassing the wrapper's
/// own checks, the signer's refusal arrives as `Error::Local` naming the header.
#[tokio::test]
async fn a_signing_failure_arrives_typed_and_nothing_is_sent() {
    let emu = emulator().await;
    let c = client(&emu, Credentials::aksk(DEMO_AK, DEMO_SK));
    let op = Operation::ListFactoryPendingItems;
    let b = c
        .inner
        .v2
        .list_factory_pending_items()
        .project_id(DEMO_PROJECT_ID)
        .workspace(format!("{DEMO_WORKSPACE_ID}\tX"));
    let e = c.call(op, b.send()).await.unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Local, "{e}");
    assert_eq!(e.operation(), Some(op));
    match &e {
        Error::Local {
            problem: LocalProblem::UnsignableHeader { header },
            ..
        } => assert_eq!(header, "workspace"),
        other => panic!("{other:?}"),
    }
    assert!(
        emu.journal().is_empty() && emu.refused_auth().total == 0,
        "nothing may be sent"
    );

    // The same request with a clean header is sent and answered.
    let b = c
        .inner
        .v2
        .list_factory_pending_items()
        .project_id(DEMO_PROJECT_ID)
        .workspace(DEMO_WORKSPACE_ID);
    c.call(op, b.send()).await.unwrap();
    assert_eq!(emu.journal().len(), 1);
    emu.shutdown().await;
}

/// A local failure outside `call` (no capture around the raw future) still stops the call,
/// as text; inside `call` the typed value wins over the text.
#[tokio::test]
async fn capture_is_per_call() {
    let emu = emulator().await;
    let c = client(&emu, Credentials::aksk(DEMO_AK, DEMO_SK));
    let raw = c
        .inner
        .v2
        .list_factory_pending_items()
        .project_id(DEMO_PROJECT_ID)
        .workspace("w\tX")
        .send()
        .await;
    assert!(matches!(raw, Err(dataarts_release_raw::Error::Custom(_))));
    let (raw, local) = dataarts_release_raw::capture_local_failure(
        c.inner
            .v2
            .list_factory_pending_items()
            .project_id(DEMO_PROJECT_ID)
            .workspace("w\tX")
            .send(),
    )
    .await;
    assert!(raw.is_err());
    let local = local.expect("the failure is kept");
    assert!(local.downcast_ref::<LocalProblem>().is_some());
    assert!(
        emu.journal().is_empty() && emu.refused_auth().total == 0,
        "nothing may be sent"
    );
    emu.shutdown().await;
}
