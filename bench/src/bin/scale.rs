//! Scale: `deploy_all` with 10,000 ids against an in-process emulator that enforces the
//! service's per-user limit of 10 requests/s, with the client's limiter at its default
//! (10 requests/s).
//!
//! ```text
//! cargo run --release -p dataarts-bench --bin scale -- [--ids N] [--rate R]
//! ```
//!
//! Checks: exactly ceil(N/100) deploy requests in the journal, zero 429s, every package
//! released once; reports the wall time against two bounds:
//!
//! - nominal: requests / rate (100 / 10 = 10 s);
//! - pacing floor: (requests - burst) / rate, where burst = rate is what both token buckets
//!   (governor on the client, the emulator's one-second bucket) allow at once from full, so
//!   the first 10 go out together and the other 90 one every 100 ms (9.0 s).

use std::time::Instant;

use dataarts_bench::{start_emulator, wrapper_client, FIRST_SEEDED_ID};
use dataarts_emulator::{FaultConfig, RateLimits};
use dataarts_release::DEFAULT_RATE_LIMIT;
use dataarts_release_raw::Operation;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let n = arg("--ids", 10_000);
    let rate = u32::try_from(arg("--rate", DEFAULT_RATE_LIMIT as usize))?;
    let emu = start_emulator(
        n,
        RateLimits {
            per_user: Some(rate),
            per_api: None,
        },
        FaultConfig::default(),
    )
    .await?;
    let ids: Vec<String> = (FIRST_SEEDED_ID..FIRST_SEEDED_ID + n)
        .map(|k| k.to_string())
        .collect();
    // `--evenly-paced`: a comparison point, not the target run. The client limiter is off and
    // this harness spaces the 100-id `deploy` calls evenly (1/rate apart, no burst), as a
    // limiter with a burst of 1 would.
    let evenly = std::env::args().any(|a| a == "--evenly-paced");
    let client = wrapper_client(
        &emu.url(),
        if evenly {
            None
        } else {
            Some(DEFAULT_RATE_LIMIT)
        },
    )?;

    let start = Instant::now();
    let report = if evenly {
        let mut tick =
            tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / f64::from(rate)));
        let mut released = 0;
        for chunk in ids.chunks(100) {
            tick.tick().await;
            released += client
                .deploy(chunk.iter().cloned())
                .start_jobs(false)
                .send()
                .await
                .map(|d| d.packages.len())
                .unwrap_or(0);
        }
        println!("mode: evenly paced by the harness (client limiter off), released {released}");
        None
    } else {
        println!("mode: deploy_all, client limiter at its default");
        Some(
            client
                .deploy_all(ids.clone())
                .start_jobs(false)
                .send()
                .await?,
        )
    };
    let wall = start.elapsed().as_secs_f64();

    let journal = emu.journal();
    let deploys = journal
        .iter()
        .filter(|e| e.operation == Some(Operation::DeployFactoryPackages))
        .count();
    let throttled = journal.iter().filter(|e| e.status == 429).count();
    for e in journal.iter().filter(|e| e.status == 429) {
        println!("429 at journal seq {} ({:?})", e.seq, e.error_code);
    }
    let released_once = ids.iter().filter(|id| emu.release_count(id) == 1).count();
    let expected = n.div_ceil(100);
    let rate_f = f64::from(rate);
    let nominal = expected as f64 / rate_f;
    let burst = f64::from(rate).min(expected as f64);
    let floor = (expected as f64 - burst) / rate_f;

    println!("ids={n} client_limit={DEFAULT_RATE_LIMIT}/s emulator_per_user={rate}/s");
    println!(
        "journal: {} requests total, {deploys} deploys (expected {expected}), {throttled} answered 429",
        journal.len()
    );
    if let Some(report) = &report {
        println!(
            "report: released={} refused={} unknown={} chunks={}",
            report.released().len(),
            report.refused().len(),
            report.unknown().len(),
            report.chunks
        );
    }
    println!("emulator: {released_once}/{n} released exactly once");
    println!(
        "wall={wall:.3}s nominal_bound={nominal:.1}s (wall/nominal={:.3}) pacing_floor={floor:.1}s (wall/floor={:.3})",
        wall / nominal,
        wall / floor
    );
    let ok = deploys == expected
        && journal.len() == expected
        && throttled == 0
        && released_once == n
        && report.as_ref().is_none_or(|r| r.all_released());
    println!("SCALE {}", if ok { "OK" } else { "FAILED" });
    emu.shutdown().await;
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
