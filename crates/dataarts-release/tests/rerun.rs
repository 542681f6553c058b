//! Re-runnable batches against the emulator: already released packages reach the goal, a
//! refused batch is taken apart with each id's own reason, all-or-nothing, the dry-run plan,
//! and stopping between chunks. Every test checks that no package was released twice.

mod common;

use std::time::Duration;

use common::*;
use dataarts_emulator::{FaultConfig, JournalEntry, RunningEmulator};
use dataarts_release::{
    Client, DeployResult, Error, ErrorKind, Operation, PackageCondition, ReleaseState,
};

fn requests(emu: &RunningEmulator, op: Operation) -> Vec<JournalEntry> {
    emu.journal()
        .into_iter()
        .filter(|j| j.operation == Some(op))
        .collect()
}

fn deploys(emu: &RunningEmulator) -> Vec<JournalEntry> {
    requests(emu, Operation::DeployFactoryPackages)
}

/// Reads since the journal entry `after` (list pages, single reads).
fn reads_since(emu: &RunningEmulator, after: u64) -> (usize, usize) {
    let j: Vec<_> = emu
        .journal()
        .into_iter()
        .filter(|j| j.seq > after)
        .collect();
    let count = |op| j.iter().filter(|e| e.operation == Some(op)).count();
    (
        count(Operation::ListFactoryReleasePackages),
        count(Operation::ShowFactoryPackageDetail),
    )
}

fn last_seq(emu: &RunningEmulator) -> u64 {
    emu.journal().last().map_or(0, |j| j.seq)
}

/// No package was released more than once.
fn assert_never_twice(emu: &RunningEmulator) {
    let twice = emu.released_more_than_once();
    assert!(twice.is_empty(), "released more than once: {twice:?}");
}

/// Releases 23 and lets the release finish.
async fn release_23(c: &Client, emu: &RunningEmulator) {
    let r = c.deploy_all(["23"]).send().await.unwrap();
    assert!(r.all_released());
    emu.complete_all_tasks();
}

fn result<'a>(r: &'a dataarts_release::BatchReport, id: &str) -> &'a DeployResult {
    &r.outcomes
        .iter()
        .find(|o| o.package_id == id)
        .unwrap()
        .result
}

