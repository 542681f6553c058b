//! The initial state: validated fixtures, plus any number of seeded deployable packages.

use std::collections::HashMap;
use std::sync::Arc;

use dataarts_release_raw::status::DeployStatus;

use super::catalog::{Catalog, PackageItem, PackageRec, PendingRec, User, Workspace};
use super::tasks::Tasks;
use crate::config::TaskTiming;
use crate::fixtures::{
    Fixtures, PackageFixture, DEMO_DEPLOYER_USER_ID, DEMO_DEV_USER_ID, DEMO_PROJECT_ID,
    DEMO_WORKSPACE_ID,
};
use crate::ids::now_ms;

/// The id of the first seeded package.
const FIRST_SEEDED_ID: i64 = 1000;
/// At most this many seeded packages.
const MAX_SEEDED: usize = 50_000_000;

/// Builds the catalog and the tasks from validated fixtures, plus `seed_packages` extra
/// packages.
pub(super) fn load(
    fixtures: &Fixtures,
    seed_packages: usize,
    timing: TaskTiming,
) -> (Catalog, Tasks) {
    let mut catalog = Catalog {
        projects: HashMap::new(),
        users: HashMap::new(),
        next_id: 1,
        enforce_roles: fixtures.enforce_roles,
        created: 0,
    };
    let mut tasks = Tasks::new(timing);
    for u in &fixtures.users {
        catalog.users.insert(
            Arc::from(u.id.as_str()),
            User {
                name: Arc::from(u.name.as_str()),
                roles: u.roles.clone(),
            },
        );
    }
    let mut max_id: i64 = 0;
    for p in &fixtures.projects {
        let project_arc: Arc<str> = Arc::from(p.id.as_str());
        let proj = catalog.projects.entry(p.id.clone()).or_default();
        for w in &p.workspaces {
            let ws: Arc<str> = Arc::from(w.id.as_str());
            proj.workspaces.push(Workspace {
                id: ws.clone(),
                is_default: w.default,
            });
            for i in &w.pending_items {
                max_id = max_id.max(i.pending_item_id.parse().unwrap_or(0));
                proj.pending.insert(
                    i.pending_item_id.clone(),
                    PendingRec {
                        workspace: ws.clone(),
                        item_name: i.item_name.clone(),
                        task_id: i.task_id.clone(),
                        script_id: i.script_id.clone(),
                        task_type: i.task_type,
                        update_type: i.update_type,
                        deployed_version: i.deployed_version,
                        pending_version: i.pending_version,
                        submit_timestamp: i.submit_timestamp,
                        submit_user_id: Arc::from(i.submit_user_id.as_str()),
                        package: None,
                        released: false,
                    },
                );
            }
            for pk in &w.packages {
                let rec = package_from_fixture(pk, &ws);
                max_id = max_id.max(rec.id_num);
                // Items of a released package are released; items of a package awaiting
                // review or failed stay marked as packaged.
                let released = rec.deploy_status == DeployStatus::Succeeded;
                let packaged = released
                    || (!rec.revoked
                        && matches!(
                            rec.deploy_status,
                            DeployStatus::AwaitingReview | DeployStatus::Failed
                        ));
                for it in &pk.items {
                    if let Some(item) = proj.pending.get_mut(it) {
                        if packaged {
                            item.package = Some(pk.package_id.clone());
                        }
                        if released {
                            item.released = true;
                        }
                    }
                }
                proj.packages.insert(pk.package_id.clone(), rec);
            }
        }
        for t in &p.system_tasks {
            tasks.insert_fixture(&project_arc, t);
        }
    }
    if seed_packages > 0 {
        max_id = max_id.max(seed(&mut catalog, seed_packages));
        // Every seeded package may be released once.
        tasks.reserve(seed_packages.min(MAX_SEEDED));
    }
    catalog.next_id = max_id.saturating_add(1);
    (catalog, tasks)
}

fn package_from_fixture(pk: &PackageFixture, ws: &Arc<str>) -> PackageRec {
    let status = DeployStatus::from_code(pk.deploy_status);
    PackageRec {
        id_num: pk.package_id.parse().unwrap_or(0),
        workspace: ws.clone(),
        name: pk.package_name.clone(),
        apply_timestamp: pk.apply_timestamp,
        apply_user_id: Arc::from(pk.apply_user_id.as_str()),
        approver_ids: pk
            .approver_ids
            .iter()
            .map(|s| Arc::from(s.as_str()))
            .collect(),
        deploy_status: status,
        revoked: pk.delete_flag != 0,
        deploy_timestamp: pk.deploy_timestamp,
        deploy_user_id: pk.deploy_user_id.as_deref().map(Arc::from),
        start_jobs: false,
        release_task_id: pk.release_task_id.clone(),
        items: pk
            .items
            .iter()
            .map(|i| PackageItem {
                pending_item_id: i.clone(),
                deploy_status: status,
                start_job_status: None,
            })
            .collect(),
    }
}

/// Adds `count` deployable packages (ids 1000..) with one item each to the default workspace
/// of the demo project (created when absent). Returns the largest id used.
fn seed(catalog: &mut Catalog, count: usize) -> i64 {
    let dev: Arc<str> = Arc::from(DEMO_DEV_USER_ID);
    let approver: Arc<str> = Arc::from(DEMO_DEPLOYER_USER_ID);
    let proj = catalog
        .projects
        .entry(DEMO_PROJECT_ID.to_string())
        .or_default();
    let ws = match proj.workspaces.iter().find(|w| w.is_default) {
        Some(w) => w.id.clone(),
        None => {
            let has_demo_ws = proj.workspaces.iter().any(|w| &*w.id == DEMO_WORKSPACE_ID);
            let id: Arc<str> = Arc::from(DEMO_WORKSPACE_ID);
            if has_demo_ws {
                for w in &mut proj.workspaces {
                    if &*w.id == DEMO_WORKSPACE_ID {
                        w.is_default = true;
                    }
                }
            } else {
                proj.workspaces.push(Workspace {
                    id: id.clone(),
                    is_default: true,
                });
            }
            id
        }
    };
    let count = count.min(MAX_SEEDED) as i64;
    let base = FIRST_SEEDED_ID;
    let now = now_ms();
    for i in 0..count {
        let pid = base + i;
        let item_id = base + count + i;
        let item_key = item_id.to_string();
        let pkg_key = pid.to_string();
        proj.pending.insert(
            item_key.clone(),
            PendingRec {
                workspace: ws.clone(),
                item_name: format!("seed_job_{pid}"),
                task_id: None,
                script_id: None,
                task_type: 1,
                update_type: 1,
                deployed_version: 0,
                pending_version: 1,
                submit_timestamp: now,
                submit_user_id: dev.clone(),
                package: Some(pkg_key.clone()),
                released: false,
            },
        );
        proj.packages.insert(
            pkg_key,
            PackageRec {
                id_num: pid,
                workspace: ws.clone(),
                name: format!("seed_package_{pid}"),
                apply_timestamp: now,
                apply_user_id: dev.clone(),
                approver_ids: vec![approver.clone()],
                deploy_status: DeployStatus::AwaitingReview,
                revoked: false,
                deploy_timestamp: None,
                deploy_user_id: None,
                start_jobs: false,
                items: vec![PackageItem {
                    pending_item_id: item_key,
                    deploy_status: DeployStatus::AwaitingReview,
                    start_job_status: None,
                }],
                release_task_id: None,
            },
        );
    }
    base + 2 * count - 1
}
