//! Waiting for many releases: release `n` seeded packages with `deploy_all`, wait for them
//! with [`Deployment::wait`] (bulk reads from the package list), and measure how long after
//! the last release finished on the emulator the wait returned, and how many requests it
//! sent. The baseline is the wait as it was before (each release task read in turn every
//! round, same client, same intervals), run in the same process on packages of its own.
//!
//! Used by `cargo run --release -p dataarts-bench --bin wait_scale` and, on a few dozen ids,
//! by the smoke test `bench/tests/wait_scale.rs`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dataarts_emulator::{Emulator, RateLimits, RunningEmulator, TaskTiming};
use dataarts_release::{Client, Deployment, Operation, ReleaseOutcome, TaskId, DEFAULT_RATE_LIMIT};

use crate::{wrapper_client, AK, FIRST_SEEDED_ID, SK};

/// Which wait to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// [`Deployment::wait`] as the library does it now.
    Library,
    /// The earlier wait: every open release task read in turn, every round.
    PerTask,
}

/// One measured wait.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The wait measured.
    pub mode: Mode,
    /// Releases waited for.
    pub ids: usize,
    /// Time `deploy_all` took.
    pub deploy: Duration,
    /// Time from the start of the wait until it returned.
    pub wait: Duration,
    /// Time from the last release finishing on the emulator until the wait returned.
    pub after_last_finish: Duration,
    /// Requests the wait sent, by operation: (list packages, read task, show package, other).
    pub requests: (usize, usize, usize, usize),
    /// Requests of the wait answered 429.
    pub throttled: usize,
    /// Releases that ended released (the rest failed).
    pub succeeded: usize,
}

impl Measured {
    /// Every request the wait sent.
    pub fn total_requests(&self) -> usize {
        let (a, b, c, d) = self.requests;
        a + b + c + d
    }

    /// One line for the report.
    pub fn line(&self) -> String {
        let (list, task, show, other) = self.requests;
        format!(
            "WAIT mode={:?} ids={} deploy={:.2}s wait={:.2}s after_last_finish={:.2}s requests={} (list {list}, task {task}, show {show}, other {other}) 429s={} succeeded={}",
            self.mode,
            self.ids,
            self.deploy.as_secs_f64(),
            self.wait.as_secs_f64(),
            self.after_last_finish.as_secs_f64(),
            self.total_requests(),
            self.throttled,
            self.succeeded,
        )
    }
}

/// Starts an emulator with `packages` seeded packages, the bench AK/SK, the given rate
/// limits and its default task timing (300 ms per subtask; one subtask per seeded package).
///
/// # Errors
///
/// When the emulator cannot start.
pub async fn emulator(packages: usize, limits: RateLimits) -> anyhow::Result<RunningEmulator> {
    Ok(Emulator::builder()
        .demo()
        .aksk(AK, SK)
        .seed_packages(packages)
        .rate_limits(limits)
        .task_timing(TaskTiming::default())
        .start()
        .await?)
}

/// Releases the seeded packages `first .. first + n` and measures one wait for them.
///
/// # Errors
///
/// A failed release, a failed wait, or a release time the emulator did not report.
pub async fn measure(
    emu: &RunningEmulator,
    first: usize,
    n: usize,
    mode: Mode,
) -> anyhow::Result<Measured> {
    let client = wrapper_client(&emu.url(), Some(DEFAULT_RATE_LIMIT))?;
    let ids: Vec<String> = (first..first + n).map(|k| k.to_string()).collect();
    let started = Instant::now();
    let report = client
        .deploy_all(ids.iter().cloned())
        .start_jobs(false)
        .send()
        .await?;
    anyhow::ensure!(report.all_released(), "not every package was released");
    let deploy = started.elapsed();
    let deployment = report.deployment();

    let mark = emu.journal().len();
    let waiting = Instant::now();
    let outcomes = match mode {
        Mode::Library => deployment
            .wait()
            .await?
            .into_iter()
            .map(|r| r.outcome)
            .collect(),
        Mode::PerTask => per_task_wait(&client, &deployment).await?,
    };
    let wait = waiting.elapsed();
    let returned = epoch_ms(SystemTime::now());
    let journal: Vec<_> = emu.journal().into_iter().skip(mark).collect();
    anyhow::ensure!(
        outcomes.len() == n,
        "{} outcomes for {n} ids",
        outcomes.len()
    );

    let last_finish = last_finish(&client, &deployment).await?;
    let of = |op| journal.iter().filter(|e| e.operation == Some(op)).count();
    let list = of(Operation::ListFactoryReleasePackages);
    let task = of(Operation::ListSystemTasks);
    let show = of(Operation::ShowFactoryPackageDetail);
    Ok(Measured {
        mode,
        ids: n,
        deploy,
        wait,
        after_last_finish: Duration::from_millis(
            u64::try_from(returned - last_finish).unwrap_or(0),
        ),
        requests: (list, task, show, journal.len() - list - task - show),
        throttled: journal.iter().filter(|e| e.status == 429).count(),
        succeeded: outcomes
            .iter()
            .filter(|o| **o == ReleaseOutcome::Succeeded)
            .count(),
    })
}

fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// When the last release finished: the latest `end_time` of the release tasks of the last
/// request (releases start in request order and all take the same time). Read after the
/// wait, so it is not counted.
async fn last_finish(client: &Client, d: &Deployment) -> anyhow::Result<i64> {
    let tail: Vec<&TaskId> = d.task_ids().into_iter().rev().take(3).collect();
    let mut last = None;
    for t in tail {
        let task = client.system_task(t.clone()).await?;
        let end = task
            .end_time
            .ok_or_else(|| anyhow::anyhow!("task {t} has no end time"))?;
        last = last.max(Some(end.millis()));
    }
    last.ok_or_else(|| anyhow::anyhow!("no release task"))
}

/// The wait as it was: each open release task read in turn every round, the first round at
/// once, then after 1 s, growing ×1.5 up to 15 s (no jitter: the baseline's best case).
async fn per_task_wait(client: &Client, d: &Deployment) -> anyhow::Result<Vec<ReleaseOutcome>> {
    let mut outcomes: Vec<Option<ReleaseOutcome>> = vec![None; d.packages.len()];
    let mut interval = Duration::from_secs(1);
    loop {
        for (i, p) in d.packages.iter().enumerate() {
            if outcomes[i].is_some() {
                continue;
            }
            let t = p
                .task_id
                .clone()
                .ok_or_else(|| anyhow::anyhow!("{} has no task id", p.package_id))?;
            let task = client.system_task(t).await?;
            if task.status.is_final() {
                outcomes[i] = Some(if task.status == dataarts_release::TaskStatus::Successful {
                    ReleaseOutcome::Succeeded
                } else {
                    ReleaseOutcome::Failed
                });
            }
        }
        if outcomes.iter().all(Option::is_some) {
            return Ok(outcomes.into_iter().flatten().collect());
        }
        tokio::time::sleep(interval).await;
        interval = interval.mul_f64(1.5).min(Duration::from_secs(15));
    }
}

/// Seeded package ids start here; each measurement takes the next `n`.
pub const FIRST: usize = FIRST_SEEDED_ID;
