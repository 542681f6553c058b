//! What every wait reports: progress, outcomes, and the setters the public waits share.
//!
//! The waits themselves live next to their operations (`ops::tasks`, `ops::deploy::wait`)
//! and run on the one poll loop in [`crate::waiter`].

use std::collections::HashSet;

use crate::error::Error;
use crate::ids::{PackageId, TaskId};
use crate::model::{DeployStatus, ReleasePackage, SubTask, SystemTask, TaskStatus};
use crate::waiter::WaitError;

/// A progress report: subtasks that finished since the last report, and totals.
///
/// ```
/// # fn f(p: &dataarts_release::Progress) {
/// println!("{}/{} subtasks done", p.overall_completed, p.overall_total);
/// for s in &p.newly_completed { println!("done: {:?} {}", s.name, s.status); }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Progress {
    /// The package this report is about, when known.
    pub package_id: Option<PackageId>,
    /// The task this report is about, when known.
    pub task_id: Option<TaskId>,
    /// Subtasks that reached a final state since the previous report.
    pub newly_completed: Vec<SubTask>,
    /// Finished subtasks of this task (or 1 for a finished package without a task).
    pub completed: usize,
    /// Total subtasks of this task, as far as known.
    pub total: usize,
    /// True when this task (or package release) has finished.
    pub finished: bool,
    /// How it ended, once `finished`.
    pub outcome: Option<ReleaseOutcome>,
    /// Finished units over everything being waited for.
    pub overall_completed: usize,
    /// Total units over everything being waited for.
    pub overall_total: usize,
}

/// How a package's release ended.
///
/// ```
/// assert_ne!(dataarts_release::ReleaseOutcome::Succeeded, dataarts_release::ReleaseOutcome::Failed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseOutcome {
    /// Released successfully (`SUCCESSFUL`, or `deploy_status` 2).
    Succeeded,
    /// The release failed (`FAILED`, or `deploy_status` 3).
    Failed,
}

impl ReleaseOutcome {
    /// The outcome a final task status stands for.
    pub(crate) fn of_task(status: &TaskStatus) -> Self {
        if *status == TaskStatus::Successful {
            Self::Succeeded
        } else {
            Self::Failed
        }
    }

    /// The outcome a final `deploy_status` stands for.
    pub(crate) fn of_package(status: Option<DeployStatus>) -> Self {
        if status == Some(DeployStatus::Succeeded) {
            Self::Succeeded
        } else {
            Self::Failed
        }
    }
}

/// The end of one package's release.
///
/// ```
/// # fn f(r: &dataarts_release::ReleaseResult) { println!("{} {:?}", r.package_id, r.outcome); }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ReleaseResult {
    /// The package.
    pub package_id: PackageId,
    /// How it ended.
    pub outcome: ReleaseOutcome,
    /// The final system task with its subtasks, when the release was followed through its
    /// task (a small deployment with task ids).
    pub task: Option<SystemTask>,
    /// The package as read at its end, when the release was followed through its package:
    /// "show package" (no task id) or, for a large deployment, the package list.
    pub package: Option<ReleasePackage>,
}

/// Tracks which subtasks were already reported.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    reported: HashSet<String>,
    pub(crate) completed: usize,
    pub(crate) total: usize,
}

impl Tracker {
    /// A tracker expecting `total` units before anything was polled.
    pub(crate) fn expecting(total: usize) -> Self {
        Self {
            total,
            ..Self::default()
        }
    }

    /// Updates from a task; returns the subtasks that finished since last time.
    pub(crate) fn update(&mut self, task: &SystemTask, hint: Option<u32>) -> Vec<SubTask> {
        let mut new = Vec::new();
        for (i, s) in task.subtasks.iter().enumerate() {
            let key = s.id.clone().unwrap_or_else(|| format!("#{i}"));
            if s.status.is_final() && self.reported.insert(key) {
                new.push(s.clone());
            }
        }
        self.completed = self.reported.len();
        self.total = task
            .subtasks
            .len()
            .max(hint.unwrap_or(0) as usize)
            .max(self.completed);
        if task.status.is_final() && self.total == 0 {
            self.total = 1;
            self.completed = 1;
        }
        new
    }
}

/// A package's `deploy_status` in words, for timeout messages.
pub(crate) fn package_status(status: Option<DeployStatus>) -> String {
    status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "none".into())
}

/// The public error for a wait that ended without its result.
pub(crate) fn wait_error(what: impl FnOnce() -> String, e: WaitError<Error>) -> Error {
    match e {
        WaitError::Failed(e) => e,
        WaitError::TimedOut {
            waited,
            last_status,
        } => Error::WaitTimeout {
            what: what(),
            waited,
            last_status,
        },
    }
}

/// The polling setters every public wait has (`timeout`, `poll_interval`,
/// `max_poll_interval`); the type needs a `polling: Polling` field.
macro_rules! polling_setters {
    () => {
        /// Gives up after this long (default 30 minutes) with [`Error::WaitTimeout`](crate::Error::WaitTimeout).
        ///
        /// ```no_run
        /// # async fn f(c: dataarts_release::Client) -> dataarts_release::Result<()> {
        /// let task = c.wait_for_task("ff8080818c81c8ab018c8b43f85d0008")
        ///     .timeout(std::time::Duration::from_secs(600)).await?;
        /// # Ok(()) }
        /// ```
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.polling.timeout = timeout;
            self
        }

        /// The first polling interval (default 1 s); it grows ×1.5 per poll with jitter.
        ///
        /// ```no_run
        /// # fn f(c: &dataarts_release::Client) {
        /// let _ = c.wait_for_task("t").poll_interval(std::time::Duration::from_millis(200));
        /// # }
        /// ```
        pub fn poll_interval(mut self, interval: std::time::Duration) -> Self {
            self.polling.initial = interval;
            self
        }

        /// The longest polling interval (default 15 s).
        ///
        /// ```no_run
        /// # fn f(c: &dataarts_release::Client) {
        /// let _ = c.wait_for_task("t").max_poll_interval(std::time::Duration::from_secs(5));
        /// # }
        /// ```
        pub fn max_poll_interval(mut self, interval: std::time::Duration) -> Self {
            self.polling.max = interval;
            self
        }
    };
}
pub(crate) use polling_setters;
