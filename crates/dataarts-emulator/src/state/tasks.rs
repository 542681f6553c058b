//! System tasks: the finished ones loaded from the fixtures and one per release, their
//! subtasks, how they progress (by the clock or by hand), and the query that reads them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use dataarts_release_raw::status::TaskStatus;
use dataarts_release_raw::types::{SubTask, SystemTask};
use dataarts_release_raw::EpochMillis;

use super::clock::TaskClock;
use crate::config::TaskTiming;
use crate::error::ApiError;

/// A subtask.
#[derive(Debug)]
pub(super) struct SubRec {
    pub id: String,
    pub name: String,
    pub start: i64,
    pub end: Option<i64>,
    pub last_update: i64,
    pub status: TaskStatus,
}

/// A system task.
#[derive(Debug)]
pub(super) struct TaskRec {
    pub project: Arc<str>,
    /// The released package (release tasks only).
    pub package: Option<String>,
    pub name: String,
    pub start: i64,
    pub end: Option<i64>,
    pub last_update: i64,
    pub status: TaskStatus,
    pub subs: Vec<SubRec>,
    /// Subtasks finished so far.
    pub done: usize,
    /// The last subtask, and so the task, ends FAILED.
    pub fail: bool,
}

impl TaskRec {
    /// A release task that starts `now` with one running subtask per name.
    pub fn release(
        project: Arc<str>,
        package: String,
        name: String,
        subtasks: Vec<(String, String)>,
        now: i64,
        fail: bool,
    ) -> Self {
        let subs = subtasks
            .into_iter()
            .map(|(id, name)| SubRec {
                id,
                name,
                start: now,
                end: None,
                last_update: now,
                status: TaskStatus::Running,
            })
            .collect();
        Self {
            project,
            package: Some(package),
            name,
            start: now,
            end: None,
            last_update: now,
            status: TaskStatus::Running,
            subs,
            done: 0,
            fail,
        }
    }

    /// A finished task of the fixtures, written in the query's answer shape.
    pub fn from_fixture(project: &Arc<str>, t: &SystemTask) -> Self {
        let start = t.start_time.map_or(0, EpochMillis::millis);
        let last = t.last_update.map_or(start, EpochMillis::millis);
        let src = if t.subtasks.is_empty() {
            &t.sub_tasks
        } else {
            &t.subtasks
        };
        let subs: Vec<SubRec> = src
            .iter()
            .enumerate()
            .map(|(i, s)| SubRec {
                id: s.id.clone().unwrap_or_else(|| format!("{}-{i}", t.id)),
                name: s.name.clone().unwrap_or_default(),
                start: s.start_time.map_or(start, EpochMillis::millis),
                end: s.end_time.map(EpochMillis::millis),
                last_update: s.last_update.map_or(last, EpochMillis::millis),
                // A fixture subtask is finished unless it says it is running or failed.
                status: match s.status.as_deref().map(exact_status) {
                    Some(TaskStatus::Failed) => TaskStatus::Failed,
                    Some(TaskStatus::Running) => TaskStatus::Running,
                    _ => TaskStatus::Successful,
                },
            })
            .collect();
        let status = exact_status(&t.status);
        TaskRec {
            project: project.clone(),
            package: None,
            name: t.name.clone().unwrap_or_default(),
            start,
            end: t.end_time.map(EpochMillis::millis).or(Some(last)),
            last_update: last,
            fail: status == TaskStatus::Failed,
            status,
            done: subs.len(),
            subs,
        }
    }
}

/// The status a fixture spells exactly (anything else is kept verbatim, so the query answers
/// it unchanged).
fn exact_status(s: &str) -> TaskStatus {
    match TaskStatus::from_wire(s) {
        known if known.as_wire() == s => known,
        _ => TaskStatus::Unknown(s.to_string()),
    }
}

/// A release task that has just ended: its package's release succeeded or failed.
#[derive(Debug)]
pub(super) struct FinishedRelease {
    pub project: Arc<str>,
    pub package: String,
    pub ok: bool,
}

/// Every system task, the running release tasks, and the clock that moves them.
#[derive(Debug)]
pub(super) struct Tasks {
    tasks: HashMap<String, TaskRec>,
    /// Running release tasks, for manual stepping.
    running: HashSet<String>,
    clock: TaskClock,
    /// How many times each package was released.
    release_counts: HashMap<String, usize>,
    /// Packages whose next release fails.
    fail_next: HashSet<String>,
}

