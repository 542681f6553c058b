//! Pending items: list them with filters and paging, and package them into a new release
//! package.
//!
//! Packaging sets an item's `package_flag` to 1 and keeps it listed; a successful release
//! removes it from the list; a revoke sets the flag back to 0; after a failed release the flag
//! stays 1 but the item may be packaged again.

use std::sync::Arc;

use dataarts_release_raw::status::DeployStatus;
use dataarts_release_raw::types::{
    CreatePackageBody, CreatePackageResponse, ListPendingItemsResponse, PendingItem,
};
use dataarts_release_raw::EpochMillis;

use super::catalog::{Catalog, PackageItem, PackageRec, PendingRec, MAX_CREATED_PACKAGES};
use crate::config::OffsetUnit;
use crate::error::ApiError;

/// Query filters of the pending-item listing, already parsed.
#[derive(Debug, Default)]
pub(crate) struct PendingQuery {
    pub submit_user_name: Option<String>,
    pub item_name: Option<String>,
    pub update_type: Option<i32>,
    pub task_type: Option<i32>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub limit: usize,
    pub offset: usize,
}

impl Catalog {
    /// Lists the pending items of a workspace (`offset` counted in `unit`).
    pub fn list_pending(
        &self,
        project: &str,
        ws_header: &str,
        q: &PendingQuery,
        unit: OffsetUnit,
    ) -> Result<ListPendingItemsResponse, ApiError> {
        let ws = self.workspace(project, Some(ws_header))?;
        let proj = self.project(project)?;
        let item_name = q.item_name.as_deref().map(str::to_lowercase);
        let mut rows: Vec<(i64, &String, &PendingRec)> = proj
            .pending
            .iter()
            .filter(|(_, r)| r.workspace == ws && !r.released)
            .filter(|(_, r)| {
                item_name
                    .as_deref()
                    .is_none_or(|n| r.item_name.to_lowercase().contains(n))
            })
            .filter(|(_, r)| q.update_type.is_none_or(|t| r.update_type == t))
            .filter(|(_, r)| q.task_type.is_none_or(|t| r.task_type == t))
            .filter(|(_, r)| q.start_time.is_none_or(|t| r.submit_timestamp >= t))
            .filter(|(_, r)| q.end_time.is_none_or(|t| r.submit_timestamp <= t))
            .filter(|(_, r)| {
                q.submit_user_name.as_deref().is_none_or(|n| {
                    self.users
                        .get(&r.submit_user_id)
                        .is_some_and(|u| &*u.name == n)
                })
            })
            .map(|(id, r)| (id.parse::<i64>().unwrap_or(i64::MAX), id, r))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let total = i32::try_from(rows.len()).unwrap_or(i32::MAX);
        let data = rows
            .iter()
            .skip(unit.rows_to_skip(q.offset, q.limit))
            .take(q.limit)
            .map(|(_, id, r)| PendingItem {
                deployed_version: Some(r.deployed_version),
                item_name: Some(r.item_name.clone()),
                package_flag: Some(i32::from(r.package.is_some())),
                pending_item_id: Some((*id).clone()),
                pending_version: Some(r.pending_version),
                project_id: Some(format!("{project}-workspace-{ws}")),
                submit_timestamp: Some(EpochMillis(r.submit_timestamp)),
                submit_user_id: Some(r.submit_user_id.to_string()),
                submit_user_name: self.user_name(&r.submit_user_id),
                task_id: Some(r.task_id.clone().unwrap_or_else(|| r.item_name.clone())),
                task_type: Some(r.task_type),
                update_type: Some(r.update_type),
            })
            .collect();
        Ok(ListPendingItemsResponse {
            data,
            total: Some(total),
        })
    }

    /// Packages pending items into a new release package, awaiting review.
    pub fn create_package(
        &mut self,
        project: &str,
        ws_header: &str,
        body: &CreatePackageBody,
        now: i64,
    ) -> Result<CreatePackageResponse, ApiError> {
        let ws = self.workspace(project, Some(ws_header))?;
        if self.created >= MAX_CREATED_PACKAGES {
            return Err(ApiError::invalid(format!(
                "the emulator holds {MAX_CREATED_PACKAGES} packages created by requests, its limit: \
                 reset it (POST /_emulator/reset) or restart it"
            )));
        }
        if self.enforce_roles {
            // The console's rule: approvers are deployers or admins, never the applicant.
            for a in &body.approver_ids {
                let allowed = self
                    .users
                    .get(a.as_str())
                    .is_some_and(|u| u.roles.iter().any(|r| r == "deployer" || r == "admin"));
                if !allowed || *a == body.apply_user_id {
                    return Err(ApiError::permissions());
                }
            }
        }
        let proj = self.project(project)?;
        for id in &body.pending_item_list {
            let rec = proj
                .pending
                .get(id)
                .filter(|r| r.workspace == ws && !r.released)
                .ok_or_else(ApiError::not_found)?;
            if let Some(pkg_id) = &rec.package {
                let taken = proj
                    .packages
                    .get(pkg_id)
                    .is_some_and(PackageRec::blocks_repackaging);
                if taken {
                    return Err(ApiError::wrong_state(format!(
                        "Pending item {id} is already in release package {pkg_id}."
                    )));
                }
            }
        }
        let mut id_num = self.next_id;
        let proj = self.project_mut(project)?;
        while proj.packages.contains_key(&id_num.to_string())
            || proj.pending.contains_key(&id_num.to_string())
        {
            id_num = id_num.saturating_add(1);
        }
        let id = id_num.to_string();
        for item in &body.pending_item_list {
            if let Some(rec) = proj.pending.get_mut(item) {
                rec.package = Some(id.clone());
            }
        }
        proj.packages.insert(
            id.clone(),
            PackageRec {
                id_num,
                workspace: ws,
                name: body.package_name.clone(),
                apply_timestamp: now,
                apply_user_id: Arc::from(body.apply_user_id.as_str()),
                approver_ids: body
                    .approver_ids
                    .iter()
                    .map(|a| Arc::from(a.as_str()))
                    .collect(),
                deploy_status: DeployStatus::AwaitingReview,
                revoked: false,
                deploy_timestamp: None,
                deploy_user_id: None,
                start_jobs: false,
                items: body
                    .pending_item_list
                    .iter()
                    .map(|i| PackageItem {
                        pending_item_id: i.clone(),
                        deploy_status: DeployStatus::AwaitingReview,
                        start_job_status: None,
                    })
                    .collect(),
                release_task_id: None,
            },
        );
        self.next_id = id_num.saturating_add(1);
        self.created += 1;
        Ok(CreatePackageResponse {
            package_name: Some(body.package_name.clone()),
            release_package_id: Some(id),
        })
    }
}
