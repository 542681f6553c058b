//! `deploy_all`: any number of packages, in paced requests of at most 100.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use dataarts_release_raw::Operation;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Input, InputProblem, Result};
use crate::ids::{PackageId, TaskId};
use crate::model::ReleaseState;
use crate::ops::collect_ids;
use crate::ops::deploy::{DeployPlan, DeployResult, DeployedPackage, Deployment, MAX_DEPLOY_IDS};
use crate::validate;

type ChunkFn<'a> = Box<dyn FnMut(&[PackageOutcome]) + Send + 'a>;
type StopFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// How long a chunk in flight may still take after [`DeployAll::stop_when`] fired, unless
/// [`DeployAll::stop_grace`] says otherwise.
pub const DEFAULT_STOP_GRACE: Duration = Duration::from_secs(5);

/// Builder for a batch release; see [`Client::deploy_all`].
#[must_use]
pub struct DeployAll<'a> {
    client: &'a Client,
    ids: Vec<PackageId>,
    startup_mode: i32,
    chunk_size: usize,
    on_chunk: Option<ChunkFn<'a>>,
    all_or_nothing: bool,
    strict: bool,
    stop: Option<StopFuture<'a>>,
    stop_grace: Duration,
}

impl std::fmt::Debug for DeployAll<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeployAll")
            .field("ids", &self.ids.len())
            .field("startup_mode", &self.startup_mode)
            .field("chunk_size", &self.chunk_size)
            .field("all_or_nothing", &self.all_or_nothing)
            .field("strict", &self.strict)
            .field("stop_grace", &self.stop_grace)
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
    /// Number of chunks sent (each one deploy request, plus any reconciliation re-sends).
    pub chunks: usize,
    /// True when [`DeployAll::stop_when`] stopped the batch early: the ids of the chunks not
    /// sent are [`DeployResult::NotSent`], and a chunk cut off in flight is
    /// [`DeployResult::Unknown`]. Running the same batch again settles them.
    pub interrupted: bool,
    /// True when all-or-nothing found a package that could not be released, and sent
    /// nothing.
    pub held_back: bool,
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

    /// Ids that were already released or being released (nothing was sent for them).
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) { println!("{:?}", r.already_released()); }
    /// ```
    pub fn already_released(&self) -> Vec<&PackageId> {
        self.filter(|r| matches!(r, DeployResult::AlreadyReleased { .. }))
    }

    /// Ids not sent (held back by all-or-nothing, or after an interruption).
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) { println!("{:?}", r.not_sent()); }
    /// ```
    pub fn not_sent(&self) -> Vec<&PackageId> {
        self.filter(|r| matches!(r, DeployResult::NotSent { .. }))
    }

    /// True when every package was released *by this run* (the strict reading: an already
    /// released package does not count).
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) -> bool { r.all_released() }
    /// ```
    pub fn all_released(&self) -> bool {
        self.outcomes.iter().all(|o| o.result.is_released())
    }

    /// True when every package reached the goal: released by this run, or already released
    /// or being released (the re-runnable reading).
    ///
    /// ```
    /// # fn f(r: &dataarts_release::BatchReport) -> bool { r.all_reached_goal() }
    /// ```
    pub fn all_reached_goal(&self) -> bool {
        self.outcomes.iter().all(|o| o.result.reaches_goal())
    }

    /// The released packages, and those found already releasing, as a [`Deployment`] to
    /// wait for them (the releasing ones have no task id: their package status is polled).
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
                    DeployResult::AlreadyReleased {
                        state: ReleaseState::Releasing,
                    } => Some(DeployedPackage {
                        package_id: o.package_id.clone(),
                        task_id: None,
                        subtask_count: None,
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
    /// Safe to run again: when the service refuses a chunk because of one package, the
    /// packages' states are read (the package list 100 at a time or one read per id,
    /// whichever takes fewer requests), every id gets its own result, and only the ids still
    /// awaiting review are sent again. A package already released or being released is
    /// [`DeployResult::AlreadyReleased`]: nothing is sent twice to find that out.
    /// [`BatchReport::all_reached_goal`] counts those as done; [`BatchReport::all_released`]
    /// is the strict reading (released by this run). [`DeployAll::all_or_nothing`] reads
    /// first and sends nothing unless every package can be released; [`DeployAll::plan`] is
    /// the dry run; [`DeployAll::stop_when`] stops between chunks.
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
            all_or_nothing: false,
            strict: false,
            stop: None,
            stop_grace: DEFAULT_STOP_GRACE,
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

    /// Reads every package's state before sending anything, and sends nothing unless every
    /// one can be released (default false). Packages that cannot be released come back
    /// refused with their own reason; the others [`DeployResult::NotSent`]. Already released
    /// or releasing packages do not hold the batch back unless [`strict`](Self::strict).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy_all(["1"]).all_or_nothing(true); }
    /// ```
    pub fn all_or_nothing(mut self, on: bool) -> Self {
        self.all_or_nothing = on;
        self
    }

    /// With [`all_or_nothing`](Self::all_or_nothing): an already released or releasing
    /// package also holds the batch back (default false).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy_all(["1"]).all_or_nothing(true).strict(true); }
    /// ```
    pub fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }

    /// Stops the batch when `stop` completes (e.g. on a signal): no new chunk is sent, the
    /// chunk in flight may finish within [`stop_grace`](Self::stop_grace), and the report
    /// says it was [`interrupted`](BatchReport::interrupted).
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let report = c
    ///     .deploy_all((1000..1250).map(|n| n.to_string()))
    ///     .stop_when(async { let _ = tokio::signal::ctrl_c().await; })
    ///     .send()
    ///     .await?;
    /// if report.interrupted { eprintln!("stopped; run again to finish"); }
    /// # Ok(()) }
    /// ```
    pub fn stop_when(mut self, stop: impl Future<Output = ()> + Send + 'a) -> Self {
        self.stop = Some(Box::pin(stop));
        self
    }

    /// How long the chunk in flight may still take after the stop (default 5 s); its ids are
    /// [`DeployResult::Unknown`] after that.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.deploy_all(["1"]).stop_grace(std::time::Duration::from_secs(2)); }
    /// ```
    pub fn stop_grace(mut self, grace: Duration) -> Self {
        self.stop_grace = grace;
        self
    }

    /// The dry run: reads every package's state (with the fewest requests) and says what a
    /// batch would do. No release is sent.
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let plan = c.deploy_all(["12", "23"]).plan().await?;
    /// assert!(plan.all_would_end_released());
    /// # Ok(()) }
    /// ```
    pub async fn plan(self) -> Result<DeployPlan> {
        self.validate()?;
        Ok(self.client.read_plan(&self.ids).await)
    }

    fn validate(&self) -> Result<()> {
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
        Ok(())
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
        self.validate()?;
        let mut results: HashMap<PackageId, DeployResult> = HashMap::with_capacity(self.ids.len());
        let mut held_back = false;
        let to_send: Vec<PackageId> = if self.all_or_nothing {
            let plan = match self.stop.as_mut() {
                None => self.client.read_plan(&self.ids).await,
                Some(stop) => tokio::select! {
                    plan = self.client.read_plan(&self.ids) => plan,
                    () = stop.as_mut() => {
                        // Stopped while reading: nothing was sent.
                        let outcomes = self
                            .ids
                            .iter()
                            .map(|id| PackageOutcome {
                                package_id: id.clone(),
                                result: DeployResult::NotSent { condition: None },
                            })
                            .collect();
                        return Ok(BatchReport {
                            client: self.client.clone(),
                            outcomes,
                            chunks: 0,
                            interrupted: true,
                            held_back: false,
                        });
                    }
                },
            };
            held_back = plan.packages.iter().any(|p| p.blocks(self.strict));
            let mut send = Vec::new();
            for p in plan.packages {
                let r = match (p.condition, p.refusal()) {
                    (_, Some(e)) => DeployResult::Refused(e),
                    (Some(c), None) if c.reaches_goal() => DeployResult::AlreadyReleased {
                        state: c.release_state().unwrap_or(ReleaseState::Released),
                    },
                    (Some(c), None) if c.can_release() && !held_back => {
                        send.push(p.package_id);
                        continue;
                    }
                    (c, None) => DeployResult::NotSent { condition: c },
                };
                results.insert(p.package_id, r);
            }
            send
        } else {
            self.ids.clone()
        };
        let (chunks, interrupted) = self.send_chunks(&to_send, &mut results).await;
        let outcomes = self
            .ids
            .iter()
            .map(|id| PackageOutcome {
                package_id: id.clone(),
                result: results
                    .remove(id)
                    .unwrap_or(DeployResult::NotSent { condition: None }),
            })
            .collect();
        Ok(BatchReport {
            client: self.client.clone(),
            outcomes,
            chunks,
            interrupted,
            held_back,
        })
    }

    /// Sends `ids` chunk by chunk until done or stopped; returns the chunks sent and whether
    /// the stop fired.
    async fn send_chunks(
        &mut self,
        ids: &[PackageId],
        results: &mut HashMap<PackageId, DeployResult>,
    ) -> (usize, bool) {
        // Credentials and the project id come first: when they cannot be had, nothing is
        // sent and no chunk counts.
        if !ids.is_empty() {
            if let Err(e) = self.client.ready().await {
                for id in ids {
                    results.insert(id.clone(), DeployResult::Refused(e.clone()));
                }
                return (0, false);
            }
        }
        let mut stop = self.stop.take();
        let mut stopped = false;
        let mut chunks = 0;
        for chunk in ids.chunks(self.chunk_size) {
            // A stop future is never polled again once it has completed.
            if let Some(s) = stop.as_mut().filter(|_| !stopped) {
                if futures::poll!(s.as_mut()).is_ready() {
                    stopped = true;
                }
            }
            if stopped {
                break;
            }
            chunks += 1;
            let span = tracing::info_span!(
                "dataarts_deploy_chunk",
                chunk = chunks,
                packages = chunk.len()
            );
            let work = self
                .client
                .deploy_reconciled(chunk, self.startup_mode)
                .instrument(span);
            tokio::pin!(work);
            let chunk_results = match stop.as_mut() {
                None => work.await.0,
                Some(s) => tokio::select! {
                    biased;
                    r = &mut work => r.0,
                    () = s.as_mut() => {
                        stopped = true;
                        match tokio::time::timeout(self.stop_grace, &mut work).await {
                            Ok(r) => r.0,
                            Err(_) => cut_off(chunk, self.stop_grace),
                        }
                    }
                },
            };
            let outcomes: Vec<PackageOutcome> = chunk_results
                .into_iter()
                .map(|(package_id, result)| PackageOutcome { package_id, result })
                .collect();
            if let Some(cb) = self.on_chunk.as_mut() {
                cb(&outcomes);
            }
            for o in outcomes {
                results.insert(o.package_id, o.result);
            }
        }
        (chunks, stopped)
    }
}

/// The results of a chunk whose answer did not come within the grace after a stop.
fn cut_off(chunk: &[PackageId], grace: Duration) -> Vec<(PackageId, DeployResult)> {
    let e = Error::Timeout {
        operation: Operation::DeployFactoryPackages,
        after: Some(grace),
    };
    chunk
        .iter()
        .map(|id| (id.clone(), DeployResult::Unknown(e.clone())))
        .collect()
}