impl Tasks {
    pub fn new(timing: TaskTiming) -> Self {
        Self {
            tasks: HashMap::new(),
            running: HashSet::new(),
            clock: TaskClock::new(timing),
            release_counts: HashMap::new(),
            fail_next: HashSet::new(),
        }
    }

    /// Room for `n` more release tasks, so a load test never waits for a large rehash under
    /// the lock.
    pub fn reserve(&mut self, n: usize) {
        self.tasks.reserve(n);
        self.release_counts.reserve(n);
    }

    pub fn insert_fixture(&mut self, project: &Arc<str>, t: &SystemTask) {
        self.tasks
            .insert(t.id.clone(), TaskRec::from_fixture(project, t));
    }

    pub fn contains(&self, task_id: &str) -> bool {
        self.tasks.contains_key(task_id)
    }

    /// Takes the "fail the next release" mark of a package.
    pub fn take_fail_mark(&mut self, package_id: &str) -> bool {
        self.fail_next.remove(package_id)
    }

    /// The next release of this package (in any project) ends FAILED.
    pub fn fail_release_of(&mut self, package_id: &str) {
        self.fail_next.insert(package_id.to_string());
    }

    pub fn release_count(&self, package_id: &str) -> usize {
        self.release_counts.get(package_id).copied().unwrap_or(0)
    }

    pub fn release_counts(&self) -> &HashMap<String, usize> {
        &self.release_counts
    }

    /// Starts a release task; a task without subtasks ends at once.
    pub fn start_release(
        &mut self,
        task_id: String,
        task: TaskRec,
        now: i64,
    ) -> Option<FinishedRelease> {
        if let Some(package) = &task.package {
            *self.release_counts.entry(package.clone()).or_insert(0) += 1;
        }
        let empty = task.subs.is_empty();
        self.tasks.insert(task_id.clone(), task);
        self.running.insert(task_id.clone());
        if empty {
            self.finish_subtask(&task_id, now)
        } else {
            self.clock.schedule(task_id, 0, now);
            None
        }
    }

    /// Applies every automatic subtask completion due at `now` (ms).
    pub fn settle(&mut self, now: i64) -> Vec<FinishedRelease> {
        let mut finished = Vec::new();
        while let Some((due, id, idx)) = self.clock.pop_due(now) {
            let Some(done) = self.running_task(&id).map(|t| t.done) else {
                continue;
            };
            if done == idx {
                finished.extend(self.finish_subtask(&id, due));
            }
            // Schedule the next subtask (also when the task was stepped by hand meanwhile).
            if let Some(next) = self.running_task(&id).map(|t| t.done) {
                self.clock.schedule(id, next, due);
            }
        }
        finished
    }

    fn running_task(&self, id: &str) -> Option<&TaskRec> {
        self.tasks.get(id).filter(|t| t.end.is_none())
    }

    /// Manual stepping: one more subtask of every running task ends now.
    pub fn advance(&mut self, now: i64) -> Vec<FinishedRelease> {
        let ids: Vec<String> = self.running.iter().cloned().collect();
        ids.iter()
            .filter_map(|id| self.finish_subtask(id, now))
            .collect()
    }

    /// Every running task ends now.
    pub fn complete_all(&mut self, now: i64) -> Vec<FinishedRelease> {
        let ids: Vec<String> = self.running.iter().cloned().collect();
        let mut finished = Vec::new();
        for id in ids {
            while self.running_task(&id).is_some() {
                finished.extend(self.finish_subtask(&id, now));
            }
        }
        finished
    }

    /// The next subtask of a running task ends at `at`; after the last one the task ends.
    fn finish_subtask(&mut self, id: &str, at: i64) -> Option<FinishedRelease> {
        let t = self.tasks.get_mut(id)?;
        if t.end.is_some() {
            return None;
        }
        let n = t.subs.len();
        if t.done < n {
            let last = t.done + 1 == n;
            let sub = &mut t.subs[t.done];
            sub.status = if last && t.fail {
                TaskStatus::Failed
            } else {
                TaskStatus::Successful
            };
            sub.end = Some(at);
            sub.last_update = at;
            t.done += 1;
        }
        t.last_update = at;
        if t.done < n {
            return None;
        }
        let ok = !t.fail;
        t.status = if ok {
            TaskStatus::Successful
        } else {
            TaskStatus::Failed
        };
        t.end = Some(at);
        let project = t.project.clone();
        let package = t.package.clone();
        self.running.remove(id);
        package.map(|package| FinishedRelease {
            project,
            package,
            ok,
        })
    }

