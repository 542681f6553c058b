//! Waiting that scales: release N packages with `deploy_all`, then wait for them, against an
//! in-process emulator with its default rate limits (10 requests/s per user, 100 per API) and
//! its default task timing (300 ms per subtask, one subtask per seeded package).
//!
//! ```text
//! cargo run --release -p dataarts-bench --bin wait_scale -- [--ids 1000,10000] [--baseline-max 1000]
//! ```
//!
//! For each N: the library's wait (bulk reads from the package list), then, when N is at
//! most `--baseline-max`, the earlier per-task wait on N more packages in the same emulator.
//! Prints one `WAIT` line per measurement and the goals: the wait ends within 3 s (1,000) or
//! 15 s (10,000) of the last release finishing.

use dataarts_bench::wait_scale::{emulator, measure, Mode, FIRST};
use dataarts_emulator::RateLimits;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = arg("--ids")
        .unwrap_or_else(|| "1000,10000".into())
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;
    let baseline_max: usize = arg("--baseline-max").map_or(Ok(1000), |s| s.parse())?;
    let mut ok = true;
    for n in sizes {
        let baseline = n <= baseline_max;
        let emu = emulator(if baseline { 2 * n } else { n }, RateLimits::default()).await?;
        let new = measure(&emu, FIRST, n, Mode::Library).await?;
        println!("{}", new.line());
        let goal = if n <= 1000 { 3.0 } else { 15.0 };
        let after = new.after_last_finish.as_secs_f64();
        let met = after <= goal && new.succeeded == n;
        ok &= met;
        println!(
            "GOAL ids={n}: within {goal} s of the last release finishing: {after:.2} s, {}",
            if met { "met" } else { "NOT met" }
        );
        if baseline {
            let old = measure(&emu, FIRST + n, n, Mode::PerTask).await?;
            println!("{}", old.line());
            println!(
                "RATIO ids={n}: after_last_finish old/new = {:.1}x, requests old/new = {:.1}x",
                old.after_last_finish.as_secs_f64() / after.max(0.001),
                old.total_requests() as f64 / new.total_requests().max(1) as f64
            );
        } else {
            println!(
                "BASELINE ids={n}: not run; one per-task round alone is {n} requests = {:.0} s at 10 requests/s",
                n as f64 / 10.0
            );
        }
        emu.shutdown().await;
    }
    println!("WAIT_SCALE {}", if ok { "OK" } else { "FAILED" });
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
