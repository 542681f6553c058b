//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod identity;

use std::time::SystemTime;

use dataarts_emulator::{
    Emulator, EmulatorBuilder, RateLimits, RunningEmulator, TaskTiming, DEMO_PROJECT_ID,
    DEMO_TOKEN, DEMO_WORKSPACE_ID,
};
use dataarts_signing::{canonical_query, format_sdk_date, sign, SigningInput};
use serde_json::Value;

pub const P: &str = DEMO_PROJECT_ID;
pub const WS: &str = DEMO_WORKSPACE_ID;

/// Demo data, manual tasks, no rate limits.
pub fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .demo()
        .task_timing(TaskTiming::Manual)
        .rate_limits(RateLimits::disabled())
}

pub async fn start() -> RunningEmulator {
    builder().start().await.expect("start")
}

/// A response, fully read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn code(&self) -> String {
        self.json()["error_code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    pub fn request_id(&self) -> String {
        self.headers
            .get("x-request-id")
            .expect("X-Request-Id")
            .to_str()
            .unwrap()
            .to_string()
    }
}

pub async fn read(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let resp = Resp {
        status,
        headers,
        text,
    };
    assert!(
        is_hex32(&resp.request_id()),
        "bad X-Request-Id {:?}",
        resp.request_id()
    );
    resp
}

/// Whether `s` is exactly 32 lowercase hex characters (request and task ids).
pub fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One client per test binary (building a client loads TLS roots, which is slow).
pub fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new).clone()
}

/// A request with the demo token.
pub async fn call(
    emu: &RunningEmulator,
    method: &str,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Resp {
    call_token(emu, DEMO_TOKEN, method, path, body, headers).await
}

pub async fn call_token(
    emu: &RunningEmulator,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Resp {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = client()
        .request(m, format!("{}{}", emu.url(), path))
        .header("X-Auth-Token", token);
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    if let Some(b) = body {
        rb = rb
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(serde_json::to_vec(&b).unwrap());
    }
    read(rb.send().await.expect("send")).await
}

/// Signs like the official Python SDK (content-type, host with port, x-project-id,
/// x-sdk-date and any extra headers) and sends.
#[allow(clippy::too_many_arguments)]
pub async fn call_signed(
    emu: &RunningEmulator,
    ak: &str,
    sk: &str,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: &[u8],
    extra: &[(&str, &str)],
    date: SystemTime,
) -> Resp {
    let query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut headers: Vec<(String, String)> = vec![
        (
            "Content-Type".into(),
            "application/json;charset=utf-8".into(),
        ),
        ("Host".into(), emu.local_addr().to_string()),
        ("X-Project-Id".into(), P.into()),
        ("X-Sdk-Date".into(), format_sdk_date(date)),
    ];
    for (k, v) in extra {
        headers.push((k.to_string(), v.to_string()));
    }
    let signed = sign(
        ak,
        sk.as_bytes(),
        &SigningInput {
            method,
            path,
            query: &query,
            headers: &headers,
            body,
        },
    )
    .expect("sign");
    let q = canonical_query(&query);
    let url = if q.is_empty() {
        format!("{}{}", emu.url(), path)
    } else {
        format!("{}{}?{}", emu.url(), path, q)
    };
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = client().request(m, url);
    for (k, v) in &headers {
        if !k.eq_ignore_ascii_case("host") {
            rb = rb.header(k.as_str(), v.as_str());
        }
    }
    rb = rb.header("Authorization", signed.authorization);
    if !body.is_empty() {
        rb = rb.body(body.to_vec());
    }
    read(rb.send().await.expect("send")).await
}

/// Releases package 23 (the documented example, startup mode 0) through the API and returns
/// its system task id; fails the test unless the answer is 200.
pub async fn release_23(emu: &RunningEmulator) -> String {
    let r = call(
        emu,
        "POST",
        &deploy_path(),
        Some(serde_json::json!({"package_ids": ["23"], "startup_mode": 0})),
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["deploy_package_details"][0]["asy_task_id"]
        .as_str()
        .expect("a task id in the deploy answer")
        .to_string()
}

pub fn deploy_path() -> String {
    format!("/v2/{P}/factory/release-packages/deploy")
}
pub fn list_path() -> String {
    format!("/v2/{P}/factory/release-packages")
}
pub fn show_path(id: &str) -> String {
    format!("/v2/{P}/factory/release-packages/{id}")
}
pub fn cancel_path() -> String {
    format!("/v2/{P}/factory/release-packages/unpack")
}
pub fn pending_path() -> String {
    format!("/v2/{P}/factory/pending-items")
}
pub fn package_path() -> String {
    format!("/v2/{P}/factory/pending-items/package")
}
pub fn task_path(id: &str) -> String {
    format!("/v1/{P}/system-tasks/{id}")
}
