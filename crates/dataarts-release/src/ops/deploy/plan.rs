//! The dry run of a batch: every package's state read, nothing released.

use crate::client::Client;
use crate::error::Error;
use crate::ids::PackageId;

use super::condition::PackageCondition;
use super::states::Read;

/// One package of a [`DeployPlan`].
///
/// ```
/// # fn f(p: &dataarts_release::PlannedPackage) {
/// match p.condition {
///     Some(c) if c.can_release() => println!("{}: would release", p.package_id),
///     Some(c) => println!("{}: {}", p.package_id, c.key()),
///     None => println!("{}: could not be read", p.package_id),
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PlannedPackage {
    /// The package.
    pub package_id: PackageId,
    /// What reading it found; `None` when it could not be read (see `error`).
    pub condition: Option<PackageCondition>,
    /// Why it could not be read.
    pub error: Option<Error>,
}

impl PlannedPackage {
    /// True when a release would be sent for it (it is awaiting review).
    ///
    /// ```
    /// # fn f(p: &dataarts_release::PlannedPackage) -> bool { p.would_release() }
    /// ```
    pub fn would_release(&self) -> bool {
        self.condition.is_some_and(PackageCondition::can_release)
    }

    /// True when it would end released: it would be released, or already is (or is being).
    ///
    /// ```
    /// # fn f(p: &dataarts_release::PlannedPackage) -> bool { p.would_end_released() }
    /// ```
    pub fn would_end_released(&self) -> bool {
        self.condition
            .is_some_and(|c| c.can_release() || c.reaches_goal())
    }

    /// True when it keeps an all-or-nothing batch from being sent: it cannot be released,
    /// or (with `strict`) it is already released or releasing.
    pub(crate) fn blocks(&self, strict: bool) -> bool {
        match self.condition {
            Some(c) if c.can_release() => false,
            Some(c) if c.reaches_goal() => strict,
            _ => true,
        }
    }

    /// The typed error for a package that cannot be released (none for one that can, or
    /// that already is).
    pub(crate) fn refusal(&self) -> Option<Error> {
        if let Some(e) = &self.error {
            return Some(e.clone());
        }
        match self.condition? {
            PackageCondition::NotFound => Some(Error::PackageNotFound {
                package_id: self.package_id.clone(),
            }),
            c if c.can_release() || c.reaches_goal() => None,
            PackageCondition::Revoked => Some(state_error(
                &self.package_id,
                crate::model::DeployStatus::AwaitingReview,
                true,
            )),
            PackageCondition::Failed => Some(state_error(
                &self.package_id,
                crate::model::DeployStatus::Failed,
                false,
            )),
            PackageCondition::Unknown(code) => Some(state_error(
                &self.package_id,
                crate::model::DeployStatus::Unknown(code),
                false,
            )),
            _ => None,
        }
    }
}

fn state_error(id: &PackageId, status: crate::model::DeployStatus, deleted: bool) -> Error {
    Error::PackageState {
        package_id: id.clone(),
        status,
        deleted,
        state: crate::model::ReleaseState::of(status, deleted).to_string(),
    }
}

/// What a batch would do, from every package's state; see
/// [`DeployAll::plan`](crate::DeployAll::plan). Nothing was released to find out.
///
/// ```no_run
/// # async fn f(c: dataarts_release::Client) -> dataarts_release::Result<()> {
/// let plan = c.deploy_all(["12", "13", "23", "999"]).plan().await?;
/// for p in &plan.packages {
///     println!("{}: {:?}", p.package_id, p.condition.map(|c| c.key()));
/// }
/// println!("everything would end released: {}", plan.all_would_end_released());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeployPlan {
    /// One entry per requested id, in request order.
    pub packages: Vec<PlannedPackage>,
    /// Read requests it took (list pages and single reads).
    pub reads: usize,
}

impl DeployPlan {
    /// True when every package would end released (released by the batch, or already
    /// released or releasing).
    ///
    /// ```
    /// # fn f(p: &dataarts_release::DeployPlan) -> bool { p.all_would_end_released() }
    /// ```
    pub fn all_would_end_released(&self) -> bool {
        self.packages.iter().all(PlannedPackage::would_end_released)
    }

    /// The ids a release would be sent for.
    ///
    /// ```
    /// # fn f(p: &dataarts_release::DeployPlan) { println!("{:?}", p.would_release()); }
    /// ```
    pub fn would_release(&self) -> Vec<&PackageId> {
        self.packages
            .iter()
            .filter(|p| p.would_release())
            .map(|p| &p.package_id)
            .collect()
    }
}

impl Client {
    /// Reads every id's state (validated, no duplicates) into a plan.
    pub(crate) async fn read_plan(&self, ids: &[PackageId]) -> DeployPlan {
        let mut reads = self.read_states(ids).await;
        let packages = ids
            .iter()
            .map(|id| {
                let (condition, error) = match reads.take(id) {
                    Some(Read::Found(p)) => (Some(PackageCondition::of_package(&p)), None),
                    Some(Read::Missing) => (Some(PackageCondition::NotFound), None),
                    Some(Read::Failed(e)) => (None, Some(e)),
                    None => (None, None),
                };
                PlannedPackage {
                    package_id: id.clone(),
                    condition,
                    error,
                }
            })
            .collect();
        DeployPlan {
            packages,
            reads: reads.requests,
        }
    }
}
