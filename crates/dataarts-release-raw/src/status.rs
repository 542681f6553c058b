//! The service's status codes, defined once for the wrapper and the emulator.
//!
//! The wire keeps statuses as plain integers and strings (so a new value never breaks a
//! client); these types give the known values names. One vocabulary is used for people
//! everywhere (see [`ReleaseState`]): awaiting review, releasing, released, failed, revoked.

use std::fmt;

/// Release status of a package (`deploy_status`).
///
/// ```
/// use dataarts_release_raw::status::DeployStatus;
/// assert_eq!(DeployStatus::from_code(5), DeployStatus::Releasing);
/// assert_eq!(DeployStatus::from_code(9), DeployStatus::Unknown(9));
/// assert!(DeployStatus::Succeeded.is_final());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    /// `1`: waiting for review (release it with `deploy`, or revoke it).
    AwaitingReview,
    /// `2`: released successfully.
    Succeeded,
    /// `3`: the release failed.
    Failed,
    /// `5`: being released.
    Releasing,
    /// Any other value the server sends.
    Unknown(i32),
}

impl DeployStatus {
    /// Maps the wire value.
    ///
    /// ```
    /// use dataarts_release_raw::status::DeployStatus;
    /// assert_eq!(DeployStatus::from_code(1), DeployStatus::AwaitingReview);
    /// ```
    pub fn from_code(code: i32) -> Self {
        match code {
            1 => Self::AwaitingReview,
            2 => Self::Succeeded,
            3 => Self::Failed,
            5 => Self::Releasing,
            other => Self::Unknown(other),
        }
    }

    /// The wire value.
    ///
    /// ```
    /// assert_eq!(dataarts_release_raw::status::DeployStatus::Failed.code(), 3);
    /// ```
    pub fn code(self) -> i32 {
        match self {
            Self::AwaitingReview => 1,
            Self::Succeeded => 2,
            Self::Failed => 3,
            Self::Releasing => 5,
            Self::Unknown(c) => c,
        }
    }

    /// True for `Succeeded` and `Failed`.
    ///
    /// ```
    /// assert!(!dataarts_release_raw::status::DeployStatus::Releasing.is_final());
    /// ```
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// In the one vocabulary of [`ReleaseState`] (a status alone cannot say "revoked").
impl fmt::Display for DeployStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ReleaseState::of(*self, false).fmt(f)
    }
}

/// Status of a system task or subtask (`status`).
///
/// ```
/// use dataarts_release_raw::status::TaskStatus;
/// assert_eq!(TaskStatus::from_wire("SUCCESSFUL"), TaskStatus::Successful);
/// assert!(TaskStatus::Failed.is_final());
/// assert_eq!(TaskStatus::from_wire("PAUSED"), TaskStatus::Unknown("PAUSED".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// `RUNNING`.
    Running,
    /// `SUCCESSFUL`.
    Successful,
    /// `FAILED`.
    Failed,
    /// Anything else.
    Unknown(String),
}

impl TaskStatus {
    /// Maps the wire value (case-insensitively; `SUCCESS` is read as `SUCCESSFUL`).
    ///
    /// ```
    /// use dataarts_release_raw::status::TaskStatus;
    /// assert_eq!(TaskStatus::from_wire("running"), TaskStatus::Running);
    /// ```
    pub fn from_wire(s: &str) -> Self {
        match s.trim().to_ascii_uppercase().as_str() {
            "RUNNING" => Self::Running,
            "SUCCESSFUL" | "SUCCESS" => Self::Successful,
            "FAILED" => Self::Failed,
            _ => Self::Unknown(s.to_string()),
        }
    }

    /// The wire value, as the service spells it.
    ///
    /// ```
    /// use dataarts_release_raw::status::TaskStatus;
    /// assert_eq!(TaskStatus::Successful.as_wire(), "SUCCESSFUL");
    /// ```
    pub fn as_wire(&self) -> &str {
        match self {
            Self::Running => "RUNNING",
            Self::Successful => "SUCCESSFUL",
            Self::Failed => "FAILED",
            Self::Unknown(s) => s,
        }
    }

    /// True for `Successful` and `Failed`.
    ///
    /// ```
    /// assert!(!dataarts_release_raw::status::TaskStatus::Running.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Successful | Self::Failed)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_wire())
    }
}

