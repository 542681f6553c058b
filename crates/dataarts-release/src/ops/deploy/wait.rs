//! Waiting for releases to end: every package of a [`Deployment`], or one package by its
//! status.
//!
//! A deployment's wait reads, round by round, either each open release on its own (its
//! release task, or its package without a task id) or every open release at once from the
//! package list, whichever costs fewer requests that round: [`poller`] runs the rounds,
//! [`bulk`] explains and implements the bulk reading and the cost model. One round over
//! 10,000 releases costs about 100 list requests rather than 10,000 task reads.

mod bulk;
mod poller;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Input, Result};
use crate::ids::PackageId;
use crate::model::{DeployStatus, ReleasePackage};
use crate::validate;
use crate::wait::{package_status, polling_setters, wait_error, Progress, ReleaseResult};
use crate::waiter::{self, classify, Acceptance, Poller, Polling, ProgressFn, Reporter, Verdict};

use super::{DeployedPackage, Deployment};
use poller::DeploymentPoller;

/// Waits for every package of a [`Deployment`]; see [`Deployment::wait`].
///
/// It owns what it needs (a clone of the client and the package list), so it can be
/// returned from a function or spawned; `'a` is only the lifetime of the
/// [`on_progress`](Self::on_progress) callback.
///
/// ```no_run
/// use std::future::IntoFuture;
/// use dataarts_release::{Client, Deployment, WaitForDeployment};
///
/// // The deployment is dropped here; the wait lives on.
/// fn follow(client: &Client) -> WaitForDeployment<'_> {
///     client.track_releases(["12", "23"]).wait()
/// }
///
/// // Without a borrowing progress callback, a wait is `'static` and can be spawned.
/// fn patiently(d: &Deployment) -> WaitForDeployment<'static> {
///     d.wait().timeout(std::time::Duration::from_secs(3600))
/// }
///
/// # async fn f(client: Client) -> dataarts_release::Result<()> {
/// let deployment = client.deploy(["23"]).send().await?;
/// let handle = tokio::spawn(patiently(&deployment).into_future());
/// drop(deployment);
/// let results = handle.await.expect("not cancelled")?;
/// let others = follow(&client).await?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct WaitForDeployment<'a> {
    client: Client,
    packages: Vec<DeployedPackage>,
    polling: Polling,
    progress: Option<ProgressFn<'a, Progress>>,
}

/// Waits for one package to reach `deploy_status` 2 or 3; see [`Client::wait_for_package`].
/// It owns what it needs, so it can be returned from a function or spawned.
#[must_use]
pub struct WaitForPackage {
    client: Client,
    package_id: PackageId,
    polling: Polling,
}

impl Deployment {
    /// Waits for every package's release to end. Returns one [`ReleaseResult`] per package,
    /// in order.
    ///
    /// Each poll round reads the open releases the cheaper way: for a few, each release task
    /// (which also reports finished subtasks) or, for a package without a task id, its status;
    /// for many, the package list, 100 packages per request (the releasing ones, then the
    /// recently released or failed ones), so a round over N releases costs about N/100
    /// requests. An id neither list accounts for is read on its own; both ways give the same
    /// outcomes. A result read from the list has `package` set and `task` unset.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let deployment = client.deploy(["23"]).send().await?;
    /// let results = deployment
    ///     .wait()
    ///     .on_progress(|p| eprintln!("{}/{}", p.overall_completed, p.overall_total))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait<'a>(&self) -> WaitForDeployment<'a> {
        WaitForDeployment {
            client: self.client.clone(),
            packages: self.packages.clone(),
            polling: Polling::default(),
            progress: None,
        }
    }
}

impl Client {
    /// Polls a package ("show package", the authoritative status) until its
    /// `deploy_status` is 2 (released) or 3 (failed). Unknown statuses count as not
    /// finished until the timeout.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let package = client.wait_for_package("23").await?;
    /// println!("{:?}", package.deploy_status);
    /// # Ok(()) }
    /// ```
    pub fn wait_for_package(&self, package_id: impl Into<PackageId>) -> WaitForPackage {
        WaitForPackage {
            client: self.clone(),
            package_id: package_id.into(),
            polling: Polling::default(),
        }
    }
}

