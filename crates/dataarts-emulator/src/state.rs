//! The in-memory model: projects, workspaces, users, pending items, release packages and
//! system tasks, and the rules that change them. Pure and synchronous; the caller holds the
//! lock (never across an await).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use dataarts_release_raw::types::{
    CreatePackageBody, CreatePackageResponse, DeployBody, DeployPackageDetail, DeployResponse,
    ListPendingItemsResponse, ListReleasePackagesBody, ListReleasePackagesResponse,
    PackageApprover, PendingItem, ReleasePackage, ShowPackageDetailResponse, SubTask, SystemTask,
    TaskDetail,
};
use dataarts_release_raw::EpochMillis;

use crate::error::ApiError;
use crate::fixtures::{Fixtures, DEMO_PROJECT_ID, DEMO_WORKSPACE_ID};
use crate::ids::HexIds;
use crate::TaskTiming;

/// Release statuses.
pub(crate) const TO_REVIEW: i32 = 1;
pub(crate) const SUCCESSFUL: i32 = 2;
pub(crate) const FAILED: i32 = 3;
pub(crate) const RELEASING: i32 = 5;

#[derive(Debug)]
struct User {
    name: Arc<str>,
    roles: Vec<String>,
}

#[derive(Debug)]
struct Workspace {
    id: Arc<str>,
    is_default: bool,
}

#[derive(Debug)]
struct PendingRec {
    workspace: Arc<str>,
    item_name: String,
    task_id: Option<String>,
    script_id: Option<String>,
    task_type: i32,
    update_type: i32,
    deployed_version: i32,
    pending_version: i32,
    submit_timestamp: i64,
    submit_user_id: Arc<str>,
    /// The active package holding this item, if any.
    package: Option<String>,
    /// Released successfully: no longer listed by op 5.
    released: bool,
}

#[derive(Debug)]
struct PackageItem {
    pending_item_id: String,
    deploy_status: i32,
    start_job_status: Option<i32>,
}

#[derive(Debug)]
struct PackageRec {
    id_num: i64,
    workspace: Arc<str>,
    name: String,
    apply_timestamp: i64,
    apply_user_id: Arc<str>,
    approver_ids: Vec<Arc<str>>,
    deploy_status: i32,
    delete_flag: i32,
    deploy_timestamp: Option<i64>,
    deploy_user_id: Option<Arc<str>>,
    startup_mode: i32,
    items: Vec<PackageItem>,
    /// The task id the next release takes instead of a random one (from the fixtures).
    release_task_id: Option<String>,
}

#[derive(Debug, Default)]
struct Project {
    workspaces: Vec<Workspace>,
    packages: HashMap<String, PackageRec>,
    pending: HashMap<String, PendingRec>,
}

#[derive(Debug)]
struct SubRec {
    id: String,
    name: String,
    start: i64,
    end: Option<i64>,
    last_update: i64,
    status: &'static str,
}

#[derive(Debug)]
struct TaskRec {
    project: Arc<str>,
    /// The released package (release tasks only).
    package: Option<String>,
    name: String,
    start: i64,
    end: Option<i64>,
    last_update: i64,
    status: String,
    subs: Vec<SubRec>,
    done: usize,
    fail: bool,
}

/// The whole mutable state.
#[derive(Debug)]
pub(crate) struct State {
    projects: HashMap<String, Project>,
    users: HashMap<Arc<str>, User>,
    tasks: HashMap<String, TaskRec>,
    /// Running release tasks, for manual stepping.
    running: HashSet<String>,
    /// Auto timing: (due ms, task id, index of the subtask that ends then).
    due: BinaryHeap<Reverse<(i64, String, usize)>>,
    release_counts: HashMap<String, usize>,
    fail_next: HashSet<String>,
    next_id: i64,
    enforce_roles: bool,
    timing: TaskTiming,
}

/// Query filters of op 5, already parsed.
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

/// Who is calling (for the deployer fields).
pub(crate) type Caller<'a> = Option<&'a str>;