/// Whether a package item's jobs were started after its release (`start_job_status`).
///
/// The service sends it only after a release that asked for the jobs to start
/// (`startup_mode` 1).
///
/// ```
/// use dataarts_release_raw::status::StartJobStatus;
/// assert_eq!(StartJobStatus::from_code(2), StartJobStatus::Succeeded);
/// assert_eq!(StartJobStatus::Failed.code(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StartJobStatus {
    /// `2`: the jobs were started.
    Succeeded,
    /// `3`: starting the jobs failed.
    Failed,
    /// Any other value the server sends.
    Unknown(i32),
}

impl StartJobStatus {
    /// Maps the wire value.
    pub fn from_code(code: i32) -> Self {
        match code {
            2 => Self::Succeeded,
            3 => Self::Failed,
            other => Self::Unknown(other),
        }
    }

    /// The wire value.
    pub fn code(self) -> i32 {
        match self {
            Self::Succeeded => 2,
            Self::Failed => 3,
            Self::Unknown(c) => c,
        }
    }
}

/// Where a package stands, in the words every user-facing output uses.
///
/// | State | `deploy_status` | `delete_flag` |
/// |---|---|---|
/// | awaiting review | 1 | 0 |
/// | releasing | 5 | any |
/// | released | 2 | any |
/// | failed | 3 | any |
/// | revoked | 1 | 1 |
///
/// Only an awaiting-review package can be released or revoked.
///
/// ```
/// use dataarts_release_raw::status::{DeployStatus, ReleaseState};
/// assert_eq!(ReleaseState::of(DeployStatus::AwaitingReview, true), ReleaseState::Revoked);
/// assert_eq!(ReleaseState::of(DeployStatus::Succeeded, false).to_string(), "released");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseState {
    /// Waiting for review: the only state a release or a revoke accepts.
    AwaitingReview,
    /// A release is running.
    Releasing,
    /// Released successfully.
    Released,
    /// The release failed.
    Failed,
    /// Revoked before it was released.
    Revoked,
    /// A status code this client does not know.
    Unknown(i32),
}

impl ReleaseState {
    /// The state of a package from its `deploy_status` and whether it is deleted
    /// (`delete_flag` 1).
    pub fn of(status: DeployStatus, deleted: bool) -> Self {
        match status {
            DeployStatus::AwaitingReview if deleted => Self::Revoked,
            DeployStatus::AwaitingReview => Self::AwaitingReview,
            DeployStatus::Releasing => Self::Releasing,
            DeployStatus::Succeeded => Self::Released,
            DeployStatus::Failed => Self::Failed,
            DeployStatus::Unknown(code) => Self::Unknown(code),
        }
    }

    /// True when a release request for the package would be accepted.
    ///
    /// ```
    /// assert!(dataarts_release_raw::status::ReleaseState::AwaitingReview.is_releasable());
    /// ```
    pub fn is_releasable(self) -> bool {
        self == Self::AwaitingReview
    }

    /// The stable machine name (JSON output, file formats): `awaiting_review`, `releasing`,
    /// `released`, `failed`, `revoked` or `unknown`.
    ///
    /// ```
    /// use dataarts_release_raw::status::ReleaseState;
    /// assert_eq!(ReleaseState::AwaitingReview.key(), "awaiting_review");
    /// assert_eq!(ReleaseState::Unknown(9).key(), "unknown");
    /// ```
    pub fn key(self) -> &'static str {
        match self {
            Self::AwaitingReview => "awaiting_review",
            Self::Releasing => "releasing",
            Self::Released => "released",
            Self::Failed => "failed",
            Self::Revoked => "revoked",
            Self::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for ReleaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(code) => write!(f, "unknown status {code}"),
            known => f.write_str(&known.key().replace('_', " ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_codes_round_trip() {
        for code in [1, 2, 3, 4, 5, 0, -1, i32::MAX] {
            assert_eq!(DeployStatus::from_code(code).code(), code);
        }
    }

    #[test]
    fn start_job_codes_round_trip() {
        for code in [2, 3, 0, 1, -1] {
            assert_eq!(StartJobStatus::from_code(code).code(), code);
        }
    }

    #[test]
    fn task_status_round_trips_known_values() {
        for s in ["RUNNING", "SUCCESSFUL", "FAILED", "PAUSED"] {
            assert_eq!(TaskStatus::from_wire(s).as_wire(), s);
        }
        assert_eq!(TaskStatus::from_wire(" success "), TaskStatus::Successful);
    }

    #[test]
    fn only_awaiting_review_and_not_deleted_is_releasable() {
        for code in [1, 2, 3, 5, 7] {
            for deleted in [false, true] {
                let state = ReleaseState::of(DeployStatus::from_code(code), deleted);
                assert_eq!(
                    state.is_releasable(),
                    code == 1 && !deleted,
                    "{code} {deleted}"
                );
            }
        }
    }
}
