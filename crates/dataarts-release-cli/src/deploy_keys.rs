//! The stable keys of a `deploy` row: its `result`, the `reason` behind it, and the signal
//! that interrupted a run. Shared by the JSON documents, the tables and the CI reports.

use dataarts_release::PackageCondition;
use schemars::JsonSchema;
use serde::Serialize;

/// What happened to one package of a `deploy` (the JSON `result`, the table's RESULT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultKey {
    /// The release started and is running (without `--wait`, or when the wait stopped).
    Releasing,
    /// The release ended successfully (with `--wait`).
    Released,
    /// It was already released, or being released, before this run: nothing was sent for
    /// it. Counts as released unless `--strict`.
    AlreadyReleased,
    /// The release ended FAILED.
    Failed,
    /// The service refused it; `reason` says why. Not released.
    Refused,
    /// The outcome is unknown (the answer was lost); re-run the command to settle it.
    Unknown,
    /// Not sent: held back by `--all-or-nothing`, the run was interrupted first, or the
    /// request could not reach the service (no connection, rate limit; `error` says why).
    NotSent,
    /// `--dry-run`: a release would be sent.
    WouldRelease,
    /// `--dry-run`: a release would be refused; `reason` says why.
    WouldRefuse,
}

impl ResultKey {
    /// The key as printed.
    pub fn key(self) -> &'static str {
        match self {
            ResultKey::Releasing => "releasing",
            ResultKey::Released => "released",
            ResultKey::AlreadyReleased => "already_released",
            ResultKey::Failed => "failed",
            ResultKey::Refused => "refused",
            ResultKey::Unknown => "unknown",
            ResultKey::NotSent => "not_sent",
            ResultKey::WouldRelease => "would_release",
            ResultKey::WouldRefuse => "would_refuse",
        }
    }
}

/// A package's own state, read from the service, that explains its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKey {
    /// No such package in this project and workspace.
    NotFound,
    /// Released before.
    AlreadyReleased,
    /// A release of it is running.
    Releasing,
    /// It was revoked.
    Revoked,
    /// Its release failed before.
    Failed,
    /// It is awaiting review (it could be released; it was held back).
    AwaitingReview,
    /// A state this version does not know.
    Unknown,
}

impl ReasonKey {
    /// The key as printed.
    pub fn key(self) -> &'static str {
        match self {
            ReasonKey::NotFound => "not_found",
            ReasonKey::AlreadyReleased => "already_released",
            ReasonKey::Releasing => "releasing",
            ReasonKey::Revoked => "revoked",
            ReasonKey::Failed => "failed",
            ReasonKey::AwaitingReview => "awaiting_review",
            ReasonKey::Unknown => "unknown",
        }
    }
}

impl From<PackageCondition> for ReasonKey {
    fn from(c: PackageCondition) -> Self {
        match c {
            PackageCondition::NotFound => ReasonKey::NotFound,
            PackageCondition::AlreadyReleased => ReasonKey::AlreadyReleased,
            PackageCondition::Releasing => ReasonKey::Releasing,
            PackageCondition::Revoked => ReasonKey::Revoked,
            PackageCondition::Failed => ReasonKey::Failed,
            PackageCondition::AwaitingReview => ReasonKey::AwaitingReview,
            _ => ReasonKey::Unknown,
        }
    }
}

/// The signal that interrupted a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub enum SignalKey {
    /// Ctrl-C (exit 130).
    #[serde(rename = "SIGINT")]
    Sigint,
    /// A termination request, e.g. a cancelled CI job (exit 143).
    #[serde(rename = "SIGTERM")]
    Sigterm,
}

impl SignalKey {
    /// `SIGINT` or `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            SignalKey::Sigint => "SIGINT",
            SignalKey::Sigterm => "SIGTERM",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_serialised_names() {
        for r in [
            ResultKey::Releasing,
            ResultKey::Released,
            ResultKey::AlreadyReleased,
            ResultKey::Failed,
            ResultKey::Refused,
            ResultKey::Unknown,
            ResultKey::NotSent,
            ResultKey::WouldRelease,
            ResultKey::WouldRefuse,
        ] {
            assert_eq!(serde_json::to_value(r).unwrap(), r.key());
        }
        for c in [
            PackageCondition::NotFound,
            PackageCondition::AlreadyReleased,
            PackageCondition::Releasing,
            PackageCondition::Revoked,
            PackageCondition::Failed,
            PackageCondition::AwaitingReview,
            PackageCondition::Unknown(9),
        ] {
            let r = ReasonKey::from(c);
            assert_eq!(serde_json::to_value(r).unwrap(), r.key());
            assert_eq!(r.key(), c.key(), "the wrapper's vocabulary");
        }
        assert_eq!(serde_json::to_value(SignalKey::Sigterm).unwrap(), "SIGTERM");
    }
}
