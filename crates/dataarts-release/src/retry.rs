//! The retry policy: which failures are retried, how often and how long to wait. Which
//! operations are reads and which writes comes from the operation table
//! ([`dataarts_release_raw::RetryClass`]).

use std::time::Duration;

use rand::Rng;

/// How calls are retried.
///
/// The rules (see the crate docs for the full policy):
///
/// - **Reads** (list packages, show package, list pending items, get system task) are
///   retried on transport errors (including timeouts and truncated answers), 429, 502, 503
///   and 504.
/// - **Writes** (deploy, cancel, package) are retried only when the request provably did not
///   take effect: a connect error, a 429 throttle (the gateway rejects before the service
///   sees the request), and once on a 401 "signature expired" (re-signed).
/// - Every attempt is signed afresh. Waits use jittered exponential backoff
///   (`initial_backoff · 2^n`, capped at `max_backoff`, "equal jitter"); a `Retry-After`
///   header is honoured, capped at `max_retry_after`. Nothing is retried past the client's
///   total timeout.
/// - After an ambiguous deploy failure (timeout, connection lost after sending, 5xx),
///   [`Client::deploy`](crate::Client::deploy) reads every package back and re-sends only
///   those still awaiting review (when [`RetryPolicy::reconcile_deploys`] is on).
///
/// ```
/// use std::time::Duration;
/// use dataarts_release::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(500))
///     .max_backoff(Duration::from_secs(10));
/// let off = RetryPolicy::none();
/// assert_eq!(off.attempts(), 1);
/// # let _ = patient;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) reconcile_deploys: bool,
    pub(crate) max_reconcile_rounds: u32,
}

impl Default for RetryPolicy {
    /// 4 attempts, 200 ms initial backoff, 5 s maximum backoff, `Retry-After` capped at
    /// 30 s, deploy reconciliation on (2 rounds).
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            reconcile_deploys: true,
            max_reconcile_rounds: 2,
        }
    }
}

impl RetryPolicy {
    /// No retries and no deploy reconciliation: every call is sent exactly once.
    ///
    /// ```
    /// assert_eq!(dataarts_release::RetryPolicy::none().attempts(), 1);
    /// ```
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            reconcile_deploys: false,
            max_reconcile_rounds: 0,
            ..Self::default()
        }
    }

    /// Total attempts per call, including the first (at least 1).
    ///
    /// ```
    /// let p = dataarts_release::RetryPolicy::default().max_attempts(0);
    /// assert_eq!(p.attempts(), 1);
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff delay (doubled on each retry).
    ///
    /// ```
    /// let _ = dataarts_release::RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(50));
    /// ```
    pub fn initial_backoff(mut self, delay: std::time::Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest backoff delay.
    ///
    /// ```
    /// let _ = dataarts_release::RetryPolicy::default().max_backoff(std::time::Duration::from_secs(2));
    /// ```
    pub fn max_backoff(mut self, delay: std::time::Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The longest `Retry-After` honoured; longer requests wait this long.
    ///
    /// ```
    /// let _ = dataarts_release::RetryPolicy::default().max_retry_after(std::time::Duration::from_secs(5));
    /// ```
    pub fn max_retry_after(mut self, delay: std::time::Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Whether a deploy that failed ambiguously reads the packages back and re-sends only
    /// those still awaiting review (default on).
    ///
    /// ```
    /// let _ = dataarts_release::RetryPolicy::default().reconcile_deploys(false);
    /// ```
    pub fn reconcile_deploys(mut self, on: bool) -> Self {
        self.reconcile_deploys = on;
        if on && self.max_reconcile_rounds == 0 {
            self.max_reconcile_rounds = 2;
        }
        self
    }

    /// The configured number of attempts.
    ///
    /// ```
    /// assert_eq!(dataarts_release::RetryPolicy::default().attempts(), 4);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Backoff before retry number `retry` (1-based): equal jitter over the capped
    /// exponential delay.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1).min(20)));
        let capped = exp.min(self.max_backoff);
        let half = capped / 2;
        let jitter_ms = half.as_millis() as u64;
        let extra = if jitter_ms == 0 {
            0
        } else {
            rand::rng().random_range(0..=jitter_ms)
        };
        half + Duration::from_millis(extra)
    }

    /// The wait a `Retry-After` asks for, capped.
    pub(crate) fn retry_after(&self, asked: Duration) -> Duration {
        asked.min(self.max_retry_after)
    }
}

/// Parses `Retry-After` in seconds (integer or decimal). HTTP dates are ignored.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    let secs: f64 = v.parse().ok()?;
    if secs.is_finite() && secs >= 0.0 {
        Some(Duration::from_secs_f64(secs.min(86_400.0)))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        for n in 1..30 {
            let d = p.backoff(n);
            assert!(d <= p.max_backoff, "{d:?}");
        }
        let first = p.backoff(1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
    }

    /// The retry class comes from the operation table: reads are the four queries (one
    /// of them a POST), every write is retried only when provably not applied.
    #[test]
    fn classes() {
        use dataarts_release_raw::{Operation, RetryClass};
        let reads: Vec<Operation> = Operation::ALL
            .into_iter()
            .filter(|op| op.retry() == RetryClass::Read)
            .collect();
        assert_eq!(
            reads,
            [
                Operation::ListFactoryReleasePackages,
                Operation::ShowFactoryPackageDetail,
                Operation::ListFactoryPendingItems,
                Operation::ListSystemTasks,
            ]
        );
        assert_eq!(
            Operation::DeployFactoryPackages.retry(),
            RetryClass::WriteReconcile
        );
        assert_eq!(
            Operation::CreateFactoryPendingItemsPackage.retry(),
            RetryClass::Write
        );
    }

    #[test]
    fn retry_after() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        let p = RetryPolicy::default().max_retry_after(Duration::from_secs(1));
        assert_eq!(
            p.retry_after(Duration::from_secs(100)),
            Duration::from_secs(1)
        );
    }
}
