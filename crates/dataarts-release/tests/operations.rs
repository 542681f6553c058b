//! Every operation against the in-process emulator.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use dataarts_emulator::{
    DEMO_DEPLOYER_USER_ID, DEMO_DEV_USER_ID, DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE_ID,
};
use dataarts_release::{
    Credentials, DeployResult, DeployStatus, Error, ReleaseOutcome, SortDirection, TaskStatus,
};
use futures::TryStreamExt;

#[tokio::test]
async fn list_show_and_stream_packages() {
    let emu = emulator().await;
    let c = client(&emu);
    let page = c
        .list_packages()
        .status(DeployStatus::AwaitingReview)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.total, Some(3));
    let all: Vec<_> = c
        .list_packages()
        .limit(2)
        .sort("package_id", SortDirection::Asc)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, vec!["12", "13", "23"]);
    assert!(all.iter().all(|p| p.is_awaiting_review()));

    let d = c.show_package("12").await.unwrap();
    assert_eq!(d.package.id, "12");
    assert_eq!(d.items.len(), 2);
    assert_eq!(d.package.deploy_status, Some(DeployStatus::AwaitingReview));

    let e = c.show_package("999").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.code(), Some("DLF.0810"));
    assert!(e.request_id().is_some_and(|r| r.len() == 32), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with("DLF.0810 Task does not exist. (request id "),
        "{text}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn stream_pages_through_many_packages_without_over_fetching() {
    let emu = emulator_with(|b| b.seed_packages(250)).await;
    let c = client(&emu);
    let all: Vec<_> = c
        .list_packages()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 253);
    let lists = || {
        emu.journal()
            .iter()
            .filter(|j| {
                j.operation == Some(dataarts_release::Operation::ListFactoryReleasePackages)
            })
            .count()
    };
    assert_eq!(
        lists(),
        4,
        "3 pages, and once per client the probe of what offset counts"
    );
    let again: Vec<_> = c
        .list_packages()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(again, all);
    assert_eq!(lists(), 4 + 3, "total reached on the third page");
    emu.shutdown().await;
}

