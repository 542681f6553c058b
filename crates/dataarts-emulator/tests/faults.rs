//! Fault injection, the journal and the admin endpoints.

mod common;

use std::time::{Duration, Instant};

use common::*;
use dataarts_emulator::{FaultConfig, FaultKind, RateLimits};
use dataarts_release_raw::Operation;
use serde_json::json;

fn only(f: impl FnOnce(&mut FaultConfig)) -> FaultConfig {
    let mut c = FaultConfig::default();
    f(&mut c);
    c
}

async fn deploy(
    emu: &dataarts_emulator::RunningEmulator,
    id: &str,
) -> Result<Resp, reqwest::Error> {
    let r = client()
        .post(format!("{}{}", emu.url(), deploy_path()))
        .header("X-Auth-Token", dataarts_emulator::DEMO_TOKEN)
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"package_ids": ["{id}"]}}"#))
        .send()
        .await?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await?;
    Ok(Resp {
        status,
        headers,
        text,
    })
}

#[tokio::test]
async fn error_before_changes_nothing() {
    let emu = builder()
        .faults(only(|f| f.error_before = 1.0))
        .start()
        .await
        .unwrap();
    let r = deploy(&emu, "23").await.unwrap();
    assert_eq!(r.status, 500);
    assert_eq!(r.code(), "EMU.0500");
    assert_eq!(r.json()["request_id"], json!(r.request_id()));
    assert_eq!(emu.release_count("23"), 0);
    let e = emu.journal().pop().unwrap();
    assert_eq!(
        (e.fault, e.applied, e.status),
        (Some(FaultKind::ErrorBefore), false, 500)
    );
    emu.set_faults(FaultConfig::default());
    let s = call(&emu, "GET", &show_path("23"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(1));
}

#[tokio::test]
async fn error_after_changes_state() {
    let emu = builder()
        .faults(only(|f| f.error_after = 1.0))
        .start()
        .await
        .unwrap();
    let r = deploy(&emu, "23").await.unwrap();
    assert_eq!(r.status, 500);
    assert_eq!(emu.release_count("23"), 1);
    let e = emu.journal().pop().unwrap();
    assert_eq!(
        (e.fault, e.applied, e.status),
        (Some(FaultKind::ErrorAfter), true, 500)
    );
    assert_eq!(e.error_code.as_deref(), Some("EMU.0500"));
    emu.set_faults(FaultConfig::default());
    let s = call(&emu, "GET", &show_path("23"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(5));
}

#[tokio::test]
async fn drop_after_closes_the_connection_but_releases() {
    let emu = builder()
        .faults(only(|f| f.drop_after = 1.0))
        .start()
        .await
        .unwrap();
    let err = deploy(&emu, "23")
        .await
        .expect_err("the connection must be dropped");
    assert!(!err.is_status(), "{err:?}");
    assert_eq!(emu.release_count("23"), 1);
    let e = emu.journal().pop().unwrap();
    assert_eq!(e.operation, Some(Operation::DeployFactoryPackages));
    assert_eq!(
        (e.fault, e.applied, e.status),
        (Some(FaultKind::DropAfter), true, 0)
    );
    assert_eq!(e.package_ids, vec!["23".to_string()]);
    // The server is fine afterwards.
    emu.set_faults(FaultConfig::default());
    let s = call(&emu, "GET", &show_path("23"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(5));
}

#[tokio::test]
async fn truncated_body() {
    let emu = builder()
        .faults(only(|f| f.truncated_body = 1.0))
        .start()
        .await
        .unwrap();
    let r = deploy(&emu, "23").await.unwrap();
    assert_eq!(r.status, 200);
    assert!(!r.text.is_empty());
    assert!(
        serde_json::from_str::<serde_json::Value>(&r.text).is_err(),
        "{}",
        r.text
    );
    assert!(r.text.starts_with("{\"deploy_package_details\""));
    assert_eq!(emu.release_count("23"), 1);
    assert_eq!(
        emu.journal().pop().unwrap().fault,
        Some(FaultKind::TruncatedBody)
    );
}

#[tokio::test]
async fn non_json_body() {
    let emu = builder()
        .faults(only(|f| f.non_json_body = 1.0))
        .start()
        .await
        .unwrap();
    let r = deploy(&emu, "23").await.unwrap();
    assert_eq!(r.status, 502);
    assert!(r
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    assert!(r.headers.get("x-request-id").is_some());
    assert_eq!(emu.release_count("23"), 0);
}

#[tokio::test]
async fn throttle_burst() {
    let emu = builder()
        .faults(only(|f| f.throttle_burst = 1.0))
        .start()
        .await
        .unwrap();
    let r = deploy(&emu, "23").await.unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.code(), "APIGW.0308");
    assert_eq!(r.headers.get("retry-after").unwrap(), "1");
    assert_eq!(emu.release_count("23"), 0);
}

#[tokio::test]
async fn latency() {
    let emu = builder()
        .faults(only(|f| f.latency = Some(Duration::from_millis(150))))
        .start()
        .await
        .unwrap();
    let t = Instant::now();
    let r = call(&emu, "GET", &show_path("23"), None, &[]).await;
    assert_eq!(r.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(emu.journal().pop().unwrap().fault, Some(FaultKind::Latency));
}

#[tokio::test]
async fn faults_can_target_operations() {
    let emu = builder()
        .faults(only(|f| {
            f.error_before = 1.0;
            f.operations = Some(vec!["deploy_factory_packages".into()]);
        }))
        .start()
        .await
        .unwrap();
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        200
    );
    assert_eq!(deploy(&emu, "23").await.unwrap().status, 500);
}

async fn fault_sequence(seed: u64) -> Vec<(u16, Option<FaultKind>)> {
    let emu = builder()
        .faults(FaultConfig {
            seed,
            error_before: 0.2,
            error_after: 0.2,
            truncated_body: 0.2,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    for _ in 0..30 {
        let _ = call(&emu, "POST", &list_path(), Some(json!({})), &[]).await;
    }
    emu.journal()
        .into_iter()
        .map(|e| (e.status, e.fault))
        .collect()
}

#[tokio::test]
async fn seeded_faults_are_reproducible() {
    let a = fault_sequence(42).await;
    let b = fault_sequence(42).await;
    assert_eq!(a, b);
    assert!(
        a.iter().any(|(_, f)| f.is_some()) && a.iter().any(|(_, f)| f.is_none()),
        "{a:?}"
    );
    let c = fault_sequence(43).await;
    assert_ne!(a, c);
}

#[tokio::test]
async fn journal_records_each_request() {
    let emu = start().await;
    call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"]})),
        &[],
    )
    .await;
    call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"]})),
        &[],
    )
    .await;
    call(
        &emu,
        "POST",
        &cancel_path(),
        Some(json!({"package_ids": ["12"]})),
        &[],
    )
    .await;
    let j = emu.journal();
    assert_eq!(j.len(), 3);
    assert_eq!(j.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!((j[0].status, j[0].applied), (200, true));
    assert_eq!(
        (j[1].status, j[1].applied, j[1].error_code.as_deref()),
        (400, false, Some("EMU.0003"))
    );
    assert_eq!(j[2].operation, Some(Operation::CancelFactoryPackages));
    assert_eq!(j[2].package_ids, vec!["12".to_string()]);
    assert!(j[2].applied);
    assert_eq!(
        j.iter()
            .filter(|e| e.applied
                && e.package_ids.contains(&"23".to_string())
                && e.operation == Some(Operation::DeployFactoryPackages))
            .count(),
        1
    );
    assert_eq!(emu.release_count("23"), 1);
}

#[tokio::test]
async fn admin_endpoints() {
    let emu = start().await;
    let admin = |m: &str, p: &str, body: Option<serde_json::Value>| {
        let url = format!("{}/_emulator/{p}", emu.url());
        let m = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        async move {
            let mut rb = client().request(m, url);
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            read(rb.send().await.unwrap()).await
        }
    };
    assert_eq!(
        admin("GET", "health", None).await.json(),
        json!({"status": "ok"})
    );

    // Faults: read, replace, reject invalid.
    assert_eq!(
        admin("GET", "faults", None).await.json()["error_before"],
        json!(0.0)
    );
    let r = admin(
        "PUT",
        "faults",
        Some(json!({"error_before": 1.0, "seed": 3})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        500
    );
    let r = admin("PUT", "faults", Some(json!({"error_before": 2.0}))).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0002"));
    let r = admin("PUT", "faults", Some(json!({"nope": 1}))).await;
    assert_eq!(r.status, 400);
    admin("PUT", "faults", Some(json!({}))).await;
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        200
    );

    // Rate limits.
    let r = admin(
        "PUT",
        "rate-limits",
        Some(json!({"per_user": 1, "per_api": null})),
    )
    .await;
    assert_eq!(r.json(), json!({"per_user": 1, "per_api": null}));
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        200
    );
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        429
    );
    admin(
        "PUT",
        "rate-limits",
        Some(serde_json::to_value(RateLimits::disabled()).unwrap()),
    )
    .await;
    assert_eq!(
        admin("GET", "rate-limits", None).await.json(),
        json!({"per_user": null, "per_api": null})
    );

    // Tasks: advance and complete.
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["12", "23"]})),
        &[],
    )
    .await;
    let t12 = r.json()["deploy_package_details"][0]["asy_task_id"]
        .as_str()
        .unwrap()
        .to_string();
    admin("POST", "tasks/advance", None).await;
    let t = call(&emu, "GET", &task_path(&t12), None, &[]).await.json();
    assert_eq!(
        (t["status"].clone(), t["subtasks"][0]["status"].clone()),
        (json!("RUNNING"), json!("SUCCESSFUL"))
    );
    let s23 = call(&emu, "GET", &show_path("23"), None, &[]).await.json();
    assert_eq!(s23["release_package"]["deploy_status"], json!(2)); // one item: done
    admin("POST", "tasks/complete", None).await;
    assert_eq!(
        call(&emu, "GET", &task_path(&t12), None, &[]).await.json()["status"],
        json!("SUCCESSFUL")
    );
    assert_eq!(
        admin("GET", "releases", None).await.json(),
        json!({"12": 1, "23": 1})
    );

    // Journal over HTTP, with ?after.
    let j = admin("GET", "journal", None).await.json();
    let all = j.as_array().unwrap();
    assert!(all.len() >= 8);
    assert!(all
        .iter()
        .all(|e| !e["path"].as_str().unwrap().starts_with("/_emulator")));
    let last_seq = all.last().unwrap()["seq"].as_u64().unwrap();
    assert_eq!(
        admin("GET", &format!("journal?after={}", last_seq - 1), None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Fail the next release of 13.
    admin("POST", "packages/13/fail", None).await;
    call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["13"]})),
        &[],
    )
    .await;
    admin("POST", "tasks/complete", None).await;
    assert_eq!(
        call(&emu, "GET", &show_path("13"), None, &[]).await.json()["release_package"]
            ["deploy_status"],
        json!(3)
    );

    // Reset: back to the fixtures, journal emptied.
    admin("POST", "reset", None).await;
    assert!(emu.journal().is_empty());
    assert_eq!(emu.release_count("12"), 0);
    assert_eq!(
        call(&emu, "GET", &show_path("12"), None, &[]).await.json()["release_package"]
            ["deploy_status"],
        json!(1)
    );

    // Unknown admin path: JSON 404.
    let r = admin("GET", "nope", None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "APIGW.0101"));
    assert_eq!(emu.journal().len(), 1, "only the show call above");
}

