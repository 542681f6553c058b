//! Waits own what they need (they can be returned and spawned), and run on tokio's clock:
//! these tests use the default polling intervals on a paused clock and take no real time.

mod common;

use std::future::IntoFuture;
use std::time::Duration;

use common::*;
use dataarts_release::{
    Client, DeployStatus, Deployment, Error, ReleaseOutcome, TaskStatus, WaitForDeployment,
    WaitForPackage, WaitForTask,
};

/// A wait returned from a helper outlives the deployment it was made from.
fn track(c: &Client, package_id: String) -> WaitForDeployment<'_> {
    let deployment = c.track_releases([package_id]);
    deployment.wait()
}

/// With no borrowed progress callback a wait is `'static`: it can be spawned.
fn wait_for(d: &Deployment) -> WaitForDeployment<'static> {
    d.wait().timeout(Duration::from_secs(3600))
}

fn wait_for_task(c: &Client, task_id: &str) -> WaitForTask<'static> {
    c.wait_for_task(task_id)
}

fn wait_for_package(c: &Client, package_id: &str) -> WaitForPackage {
    c.wait_for_package(package_id)
}

/// Advances the emulator's tasks every 10 virtual seconds until told to stop.
async fn drive(emu: &dataarts_emulator::RunningEmulator, rounds: usize) {
    for _ in 0..rounds {
        tokio::time::sleep(Duration::from_secs(10)).await;
        emu.advance_tasks();
    }
}

#[tokio::test(start_paused = true)]
async fn waits_can_be_returned_from_helpers_and_spawned() {
    let emu = emulator().await;
    let c = client(&emu);
    let d = c
        .deploy(["12", "23"])
        .start_jobs(false)
        .send()
        .await
        .unwrap();
    let task_id = d.packages[0].task_id.clone().unwrap();

    let deployment = tokio::spawn(wait_for(&d).into_future());
    let task = tokio::spawn(wait_for_task(&c, task_id.as_str()).into_future());
    let package = tokio::spawn(wait_for_package(&c, "23").into_future());
    let tracked = tokio::spawn(wait_for(&c.track_releases(["12"])).into_future());
    // Nothing the spawned waits use is borrowed from here.
    drop(d);
    drop(c);

    let real = std::time::Instant::now();
    drive(&emu, 3).await;
    let results = deployment.await.unwrap().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results
        .iter()
        .all(|r| r.outcome == ReleaseOutcome::Succeeded));
    assert_eq!(task.await.unwrap().unwrap().status, TaskStatus::Successful);
    let tracked = tracked.await.unwrap().unwrap();
    assert_eq!(tracked[0].outcome, ReleaseOutcome::Succeeded);
    assert_eq!(
        tracked[0].package.as_ref().unwrap().deploy_status,
        Some(DeployStatus::Succeeded)
    );
    assert_eq!(
        package.await.unwrap().unwrap().deploy_status,
        Some(DeployStatus::Succeeded)
    );
    assert!(
        real.elapsed() < Duration::from_secs(10),
        "{:?}",
        real.elapsed()
    );
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn progress_may_borrow_locals_and_counts_every_subtask_once() {
    let emu = emulator().await;
    let c = client(&emu);
    let d = c
        .deploy(["12", "23"])
        .start_jobs(false)
        .send()
        .await
        .unwrap();
    let mut seen = Vec::new();
    let wait = d.wait().on_progress(|p| seen.push(p.clone()));
    let (results, ()) = tokio::join!(wait.send(), drive(&emu, 3));
    assert_eq!(results.unwrap().len(), 2);
    let last = seen.last().unwrap();
    assert_eq!((last.overall_completed, last.overall_total), (3, 3));
    let reported: usize = seen.iter().map(|p| p.newly_completed.len()).sum();
    assert_eq!(reported, 3, "{seen:?}");
    assert_eq!(seen.iter().filter(|p| p.finished).count(), 2);
    let tracked = track(&c, "12".to_string()).await.unwrap();
    assert_eq!(tracked[0].outcome, ReleaseOutcome::Succeeded);
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_deployment_that_never_ends_times_out_with_each_open_status() {
    let emu = emulator().await;
    let c = client(&emu);
    let d = c
        .deploy(["12", "23"])
        .start_jobs(false)
        .send()
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let real = std::time::Instant::now();
    let e = d
        .wait()
        .timeout(Duration::from_secs(30 * 60))
        .await
        .unwrap_err();
    match &e {
        Error::WaitTimeout {
            what,
            waited,
            last_status,
        } => {
            assert_eq!(what, "2 package release(s)");
            assert_eq!(*waited, Duration::from_secs(30 * 60));
            assert_eq!(last_status, "12: RUNNING, 23: RUNNING");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed(), Duration::from_secs(30 * 60));
    assert!(
        real.elapsed() < Duration::from_secs(10),
        "{:?}",
        real.elapsed()
    );
    // Polled at default intervals (1 s, ×1.5 with jitter, at most 15 s): far fewer polls
    // than seconds.
    let polls = emu.journal().len() - 1;
    assert!((2 * 100..2 * 200).contains(&polls), "{polls} polls");
    emu.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn package_and_task_waits_time_out_with_the_last_status() {
    let emu = emulator().await;
    let c = client(&emu);
    let e = c
        .wait_for_package("13")
        .timeout(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { what, last_status, .. }
            if what == "package 13" && last_status == "awaiting review"),
        "{e:?}"
    );

    let d = c.deploy(["13"]).send().await.unwrap();
    let task_id = d.packages[0].task_id.clone().unwrap();
    let e = c
        .wait_for_task(task_id.clone())
        .timeout(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::WaitTimeout { what, last_status, .. }
            if *what == format!("system task {task_id}") && last_status == "RUNNING"),
        "{e:?}"
    );
    emu.shutdown().await;
}

const TASK_ID: &str = "ff8080818c81c8ab018c8b43f85d0008";

fn task(status: &str, subtask: &str) -> Reply {
    json(
        200,
        &format!(
            r#"{{"id":"{TASK_ID}","status":"{status}","subTasks":[{{"id":"s1","status":"{subtask}"}}]}}"#
        ),
    )
}

fn not_found() -> Reply {
    json(
        400,
        r#"{"error_code":"DLF.0810","error_msg":"Task does not exist."}"#,
    )
}

#[tokio::test(start_paused = true)]
async fn a_release_task_may_stay_invisible_for_a_while_after_the_deploy() {
    let s = scripted(vec![
        json(200, DEPLOY_OK),
        not_found(),
        not_found(),
        task("RUNNING", "RUNNING"),
        task("SUCCESSFUL", "SUCCESSFUL"),
    ])
    .await;
    let c = scripted_client(&s);
    let d = c.deploy(["23"]).send().await.unwrap();
    let results = d.wait().await.unwrap();
    assert_eq!(results[0].outcome, ReleaseOutcome::Succeeded);
    assert_eq!(s.count(), 5);

    // Past the grace period, "does not exist" ends the wait.
    let s = scripted(vec![json(200, DEPLOY_OK), not_found()]).await;
    let d = scripted_client(&s).deploy(["23"]).send().await.unwrap();
    let started = tokio::time::Instant::now();
    let e = d.wait().await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(50),
        "{waited:?}"
    );

    // A task wait has no grace: the id was given, not just returned by a deploy.
    let s = scripted(vec![not_found()]).await;
    let e = scripted_client(&s)
        .wait_for_task(TASK_ID)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(s.count(), 1);
}
