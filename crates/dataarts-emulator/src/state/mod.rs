//! The in-memory model: projects, workspaces, users, pending items, release packages and
//! system tasks, and the rules that change them. Pure and synchronous.
//!
//! The state is only reachable through [`StateCell::lock`], which first lets the task clock
//! catch up (every subtask due by now has ended, and every release whose task ended has its
//! outcome), so no operation ever sees a stale release.

mod catalog;
mod clock;
mod load;
mod packages;
mod pending;
mod tasks;

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard};

use dataarts_release_raw::types::{
    CreatePackageBody, CreatePackageResponse, DeployBody, DeployResponse, ListPendingItemsResponse,
    ListReleasePackagesBody, ListReleasePackagesResponse, ShowPackageDetailResponse, SystemTask,
};

use self::catalog::Catalog;
use self::tasks::{FinishedRelease, Tasks};
use crate::config::{OffsetUnit, TaskTiming};
use crate::error::ApiError;
use crate::fixtures::Fixtures;
use crate::ids::{now_ms, HexIds};
use crate::task_times::SystemTaskTimes;

pub(crate) use self::packages::Scope;
pub(crate) use self::pending::PendingQuery;

/// The whole mutable state.
#[derive(Debug)]
pub(crate) struct State {
    catalog: Catalog,
    tasks: Tasks,
    /// What `offset` counts in the two list operations: a setting, kept across resets.
    offset_unit: OffsetUnit,
    /// How the system-task query writes its times: a setting, kept across resets.
    system_task_times: SystemTaskTimes,
}

impl State {
    /// Builds the state from validated fixtures, plus `seed_packages` extra packages.
    pub(crate) fn new(fixtures: &Fixtures, seed_packages: usize, timing: TaskTiming) -> Self {
        let (catalog, tasks) = load::load(fixtures, seed_packages, timing);
        Self {
            catalog,
            tasks,
            offset_unit: OffsetUnit::default(),
            system_task_times: SystemTaskTimes::default(),
        }
    }

    /// What `offset` counts in the two list operations.
    pub(crate) fn offset_unit(&self) -> OffsetUnit {
        self.offset_unit
    }

    /// Sets what `offset` counts in the two list operations.
    pub(crate) fn set_offset_unit(&mut self, unit: OffsetUnit) {
        self.offset_unit = unit;
    }

    /// How the system-task query writes its times.
    pub(crate) fn system_task_times(&self) -> SystemTaskTimes {
        self.system_task_times
    }

    /// Sets how the system-task query writes its times.
    pub(crate) fn set_system_task_times(&mut self, times: SystemTaskTimes) {
        self.system_task_times = times;
    }

    /// Applies every automatic subtask completion due at `now` (ms).
    fn settle(&mut self, now: i64) {
        let finished = self.tasks.settle(now);
        self.finish(&finished);
    }

    fn finish(&mut self, finished: &[FinishedRelease]) {
        for f in finished {
            self.catalog.finish_release(f);
        }
    }

    /// How many times the package was released (awaiting review -> releasing).
    pub(crate) fn release_count(&self, package_id: &str) -> usize {
        self.tasks.release_count(package_id)
    }

    /// All release counts.
    pub(crate) fn release_counts(&self) -> &HashMap<String, usize> {
        self.tasks.release_counts()
    }

    /// The next release of this package (in any project) ends FAILED.
    pub(crate) fn fail_release_of(&mut self, package_id: &str) {
        self.tasks.fail_release_of(package_id);
    }

    /// Manual stepping: one more subtask of every running task ends at `now`.
    pub(crate) fn advance_tasks(&mut self, now: i64) {
        let finished = self.tasks.advance(now);
        self.finish(&finished);
    }

    /// Every running task ends at `now`.
    pub(crate) fn complete_all_tasks(&mut self, now: i64) {
        let finished = self.tasks.complete_all(now);
        self.finish(&finished);
    }

    /// Releases packages, all or nothing.
    pub(crate) fn deploy(
        &mut self,
        scope: Scope<'_>,
        body: &DeployBody,
        caller: Option<&str>,
        ids: &HexIds,
        now: i64,
    ) -> Result<DeployResponse, ApiError> {
        self.catalog
            .deploy(&mut self.tasks, scope, body, caller, ids, now)
    }

    /// Lists packages with filters, sorting and paging.
    pub(crate) fn list_packages(
        &self,
        scope: Scope<'_>,
        body: &ListReleasePackagesBody,
    ) -> Result<ListReleasePackagesResponse, ApiError> {
        self.catalog.list_packages(scope, body, self.offset_unit)
    }

