//! Credentials renewed in the middle of `deploy --wait`: the emulator issues credentials that
//! last 2 seconds and the release takes as long as the test says (it finishes the tasks only
//! once it has seen several credential fetches). The deploy succeeds, the package is released
//! exactly once, and the gateway never saw an expired credential.
#![cfg(feature = "emulator")]

mod common;

use std::time::Duration;

use common::*;
use dataarts_release::Operation;

const LIFETIME: Duration = Duration::from_secs(2);

fn refreshes_during_the_wait(source: &Source) {
    let emu = TestEmu::with(|b| {
        b.task_timing(TaskTiming::Manual)
            .credential_lifetime(LIFETIME)
    });
    let run = (source.setup)(
        cli(&[
            "--output",
            "json",
            "deploy",
            "23",
            "--wait",
            "--timeout",
            "2m",
        ]),
        &emu,
    )
    .spawn();
    // The release was sent, then the wait outlived several lifetimes.
    wait_for_journal(&emu, |j| {
        let released = j
            .iter()
            .position(|e| e.operation == Some(Operation::DeployFactoryPackages));
        released.is_some_and(|at| {
            j[at..]
                .iter()
                .filter(|e| e.path.starts_with(source.fetch_path))
                .count()
                >= 3
        })
    });
    emu.emu().complete_all_tasks();
    let o = run.finish();
    assert_eq!(code(&o), 0, "{}: {}", source.name, stderr(&o));
    let v = json(&o);
    assert_eq!(v["packages"][0]["result"], "released", "{v:#}");
    assert!(emu.emu().journal_count(source.fetch_path) >= 4);
    assert_eq!(deploys(&emu), 1);
    assert_eq!(emu.emu().release_count("23"), 1);
    assert_never_twice(&emu);
    // Renewed ahead of expiry: no request was turned away for an expired token.
    let expired: Vec<String> = emu
        .emu()
        .journal()
        .iter()
        .filter(|e| e.status == 401)
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert!(expired.is_empty(), "{}: {expired:?}", source.name);
    // The gateway's refusals are counted, not journalled.
    assert_eq!(emu.emu().refused_auth().total, 0, "{}", source.name);
    assert_no_secret_in(&o);
}

#[test]
fn idp_federation_is_renewed_during_a_deploy_wait() {
    refreshes_during_the_wait(&SOURCES[1]);
}

#[test]
fn the_metadata_service_is_asked_again_during_a_deploy_wait() {
    refreshes_during_the_wait(&SOURCES[3]);
}
