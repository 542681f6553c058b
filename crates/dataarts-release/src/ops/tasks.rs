//! System task details (`list_system_tasks`, on the V1 host), and waiting for a task to end.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use dataarts_release_raw::Operation;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Input, Result};
use crate::ids::TaskId;
use crate::model::SystemTask;
use crate::validate;
use crate::wait::{polling_setters, wait_error, Progress, ReleaseOutcome, Tracker};
use crate::waiter::{self, classify, Acceptance, Poller, Polling, ProgressFn, Reporter, Verdict};

const OP: Operation = Operation::ListSystemTasks;

impl Client {
    /// Reads a system task (e.g. a release's `asy_task_id`) with its subtasks.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown task (`DLF.20810` or
    /// `DLF.0810`); [`Error::InvalidInput`] for a malformed id.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let task = client.system_task("ff8080818c81c8ab018c8b43f85d0008").await?;
    /// println!("{}: {}/{}", task.status, task.completed_subtasks(), task.subtasks.len());
    /// # Ok(()) }
    /// ```
    pub async fn system_task(&self, task_id: impl Into<TaskId>) -> Result<SystemTask> {
        let task_id = task_id.into();
        validate::id(Input::TaskId, task_id.as_str())?;
        let ws = self.workspace_checked(false)?;
        let project_id = self.ready().await?;
        let mut b = self
            .inner
            .v1
            .list_system_tasks()
            .project_id(project_id.as_str())
            .task_id(task_id.as_str());
        if let Some(ws) = ws {
            b = b.workspace(ws);
        }
        let task = self.call(OP, b.send()).await?;
        Ok(task.into())
    }
}

/// Waits for one system task; see [`Client::wait_for_task`]. Await it directly (it
/// implements `IntoFuture`) or call [`send`](Self::send).
///
/// It owns what it needs (a clone of the client and the id), so it can be returned from a
/// function or spawned; `'a` is only the lifetime of the [`on_progress`](Self::on_progress)
/// callback.
///
/// ```no_run
/// use std::future::IntoFuture;
/// use dataarts_release::{Client, WaitForTask};
///
/// fn wait_quietly(client: &Client, task_id: &str) -> WaitForTask<'static> {
///     client.wait_for_task(task_id).timeout(std::time::Duration::from_secs(600))
/// }
///
/// # async fn f(client: Client) -> dataarts_release::Result<()> {
/// let handle = tokio::spawn(wait_quietly(&client, "ff8080818c81c8ab018c8b43f85d0008").into_future());
/// let task = handle.await.expect("not cancelled")?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct WaitForTask<'a> {
    client: Client,
    task_id: TaskId,
    polling: Polling,
    progress: Option<ProgressFn<'a, Progress>>,
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
    pub fn wait_for_task<'a>(&self, task_id: impl Into<TaskId>) -> WaitForTask<'a> {
        WaitForTask {
            client: self.clone(),
            task_id: task_id.into(),
            polling: Polling::default(),
            progress: None,
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

    async fn run(self) -> Result<SystemTask> {
        validate::id(Input::TaskId, self.task_id.as_str())?;
        let task_id = self.task_id.clone();
        let mut poller = TaskPoller {
            client: self.client,
            task_id: self.task_id,
            tracker: Tracker::default(),
            last_status: None,
        };
        waiter::wait(self.polling, &mut poller, self.progress)
            .await
            .map_err(|e| wait_error(|| format!("system task {task_id}"), e))
    }
}

impl<'a> IntoFuture for WaitForTask<'a> {
    type Output = Result<SystemTask>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<SystemTask>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl std::fmt::Debug for WaitForTask<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitForTask")
            .field("task_id", &self.task_id)
            .field("polling", &self.polling)
            .finish_non_exhaustive()
    }
}

/// A task's wait ends when its status is final, whether it succeeded or failed: the caller
/// reads the outcome from the task.
pub(crate) fn task_finished(r: &Result<SystemTask>) -> Option<Acceptance> {
    matches!(r, Ok(t) if t.status.is_final()).then_some(Acceptance::Success)
}

/// Polls one task, reporting subtasks as they finish.
struct TaskPoller {
    client: Client,
    task_id: TaskId,
    tracker: Tracker,
    last_status: Option<String>,
}

impl Poller for TaskPoller {
    type Output = SystemTask;
    type Error = Error;
    type Report = Progress;

    async fn poll(
        &mut self,
        _elapsed: Duration,
        reporter: &mut Reporter<'_, Progress>,
    ) -> Verdict<SystemTask, Error> {
        let result = self.client.system_task(self.task_id.clone()).await;
        let acceptance = classify(&result, &[&task_finished]);
        let task = match result {
            Ok(task) => task,
            Err(e) if acceptance == Acceptance::Failure => return Verdict::Failed(e),
            Err(_) => return Verdict::Pending,
        };
        self.last_status = Some(task.status.to_string());
        let new = self.tracker.update(&task, None);
        let finished = acceptance != Acceptance::Retry;
        if reporter.is_listening() && (!new.is_empty() || finished) {
            reporter.report(&Progress {
                package_id: None,
                task_id: Some(task.id.clone()),
                newly_completed: new,
                completed: self.tracker.completed,
                total: self.tracker.total,
                finished,
                outcome: finished.then(|| ReleaseOutcome::of_task(&task.status)),
                overall_completed: self.tracker.completed,
                overall_total: self.tracker.total,
            });
        }
        if finished {
            Verdict::Done(task)
        } else {
            Verdict::Pending
        }
    }

    fn last_status(&self) -> String {
        self.last_status
            .clone()
            .unwrap_or_else(|| "not polled yet".into())
    }
}
