//! The timer given to hyper for its `header_read_timeout`.
//!
//! hyper (1.x, HTTP/1 server) starts its header-read clock whenever a connection waits for a
//! request head: right after accepting it and again as soon as a keep-alive connection goes
//! idle. With a plain tokio timer the idle time between requests would count against the
//! head timeout, and the two limits could not differ. This timer's clock starts at the first
//! byte read after hyper asked for it; the wait before that byte is [`super::GuardedIo`]'s
//! idle timeout.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};
use hyper_util::rt::TokioTimer;

/// Counts the bytes read from one connection; shared by its [`super::GuardedIo`] and its
/// [`HeadTimer`].
pub(crate) type ReadCounter = Arc<AtomicU64>;

/// hyper's timer for one connection.
#[derive(Clone, Debug)]
pub(crate) struct HeadTimer {
    reads: ReadCounter,
    header_read_timeout: Duration,
}

impl HeadTimer {
    pub(crate) fn new(reads: ReadCounter, header_read_timeout: Duration) -> Self {
        Self {
            reads,
            header_read_timeout,
        }
    }
}

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        TokioTimer::new().sleep(duration)
    }

    // The HTTP/1 server uses `sleep_until` only for the header-read timeout; the deadline
    // hyper computed from "now" is replaced by one counted from the head's first byte.
    fn sleep_until(&self, _deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(HeadSleep {
            seen: self.reads.load(Ordering::Relaxed),
            reads: self.reads.clone(),
            timeout: self.header_read_timeout,
            sleep: None,
        })
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// Resolves `timeout` after the first byte read since it was created; pending before.
struct HeadSleep {
    reads: ReadCounter,
    seen: u64,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.sleep.is_none() {
            // hyper polls this after every read that left the head incomplete, so the first
            // byte is noticed when it arrives; no waker is needed before.
            if self.reads.load(Ordering::Relaxed) == self.seen {
                return Poll::Pending;
            }
            self.sleep = Some(Box::pin(tokio::time::sleep(self.timeout)));
        }
        match self.sleep.as_mut() {
            Some(s) => s.as_mut().poll(cx),
            None => Poll::Pending,
        }
    }
}

impl Sleep for HeadSleep {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_clock_starts_at_the_first_byte() {
        let reads: ReadCounter = Arc::default();
        let timer = HeadTimer::new(reads.clone(), Duration::from_secs(10));
        let mut sleep = timer.sleep_until(Instant::now());
        let waker = futures_noop_waker();
        let mut cx = Context::from_waker(&waker);
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        reads.fetch_add(3, Ordering::Relaxed);
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(sleep.as_mut().poll(&mut cx).is_ready());
    }

    fn futures_noop_waker() -> std::task::Waker {
        std::task::Waker::noop().clone()
    }
}
