//! The cache on tokio's paused clock, with a fetcher that counts.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use secrecy::SecretString;

use super::*;

/// Wall-clock time that moves with tokio's (paused) clock.
#[derive(Debug)]
struct TokioClock {
    base: SystemTime,
    start: Instant,
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.base + self.start.elapsed()
    }
}

struct Fake {
    clock: Arc<TokioClock>,
    lifetime: Duration,
    fetches: Arc<AtomicU32>,
    failing: Arc<AtomicBool>,
    /// How long one fetch takes.
    latency: Duration,
}

impl Fetcher for Fake {
    fn source(&self) -> CredentialSource {
        CredentialSource::EcsMetadata
    }

    fn fetch(&self) -> BoxFuture<'_, Result<Temporary>> {
        Box::pin(async move {
            tokio::time::sleep(self.latency).await;
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            if self.failing.load(Ordering::SeqCst) {
                return Err(Error::Credentials {
                    provider: CredentialSource::EcsMetadata,
                    problem: CredentialProblem::Unreachable,
                    message: "no answer from http://127.0.0.1:9 within 3s".into(),
                });
            }
            Ok(Temporary {
                ak: format!("TEMPAK{n:014}"),
                sk: SecretString::from(format!("temp-sk-SECRET-{n}")),
                security_token: SecretString::from(format!("security-token-SECRET-{n}")),
                expires_at: self.clock.now() + self.lifetime,
            })
        })
    }
}

struct Harness {
    cache: Arc<Cache<Fake>>,
    fetches: Arc<AtomicU32>,
    failing: Arc<AtomicBool>,
}

fn harness(lifetime: Duration, latency: Duration) -> Harness {
    let clock = Arc::new(TokioClock {
        base: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        start: Instant::now(),
    });
    let fetches = Arc::new(AtomicU32::new(0));
    let failing = Arc::new(AtomicBool::new(false));
    let fake = Fake {
        clock: clock.clone(),
        lifetime,
        fetches: fetches.clone(),
        failing: failing.clone(),
        latency,
    };
    Harness {
        cache: Arc::new(Cache::new(fake, Algorithm::HmacSha256, clock)),
        fetches,
        failing,
    }
}

fn ak(a: &Active) -> String {
    a.access_key().unwrap().to_string()
}

#[test]
fn margin_rule() {
    assert_eq!(margin(Duration::from_secs(3600)), Duration::from_secs(600));
    assert_eq!(margin(Duration::from_secs(30)), Duration::from_millis(7500));
    assert_eq!(margin(Duration::from_secs(21600)), Duration::from_secs(600));
}

#[test]
fn backoff_doubles_and_is_bounded() {
    let long = Duration::from_secs(3600);
    assert_eq!(backoff(1, long), Duration::from_secs(1));
    assert_eq!(backoff(2, long), Duration::from_secs(2));
    assert_eq!(backoff(3, long), Duration::from_secs(4));
    assert_eq!(backoff(30, long), MAX_BACKOFF);
    assert_eq!(backoff(5, Duration::from_secs(6)), Duration::from_secs(3));
    assert_eq!(backoff(5, Duration::ZERO), MIN_BACKOFF);
}

#[tokio::test(start_paused = true)]
async fn fetched_on_first_use_and_renewed_ahead_of_expiry() {
    let h = harness(Duration::from_secs(3600), Duration::ZERO);
    assert_eq!(
        h.fetches.load(Ordering::SeqCst),
        0,
        "nothing fetched before use"
    );
    let first = h.cache.current().await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 1);
    assert!(first.is_temporary());

    // Used as is until 10 minutes before expiry.
    tokio::time::advance(Duration::from_secs(49 * 60 + 59)).await;
    let same = h.cache.current().await.unwrap();
    assert_eq!(ak(&same), ak(&first));
    assert_eq!(h.fetches.load(Ordering::SeqCst), 1);

    tokio::time::advance(Duration::from_secs(2)).await;
    let renewed = h.cache.current().await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
    assert_ne!(ak(&renewed), ak(&first));
    assert!(renewed.generation > first.generation);
}

#[tokio::test(start_paused = true)]
async fn a_short_lifetime_is_renewed_at_three_quarters() {
    let h = harness(Duration::from_secs(30), Duration::ZERO);
    h.cache.current().await.unwrap();
    tokio::time::advance(Duration::from_millis(22_400)).await;
    h.cache.current().await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_millis(200)).await;
    h.cache.current().await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
}

