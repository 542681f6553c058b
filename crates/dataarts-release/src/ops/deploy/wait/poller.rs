//! The poller behind [`Deployment::wait`](crate::Deployment::wait): each round reads the open
//! releases either one by one (release task, or package status without a task id) or in bulk
//! from the package list ([`super::bulk`]), whichever costs fewer requests that round.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::time::Instant;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{PackageId, TaskId};
use crate::model::{ReleasePackage, ReleaseState, SubTask, SystemTask};
use crate::ops::tasks::task_finished;
use crate::wait::{ReleaseOutcome, ReleaseResult, Tracker};
use crate::waiter::{classify, Acceptance, Poller, Reporter, Verdict};
use crate::Progress;

use super::super::DeployedPackage;
use super::{bulk, read_package};

/// How long a release task may stay invisible ("does not exist") after the deploy.
const NOT_FOUND_GRACE: Duration = Duration::from_secs(30);

/// Open releases named in a timeout's last status; the rest are counted.
const STATUS_SHOWN: usize = 20;

/// Bulk rounds in a row whose listing could not be understood before the wait stops reading
/// in bulk and asks each release instead.
const MAX_BULK_FAILURES: u32 = 3;

/// A package's state in words, for the timeout's last status ("revoked" rather than
/// "awaiting review" for a revoked one).
fn state_words(p: &ReleasePackage) -> String {
    p.deploy_status.map_or_else(
        || "none".into(),
        |s| ReleaseState::of(s, p.deleted).to_string(),
    )
}

/// One package of a deployment being waited for.
struct Entry {
    package_id: PackageId,
    task_id: Option<TaskId>,
    hint: Option<u32>,
    tracker: Tracker,
    done: Option<ReleaseResult>,
    last_status: String,
    /// Its release time, as the releasing list last showed it.
    released_at: Option<i64>,
}

impl Entry {
    fn new(p: DeployedPackage) -> Self {
        Self {
            tracker: Tracker::expecting(p.subtask_count.unwrap_or(1).max(1) as usize),
            package_id: p.package_id,
            task_id: p.task_id,
            hint: p.subtask_count,
            done: None,
            last_status: "not polled yet".into(),
            released_at: None,
        }
    }

    /// Ends the entry with the package as read (listed or shown); returns how many units
    /// that completed.
    fn end_with_package(&mut self, p: ReleasePackage) -> usize {
        let newly = self.tracker.total - self.tracker.completed.min(self.tracker.total);
        self.tracker.completed = self.tracker.total;
        self.last_status = state_words(&p);
        self.done = Some(ReleaseResult {
            package_id: self.package_id.clone(),
            outcome: ReleaseOutcome::of_package(p.deploy_status),
            task: None,
            package: Some(p),
        });
        newly
    }
}

/// Polls every unfinished package of a deployment once per round.
pub(super) struct DeploymentPoller {
    client: Client,
    entries: Vec<Entry>,
    /// Packages of the workspace releasing at the last bulk read.
    releasing_total: Option<u32>,
    /// Bulk rounds in a row that ended on a listing that could not be understood.
    bulk_failures: u32,
}

impl DeploymentPoller {
    pub(super) fn new(client: Client, packages: Vec<DeployedPackage>) -> Self {
        Self {
            client,
            entries: packages.into_iter().map(Entry::new).collect(),
            releasing_total: None,
            bulk_failures: 0,
        }
    }

    /// How many releases have not ended.
    pub(super) fn open_count(&self) -> usize {
        self.entries.iter().filter(|e| e.done.is_none()).count()
    }

    /// Polls entry `i` on its own; returns the subtasks that finished since its last poll
    /// and whether its release ended, or the error that ends the whole wait.
    async fn poll_entry(
        &mut self,
        i: usize,
        elapsed: impl Fn() -> Duration,
    ) -> Result<(Vec<SubTask>, bool)> {
        let client = &self.client;
        let e = &mut self.entries[i];
        match e.task_id.clone() {
            Some(t) => {
                // A task the deploy just returned may take a moment to appear.
                let not_visible_yet = |r: &Result<SystemTask>| {
                    matches!(r, Err(err) if err.is_not_found() && elapsed() < NOT_FOUND_GRACE)
                        .then_some(Acceptance::Retry)
                };
                let result = client.system_task(t).await;
                let acceptance = classify(&result, &[&task_finished, &not_visible_yet]);
                let task = match result {
                    Ok(task) => task,
                    Err(err) if acceptance == Acceptance::Failure => return Err(err),
                    Err(_) => {
                        e.last_status = "not visible yet".into();
                        return Ok((Vec::new(), false));
                    }
                };
                let new = e.tracker.update(&task, e.hint);
                e.last_status = task.status.to_string();
                let finished = acceptance != Acceptance::Retry;
                if finished {
                    e.done = Some(ReleaseResult {
                        package_id: e.package_id.clone(),
                        outcome: ReleaseOutcome::of_task(&task.status),
                        task: Some(task),
                        package: None,
                    });
                }
                Ok((new, finished))
            }
            None => {
                let (p, finished) = read_package(client, &e.package_id).await?;
                if finished {
                    e.end_with_package(p);
                } else {
                    e.last_status = state_words(&p);
                }
                Ok((Vec::new(), finished))
            }
        }
    }

