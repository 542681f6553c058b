//! Build a client from the environment and show what it resolved (secrets redacted).
//!
//! Reads HUAWEICLOUD_SDK_AK/SK/SECURITY_TOKEN/PROJECT_ID, the profile file
//! (~/.huaweicloud/credentials or HUAWEICLOUD_SDK_CREDENTIALS_FILE), DATAARTS_ENDPOINT,
//! DATAARTS_V1_ENDPOINT, DATAARTS_REGION, DATAARTS_WORKSPACE, DATAARTS_AUTH_TOKEN(_FILE).
//!
//! ```text
//! DATAARTS_ENDPOINT=http://127.0.0.1:8080 DATAARTS_AUTH_TOKEN=demo-token-for-the-dataarts-emulator \
//! HUAWEICLOUD_SDK_PROJECT_ID=b384b9e9ab9b4ee8994c8633aabc9505 \
//! cargo run -p dataarts-release --example from_env
//! ```

use std::time::Duration;

use dataarts_release::ClientBuilder;

#[tokio::main]
async fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let client = match ClientBuilder::from_env()
        .and_then(|b| b.total_timeout(Duration::from_secs(30)).build())
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("{client:#?}");
    match client.list_packages().limit(1).send().await {
        Ok(page) => println!("connected: {} package(s) in total", page.total.unwrap_or(0)),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
