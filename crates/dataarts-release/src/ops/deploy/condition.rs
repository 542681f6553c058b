//! Why a package can or cannot be released: the per-id reason vocabulary of batch results.

use crate::error::{Error, ErrorKind};
use crate::model::{DeployStatus, ReleasePackage, ReleaseState};

/// Where a package stands with respect to a release, as read from the service.
///
/// Each condition has a stable snake_case [`key`](Self::key) (`not_found`,
/// `already_released`, `releasing`, `revoked`, `failed`, `awaiting_review`, `unknown`) for
/// reports and JSON.
///
/// ```
/// use dataarts_release::{PackageCondition, ReleaseState};
/// let c = PackageCondition::of_state(ReleaseState::Released);
/// assert_eq!(c.key(), "already_released");
/// assert!(c.reaches_goal() && !c.can_release());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PackageCondition {
    /// Waiting for review: the only condition a release accepts.
    AwaitingReview,
    /// Released successfully before (`deploy_status` 2).
    AlreadyReleased,
    /// A release is running (`deploy_status` 5).
    Releasing,
    /// Revoked (`delete_flag` 1).
    Revoked,
    /// Its release failed (`deploy_status` 3).
    Failed,
    /// No such package in this project and workspace.
    NotFound,
    /// A `deploy_status` this client does not know.
    Unknown(i32),
}

impl PackageCondition {
    /// The condition of a release state.
    ///
    /// ```
    /// use dataarts_release::{PackageCondition, ReleaseState};
    /// assert_eq!(PackageCondition::of_state(ReleaseState::Revoked), PackageCondition::Revoked);
    /// ```
    pub fn of_state(state: ReleaseState) -> Self {
        match state {
            ReleaseState::AwaitingReview => Self::AwaitingReview,
            ReleaseState::Releasing => Self::Releasing,
            ReleaseState::Released => Self::AlreadyReleased,
            ReleaseState::Failed => Self::Failed,
            ReleaseState::Revoked => Self::Revoked,
            ReleaseState::Unknown(code) => Self::Unknown(code),
        }
    }

    /// The condition of a package as read (a missing `deploy_status` is `Unknown(0)`).
    ///
    /// ```
    /// # fn f(p: &dataarts_release::ReleasePackage) {
    /// println!("{}", dataarts_release::PackageCondition::of_package(p).key());
    /// # }
    /// ```
    pub fn of_package(p: &ReleasePackage) -> Self {
        let status = p.deploy_status.unwrap_or(DeployStatus::Unknown(0));
        Self::of_state(ReleaseState::of(status, p.deleted))
    }

    /// The condition an error names, when it is about one package's state or existence
    /// ([`Error::PackageState`] read back, or a not-found error); `None` otherwise.
    ///
    /// ```
    /// # fn f(e: &dataarts_release::Error) {
    /// if let Some(c) = dataarts_release::PackageCondition::of_error(e) { println!("{}", c.key()); }
    /// # }
    /// ```
    pub fn of_error(e: &Error) -> Option<Self> {
        match e {
            Error::PackageState {
                status, deleted, ..
            } => Some(Self::of_state(ReleaseState::of(*status, *deleted))),
            _ if e.kind() == ErrorKind::NotFound => Some(Self::NotFound),
            _ => None,
        }
    }

    /// The stable snake_case key.
    ///
    /// ```
    /// assert_eq!(dataarts_release::PackageCondition::NotFound.key(), "not_found");
    /// ```
    pub fn key(self) -> &'static str {
        match self {
            Self::AwaitingReview => "awaiting_review",
            Self::AlreadyReleased => "already_released",
            Self::Releasing => "releasing",
            Self::Revoked => "revoked",
            Self::Failed => "failed",
            Self::NotFound => "not_found",
            Self::Unknown(_) => "unknown",
        }
    }

    /// True when the package is released or being released: a re-run counts it as done.
    ///
    /// ```
    /// assert!(dataarts_release::PackageCondition::Releasing.reaches_goal());
    /// ```
    pub fn reaches_goal(self) -> bool {
        matches!(self, Self::AlreadyReleased | Self::Releasing)
    }

    /// True when a release would be accepted (awaiting review).
    ///
    /// ```
    /// assert!(dataarts_release::PackageCondition::AwaitingReview.can_release());
    /// ```
    pub fn can_release(self) -> bool {
        self == Self::AwaitingReview
    }

    /// The release state behind an already released or releasing package.
    pub(crate) fn release_state(self) -> Option<ReleaseState> {
        match self {
            Self::AlreadyReleased => Some(ReleaseState::Released),
            Self::Releasing => Some(ReleaseState::Releasing),
            _ => None,
        }
    }
}

impl std::fmt::Display for PackageCondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
