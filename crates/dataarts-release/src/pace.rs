//! Client-side pacing on tokio time: at most `n` requests a second, evenly spaced.

use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Spaces requests evenly, one every `1/n` second, with no burst: a burst of `n` lands on
/// the edge of the gateway's one-second window and draws 429s (measured: 1 or 2 per 100
/// paced requests). The first request after a pause goes at once.
#[derive(Debug)]
pub(crate) struct Pacer {
    spacing: Duration,
    next_free: Mutex<Option<Instant>>,
}

impl Pacer {
    /// At most `n` requests per second.
    pub(crate) fn per_second(n: NonZeroU32) -> Self {
        Self {
            spacing: Duration::from_secs(1) / n.get(),
            next_free: Mutex::new(None),
        }
    }

    /// Waits for this request's turn. Each caller books the next free slot before sleeping,
    /// so concurrent callers are spaced too; a caller dropped while waiting leaves its slot
    /// unused, which only slows the others down.
    pub(crate) async fn until_ready(&self) {
        let slot = {
            let mut next = self
                .next_free
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.map_or(now, |t| t.max(now));
            *next = Some(slot + self.spacing);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn evenly_spaced_without_burst_and_immediate_after_a_pause() {
        let pacer = Pacer::per_second(NonZeroU32::new(4).unwrap());
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..4 {
            pacer.until_ready().await;
            at.push(start.elapsed());
        }
        let ms = |n| Duration::from_millis(n);
        assert_eq!(at, vec![ms(0), ms(250), ms(500), ms(750)]);

        tokio::time::sleep(Duration::from_secs(5)).await;
        let resumed = Instant::now();
        pacer.until_ready().await;
        assert_eq!(resumed.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_are_spaced_too() {
        let pacer = Arc::new(Pacer::per_second(NonZeroU32::new(10).unwrap()));
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let p = pacer.clone();
                tokio::spawn(async move {
                    p.until_ready().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut at = Vec::new();
        for t in tasks {
            at.push(t.await.unwrap());
        }
        at.sort();
        let expected: Vec<Duration> = (0..5).map(|i| Duration::from_millis(100 * i)).collect();
        assert_eq!(at, expected);
    }
}
