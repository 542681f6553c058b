//! Domain types returned by the client, converted from the raw wire types.

pub use dataarts_release_raw::status::{DeployStatus, ReleaseState, TaskStatus};
use dataarts_release_raw::types as raw;
pub use dataarts_release_raw::EpochMillis;

use crate::ids::{PackageId, PendingItemId, TaskId};

/// Kind of a task inside a package (`task_type`).
///
/// ```
/// assert_eq!(dataarts_release::TaskType::from_code(2), dataarts_release::TaskType::Script);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskType {
    /// `1`: a job.
    Job,
    /// `2`: a script.
    Script,
    /// `3`: a resource.
    Resource,
    /// Any other value.
    Unknown(i32),
}

impl TaskType {
    /// Maps the wire value.
    ///
    /// ```
    /// assert_eq!(dataarts_release::TaskType::from_code(1).code(), 1);
    /// ```
    pub fn from_code(code: i32) -> Self {
        match code {
            1 => Self::Job,
            2 => Self::Script,
            3 => Self::Resource,
            other => Self::Unknown(other),
        }
    }

    /// The wire value.
    ///
    /// ```
    /// assert_eq!(dataarts_release::TaskType::Resource.code(), 3);
    /// ```
    pub fn code(self) -> i32 {
        match self {
            Self::Job => 1,
            Self::Script => 2,
            Self::Resource => 3,
            Self::Unknown(c) => c,
        }
    }
}

/// Kind of change (`update_type`).
///
/// ```
/// assert_eq!(dataarts_release::UpdateType::from_code(3), dataarts_release::UpdateType::Delete);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateType {
    /// `1`: added.
    Add,
    /// `2`: modified.
    Modify,
    /// `3`: deleted.
    Delete,
    /// Any other value.
    Unknown(i32),
}

impl UpdateType {
    /// Maps the wire value.
    ///
    /// ```
    /// assert_eq!(dataarts_release::UpdateType::from_code(2), dataarts_release::UpdateType::Modify);
    /// ```
    pub fn from_code(code: i32) -> Self {
        match code {
            1 => Self::Add,
            2 => Self::Modify,
            3 => Self::Delete,
            other => Self::Unknown(other),
        }
    }

    /// The wire value.
    ///
    /// ```
    /// assert_eq!(dataarts_release::UpdateType::Add.code(), 1);
    /// ```
    pub fn code(self) -> i32 {
        match self {
            Self::Add => 1,
            Self::Modify => 2,
            Self::Delete => 3,
            Self::Unknown(c) => c,
        }
    }
}

/// An approver named on a package.
///
/// ```
/// let a = dataarts_release::Approver::default();
/// assert!(a.user_id.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Approver {
    /// User id.
    pub user_id: Option<String>,
    /// User name.
    pub user_name: Option<String>,
}

/// A release package (ops "list packages" and "show package").
///
/// ```
/// # fn f(p: &dataarts_release::ReleasePackage) {
/// if p.is_awaiting_review() { println!("{} can be released", p.id); }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ReleasePackage {
    /// Package id.
    pub id: PackageId,
    /// Package name.
    pub name: Option<String>,
    /// Release status; `None` if the server left it out.
    pub deploy_status: Option<DeployStatus>,
    /// `delete_flag == 1` (revoked, in the emulator's model).
    pub deleted: bool,
    /// Applicant id.
    pub apply_user_id: Option<String>,
    /// Applicant name.
    pub apply_user_name: Option<String>,
    /// Application time.
    pub apply_time: Option<EpochMillis>,
    /// Deployer id.
    pub deploy_user_id: Option<String>,
    /// Deployer name.
    pub deploy_user_name: Option<String>,
    /// Release time.
    pub deploy_time: Option<EpochMillis>,
    /// Approvers.
    pub approvers: Vec<Approver>,
    /// Workspace id.
    pub workspace_id: Option<String>,
    /// Composite project field, opaque.
    pub project_id: Option<String>,
}

impl ReleasePackage {
    /// "Awaiting review" means `deploy_status == 1` and not deleted: the only state a
    /// release accepts.
    ///
    /// ```
    /// # fn f(p: &dataarts_release::ReleasePackage) -> bool {
    /// p.is_awaiting_review()
    /// # }
    /// ```
    pub fn is_awaiting_review(&self) -> bool {
        self.deploy_status == Some(DeployStatus::AwaitingReview) && !self.deleted
    }
}

impl From<raw::ReleasePackage> for ReleasePackage {
    fn from(p: raw::ReleasePackage) -> Self {
        Self {
            id: PackageId::new(p.package_id.unwrap_or_default()),
            name: p.package_name,
            deploy_status: p.deploy_status.map(DeployStatus::from_code),
            deleted: p.delete_flag.unwrap_or(0) != 0,
            apply_user_id: p.apply_user_id,
            apply_user_name: p.apply_user_name,
            apply_time: p.apply_timestamp,
            deploy_user_id: p.deploy_user_id,
            deploy_user_name: p.deploy_user_name,
            deploy_time: p.deploy_timestamp,
            approvers: p
                .package_approvers
                .into_iter()
                .map(|a| Approver {
                    user_id: a.user_id,
                    user_name: a.user_name,
                })
                .collect(),
            workspace_id: p.workspace_id,
            project_id: p.project_id,
        }
    }
}

