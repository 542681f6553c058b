//! How many connections the emulator holds, how long it waits for a client, and how large a
//! request head it accepts: [`ConnectionLimits`].

use std::time::Duration;

mod io;
mod rewrite;
mod timer;

pub(crate) use io::GuardedIo;
pub(crate) use timer::{HeadTimer, ReadCounter};

use crate::error::ApiError;

/// Default [`ConnectionLimits::header_read_timeout`]: 10 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`ConnectionLimits::idle_timeout`]: 30 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`ConnectionLimits::max_connections`]: 512.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Default [`ConnectionLimits::max_header_bytes`]: 64 KiB.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;
/// Default [`ConnectionLimits::max_uri_bytes`]: 16 KiB.
pub const DEFAULT_MAX_URI_BYTES: usize = 16 * 1024;
/// Default [`ConnectionLimits::parser_buffer_bytes`]: 256 KiB.
pub const DEFAULT_PARSER_BUFFER_BYTES: usize = 256 * 1024;

/// The smallest parser buffer the HTTP layer accepts.
const MIN_PARSER_BUFFER_BYTES: usize = 8 * 1024;

/// Limits on the emulator's connections and request heads (set them with
/// [`crate::EmulatorBuilder::connection_limits`], or `--header-read-timeout`,
/// `--idle-timeout` and `--max-connections` on the command line).
///
/// - A connection waits at most [`idle_timeout`](Self::idle_timeout) for a byte whenever the
///   emulator waits to read (before the first request, between keep-alive requests, inside a
///   request body) or to write (a client that does not read its answer); then it is closed.
/// - Once the first byte of a request head has arrived, the whole head must arrive within
///   [`header_read_timeout`](Self::header_read_timeout), however slowly it trickles in; the
///   connection is closed without an answer otherwise.
/// - At most [`max_connections`](Self::max_connections) connections are open at once; further
///   clients wait in the kernel's listen backlog (their connect succeeds, their request waits)
///   until a connection closes.
/// - A request target longer than [`max_uri_bytes`](Self::max_uri_bytes) is answered 414, and
///   headers longer in total (names plus values) than
///   [`max_header_bytes`](Self::max_header_bytes) 431, both as JSON `APIGW.0201` errors.
/// - The HTTP parser holds at most [`parser_buffer_bytes`](Self::parser_buffer_bytes) per
///   connection; a head beyond it is also answered 431 `APIGW.0201`. Parser memory is thus at
///   most `max_connections × parser_buffer_bytes` (128 MiB with the defaults).
///
/// Values are clamped when the emulator starts: counts and sizes to at least 1, timeouts to
/// at least 1 ms, the parser buffer to at least 8 KiB and to at least the two head limits.
///
/// ```
/// use std::time::Duration;
/// use dataarts_emulator::ConnectionLimits;
///
/// let mut limits = ConnectionLimits::default();
/// assert_eq!(limits.max_connections, 512);
/// limits.idle_timeout = Duration::from_secs(5);
/// limits.max_connections = 64;
/// # async fn f(limits: ConnectionLimits) -> Result<(), dataarts_emulator::EmulatorError> {
/// let emu = dataarts_emulator::Emulator::builder().demo().connection_limits(limits).start().await?;
/// assert_eq!(emu.connection_limits().max_connections, 64);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionLimits {
    /// Longest time from the first byte of a request head to its end (default
    /// [`DEFAULT_HEADER_READ_TIMEOUT`], 10 s: a head is a few KB that any client sends at once).
    pub header_read_timeout: Duration,
    /// Longest wait for the next byte while the emulator waits to read or to write (default
    /// [`DEFAULT_IDLE_TIMEOUT`], 30 s: longer than the pauses of a client that keeps a
    /// connection between polls of a release task, short enough that abandoned sockets go soon).
    pub idle_timeout: Duration,
    /// Most connections open at once (default [`DEFAULT_MAX_CONNECTIONS`], 512: far above
    /// what a test suite uses, well below a runner's file-descriptor limit).
    pub max_connections: usize,
    /// Largest total of header names and values, in bytes (default
    /// [`DEFAULT_MAX_HEADER_BYTES`], 64 KiB); larger gets 431.
    pub max_header_bytes: usize,
    /// Longest request target (path and query), in bytes (default [`DEFAULT_MAX_URI_BYTES`],
    /// 16 KiB); longer gets 414.
    pub max_uri_bytes: usize,
    /// Largest read buffer of the HTTP parser, per connection (default
    /// [`DEFAULT_PARSER_BUFFER_BYTES`], 256 KiB).
    pub parser_buffer_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_uri_bytes: DEFAULT_MAX_URI_BYTES,
            parser_buffer_bytes: DEFAULT_PARSER_BUFFER_BYTES,
        }
    }
}

impl ConnectionLimits {
    /// The limits with every value in its valid range (see the type's docs).
    pub(crate) fn clamped(self) -> Self {
        let min_time = Duration::from_millis(1);
        let max_header_bytes = self.max_header_bytes.max(1);
        let max_uri_bytes = self.max_uri_bytes.max(1);
        Self {
            header_read_timeout: self.header_read_timeout.max(min_time),
            idle_timeout: self.idle_timeout.max(min_time),
            max_connections: self
                .max_connections
                .clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
            max_header_bytes,
            max_uri_bytes,
            parser_buffer_bytes: self
                .parser_buffer_bytes
                .max(MIN_PARSER_BUFFER_BYTES)
                .max(max_header_bytes)
                .max(max_uri_bytes),
        }
    }
}

/// The 414 or 431 answer for a request head over the limits, checked before dispatch.
pub(crate) fn check_head(
    parts: &http::request::Parts,
    limits: &ConnectionLimits,
) -> Option<ApiError> {
    let uri = &parts.uri;
    let target = uri.scheme_str().map_or(0, |s| s.len() + 3)
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > limits.max_uri_bytes {
        return Some(ApiError::uri_too_long(limits.max_uri_bytes));
    }
    let headers: usize = parts
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > limits.max_header_bytes {
        return Some(ApiError::headers_too_large(format!(
            "the header names and values total {headers} bytes, more than {}",
            limits.max_header_bytes
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamping_keeps_the_parser_buffer_above_the_head_limits() {
        let c = ConnectionLimits {
            max_connections: 0,
            header_read_timeout: Duration::ZERO,
            parser_buffer_bytes: 0,
            max_header_bytes: 100_000,
            ..ConnectionLimits::default()
        }
        .clamped();
        assert_eq!(c.max_connections, 1);
        assert_eq!(c.header_read_timeout, Duration::from_millis(1));
        assert_eq!(c.parser_buffer_bytes, 100_000);
        assert_eq!(
            ConnectionLimits::default().clamped(),
            ConnectionLimits::default()
        );
    }
}
