//! One row per requested package: built from the batch's outcomes (or the dry-run plan),
//! updated by the wait, and shown as a table, JSON counts and CI report entries.

use std::collections::HashMap;
use std::time::Duration;

use dataarts_release::{
    DeployResult, Error as ApiError, ErrorKind, PackageOutcome, PlannedPackage, Progress,
    ReleaseOutcome, ReleaseResult,
};

use crate::deploy_keys::{ReasonKey, ResultKey};
use crate::exit::{exit_for, CliError, Exit, Rendered};
use crate::output::{or_dash, DeploySummaryJson, Table};
use crate::report::PackageReport;

/// Where one package ended up, as far as it is known.
#[derive(Debug)]
pub struct Row {
    pub package_id: String,
    pub result: ResultKey,
    pub reason: Option<ReasonKey>,
    pub task_id: Option<String>,
    pub completed: Option<usize>,
    pub total: Option<usize>,
    pub error: Option<(Rendered, Exit)>,
    /// From the start of the command until this row's result was known.
    pub known_at: Duration,
}

fn rendered(e: &dataarts_release::Error) -> (Rendered, Exit) {
    (CliError::Api(e.clone()).render(), exit_for(e))
}

impl Row {
    fn new(package_id: String, result: ResultKey, known_at: Duration) -> Self {
        Self {
            package_id,
            result,
            reason: None,
            task_id: None,
            completed: None,
            total: None,
            error: None,
            known_at,
        }
    }

    /// The row of a batch outcome.
    pub fn of_outcome(o: &PackageOutcome, known_at: Duration) -> Self {
        let mut row = Row::new(o.package_id.to_string(), ResultKey::Unknown, known_at);
        row.reason = o.result.condition().map(ReasonKey::from);
        match &o.result {
            DeployResult::Released {
                task_id,
                subtask_count,
            } => {
                row.result = ResultKey::Releasing;
                row.task_id = task_id.as_ref().map(ToString::to_string);
                row.total = subtask_count.map(|n| n as usize);
            }
            DeployResult::AlreadyReleased { .. } => row.result = ResultKey::AlreadyReleased,
            DeployResult::Refused(e) => {
                // A request that never reached the service (no connection, prepared wrongly on
                // this machine, turned away by the gateway's rate limit, or never sent because
                // no credentials or project id could be had) refused nothing.
                row.result = match (e, e.kind()) {
                    (ApiError::ProjectDiscovery { .. }, _)
                    | (
                        _,
                        ErrorKind::Transport
                        | ErrorKind::Local
                        | ErrorKind::Throttled
                        | ErrorKind::Credentials,
                    ) => ResultKey::NotSent,
                    _ => ResultKey::Refused,
                };
                row.error = Some(rendered(e));
            }
            DeployResult::NotSent { .. } => row.result = ResultKey::NotSent,
            other => row.error = other.error().map(rendered),
        }
        row
    }

    /// The row of a dry-run entry.
    pub fn of_plan(p: &PlannedPackage, known_at: Duration) -> Self {
        let result = match p.condition {
            Some(c) if c.can_release() => ResultKey::WouldRelease,
            Some(c) if c.reaches_goal() => ResultKey::AlreadyReleased,
            Some(_) => ResultKey::WouldRefuse,
            None => ResultKey::Unknown,
        };
        let mut row = Row::new(p.package_id.to_string(), result, known_at);
        row.reason = p.condition.map(ReasonKey::from);
        row.error = p.error.as_ref().map(rendered);
        row
    }

    /// The row of a package whose state was not read (a dry run interrupted).
    pub fn not_read(package_id: &str, known_at: Duration) -> Self {
        Row::new(package_id.to_string(), ResultKey::Unknown, known_at)
    }

    /// True when the package counts as ending released (`strict`: released by this run).
    pub fn ok(&self, strict: bool) -> bool {
        match self.result {
            ResultKey::Released | ResultKey::Releasing | ResultKey::WouldRelease => true,
            ResultKey::AlreadyReleased => !strict,
            _ => false,
        }
    }

    /// True while a release of it is (or was last seen) running.
    pub fn is_running(&self) -> bool {
        self.result == ResultKey::Releasing
            || (self.result == ResultKey::AlreadyReleased
                && self.reason == Some(ReasonKey::Releasing))
    }