impl State {
    /// Builds the state from validated fixtures, plus `seed_packages` extra packages.
    pub(crate) fn new(fixtures: &Fixtures, seed_packages: usize, timing: TaskTiming) -> Self {
        let mut st = State {
            projects: HashMap::new(),
            users: HashMap::new(),
            tasks: HashMap::new(),
            running: HashSet::new(),
            due: BinaryHeap::new(),
            release_counts: HashMap::new(),
            fail_next: HashSet::new(),
            next_id: 1,
            enforce_roles: fixtures.enforce_roles,
            timing,
        };
        for u in &fixtures.users {
            st.users.insert(
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
            let proj = st.projects.entry(p.id.clone()).or_default();
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
                    let id_num = pk.package_id.parse().unwrap_or(0);
                    max_id = max_id.max(id_num);
                    let active = pk.delete_flag == 0 && pk.deploy_status == TO_REVIEW;
                    for it in &pk.items {
                        if let Some(rec) = proj.pending.get_mut(it) {
                            if active || (pk.deploy_status == FAILED && pk.delete_flag == 0) {
                                rec.package = Some(pk.package_id.clone());
                            }
                            if pk.deploy_status == SUCCESSFUL {
                                rec.released = true;
                                rec.package = Some(pk.package_id.clone());
                            }
                        }
                    }
                    proj.packages.insert(
                        pk.package_id.clone(),
                        PackageRec {
                            id_num,
                            workspace: ws.clone(),
                            name: pk.package_name.clone(),
                            apply_timestamp: pk.apply_timestamp,
                            apply_user_id: Arc::from(pk.apply_user_id.as_str()),
                            approver_ids: pk
                                .approver_ids
                                .iter()
                                .map(|s| Arc::from(s.as_str()))
                                .collect(),
                            deploy_status: pk.deploy_status,
                            delete_flag: pk.delete_flag,
                            deploy_timestamp: pk.deploy_timestamp,
                            deploy_user_id: pk.deploy_user_id.as_deref().map(Arc::from),
                            startup_mode: 0,
                            release_task_id: pk.release_task_id.clone(),
                            items: pk
                                .items
                                .iter()
                                .map(|i| PackageItem {
                                    pending_item_id: i.clone(),
                                    deploy_status: pk.deploy_status,
                                    start_job_status: None,
                                })
                                .collect(),
                        },
                    );
                }
            }
            for t in &p.system_tasks {
                st.tasks
                    .insert(t.id.clone(), task_from_fixture(&project_arc, t));
            }
        }
        if seed_packages > 0 {
            max_id = max_id.max(st.seed(seed_packages));
            // Every seeded package may be released once: size the maps now, so a load test
            // never waits for a large rehash under the lock.
            let n = seed_packages.min(50_000_000);
            st.tasks.reserve(n);
            st.release_counts.reserve(n);
        }
        st.next_id = max_id.saturating_add(1);
        st
    }

    /// Adds `count` deployable packages (ids 1000..) with one item each to the default workspace
    /// of the demo project (created when absent). Returns the largest id used.
    fn seed(&mut self, count: usize) -> i64 {
        let dev: Arc<str> = Arc::from(crate::fixtures::DEMO_DEV_USER_ID);
        let approver: Arc<str> = Arc::from(crate::fixtures::DEMO_DEPLOYER_USER_ID);
        let proj = self
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
        let count = count.min(50_000_000) as i64;
        let base: i64 = 1000;
        let now = crate::ids::now_ms();
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
                    deploy_status: TO_REVIEW,
                    delete_flag: 0,
                    deploy_timestamp: None,
                    deploy_user_id: None,
                    startup_mode: 0,
                    items: vec![PackageItem {
                        pending_item_id: item_key,
                        deploy_status: TO_REVIEW,
                        start_job_status: None,
                    }],
                    release_task_id: None,
                },
            );
        }
        base + 2 * count - 1
    }

    /// How many times the package was released (1 -> 5).
    pub(crate) fn release_count(&self, package_id: &str) -> usize {
        self.release_counts.get(package_id).copied().unwrap_or(0)
    }

    /// All release counts.
    pub(crate) fn release_counts(&self) -> &HashMap<String, usize> {
        &self.release_counts
    }

    /// The next release of this package (in any project) ends FAILED.
    pub(crate) fn fail_release_of(&mut self, package_id: &str) {
        self.fail_next.insert(package_id.to_string());
    }

    fn project(&self, project: &str) -> Result<&Project, ApiError> {
        self.projects
            .get(project)
            .ok_or_else(|| ApiError::workspace(format!("project {project} has no workspace")))
    }

    fn project_mut(&mut self, project: &str) -> Result<&mut Project, ApiError> {
        self.projects
            .get_mut(project)
            .ok_or_else(|| ApiError::workspace(format!("project {project} has no workspace")))
    }

    /// Resolves the workspace: the header's value, or the default workspace.
    fn workspace(&self, project: &str, header: Option<&str>) -> Result<Arc<str>, ApiError> {
        let p = self.project(project)?;
        match header {
            Some(id) => p
                .workspaces
                .iter()
                .find(|w| &*w.id == id)
                .map(|w| w.id.clone())
                .ok_or_else(|| {
                    ApiError::workspace(format!(
                        "Workspace {id} does not exist in project {project}."
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

    fn user_name(&self, id: &str) -> Option<String> {
        self.users.get(id).map(|u| u.name.to_string())
    }

    // ----- time -------------------------------------------------------------------------

    /// Applies every automatic subtask completion due at `now` (ms).
    pub(crate) fn settle(&mut self, now: i64) {
        if !matches!(self.timing, TaskTiming::Auto { .. }) {
            return;
        }
        while let Some(Reverse((due, _, _))) = self.due.peek() {
            if *due > now {
                break;
            }
            let Some(Reverse((due, id, idx))) = self.due.pop() else {
                break;
            };
            let Some(done) = self
                .tasks
                .get(&id)
                .filter(|t| t.end.is_none())
                .map(|t| t.done)
            else {
                continue;
            };
            let step = self.step_ms().unwrap_or(0);
            if done == idx {
                self.finish_subtask(&id, due);
            }
            // Schedule the next subtask (also when the task was stepped by hand meanwhile).
            if let Some(t) = self.tasks.get(&id).filter(|t| t.end.is_none()) {
                let next = t.done;
                self.due.push(Reverse((due.saturating_add(step), id, next)));
            }
        }
    }

    /// Subtask duration in ms (automatic timing only).
    fn step_ms(&self) -> Option<i64> {
        match self.timing {
            TaskTiming::Auto { subtask } => Some(subtask.as_millis().min(i64::MAX as u128) as i64),
            TaskTiming::Manual => None,
        }
    }

    /// Manual stepping: one more subtask of every running task ends now.
    pub(crate) fn advance_tasks(&mut self, now: i64) {
        let ids: Vec<String> = self.running.iter().cloned().collect();
        for id in ids {
            self.finish_subtask(&id, now);
        }
    }

    /// Every running task ends now.
    pub(crate) fn complete_all_tasks(&mut self, now: i64) {
        let ids: Vec<String> = self.running.iter().cloned().collect();
        for id in ids {
            while self.tasks.get(&id).is_some_and(|t| t.end.is_none()) {
                self.finish_subtask(&id, now);
            }
        }
    }

    fn finish_subtask(&mut self, id: &str, at: i64) {
        let Some(t) = self.tasks.get_mut(id) else {
            return;
        };
        if t.end.is_some() {
            return;
        }
        let n = t.subs.len();
        if t.done < n {
            let last = t.done + 1 == n;
            let sub = &mut t.subs[t.done];
            sub.status = if last && t.fail {
                "FAILED"
            } else {
                "SUCCESSFUL"
            };
            sub.end = Some(at);
            sub.last_update = at;
            t.done += 1;
        }
        t.last_update = at;
        if t.done < n {
            return;
        }
        let ok = !t.fail;
        t.status = if ok { "SUCCESSFUL" } else { "FAILED" }.to_string();
        t.end = Some(at);
        let project = t.project.clone();
        let package = t.package.clone();
        self.running.remove(id);
        if let Some(pkg_id) = package {
            self.finish_release(&project, &pkg_id, ok);
        }
    }

    fn finish_release(&mut self, project: &str, package_id: &str, ok: bool) {
        let Some(proj) = self.projects.get_mut(project) else {
            return;
        };
        let Some(pkg) = proj.packages.get_mut(package_id) else {
            return;
        };
        let status = if ok { SUCCESSFUL } else { FAILED };
        pkg.deploy_status = status;
        let start_jobs = pkg.startup_mode == 1;
        for item in &mut pkg.items {
            item.deploy_status = status;
            if ok && start_jobs {
                item.start_job_status = Some(SUCCESSFUL);
            }
            if ok {
                if let Some(rec) = proj.pending.get_mut(&item.pending_item_id) {
                    rec.released = true;
                    rec.deployed_version = rec.pending_version;
                }
            }
        }
    }

    // ----- op 1 -------------------------------------------------------------------------

    /// Releases packages, all or nothing.
    pub(crate) fn deploy(
        &mut self,
        project: &str,
        ws_header: Option<&str>,
        body: &DeployBody,
        caller: Caller<'_>,
        ids: &HexIds,
        now: i64,
    ) -> Result<DeployResponse, ApiError> {
        let package_ids = &body.package_ids;
        let startup_mode = *body.startup_mode;
        let ws = self.workspace(project, ws_header)?;
        check_awaiting_review(self.project(project)?, &ws, package_ids, "released")?;
        let deployer: Option<Arc<str>> = caller.map(Arc::from);
        let project_arc: Arc<str> = Arc::from(project);
        let mut details = Vec::with_capacity(package_ids.len());
        let step = self.step_ms();
        for id in package_ids {
            let fail = self.fail_next.remove(id);
            let Some(proj) = self.projects.get_mut(project) else {
                break;
            };
            let Some(pkg) = proj.packages.get_mut(id) else {
                continue;
            };
            let task_id = pkg
                .release_task_id
                .take()
                .filter(|fixed| !self.tasks.contains_key(fixed))
                .unwrap_or_else(|| ids.next());
            pkg.deploy_status = RELEASING;
            pkg.deploy_timestamp = Some(now);
            pkg.deploy_user_id = deployer
                .clone()
                .or_else(|| pkg.approver_ids.first().cloned());
            pkg.startup_mode = startup_mode;
            let mut subs = Vec::with_capacity(pkg.items.len());
            for item in &mut pkg.items {
                item.deploy_status = RELEASING;
                item.start_job_status = None;
                let (kind, name) = match proj.pending.get(&item.pending_item_id) {
                    Some(rec) => (kind_name(rec.task_type), rec.item_name.as_str()),
                    None => ("job", item.pending_item_id.as_str()),
                };
                subs.push(SubRec {
                    id: ids.next(),
                    name: format!("Release the {name} {kind}."),
                    start: now,
                    end: None,
                    last_update: now,
                    status: "RUNNING",
                });
            }
            let n = subs.len();
            details.push(DeployPackageDetail {
                asy_subtask_num: Some(i32::try_from(n).unwrap_or(i32::MAX)),
                asy_task_id: Some(task_id.clone()),
                package_id: Some(pkg.id_num),
            });
            let task = TaskRec {
                project: project_arc.clone(),
                package: Some(id.clone()),
                name: format!("Release the package [{}].", pkg.name),
                start: now,
                end: None,
                last_update: now,
                status: "RUNNING".to_string(),
                subs,
                done: 0,
                fail,
            };
            *self.release_counts.entry(id.clone()).or_insert(0) += 1;
            self.tasks.insert(task_id.clone(), task);
            self.running.insert(task_id.clone());
            if n == 0 {
                self.finish_subtask(&task_id, now);
            } else if let Some(step) = step {
                self.due
                    .push(Reverse((now.saturating_add(step), task_id, 0)));
            }
        }
        Ok(DeployResponse {
            deploy_package_details: details,
        })
    }

    // ----- op 2 -------------------------------------------------------------------------

    /// Lists packages with filters, sorting and paging.
    pub(crate) fn list_packages(
        &self,
        project: &str,
        ws_header: Option<&str>,
        body: &ListReleasePackagesBody,
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
                    "sorted_direction must be asc or desc, got {d:?}"
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
                "order_column must be one of apply_timestamp, deploy_timestamp, package_id, package_name, deploy_status; got {column:?}"
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
        let ws = self.workspace(project, ws_header)?;
        let proj = self.project(project)?;
        let key_word = body.key_word.as_deref().map(str::to_lowercase);
        let mut rows: Vec<(&String, &PackageRec, Option<String>, Option<String>)> = Vec::new();
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
                && !body.deploy_status_filter.contains(&p.deploy_status)
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
            rows.push((id, p, apply_name, deploy_name));
        }
        rows.sort_by(|a, b| {
            let (pa, pb) = (a.1, b.1);
            let primary = match column {
                "deploy_timestamp" => pa.deploy_timestamp.cmp(&pb.deploy_timestamp),
                "package_id" => pa.id_num.cmp(&pb.id_num),
                "package_name" => pa.name.cmp(&pb.name),
                "deploy_status" => pa.deploy_status.cmp(&pb.deploy_status),
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
            .skip(offset)
            .take(limit)
            .map(|(id, p, _, _)| self.release_package(project, id, p))
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
            delete_flag: Some(p.delete_flag),
            deploy_status: Some(p.deploy_status),
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

    // ----- op 3 -------------------------------------------------------------------------

    /// One package and its items.
    pub(crate) fn show_package(
        &self,
        project: &str,
        ws_header: Option<&str>,
        package_id: &str,
    ) -> Result<ShowPackageDetailResponse, ApiError> {
        let ws = self.workspace(project, ws_header)?;
        let proj = self.project(project)?;
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
                    deploy_status: Some(item.deploy_status),
                    deployed_version: rec.map(|r| r.deployed_version),
                    item_name: rec.map(|r| r.item_name.clone()),
                    pending_item_id: Some(item.pending_item_id.clone()),
                    pending_version: rec.map(|r| r.pending_version),
                    script_id: rec.and_then(|r| r.script_id.clone()),
                    start_job_status: item.start_job_status,
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
            release_package: self.release_package(project, package_id, p),
            task_details,
        })
    }

    // ----- op 4 -------------------------------------------------------------------------

    /// Revokes packages, all or nothing.
    pub(crate) fn cancel(
        &mut self,
        project: &str,
        ws_header: Option<&str>,
        package_ids: &[String],
    ) -> Result<(), ApiError> {
        let ws = self.workspace(project, ws_header)?;
        let proj = self.project_mut(project)?;
        check_awaiting_review(proj, &ws, package_ids, "revoked")?;
        for id in package_ids {
            if let Some(pkg) = proj.packages.get_mut(id) {
                pkg.delete_flag = 1;
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

    // ----- op 5 -------------------------------------------------------------------------

    /// Lists pending items.
    pub(crate) fn list_pending(
        &self,
        project: &str,
        ws_header: &str,
        q: &PendingQuery,
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
            .skip(q.offset)
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

    // ----- op 6 -------------------------------------------------------------------------

    /// Packages pending items into a new release package.
    pub(crate) fn create_package(
        &mut self,
        project: &str,
        ws_header: &str,
        body: &CreatePackageBody,
        now: i64,
    ) -> Result<CreatePackageResponse, ApiError> {
        let ws = self.workspace(project, Some(ws_header))?;
        if self.enforce_roles {
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
                let active = proj
                    .packages
                    .get(pkg_id)
                    .is_some_and(|p| p.delete_flag == 0 && p.deploy_status != FAILED);
                if active {
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
                deploy_status: TO_REVIEW,
                delete_flag: 0,
                deploy_timestamp: None,
                deploy_user_id: None,
                startup_mode: 0,
                items: body
                    .pending_item_list
                    .iter()
                    .map(|i| PackageItem {
                        pending_item_id: i.clone(),
                        deploy_status: TO_REVIEW,
                        start_job_status: None,
                    })
                    .collect(),
                release_task_id: None,
            },
        );
        self.next_id = id_num.saturating_add(1);
        Ok(CreatePackageResponse {
            package_name: Some(body.package_name.clone()),
            release_package_id: Some(id),
        })
    }

    // ----- op 7 -------------------------------------------------------------------------

    /// A system task of the project.
    pub(crate) fn system_task(&self, project: &str, task_id: &str) -> Result<SystemTask, ApiError> {
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
                status: Some(s.status.to_string()),
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
            status: t.status.clone(),
            sub_tasks: subs.clone(),
            subtasks: subs,
        })
    }
}

fn task_from_fixture(project: &Arc<str>, t: &SystemTask) -> TaskRec {
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
            status: match s.status.as_deref() {
                Some("FAILED") => "FAILED",
                Some("RUNNING") => "RUNNING",
                _ => "SUCCESSFUL",
            },
        })
        .collect();
    TaskRec {
        project: project.clone(),
        package: None,
        name: t.name.clone().unwrap_or_default(),
        start,
        end: t.end_time.map(EpochMillis::millis).or(Some(last)),
        last_update: last,
        status: t.status.clone(),
        done: subs.len(),
        subs,
        fail: t.status == "FAILED",
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

fn status_name(s: i32) -> &'static str {
    match s {
        TO_REVIEW => "to be reviewed",
        SUCCESSFUL => "successful",
        FAILED => "failed",
        RELEASING => "being released",
        _ => "unknown",
    }
}

fn kind_name(task_type: i32) -> &'static str {
    match task_type {
        2 => "script",
        3 => "resource",
        _ => "job",
    }
}

/// Every package exists in the workspace and is awaiting review (status 1, not revoked);
/// checked before anything changes, so a refused call changes nothing.
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
        if pkg.delete_flag != 0 {
            return Err(ApiError::wrong_state(format!(
                "Package {id} cannot be {verb}: it has been revoked (delete_flag 1)."
            )));
        }
        if pkg.deploy_status != TO_REVIEW {
            return Err(ApiError::wrong_state(format!(
                "Package {id} cannot be {verb}: its deploy_status is {} ({}).",
                pkg.deploy_status,
                status_name(pkg.deploy_status)
            )));
        }
    }
    Ok(())
}