#[tokio::test]
async fn a_released_package_is_already_released_on_re_run() {
    let emu = emulator().await;
    let c = client(&emu);
    release_23(&c, &emu).await;
    let seq = last_seq(&emu);
    let r = c.deploy_all(["23"]).send().await.unwrap();
    assert!(
        matches!(
            result(&r, "23"),
            DeployResult::AlreadyReleased {
                state: ReleaseState::Released
            }
        ),
        "{r:?}"
    );
    assert!(r.all_reached_goal());
    assert!(!r.all_released(), "not released by this run");
    assert!(
        r.deployment().packages.is_empty(),
        "nothing left to wait for"
    );
    // One refused send, then one read of that one package.
    assert_eq!(reads_since(&emu, seq), (0, 1));
    assert_eq!(deploys(&emu).len(), 2);
    assert_eq!(emu.release_count("23"), 1);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_releasing_package_is_followed_by_the_wait() {
    let emu = emulator().await;
    let c = client(&emu);
    c.deploy_all(["23"]).send().await.unwrap();
    let r = c.deploy_all(["23"]).send().await.unwrap();
    assert!(matches!(
        result(&r, "23"),
        DeployResult::AlreadyReleased {
            state: ReleaseState::Releasing
        }
    ));
    assert_eq!(
        result(&r, "23").condition(),
        Some(PackageCondition::Releasing)
    );
    let d = r.deployment();
    assert_eq!(d.packages.len(), 1);
    assert!(d.packages[0].task_id.is_none());
    emu.complete_all_tasks();
    let results = d
        .wait()
        .poll_interval(Duration::from_millis(10))
        .await
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(emu.release_count("23"), 1);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_released_id_no_longer_blocks_the_others() {
    let emu = emulator().await;
    let c = client(&emu);
    release_23(&c, &emu).await;
    let r = c.deploy_all(["12", "23"]).send().await.unwrap();
    assert!(matches!(
        result(&r, "12"),
        DeployResult::Released {
            task_id: Some(_),
            ..
        }
    ));
    assert!(matches!(
        result(&r, "23"),
        DeployResult::AlreadyReleased { .. }
    ));
    assert!(r.all_reached_goal());
    let d = deploys(&emu);
    // 23 alone, then 12 and 23 (refused), then 12 alone.
    assert_eq!(d.len(), 3, "{d:?}");
    assert_eq!(d[2].package_ids, vec!["12"]);
    assert!(d[2].applied && !d[1].applied);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn every_id_gets_its_own_reason_and_only_the_releasable_are_re_sent() {
    let emu = emulator().await;
    let c = client(&emu);
    release_23(&c, &emu).await;
    let seq = last_seq(&emu);
    let r = c
        .deploy_all(["12", "13", "23", "999"])
        .send()
        .await
        .unwrap();
    for id in ["12", "13"] {
        assert!(result(&r, id).is_released(), "{id}: {r:?}");
        assert_eq!(emu.release_count(id), 1);
    }
    assert_eq!(
        result(&r, "23").condition(),
        Some(PackageCondition::AlreadyReleased)
    );
    let DeployResult::Refused(e) = result(&r, "999") else {
        panic!("{r:?}")
    };
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(
        matches!(e, Error::PackageNotFound { package_id } if package_id == "999"),
        "{e:?}"
    );
    assert!(e.to_string().contains("package 999 "), "{e}");
    assert_eq!(r.refused(), vec!["999"]);
    assert!(!r.all_reached_goal());
    // The demo project has 3 packages: one list page answers all four ids.
    assert_eq!(reads_since(&emu, seq), (1, 0));
    let d = deploys(&emu);
    assert_eq!(d.len(), 3);
    // The emulator names the first id at fault (23), whatever the others' reasons.
    assert_eq!(d[1].error_code.as_deref(), Some("EMU.0003"));
    assert!(!d[1].applied);
    assert_eq!(d[2].package_ids, vec!["12", "13"]);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_refused_call_is_read_with_the_fewest_requests() {
    // 1,003 packages: the list takes 11 pages; three ids are cheaper to read one by one
    // once the first page did not have them all.
    let emu = emulator_with(|b| b.seed_packages(1000)).await;
    let c = client(&emu);
    let first_page: Vec<String> = c
        .list_packages()
        .limit(100)
        .send()
        .await
        .unwrap()
        .items
        .iter()
        .map(|p| p.id.to_string())
        .collect();
    let seq = last_seq(&emu);
    let ids = ["12", "1500", "99999"];
    let on_first = ids
        .iter()
        .filter(|id| first_page.iter().any(|p| p == *id))
        .count();
    let r = c.deploy_all(ids).send().await.unwrap();
    let (lists, shows) = reads_since(&emu, seq);
    assert_eq!(lists, 1);
    assert_eq!(shows, ids.len() - on_first);
    assert!(lists + shows < 11, "cheaper than listing everything");
    assert!(result(&r, "12").is_released() && result(&r, "1500").is_released());
    assert_eq!(
        result(&r, "99999").condition(),
        Some(PackageCondition::NotFound)
    );
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn all_or_nothing_sends_nothing_when_one_id_cannot_be_released() {
    let emu = emulator().await;
    let c = client(&emu);
    release_23(&c, &emu).await;
    c.cancel_packages(["13"]).await.unwrap();
    let sent_before = deploys(&emu).len();
    let r = c
        .deploy_all(["12", "13", "23", "999"])
        .all_or_nothing(true)
        .send()
        .await
        .unwrap();
    assert!(r.held_back);
    assert_eq!(deploys(&emu).len(), sent_before, "no deploy call");
    assert!(matches!(
        result(&r, "12"),
        DeployResult::NotSent {
            condition: Some(PackageCondition::AwaitingReview)
        }
    ));
    assert_eq!(
        result(&r, "13").condition(),
        Some(PackageCondition::Revoked)
    );
    assert!(matches!(result(&r, "13"), DeployResult::Refused(_)));
    assert_eq!(
        result(&r, "23").condition(),
        Some(PackageCondition::AlreadyReleased)
    );
    assert_eq!(
        result(&r, "999").condition(),
        Some(PackageCondition::NotFound)
    );
    assert_eq!(r.chunks, 0);
    assert_eq!(emu.release_count("12"), 0);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn all_or_nothing_counts_released_ones_as_done_unless_strict() {
    let emu = emulator().await;
    let c = client(&emu);
    release_23(&c, &emu).await;
    let r = c
        .deploy_all(["12", "23"])
        .all_or_nothing(true)
        .strict(true)
        .send()
        .await
        .unwrap();
    assert!(r.held_back);
    assert_eq!(deploys(&emu).len(), 1, "strict: nothing sent");
    let r = c
        .deploy_all(["12", "23"])
        .all_or_nothing(true)
        .send()
        .await
        .unwrap();
    assert!(!r.held_back);
    assert!(result(&r, "12").is_released());
    assert!(matches!(
        result(&r, "23"),
        DeployResult::AlreadyReleased { .. }
    ));
    let d = deploys(&emu);
    assert_eq!(d.len(), 2, "only 12 was sent: {d:?}");
    assert_eq!(d[1].package_ids, vec!["12"]);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_plan_reads_and_sends_nothing() {
    let emu = emulator().await;
    let c = client(&emu);
    release_23(&c, &emu).await;
    let plan = c
        .deploy_all(["12", "13", "23", "999"])
        .plan()
        .await
        .unwrap();
    let conditions: Vec<_> = plan.packages.iter().map(|p| p.condition).collect();
    assert_eq!(
        conditions,
        vec![
            Some(PackageCondition::AwaitingReview),
            Some(PackageCondition::AwaitingReview),
            Some(PackageCondition::AlreadyReleased),
            Some(PackageCondition::NotFound),
        ]
    );
    assert_eq!(plan.would_release(), vec!["12", "13"]);
    assert!(!plan.all_would_end_released());
    assert_eq!(plan.reads, 1);
    let plan = c.deploy_all(["12", "23"]).plan().await.unwrap();
    assert!(plan.all_would_end_released());
    assert_eq!(deploys(&emu).len(), 1, "only the release of 23 before");
    assert_eq!(emu.release_count("12"), 0);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_stop_between_chunks_sends_no_new_chunk() {
    let emu = emulator_with(|b| b.seed_packages(300)).await;
    let c = client(&emu);
    let ids: Vec<String> = (1000..1250).map(|n| n.to_string()).collect();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    let r = c
        .deploy_all(ids.iter().map(String::as_str))
        .on_chunk(move |_| {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        })
        .stop_when(async move {
            let _ = rx.await;
        })
        .send()
        .await
        .unwrap();
    assert!(r.interrupted);
    assert_eq!(r.chunks, 1);
    assert_eq!(r.released().len(), 100);
    assert_eq!(r.not_sent().len(), 150);
    assert!(matches!(
        result(&r, "1100"),
        DeployResult::NotSent { condition: None }
    ));
    assert_eq!(deploys(&emu).len(), 1);

    // Running the same batch again finishes it.
    let r = c
        .deploy_all(ids.iter().map(String::as_str))
        .send()
        .await
        .unwrap();
    assert!(r.all_reached_goal(), "{:?}", r.refused());
    assert_eq!(r.already_released().len(), 100);
    assert_eq!(r.released().len(), 150);
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_chunk_cut_off_in_flight_is_unknown_and_settled_by_a_re_run() {
    let emu = emulator_with(|b| {
        b.faults(deploy_faults(FaultConfig {
            latency: Some(Duration::from_secs(2)),
            ..Default::default()
        }))
    })
    .await;
    let c = client(&emu);
    let started = std::time::Instant::now();
    let r = c
        .deploy_all(["12", "13"])
        .stop_when(tokio::time::sleep(Duration::from_millis(100)))
        .stop_grace(Duration::from_millis(200))
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the grace bounds the stop"
    );
    assert!(r.interrupted);
    assert_eq!(r.unknown().len(), 2, "{r:?}");
    assert_eq!(
        r.outcomes[0].result.error().map(Error::kind),
        Some(ErrorKind::Timeout)
    );
    emu.set_faults(FaultConfig::default());
    // Let the slow request land, then re-run: each package ends released exactly once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let r = c.deploy_all(["12", "13"]).send().await.unwrap();
    assert!(r.all_reached_goal(), "{r:?}");
    for id in ["12", "13"] {
        assert_eq!(emu.release_count(id), 1, "{id}");
    }
    assert_never_twice(&emu);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_refusal_with_an_undocumented_code_is_taken_apart_too() {
    // The public service documents no code for "not awaiting review": a plain 400 is read.
    let package = |id: &str, status: u8| {
        format!(
            r#"{{"package_id":"{id}","deploy_status":{status},"delete_flag":0,"package_approvers":[]}}"#
        )
    };
    let s = scripted(vec![
        json(
            400,
            r#"{"error_code":"DLF.4000","error_msg":"package state does not allow it"}"#,
        ),
        json(
            200,
            &format!(
                r#"{{"total":2,"data":[{},{}]}}"#,
                package("12", 1),
                package("23", 2)
            ),
        ),
        json(
            200,
            r#"{"deploy_package_details":[{"package_id":12,"asy_task_id":"t12","asy_subtask_num":2}]}"#,
        ),
    ])
    .await;
    let r = scripted_client(&s)
        .deploy_all(["12", "23"])
        .send()
        .await
        .unwrap();
    assert!(matches!(
        result(&r, "12"),
        DeployResult::Released { task_id: Some(t), .. } if t.as_str() == "t12"
    ));
    assert!(matches!(
        result(&r, "23"),
        DeployResult::AlreadyReleased {
            state: ReleaseState::Released
        }
    ));
    let deploys: Vec<String> = s
        .all()
        .iter()
        .filter(|r| r.target.ends_with("/deploy"))
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    assert_eq!(deploys.len(), 2);
    assert!(deploys[1].contains(r#"["12"]"#), "{deploys:?}");
    assert_eq!(s.count(), 3);
}