    /// A system task of the project, in the query's answer shape.
    pub fn view(&self, project: &str, task_id: &str) -> Result<SystemTask, ApiError> {
        let t = self
            .tasks
            .get(task_id)
            .filter(|t| &*t.project == project)
            .ok_or_else(|| ApiError::task_not_found(task_id))?;
        let subs: Vec<SubTask> = t
            .subs
            .iter()
            .map(|s| SubTask {
                end_time: s.end.map(EpochMillis),
                id: Some(s.id.clone()),
                last_update: Some(EpochMillis(s.last_update)),
                name: Some(s.name.clone()),
                start_time: Some(EpochMillis(s.start)),
                status: Some(s.status.as_wire().to_string()),
                task_id: Some(task_id.to_string()),
            })
            .collect();
        Ok(SystemTask {
            end_time: t.end.map(EpochMillis),
            id: task_id.to_string(),
            last_update: Some(EpochMillis(t.last_update)),
            message: None,
            name: Some(t.name.clone()),
            project_id: Some(t.project.to_string()),
            start_time: Some(EpochMillis(t.start)),
            status: t.status.as_wire().to_string(),
            sub_tasks: subs.clone(),
            subtasks: subs,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn release(subtasks: usize, fail: bool) -> TaskRec {
        let subs = (0..subtasks)
            .map(|i| (format!("s{i}"), format!("sub {i}")))
            .collect();
        TaskRec::release(Arc::from("p"), "23".into(), "r".into(), subs, 0, fail)
    }

    #[test]
    fn the_clock_ends_one_subtask_per_step() {
        let mut tasks = Tasks::new(TaskTiming::Auto {
            subtask: Duration::from_millis(10),
        });
        assert!(tasks
            .start_release("t".into(), release(2, false), 0)
            .is_none());
        assert!(tasks.settle(9).is_empty());
        assert!(tasks.settle(10).is_empty());
        assert_eq!(
            tasks.view("p", "t").unwrap().subtasks[0].status.as_deref(),
            Some("SUCCESSFUL")
        );
        let done = tasks.settle(25);
        assert_eq!(
            (done.len(), done[0].ok, done[0].package.as_str()),
            (1, true, "23")
        );
        let view = tasks.view("p", "t").unwrap();
        assert_eq!(
            (view.status.as_str(), view.end_time),
            ("SUCCESSFUL", Some(EpochMillis(20)))
        );
        assert_eq!(tasks.release_count("23"), 1);
    }

    #[test]
    fn manual_steps_and_a_failing_release() {
        let mut tasks = Tasks::new(TaskTiming::Manual);
        tasks.fail_release_of("23");
        let fail = tasks.take_fail_mark("23");
        assert!(!tasks.take_fail_mark("23"));
        tasks.start_release("t".into(), release(2, fail), 0);
        assert!(tasks.settle(i64::MAX).is_empty());
        assert!(tasks.advance(5).is_empty());
        let done = tasks.complete_all(7);
        assert_eq!((done.len(), done[0].ok), (1, false));
        let view = tasks.view("p", "t").unwrap();
        assert_eq!(view.status, "FAILED");
        assert_eq!(view.subtasks[1].status.as_deref(), Some("FAILED"));
        assert!(tasks.view("other", "t").is_err());
    }

    #[test]
    fn a_release_without_subtasks_ends_at_once() {
        let mut tasks = Tasks::new(TaskTiming::Manual);
        let done = tasks.start_release("t".into(), release(0, false), 3);
        assert!(done.is_some_and(|f| f.ok));
    }

    #[test]
    fn fixture_statuses_are_kept_verbatim() {
        assert_eq!(exact_status("FAILED"), TaskStatus::Failed);
        assert_eq!(exact_status("failed"), TaskStatus::Unknown("failed".into()));
    }
}