#[tokio::test]
async fn graceful_shutdown_and_drop() {
    let emu = start().await;
    let url = emu.url();
    emu.shutdown().await;
    assert!(client()
        .get(format!("{url}/_emulator/health"))
        .send()
        .await
        .is_err());
    let emu = start().await;
    let url = emu.url();
    drop(emu);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(client()
        .get(format!("{url}/_emulator/health"))
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn a_busy_port_is_reported() {
    let emu = start().await;
    let port = emu.local_addr().port();
    let err = builder().port(port).start().await.unwrap_err();
    assert!(
        matches!(err, dataarts_emulator::EmulatorError::Bind { .. }),
        "{err}"
    );
    assert!(err.to_string().contains(&port.to_string()));
    assert!(emu.url().ends_with(&format!(":{port}")) && !emu.url().ends_with('/'));
}

#[tokio::test]
async fn journal_json_names_operations_and_faults() {
    let emu = builder()
        .faults(only(|f| f.error_before = 1.0))
        .start()
        .await
        .unwrap();
    assert_eq!(deploy(&emu, "23").await.unwrap().status, 500);
    assert_eq!(
        call(&emu, "GET", "/v2/nowhere", None, &[]).await.status,
        404
    );
    let r = client()
        .get(format!("{}/_emulator/journal", emu.url()))
        .send()
        .await
        .unwrap();
    let j = read(r).await.json();
    let fields = |e: &serde_json::Value| (e["operation"].clone(), e["fault"].clone());
    assert_eq!(
        fields(&j[0]),
        (json!("deploy_factory_packages"), json!("error_before"))
    );
    assert_eq!(fields(&j[1]), (json!("unknown"), json!(null)));
    assert_eq!(j.as_array().unwrap().len(), 2);
}
