//! One poll loop for every wait: poll, let acceptors classify what came back, stop or sleep
//! with jittered backoff until a deadline.
//!
//! It knows nothing about the service, so that every wait shares the same timing rules and
//! they can be tested alone. Time comes from tokio, so tests run it on a paused clock.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

/// How often and how long to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Polling {
    /// Give up after this long.
    pub(crate) timeout: Duration,
    /// The first interval between polls.
    pub(crate) initial: Duration,
    /// The longest interval between polls.
    pub(crate) max: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30 * 60),
            initial: Duration::from_secs(1),
            max: Duration::from_secs(15),
        }
    }
}

/// The smallest interval; a zero interval would poll in a tight loop.
const MIN_INTERVAL: Duration = Duration::from_millis(1);

impl Polling {
    /// The next interval: ×1.5, capped, with ±20 % jitter.
    pub(crate) fn next(&self, current: Duration) -> Duration {
        self.next_with(current, rand::rng().random_range(0.8..=1.2))
    }

    /// [`next`](Self::next) with the jitter factor given.
    fn next_with(&self, current: Duration, jitter: f64) -> Duration {
        let cap = self.max.max(MIN_INTERVAL);
        let scale =
            |d: Duration, f: f64| Duration::try_from_secs_f64(d.as_secs_f64() * f).unwrap_or(cap);
        let grown = scale(current, 1.5).min(cap).max(MIN_INTERVAL);
        scale(grown, jitter).min(cap)
    }
}

/// `start + d`, saturating at roughly a century (a "no timeout" of `Duration::MAX` must not
/// overflow the clock).
pub(crate) fn deadline_after(start: Instant, d: Duration) -> Instant {
    start
        .checked_add(d)
        .or_else(|| start.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(start)
}

/// What an acceptor makes of one poll result (smithy's acceptor states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Acceptance {
    /// The awaited state was reached: stop with this result.
    Success,
    /// The wait cannot succeed: stop with this result as the failure.
    Failure,
    /// Not there yet: poll again.
    Retry,
}

/// An acceptor: `Some` when it matches the poll result.
pub(crate) type Acceptor<'a, O, E> = &'a dyn Fn(&Result<O, E>) -> Option<Acceptance>;

/// The first matching acceptor's decision; without a match, an answer means "poll again" and
/// an error ends the wait.
pub(crate) fn classify<O, E>(
    result: &Result<O, E>,
    acceptors: &[Acceptor<'_, O, E>],
) -> Acceptance {
    acceptors
        .iter()
        .find_map(|accept| accept(result))
        .unwrap_or(match result {
            Ok(_) => Acceptance::Retry,
            Err(_) => Acceptance::Failure,
        })
}

/// What one poll decided.
#[derive(Debug)]
pub(crate) enum Verdict<T, E> {
    /// Done: the wait returns this.
    Done(T),
    /// Failed: the wait returns this error.
    Failed(E),
    /// Poll again after the next interval.
    Pending,
}

/// Why a wait ended without its result.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WaitError<E> {
    /// A poll failed in a way no acceptor forgave.
    Failed(E),
    /// The deadline passed first.
    TimedOut {
        /// How long the wait lasted.
        waited: Duration,
        /// The state seen last, in words.
        last_status: String,
    },
}

/// Hands progress reports to the caller's callback, if there is one.
pub(crate) struct Reporter<'r, R> {
    callback: Option<&'r mut (dyn FnMut(&R) + Send)>,
}

impl<R> Reporter<'_, R> {
    /// True when someone listens (reports need not be built otherwise).
    pub(crate) fn is_listening(&self) -> bool {
        self.callback.is_some()
    }

    /// Delivers one report.
    pub(crate) fn report(&mut self, report: &R) {
        if let Some(cb) = self.callback.as_mut() {
            cb(report);
        }
    }
}

/// The thing being waited for: polled until it says it is done, has failed, or time is up.
pub(crate) trait Poller: Send {
    /// What a successful wait returns.
    type Output;
    /// What a failed poll returns.
    type Error;
    /// What progress reports look like.
    type Report;

    /// Polls once and classifies the result. `elapsed` is the time since the wait began.
    fn poll<'s>(
        &'s mut self,
        elapsed: Duration,
        reporter: &'s mut Reporter<'_, Self::Report>,
    ) -> impl Future<Output = Verdict<Self::Output, Self::Error>> + Send + 's;

    /// The state seen last, in words, for the timeout error.
    fn last_status(&self) -> String;
}

/// The callback progress reports go to.
pub(crate) type ProgressFn<'a, R> = Box<dyn FnMut(&R) + Send + 'a>;

