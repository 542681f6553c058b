//! Waiting for many releases reads their states in bulk from the package list: a few
//! requests per round for hundreds of releases, the right outcome for every id, and the
//! same answers as asking each release (paused clock, manual task timing).

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use dataarts_emulator::{JournalEntry, RunningEmulator};
use dataarts_release::{Client, Deployment, Error, Operation, Progress, ReleaseOutcome};

/// Polls exactly every 10 s (jitter only shortens the interval, never below 8 s).
fn every_10s(d: &Deployment) -> dataarts_release::WaitForDeployment<'static> {
    d.wait()
        .poll_interval(Duration::from_secs(10))
        .max_poll_interval(Duration::from_secs(10))
}

fn seeded(from: usize, n: usize) -> Vec<String> {
    (from..from + n).map(|k| k.to_string()).collect()
}

async fn released(c: &Client, ids: &[String]) -> Deployment {
    let report = c
        .deploy_all(ids.iter().cloned())
        .start_jobs(false)
        .send()
        .await
        .unwrap();
    assert_eq!(report.released().len(), ids.len());
    report.deployment()
}

/// The journal entries after the first `from`.
fn since(emu: &RunningEmulator, from: usize) -> Vec<JournalEntry> {
    emu.journal().into_iter().skip(from).collect()
}

fn count(entries: &[JournalEntry], op: Operation) -> usize {
    entries.iter().filter(|e| e.operation == Some(op)).count()
}

/// No package of the emulator was released more than once.
fn released_at_most_once(emu: &RunningEmulator) {
    let twice = emu.released_more_than_once();
    assert!(twice.is_empty(), "released more than once: {twice:?}");
}

