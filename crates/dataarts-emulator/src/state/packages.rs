//! Release packages: release (all or nothing), list with filters, show one with its items,
//! revoke (all or nothing), and the end of a release.
//!
//! The lifecycle: awaiting review (`deploy_status` 1) -> releasing (5) -> released (2) or
//! failed (3). Only a package awaiting review can be released or revoked; a revoke sets
//! `delete_flag` 1 and keeps the status, and revoked packages stay listed.

use std::sync::Arc;

use dataarts_release_raw::status::{DeployStatus, StartJobStatus};
use dataarts_release_raw::types::{
    DeployBody, DeployPackageDetail, DeployResponse, ListReleasePackagesBody,
    ListReleasePackagesResponse, PackageApprover, ReleasePackage, ShowPackageDetailResponse,
    TaskDetail,
};
use dataarts_release_raw::EpochMillis;

use super::catalog::{Catalog, PackageRec, Project};
use super::tasks::{FinishedRelease, TaskRec, Tasks};
use crate::config::OffsetUnit;
use crate::error::ApiError;
use crate::ids::HexIds;

/// The project and workspace header a request addresses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scope<'a> {
    pub project: &'a str,
    /// The `workspace` header; `None` means the project's default workspace.
    pub workspace: Option<&'a str>,
}

impl Catalog {
    /// Releases packages, all or nothing: each gets a running release task.
    pub fn deploy(
        &mut self,
        tasks: &mut Tasks,
        scope: Scope<'_>,
        body: &DeployBody,
        caller: Option<&str>,
        ids: &HexIds,
        now: i64,
    ) -> Result<DeployResponse, ApiError> {
        let project = scope.project;
        let package_ids = &body.package_ids;
        let startup_mode = *body.startup_mode;
        let ws = self.workspace(project, scope.workspace)?;
        check_awaiting_review(self.project(project)?, &ws, package_ids, "released")?;
        let deployer: Option<Arc<str>> = caller.map(Arc::from);
        let project_arc: Arc<str> = Arc::from(project);
        let mut details = Vec::with_capacity(package_ids.len());
        for id in package_ids {
            let fail = tasks.take_fail_mark(id);
            let Some(proj) = self.projects.get_mut(project) else {
                break;
            };
            let Some(pkg) = proj.packages.get_mut(id) else {
                continue;
            };
            let task_id = pkg
                .release_task_id
                .take()
                .filter(|fixed| !tasks.contains(fixed))
                .unwrap_or_else(|| ids.next());
            pkg.deploy_status = DeployStatus::Releasing;
            pkg.deploy_timestamp = Some(now);
            pkg.deploy_user_id = deployer
                .clone()
                .or_else(|| pkg.approver_ids.first().cloned());
            pkg.start_jobs = startup_mode == 1;
            let mut subtasks = Vec::with_capacity(pkg.items.len());
            for item in &mut pkg.items {
                item.deploy_status = DeployStatus::Releasing;
                item.start_job_status = None;
                let (kind, name) = match proj.pending.get(&item.pending_item_id) {
                    Some(rec) => (kind_name(rec.task_type), rec.item_name.as_str()),
                    None => ("job", item.pending_item_id.as_str()),
                };
                subtasks.push((ids.next(), format!("Release the {name} {kind}.")));
            }
            details.push(DeployPackageDetail {
                asy_subtask_num: Some(i32::try_from(subtasks.len()).unwrap_or(i32::MAX)),
                asy_task_id: Some(task_id.clone()),
                package_id: Some(pkg.id_num),
            });
            let task = TaskRec::release(
                project_arc.clone(),
                id.clone(),
                format!("Release the package [{}].", pkg.name),
                subtasks,
                now,
                fail,
            );
            if let Some(finished) = tasks.start_release(task_id, task, now) {
                self.finish_release(&finished);
            }
        }
        Ok(DeployResponse {
            deploy_package_details: details,
        })
    }

    /// A release task ended: the package and its items take the outcome.
    pub fn finish_release(&mut self, f: &FinishedRelease) {
        let Some(proj) = self.projects.get_mut(&*f.project) else {
            return;
        };
        let Some(pkg) = proj.packages.get_mut(&f.package) else {
            return;
        };
        let status = if f.ok {
            DeployStatus::Succeeded
        } else {
            DeployStatus::Failed
        };
        pkg.deploy_status = status;
        let start_jobs = pkg.start_jobs;
        for item in &mut pkg.items {
            item.deploy_status = status;
            if f.ok && start_jobs {
                item.start_job_status = Some(StartJobStatus::Succeeded);
            }
            if f.ok {
                if let Some(rec) = proj.pending.get_mut(&item.pending_item_id) {
                    rec.released = true;
                    rec.deployed_version = rec.pending_version;
                }
            }
        }
    }

