//! `deploy_all`: any number of packages, in paced requests of at most 100.

use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Input, InputProblem, Result};
use crate::ids::{PackageId, TaskId};
use crate::ops::collect_ids;
use crate::ops::deploy::{DeployResult, DeployedPackage, Deployment, MAX_DEPLOY_IDS};
use crate::validate;

type ChunkFn<'a> = Box<dyn FnMut(&[PackageOutcome]) + Send + 'a>;

/// Builder for a batch release; see [`Client::deploy_all`].
#[must_use]
pub struct DeployAll<'a> {
    client: &'a Client,
    ids: Vec<PackageId>,
    startup_mode: i32,
    chunk_size: usize,
    on_chunk: Option<ChunkFn<'a>>,
}

impl std::fmt::Debug for DeployAll<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeployAll")
            .field("ids", &self.ids.len())
            .field("startup_mode", &self.startup_mode)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

/// The outcome for one package of a batch.
///
/// ```
/// # fn f(o: &dataarts_release::PackageOutcome) { println!("{}: {}", o.package_id, o.result.is_released()); }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PackageOutcome {
    /// The package.
    pub package_id: PackageId,
    /// What happened to it.
    pub result: DeployResult,
}

/// Per-package outcomes of [`Client::deploy_all`], in request order.
///
/// ```no_run
/// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
/// let report = client.deploy_all((1000..1250).map(|n| n.to_string())).send().await?;
/// println!("released {}, refused {}, unknown {}",
///     report.released().len(), report.refused().len(), report.unknown().len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchReport {
    client: Client,
    /// One entry per requested id.
    pub outcomes: Vec<PackageOutcome>,
    /// Number of deploy requests sent (including reconciliation re-sends).
    pub chunks: usize,
}

impl BatchReport {
    /// Ids whose release started.
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) { println!("{:?}", r.released()); }
    /// ```
    pub fn released(&self) -> Vec<&PackageId> {
        self.filter(|r| matches!(r, DeployResult::Released { .. }))
    }

    /// Ids the service refused (not released).
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) { println!("{:?}", r.refused()); }
    /// ```
    pub fn refused(&self) -> Vec<&PackageId> {
        self.filter(|r| matches!(r, DeployResult::Refused(_)))
    }

    /// Ids whose outcome is unknown (check them with `show_package`).
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) { println!("{:?}", r.unknown()); }
    /// ```
    pub fn unknown(&self) -> Vec<&PackageId> {
        self.filter(|r| matches!(r, DeployResult::Unknown(_)))
    }

    /// True when every package was released.
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) -> bool { r.all_released() }
    /// ```
    pub fn all_released(&self) -> bool {
        self.outcomes.iter().all(|o| o.result.is_released())
    }

    /// The released packages as a [`Deployment`], to wait for them.
    ///
    /// ```no_run
    /// # async fn f(r: dataarts_release::BatchReport) -> dataarts_release::Result<()> {
    /// let results = r.deployment().wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn deployment(&self) -> Deployment {
        Deployment {
            client: self.client.clone(),
            packages: self
                .outcomes
                .iter()
                .filter_map(|o| match &o.result {
                    DeployResult::Released {
                        task_id,
                        subtask_count,
                    } => Some(DeployedPackage {
                        package_id: o.package_id.clone(),
                        task_id: task_id.clone(),
                        subtask_count: *subtask_count,
                    }),
                    _ => None,
                })
                .collect(),
            reconciled: false,
        }
    }

    /// The task id of a released package, when known.
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) { let _ = r.task_id("23"); }
    /// ```
    pub fn task_id(&self, package_id: &str) -> Option<&TaskId> {
        self.outcomes
            .iter()
            .find(|o| o.package_id == package_id)
            .and_then(|o| match &o.result {
                DeployResult::Released { task_id, .. } => task_id.as_ref(),
                _ => None,
            })
    }

    fn filter(&self, f: impl Fn(&DeployResult) -> bool) -> Vec<&PackageId> {
        self.outcomes
            .iter()
            .filter(|o| f(&o.result))
            .map(|o| &o.package_id)
            .collect()
    }
}

