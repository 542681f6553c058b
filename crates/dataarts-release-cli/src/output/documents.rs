//! The JSON documents of the commands (the schema documented in the README).

use dataarts_release::{
    DeployStatus, PackageDetail, PackageItem, PendingItem, ReleasePackage, SubTask, SystemTask,
    TaskType, UpdateType,
};
use serde::Serialize;

use super::{status_name, time, ErrorJson, SCHEMA_VERSION};

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

/// An approver.
#[derive(Debug, Serialize)]
pub struct ApproverJson {
    /// User id.
    pub user_id: Option<String>,
    /// User name.
    pub user_name: Option<String>,
}

/// A release package.
#[derive(Debug, Serialize)]
pub struct PackageJson {
    /// Package id.
    pub id: String,
    /// Package name.
    pub name: Option<String>,
    /// `awaiting_review`, `releasing`, `released`, `failed` or `unknown`.
    pub status: &'static str,
    /// The service's `deploy_status` number.
    pub status_code: Option<i32>,
    /// Revoked (`delete_flag` 1).
    pub revoked: bool,
    /// Applicant user id.
    pub applicant_id: Option<String>,
    /// Applicant user name.
    pub applicant_name: Option<String>,
    /// Application time (RFC 3339).
    pub applied_at: Option<String>,
    /// Deployer user id.
    pub deployer_id: Option<String>,
    /// Deployer user name.
    pub deployer_name: Option<String>,
    /// Release time (RFC 3339).
    pub deployed_at: Option<String>,
    /// Approvers.
    pub approvers: Vec<ApproverJson>,
    /// Workspace id.
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

/// `packages list`.
#[derive(Debug, Serialize)]
pub struct PackageListJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The packages.
    pub packages: Vec<PackageJson>,
    /// Total matching packages, as the service reports it.
    pub total: Option<u32>,
    /// Offset of the first package.
    pub offset: u32,
    /// Page size.
    pub limit: u32,
    /// Whether every page was fetched (`--all`).
    pub all: bool,
}

/// An item of a package.
#[derive(Debug, Serialize)]
pub struct PackageItemJson {
    /// The pending item it came from.
    pub pending_item_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// `job`, `script`, `resource` or `unknown`.
    pub task_type: Option<&'static str>,
    /// `add`, `modify`, `delete` or `unknown`.
    pub update_type: Option<&'static str>,
    /// Release status of the item.
    pub status: &'static str,
    /// Job start status (service value).
    pub start_job_status: Option<i32>,
    /// Released version.
    pub deployed_version: Option<i32>,
    /// Version waiting to be released.
    pub pending_version: Option<i32>,
    /// Submission time (RFC 3339).
    pub submitted_at: Option<String>,
    /// Submitter name.
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

/// `packages show`.
#[derive(Debug, Serialize)]
pub struct PackageShowJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The package.
    pub package: PackageJson,
    /// Its items.
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

/// `packages cancel`.
#[derive(Debug, Serialize)]
pub struct CancelJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The revoked package ids.
    pub cancelled: Vec<String>,
}

/// A pending item.
#[derive(Debug, Serialize)]
pub struct PendingItemJson {
    /// Pending item id.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// `job`, `script`, `resource` or `unknown`.
    pub task_type: Option<&'static str>,
    /// `add`, `modify`, `delete` or `unknown`.
    pub update_type: Option<&'static str>,
    /// True when the item is already in a package.
    pub packaged: bool,
    /// Released version.
    pub deployed_version: Option<i32>,
    /// Version waiting to be released.
    pub pending_version: Option<i32>,
    /// Submission time (RFC 3339).
    pub submitted_at: Option<String>,
    /// Submitter user id.
    pub submitter_id: Option<String>,
    /// Submitter name.
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

/// `pending list`.
#[derive(Debug, Serialize)]
pub struct PendingListJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The items.
    pub items: Vec<PendingItemJson>,
    /// Total matching items, as the service reports it.
    pub total: Option<u32>,
    /// Offset of the first item.
    pub offset: u32,
    /// Page size.
    pub limit: u32,
    /// Whether every page was fetched (`--all`).
    pub all: bool,
}

/// `pending package`.
#[derive(Debug, Serialize)]
pub struct CreatedJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The new package's id.
    pub package_id: String,
    /// Its name.
    pub name: Option<String>,
    /// The pending items it holds.
    pub items: Vec<String>,
}

/// A subtask.
#[derive(Debug, Serialize)]
pub struct SubTaskJson {
    /// Subtask id.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// `RUNNING`, `SUCCESSFUL`, `FAILED` or what the service sent.
    pub status: String,
    /// Start time (RFC 3339).
    pub started_at: Option<String>,
    /// End time (RFC 3339).
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

/// A system task.
#[derive(Debug, Serialize)]
pub struct TaskJson {
    /// Task id.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// `RUNNING`, `SUCCESSFUL`, `FAILED` or what the service sent.
    pub status: String,
    /// Start time (RFC 3339).
    pub started_at: Option<String>,
    /// End time (RFC 3339).
    pub ended_at: Option<String>,
    /// The service's message, if any.
    pub message: Option<String>,
    /// Finished subtasks.
    pub subtasks_completed: usize,
    /// All subtasks.
    pub subtasks_total: usize,
    /// The subtasks.
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

/// `tasks show` and `tasks wait`.
#[derive(Debug, Serialize)]
pub struct TaskShowJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The task.
    pub task: TaskJson,
}

/// One package of a `deploy`.
#[derive(Debug, Serialize)]
pub struct DeployPackageJson {
    /// Package id.
    pub package_id: String,
    /// `releasing` (started; without `--wait`), `released`, `failed` (the release ended
    /// FAILED), `refused` (not released) or `unknown` (check it with `packages show`).
    pub result: &'static str,
    /// The release task (`asy_task_id`), when known.
    pub task_id: Option<String>,
    /// Finished subtasks, when known.
    pub subtasks_completed: Option<usize>,
    /// All subtasks, when known.
    pub subtasks_total: Option<usize>,
    /// Why it was not released (`refused`, `unknown`).
    pub error: Option<ErrorJson>,
}

/// Counts per result.
#[derive(Debug, Default, Serialize)]
pub struct DeploySummaryJson {
    /// Ids requested.
    pub requested: usize,
    /// Releases started and not (yet) known to have failed.
    pub released: usize,
    /// Releases that ended FAILED.
    pub failed: usize,
    /// Packages the service refused.
    pub refused: usize,
    /// Packages whose outcome is unknown.
    pub unknown: usize,
}

/// `deploy`.
#[derive(Debug, Serialize)]
pub struct DeployJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// True when every package was released (and, with `--wait`, every release succeeded).
    pub ok: bool,
    /// Whether `--wait` followed the releases to their end.
    pub waited: bool,
    /// Whether jobs are started after the release (false with `--no-start`).
    pub start_jobs: bool,
    /// Deploy requests sent (batches of at most 100, plus reconciliation re-sends).
    pub requests: usize,
    /// Counts.
    pub summary: DeploySummaryJson,
    /// One entry per requested id, in order.
    pub packages: Vec<DeployPackageJson>,
    /// Set when waiting failed (timeout or a polling error); results are then as last known.
    pub error: Option<ErrorJson>,
}