    /// Reads the open entries in bulk: marks those still releasing, ends those the list of
    /// ended releases shows, and returns the rest, to be read one by one. Returns the entries
    /// it ended, too, each with the units that completed.
    async fn bulk_round(&mut self, open: &[usize]) -> Result<(Vec<(usize, usize)>, Vec<usize>)> {
        let ids: HashSet<&str> = open
            .iter()
            .map(|&i| self.entries[i].package_id.as_str())
            .collect();
        let releasing = bulk::releasing(&self.client, &ids).await?;
        let wanted: HashSet<&str> = ids
            .iter()
            .copied()
            .filter(|id| !releasing.ids.contains_key(*id))
            .collect();
        let known: HashMap<&str, i64> = open
            .iter()
            .filter_map(|&i| {
                let e = &self.entries[i];
                e.released_at.map(|t| (e.package_id.as_str(), t))
            })
            .collect();
        let ended = bulk::ended(&self.client, &ids, &wanted, |id| known.get(id).copied()).await?;
        self.releasing_total = Some(releasing.total);
        let (mut by_list, mut one_by_one) = (Vec::new(), Vec::new());
        for &i in open {
            let e = &mut self.entries[i];
            let id = e.package_id.as_str();
            // A package named twice in the deployment ends twice, as it would polled alone.
            if let Some(p) = ended.get(id) {
                by_list.push((i, e.end_with_package(p.clone())));
            } else if let Some(at) = releasing.ids.get(id) {
                e.released_at = at.or(e.released_at);
                e.last_status = ReleaseState::Releasing.to_string();
            } else {
                one_by_one.push(i);
            }
        }
        Ok((by_list, one_by_one))
    }

    /// Finished and total units over the whole deployment.
    fn totals(&self) -> (usize, usize) {
        self.entries.iter().fold((0, 0), |(c, t), e| {
            (c + e.tracker.completed, t + e.tracker.total)
        })
    }

    /// Reports entry `i`; `overall` are the deployment's totals as of now (kept up to date by
    /// the caller, so a round that ends 10,000 releases does not sum 10,000 times).
    fn report(
        &self,
        reporter: &mut Reporter<'_, Progress>,
        i: usize,
        newly_completed: Vec<SubTask>,
        finished: bool,
        (overall_completed, overall_total): (usize, usize),
    ) {
        if !reporter.is_listening() || (newly_completed.is_empty() && !finished) {
            return;
        }
        let e = &self.entries[i];
        reporter.report(&Progress {
            package_id: Some(e.package_id.clone()),
            task_id: e.task_id.clone(),
            newly_completed,
            completed: e.tracker.completed,
            total: e.tracker.total,
            finished,
            outcome: e.done.as_ref().map(|d| d.outcome),
            overall_completed,
            overall_total,
        });
    }
}

impl Poller for DeploymentPoller {
    type Output = Vec<ReleaseResult>;
    type Error = Error;
    type Report = Progress;

    async fn poll(
        &mut self,
        elapsed: Duration,
        reporter: &mut Reporter<'_, Progress>,
    ) -> Verdict<Vec<ReleaseResult>, Error> {
        let round = Instant::now();
        let open: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.entries[i].done.is_none())
            .collect();
        let (mut completed, mut total) = self.totals();
        let bulk = self.bulk_failures < MAX_BULK_FAILURES
            && bulk::bulk_is_cheaper(open.len(), self.releasing_total);
        let one_by_one = if bulk {
            match self.bulk_round(&open).await {
                // A listing that changes while it is paged can look inconsistent to the
                // paginator (the same page twice, a count it does not reach). Nothing was
                // concluded from it: this round learns nothing, the next one reads again.
                Err(e) if e.kind() == ErrorKind::Decode => {
                    self.bulk_failures += 1;
                    tracing::warn!(error = %e, "bulk read of the releases failed; reading again next round");
                    Vec::new()
                }
                Ok((ended, rest)) => {
                    self.bulk_failures = 0;
                    for (i, newly) in ended {
                        completed += newly;
                        self.report(reporter, i, Vec::new(), true, (completed, total));
                    }
                    rest
                }
                Err(e) => return Verdict::Failed(e),
            }
        } else {
            open
        };
        for i in one_by_one {
            let before = &self.entries[i].tracker;
            let (c0, t0) = (before.completed, before.total);
            let (new, finished) = match self.poll_entry(i, || elapsed + round.elapsed()).await {
                Ok(polled) => polled,
                Err(e) => return Verdict::Failed(e),
            };
            let after = &self.entries[i].tracker;
            completed = completed.saturating_sub(c0) + after.completed;
            total = total.saturating_sub(t0) + after.total;
            self.report(reporter, i, new, finished, (completed, total));
        }
        if self.entries.iter().all(|e| e.done.is_some()) {
            Verdict::Done(
                self.entries
                    .iter_mut()
                    .filter_map(|e| e.done.take())
                    .collect(),
            )
        } else {
            Verdict::Pending
        }
    }

    fn last_status(&self) -> String {
        let open: Vec<&Entry> = self.entries.iter().filter(|e| e.done.is_none()).collect();
        let mut s = open
            .iter()
            .take(STATUS_SHOWN)
            .map(|e| format!("{}: {}", e.package_id, e.last_status))
            .collect::<Vec<_>>()
            .join(", ");
        if open.len() > STATUS_SHOWN {
            s.push_str(&format!(" and {} more", open.len() - STATUS_SHOWN));
        }
        s
    }
}