/// One job, script or resource in a package.
///
/// ```
/// # fn f(i: &dataarts_release::PackageItem) { println!("{:?}", i.name); }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PackageItem {
    /// The pending item it came from.
    pub pending_item_id: Option<PendingItemId>,
    /// Task name.
    pub name: Option<String>,
    /// Job id.
    pub task_id: Option<String>,
    /// Script id.
    pub script_id: Option<String>,
    /// Job, script or resource.
    pub task_type: Option<TaskType>,
    /// Added, modified or deleted.
    pub update_type: Option<UpdateType>,
    /// Per-item release status.
    pub deploy_status: Option<DeployStatus>,
    /// Job start status after a release with started jobs: `2` successful, `3` failed.
    pub start_job_status: Option<i32>,
    /// Version in production.
    pub deployed_version: Option<i32>,
    /// Version being released.
    pub pending_version: Option<i32>,
    /// Submit time.
    pub submit_time: Option<EpochMillis>,
    /// Submitter id.
    pub submit_user_id: Option<String>,
    /// Submitter name.
    pub submit_user_name: Option<String>,
}

impl From<raw::TaskDetail> for PackageItem {
    fn from(t: raw::TaskDetail) -> Self {
        Self {
            pending_item_id: t.pending_item_id.map(PendingItemId::new),
            name: t.item_name,
            task_id: t.task_id,
            script_id: t.script_id,
            task_type: t.task_type.map(TaskType::from_code),
            update_type: t.update_type.map(UpdateType::from_code),
            deploy_status: t.deploy_status.map(DeployStatus::from_code),
            start_job_status: t.start_job_status,
            deployed_version: t.deployed_version,
            pending_version: t.pending_version,
            submit_time: t.submit_timestamp,
            submit_user_id: t.submit_user_id,
            submit_user_name: t.submit_user_name,
        }
    }
}

/// A package with its items ("show package").
///
/// ```
/// # fn f(d: &dataarts_release::PackageDetail) { println!("{} items", d.items.len()); }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PackageDetail {
    /// The package.
    pub package: ReleasePackage,
    /// Its items.
    pub items: Vec<PackageItem>,
}

impl From<raw::ShowPackageDetailResponse> for PackageDetail {
    fn from(r: raw::ShowPackageDetailResponse) -> Self {
        Self {
            package: r.release_package.into(),
            items: r.task_details.into_iter().map(Into::into).collect(),
        }
    }
}

/// An item waiting to be packaged (op "list pending items").
///
/// ```
/// # fn f(i: &dataarts_release::PendingItem) { println!("{} {:?}", i.id, i.name); }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PendingItem {
    /// Pending item id (input to `package_pending_items`).
    pub id: PendingItemId,
    /// Task name.
    pub name: Option<String>,
    /// Job or script id.
    pub task_id: Option<String>,
    /// Job or script.
    pub task_type: Option<TaskType>,
    /// Added, modified or deleted.
    pub update_type: Option<UpdateType>,
    /// `0` not packaged; other values undocumented.
    pub package_flag: Option<i32>,
    /// Version in production.
    pub deployed_version: Option<i32>,
    /// Version waiting for release.
    pub pending_version: Option<i32>,
    /// Submit time.
    pub submit_time: Option<EpochMillis>,
    /// Submitter id (usable as `apply_user_id`).
    pub submit_user_id: Option<String>,
    /// Submitter name.
    pub submit_user_name: Option<String>,
    /// Composite project field, opaque.
    pub project_id: Option<String>,
}

impl From<raw::PendingItem> for PendingItem {
    fn from(p: raw::PendingItem) -> Self {
        Self {
            id: PendingItemId::new(p.pending_item_id.unwrap_or_default()),
            name: p.item_name,
            task_id: p.task_id,
            task_type: p.task_type.map(TaskType::from_code),
            update_type: p.update_type.map(UpdateType::from_code),
            package_flag: p.package_flag,
            deployed_version: p.deployed_version,
            pending_version: p.pending_version,
            submit_time: p.submit_timestamp,
            submit_user_id: p.submit_user_id,
            submit_user_name: p.submit_user_name,
            project_id: p.project_id,
        }
    }
}

/// One page of a list.
///
/// ```
/// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
/// let page = client.list_packages().limit(20).send().await?;
/// println!("{} of {:?}", page.items.len(), page.total);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// Items on this page.
    pub items: Vec<T>,
    /// Total number of matching items, when the server says.
    pub total: Option<u32>,
    /// Row offset of this page.
    pub offset: u32,
    /// Requested page size.
    pub limit: u32,
}