impl<'a> WaitForDeployment<'a> {
    polling_setters!();

    /// Called whenever subtasks finish or a package's release ends.
    ///
    /// ```no_run
    /// # fn f(d: &dataarts_release::Deployment) {
    /// let _ = d.wait().on_progress(|p| eprintln!("{}/{}", p.overall_completed, p.overall_total));
    /// # }
    /// ```
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Polls until every release ended.
    ///
    /// ```no_run
    /// # async fn f(d: dataarts_release::Deployment) -> dataarts_release::Result<()> {
    /// let results = d.wait().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<ReleaseResult>> {
        let span = tracing::info_span!("dataarts_wait_deployment", packages = self.packages.len());
        self.run().instrument(span).await
    }

    async fn run(self) -> Result<Vec<ReleaseResult>> {
        let mut poller = DeploymentPoller::new(self.client, self.packages);
        let result = waiter::wait(self.polling, &mut poller, self.progress).await;
        result.map_err(|e| wait_error(|| format!("{} package release(s)", poller.open_count()), e))
    }
}

impl<'a> IntoFuture for WaitForDeployment<'a> {
    type Output = Result<Vec<ReleaseResult>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Vec<ReleaseResult>>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl WaitForPackage {
    polling_setters!();

    /// Polls until the end.
    ///
    /// ```no_run
    /// # async fn f(c: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let p = c.wait_for_package("23").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ReleasePackage> {
        let span = tracing::info_span!("dataarts_wait_package", package_id = %self.package_id);
        self.run().instrument(span).await
    }

    async fn run(self) -> Result<ReleasePackage> {
        validate::id(Input::PackageId, self.package_id.as_str())?;
        let mut poller = PackagePoller {
            client: self.client,
            package_id: self.package_id,
            last_status: "not polled yet".into(),
        };
        let result = waiter::wait(self.polling, &mut poller, None).await;
        result.map_err(|e| wait_error(|| format!("package {}", poller.package_id), e))
    }
}

impl IntoFuture for WaitForPackage {
    type Output = Result<ReleasePackage>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ReleasePackage>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl std::fmt::Debug for WaitForDeployment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitForDeployment")
            .field("packages", &self.packages.len())
            .field("polling", &self.polling)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WaitForPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitForPackage")
            .field("package_id", &self.package_id)
            .field("polling", &self.polling)
            .finish()
    }
}

/// A package's wait ends when its `deploy_status` is released or failed.
fn package_finished(r: &Result<ReleasePackage>) -> Option<Acceptance> {
    matches!(r, Ok(p) if p.deploy_status.is_some_and(DeployStatus::is_final))
        .then_some(Acceptance::Success)
}

/// Reads a package: the package, and whether its release has ended (released or failed).
/// Serves both the single-package wait and a deployment's packages that have no task id.
async fn read_package(client: &Client, package_id: &PackageId) -> Result<(ReleasePackage, bool)> {
    let result = client
        .show_package(package_id.clone())
        .await
        .map(|d| d.package);
    let acceptance = classify(&result, &[&package_finished]);
    result.map(|p| (p, acceptance != Acceptance::Retry))
}

/// Polls one package's status.
struct PackagePoller {
    client: Client,
    package_id: PackageId,
    last_status: String,
}

impl Poller for PackagePoller {
    type Output = ReleasePackage;
    type Error = Error;
    type Report = Progress;

    async fn poll(
        &mut self,
        _elapsed: Duration,
        _reporter: &mut Reporter<'_, Progress>,
    ) -> Verdict<ReleasePackage, Error> {
        match read_package(&self.client, &self.package_id).await {
            Err(e) => Verdict::Failed(e),
            Ok((p, false)) => {
                self.last_status = package_status(p.deploy_status);
                Verdict::Pending
            }
            Ok((p, true)) => Verdict::Done(p),
        }
    }

    fn last_status(&self) -> String {
        self.last_status.clone()
    }
}