    /// One package and its items.
    pub(crate) fn show_package(
        &self,
        scope: Scope<'_>,
        package_id: &str,
    ) -> Result<ShowPackageDetailResponse, ApiError> {
        self.catalog.show_package(scope, package_id)
    }

    /// Revokes packages, all or nothing.
    pub(crate) fn cancel(
        &mut self,
        scope: Scope<'_>,
        package_ids: &[String],
    ) -> Result<(), ApiError> {
        self.catalog.cancel(scope, package_ids)
    }

    /// Lists the pending items of a workspace (the header is required).
    pub(crate) fn list_pending(
        &self,
        project: &str,
        ws_header: &str,
        q: &PendingQuery,
    ) -> Result<ListPendingItemsResponse, ApiError> {
        self.catalog
            .list_pending(project, ws_header, q, self.offset_unit)
    }

    /// Packages pending items into a new release package (the header is required).
    pub(crate) fn create_package(
        &mut self,
        project: &str,
        ws_header: &str,
        body: &CreatePackageBody,
        now: i64,
    ) -> Result<CreatePackageResponse, ApiError> {
        self.catalog.create_package(project, ws_header, body, now)
    }

    /// A system task of the project.
    pub(crate) fn system_task(&self, project: &str, task_id: &str) -> Result<SystemTask, ApiError> {
        self.tasks.view(project, task_id)
    }
}

/// The state behind its lock.
#[derive(Debug)]
pub(crate) struct StateCell {
    state: Mutex<State>,
}

impl StateCell {
    pub(crate) fn new(state: State) -> Self {
        Self {
            state: Mutex::new(state),
        }
    }

    /// Locks the state as of now (see [`StateCell::lock_at`]). Never hold it across an await.
    pub(crate) fn lock(&self) -> Settled<'_> {
        self.lock_at(now_ms())
    }

    /// Locks the state and lets it catch up with `now` (ms): every automatic subtask
    /// completion due by then is applied.
    pub(crate) fn lock_at(&self, now: i64) -> Settled<'_> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.settle(now);
        Settled { state, now }
    }

    /// Replaces the whole state (a reset); the settings (offset unit, system-task times) stay
    /// as set.
    pub(crate) fn replace(&self, mut fresh: State) {
        let old = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            fresh.offset_unit = state.offset_unit;
            fresh.system_task_times = state.system_task_times;
            std::mem::replace(&mut *state, fresh)
        };
        // Freed outside the lock: a large state takes a while to drop.
        drop(old);
    }
}

/// The locked state, up to date at [`Settled::now`].
#[derive(Debug)]
pub(crate) struct Settled<'a> {
    state: MutexGuard<'a, State>,
    now: i64,
}

impl Settled<'_> {
    /// The time (ms) the state was settled at: the time of the change a caller makes.
    pub(crate) fn now(&self) -> i64 {
        self.now
    }
}

impl Deref for Settled<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        &self.state
    }
}

impl DerefMut for Settled<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{DEMO_PROJECT_ID as P, DEMO_WORKSPACE_ID as WS};

    fn package_body() -> CreatePackageBody {
        serde_json::from_value(serde_json::json!({
            "apply_user_id": "f8ccc2ff3c7748e8a7bfede38ae1cffa",
            "package_name": "p",
            "pending_item_list": ["26"],
            "approver_ids": ["0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7"],
        }))
        .unwrap()
    }

    #[test]
    fn packaging_stops_at_the_cap_until_a_reset() {
        let f = Fixtures::demo();
        let mut st = State::new(&f, 0, TaskTiming::Manual);
        st.catalog.created = catalog::MAX_CREATED_PACKAGES - 1;
        let id = st
            .create_package(P, WS, &package_body(), 0)
            .unwrap()
            .release_package_id
            .unwrap();
        // Revoking frees the item but not the cap: package-and-revoke cannot loop forever.
        let scope = Scope {
            project: P,
            workspace: Some(WS),
        };
        st.cancel(scope, &[id]).unwrap();
        let e = st.create_package(P, WS, &package_body(), 0).unwrap_err();
        assert_eq!((e.status, e.code), (400, "EMU.0002"));
        assert!(
            e.msg.contains("10000") && e.msg.contains("reset"),
            "{}",
            e.msg
        );
        // A fresh state (what a reset installs) packages again.
        let mut fresh = State::new(&f, 0, TaskTiming::Manual);
        fresh.create_package(P, WS, &package_body(), 0).unwrap();
    }
}