/// A subtask of a system task (one per item of a released package).
///
/// ```
/// # fn f(s: &dataarts_release::SubTask) { println!("{:?} {}", s.name, s.status); }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SubTask {
    /// Subtask id.
    pub id: Option<String>,
    /// Human name, e.g. "Release the job_batch job.".
    pub name: Option<String>,
    /// Status.
    pub status: TaskStatus,
    /// Start time.
    pub start_time: Option<EpochMillis>,
    /// End time (when finished).
    pub end_time: Option<EpochMillis>,
    /// Last update.
    pub last_update: Option<EpochMillis>,
    /// Parent task id, when sent.
    pub task_id: Option<String>,
}

impl From<raw::SubTask> for SubTask {
    fn from(s: raw::SubTask) -> Self {
        Self {
            id: s.id,
            name: s.name,
            status: TaskStatus::from_wire(s.status.as_deref().unwrap_or("")),
            start_time: s.start_time,
            end_time: s.end_time,
            last_update: s.last_update,
            task_id: s.task_id,
        }
    }
}

/// An asynchronous system task, e.g. the release of one package.
///
/// ```
/// # fn f(t: &dataarts_release::SystemTask) {
/// println!("{} {}: {}/{} subtasks done", t.id, t.status, t.completed_subtasks(), t.subtasks.len());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SystemTask {
    /// Task id.
    pub id: TaskId,
    /// Human name.
    pub name: Option<String>,
    /// Status.
    pub status: TaskStatus,
    /// Start time.
    pub start_time: Option<EpochMillis>,
    /// End time (final states only).
    pub end_time: Option<EpochMillis>,
    /// Last update.
    pub last_update: Option<EpochMillis>,
    /// Project id, when sent.
    pub project_id: Option<String>,
    /// Message (older API revisions).
    pub message: Option<String>,
    /// Subtasks (read from `subtasks`, falling back to `subTasks`).
    pub subtasks: Vec<SubTask>,
}

impl SystemTask {
    /// Subtasks in a final state.
    ///
    /// ```
    /// # fn f(t: &dataarts_release::SystemTask) -> usize { t.completed_subtasks() }
    /// ```
    pub fn completed_subtasks(&self) -> usize {
        self.subtasks.iter().filter(|s| s.status.is_final()).count()
    }
}

impl From<raw::SystemTask> for SystemTask {
    fn from(t: raw::SystemTask) -> Self {
        let subs = if t.subtasks.is_empty() {
            t.sub_tasks
        } else {
            t.subtasks
        };
        Self {
            id: TaskId::new(t.id),
            name: t.name,
            status: TaskStatus::from_wire(&t.status),
            start_time: t.start_time,
            end_time: t.end_time,
            last_update: t.last_update,
            project_id: t.project_id,
            message: t.message,
            subtasks: subs.into_iter().map(Into::into).collect(),
        }
    }
}

/// A package created from pending items.
///
/// ```
/// # fn f(p: &dataarts_release::CreatedPackage) { println!("new package {}", p.id); }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CreatedPackage {
    /// The new package's id.
    pub id: PackageId,
    /// Its name.
    pub name: Option<String>,
}

/// Sort direction for package lists.
///
/// ```
/// assert_eq!(dataarts_release::SortDirection::Asc.as_str(), "asc");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    /// Ascending.
    Asc,
    /// Descending (the server's default).
    Desc,
}

impl SortDirection {
    /// The wire value.
    ///
    /// ```
    /// assert_eq!(dataarts_release::SortDirection::Desc.as_str(), "desc");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_task_reads_either_subtask_key() {
        let a: raw::SystemTask = serde_json::from_str(
            r#"{"id":"t","status":"RUNNING","subTasks":[{"id":"s","status":"SUCCESSFUL"}]}"#,
        )
        .unwrap();
        let t = SystemTask::from(a);
        assert_eq!(t.subtasks.len(), 1);
        assert_eq!(t.completed_subtasks(), 1);
        let b: raw::SystemTask = serde_json::from_str(
            r#"{"id":"t","status":"weird","subtasks":[{"id":"s","status":"RUNNING","startTime":"1"}]}"#,
        )
        .unwrap();
        let t = SystemTask::from(b);
        assert_eq!(t.status, TaskStatus::Unknown("weird".into()));
        assert_eq!(t.completed_subtasks(), 0);
    }

    #[test]
    fn serialises_for_json_output() {
        assert_eq!(
            serde_json::to_value(DeployStatus::AwaitingReview).unwrap(),
            "awaiting_review"
        );
        assert_eq!(
            serde_json::to_value(DeployStatus::Unknown(9)).unwrap(),
            serde_json::json!({"unknown": 9})
        );
        assert_eq!(
            serde_json::to_value(TaskStatus::Successful).unwrap(),
            "successful"
        );
        let t: raw::SystemTask =
            serde_json::from_str(r#"{"id":"t","status":"RUNNING","startTime":5}"#).unwrap();
        let v = serde_json::to_value(SystemTask::from(t)).unwrap();
        assert_eq!(v["id"], "t");
        assert_eq!(v["start_time"], 5);
    }
}