    /// Lists packages with filters, sorting and paging (`offset` counted in `unit`).
    pub fn list_packages(
        &self,
        scope: Scope<'_>,
        body: &ListReleasePackagesBody,
        unit: OffsetUnit,
    ) -> Result<ListReleasePackagesResponse, ApiError> {
        let desc = match body
            .sorted_direction
            .as_deref()
            .map(str::to_ascii_lowercase)
        {
            None => true,
            Some(d) if d == "desc" => true,
            Some(d) if d == "asc" => false,
            Some(d) => {
                return Err(ApiError::invalid(format!(
                    "sorted_direction must be asc or desc, got {:?}",
                    crate::journal::cap_text(&d, 64)
                )))
            }
        };
        let column = body.order_column.as_deref().unwrap_or("apply_timestamp");
        if !matches!(
            column,
            "apply_timestamp"
                | "deploy_timestamp"
                | "package_id"
                | "package_name"
                | "deploy_status"
        ) {
            return Err(ApiError::invalid(format!(
                "order_column must be one of apply_timestamp, deploy_timestamp, package_id, package_name, deploy_status; got {:?}",
                crate::journal::cap_text(column, 64)
            )));
        }
        let offset = match body.offset {
            Some(o) if o < 0 => {
                return Err(ApiError::invalid(format!(
                    "offset must be at least 0, got {o}"
                )))
            }
            Some(o) => o as usize,
            None => 0,
        };
        let limit = body.limit.map_or(10, |l| l.get() as usize);
        let project = scope.project;
        let ws = self.workspace(project, scope.workspace)?;
        let proj = self.project(project)?;
        let key_word = body.key_word.as_deref().map(str::to_lowercase);
        let mut rows: Vec<(&String, &PackageRec)> = Vec::new();
        for (id, p) in &proj.packages {
            if p.workspace != ws {
                continue;
            }
            if let Some(k) = &key_word {
                if !p.name.to_lowercase().contains(k.as_str()) {
                    continue;
                }
            }
            if !body.deploy_status_filter.is_empty()
                && !body.deploy_status_filter.contains(&p.deploy_status.code())
            {
                continue;
            }
            if body.apply_begin_time.is_some_and(|t| p.apply_timestamp < t)
                || body.apply_end_time.is_some_and(|t| p.apply_timestamp > t)
            {
                continue;
            }
            if body.deploy_begin_time.is_some() || body.deploy_end_time.is_some() {
                let Some(d) = p.deploy_timestamp else {
                    continue;
                };
                if body.deploy_begin_time.is_some_and(|t| d < t)
                    || body.deploy_end_time.is_some_and(|t| d > t)
                {
                    continue;
                }
            }
            let apply_name = self.user_name(&p.apply_user_id);
            let deploy_name = p.deploy_user_id.as_deref().and_then(|u| self.user_name(u));
            if !name_matches(
                &apply_name,
                &body.apply_user_name,
                &body.apply_user_name_filter,
            ) {
                continue;
            }
            if !name_matches(
                &deploy_name,
                &body.deploy_user_name,
                &body.deploy_user_name_filter,
            ) {
                continue;
            }
            rows.push((id, p));
        }
        rows.sort_by(|(_, pa), (_, pb)| {
            let primary = match column {
                "deploy_timestamp" => pa.deploy_timestamp.cmp(&pb.deploy_timestamp),
                "package_id" => pa.id_num.cmp(&pb.id_num),
                "package_name" => pa.name.cmp(&pb.name),
                "deploy_status" => pa.deploy_status.code().cmp(&pb.deploy_status.code()),
                _ => pa.apply_timestamp.cmp(&pb.apply_timestamp),
            }
            .then(pa.id_num.cmp(&pb.id_num));
            if desc {
                primary.reverse()
            } else {
                primary
            }
        });
        let total = i32::try_from(rows.len()).unwrap_or(i32::MAX);
        let data = rows
            .iter()
            .skip(unit.rows_to_skip(offset, limit))
            .take(limit)
            .map(|(id, p)| self.release_package(project, id, p))
            .collect();
        Ok(ListReleasePackagesResponse {
            data,
            total: Some(total),
        })
    }

    fn release_package(&self, project: &str, id: &str, p: &PackageRec) -> ReleasePackage {
        let released = p.deploy_timestamp.is_some();
        ReleasePackage {
            apply_timestamp: Some(EpochMillis(p.apply_timestamp)),
            apply_user_id: Some(p.apply_user_id.to_string()),
            apply_user_name: self.user_name(&p.apply_user_id),
            delete_flag: Some(i32::from(p.revoked)),
            deploy_status: Some(p.deploy_status.code()),
            deploy_timestamp: p.deploy_timestamp.map(EpochMillis),
            deploy_user_id: if released {
                p.deploy_user_id.as_deref().map(str::to_string)
            } else {
                None
            },
            deploy_user_name: if released {
                p.deploy_user_id.as_deref().and_then(|u| self.user_name(u))
            } else {
                None
            },
            package_approvers: p
                .approver_ids
                .iter()
                .map(|a| PackageApprover {
                    user_id: Some(a.to_string()),
                    user_name: self.user_name(a),
                })
                .collect(),
            package_id: Some(id.to_string()),
            package_name: Some(p.name.clone()),
            project_id: Some(format!("{project}-workspace-{}", p.workspace)),
            workspace_id: Some(p.workspace.to_string()),
        }
    }

