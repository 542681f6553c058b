//! Client-overhead harness: throughput (calls/s) and per-call latency of one deploy
//! (`deploy_factory_packages`) at concurrency 1 and 16, three ways, interleaved in rounds
//! against one in-process emulator (rate limits and faults off, reset untimed before every run
//! so each call releases a fresh seeded package).
//!
//! ```text
//! cargo run --release -p dataarts-bench --bin overhead -- [--calls N] [--rounds R]
//! ```
//!
//! Prints, per concurrency and way, the median over rounds of calls/s and of the per-call
//! median latency, and the ratios against (c) hand-written reqwest.

use std::sync::Arc;
use std::time::Instant;

use dataarts_bench::{median, start_emulator, Clients, IdPool, Way, FIRST_SEEDED_ID};
use dataarts_emulator::{FaultConfig, RateLimits};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

/// Runs `calls` deploys with `concurrency` workers; returns (calls/s, per-call latencies in µs).
async fn run(clients: &Clients, way: Way, calls: usize, concurrency: usize) -> (f64, Vec<f64>) {
    let pool = Arc::new(IdPool::new(FIRST_SEEDED_ID, calls));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let pool = pool.clone();
            let clients = clients.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while let Some(id) = pool.take() {
                    let t = Instant::now();
                    clients.deploy(way, &id).await.expect("deploy succeeds");
                    lat.push(t.elapsed().as_secs_f64() * 1e6);
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::with_capacity(calls);
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(all.len(), calls);
    (calls as f64 / secs, all)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let calls = arg("--calls", 4000);
    // `--profile-only K` (0 = a, 1 = b, 2 = c): run only that way, sequentially, for a
    // profiler (`perf record`), and print nothing else.
    if let Some(k) = std::env::args()
        .position(|a| a == "--profile-only")
        .map(|_| arg("--profile-only", 0))
    {
        let emu = start_emulator(calls, RateLimits::disabled(), FaultConfig::default()).await?;
        let clients = Clients::new(&emu.url())?;
        for _ in 0..arg("--rounds", 5) {
            emu.reset();
            let (t, _) = run(&clients, Way::ALL[k], calls, 1).await;
            println!("{} {t:.0} calls/s", Way::ALL[k].name());
        }
        emu.shutdown().await;
        return Ok(());
    }
    let rounds = arg("--rounds", 5);
    let emu = start_emulator(calls, RateLimits::disabled(), FaultConfig::default()).await?;
    let clients = Clients::new(&emu.url())?;
    // Warm-up: connections, allocator, caches.
    for way in Way::ALL {
        emu.reset();
        run(&clients, way, calls.min(500), 4).await;
    }
    println!("calls per run: {calls}, rounds: {rounds}, ways interleaved per round");
    println!(
        "{:<6} {:<10} {:>12} {:>14} {:>10} {:>12}",
        "conc", "way", "calls/s", "p50 lat (µs)", "cost x/c", "p50 x/c"
    );
    for concurrency in [1usize, 16] {
        let mut tput: Vec<Vec<f64>> = vec![Vec::new(); 3];
        let mut p50: Vec<Vec<f64>> = vec![Vec::new(); 3];
        for round in 0..rounds {
            for k in 0..3 {
                // rotate the order each round so drift in machine load hits every way alike
                let i = (k + round) % 3;
                emu.reset();
                let (t, mut lat) = run(&clients, Way::ALL[i], calls, concurrency).await;
                tput[i].push(t);
                p50[i].push(median(&mut lat));
            }
        }
        let t: Vec<f64> = tput.iter_mut().map(|v| median(v)).collect();
        let l: Vec<f64> = p50.iter_mut().map(|v| median(v)).collect();
        for (i, way) in Way::ALL.iter().enumerate() {
            println!(
                "{:<6} {:<10} {:>12.0} {:>14.1} {:>10.3} {:>12.3}",
                concurrency,
                way.name(),
                t[i],
                l[i],
                t[2] / t[i],
                l[i] / l[2]
            );
        }
        println!(
            "RESULT concurrency={concurrency} time_per_call_ratio_a_over_c={:.3} (calls/s a={:.0} c={:.0}) p50_latency_ratio_a_over_c={:.3} p50_latency_ratio_b_over_c={:.3}",
            t[2] / t[0],
            t[0],
            t[2],
            l[0] / l[2],
            l[1] / l[2]
        );
    }
    emu.shutdown().await;
    Ok(())
}
