//! The JSON documents of the commands. Their doc comments are the contract: they become the
//! descriptions of the JSON Schema that `dataarts-release schema` prints.

use dataarts_release::{
    DeployStatus, PackageDetail, PackageItem, PendingItem, ReleasePackage, SubTask, SystemTask,
    TaskType, UpdateType,
};
use schemars::JsonSchema;
use serde::Serialize;

use super::{status_name, time, ErrorJson, SCHEMA_VERSION};

/// Every value of a package's or an item's `status` (see `status_name`).
pub const PACKAGE_STATUSES: [&str; 5] = [
    "awaiting_review",
    "releasing",
    "released",
    "failed",
    "unknown",
];
/// Every value of `task_type`, and null.
pub const TASK_TYPES: [Option<&str>; 5] = [
    Some("job"),
    Some("script"),
    Some("resource"),
    Some("unknown"),
    None,
];
/// Every value of `update_type`, and null.
pub const UPDATE_TYPES: [Option<&str>; 5] = [
    Some("add"),
    Some("modify"),
    Some("delete"),
    Some("unknown"),
    None,
];

fn task_type_name(t: Option<TaskType>) -> Option<&'static str> {
    t.map(|t| match t {
        TaskType::Job => "job",
        TaskType::Script => "script",
        TaskType::Resource => "resource",
        TaskType::Unknown(_) => "unknown",
    })
}

fn update_type_name(t: Option<UpdateType>) -> Option<&'static str> {
    t.map(|t| match t {
        UpdateType::Add => "add",
        UpdateType::Modify => "modify",
        UpdateType::Delete => "delete",
        UpdateType::Unknown(_) => "unknown",
    })
}

/// A user who approves the package's release.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Approver")]
pub struct ApproverJson {
    /// IAM user id; null when the service did not say.
    pub user_id: Option<String>,
    /// IAM user name; null when the service did not say.
    pub user_name: Option<String>,
}

/// A release package as the service describes it.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Package")]
pub struct PackageJson {
    /// Release package id (a decimal number, as a string).
    pub id: String,
    /// Package name; null when the service did not say.
    pub name: Option<String>,
    /// Release status: `awaiting_review` (can be released or revoked), `releasing`,
    /// `released`, `failed`, or `unknown` (a status code this version does not know; see
    /// `status_code`). A revoked package keeps its status and has `revoked` true.
    #[schemars(extend("enum" = PACKAGE_STATUSES))]
    pub status: &'static str,
    /// The service's `deploy_status` number (1 awaiting review, 2 released, 3 failed,
    /// 5 releasing); null when the service did not send one.
    pub status_code: Option<i32>,
    /// True when the package was revoked (the service's `delete_flag` 1).
    pub revoked: bool,
    /// IAM user id of the applicant; null when the service did not say.
    pub applicant_id: Option<String>,
    /// IAM user name of the applicant; null when the service did not say.
    pub applicant_name: Option<String>,
    /// When the release was applied for: RFC 3339, UTC, whole seconds; null when unknown.
    pub applied_at: Option<String>,
    /// IAM user id of whoever released it; null until it is released.
    pub deployer_id: Option<String>,
    /// IAM user name of whoever released it; null until it is released.
    pub deployer_name: Option<String>,
    /// When it was released: RFC 3339, UTC, whole seconds; null until it is released.
    pub deployed_at: Option<String>,
    /// The approvers, in the service's order (possibly empty).
    pub approvers: Vec<ApproverJson>,
    /// DataArts Studio workspace id; null when the service did not say.
    pub workspace_id: Option<String>,
}

impl From<&ReleasePackage> for PackageJson {
    fn from(p: &ReleasePackage) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            status: status_name(p.deploy_status),
            status_code: p.deploy_status.map(DeployStatus::code),
            revoked: p.deleted,
            applicant_id: p.apply_user_id.clone(),
            applicant_name: p.apply_user_name.clone(),
            applied_at: time(p.apply_time),
            deployer_id: p.deploy_user_id.clone(),
            deployer_name: p.deploy_user_name.clone(),
            deployed_at: time(p.deploy_time),
            approvers: p
                .approvers
                .iter()
                .map(|a| ApproverJson {
                    user_id: a.user_id.clone(),
                    user_name: a.user_name.clone(),
                })
                .collect(),
            workspace_id: p.workspace_id.clone(),
        }
    }
}

