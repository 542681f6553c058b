//! Waiting for releases: polling system tasks or packages with backoff and jitter.

use std::collections::HashSet;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, Instant};

use rand::Rng;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{PackageId, TaskId};
use crate::model::{DeployStatus, ReleasePackage, SubTask, SystemTask, TaskStatus};
use crate::ops::deploy::Deployment;
use crate::validate;

/// How often and how long to poll.
#[derive(Debug, Clone, Copy)]
struct Polling {
    timeout: Duration,
    initial: Duration,
    max: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30 * 60),
            initial: Duration::from_secs(1),
            max: Duration::from_secs(15),
        }
    }
}

impl Polling {
    /// The next interval: ×1.5, capped, with ±20 % jitter.
    fn next(&self, current: Duration) -> Duration {
        let cap = self.max.max(Duration::from_millis(1));
        let grow =
            |d: Duration, f: f64| Duration::try_from_secs_f64(d.as_secs_f64() * f).unwrap_or(cap);
        let grown = grow(current, 1.5).min(cap).max(Duration::from_millis(1));
        let factor = rand::rng().random_range(0.8..=1.2);
        grow(grown, factor).min(cap)
    }

    /// The moment to give up (far in the future for huge timeouts).
    fn deadline(&self, started: Instant) -> Instant {
        deadline_after(started, self.timeout)
    }
}

/// How long a release task may stay invisible ("does not exist") after the deploy.
const NOT_FOUND_GRACE: Duration = Duration::from_secs(30);

/// `start + d`, saturating at roughly a century.
pub(crate) fn deadline_after(start: Instant, d: Duration) -> Instant {
    start
        .checked_add(d)
        .or_else(|| start.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(start)
}

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

type ProgressFn<'a> = Box<dyn FnMut(&Progress) + Send + 'a>;

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
    fn of_task(status: &TaskStatus) -> Self {
        if *status == TaskStatus::Successful {
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
    /// The final system task with its subtasks, when the release task id was known.
    pub task: Option<SystemTask>,
    /// The package as read back, when it was polled through "show package".
    pub package: Option<ReleasePackage>,
}

/// Tracks which subtasks were already reported.
#[derive(Default)]
struct Tracker {
    reported: HashSet<String>,
    completed: usize,
    total: usize,
}

impl Tracker {
    /// Updates from a task; returns the subtasks that finished since last time.
    fn update(&mut self, task: &SystemTask, hint: Option<u32>) -> Vec<SubTask> {
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

/// Waits for one system task; see [`Client::wait_for_task`]. Await it directly (it
/// implements `IntoFuture`) or call [`send`](Self::send).
#[must_use]
pub struct WaitForTask<'a> {
    client: &'a Client,
    task_id: TaskId,
    polling: Polling,
    progress: Option<ProgressFn<'a>>,
}

/// Waits for one package to reach `deploy_status` 2 or 3; see [`Client::wait_for_package`].
#[must_use]
pub struct WaitForPackage<'a> {
    client: &'a Client,
    package_id: PackageId,
    polling: Polling,
}

/// Waits for every package of a [`Deployment`]; see [`Deployment::wait`].
#[must_use]
pub struct WaitForDeployment<'a> {
    deployment: &'a Deployment,
    polling: Polling,
    progress: Option<ProgressFn<'a>>,
}

macro_rules! polling_setters {
    () => {
        /// Gives up after this long (default 30 minutes) with [`Error::WaitTimeout`].
        ///
        /// ```no_run
        /// # async fn f(c: dataarts_release::Client) -> dataarts_release::Result<()> {
        /// let task = c.wait_for_task("ff8080818c81c8ab018c8b43f85d0008")
        ///     .timeout(std::time::Duration::from_secs(600)).await?;
        /// # Ok(()) }
        /// ```
        pub fn timeout(mut self, timeout: Duration) -> Self {
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
        pub fn poll_interval(mut self, interval: Duration) -> Self {
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
        pub fn max_poll_interval(mut self, interval: Duration) -> Self {
            self.polling.max = interval;
            self
        }
    };
}

impl Client {
    /// Polls a system task until it is `SUCCESSFUL` or `FAILED` (both return `Ok` with the
    /// final task and its subtasks) or the timeout passes ([`Error::WaitTimeout`]).
    /// Cancellation-safe: dropping the future just stops polling.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let task = client
    ///     .wait_for_task("ff8080818c81c8ab018c8b43f85d0008")
    ///     .on_progress(|p| println!("{}/{}", p.completed, p.total))
    ///     .await?;
    /// println!("{}", task.status);
    /// # Ok(()) }
    /// ```
    pub fn wait_for_task(&self, task_id: impl Into<TaskId>) -> WaitForTask<'_> {
        WaitForTask {
            client: self,
            task_id: task_id.into(),
            polling: Polling::default(),
            progress: None,
        }
    }

    /// Polls a package ("show package", the authoritative status) until its
    /// `deploy_status` is 2 (released) or 3 (failed). Unknown statuses count as not
    /// finished until the timeout.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let package = client.wait_for_package("23").await?;
    /// println!("{:?}", package.deploy_status);
    /// # Ok(()) }
    /// ```
    pub fn wait_for_package(&self, package_id: impl Into<PackageId>) -> WaitForPackage<'_> {
        WaitForPackage {
            client: self,
            package_id: package_id.into(),
            polling: Polling::default(),
        }
    }
}

impl<'a> WaitForTask<'a> {
    polling_setters!();

    /// Called whenever subtasks finish (and once when the task ends).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) {
    /// let _ = c.wait_for_task("t").on_progress(|p| eprintln!("{} new", p.newly_completed.len()));
    /// # }
    /// ```
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Polls until the end.
    ///
    /// ```no_run
    /// # async fn f(c: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let task = c.wait_for_task("t").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<SystemTask> {
        let span = tracing::info_span!("dataarts_wait_task", task_id = %self.task_id);
        self.run().instrument(span).await
    }

    async fn run(mut self) -> Result<SystemTask> {
        validate::id("task id", self.task_id.as_str())?;
        let started = Instant::now();
        let deadline = self.polling.deadline(started);
        let mut interval = self.polling.initial;
        let mut tracker = Tracker::default();
        loop {
            let task = self.client.system_task(self.task_id.clone()).await?;
            let new = tracker.update(&task, None);
            let finished = task.status.is_final();
            if let Some(cb) = self.progress.as_mut() {
                if !new.is_empty() || finished {
                    cb(&Progress {
                        package_id: None,
                        task_id: Some(task.id.clone()),
                        newly_completed: new,
                        completed: tracker.completed,
                        total: tracker.total,
                        finished,
                        outcome: finished.then(|| ReleaseOutcome::of_task(&task.status)),
                        overall_completed: tracker.completed,
                        overall_total: tracker.total,
                    });
                }
            }
            if finished {
                return Ok(task);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::WaitTimeout {
                    what: format!("system task {}", self.task_id),
                    waited: now - started,
                    last_status: task.status.to_string(),
                });
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
            interval = self.polling.next(interval);
        }
    }
}

