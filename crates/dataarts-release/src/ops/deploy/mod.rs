//! Releasing packages (`deploy_factory_packages`): the request, its result, and the
//! [`Deployment`] it starts, with its wait in [`wait`].

mod condition;
mod plan;
mod reconcile;
mod states;
mod wait;

pub use condition::PackageCondition;
pub use plan::{DeployPlan, PlannedPackage};

pub use wait::{WaitForDeployment, WaitForPackage};

use dataarts_release_raw::Operation;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Input, InputProblem, Result};
use crate::ids::{PackageId, TaskId};
use crate::model::{DeployStatus, ReleaseState};
use crate::ops::collect_ids;
use crate::validate;

const OP: Operation = Operation::DeployFactoryPackages;

/// Most ids per deploy request (use [`Client::deploy_all`] for more).
///
/// ```
/// assert_eq!(dataarts_release::MAX_DEPLOY_IDS, 100);
/// ```
pub const MAX_DEPLOY_IDS: usize = 100;

/// Builder for one deploy request; see [`Client::deploy`].
#[derive(Debug, Clone)]
#[must_use]
pub struct DeployRequest<'a> {
    client: &'a Client,
    ids: Vec<PackageId>,
    startup_mode: i32,
}

/// A package whose release started.
///
/// ```
/// # fn f(p: &dataarts_release::DeployedPackage) {
/// match &p.task_id {
///     Some(t) => println!("{} is being released by task {t}", p.package_id),
///     None => println!("{} was found releasing or released on read-back", p.package_id),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct DeployedPackage {
    /// The package.
    pub package_id: PackageId,
    /// The asynchronous release task (`asy_task_id`); `None` when the release was confirmed
    /// by reading the package back after an ambiguous failure.
    pub task_id: Option<TaskId>,
    /// Number of subtasks the release runs, when known.
    pub subtask_count: Option<u32>,
}

/// The result of a successful deploy: every package's release has started.
///
/// Call [`wait`](Self::wait) to follow the releases to their end.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Deployment {
    pub(crate) client: Client,
    /// One entry per package, in request order.
    pub packages: Vec<DeployedPackage>,
    /// True when an ambiguous failure was resolved by reading the packages back.
    pub reconciled: bool,
}

impl Deployment {
    /// The release task ids that are known.
    ///
    /// ```
    /// # fn f(d: &dataarts_release::Deployment) { for t in d.task_ids() { println!("{t}"); } }
    /// ```
    pub fn task_ids(&self) -> Vec<&TaskId> {
        self.packages
            .iter()
            .filter_map(|p| p.task_id.as_ref())
            .collect()
    }

    /// The released package ids.
    ///
    /// ```
    /// # fn f(d: &dataarts_release::Deployment) { println!("{:?}", d.package_ids()); }
    /// ```
    pub fn package_ids(&self) -> Vec<&PackageId> {
        self.packages.iter().map(|p| &p.package_id).collect()
    }
}

/// What happened to one package in a deploy.
///
/// ```
/// # fn f(r: &dataarts_release::DeployResult) {
/// use dataarts_release::DeployResult;
/// match r {
///     DeployResult::Released { task_id, .. } => println!("released ({task_id:?})"),
///     DeployResult::Refused(e) => println!("not released: {e}"),
///     DeployResult::Unknown(e) => println!("outcome unknown, check it: {e}"),
///     _ => {}
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DeployResult {
    /// The release started (or was found started or finished on read-back).
    Released {
        /// The release task, when the deploy answer was received.
        task_id: Option<TaskId>,
        /// Number of subtasks, when known.
        subtask_count: Option<u32>,
    },
    /// The service refused; the package was not released.
    Refused(Error),
    /// The request failed ambiguously and reading back did not settle it.
    Unknown(Error),
    /// Nothing was sent for it: the package was already released, or being released, when
    /// the service refused the call and its state was read. A re-run counts it as done.
    AlreadyReleased {
        /// [`ReleaseState::Released`] or [`ReleaseState::Releasing`].
        state: ReleaseState,
    },
    /// It was not sent: held back by all-or-nothing (`condition` says what it was), or the
    /// batch was stopped before its chunk (`condition` is `None`: not read).
    NotSent {
        /// What reading it found, when it was read.
        condition: Option<PackageCondition>,
    },
}

impl DeployResult {
    /// True for `Released`.
    ///
    /// ```
    /// # fn f(r: &dataarts_release::DeployResult) -> bool { r.is_released() }
    /// ```
    pub fn is_released(&self) -> bool {
        matches!(self, DeployResult::Released { .. })
    }

    /// The error of `Refused` or `Unknown`.
    ///
    /// ```
    /// # fn f(r: &dataarts_release::DeployResult) { if let Some(e) = r.error() { eprintln!("{e}"); } }
    /// ```
    pub fn error(&self) -> Option<&Error> {
        match self {
            DeployResult::Refused(e) | DeployResult::Unknown(e) => Some(e),
            _ => None,
        }
    }

    /// True when the package is released or being released, by this call or before it
    /// (`Released` or `AlreadyReleased`).
    ///
    /// ```
    /// # fn f(r: &dataarts_release::DeployResult) -> bool { r.reaches_goal() }
    /// ```
    pub fn reaches_goal(&self) -> bool {
        matches!(
            self,
            DeployResult::Released { .. } | DeployResult::AlreadyReleased { .. }
        )
    }