/// What `packages list --output json` prints.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PackagesList")]
pub struct PackageListJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// The packages of the page (or of every page with `--all`), in the service's order.
    pub packages: Vec<PackageJson>,
    /// How many packages match the filters, as the service reports it (with `--all`, the
    /// number of packages returned); null when the service did not say.
    pub total: Option<u32>,
    /// Position of the first package in the full listing (0 with `--all`).
    pub offset: u32,
    /// Page size asked for (1 to 100).
    pub limit: u32,
    /// True when every page was read (`--all`).
    pub all: bool,
}

/// One task (job, script or resource) held by a release package.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PackageItem")]
pub struct PackageItemJson {
    /// Id of the pending item it was packaged from; null when the service did not say.
    pub pending_item_id: Option<String>,
    /// Task name; null when the service did not say.
    pub name: Option<String>,
    /// What kind of task: `job`, `script`, `resource`, `unknown` (a type this version does
    /// not know), or null when the service did not say.
    #[schemars(extend("enum" = TASK_TYPES))]
    pub task_type: Option<&'static str>,
    /// The change it brings: `add`, `modify`, `delete`, `unknown`, or null when the service
    /// did not say.
    #[schemars(extend("enum" = UPDATE_TYPES))]
    pub update_type: Option<&'static str>,
    /// Release status of the item, in the same words as a package's `status`.
    #[schemars(extend("enum" = PACKAGE_STATUSES))]
    pub status: &'static str,
    /// Job start status as the service sent it (2 started, 3 not started); null when absent.
    pub start_job_status: Option<i32>,
    /// Version currently released; null when none is.
    pub deployed_version: Option<i32>,
    /// Version this package releases; null when the service did not say.
    pub pending_version: Option<i32>,
    /// When the change was submitted: RFC 3339, UTC, whole seconds; null when unknown.
    pub submitted_at: Option<String>,
    /// User name of the submitter; null when the service did not say.
    pub submitter_name: Option<String>,
}

impl From<&PackageItem> for PackageItemJson {
    fn from(i: &PackageItem) -> Self {
        Self {
            pending_item_id: i.pending_item_id.as_ref().map(ToString::to_string),
            name: i.name.clone(),
            task_type: task_type_name(i.task_type),
            update_type: update_type_name(i.update_type),
            status: status_name(i.deploy_status),
            start_job_status: i.start_job_status,
            deployed_version: i.deployed_version,
            pending_version: i.pending_version,
            submitted_at: time(i.submit_time),
            submitter_name: i.submit_user_name.clone(),
        }
    }
}

/// What `packages show --output json` prints.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PackagesShow")]
pub struct PackageShowJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// The package.
    pub package: PackageJson,
    /// The tasks it holds, in the service's order.
    pub items: Vec<PackageItemJson>,
}

impl From<&PackageDetail> for PackageShowJson {
    fn from(d: &PackageDetail) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            package: (&d.package).into(),
            items: d.items.iter().map(Into::into).collect(),
        }
    }
}

/// What `packages cancel --output json` prints once the service revoked the packages.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PackagesCancel")]
pub struct CancelJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// The revoked package ids, as given.
    pub cancelled: Vec<String>,
}

/// A change waiting to be packaged.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PendingItem")]
pub struct PendingItemJson {
    /// Pending item id (what `pending package` takes).
    pub id: String,
    /// Task name; null when the service did not say.
    pub name: Option<String>,
    /// What kind of task: `job`, `script`, `resource`, `unknown`, or null when the service
    /// did not say.
    #[schemars(extend("enum" = TASK_TYPES))]
    pub task_type: Option<&'static str>,
    /// The change: `add`, `modify`, `delete`, `unknown`, or null when the service did not say.
    #[schemars(extend("enum" = UPDATE_TYPES))]
    pub update_type: Option<&'static str>,
    /// True when the item is already in a release package.
    pub packaged: bool,
    /// Version currently released; null when none is.
    pub deployed_version: Option<i32>,
    /// Version waiting to be released; null when the service did not say.
    pub pending_version: Option<i32>,
    /// When it was submitted: RFC 3339, UTC, whole seconds; null when unknown.
    pub submitted_at: Option<String>,
    /// IAM user id of the submitter; null when the service did not say.
    pub submitter_id: Option<String>,
    /// User name of the submitter; null when the service did not say.
    pub submitter_name: Option<String>,
}

