//! Helpers for the identity-service tests: requests without credentials, the temporary
//! credentials the answers carry, and the error shapes.

use std::time::SystemTime;

use dataarts_emulator::{
    RunningEmulator, DEMO_ID_TOKEN, DEMO_OIDC_AGENCY_URN, DEMO_OIDC_PROVIDER_URN,
};
use serde_json::{json, Value};

use super::{call_signed, client, read, show_path, Resp};

pub async fn send(
    emu: &RunningEmulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Resp {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = client().request(m, format!("{}{}", emu.url(), path));
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

/// Temporary credentials as the answers carry them.
#[derive(Debug)]
pub struct Temp {
    pub ak: String,
    pub sk: String,
    pub token: String,
    pub expires_at: String,
}

pub fn temp_from(v: &Value) -> Temp {
    let c = &v["credential"];
    Temp {
        ak: c["access"].as_str().unwrap().into(),
        sk: c["secret"].as_str().unwrap().into(),
        token: c["securitytoken"].as_str().unwrap().into(),
        expires_at: c["expires_at"].as_str().unwrap().into(),
    }
}

/// Seconds from now until an answer's `expires_at`.
pub fn secs_left(expires_at: &str) -> i64 {
    let t = humantime::parse_rfc3339(expires_at).expect("RFC 3339 with microseconds");
    match t.duration_since(SystemTime::now()) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

pub fn iam_error(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["error"]["code"], json!(status), "{}", r.text);
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(v["error"]["title"].is_string());
}

pub async fn metadata_token(emu: &RunningEmulator) -> String {
    let r = send(
        emu,
        "PUT",
        "/meta-data/latest/api/token",
        &[("X-Metadata-Token-Ttl-Seconds", "21600")],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!r.text.is_empty());
    r.text
}

pub async fn from_metadata(emu: &RunningEmulator) -> Temp {
    let token = metadata_token(emu).await;
    let r = send(
        emu,
        "GET",
        "/openstack/latest/securitykey",
        &[("X-Metadata-Token", &token)],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    temp_from(&r.json())
}

/// Releases package 23 signed with temporary credentials.
pub async fn show_with(emu: &RunningEmulator, t: &Temp, with_token: bool) -> Resp {
    let extra: Vec<(&str, &str)> = if with_token {
        vec![("X-Security-Token", t.token.as_str())]
    } else {
        vec![]
    };
    call_signed(
        emu,
        &t.ak,
        &t.sk,
        "GET",
        &show_path("23"),
        &[],
        b"",
        &extra,
        SystemTime::now(),
    )
    .await
}

pub async fn projects_with(emu: &RunningEmulator, t: &Temp, region: &str) -> Resp {
    call_signed(
        emu,
        &t.ak,
        &t.sk,
        "GET",
        "/v3/projects",
        &[("name", region)],
        b"",
        &[("X-Security-Token", t.token.as_str())],
        SystemTime::now(),
    )
    .await
}

pub async fn unscoped(emu: &RunningEmulator, idp: &str, id_token: &str) -> Resp {
    send(
        emu,
        "POST",
        "/v3.0/OS-AUTH/id-token/tokens",
        &[("X-Idp-Id", idp)],
        Some(json!({"auth": {"id_token": {"id": id_token}}})),
    )
    .await
}

pub async fn security_token(emu: &RunningEmulator, token: &str, duration: Value) -> Resp {
    send(
        emu,
        "POST",
        "/v3.0/OS-CREDENTIAL/securitytokens",
        &[],
        Some(json!({"auth": {"identity": {"methods": ["token"],
            "token": {"id": token, "duration_seconds": duration}}}})),
    )
    .await
}

pub async fn assume(emu: &RunningEmulator, body: Value) -> Resp {
    send(
        emu,
        "POST",
        "/v5/agencies/assume-with-oidc",
        &[],
        Some(body),
    )
    .await
}

pub fn oidc_body() -> Value {
    json!({
        "provider_urn": DEMO_OIDC_PROVIDER_URN,
        "agency_urn": DEMO_OIDC_AGENCY_URN,
        "agency_session_name": "ci-job-42",
        "id_token": DEMO_ID_TOKEN,
        "duration_seconds": 3600,
    })
}

pub fn sts_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.code(), code, "{}", r.text);
    assert!(r.json()["error_msg"].is_string());
    assert_eq!(r.json()["request_id"], json!(r.request_id()));
}
