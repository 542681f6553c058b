//! The classes of error a caller branches on.

/// Every class of error a caller may want to branch on; see [`Error::kind`](super::Error::kind).
///
/// ```
/// use dataarts_release::ErrorKind;
/// # fn f(e: &dataarts_release::Error) {
/// match e.kind() {
///     ErrorKind::NotFound => eprintln!("no such package"),
///     ErrorKind::PackageState => eprintln!("not awaiting review"),
///     _ => eprintln!("error: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service refused the request for a reason no other kind covers.
    Service,
    /// The credentials were rejected, or lack permission.
    Auth,
    /// The package, pending item or system task does not exist.
    NotFound,
    /// The rate limit was exceeded and retries ran out.
    Throttled,
    /// A package was not in a state that allows the operation (refused by the service, or
    /// found by reading it back).
    PackageState,
    /// No answer in time.
    Timeout,
    /// The request could not be sent, or the connection failed.
    Transport,
    /// The answer could not be understood.
    Decode,
    /// An input was rejected before anything was sent.
    InvalidInput,
    /// The client configuration is incomplete or wrong.
    Config,
    /// The request could not be prepared on this machine; nothing was sent.
    Local,
    /// Waiting gave up before a final state.
    WaitTimeout,
    /// Credentials could not be obtained or renewed from their source.
    Credentials,
}