/// Polls `poller` until a poll decides, or the deadline passes: the first poll at once, then
/// after each interval (growing by [`Polling::next`], never past the deadline).
/// Cancellation-safe: dropping the future just stops polling.
pub(crate) async fn wait<P: Poller>(
    polling: Polling,
    poller: &mut P,
    mut progress: Option<ProgressFn<'_, P::Report>>,
) -> Result<P::Output, WaitError<P::Error>> {
    let started = Instant::now();
    let deadline = deadline_after(started, polling.timeout);
    let mut interval = polling.initial;
    loop {
        let mut reporter = Reporter {
            callback: progress
                .as_mut()
                .map(|cb| &mut **cb as &mut (dyn FnMut(&P::Report) + Send)),
        };
        match poller.poll(started.elapsed(), &mut reporter).await {
            Verdict::Done(output) => return Ok(output),
            Verdict::Failed(error) => return Err(WaitError::Failed(error)),
            Verdict::Pending => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::TimedOut {
                waited: now - started,
                last_status: poller.last_status(),
            });
        }
        tokio::time::sleep(interval.min(deadline - now)).await;
        interval = polling.next(interval);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Answers from a script (the last answer repeats) and records when it was polled.
    struct Scripted {
        answers: VecDeque<Result<&'static str, &'static str>>,
        polled_at: Arc<Mutex<Vec<Duration>>>,
        last: String,
    }

    fn scripted(
        answers: &[Result<&'static str, &'static str>],
    ) -> (Scripted, Arc<Mutex<Vec<Duration>>>) {
        let polled_at = Arc::new(Mutex::new(Vec::new()));
        let poller = Scripted {
            answers: answers.iter().copied().collect(),
            polled_at: polled_at.clone(),
            last: "not polled yet".into(),
        };
        (poller, polled_at)
    }

    fn done(r: &Result<&str, &str>) -> Option<Acceptance> {
        matches!(r, Ok("done")).then_some(Acceptance::Success)
    }

    fn broken(r: &Result<&str, &str>) -> Option<Acceptance> {
        matches!(r, Ok("broken")).then_some(Acceptance::Failure)
    }

    fn transient(r: &Result<&str, &str>) -> Option<Acceptance> {
        matches!(r, Err("transient")).then_some(Acceptance::Retry)
    }

    impl Poller for Scripted {
        type Output = &'static str;
        type Error = &'static str;
        type Report = String;

        async fn poll(
            &mut self,
            elapsed: Duration,
            reporter: &mut Reporter<'_, String>,
        ) -> Verdict<&'static str, &'static str> {
            self.polled_at.lock().unwrap().push(elapsed);
            let answer = if self.answers.len() > 1 {
                self.answers.pop_front().unwrap()
            } else {
                self.answers[0]
            };
            self.last = format!("{answer:?}");
            reporter.report(&self.last);
            match classify(&answer, &[&done, &broken, &transient]) {
                Acceptance::Success => Verdict::Done(answer.unwrap_or_default()),
                Acceptance::Failure => Verdict::Failed(answer.unwrap_or_else(|e| e)),
                Acceptance::Retry => Verdict::Pending,
            }
        }

        fn last_status(&self) -> String {
            self.last.clone()
        }
    }

    fn polling(timeout_s: u64, initial_ms: u64, max_ms: u64) -> Polling {
        Polling {
            timeout: Duration::from_secs(timeout_s),
            initial: Duration::from_millis(initial_ms),
            max: Duration::from_millis(max_ms),
        }
    }

    #[test]
    fn backoff_grows_by_half_and_is_capped_with_bounded_jitter() {
        let p = polling(60, 1000, 5000);
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(p.next_with(d(1000), 1.0), d(1500));
        assert_eq!(p.next_with(d(4000), 1.0), d(5000));
        assert_eq!(p.next_with(d(1000), 0.8), d(1200));
        assert_eq!(p.next_with(d(1000), 1.2), d(1800));
        assert_eq!(
            p.next_with(d(5000), 1.2),
            d(5000),
            "jitter never passes the cap"
        );
        assert_eq!(p.next_with(Duration::ZERO, 1.0), MIN_INTERVAL);
        assert_eq!(
            polling(60, 0, 0).next_with(Duration::ZERO, 1.0),
            MIN_INTERVAL
        );
        assert_eq!(p.next_with(Duration::MAX, 1.0), d(5000));
        for _ in 0..100 {
            let n = p.next(d(1000));
            assert!(n >= d(1200) && n <= d(1800), "{n:?}");
        }
    }

    #[test]
    fn deadlines_saturate() {
        let now = Instant::now();
        assert_eq!(
            deadline_after(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
        assert!(deadline_after(now, Duration::MAX) > now + Duration::from_secs(3600 * 24 * 365));
    }

    #[test]
    fn unmatched_answers_retry_and_unmatched_errors_fail() {
        let none: &[Acceptor<'_, u8, u8>] = &[];
        assert_eq!(classify(&Ok(1), none), Acceptance::Retry);
        assert_eq!(classify(&Err(1), none), Acceptance::Failure);
        let first = |r: &Result<u8, u8>| r.is_ok().then_some(Acceptance::Success);
        let second = |_: &Result<u8, u8>| Some(Acceptance::Failure);
        assert_eq!(classify(&Ok(1), &[&first, &second]), Acceptance::Success);
        assert_eq!(classify(&Err(1), &[&first, &second]), Acceptance::Failure);
    }

    #[tokio::test(start_paused = true)]
    async fn intervals_grow_until_capped_then_the_deadline_gives_the_last_status() {
        let (mut poller, polled_at) = scripted(&[Ok("running")]);
        let real = std::time::Instant::now();
        let err = wait(polling(60, 1000, 5000), &mut poller, None)
            .await
            .unwrap_err();
        assert!(
            real.elapsed() < Duration::from_secs(5),
            "paused time: {:?}",
            real.elapsed()
        );
        assert_eq!(
            err,
            WaitError::TimedOut {
                waited: Duration::from_secs(60),
                last_status: r#"Ok("running")"#.into()
            }
        );
        let at = polled_at.lock().unwrap().clone();
        assert_eq!(at[0], Duration::ZERO, "first poll at once");
        assert_eq!(
            *at.last().unwrap(),
            Duration::from_secs(60),
            "last poll at the deadline"
        );
        let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(
            gaps[0],
            Duration::from_secs(1),
            "first interval as configured"
        );
        // Each gap is 1.5× the previous, ±20 %, until the cap; the last one is cut short by
        // the deadline.
        for w in gaps[..gaps.len() - 1].windows(2) {
            let grown = w[0].mul_f64(1.5).min(Duration::from_secs(5));
            assert!(
                w[1] >= grown.mul_f64(0.79)
                    && w[1] <= grown.mul_f64(1.21).min(Duration::from_secs(5)),
                "{gaps:?}"
            );
        }
        assert!(
            gaps.iter().all(|g| *g <= Duration::from_secs(5)),
            "{gaps:?}"
        );
        assert!(
            gaps.iter()
                .rev()
                .skip(1)
                .take(3)
                .all(|g| *g >= Duration::from_secs(4)),
            "capped: {gaps:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn progress_is_reported_on_every_poll_until_done() {
        let (mut poller, polled_at) = scripted(&[Ok("queued"), Ok("running"), Ok("done")]);
        let reports = Arc::new(Mutex::new(Vec::new()));
        let seen = reports.clone();
        let out = wait(
            polling(60, 1000, 5000),
            &mut poller,
            Some(Box::new(move |r: &String| {
                seen.lock().unwrap().push(r.clone())
            })),
        )
        .await
        .unwrap();
        assert_eq!(out, "done");
        assert_eq!(
            *reports.lock().unwrap(),
            vec![r#"Ok("queued")"#, r#"Ok("running")"#, r#"Ok("done")"#]
        );
        assert_eq!(polled_at.lock().unwrap().len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_acceptor_ends_the_wait_at_once() {
        let (mut poller, polled_at) = scripted(&[Ok("running"), Ok("broken"), Ok("done")]);
        let err = wait(polling(60, 1000, 5000), &mut poller, None)
            .await
            .unwrap_err();
        assert_eq!(err, WaitError::Failed("broken"));
        assert_eq!(polled_at.lock().unwrap().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_retryable_error_keeps_polling_and_any_other_error_stops() {
        let (mut poller, polled_at) = scripted(&[Err("transient"), Err("transient"), Ok("done")]);
        assert_eq!(
            wait(polling(60, 1000, 5000), &mut poller, None).await,
            Ok("done")
        );
        assert_eq!(polled_at.lock().unwrap().len(), 3);

        let (mut poller, polled_at) = scripted(&[Err("transient"), Err("fatal"), Ok("done")]);
        assert_eq!(
            wait(polling(60, 1000, 5000), &mut poller, None).await,
            Err(WaitError::Failed("fatal"))
        );
        assert_eq!(polled_at.lock().unwrap().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_timeout_does_not_overflow_and_a_zero_one_polls_once() {
        let (mut poller, _) = scripted(&[Ok("running"), Ok("done")]);
        let p = Polling {
            timeout: Duration::MAX,
            ..polling(0, 1000, 5000)
        };
        assert_eq!(wait(p, &mut poller, None).await, Ok("done"));

        let (mut poller, polled_at) = scripted(&[Ok("running")]);
        let err = wait(polling(0, 1000, 5000), &mut poller, None)
            .await
            .unwrap_err();
        assert!(matches!(err, WaitError::TimedOut { waited, .. } if waited == Duration::ZERO));
        assert_eq!(polled_at.lock().unwrap().len(), 1);
    }
}
