//! Never release twice: deploys under the emulator's injected faults.
//!
//! The tests run on tokio's paused clock (backoffs and `Retry-After` take no real time),
//! except where the emulator itself keeps time.

mod common;

use std::time::Duration;

use common::*;
use dataarts_emulator::FaultConfig;
use dataarts_release::{DeployResult, Error, RetryPolicy};

fn deploys(emu: &dataarts_emulator::RunningEmulator) -> Vec<dataarts_emulator::JournalEntry> {
    emu.journal()
        .into_iter()
        .filter(|j| j.operation == Some(dataarts_release::Operation::DeployFactoryPackages))
        .collect()
}

/// A fault that applies the release and then hides the answer: the client reads the
/// packages back instead of re-sending, so each is released exactly once.
async fn applied_then_hidden(fault: FaultConfig, name: &str) {
    let emu = emulator_with(|b| b.faults(deploy_faults(fault))).await;
    let c = client(&emu);
    let d = c
        .deploy(["12", "13", "23"])
        .start_jobs(false)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(d.reconciled, "{name}");
    assert_eq!(d.packages.len(), 3);
    assert!(d.packages.iter().all(|p| p.task_id.is_none()));
    for id in ["12", "13", "23"] {
        assert_eq!(emu.release_count(id), 1, "{name}: {id}");
    }
    let j = deploys(&emu);
    assert_eq!(j.len(), 1, "{name}: {j:?}");
    assert!(j[0].applied);
    // The release can still be followed, through the package status.
    emu.complete_all_tasks();
    let results = d
        .wait()
        .poll_interval(Duration::from_millis(10))
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn error_after_is_reconciled_not_resent() {
    applied_then_hidden(
        FaultConfig {
            error_after: 1.0,
            ..Default::default()
        },
        "error_after",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn drop_after_is_reconciled_not_resent() {
    applied_then_hidden(
        FaultConfig {
            drop_after: 1.0,
            ..Default::default()
        },
        "drop_after",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn truncated_success_body_is_reconciled_not_resent() {
    applied_then_hidden(
        FaultConfig {
            truncated_body: 1.0,
            ..Default::default()
        },
        "truncated_body",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn error_before_resends_only_what_is_still_awaiting_review() {
    let emu = emulator_with(|b| {
        b.faults(deploy_faults(FaultConfig {
            error_before: 1.0,
            ..Default::default()
        }))
    })
    .await;
    let c = client(&emu);
    let e = c.deploy(["12", "23"]).send().await.unwrap_err();
    assert!(e.is_ambiguous(), "{e}");
    assert_eq!(e.status(), Some(500));
    assert_eq!(emu.release_count("12"), 0);
    // First send plus one re-send per reconciliation round (default 2), all refused before
    // processing; nothing applied.
    let j = deploys(&emu);
    assert_eq!(j.len(), 3, "{j:?}");
    assert!(j.iter().all(|e| !e.applied));

    // Without reconciliation: exactly one request, the 500 surfaces.
    let c = builder(&emu.url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.deploy(["12"]).send().await.unwrap_err();
    assert!(matches!(e, Error::Service(_)), "{e}");
    assert_eq!(deploys(&emu).len(), 4);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn mixed_faults_never_release_twice_and_results_are_exact() {
    for seed in 1..=4u64 {
        let fault = FaultConfig {
            seed,
            error_before: 0.2,
            error_after: 0.2,
            drop_after: 0.2,
            truncated_body: 0.1,
            ..Default::default()
        };
        let emu = emulator_with(|b| b.seed_packages(60).faults(deploy_faults(fault))).await;
        let c = client(&emu);
        let ids: Vec<String> = (1000..1060).map(|n| n.to_string()).collect();
        let report = c
            .deploy_all(ids.clone())
            .chunk_size(10)
            .send()
            .await
            .unwrap();
        assert_eq!(report.outcomes.len(), 60);
        for o in &report.outcomes {
            let n = emu.release_count(o.package_id.as_str());
            assert!(n <= 1, "seed {seed}: {} released {n} times", o.package_id);
            match &o.result {
                DeployResult::Released { .. } => assert_eq!(n, 1, "seed {seed}: {}", o.package_id),
                DeployResult::Refused(e) => assert_eq!(n, 0, "seed {seed}: {} {e}", o.package_id),
                DeployResult::Unknown(_) => {}
                other => panic!("{other:?}"),
            }
        }
        // Every applied release in the journal is reported as released.
        let applied: usize = deploys(&emu)
            .iter()
            .filter(|j| j.applied)
            .map(|j| j.package_ids.len())
            .sum();
        let released = report.released().len();
        assert_eq!(applied, released, "seed {seed}");
        emu.shutdown().await;
    }
}

#[tokio::test(start_paused = true)]
async fn reads_retry_through_502_html_and_truncated_bodies() {
    let fault = FaultConfig {
        seed: 3,
        non_json_body: 0.2,
        truncated_body: 0.2,
        error_before: 0.0,
        operations: Some(vec![
            "list_factory_release_packages".into(),
            "show_factory_package_detail".into(),
        ]),
        ..Default::default()
    };
    let emu = emulator_with(|b| b.faults(fault)).await;
    let c = builder(&emu.url())
        .retry_policy(fast_retries().max_attempts(8))
        .build()
        .unwrap();
    for _ in 0..5 {
        c.list_packages().send().await.unwrap();
        c.show_package("23").await.unwrap();
    }
    let faulted = emu.journal().iter().filter(|j| j.fault.is_some()).count();
    assert!(faulted > 0, "the seed injects some faults");
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn persistent_502_html_keeps_status_and_text() {
    let fault = FaultConfig {
        non_json_body: 1.0,
        ..Default::default()
    };
    let emu = emulator_with(|b| b.faults(fault)).await;
    let c = client(&emu);
    let e = c.show_package("23").await.unwrap_err();
    assert_eq!(e.status(), Some(502), "{e:?}");
    assert_eq!(e.code(), Some("502"));
    assert!(e.is_retryable());
    assert!(e.request_id().is_some());
    assert_eq!(emu.journal().len(), 4, "4 attempts");
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn throttled_writes_are_retried_after_retry_after() {
    let fault = FaultConfig {
        throttle_burst: 1.0,
        ..Default::default()
    };
    let emu = emulator_with(|b| b.faults(deploy_faults(fault))).await;
    let c = builder(&emu.url())
        .retry_policy(fast_retries().max_attempts(2))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let e = c.deploy(["23"]).send().await.unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert!(e.is_throttled(), "{e}");
    assert_eq!(e.code(), Some("APIGW.0308"));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(deploys(&emu).len(), 2);
    assert_eq!(emu.release_count("23"), 0);

    // Then the burst passes and the same call succeeds.
    emu.set_faults(FaultConfig::default());
    c.deploy(["23"]).send().await.unwrap();
    assert_eq!(emu.release_count("23"), 1);
    emu.shutdown().await;
}

// Real time: the emulator's rate-limit bucket refills on the wall clock.
#[tokio::test]
async fn emulator_rate_limit_is_absorbed_by_retries() {
    let emu = emulator_with(|b| {
        b.rate_limits(dataarts_emulator::RateLimits {
            per_user: Some(5),
            per_api: None,
        })
    })
    .await;
    let c = builder(&emu.url())
        .retry_policy(fast_retries().max_attempts(6))
        .build()
        .unwrap();
    for _ in 0..12 {
        c.show_package("23").await.unwrap();
    }
    emu.shutdown().await;
}
