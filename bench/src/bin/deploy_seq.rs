//! Sequential deploys through the wrapper against a running emulator, for
//! `bench/vs_official_sdk.sh`: one package per call, AK/SK, client limiter off (the official
//! SDK has none), default retry policy.
//!
//! ```text
//! deploy_seq --endpoint URL --ak AK --sk SK --first ID --calls N [--warmup W]
//! ```
//!
//! Releases ids `first .. first+W` untimed, then `first+W .. first+W+N` timed; prints
//! `RUST_WRAPPER calls=N seconds=S calls_per_s=R`.

use std::time::Instant;

use dataarts_release::{Client, Credentials};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn num(name: &str, default: usize) -> usize {
    arg(name).map_or(default, |v| v.parse().expect("a number"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let endpoint = arg("--endpoint").expect("--endpoint URL");
    let ak = arg("--ak").expect("--ak");
    let sk = arg("--sk").expect("--sk");
    let first = num("--first", 1000);
    let calls = num("--calls", 1000);
    let warmup = num("--warmup", 20);
    let client = Client::builder()
        .endpoint(endpoint)
        .project_id(dataarts_bench::PROJECT_ID)
        .credentials(Credentials::aksk(ak, sk))
        .rate_limit(None)
        .build()?;
    for k in first..first + warmup {
        client
            .deploy([k.to_string()])
            .start_jobs(false)
            .send()
            .await?;
    }
    let start = Instant::now();
    for k in first + warmup..first + warmup + calls {
        let d = client
            .deploy([k.to_string()])
            .start_jobs(false)
            .send()
            .await?;
        anyhow::ensure!(d.packages.len() == 1);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "RUST_WRAPPER calls={calls} seconds={secs:.3} calls_per_s={:.1}",
        calls as f64 / secs
    );
    Ok(())
}
