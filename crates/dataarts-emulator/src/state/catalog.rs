//! The records of projects, workspaces, users, pending items and release packages, and the
//! lookups every operation shares (project, workspace, user name).

use std::collections::HashMap;
use std::sync::Arc;

use dataarts_release_raw::status::{DeployStatus, StartJobStatus};

use crate::error::ApiError;

/// A workspace user.
#[derive(Debug)]
pub(super) struct User {
    pub name: Arc<str>,
    pub roles: Vec<String>,
}

/// A workspace of a project.
#[derive(Debug)]
pub(super) struct Workspace {
    pub id: Arc<str>,
    pub is_default: bool,
}

/// A pending item: a submitted job or script version waiting to be packaged and released.
#[derive(Debug)]
pub(super) struct PendingRec {
    pub workspace: Arc<str>,
    pub item_name: String,
    pub task_id: Option<String>,
    pub script_id: Option<String>,
    pub task_type: i32,
    pub update_type: i32,
    pub deployed_version: i32,
    pub pending_version: i32,
    pub submit_timestamp: i64,
    pub submit_user_id: Arc<str>,
    /// The package holding this item, if any (its `package_flag` is 1 while it has one).
    pub package: Option<String>,
    /// Released successfully: no longer listed among the pending items.
    pub released: bool,
}

/// One item of a release package.
#[derive(Debug)]
pub(super) struct PackageItem {
    pub pending_item_id: String,
    pub deploy_status: DeployStatus,
    pub start_job_status: Option<StartJobStatus>,
}

/// A release package.
#[derive(Debug)]
pub(super) struct PackageRec {
    pub id_num: i64,
    pub workspace: Arc<str>,
    pub name: String,
    pub apply_timestamp: i64,
    pub apply_user_id: Arc<str>,
    pub approver_ids: Vec<Arc<str>>,
    pub deploy_status: DeployStatus,
    /// Revoked (`delete_flag` 1 on the wire); the status is kept.
    pub revoked: bool,
    pub deploy_timestamp: Option<i64>,
    pub deploy_user_id: Option<Arc<str>>,
    /// The last release asked to start the jobs once released (`startup_mode` 1).
    pub start_jobs: bool,
    pub items: Vec<PackageItem>,
    /// The task id the next release takes instead of a random one (from the fixtures).
    pub release_task_id: Option<String>,
}

impl PackageRec {
    /// Whether its items are unavailable to a new package: a revoke or a failed release
    /// frees them.
    pub fn blocks_repackaging(&self) -> bool {
        !self.revoked && self.deploy_status != DeployStatus::Failed
    }
}

/// A project's workspaces, packages and pending items (keyed by id).
#[derive(Debug, Default)]
pub(super) struct Project {
    pub workspaces: Vec<Workspace>,
    pub packages: HashMap<String, PackageRec>,
    pub pending: HashMap<String, PendingRec>,
}

/// Every project and user.
#[derive(Debug, Default)]
pub(super) struct Catalog {
    pub projects: HashMap<String, Project>,
    pub users: HashMap<Arc<str>, User>,
    /// The id the next new package gets (if free).
    pub next_id: i64,
    /// Check approvers' roles when packaging.
    pub enforce_roles: bool,
    /// Packages created by packaging requests since the start or the last reset (at most
    /// [`MAX_CREATED_PACKAGES`]).
    pub created: usize,
}

/// Most packages packaging requests may create between resets: a client that packages and
/// revokes in a loop cannot grow the state without bound.
pub(crate) const MAX_CREATED_PACKAGES: usize = 10_000;

impl Catalog {
    pub fn project(&self, project: &str) -> Result<&Project, ApiError> {
        self.projects
            .get(project)
            .ok_or_else(|| ApiError::workspace(format!("project {project} has no workspace")))
    }

    pub fn project_mut(&mut self, project: &str) -> Result<&mut Project, ApiError> {
        self.projects
            .get_mut(project)
            .ok_or_else(|| ApiError::workspace(format!("project {project} has no workspace")))
    }

    /// Resolves the workspace: the header's value, or the default workspace.
    pub fn workspace(&self, project: &str, header: Option<&str>) -> Result<Arc<str>, ApiError> {
        let p = self.project(project)?;
        match header {
            Some(id) => p
                .workspaces
                .iter()
                .find(|w| &*w.id == id)
                .map(|w| w.id.clone())
                .ok_or_else(|| {
                    ApiError::workspace(format!(
                        "Workspace {} does not exist in project {project}.",
                        crate::journal::cap_text(id, 128)
                    ))
                }),
            None => p
                .workspaces
                .iter()
                .find(|w| w.is_default)
                .map(|w| w.id.clone())
                .ok_or_else(|| {
                    ApiError::workspace(format!(
                        "No workspace header was sent and project {project} has no default workspace."
                    ))
                }),
        }
    }

    pub fn user_name(&self, id: &str) -> Option<String> {
        self.users.get(id).map(|u| u.name.to_string())
    }
}