impl<'a> IntoFuture for WaitForTask<'a> {
    type Output = Result<SystemTask>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<SystemTask>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<'a> WaitForPackage<'a> {
    polling_setters!();

    /// Polls until the end.
    ///
    /// ```no_run
    /// # async fn f(c: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let p = c.wait_for_package("23").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ReleasePackage> {
        let span = tracing::info_span!("dataarts_wait_package", package_id = %self.package_id);
        self.run().instrument(span).await
    }

    async fn run(self) -> Result<ReleasePackage> {
        validate::id("package id", self.package_id.as_str())?;
        let started = Instant::now();
        let deadline = self.polling.deadline(started);
        let mut interval = self.polling.initial;
        loop {
            let package = self
                .client
                .show_package(self.package_id.clone())
                .await?
                .package;
            if package.deploy_status.is_some_and(DeployStatus::is_final) {
                return Ok(package);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::WaitTimeout {
                    what: format!("package {}", self.package_id),
                    waited: now - started,
                    last_status: package
                        .deploy_status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "none".into()),
                });
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
            interval = self.polling.next(interval);
        }
    }
}

impl<'a> IntoFuture for WaitForPackage<'a> {
    type Output = Result<ReleasePackage>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ReleasePackage>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl Deployment {
    /// Waits for every package's release to end: polls each release task (system task) and,
    /// for packages confirmed by read-back without a task id, the package status.
    /// Returns one [`ReleaseResult`] per package, in order.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let deployment = client.deploy(["23"]).send().await?;
    /// let results = deployment
    ///     .wait()
    ///     .on_progress(|p| eprintln!("{}/{}", p.overall_completed, p.overall_total))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait(&self) -> WaitForDeployment<'_> {
        WaitForDeployment {
            deployment: self,
            polling: Polling::default(),
            progress: None,
        }
    }
}

struct Entry {
    package_id: PackageId,
    task_id: Option<TaskId>,
    hint: Option<u32>,
    tracker: Tracker,
    done: Option<ReleaseResult>,
    last_status: String,
}

impl<'a> WaitForDeployment<'a> {
    polling_setters!();

