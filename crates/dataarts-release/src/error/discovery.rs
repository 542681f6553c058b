//! Why a project id could not be discovered from IAM.

/// Why [`Error::ProjectDiscovery`](crate::Error::ProjectDiscovery) happened.
///
/// ```
/// use dataarts_release::DiscoveryProblem;
/// # fn f(e: &dataarts_release::Error) {
/// if let dataarts_release::Error::ProjectDiscovery { problem: DiscoveryProblem::NoMatch, .. } = e {
///     eprintln!("set HUAWEICLOUD_SDK_PROJECT_ID");
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiscoveryProblem {
    /// IAM knows no project named like the region for these credentials.
    NoMatch,
    /// IAM returned several projects for the region; the error lists them.
    SeveralMatches,
    /// IAM refused the credentials (HTTP 401 or 403).
    Refused,
    /// IAM could not be reached (connection refused, no answer in time).
    Unreachable,
    /// IAM's answer could not be understood.
    Malformed,
    /// IAM failed with another status.
    Failed,
}
