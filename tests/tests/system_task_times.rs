//! The wrapper reads system tasks the same whether the service writes their times as JSON
//! numbers (as documented) or as numeric strings (as the official Go and Java SDKs declare
//! them): the emulator's two `--system-task-times` formats.

use std::time::Duration;

use dataarts_emulator::{Emulator, RateLimits, RunningEmulator, SystemTaskTimes, TaskTiming};
use dataarts_emulator::{DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_WORKSPACE_ID};
use dataarts_release::{Client, Credentials, ReleaseOutcome, TaskStatus};

async fn emulator(times: SystemTaskTimes) -> RunningEmulator {
    Emulator::builder()
        .demo()
        .task_timing(TaskTiming::Auto {
            subtask: Duration::from_millis(20),
        })
        .rate_limits(RateLimits::disabled())
        .system_task_times(times)
        .start()
        .await
        .expect("emulator starts")
}

fn client(emu: &RunningEmulator) -> Client {
    Client::builder()
        .endpoint(emu.url())
        .project_id(DEMO_PROJECT_ID)
        .workspace(DEMO_WORKSPACE_ID)
        .credentials(Credentials::aksk(DEMO_AK, DEMO_SK))
        .rate_limit(None)
        .total_timeout(Duration::from_secs(30))
        .build()
        .expect("client builds")
}

/// What a deploy-and-wait of packages 12 and 23 reports, without the run-specific ids and
/// times: (package, outcome, task status, subtasks, finished subtasks, has all times).
async fn deploy_and_wait(
    times: SystemTaskTimes,
) -> Vec<(String, bool, String, usize, usize, bool)> {
    let emu = emulator(times).await;
    // The emulator really answers in that format (the wrapper must not be reading numbers).
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/v1/{DEMO_PROJECT_ID}/system-tasks/008aae2e675d3bcb01675d40ab3f0005",
            emu.url()
        ))
        .header("X-Auth-Token", dataarts_emulator::DEMO_TOKEN)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    match times {
        SystemTaskTimes::Number => assert!(raw["startTime"].is_i64(), "{raw}"),
        SystemTaskTimes::String => assert!(raw["startTime"].is_string(), "{raw}"),
    }

    let c = client(&emu);
    let deployment = c
        .deploy(["12", "23"])
        .start_jobs(false)
        .send()
        .await
        .unwrap();
    let results = deployment.wait().await.unwrap();
    let mut summary = Vec::new();
    for r in results {
        let task = r
            .task
            .expect("the wait followed the release through its task");
        let all_times = task.start_time.is_some()
            && task.end_time.is_some()
            && task.last_update.is_some()
            && task
                .subtasks
                .iter()
                .all(|s| s.start_time.is_some() && s.end_time.is_some() && s.last_update.is_some());
        // Reading the task again gives the same task.
        assert_eq!(c.system_task(task.id.as_str()).await.unwrap(), task);
        summary.push((
            r.package_id.to_string(),
            r.outcome == ReleaseOutcome::Succeeded,
            task.status.to_string(),
            task.subtasks.len(),
            task.completed_subtasks(),
            all_times,
        ));
    }
    summary.sort();
    emu.shutdown().await;
    summary
}

#[tokio::test]
async fn deploy_and_wait_is_the_same_in_both_formats() {
    let numbers = deploy_and_wait(SystemTaskTimes::Number).await;
    let strings = deploy_and_wait(SystemTaskTimes::String).await;
    assert_eq!(
        numbers,
        vec![
            ("12".to_string(), true, "SUCCESSFUL".to_string(), 2, 2, true),
            ("23".to_string(), true, "SUCCESSFUL".to_string(), 1, 1, true),
        ]
    );
    assert_eq!(strings, numbers);
}

#[tokio::test]
async fn one_task_read_in_both_formats_is_equal() {
    let emu = emulator(SystemTaskTimes::Number).await;
    let c = client(&emu);
    let documented = "008aae2e675d3bcb01675d40ab3f0005";
    let as_numbers = c.system_task(documented).await.unwrap();
    emu.set_system_task_times(SystemTaskTimes::String);
    let as_strings = c.system_task(documented).await.unwrap();
    assert_eq!(as_strings, as_numbers);
    assert_eq!(as_strings.status, TaskStatus::Successful);
    assert_eq!(
        as_strings.start_time.map(|t| t.millis()),
        Some(1_544_777_081_000)
    );
    assert_eq!(
        as_strings.subtasks[0].last_update.map(|t| t.millis()),
        Some(1_544_777_083_000)
    );
    emu.shutdown().await;
}
