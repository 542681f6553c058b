//! Op 1: releasing packages, with read-back reconciliation after ambiguous failures.

use dataarts_release_raw::types;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{PackageId, TaskId};
use crate::model::DeployStatus;
use crate::ops::collect_ids;
use crate::validate;

const OP: &str = "deploy_factory_packages";

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
            DeployResult::Released { .. } => None,
        }
    }
}

impl Client {
    /// Releases 1 to 100 packages awaiting review (op 1). The jobs in them start after the
    /// release unless [`start_jobs(false)`](DeployRequest::start_jobs).
    ///
    /// Never releases twice: after an ambiguous failure it reads every package back and
    /// re-sends only those still awaiting review (see [`RetryPolicy`](crate::RetryPolicy)).
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

    /// One deploy call, mapped.
    async fn deploy_once(
        &self,
        ids: &[PackageId],
        startup_mode: i32,
    ) -> Result<Vec<DeployedPackage>> {
        let ws = self.workspace_checked(false)?;
        let mode = types::DeployBodyStartupMode::try_from(startup_mode)
            .map_err(|_| Error::invalid("startup mode", format!("{startup_mode} is not 0 or 1")))?;
        let body = types::DeployBody {
            package_ids: ids.iter().map(|i| i.as_str().to_string()).collect(),
            startup_mode: mode,
        };
        let mut b = self
            .inner
            .v2
            .deploy_factory_packages()
            .project_id(self.project_id())
            .body(body);
        if let Some(ws) = ws {
            b = b.workspace(ws);
        }
        let r = self.call(OP, b.send()).await?;
        Ok(ids
            .iter()
            .map(|id| {
                let detail = r
                    .deploy_package_details
                    .iter()
                    .find(|d| d.package_id.map(|n| n.to_string()).as_deref() == Some(id.as_str()));
                DeployedPackage {
                    package_id: id.clone(),
                    task_id: detail
                        .and_then(|d| d.asy_task_id.clone())
                        .filter(|t| !t.is_empty())
                        .map(TaskId::new),
                    subtask_count: detail
                        .and_then(|d| d.asy_subtask_num)
                        .and_then(|n| u32::try_from(n).ok()),
                }
            })
            .collect())
    }

    /// Deploys `ids` (already validated), reconciling ambiguous failures; one result per id.
    pub(crate) async fn deploy_reconciled(
        &self,
        ids: &[PackageId],
        startup_mode: i32,
    ) -> (Vec<(PackageId, DeployResult)>, bool) {
        let policy = self.retry_policy().clone();
        let mut pending: Vec<PackageId> = ids.to_vec();
        let mut out: Vec<(PackageId, DeployResult)> = Vec::with_capacity(ids.len());
        let mut rounds = 0;
        let mut reconciled = false;
        loop {
            match self.deploy_once(&pending, startup_mode).await {
                Ok(released) => {
                    out.extend(released.into_iter().map(|p| {
                        (
                            p.package_id,
                            DeployResult::Released {
                                task_id: p.task_id,
                                subtask_count: p.subtask_count,
                            },
                        )
                    }));
                    break;
                }
                Err(e)
                    if e.is_ambiguous()
                        && policy.reconcile_deploys
                        && rounds < policy.max_reconcile_rounds =>
                {
                    rounds += 1;
                    reconciled = true;
                    tracing::warn!(error = %e, round = rounds, "deploy outcome unknown; reading the packages back");
                    let mut again = Vec::new();
                    for id in pending {
                        match self.show_package(id.clone()).await {
                            Ok(detail) => {
                                let p = detail.package;
                                let status = p.deploy_status.unwrap_or(DeployStatus::Unknown(0));
                                if p.is_awaiting_review() {
                                    again.push(id);
                                } else if !p.deleted
                                    && matches!(
                                        status,
                                        DeployStatus::Releasing
                                            | DeployStatus::Succeeded
                                            | DeployStatus::Failed
                                    )
                                {
                                    out.push((
                                        id,
                                        DeployResult::Released {
                                            task_id: None,
                                            subtask_count: None,
                                        },
                                    ));
                                } else {
                                    let state = if p.deleted {
                                        "revoked (delete_flag 1)".to_string()
                                    } else {
                                        status.to_string()
                                    };
                                    out.push((
                                        id.clone(),
                                        DeployResult::Refused(Error::PackageState {
                                            package_id: id,
                                            status,
                                            deleted: p.deleted,
                                            state,
                                        }),
                                    ));
                                }
                            }
                            Err(read_err) => {
                                tracing::warn!(package = %id, error = %read_err, "could not read the package back");
                                out.push((id, DeployResult::Unknown(e.clone())));
                            }
                        }
                    }
                    if again.is_empty() {
                        break;
                    }
                    tracing::info!(
                        count = again.len(),
                        "re-sending the packages still awaiting review"
                    );
                    pending = again;
                }
                Err(e) => {
                    let ambiguous = e.is_ambiguous();
                    out.extend(pending.into_iter().map(|id| {
                        let r = if ambiguous {
                            DeployResult::Unknown(e.clone())
                        } else {
                            DeployResult::Refused(e.clone())
                        };
                        (id, r)
                    }));
                    break;
                }
            }
        }
        // Report in request order.
        out.sort_by_key(|(id, _)| ids.iter().position(|x| x == id).unwrap_or(usize::MAX));
        (out, reconciled)
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
        validate::id_list("package id", &self.ids, Some(MAX_DEPLOY_IDS))?;
        if !(0..=1).contains(&self.startup_mode) {
            return Err(Error::invalid(
                "startup mode",
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
