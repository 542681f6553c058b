//! Temporary credentials at run time: fetched on first use, renewed ahead of expiry by one
//! refresh at a time, kept while a failed renewal is retried with backoff, and an
//! [`Error::Credentials`] with [`CredentialProblem::Expired`] once they are gone.
//!
//! # The renewal rule
//!
//! A set whose lifetime (from the fetch to its `expires_at`) is `L` is renewed once less
//! than `min(10 min, L / 4)` of it remains: an hour-long set after 50 minutes, a 30-second
//! one (the emulator's shortest) after 22.5 seconds. Until then every request uses it
//! without asking anything. The request that finds the set due renews it (the others keep
//! using the still-valid set meanwhile); when there is no valid set at all, every request
//! waits for the one refresh in flight and gets its result.
//!
//! A failed renewal while the set is still valid is logged and retried after a backoff
//! (1 s, doubling up to 60 s, and never later than half the remaining validity), the valid
//! set staying in use. After `expires_at` the next request tries once more, and fails with
//! `Expired`, naming the source and the last failure.
//!
//! All intervals run on tokio's clock: the wall-clock `expires_at` is turned into a tokio
//! instant once, when the set arrives, using the client's [`Clock`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use dataarts_signing::Algorithm;
use futures::future::BoxFuture;
use tokio::time::Instant;

use super::active::Active;
use super::{CredentialProblem, CredentialSource, Temporary};
use crate::error::{Error, Result};
use crate::transport::Clock;

/// The most a set is renewed ahead of its expiry.
const MAX_MARGIN: Duration = Duration::from_secs(10 * 60);
/// The first wait after a failed renewal; it doubles with each failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait between two renewal attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The shortest wait between two renewal attempts.
const MIN_BACKOFF: Duration = Duration::from_millis(500);

/// Something that hands out temporary credentials.
pub(crate) trait Fetcher: Send + Sync + 'static {
    /// Which source it is, for errors.
    fn source(&self) -> CredentialSource;
    /// One fetch.
    fn fetch(&self) -> BoxFuture<'_, Result<Temporary>>;
}

/// How far ahead of expiry a set of lifetime `lifetime` is renewed.
pub(crate) fn margin(lifetime: Duration) -> Duration {
    MAX_MARGIN.min(lifetime / 4)
}

/// The wait before the next attempt after `failures` failed ones, with `remaining` validity.
fn backoff(failures: u32, remaining: Duration) -> Duration {
    let doubled = FIRST_BACKOFF
        .checked_mul(1u32 << failures.saturating_sub(1).min(16))
        .unwrap_or(MAX_BACKOFF);
    doubled.min(MAX_BACKOFF).min(remaining / 2).max(MIN_BACKOFF)
}

#[derive(Default)]
struct State {
    current: Option<Arc<Active>>,
    /// When `current` stops being valid, on tokio's clock.
    valid_until: Option<Instant>,
    /// When `current` is due for renewal.
    renew_at: Option<Instant>,
    /// Failed attempts since the last success.
    failures: u32,
    /// No renewal attempt before this, after a failure.
    retry_at: Option<Instant>,
    last_error: Option<Error>,
    /// Finished fetch attempts, successful or not.
    attempts: u64,
    /// Sets issued so far.
    generation: u64,
    /// The generation the service refused as expired, when renewing it then failed: no
    /// longer valid, whatever its expiry time says.
    refused: Option<u64>,
}

impl State {
    fn valid(&self, now: Instant) -> Option<&Arc<Active>> {
        match (&self.current, self.valid_until) {
            (Some(c), Some(until)) if now < until && self.refused != Some(c.generation) => Some(c),
            _ => None,
        }
    }

    fn due(&self, now: Instant) -> bool {
        self.renew_at.is_none_or(|at| now >= at) && self.retry_at.is_none_or(|at| now >= at)
    }
}

