//! Client overhead: one deploy (`deploy_factory_packages`, one package) against the in-process emulator, three
//! ways in the same run: (a) the wrapper with AK/SK, (b) the generated client with a minimal
//! signing transport, (c) hand-written reqwest with the same headers. Rate limits and faults
//! are off; every iteration releases a fresh seeded package (the emulator is reset, untimed,
//! when the pool runs out).
//!
//! `cargo bench -p dataarts-bench --bench client_overhead`
//!
//! The medians are in `target/criterion/client_overhead/deploy_c1/*/new/estimates.json`;
//! throughput at concurrency 1 and 16 comes from `cargo run --release -p dataarts-bench --bin
//! overhead`.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use dataarts_bench::{start_emulator, Clients, IdPool, Way, FIRST_SEEDED_ID};
use dataarts_emulator::{FaultConfig, RateLimits};

const POOL: usize = 100_000;

fn overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let emu = rt
        .block_on(start_emulator(
            POOL,
            RateLimits::disabled(),
            FaultConfig::default(),
        ))
        .expect("emulator");
    let clients = Clients::new(&emu.url()).expect("clients");
    let mut pool = IdPool::new(FIRST_SEEDED_ID, POOL);

    let mut g = c.benchmark_group("client_overhead");
    g.sample_size(60)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6));
    for way in Way::ALL {
        g.bench_function(format!("deploy_c1/{}", way.name()), |b| {
            b.iter_custom(|iters| {
                let iters = usize::try_from(iters).expect("iters fits");
                assert!(iters <= POOL, "a sample needs {iters} > {POOL} packages");
                if pool.remaining() < iters {
                    emu.reset(); // untimed: every seeded package awaits review again
                    pool = IdPool::new(FIRST_SEEDED_ID, POOL);
                }
                let ids: Vec<String> = (0..iters)
                    .map(|_| pool.take().expect("pool checked"))
                    .collect();
                // Run on a runtime worker, like the emulator, not on the bench thread: three
                // busy threads on two cores would measure the scheduler.
                let clients = clients.clone();
                rt.block_on(async move {
                    tokio::spawn(async move {
                        let start = Instant::now();
                        for id in &ids {
                            clients.deploy(way, id).await.expect("deploy succeeds");
                        }
                        start.elapsed()
                    })
                    .await
                    .expect("the bench task")
                })
            });
        });
    }
    g.finish();
    rt.block_on(emu.shutdown());
}

criterion_group!(benches, overhead);
criterion_main!(benches);