impl Client {
    /// Releases any number of packages: requests of at most 100 ids, paced by the client's
    /// rate limiter ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit), default
    /// 10 requests/s), each with the same never-twice reconciliation as
    /// [`deploy`](Client::deploy). Returns one outcome per id.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let report = client.deploy_all(["12", "13", "23"]).start_jobs(false).send().await?;
    /// if !report.all_released() {
    ///     for o in &report.outcomes {
    ///         if let Some(e) = o.result.error() { eprintln!("{}: {e}", o.package_id); }
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn deploy_all<I, T>(&self, package_ids: I) -> DeployAll<'_>
    where
        I: IntoIterator<Item = T>,
        T: Into<PackageId>,
    {
        DeployAll {
            client: self,
            ids: collect_ids(package_ids),
            startup_mode: 1,
            chunk_size: MAX_DEPLOY_IDS,
            on_chunk: None,
        }
    }
}

impl<'a> DeployAll<'a> {
    /// Called after each request (chunk) with its per-package outcomes, e.g. to drive a
    /// progress bar.
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let mut done = 0;
    /// let report = c
    ///     .deploy_all((1000..1250).map(|n| n.to_string()))
    ///     .on_chunk(|outcomes| { done += outcomes.len(); eprintln!("{done} done"); })
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn on_chunk(mut self, f: impl FnMut(&[PackageOutcome]) + Send + 'a) -> Self {
        self.on_chunk = Some(Box::new(f));
        self
    }

    /// Whether to start the jobs after release (default true).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy_all(["1"]).start_jobs(false); }
    /// ```
    pub fn start_jobs(mut self, start: bool) -> Self {
        self.startup_mode = i32::from(start);
        self
    }

    /// Sets `startup_mode` directly (0 or 1).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy_all(["1"]).startup_mode(0); }
    /// ```
    pub fn startup_mode(mut self, mode: i32) -> Self {
        self.startup_mode = mode;
        self
    }

    /// Ids per request, 1 to 100 (default 100).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy_all(["1"]).chunk_size(50); }
    /// ```
    pub fn chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size;
        self
    }

    /// Runs the batch. Only input errors are returned as `Err`; everything else is in the
    /// report, per id.
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let report = c.deploy_all(["1", "2"]).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(mut self) -> Result<BatchReport> {
        validate::id_list(Input::PackageId, &self.ids, None)?;
        if !(1..=MAX_DEPLOY_IDS).contains(&self.chunk_size) {
            return Err(Error::invalid(
                Input::ChunkSize,
                InputProblem::OutOfRange,
                format!("{} is outside 1..=100", self.chunk_size),
            ));
        }
        if !(0..=1).contains(&self.startup_mode) {
            return Err(Error::invalid(
                Input::StartupMode,
                InputProblem::OutOfRange,
                format!("{} is not 0 or 1", self.startup_mode),
            ));
        }
        self.client.workspace_checked(false)?;
        let mut outcomes = Vec::with_capacity(self.ids.len());
        let mut chunks = 0;
        for chunk in self.ids.chunks(self.chunk_size) {
            chunks += 1;
            let span = tracing::info_span!(
                "dataarts_deploy_chunk",
                chunk = chunks,
                packages = chunk.len()
            );
            let (results, _) = self
                .client
                .deploy_reconciled(chunk, self.startup_mode)
                .instrument(span)
                .await;
            let start = outcomes.len();
            outcomes.extend(
                results
                    .into_iter()
                    .map(|(package_id, result)| PackageOutcome { package_id, result }),
            );
            if let Some(cb) = self.on_chunk.as_mut() {
                cb(&outcomes[start..]);
            }
        }
        Ok(BatchReport {
            client: self.client.clone(),
            outcomes,
            chunks,
        })
    }
}
