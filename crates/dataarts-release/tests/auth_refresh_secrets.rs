//! No secret of temporary credentials (SK, security token, the metadata token) in traces
//! at TRACE level while they are fetched and renewed, nor in `Debug` of the client and
//! builder, nor in errors.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{emulator_with, fast_retries, TraceCapture};
use dataarts_emulator::{DEMO_PROJECT_ID, DEMO_WORKSPACE_ID};
use dataarts_release::{Client, CredentialProblem, Credentials, EcsMetadata, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const METADATA_TOKEN: &str = "MetadataTokenThatMustNeverLeak0001";
const SETS: [(&str, &str, &str); 3] = [
    (
        "TEMPAK00000000000001",
        "TempSecretKeyThatMustNeverLeak000001",
        "TempSecurityTokenThatMustNeverLeak01",
    ),
    (
        "TEMPAK00000000000002",
        "TempSecretKeyThatMustNeverLeak000002",
        "TempSecurityTokenThatMustNeverLeak02",
    ),
    (
        "TEMPAK00000000000003",
        "TempSecretKeyThatMustNeverLeak000003",
        "TempSecurityTokenThatMustNeverLeak03",
    ),
];

/// A metadata service handing out `SETS` in turn, each valid for 4 s; 500 when `failing`.
async fn metadata_stub(failing: Arc<AtomicBool>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match sock.read(&mut byte).await {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&head).to_string();
            let (status, body) = if failing.load(Ordering::SeqCst) {
                ("500 Internal Server Error", "{}".to_string())
            } else if head.starts_with("PUT /meta-data/latest/api/token") {
                ("200 OK", METADATA_TOKEN.to_string())
            } else if head.starts_with("GET /openstack/latest/securitykey")
                && head.contains(METADATA_TOKEN)
            {
                let n = count.fetch_add(1, Ordering::SeqCst).min(SETS.len() - 1);
                let (ak, sk, token) = SETS[n];
                let expires =
                    humantime::format_rfc3339_micros(SystemTime::now() + Duration::from_secs(4));
                (
                    "200 OK",
                    format!(
                        r#"{{"credential":{{"access":"{ak}","secret":"{sk}","securitytoken":"{token}","expires_at":"{expires}"}}}}"#
                    ),
                )
            } else {
                ("404 Not Found", "{}".to_string())
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(answer.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (url, served)
}

#[tokio::test]
async fn temporary_secrets_never_leak_while_renewed() {
    let trace = TraceCapture::start();
    let mut printed = Vec::<String>::new();

    let emu = emulator_with(|mut b| {
        for (ak, sk, token) in SETS {
            b = b.security_token(ak, sk, token);
        }
        b
    })
    .await;
    let failing = Arc::new(AtomicBool::new(false));
    let (metadata, served) = metadata_stub(failing.clone()).await;
    let builder = Client::builder()
        .endpoint(emu.url())
        .metadata_endpoint(&metadata)
        .project_id(DEMO_PROJECT_ID)
        .workspace(DEMO_WORKSPACE_ID)
        .credentials(Credentials::ecs_metadata(EcsMetadata::new()))
        .rate_limit(None)
        .retry_policy(fast_retries());
    printed.push(format!("{builder:?}"));
    let c = builder.build().unwrap();

    c.list_packages().send().await.unwrap();
    printed.push(format!("{c:?} {c:#?}"));
    printed.push(format!("{:?}", c.auth_report().await.unwrap()));
    tokio::time::sleep(Duration::from_millis(3200)).await;
    c.show_package("23").await.unwrap();
    printed.push(format!("{c:?}"));
    assert!(served.load(Ordering::SeqCst) >= 2, "renewed");

    // A failing renewal, then expiry.
    failing.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(3200)).await;
    c.show_package("23").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let e = c.show_package("23").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Credentials {
                problem: CredentialProblem::Expired,
                ..
            }
        ),
        "{e:?}"
    );
    printed.push(format!("{e} {e:?}"));

    let logs = trace.text();
    assert!(
        logs.contains("credentials fetched"),
        "the renewal was traced"
    );
    let all = format!("{logs}\n{}", printed.join("\n"));
    for (ak, sk, token) in SETS {
        assert!(!all.contains(sk), "SK leaked");
        assert!(!all.contains(token), "security token leaked");
        assert!(!all.contains(ak), "unmasked AK printed");
    }
    assert!(!all.contains(METADATA_TOKEN), "metadata token leaked");
}
