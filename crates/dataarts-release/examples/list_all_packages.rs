//! Page through every release package with a `Stream`.
//!
//! ```text
//! DATAARTS_ENDPOINT=http://127.0.0.1:8080 HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... \
//! HUAWEICLOUD_SDK_PROJECT_ID=b384b9e9ab9b4ee8994c8633aabc9505 \
//! cargo run -p dataarts-release --example list_all_packages
//! ```

use dataarts_release::Client;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let mut packages = client.list_packages().limit(100).stream();
    let mut n = 0;
    while let Some(p) = packages.try_next().await? {
        n += 1;
        let status = p
            .deploy_status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "?".into());
        println!(
            "{:>8}  {:<16}  {}",
            p.id,
            status,
            p.name.as_deref().unwrap_or("")
        );
    }
    eprintln!("{n} packages");
    Ok(())
}
