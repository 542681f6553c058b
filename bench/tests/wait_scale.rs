//! Smoke test of the wait benchmark's code path (the full run is `cargo run --release -p
//! dataarts-bench --bin wait_scale`): a few dozen releases under the emulator's default rate
//! limits, waited for by the library and by the earlier per-task loop.

use dataarts_bench::wait_scale::{emulator, measure, Mode, FIRST};
use dataarts_emulator::RateLimits;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_wait_sends_a_fraction_of_the_per_task_requests() {
    let n = 30;
    let emu = emulator(2 * n, RateLimits::default()).await.unwrap();
    let new = measure(&emu, FIRST, n, Mode::Library).await.unwrap();
    let old = measure(&emu, FIRST + n, n, Mode::PerTask).await.unwrap();
    eprintln!("{}\n{}", new.line(), old.line());
    assert_eq!((new.succeeded, old.succeeded), (n, n));
    // Every release task read once at least, against a page or two of the list per round.
    assert!(old.requests.1 >= n, "{}", old.line());
    let (list, task, show, other) = new.requests;
    assert_eq!((task, show, other), (0, 0, 0), "{}", new.line());
    assert!((1..=6).contains(&list), "{}", new.line());
    assert_eq!(new.throttled + old.throttled, 0);
    emu.shutdown().await;
}