impl From<&PendingItem> for PendingItemJson {
    fn from(i: &PendingItem) -> Self {
        Self {
            id: i.id.to_string(),
            name: i.name.clone(),
            task_type: task_type_name(i.task_type),
            update_type: update_type_name(i.update_type),
            packaged: i.package_flag == Some(1),
            deployed_version: i.deployed_version,
            pending_version: i.pending_version,
            submitted_at: time(i.submit_time),
            submitter_id: i.submit_user_id.clone(),
            submitter_name: i.submit_user_name.clone(),
        }
    }
}

/// What `pending list --output json` prints.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PendingList")]
pub struct PendingListJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// The items of the page (or of every page with `--all`), in the service's order.
    pub items: Vec<PendingItemJson>,
    /// How many items match the filters, as the service reports it (with `--all`, the number
    /// of items returned); null when the service did not say.
    pub total: Option<u32>,
    /// Position of the first item in the full listing (0 with `--all`).
    pub offset: u32,
    /// Page size asked for (1 to 100).
    pub limit: u32,
    /// True when every page was read (`--all`).
    pub all: bool,
}

/// What `pending package --output json` prints once the package is created.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "PendingPackage")]
pub struct CreatedJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// Id of the new release package (what `deploy` takes).
    pub package_id: String,
    /// Its name; null when the service did not echo it.
    pub name: Option<String>,
    /// The pending item ids it holds.
    pub items: Vec<String>,
}

/// One step of a system task.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "SubTask")]
pub struct SubTaskJson {
    /// Subtask id; null when the service did not say.
    pub id: Option<String>,
    /// Name; null when the service did not say.
    pub name: Option<String>,
    /// `RUNNING`, `SUCCESSFUL`, `FAILED`, or any other status the service sent, verbatim.
    pub status: String,
    /// When it started: RFC 3339, UTC, whole seconds; null when unknown.
    pub started_at: Option<String>,
    /// When it ended: RFC 3339, UTC, whole seconds; null while it runs.
    pub ended_at: Option<String>,
}

impl From<&SubTask> for SubTaskJson {
    fn from(s: &SubTask) -> Self {
        Self {
            id: s.id.clone(),
            name: s.name.clone(),
            status: s.status.to_string(),
            started_at: time(s.start_time),
            ended_at: time(s.end_time),
        }
    }
}

/// An asynchronous system task (a release's `task_id`).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Task")]
pub struct TaskJson {
    /// Task id.
    pub id: String,
    /// Name; null when the service did not say.
    pub name: Option<String>,
    /// `RUNNING`, `SUCCESSFUL`, `FAILED`, or any other status the service sent, verbatim.
    pub status: String,
    /// When it started: RFC 3339, UTC, whole seconds; null when unknown.
    pub started_at: Option<String>,
    /// When it ended: RFC 3339, UTC, whole seconds; null while it runs.
    pub ended_at: Option<String>,
    /// The service's message (often the reason of a failure); null when it sent none.
    pub message: Option<String>,
    /// How many subtasks have finished (successfully or not).
    pub subtasks_completed: usize,
    /// How many subtasks the task has.
    pub subtasks_total: usize,
    /// The subtasks, in the service's order.
    pub subtasks: Vec<SubTaskJson>,
}

impl From<&SystemTask> for TaskJson {
    fn from(t: &SystemTask) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name.clone(),
            status: t.status.to_string(),
            started_at: time(t.start_time),
            ended_at: time(t.end_time),
            message: t.message.clone(),
            subtasks_completed: t.completed_subtasks(),
            subtasks_total: t.subtasks.len(),
            subtasks: t.subtasks.iter().map(Into::into).collect(),
        }
    }
}

/// What `tasks show --output json` prints, and `tasks wait --output json` once the task has
/// ended (exit 0 when it ended SUCCESSFUL, 1 otherwise).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "TaskShow")]
pub struct TaskShowJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// The task.
    pub task: TaskJson,
}

