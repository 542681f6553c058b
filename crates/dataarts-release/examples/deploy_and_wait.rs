//! Release packages and wait for the releases to finish, with progress.
//!
//! ```text
//! # against the emulator (cargo run -p dataarts-emulator -- --demo --port 8080):
//! DATAARTS_ENDPOINT=http://127.0.0.1:8080 \
//! HUAWEICLOUD_SDK_AK=DEMOAKEMULATOR000001 HUAWEICLOUD_SDK_SK=DemoSecretKeyOfTheDataArtsEmulator000001 \
//! HUAWEICLOUD_SDK_PROJECT_ID=b384b9e9ab9b4ee8994c8633aabc9505 \
//! cargo run -p dataarts-release --example deploy_and_wait -- 23
//! ```

use dataarts_release::{Client, ReleaseOutcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ids: Vec<String> = std::env::args().skip(1).collect();
    if ids.is_empty() {
        eprintln!("usage: deploy_and_wait <package id>...");
        std::process::exit(2);
    }
    let client = Client::from_env()?; // reads DATAARTS_ENDPOINT, HUAWEICLOUD_SDK_*, ...
    let deployment = client.deploy(ids).start_jobs(false).send().await?;
    for p in &deployment.packages {
        println!("release of {} started (task {:?})", p.package_id, p.task_id);
    }
    let results = deployment
        .wait()
        .on_progress(|p| {
            eprintln!(
                "progress: {}/{} subtasks",
                p.overall_completed, p.overall_total
            )
        })
        .await?;
    for r in results {
        let ok = r.outcome == ReleaseOutcome::Succeeded;
        println!(
            "package {}: {}",
            r.package_id,
            if ok { "released" } else { "FAILED" }
        );
    }
    Ok(())
}