#[tokio::test]
async fn cancel_packages_revokes() {
    let emu = emulator().await;
    let c = client(&emu);
    c.cancel_packages(["12", "13"]).await.unwrap();
    let d = c.show_package("12").await.unwrap();
    assert!(d.package.deleted);
    assert!(!d.package.is_awaiting_review());
    // A revoked package can no longer be released: refused with its own state (read back
    // after the service's refusal), not released.
    let e = c.deploy(["12"]).send().await.unwrap_err();
    assert!(e.is_package_state(), "{e}");
    assert_eq!(
        dataarts_release::PackageCondition::of_error(&e),
        Some(dataarts_release::PackageCondition::Revoked),
        "{e}"
    );
    assert_eq!(emu.release_count("12"), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn pending_items_and_packaging() {
    let emu = emulator().await;
    let c = client(&emu);
    let page = c.pending_items().limit(2).send().await.unwrap();
    assert_eq!(page.items.len(), 2);
    let all: Vec<_> = c
        .pending_items()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(all.iter().any(|i| i.id == "26"));
    assert_eq!(Some(all.len() as u32), page.total);

    let created = c
        .package_pending_items(["26"])
        .name("job_0948_20250513112100444444")
        .applicant(DEMO_DEV_USER_ID)
        .approvers([DEMO_DEPLOYER_USER_ID])
        .send()
        .await
        .unwrap();
    let d = c.show_package(created.id.clone()).await.unwrap();
    assert!(d.package.is_awaiting_review());

    // Without a workspace the pending-item operations refuse before sending.
    let before = (emu.journal().len(), emu.refused_auth().total);
    let e = c
        .with_workspace(None::<String>)
        .pending_items()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    assert_eq!((emu.journal().len(), emu.refused_auth().total), before);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn deploy_wait_with_progress_and_system_task() {
    let emu = emulator().await;
    let c = client(&emu);
    let d = c
        .deploy(["12", "23"])
        .start_jobs(false)
        .send()
        .await
        .unwrap();
    assert_eq!(d.packages.len(), 2);
    assert!(!d.reconciled);
    let task_id = d.packages[0].task_id.clone().expect("task id");
    assert_eq!(d.packages[0].subtask_count, Some(2));

    let t = c.system_task(task_id.clone()).await.unwrap();
    assert_eq!(t.status, TaskStatus::Running);
    assert_eq!(t.subtasks.len(), 2);

    let events = Arc::new(Mutex::new(Vec::new()));
    let ev = events.clone();
    let waiter = d
        .wait()
        .poll_interval(Duration::from_millis(20))
        .max_poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(20))
        .on_progress(move |p| ev.lock().unwrap().push(p.clone()));
    let driver = async {
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            emu.advance_tasks();
        }
    };
    let (results, ()) = tokio::join!(waiter.send(), driver);
    let results = results.unwrap();
    assert_eq!(results.len(), 2);
    assert!(results
        .iter()
        .all(|r| r.outcome == ReleaseOutcome::Succeeded));
    assert_eq!(results[0].task.as_ref().unwrap().subtasks.len(), 2);
    let events = events.lock().unwrap().clone();
    let last = events.last().unwrap();
    assert_eq!((last.overall_completed, last.overall_total), (3, 3));
    let reported: usize = events.iter().map(|e| e.newly_completed.len()).sum();
    assert_eq!(
        reported, 3,
        "each subtask reported exactly once: {events:?}"
    );

    let done = c
        .wait_for_task(task_id)
        .poll_interval(Duration::from_millis(10))
        .await
        .unwrap();
    assert_eq!(done.status, TaskStatus::Successful);
    let p = c
        .wait_for_package("23")
        .poll_interval(Duration::from_millis(10))
        .await
        .unwrap();
    assert_eq!(p.deploy_status, Some(DeployStatus::Succeeded));
    assert_eq!(emu.release_count("12"), 1);
    assert_eq!(emu.release_count("23"), 1);

    let e = c
        .system_task("00000000000000000000000000000000")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn failed_release_and_wait_timeout() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.fail_release_of("13");
    let d = c.deploy(["13"]).send().await.unwrap();
    let e = c
        .wait_for_task(d.packages[0].task_id.clone().unwrap())
        .poll_interval(Duration::from_millis(10))
        .timeout(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::WaitTimeout { .. }), "{e}");
    emu.complete_all_tasks();
    let r = d
        .wait()
        .poll_interval(Duration::from_millis(10))
        .await
        .unwrap();
    assert_eq!(r[0].outcome, ReleaseOutcome::Failed);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn deploy_all_250_in_three_requests() {
    let emu = emulator_with(|b| b.seed_packages(250)).await;
    let c = builder(&emu.url()).rate_limit(Some(50)).build().unwrap();
    let ids: Vec<String> = (1000..1250).map(|n| n.to_string()).collect();
    let mut per_chunk = Vec::new();
    let report = c
        .deploy_all(ids.clone())
        .start_jobs(false)
        .on_chunk(|o| per_chunk.push(o.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(per_chunk, vec![100, 100, 50]);
    assert_eq!(report.chunks, 3);
    assert_eq!(report.outcomes.len(), 250);
    assert!(report.all_released());
    assert!(report.outcomes.iter().all(|o| matches!(
        &o.result,
        DeployResult::Released {
            task_id: Some(_),
            ..
        }
    )));
    let deploys: Vec<_> = emu
        .journal()
        .into_iter()
        .filter(|j| j.operation == Some(dataarts_release::Operation::DeployFactoryPackages))
        .collect();
    assert_eq!(deploys.len(), 3);
    assert_eq!(
        deploys
            .iter()
            .map(|j| j.package_ids.len())
            .collect::<Vec<_>>(),
        vec![100, 100, 50]
    );
    for id in &ids {
        assert_eq!(emu.release_count(id), 1, "{id}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn deploy_all_reports_refused_chunks_per_id() {
    let emu = emulator_with(|b| b.seed_packages(10)).await;
    let c = client(&emu);
    // Chunk 1 (1000..1004) is fine; chunk 2 contains an unknown id and is refused as a whole:
    // it is taken apart, 1005 and 1006 are re-sent, only the unknown id is refused.
    let ids = [
        "1000", "1001", "1002", "1003", "1004", "1005", "1006", "999999",
    ];
    let report = c.deploy_all(ids).chunk_size(5).send().await.unwrap();
    assert_eq!(report.released().len(), 7);
    assert_eq!(report.refused(), vec!["999999"]);
    assert!(report.unknown().is_empty());
    let last = &report.outcomes[7].result;
    assert_eq!(
        last.condition(),
        Some(dataarts_release::PackageCondition::NotFound),
        "{last:?}"
    );
    for o in &report.outcomes {
        let expected = if o.result.is_released() { 1 } else { 0 };
        assert_eq!(emu.release_count(o.package_id.as_str()), expected);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn token_and_temporary_credentials() {
    let emu = emulator().await;
    let c = builder(&emu.url())
        .credentials(Credentials::token(DEMO_TOKEN))
        .build()
        .unwrap();
    assert!(c.list_packages().send().await.is_ok());
    let c = builder(&emu.url())
        .credentials(Credentials::token("not-a-valid-token"))
        .build()
        .unwrap();
    let e = c.list_packages().send().await.unwrap_err();
    assert!(matches!(e, Error::Auth(_)), "{e}");
    emu.shutdown().await;

    let emu =
        emulator_with(|b| b.security_token("STSAK0000000000000001", "stssk", "sts-token-value"))
            .await;
    let c = builder(&emu.url())
        .credentials(Credentials::temporary(
            "STSAK0000000000000001",
            "stssk",
            "sts-token-value",
        ))
        .build()
        .unwrap();
    assert!(c.show_package("23").await.is_ok());
    let c = builder(&emu.url())
        .credentials(Credentials::temporary(
            "STSAK0000000000000001",
            "stssk",
            "wrong",
        ))
        .build()
        .unwrap();
    let e = c.show_package("23").await.unwrap_err();
    assert!(matches!(e, Error::Auth(_)), "{e}");
    let c = builder(&emu.url())
        .credentials(Credentials::aksk("STSAK0000000000000001", "wrong-sk"))
        .build()
        .unwrap();
    let e = c.show_package("23").await.unwrap_err();
    assert_eq!(e.code(), Some("APIGW.0301"));
    assert!(!e.is_retryable());
    emu.shutdown().await;
}

#[tokio::test]
async fn workspace_and_project_are_sent() {
    let emu = emulator().await;
    let c = client(&emu);
    assert_eq!(c.workspace(), Some(DEMO_WORKSPACE_ID));
    assert_eq!(c.project_id(), Some(DEMO_PROJECT_ID));
    let e = c
        .with_workspace(Some("ffffffffffffffffffffffffffffffff"))
        .list_packages()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("EMU.0004"), "{e}");
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn deploy_all_is_paced_by_the_rate_limiter() {
    let emu = emulator_with(|b| b.seed_packages(4)).await;
    let c = builder(&emu.url()).rate_limit(Some(2)).build().unwrap();
    let started = tokio::time::Instant::now();
    let report = c
        .deploy_all(["1000", "1001", "1002", "1003"])
        .chunk_size(1)
        .send()
        .await
        .unwrap();
    assert!(report.all_released());
    assert_eq!(report.chunks, 4);
    // No burst: one request every 500 ms (paused clock, so this takes no real time).
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    emu.shutdown().await;
}

#[test]
fn client_and_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<dataarts_release::Client>();
    send_sync::<dataarts_release::Error>();
    send_sync::<dataarts_release::Deployment>();
    let c = builder("http://127.0.0.1:1").build().unwrap();
    send(&c.deploy(["1"]).send());
    send(&c.deploy_all(["1"]).send());
    send(&c.list_packages().stream());
    send(&c.pending_items().stream());
    send(&c.show_package("1"));
    send(&c.cancel_packages(["1"]));
    send(&c.system_task("t"));
    send(&c.wait_for_task("t").on_progress(|_| {}).send());
    send(&c.wait_for_package("1").send());
}