    fn ended(&mut self, outcome: ReleaseOutcome, at: Duration) {
        self.result = match (outcome, self.result) {
            (ReleaseOutcome::Failed, _) => ResultKey::Failed,
            (ReleaseOutcome::Succeeded, ResultKey::AlreadyReleased) => ResultKey::AlreadyReleased,
            (ReleaseOutcome::Succeeded, _) => ResultKey::Released,
        };
        self.known_at = at;
    }
}

/// Lays the wait's final results over the rows.
pub fn apply_results(rows: &mut [Row], results: &[ReleaseResult], at: Duration) {
    let index = index(rows);
    for r in results {
        if let Some(row) = index.get(r.package_id.as_str()).map(|&i| &mut rows[i]) {
            row.ended(r.outcome, at);
            if let Some(t) = &r.task {
                row.completed = Some(t.completed_subtasks());
                row.total = Some(t.subtasks.len().max(row.total.unwrap_or(0)));
            } else if r.package.is_some() {
                // Read in bulk from the package list: ended, without subtask detail.
                row.completed = row.total;
            }
        }
    }
}

/// Lays the waiter's progress reports over the rows (used when waiting stopped early).
pub fn apply_progress(rows: &mut [Row], reports: &[(Progress, Duration)]) {
    let index = index(rows);
    for (p, at) in reports {
        let Some(id) = &p.package_id else { continue };
        let Some(row) = index.get(id.as_str()).map(|&i| &mut rows[i]) else {
            continue;
        };
        row.completed = Some(p.completed);
        row.total = Some(p.total);
        if let Some(outcome) = p.outcome {
            row.ended(outcome, *at);
        }
    }
}

/// Row positions by package id: results and progress reports arrive one per package, and a
/// deployment may hold thousands of packages.
fn index(rows: &[Row]) -> HashMap<String, usize> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| (r.package_id.clone(), i))
        .collect()
}

/// Counts per result.
pub fn summary(rows: &[Row]) -> DeploySummaryJson {
    let count = |s: &[ResultKey]| rows.iter().filter(|r| s.contains(&r.result)).count();
    DeploySummaryJson {
        requested: rows.len(),
        released: count(&[ResultKey::Released, ResultKey::Releasing]),
        failed: count(&[ResultKey::Failed]),
        refused: count(&[ResultKey::Refused, ResultKey::WouldRefuse]),
        unknown: count(&[ResultKey::Unknown]),
        already_released: count(&[ResultKey::AlreadyReleased]),
        not_sent: count(&[ResultKey::NotSent]),
        would_release: count(&[ResultKey::WouldRelease]),
    }
}

/// The table: PACKAGE, RESULT, REASON (when any row has one), TASK, SUBTASKS, DETAIL (when
/// any row has an error).
pub fn table(rows: &[Row]) -> String {
    let detail = rows.iter().any(|r| r.error.is_some());
    let reason = rows.iter().any(|r| r.reason.is_some());
    let mut headers = vec!["PACKAGE", "RESULT"];
    if reason {
        headers.push("REASON");
    }
    headers.extend(["TASK", "SUBTASKS"]);
    if detail {
        headers.push("DETAIL");
    }
    let mut t = Table::new(&headers);
    for r in rows {
        let subtasks = match (r.completed, r.total) {
            (Some(c), Some(n)) => format!("{c}/{n}"),
            (None, Some(n)) => n.to_string(),
            _ => "-".into(),
        };
        let mut cells = vec![r.package_id.clone(), r.result.key().to_string()];
        if reason {
            cells.push(or_dash(r.reason.map(ReasonKey::key)));
        }
        cells.extend([or_dash(r.task_id.as_deref()), subtasks]);
        if detail {
            cells.push(
                r.error
                    .as_ref()
                    .map(|(e, _)| code_and_message(e))
                    .unwrap_or_default(),
            );
        }
        t.row(cells);
    }
    t.render()
}

/// `CODE message`, or the message alone.
pub fn code_and_message(e: &Rendered) -> String {
    match &e.code {
        Some(c) => format!("{c} {}", e.message),
        None => e.message.clone(),
    }
}

/// The rows as CI report entries.
pub fn reports(rows: &[Row], strict: bool) -> Vec<PackageReport> {
    rows.iter()
        .map(|r| PackageReport {
            package_id: r.package_id.clone(),
            result: r.result.key().to_string(),
            reason: r.reason.map(|k| k.key().to_string()),
            ok: r.ok(strict),
            detail: r.error.as_ref().map(|(e, _)| code_and_message(e)),
            task_id: r.task_id.clone(),
            elapsed: r.known_at,
        })
        .collect()
}