    /// The package's own condition, when it is known: for `AlreadyReleased`, for a refusal
    /// found by reading the package (not found, revoked, failed...), and for `NotSent` after
    /// all-or-nothing read it.
    ///
    /// ```
    /// # fn f(r: &dataarts_release::DeployResult) {
    /// if let Some(c) = r.condition() { println!("reason: {}", c.key()); }
    /// # }
    /// ```
    pub fn condition(&self) -> Option<PackageCondition> {
        match self {
            DeployResult::AlreadyReleased { state } => Some(PackageCondition::of_state(*state)),
            DeployResult::Refused(e) => PackageCondition::of_error(e),
            DeployResult::NotSent { condition } => *condition,
            _ => None,
        }
    }
}

/// The error naming an already released (or releasing) package, for callers that asked for
/// a release of it.
pub(crate) fn already_released_error(package_id: PackageId, state: ReleaseState) -> Error {
    let status = match state {
        ReleaseState::Releasing => DeployStatus::Releasing,
        _ => DeployStatus::Succeeded,
    };
    Error::PackageState {
        package_id,
        status,
        deleted: false,
        state: state.to_string(),
    }
}

impl Client {
    /// Releases 1 to 100 packages awaiting review (`deploy_factory_packages`). The jobs in them start after the
    /// release unless [`start_jobs(false)`](DeployRequest::start_jobs).
    ///
    /// Never releases twice: after an ambiguous failure it reads every package back and
    /// re-sends only those still awaiting review (see [`RetryPolicy`](crate::RetryPolicy)).
    /// When the service refuses the call because of one package's state or existence, it
    /// reads the packages' states, re-sends those still awaiting review, and the error names
    /// each refused package's own state ([`Error::PackageState`], [`Error::PackageNotFound`]).
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let deployment = client.deploy(["23"]).start_jobs(false).send().await?;
    /// for p in &deployment.packages {
    ///     println!("{} -> task {:?}", p.package_id, p.task_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn deploy<I, T>(&self, package_ids: I) -> DeployRequest<'_>
    where
        I: IntoIterator<Item = T>,
        T: Into<PackageId>,
    {
        DeployRequest {
            client: self,
            ids: collect_ids(package_ids),
            startup_mode: 1,
        }
    }

    /// A [`Deployment`] for packages released earlier (by another process, or a previous
    /// run): its [`wait`](Deployment::wait) polls each package's status until it is
    /// released (2) or failed (3). Nothing is sent until then.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let results = client.track_releases(["12", "23"]).wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn track_releases<I, T>(&self, package_ids: I) -> Deployment
    where
        I: IntoIterator<Item = T>,
        T: Into<PackageId>,
    {
        Deployment {
            client: self.clone(),
            packages: collect_ids::<_, _, PackageId>(package_ids)
                .into_iter()
                .map(|package_id| DeployedPackage {
                    package_id,
                    task_id: None,
                    subtask_count: None,
                })
                .collect(),
            reconciled: false,
        }
    }
}

impl DeployRequest<'_> {
    /// Whether to start the jobs in the packages after the release (`startup_mode` 1,
    /// the default) or not (0).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy(["23"]).start_jobs(false); }
    /// ```
    pub fn start_jobs(mut self, start: bool) -> Self {
        self.startup_mode = i32::from(start);
        self
    }

    /// Sets `startup_mode` directly (0 or 1; anything else fails before sending).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy(["23"]).startup_mode(0); }
    /// ```
    pub fn startup_mode(mut self, mode: i32) -> Self {
        self.startup_mode = mode;
        self
    }

    /// Sends the release.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending (empty, blank or duplicate ids, more than 100,
    /// bad startup mode); the service's error when it refused everything;
    /// [`Error::PartialRelease`] when some packages were released and others not.
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let d = c.deploy(["23"]).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Deployment> {
        validate::id_list(Input::PackageId, &self.ids, Some(MAX_DEPLOY_IDS))?;
        if !(0..=1).contains(&self.startup_mode) {
            return Err(Error::invalid(
                Input::StartupMode,
                InputProblem::OutOfRange,
                format!(
                    "{} is not 0 (do not start jobs) or 1 (start jobs)",
                    self.startup_mode
                ),
            ));
        }
        self.client.workspace_checked(false)?;
        let span = tracing::info_span!(
            "dataarts_deploy",
            packages = self.ids.len(),
            startup_mode = self.startup_mode
        );
        let (results, reconciled) = self
            .client
            .deploy_reconciled(&self.ids, self.startup_mode)
            .instrument(span)
            .await;
        let mut packages = Vec::new();
        let mut failure = None;
        for (id, r) in results {
            match r {
                DeployResult::Released {
                    task_id,
                    subtask_count,
                } => packages.push(DeployedPackage {
                    package_id: id,
                    task_id,
                    subtask_count,
                }),
                DeployResult::Refused(e) | DeployResult::Unknown(e) => {
                    failure.get_or_insert(e);
                }
                DeployResult::AlreadyReleased { state } => {
                    failure.get_or_insert(already_released_error(id, state));
                }
                DeployResult::NotSent { .. } => {}
            }
        }
        match failure {
            None => Ok(Deployment {
                client: self.client.clone(),
                packages,
                reconciled,
            }),
            Some(e) if packages.is_empty() => Err(e),
            Some(e) => Err(Error::PartialRelease {
                released: packages.into_iter().map(|p| p.package_id).collect(),
                source: Box::new(e),
            }),
        }
    }
}