/// What happened to one package of a `deploy`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "DeployPackage")]
pub struct DeployPackageJson {
    /// Release package id, as given.
    pub package_id: String,
    /// What happened to it (see the values' descriptions).
    pub result: crate::deploy_keys::ResultKey,
    /// The package's own state that explains the result: set for `already_released`,
    /// `refused`, `not_sent` after `--all-or-nothing` read it, and the `--dry-run` results;
    /// null when it was not read.
    pub reason: Option<crate::deploy_keys::ReasonKey>,
    /// The release task (`asy_task_id`, what `tasks show` takes); null when no release was
    /// started or the service did not name one.
    pub task_id: Option<String>,
    /// Finished subtasks of the release; null when not known.
    pub subtasks_completed: Option<usize>,
    /// All subtasks of the release; null when not known.
    pub subtasks_total: Option<usize>,
    /// The error behind the result, when one explains it: always for `refused`; for
    /// `not_sent`, `unknown` or `would_refuse` when a request failed; null otherwise.
    pub error: Option<ErrorJson>,
}

/// How many packages ended with each result.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[schemars(rename = "DeploySummary")]
pub struct DeploySummaryJson {
    /// Ids requested (the length of `packages`).
    pub requested: usize,
    /// Releases started by this run and not (yet) known to have failed (`releasing` and
    /// `released`).
    pub released: usize,
    /// Releases that ended FAILED.
    pub failed: usize,
    /// Packages the service refused (`refused`), or with `--dry-run` would refuse
    /// (`would_refuse`).
    pub refused: usize,
    /// Packages whose outcome is unknown (`unknown`): re-run the command to settle them.
    pub unknown: usize,
    /// Packages already released or being released before this run (nothing sent).
    pub already_released: usize,
    /// Packages not sent (held back by `--all-or-nothing`, after an interruption, or because the
    /// request could not reach the service).
    pub not_sent: usize,
    /// `--dry-run`: packages a release would be sent for.
    pub would_release: usize,
}

/// What `deploy --output json` prints once the ids are valid: every id's result (with
/// `--dry-run`, the plan), on success and also when packages were refused or not sent, a
/// release failed, the wait timed out or the run was interrupted.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Deploy")]
pub struct DeployJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// True when every package ended released: released by this run, or already released
    /// or releasing (only the former with `--strict`; with `--dry-run`, would end released)
    /// and, with `--wait`, every release succeeded. The exit code is 0 exactly when this is
    /// true.
    pub ok: bool,
    /// True when `--wait` followed the releases to their end.
    pub waited: bool,
    /// True when jobs are started after the release (false with `--no-start`).
    pub start_jobs: bool,
    /// True with `--dry-run`: the states were read, no release was sent, and the results
    /// are the plan.
    pub dry_run: bool,
    /// True with `--strict`: a package not released by this run counts as a failure.
    pub strict: bool,
    /// True with `--all-or-nothing`: nothing is sent unless every package can be released.
    pub all_or_nothing: bool,
    /// The signal that interrupted the run (exit 130 for `SIGINT`, 143 for `SIGTERM`);
    /// results are then as last known, and releases already accepted continue on the
    /// service. Null when not interrupted.
    pub interrupted: Option<crate::deploy_keys::SignalKey>,
    /// Deploy requests sent (batches of at most 100 ids, plus re-sends).
    pub requests: usize,
    /// How many packages ended with each result.
    pub summary: DeploySummaryJson,
    /// One entry per requested id, in the order given.
    pub packages: Vec<DeployPackageJson>,
    /// Why waiting stopped early (a timeout, exit 4, or a polling error); the results are
    /// then as last known. Null otherwise.
    pub error: Option<ErrorJson>,
}

#[cfg(test)]
mod tests {
    use super::*;

    // The schema lists the values these fields can take; every value the mapping can
    // produce must be among them.
    #[test]
    fn the_schema_lists_every_value_of_the_enumerated_fields() {
        for code in -1..=10 {
            let s = status_name(Some(DeployStatus::from_code(code)));
            assert!(PACKAGE_STATUSES.contains(&s), "status {code} -> {s}");
            let t = task_type_name(Some(TaskType::from_code(code)));
            assert!(TASK_TYPES.contains(&t), "task type {code} -> {t:?}");
            let u = update_type_name(Some(UpdateType::from_code(code)));
            assert!(UPDATE_TYPES.contains(&u), "update type {code} -> {u:?}");
        }
        assert!(PACKAGE_STATUSES.contains(&status_name(None)));
        assert!(TASK_TYPES.contains(&task_type_name(None)));
        assert!(UPDATE_TYPES.contains(&update_type_name(None)));
    }
}