/// What a request finds.
enum Look {
    /// A valid set, not due for renewal.
    Fresh(Arc<Active>),
    /// A valid set, due for renewal.
    Due(Arc<Active>),
    /// No valid set; `attempts` fetches had finished.
    Invalid { attempts: u64 },
}

/// The credentials of one client whose source hands out temporary ones.
pub(crate) struct Cache<F> {
    fetcher: F,
    algorithm: Algorithm,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    /// Held while a fetch runs: one at a time.
    flight: tokio::sync::Mutex<()>,
}

impl<F: Fetcher> Cache<F> {
    pub(crate) fn new(fetcher: F, algorithm: Algorithm, clock: Arc<dyn Clock>) -> Self {
        Self {
            fetcher,
            algorithm,
            clock,
            state: Mutex::new(State::default()),
            flight: tokio::sync::Mutex::new(()),
        }
    }

    pub(crate) fn source(&self) -> CredentialSource {
        self.fetcher.source()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; recover the data if something ever did.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The set to sign with now, fetching or renewing it first when needed.
    ///
    /// # Errors
    ///
    /// The source's error when no set was ever had, or `Expired` when the last one expired
    /// and could not be renewed.
    pub(crate) async fn current(&self) -> Result<Arc<Active>> {
        let seen = match self.look() {
            Look::Fresh(valid) => return Ok(valid),
            Look::Due(valid) => {
                // Due for renewal but still valid: renew unless another request is at it.
                let Ok(_guard) = self.flight.try_lock() else {
                    return Ok(valid);
                };
                // Another request may have renewed it since.
                if let Look::Fresh(fresh) = self.look() {
                    return Ok(fresh);
                }
                return Ok(self.fetch_now(false).await.unwrap_or(valid));
            }
            Look::Invalid { attempts } => attempts,
        };
        let _guard = self.flight.lock().await;
        if let Some(shared) = self.shared_outcome(seen) {
            return shared;
        }
        self.fetch_now(true).await
    }

    /// What the state says now.
    fn look(&self) -> Look {
        let st = self.state();
        let now = Instant::now();
        match st.valid(now) {
            Some(valid) if st.due(now) => Look::Due(valid.clone()),
            Some(valid) => Look::Fresh(valid.clone()),
            None => Look::Invalid {
                attempts: st.attempts,
            },
        }
    }

    /// The outcome of a fetch that finished after `seen` attempts, if one did.
    fn shared_outcome(&self, seen: u64) -> Option<Result<Arc<Active>>> {
        let st = self.state();
        if st.attempts == seen {
            return None;
        }
        if let Some(valid) = st.valid(Instant::now()) {
            return Some(Ok(valid.clone()));
        }
        st.last_error.as_ref().map(|e| Err(self.failure(&st, e)))
    }

    /// Renews the set `stale` now, unless it was replaced already (the service refused it as
    /// expired). Backoff does not apply.
    pub(crate) async fn renew(&self, stale: &Active) -> Result<Arc<Active>> {
        let _guard = self.flight.lock().await;
        if let Look::Fresh(c) | Look::Due(c) = self.look() {
            if c.generation != stale.generation {
                return Ok(c);
            }
        }
        let renewed = self.fetch_now(true).await;
        if renewed.is_err() {
            let mut st = self.state();
            if st.current.as_ref().map(|c| c.generation) == Some(stale.generation) {
                st.refused = Some(stale.generation);
            }
            if let Some(e) = &st.last_error {
                return Err(self.failure(&st, e));
            }
        }
        renewed
    }

    /// The set in force, valid or not, without fetching (for dry runs and scrubbing).
    pub(crate) fn peek(&self) -> Option<Arc<Active>> {
        self.state().current.clone()
    }

    /// The `Expired` error, when the set expired and the last renewal failed.
    pub(crate) fn expired(&self) -> Option<Error> {
        let st = self.state();
        if st.current.is_none() || st.valid(Instant::now()).is_some() {
            return None;
        }
        st.last_error.as_ref().map(|e| self.failure(&st, e))
    }

    /// Fetches (the caller holds `flight`) and records the outcome. `strict`: a failure is
    /// the error even when a valid set remains (the caller keeps it otherwise).
    async fn fetch_now(&self, strict: bool) -> Result<Arc<Active>> {
        let started = Instant::now();
        let fetched = self.fetcher.fetch().await;
        let now = Instant::now();
        let mut st = self.state();
        st.attempts += 1;
        let generation = st.generation + 1;
        let made = fetched.and_then(|t| self.activate(t, generation));
        match made {
            Ok((active, lifetime)) => {
                // Time spent fetching counts against the lifetime.
                let until = started + lifetime;
                st.generation = generation;
                st.current = Some(active.clone());
                st.valid_until = Some(until);
                st.renew_at = Some(until - margin(lifetime));
                st.failures = 0;
                st.retry_at = None;
                st.last_error = None;
                st.refused = None;
                tracing::debug!(
                    source = %self.source(),
                    lifetime_s = lifetime.as_secs(),
                    renew_before_expiry_s = margin(lifetime).as_secs(),
                    "credentials fetched"
                );
                Ok(active)
            }
            Err(e) => {
                st.failures += 1;
                let remaining = st
                    .valid_until
                    .map(|u| u.saturating_duration_since(now))
                    .unwrap_or_default();
                let wait = backoff(st.failures, remaining);
                st.retry_at = Some(now + wait);
                tracing::warn!(
                    source = %self.source(),
                    failures = st.failures,
                    retry_in_ms = wait.as_millis() as u64,
                    error = %e,
                    "could not renew the credentials"
                );
                st.last_error = Some(e.clone());
                match st.valid(now) {
                    Some(valid) if !strict => Ok(valid.clone()),
                    Some(_) => Err(e),
                    None if st.current.is_some() => Err(self.failure(&st, &e)),
                    None => Err(e),
                }
            }
        }
    }

    /// The set made from what the source issued, and its lifetime.
    fn activate(&self, t: Temporary, generation: u64) -> Result<(Arc<Active>, Duration)> {
        let source = self.source();
        let expires_at = t.expires_at;
        let lifetime = expires_at
            .duration_since(self.clock.now())
            .ok()
            .filter(|l| !l.is_zero())
            .ok_or_else(|| Error::Credentials {
                provider: source,
                problem: CredentialProblem::Expired,
                message: format!(
                    "the credentials it issued expire at {}, which is not in the future by \
                     this machine's clock; check that the clock is synchronised",
                    rfc3339(expires_at)
                ),
            })?;
        let active =
            Active::temporary(t, self.algorithm, generation).map_err(|e| Error::Credentials {
                provider: source,
                problem: CredentialProblem::Malformed,
                message: format!(
                    "the credentials it issued cannot sign with {}: {e}",
                    self.algorithm.as_str()
                ),
            })?;
        Ok((Arc::new(active), lifetime))
    }

    /// The error for a request that found no valid set: `Expired` when there was one.
    fn failure(&self, st: &State, last: &Error) -> Error {
        let Some(expired) = st.current.as_ref() else {
            return last.clone();
        };
        let cause = match last {
            Error::Credentials { message, .. } => message.clone(),
            other => other.to_string(),
        };
        Error::Credentials {
            provider: self.source(),
            problem: CredentialProblem::Expired,
            message: format!(
                "the temporary credentials {} and could not be renewed ({} attempts failed); \
                 last failure: {cause}",
                match (st.refused == Some(expired.generation), expired.expires_at) {
                    (true, _) => "were refused by the service as expired".to_string(),
                    (false, Some(t)) => format!("expired at {}", rfc3339(t)),
                    (false, None) => "expired".to_string(),
                },
                st.failures
            ),
        }
    }
}

/// `2026-12-02T03:04:05Z`.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests;
