//! No SK, token or security token in Debug, Display, errors or tracing output (TRACE level).

mod common;

use std::time::Duration;

use common::*;
use dataarts_emulator::{FaultConfig, DEMO_SK, DEMO_TOKEN};
use dataarts_release::{Credentials, RetryPolicy};

const STS_AK: &str = "STSAK0000000000000001";
const STS_SK: &str = "StsSecretKeyThatMustNeverLeak000000001";
const STS_TOKEN: &str = "StsSecurityTokenThatMustNeverLeak0001";
const IAM_TOKEN: &str = "IamTokenThatMustNeverLeak000000000001";

// Paused clock: the slow answer and the attempt timeout take no real time.
#[tokio::test(start_paused = true)]
async fn secrets_never_leak() {
    let trace = TraceCapture::start();
    let mut printed = Vec::<String>::new();

    let emu = emulator_with(|b| b.security_token(STS_AK, STS_SK, STS_TOKEN).token(IAM_TOKEN)).await;
    let temp = builder(&emu.url())
        .credentials(Credentials::temporary(STS_AK, STS_SK, STS_TOKEN))
        .build()
        .unwrap();
    let token = builder(&emu.url())
        .credentials(Credentials::token(IAM_TOKEN))
        .build()
        .unwrap();
    printed.push(format!("{temp:?} {token:?}"));

    // Success paths.
    temp.list_packages().send().await.unwrap();
    let d = token.deploy(["23"]).send().await.unwrap();
    printed.push(format!("{d:?}"));

    // 401: wrong secret and wrong token.
    for c in [
        builder(&emu.url())
            .credentials(Credentials::temporary(STS_AK, "wrong", STS_TOKEN))
            .build()
            .unwrap(),
        builder(&emu.url())
            .credentials(Credentials::token(format!("{IAM_TOKEN}x")))
            .build()
            .unwrap(),
    ] {
        let e = c.show_package("12").await.unwrap_err();
        printed.push(format!("{e} {e:?}"));
    }

    // 429 exhausted.
    emu.set_faults(FaultConfig {
        throttle_burst: 1.0,
        ..Default::default()
    });
    let c = builder(&emu.url())
        .credentials(Credentials::temporary(STS_AK, STS_SK, STS_TOKEN))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.show_package("12").await.unwrap_err();
    assert!(e.is_throttled());
    printed.push(format!("{e} {e:?}"));
    emu.shutdown().await;

    // Decode error and error message echoing secrets: scrubbed.
    let s = scripted(vec![json(200, &format!("garbage {STS_SK} {STS_TOKEN}"))]).await;
    let c = builder(&s.url)
        .credentials(Credentials::temporary(STS_AK, STS_SK, STS_TOKEN))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.show_package("12").await.unwrap_err();
    printed.push(format!("{e} {e:?}"));
    let s = scripted(vec![json(
        400,
        &format!(r#"{{"error_code":"X","error_msg":"bad token {IAM_TOKEN}"}}"#),
    )])
    .await;
    let c = builder(&s.url)
        .credentials(Credentials::token(IAM_TOKEN))
        .build()
        .unwrap();
    let e = c.show_package("12").await.unwrap_err();
    printed.push(format!("{e} {e:?}"));

    // Timeout.
    let s = scripted(vec![Reply::Slow(
        Duration::from_secs(2),
        Box::new(json(200, "{}")),
    )])
    .await;
    let c = builder(&s.url)
        .credentials(Credentials::temporary(STS_AK, STS_SK, STS_TOKEN))
        .attempt_timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.show_package("12").await.unwrap_err();
    assert!(matches!(e, dataarts_release::Error::Timeout { .. }), "{e}");
    printed.push(format!("{e} {e:?}"));

    let logs = trace.text();
    assert!(logs.contains("dataarts_request"), "spans are recorded");
    assert!(logs.contains("request_id"), "request ids are recorded");
    let everything = format!("{logs}\n{}", printed.join("\n"));
    for secret in [STS_SK, STS_TOKEN, IAM_TOKEN, DEMO_SK, DEMO_TOKEN] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked:\n{everything}"
        );
    }
}