    /// Called whenever subtasks finish or a package's release ends.
    ///
    /// ```no_run
    /// # fn f(d: &dataarts_release::Deployment) {
    /// let _ = d.wait().on_progress(|p| eprintln!("{}/{}", p.overall_completed, p.overall_total));
    /// # }
    /// ```
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Polls until every release ended.
    ///
    /// ```no_run
    /// # async fn f(d: dataarts_release::Deployment) -> dataarts_release::Result<()> {
    /// let results = d.wait().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<ReleaseResult>> {
        let span = tracing::info_span!(
            "dataarts_wait_deployment",
            packages = self.deployment.packages.len()
        );
        self.run().instrument(span).await
    }

    async fn run(mut self) -> Result<Vec<ReleaseResult>> {
        let client = &self.deployment.client;
        let mut entries: Vec<Entry> = self
            .deployment
            .packages
            .iter()
            .map(|p| Entry {
                package_id: p.package_id.clone(),
                task_id: p.task_id.clone(),
                hint: p.subtask_count,
                tracker: Tracker {
                    total: p.subtask_count.unwrap_or(1).max(1) as usize,
                    ..Tracker::default()
                },
                done: None,
                last_status: "not polled yet".into(),
            })
            .collect();
        let started = Instant::now();
        let deadline = self.polling.deadline(started);
        let mut interval = self.polling.initial;
        loop {
            for i in 0..entries.len() {
                if entries[i].done.is_some() {
                    continue;
                }
                let (new, finished) = {
                    let e = &mut entries[i];
                    match e.task_id.clone() {
                        Some(t) => {
                            let task = match client.system_task(t).await {
                                Ok(task) => task,
                                // A task the deploy just returned may take a moment to appear.
                                Err(err)
                                    if err.is_not_found()
                                        && started.elapsed() < NOT_FOUND_GRACE =>
                                {
                                    e.last_status = "not visible yet".into();
                                    continue;
                                }
                                Err(err) => return Err(err),
                            };
                            let new = e.tracker.update(&task, e.hint);
                            e.last_status = task.status.to_string();
                            let finished = task.status.is_final();
                            if finished {
                                e.done = Some(ReleaseResult {
                                    package_id: e.package_id.clone(),
                                    outcome: ReleaseOutcome::of_task(&task.status),
                                    task: Some(task),
                                    package: None,
                                });
                            }
                            (new, finished)
                        }
                        None => {
                            let p = client.show_package(e.package_id.clone()).await?.package;
                            let status = p.deploy_status;
                            e.last_status = status
                                .map(|s| s.to_string())
                                .unwrap_or_else(|| "none".into());
                            let finished = status.is_some_and(DeployStatus::is_final);
                            if finished {
                                e.tracker.completed = e.tracker.total;
                                e.done = Some(ReleaseResult {
                                    package_id: e.package_id.clone(),
                                    outcome: if status == Some(DeployStatus::Succeeded) {
                                        ReleaseOutcome::Succeeded
                                    } else {
                                        ReleaseOutcome::Failed
                                    },
                                    task: None,
                                    package: Some(p),
                                });
                            }
                            (Vec::new(), finished)
                        }
                    }
                };
                if let Some(cb) = self.progress.as_mut() {
                    if !new.is_empty() || finished {
                        let overall_completed = entries.iter().map(|e| e.tracker.completed).sum();
                        let overall_total = entries.iter().map(|e| e.tracker.total).sum();
                        let e = &entries[i];
                        cb(&Progress {
                            package_id: Some(e.package_id.clone()),
                            task_id: e.task_id.clone(),
                            newly_completed: new,
                            completed: e.tracker.completed,
                            total: e.tracker.total,
                            finished,
                            outcome: e.done.as_ref().map(|d| d.outcome),
                            overall_completed,
                            overall_total,
                        });
                    }
                }
            }
            if entries.iter().all(|e| e.done.is_some()) {
                return Ok(entries.into_iter().filter_map(|e| e.done).collect());
            }
            let now = Instant::now();
            if now >= deadline {
                let open: Vec<String> = entries
                    .iter()
                    .filter(|e| e.done.is_none())
                    .map(|e| format!("{}: {}", e.package_id, e.last_status))
                    .collect();
                return Err(Error::WaitTimeout {
                    what: format!("{} package release(s)", open.len()),
                    waited: now - started,
                    last_status: open.join(", "),
                });
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
            interval = self.polling.next(interval);
        }
    }
}

impl<'a> IntoFuture for WaitForDeployment<'a> {
    type Output = Result<Vec<ReleaseResult>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Vec<ReleaseResult>>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl fmt::Debug for WaitForTask<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForTask")
            .field("task_id", &self.task_id)
            .field("polling", &self.polling)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for WaitForPackage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForPackage")
            .field("package_id", &self.package_id)
            .field("polling", &self.polling)
            .finish()
    }
}

impl fmt::Debug for WaitForDeployment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForDeployment")
            .field("packages", &self.deployment.packages.len())
            .field("polling", &self.polling)
            .finish_non_exhaustive()
    }
}
