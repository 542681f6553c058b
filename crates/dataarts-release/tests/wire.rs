//! What goes over the wire for each operation (headers sorted, port and signature masked).

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use dataarts_release::Client;

fn fixed_client(s: &Scripted) -> Client {
    builder(&s.url)
        .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
        .workspace("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6")
        .user_agent("wire-test")
        .clock(SteppingClock::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645),
            Duration::ZERO,
        ))
        .build()
        .unwrap()
}

fn render(r: &Captured) -> String {
    let mut headers: Vec<String> = r
        .headers
        .iter()
        .map(|(k, v)| format!("{}: {v}", k.to_ascii_lowercase()))
        .collect();
    headers.sort();
    format!(
        "{} {}\n{}\n\n{}",
        r.method,
        r.target,
        headers.join("\n"),
        String::from_utf8_lossy(&r.body)
    )
}

async fn capture<F, Fut>(reply: &str, call: F) -> String
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let s = scripted(vec![json(200, reply)]).await;
    call(fixed_client(&s)).await;
    let reqs = s.all();
    assert_eq!(reqs.len(), 1);
    render(&reqs[0])
}

#[tokio::test]
async fn wire_requests() {
    let mut out = Vec::new();
    out.push(
        capture(DEPLOY_OK, |c| async move {
            c.deploy(["23", "12"])
                .start_jobs(false)
                .send()
                .await
                .unwrap();
        })
        .await,
    );
    out.push(
        capture(r#"{"total":0,"data":[]}"#, |c| async move {
            c.list_packages()
                .keyword("daily etl")
                .status(dataarts_release::DeployStatus::AwaitingReview)
                .limit(5)
                .send()
                .await
                .unwrap();
        })
        .await,
    );
    out.push(
        capture(
            r#"{"release_package":{"package_id":"23","package_approvers":[]},"task_details":[]}"#,
            |c| async move {
                c.show_package("23").await.unwrap();
            },
        )
        .await,
    );
    out.push(
        capture("", |c| async move {
            c.cancel_packages(["12"]).await.unwrap();
        })
        .await,
    );
    out.push(
        capture(r#"{"total":0,"data":[]}"#, |c| async move {
            c.pending_items()
                .item_name("daily etl~")
                .task_type(dataarts_release::TaskType::Job)
                .limit(10)
                .send()
                .await
                .unwrap();
        })
        .await,
    );
    out.push(
        capture(
            r#"{"release_package_id":"27","package_name":"n"}"#,
            |c| async move {
                c.package_pending_items(["26"])
                    .name("n")
                    .applicant("u1")
                    .approvers(["u2"])
                    .send()
                    .await
                    .unwrap();
            },
        )
        .await,
    );
    out.push(
        capture(r#"{"id":"t1","status":"SUCCESSFUL"}"#, |c| async move {
            c.system_task("t1").await.unwrap();
        })
        .await,
    );
    insta::with_settings!({filters => vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"Signature=[0-9a-f]{64}", "Signature=SIG"),
    ]}, {
        insta::assert_snapshot!("wire_requests", out.join("\n\n----\n\n"));
    });
}
