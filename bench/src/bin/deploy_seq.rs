//! Sequential deploys through the wrapper against a running emulator, the Rust driver of
//! `bench/vs_official_sdks.py`: one package per call, AK/SK, client limiter off (the official
//! SDKs have none), default retry policy.
//!
//! ```text
//! deploy_seq --endpoint URL --ak AK --sk SK [--project-id P] [--workspace WS] --first ID
//!            --calls N [--warmup W]
//! ```
//!
//! Releases ids `first .. first+W` untimed, then `first+W .. first+W+N` timed, checking that
//! each answer names exactly one package; prints `RUST_WRAPPER calls=N seconds=S
//! calls_per_s=R`. With `--calls 1 --warmup 0` it is the one-deploy program whose cold start
//! the benchmark measures.

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
    let project = arg("--project-id").unwrap_or_else(|| dataarts_bench::PROJECT_ID.to_owned());
    let mut builder = Client::builder()
        .endpoint(endpoint)
        .project_id(project)
        .credentials(Credentials::aksk(ak, sk))
        .rate_limit(None);
    if let Some(ws) = arg("--workspace") {
        builder = builder.workspace(ws);
    }
    let client = builder.build()?;
    let deploy = |k: usize| {
        let client = &client;
        async move {
            let d = client
                .deploy([k.to_string()])
                .start_jobs(false)
                .send()
                .await?;
            anyhow::ensure!(
                d.packages.len() == 1,
                "package {k}: expected one deployed package, got {}",
                d.packages.len()
            );
            Ok(())
        }
    };
    for k in first..first + warmup {
        deploy(k).await?;
    }
    let start = Instant::now();
    for k in first + warmup..first + warmup + calls {
        deploy(k).await?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "RUST_WRAPPER calls={calls} seconds={secs:.3} calls_per_s={:.1}",
        calls as f64 / secs
    );
    Ok(())
}