    /// One package and its items.
    pub fn show_package(
        &self,
        scope: Scope<'_>,
        package_id: &str,
    ) -> Result<ShowPackageDetailResponse, ApiError> {
        let ws = self.workspace(scope.project, scope.workspace)?;
        let proj = self.project(scope.project)?;
        let p = proj
            .packages
            .get(package_id)
            .filter(|p| p.workspace == ws)
            .ok_or_else(ApiError::not_found)?;
        let task_details = p
            .items
            .iter()
            .map(|item| {
                let rec = proj.pending.get(&item.pending_item_id);
                TaskDetail {
                    deploy_status: Some(item.deploy_status.code()),
                    deployed_version: rec.map(|r| r.deployed_version),
                    item_name: rec.map(|r| r.item_name.clone()),
                    pending_item_id: Some(item.pending_item_id.clone()),
                    pending_version: rec.map(|r| r.pending_version),
                    script_id: rec.and_then(|r| r.script_id.clone()),
                    start_job_status: item.start_job_status.map(StartJobStatus::code),
                    submit_timestamp: rec.map(|r| EpochMillis(r.submit_timestamp)),
                    submit_user_id: rec.map(|r| r.submit_user_id.to_string()),
                    submit_user_name: rec.and_then(|r| self.user_name(&r.submit_user_id)),
                    task_id: rec.map(|r| r.task_id.clone().unwrap_or_else(|| r.item_name.clone())),
                    task_type: rec.map(|r| r.task_type),
                    update_type: rec.map(|r| r.update_type),
                }
            })
            .collect();
        Ok(ShowPackageDetailResponse {
            release_package: self.release_package(scope.project, package_id, p),
            task_details,
        })
    }

    /// Revokes packages, all or nothing; their items may be packaged again.
    pub fn cancel(&mut self, scope: Scope<'_>, package_ids: &[String]) -> Result<(), ApiError> {
        let ws = self.workspace(scope.project, scope.workspace)?;
        let proj = self.project_mut(scope.project)?;
        check_awaiting_review(proj, &ws, package_ids, "revoked")?;
        for id in package_ids {
            if let Some(pkg) = proj.packages.get_mut(id) {
                pkg.revoked = true;
                for item in &pkg.items {
                    if let Some(rec) = proj.pending.get_mut(&item.pending_item_id) {
                        if rec.package.as_deref() == Some(id.as_str()) {
                            rec.package = None;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn name_matches(actual: &Option<String>, exact: &Option<String>, set: &[String]) -> bool {
    if let Some(want) = exact {
        if actual.as_deref() != Some(want.as_str()) {
            return false;
        }
    }
    if !set.is_empty() {
        return actual.as_ref().is_some_and(|a| set.contains(a));
    }
    true
}

/// The words of the "wrong state" error message.
fn status_words(s: DeployStatus) -> &'static str {
    match s {
        DeployStatus::AwaitingReview => "to be reviewed",
        DeployStatus::Succeeded => "successful",
        DeployStatus::Failed => "failed",
        DeployStatus::Releasing => "being released",
        DeployStatus::Unknown(_) => "unknown",
    }
}

/// The subtask wording for a pending item's `task_type` (2 script, 3 resource, else job).
fn kind_name(task_type: i32) -> &'static str {
    match task_type {
        2 => "script",
        3 => "resource",
        _ => "job",
    }
}

/// Every package exists in the workspace and is awaiting review (not revoked); checked
/// before anything changes, so a refused call changes nothing.
fn check_awaiting_review(
    proj: &Project,
    ws: &Arc<str>,
    package_ids: &[String],
    verb: &str,
) -> Result<(), ApiError> {
    for id in package_ids {
        let pkg = proj
            .packages
            .get(id)
            .filter(|p| p.workspace == *ws)
            .ok_or_else(ApiError::not_found)?;
        if pkg.revoked {
            return Err(ApiError::wrong_state(format!(
                "Package {id} cannot be {verb}: it has been revoked (delete_flag 1)."
            )));
        }
        if pkg.deploy_status != DeployStatus::AwaitingReview {
            return Err(ApiError::wrong_state(format!(
                "Package {id} cannot be {verb}: its deploy_status is {} ({}).",
                pkg.deploy_status.code(),
                status_words(pkg.deploy_status)
            )));
        }
    }
    Ok(())
}
