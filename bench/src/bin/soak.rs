//! Fault soak, full run: 1,000 deploy calls (half `deploy`, half `deploy_all`) under seeded
//! random faults (5xx before/after processing, dropped connections after processing,
//! truncated and non-JSON bodies, 429 bursts, latency), then an audit against the journal.
//!
//! ```text
//! cargo run --release -p dataarts-bench --bin soak -- [--calls N] [--seed S] [--p P]
//! ```
//!
//! Exits 1 when any violation is found (a package released twice, released although the
//! caller was told it was refused, an id without a reported outcome, ...).

use dataarts_bench::soak::{run, SoakConfig};

fn arg<T: std::str::FromStr>(name: &str) -> Option<T> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().ok().expect("a valid value"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut c = SoakConfig::full();
    if let Some(n) = arg("--calls") {
        c.calls = n;
    }
    if let Some(s) = arg("--seed") {
        c.seed = s;
    }
    if let Some(p) = arg("--p") {
        c.fault_probability = p;
    }
    println!("soak config: {c:?}");
    let report = run(&c).await?;
    println!("{}", report.summary());
    for u in &report.unknown_samples {
        println!("UNKNOWN (sample) {u}");
    }
    for v in report.violations.iter().take(50) {
        println!("VIOLATION {v}");
    }
    if report.violations.is_empty() {
        println!(
            "SOAK OK: no package released twice, every outcome reported and true to the journal"
        );
        Ok(())
    } else {
        println!("SOAK FAILED: {} violations", report.violations.len());
        std::process::exit(1);
    }
}