/// `n` tasks asking the cache at once; each one's access key, or its error.
async fn concurrent_callers(h: &Harness, n: usize) -> Vec<Result<String>> {
    let calls = (0..n).map(|_| {
        let cache = h.cache.clone();
        tokio::spawn(async move { cache.current().await.map(|a| ak(&a)) })
    });
    futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|joined| joined.expect("the caller task panicked"))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_first_callers_share_one_fetch() {
    let h = harness(Duration::from_secs(3600), Duration::from_millis(300));
    let aks: Vec<String> = concurrent_callers(&h, 50)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 1);
    assert!(aks.iter().all(|a| a == &aks[0]));
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_callers_at_renewal_time_start_one_fetch() {
    let h = harness(Duration::from_secs(3600), Duration::from_millis(300));
    let first = h.cache.current().await.unwrap();
    tokio::time::advance(Duration::from_secs(55 * 60)).await;
    let aks: Vec<String> = concurrent_callers(&h, 50)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2, "one renewal");
    let after = h.cache.current().await.unwrap();
    assert_ne!(ak(&after), ak(&first));
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
    // The request that renewed got the new set; the others kept using the still-valid one
    // instead of waiting.
    assert!(aks.iter().all(|a| *a == ak(&first) || *a == ak(&after)));
    assert_eq!(aks.iter().filter(|a| **a == ak(&after)).count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_first_fetch_is_shared_by_the_waiters() {
    let h = harness(Duration::from_secs(3600), Duration::from_millis(300));
    h.failing.store(true, Ordering::SeqCst);
    for r in concurrent_callers(&h, 20).await {
        let e = r.unwrap_err();
        assert!(matches!(
            e,
            Error::Credentials {
                problem: CredentialProblem::Unreachable,
                ..
            }
        ));
    }
    assert_eq!(h.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn failures_while_valid_keep_the_set_and_back_off_then_expire() {
    let h = harness(Duration::from_secs(3600), Duration::ZERO);
    let first = h.cache.current().await.unwrap();
    h.failing.store(true, Ordering::SeqCst);

    // Due at 50 min: the renewal fails, the valid set stays in use.
    tokio::time::advance(Duration::from_secs(50 * 60)).await;
    let kept = h.cache.current().await.unwrap();
    assert_eq!(ak(&kept), ak(&first));
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
    assert!(h.cache.expired().is_none());

    // Within the backoff (1 s): no new attempt.
    for _ in 0..10 {
        h.cache.current().await.unwrap();
    }
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
    tokio::time::advance(Duration::from_millis(1000)).await;
    h.cache.current().await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 3);
    // Then 2 s.
    tokio::time::advance(Duration::from_millis(1900)).await;
    h.cache.current().await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 3);
    tokio::time::advance(Duration::from_millis(100)).await;
    h.cache.current().await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 4);

    // After expiry: Expired, naming the source and the last failure.
    tokio::time::advance(Duration::from_secs(10 * 60)).await;
    let e = h.cache.current().await.unwrap_err();
    match &e {
        Error::Credentials {
            provider,
            problem,
            message,
        } => {
            assert_eq!(*provider, CredentialSource::EcsMetadata);
            assert_eq!(*problem, CredentialProblem::Expired);
            assert!(message.contains("expired at"), "{message}");
            assert!(message.contains("127.0.0.1:9"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("ECS metadata service"), "{e}");
    assert!(!e.to_string().contains("SECRET"), "{e}");
    assert!(h.cache.expired().is_some());

    // The source recovers: the next request gets a new set.
    h.failing.store(false, Ordering::SeqCst);
    let back = h.cache.current().await.unwrap();
    assert_ne!(ak(&back), ak(&first));
    assert!(h.cache.expired().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_forced_renewal_replaces_only_the_stale_set() {
    let h = harness(Duration::from_secs(3600), Duration::ZERO);
    let first = h.cache.current().await.unwrap();
    let second = h.cache.renew(&first).await.unwrap();
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
    assert_ne!(ak(&second), ak(&first));
    // A second request refused with the first set finds it replaced already.
    let again = h.cache.renew(&first).await.unwrap();
    assert_eq!(ak(&again), ak(&second));
    assert_eq!(h.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn debug_of_a_set_shows_no_secret() {
    let h = harness(Duration::from_secs(3600), Duration::ZERO);
    let a = h.cache.current().await.unwrap();
    let s = format!("{a:?} {a:#?}");
    assert!(!s.contains("SECRET"), "{s}");
    assert!(!s.contains("TEMPAK00000000000001"), "{s}");
}

#[tokio::test(start_paused = true)]
async fn a_set_refused_as_expired_that_cannot_be_renewed_is_expired() {
    let h = harness(Duration::from_secs(3600), Duration::ZERO);
    let first = h.cache.current().await.unwrap();
    h.failing.store(true, Ordering::SeqCst);
    let e = h.cache.renew(&first).await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Credentials { problem: CredentialProblem::Expired, message, .. }
                if message.contains("refused by the service as expired")
        ),
        "{e}"
    );
    assert!(h.cache.expired().is_some());
    // Not handed out again: the next request tries to renew, and fails the same way.
    let e = h.cache.current().await.unwrap_err();
    assert!(matches!(
        e,
        Error::Credentials {
            problem: CredentialProblem::Expired,
            ..
        }
    ));
    h.failing.store(false, Ordering::SeqCst);
    assert_ne!(ak(&h.cache.current().await.unwrap()), ak(&first));
    assert!(h.cache.expired().is_none());
}