#[tokio::test(start_paused = true)]
async fn three_hundred_releases_some_failing_cost_a_few_list_requests_per_round() {
    let emu = emulator_with(|b| b.seed_packages(300)).await;
    let c = client(&emu);
    let ids = seeded(1000, 300);
    let failing: HashSet<String> = ids.iter().step_by(7).cloned().collect();
    for id in &failing {
        emu.fail_release_of(id);
    }
    let d = released(&c, &ids).await;
    let before = emu.journal().len();

    // Round 1 at 0 s: all still releasing. Tasks end at 5 s. Round 2 at 8 to 10 s.
    let driver = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        emu.advance_tasks();
    };
    let (results, ()) = tokio::join!(every_10s(&d).send(), driver);
    let results = results.unwrap();

    assert_eq!(results.len(), 300);
    for (r, id) in results.iter().zip(&ids) {
        assert_eq!(
            r.package_id.as_str(),
            id,
            "results keep the deployment's order"
        );
        let want = if failing.contains(id) {
            ReleaseOutcome::Failed
        } else {
            ReleaseOutcome::Succeeded
        };
        assert_eq!(r.outcome, want, "{id}");
        assert!(
            r.task.is_none() && r.package.is_some(),
            "{id} read from the list"
        );
    }
    let wait = since(&emu, before);
    let lists = count(&wait, Operation::ListFactoryReleasePackages);
    // Round 1: 3 pages of releasing packages. Round 2: 1 (empty) releasing page, 3 pages of
    // released and failed ones. Perhaps one more to learn what `offset` counts.
    assert_eq!(lists, wait.len(), "only list requests: {wait:?}");
    assert!((7..=8).contains(&lists), "{lists} list requests");
    released_at_most_once(&emu);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn packages_with_and_without_a_task_id_are_both_read_in_bulk() {
    let emu = emulator_with(|b| b.seed_packages(250)).await;
    let c = client(&emu);
    let with_task = seeded(1000, 150);
    let without = seeded(1150, 100);
    let mut d = released(&c, &with_task).await;
    // Released by someone else: only the ids are known here.
    released(&c, &without).await;
    d.packages
        .extend(c.track_releases(without.iter().cloned()).packages);
    assert_eq!(d.task_ids().len(), 150);
    emu.advance_tasks();

    let before = emu.journal().len();
    let mut finished = Vec::new();
    let results = every_10s(&d)
        .on_progress(|p: &Progress| {
            if p.finished {
                finished.push((p.package_id.clone().unwrap(), p.outcome));
                assert_eq!((p.completed, p.total), (1, 1));
                assert_eq!(p.overall_completed, finished.len(), "counted one by one");
                assert_eq!(p.overall_total, 250);
            }
        })
        .await
        .unwrap();
    assert_eq!(results.len(), 250);
    assert!(results
        .iter()
        .all(|r| r.outcome == ReleaseOutcome::Succeeded));
    assert_eq!(
        finished.len(),
        250,
        "every release reported once as it ended"
    );
    assert!(finished
        .iter()
        .all(|(_, o)| *o == Some(ReleaseOutcome::Succeeded)));
    // One round: 1 releasing page (empty), 3 pages of released packages.
    let wait = since(&emu, before);
    assert_eq!(
        count(&wait, Operation::ListFactoryReleasePackages),
        wait.len()
    );
    assert!((4..=5).contains(&wait.len()), "{wait:?}");
    released_at_most_once(&emu);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_timeout_in_bulk_mode_reports_the_finished_ones_and_names_the_open_ones() {
    let emu = emulator_with(|b| b.seed_packages(181)).await;
    let c = client(&emu);
    let first = seeded(1000, 100);
    let later = seeded(1100, 80);
    let mut d = released(&c, &first).await;
    emu.advance_tasks();
    d.packages.extend(released(&c, &later).await.packages);
    // Awaiting review, then revoked while waited for: it can never end.
    d.packages.extend(c.track_releases(["1180"]).packages);

    let mut seen = Vec::new();
    let wait = every_10s(&d)
        .timeout(Duration::from_secs(60))
        .on_progress(|p: &Progress| seen.push(p.clone()));
    let revoke = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        c.cancel_packages(["1180"]).await.unwrap();
    };
    let (result, ()) = tokio::join!(wait.send(), revoke);
    match result.unwrap_err() {
        Error::WaitTimeout {
            what, last_status, ..
        } => {
            assert_eq!(what, "81 package release(s)");
            assert!(
                last_status.starts_with("1100: releasing, 1101: releasing"),
                "{last_status}"
            );
            assert!(last_status.ends_with(" and 61 more"), "{last_status}");
        }
        other => panic!("{other:?}"),
    }
    let finished: HashSet<String> = seen
        .iter()
        .filter(|p| p.finished && p.outcome == Some(ReleaseOutcome::Succeeded))
        .map(|p| p.package_id.clone().unwrap().to_string())
        .collect();
    assert_eq!(finished, first.iter().cloned().collect::<HashSet<_>>());
    let last = seen.last().unwrap();
    assert_eq!((last.overall_completed, last.overall_total), (100, 181));

    // The revoked one was read on its own and shows as revoked.
    let e = every_10s(&c.track_releases(["1180"]))
        .timeout(Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { last_status, .. } if last_status == "1180: revoked"),
        "{e:?}"
    );
    released_at_most_once(&emu);
    assert_eq!(emu.release_count("1180"), 0);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_package_gone_during_a_bulk_wait_ends_it_as_a_per_release_wait_would() {
    let emu = emulator_with(|b| b.seed_packages(100)).await;
    let c = client(&emu);
    let ids = seeded(1000, 100);
    let mut d = released(&c, &ids).await;
    d.packages.extend(c.track_releases(["99999"]).packages);
    emu.advance_tasks();

    let before = emu.journal().len();
    let mut finished = 0;
    let e = every_10s(&d)
        .on_progress(|p: &Progress| finished += usize::from(p.finished))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(finished, 100, "the others' outcomes were reported before");
    // 1 releasing page, 1 page of released ones, then the missing id on its own.
    let wait = since(&emu, before);
    assert_eq!(count(&wait, Operation::ShowFactoryPackageDetail), 1);
    assert!((3..=4).contains(&wait.len()), "{wait:?}");
    released_at_most_once(&emu);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_workspace_crowded_with_other_releases_makes_per_release_polling_cheaper() {
    let emu = emulator_with(|b| b.seed_packages(605)).await;
    let c = client(&emu);
    released(&c, &seeded(1000, 600)).await;
    let ours = seeded(1600, 5);
    let d = released(&c, &ours).await;

    let before = emu.journal().len();
    let driver = async {
        tokio::time::sleep(Duration::from_secs(15)).await;
        emu.advance_tasks();
    };
    let (results, ()) = tokio::join!(every_10s(&d).send(), driver);
    let results = results.unwrap();
    assert!(results.iter().all(|r| r.task.is_some()), "read per task");
    // Round 1 reads the list (ours are the newest: found on its first page) and learns that
    // 605 are releasing: 7 pages a round. Five task reads are cheaper from round 2 on.
    let wait = since(&emu, before);
    let lists = count(&wait, Operation::ListFactoryReleasePackages);
    assert!((1..=2).contains(&lists), "{wait:?}");
    assert_eq!(count(&wait, Operation::ListSystemTasks), wait.len() - lists);
    assert_eq!((wait.len() - lists) % 5, 0);
    released_at_most_once(&emu);
    emu.shutdown().await;
}

/// A list answer: `(package id, deploy_status)` pairs, and the total.
fn listed(items: &[(&str, i32)], total: usize) -> Reply {
    let data: Vec<String> = items
        .iter()
        .map(|(id, status)| {
            format!(
                r#"{{"package_id":"{id}","deploy_status":{status},"deploy_timestamp":1700000000000,"delete_flag":0,"package_approvers":[]}}"#
            )
        })
        .collect();
    json(
        200,
        &format!(r#"{{"data":[{}],"total":{total}}}"#, data.join(",")),
    )
}

fn task_id(n: u8) -> String {
    format!("ff8080818c81c8ab018c8b43f85d000{n}")
}

#[tokio::test(start_paused = true)]
async fn an_id_the_lists_miss_is_read_on_its_own_and_foreign_ids_are_never_reported() {
    let deployed: Vec<String> = (1..=3)
        .map(|n| {
            format!(
                r#"{{"asy_subtask_num":1,"asy_task_id":"{}","package_id":{n}}}"#,
                task_id(n)
            )
        })
        .collect();
    let running = format!(
        r#"{{"id":"{}","status":"RUNNING","subTasks":[]}}"#,
        task_id(3)
    );
    let s = scripted(vec![
        json(
            200,
            &format!(r#"{{"deploy_package_details":[{}]}}"#, deployed.join(",")),
        ),
        // Round 1: 3 is missing from the releasing list (as if shifted past while paging) and
        // from the ended ones, where someone else's 777 is.
        listed(&[("1", 5), ("2", 5)], 2),
        listed(&[("777", 2)], 1),
        json(200, &running),
        // Round 2: all three ended; 3 failed.
        listed(&[], 0),
        listed(&[("3", 3), ("777", 2), ("2", 2), ("1", 2)], 4),
    ])
    .await;
    let c = scripted_client(&s);
    let d = c.deploy(["1", "2", "3"]).send().await.unwrap();
    let mut reported = Vec::new();
    let results = d
        .wait()
        .on_progress(|p: &Progress| reported.push(p.package_id.clone().unwrap().to_string()))
        .await
        .unwrap();
    let outcomes: Vec<(&str, ReleaseOutcome)> = results
        .iter()
        .map(|r| (r.package_id.as_str(), r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("1", ReleaseOutcome::Succeeded),
            ("2", ReleaseOutcome::Succeeded),
            ("3", ReleaseOutcome::Failed)
        ]
    );
    assert!(!reported.contains(&"777".to_string()), "{reported:?}");
    let requests = s.all();
    assert_eq!(requests.len(), 6, "deploy, 3 in round 1, 2 in round 2");
    assert!(
        requests[3]
            .target
            .ends_with(&format!("/system-tasks/{}", task_id(3))),
        "only 3 is read on its own: {}",
        requests[3].target
    );
}

#[tokio::test(start_paused = true)]
async fn a_listing_that_cannot_be_understood_concludes_nothing_and_three_in_a_row_end_bulk_reads() {
    let deployed: Vec<String> = (1..=3)
        .map(|n| {
            format!(
                r#"{{"asy_subtask_num":1,"asy_task_id":"{}","package_id":{n}}}"#,
                task_id(n)
            )
        })
        .collect();
    let done = |n: u8| {
        json(
            200,
            &format!(
                r#"{{"id":"{}","status":"SUCCESSFUL","subTasks":[]}}"#,
                task_id(n)
            ),
        )
    };
    let garbled = json(200, r#"{"data":"not a list","total":3}"#);
    let s = scripted(vec![
        json(
            200,
            &format!(r#"{{"deploy_package_details":[{}]}}"#, deployed.join(",")),
        ),
        garbled.clone(),
        garbled.clone(),
        garbled,
        done(1),
        done(2),
        done(3),
    ])
    .await;
    let c = scripted_client(&s);
    let d = c.deploy(["1", "2", "3"]).send().await.unwrap();
    let results = d.wait().await.unwrap();
    assert!(results
        .iter()
        .all(|r| r.outcome == ReleaseOutcome::Succeeded && r.task.is_some()));
    let targets: Vec<String> = s.all().into_iter().map(|r| r.target).collect();
    assert_eq!(targets.len(), 7, "{targets:#?}");
    assert!(
        targets[1..4]
            .iter()
            .all(|t| t.ends_with("/release-packages")),
        "{targets:#?}"
    );
    assert!(
        targets[4..].iter().all(|t| t.contains("/system-tasks/")),
        "{targets:#?}"
    );
}
