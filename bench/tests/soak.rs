//! Bounded fault soak (the full run is `cargo run --release -p dataarts-bench --bin soak`):
//! 100 deploy calls under seeded random faults of every kind, audited against the emulator's
//! journal.

use std::time::Duration;

use dataarts_bench::soak::{run, SoakConfig, Told};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_soak_never_releases_twice_and_reports_every_failure() {
    let c = SoakConfig::bounded();
    let report = tokio::time::timeout(Duration::from_secs(60), run(&c))
        .await
        .expect("the bounded soak finishes within 60 s")
        .expect("the soak runs");
    eprintln!("{}", report.summary());
    assert!(
        report.violations.is_empty(),
        "violations:\n{}",
        report.violations.join("\n")
    );
    // The run really exercised the faults and the reporting.
    let injected: usize = report
        .faults
        .iter()
        .filter(|(k, _)| k.as_str() != "latency")
        .map(|(_, n)| n)
        .sum();
    assert!(
        injected >= 10,
        "too few faults injected: {:?}",
        report.faults
    );
    for kind in ["error_before", "error_after", "drop_after", "throttle"] {
        assert!(
            report.faults.keys().any(|k| k.contains(kind)),
            "no {kind} fault in {:?}",
            report.faults
        );
    }
    assert_eq!(report.told.values().sum::<usize>(), report.packages);
    // After settling the unknown ones, every package is released exactly once.
    assert_eq!(report.final_released_once, report.packages);
    assert!(report.told.get(&Told::Released).copied().unwrap_or(0) > report.packages / 2);
}
