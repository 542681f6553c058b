//! Faults of the identity services (metadata 500 and delay, IAM refusing an id token, STS
//! refusing an agency), their admin names, the identity clock's admin endpoint, and secrets:
//! none of the identity secrets reaches the journal, the logs or Debug output.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::identity::{oidc_body, send};
use common::*;
use dataarts_emulator::{FaultConfig, FaultKind, DEMO_IDP_ID, DEMO_ID_TOKEN, DEMO_POD_TOKEN};
use serde_json::{json, Value};

const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const KEY_PATH: &str = "/openstack/latest/securitykey";
const TTL: (&str, &str) = ("X-Metadata-Token-Ttl-Seconds", "21600");

fn idp_body() -> Value {
    json!({"auth": {"id_token": {"id": DEMO_ID_TOKEN}}})
}

#[tokio::test]
async fn metadata_error() {
    let emu = builder()
        .faults(FaultConfig {
            metadata_error: 1.0,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    let r = send(&emu, "PUT", TOKEN_PATH, &[TTL], None).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["error"]["code"], json!(500));
    let r = send(&emu, "GET", KEY_PATH, &[("X-Metadata-Token", "x")], None).await;
    assert_eq!(r.status, 500);
    let e = emu.journal().pop().unwrap();
    assert_eq!((e.status, e.fault), (500, Some(FaultKind::MetadataError)));
    // Only the metadata service is affected.
    let r = send(
        &emu,
        "POST",
        "/pod-identity/v1/credentials",
        &[("Authorization", DEMO_POD_TOKEN)],
        Some(json!({})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        200
    );
    emu.set_faults(FaultConfig::default());
    assert_eq!(
        send(&emu, "PUT", TOKEN_PATH, &[TTL], None).await.status,
        200
    );
}

#[tokio::test]
async fn metadata_delay_outlasts_a_client_timeout() {
    let emu = builder()
        .faults(FaultConfig {
            metadata_delay: Some(Duration::from_secs(30)),
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    let res = client()
        .put(format!("{}{TOKEN_PATH}", emu.url()))
        .header(TTL.0, TTL.1)
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(res.unwrap_err().is_timeout());
    // The rest of the emulator answers meanwhile.
    assert_eq!(
        call(&emu, "GET", &show_path("23"), None, &[]).await.status,
        200
    );
}

#[tokio::test(start_paused = true)]
async fn metadata_delay_then_answer() {
    let emu = builder()
        .faults(FaultConfig {
            metadata_delay: Some(Duration::from_secs(5)),
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    // The paused clock auto-advances through the delay: the answer comes, marked delayed.
    let r = send(&emu, "PUT", TOKEN_PATH, &[TTL], None).await;
    assert_eq!(r.status, 200);
    let e = emu.journal().pop().unwrap();
    assert_eq!(e.fault, Some(FaultKind::MetadataDelay));
}

#[tokio::test]
async fn metadata_without_session_tokens() {
    let emu = builder()
        .faults(FaultConfig {
            metadata_without_token: true,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    let r = send(&emu, "PUT", TOKEN_PATH, &[TTL], None).await;
    assert_eq!(r.status, 404);
    let r = send(&emu, "GET", KEY_PATH, &[], None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["credential"]["securitytoken"].is_string());
}

#[tokio::test]
async fn malformed_identity_answers() {
    let emu = builder()
        .faults(FaultConfig {
            identity_malformed: 1.0,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    // The metadata token is text: unchanged.
    let token = send(&emu, "PUT", TOKEN_PATH, &[TTL], None).await.text;
    let r = send(&emu, "GET", KEY_PATH, &[("X-Metadata-Token", &token)], None).await;
    assert_eq!(r.status, 200);
    assert!(
        serde_json::from_str::<Value>(&r.text).is_err(),
        "{}",
        r.text
    );
    assert!(r.text.starts_with("{\"credential\""));
    let e = emu.journal().pop().unwrap();
    assert_eq!(e.fault, Some(FaultKind::IdentityMalformed));
    let r = send(
        &emu,
        "POST",
        "/v5/agencies/assume-with-oidc",
        &[],
        Some(oidc_body()),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
    // Error answers stay whole.
    let r = send(&emu, "GET", KEY_PATH, &[], None).await;
    assert_eq!(r.json()["error"]["code"], json!(401));
}

#[tokio::test]
async fn iam_refuses_the_id_token() {
    let emu = builder()
        .faults(FaultConfig {
            iam_refuse_id_token: 1.0,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    let path = "/v3.0/OS-AUTH/id-token/tokens";
    let h = [("X-Idp-Id", DEMO_IDP_ID)];
    let r = send(&emu, "POST", path, &h, Some(idp_body())).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["title"], json!("Unauthorized"));
    let e = emu.journal().pop().unwrap();
    assert_eq!(e.fault, Some(FaultKind::IamRefuseIdToken));
    emu.set_faults(FaultConfig::default());
    assert_eq!(
        send(&emu, "POST", path, &h, Some(idp_body())).await.status,
        201
    );
}

#[tokio::test]
async fn sts_refuses_the_agency_set_through_the_admin_api() {
    let emu = start().await;
    let put = client()
        .put(format!("{}/_emulator/faults", emu.url()))
        .body(r#"{"sts_refuse_agency": 1, "metadata_delay": "2s"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let cfg: Value = put.json().await.unwrap();
    assert_eq!(cfg["sts_refuse_agency"], json!(1.0));
    assert_eq!(cfg["metadata_delay"], json!("2s"));
    let path = "/v5/agencies/assume-with-oidc";
    let r = send(&emu, "POST", path, &[], Some(oidc_body())).await;
    assert_eq!((r.status, r.code()), (403, "STS.0003".to_string()));
    let e = emu.journal().pop().unwrap();
    assert_eq!(
        (e.fault, e.error_code.as_deref()),
        (Some(FaultKind::StsRefuseAgency), Some("STS.0003"))
    );
    let bad = client()
        .put(format!("{}/_emulator/faults", emu.url()))
        .body(r#"{"iam_refuse_id_token": 2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn the_identity_clock_through_the_admin_api() {
    let emu = start().await;
    let token = send(
        &emu,
        "PUT",
        TOKEN_PATH,
        &[("X-Metadata-Token-Ttl-Seconds", "10")],
        None,
    )
    .await
    .text;
    let h = [("X-Metadata-Token", token.as_str())];
    assert_eq!(send(&emu, "GET", KEY_PATH, &h, None).await.status, 200);
    let adv = client()
        .post(format!("{}/_emulator/clock/advance", emu.url()))
        .body(r#"{"by": "11s"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(adv.status().as_u16(), 200);
    assert_eq!(send(&emu, "GET", KEY_PATH, &h, None).await.status, 401);
    let bad = client()
        .post(format!("{}/_emulator/clock/advance", emu.url()))
        .body(r#"{"by": "soon"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

/// A log sink for the test's thread.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn identity_secrets_stay_out_of_journal_logs_and_debug() {
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let emu = start().await;
    let mut secrets: Vec<String> = vec![DEMO_ID_TOKEN.into(), DEMO_POD_TOKEN.into()];
    // Metadata.
    let md = send(&emu, "PUT", TOKEN_PATH, &[TTL], None).await.text;
    let v = send(&emu, "GET", KEY_PATH, &[("X-Metadata-Token", &md)], None)
        .await
        .json();
    secrets.push(md);
    let c = &v["credential"];
    let (ak, sk, st) = (
        c["access"].as_str().unwrap().to_string(),
        c["secret"].as_str().unwrap().to_string(),
        c["securitytoken"].as_str().unwrap().to_string(),
    );
    // A wrong signature with the security token: the debug log shows the canonical request.
    let r = call_signed(
        &emu,
        &ak,
        "wrong-secret",
        "GET",
        &show_path("23"),
        &[],
        b"",
        &[("X-Security-Token", st.as_str())],
        SystemTime::now(),
    )
    .await;
    assert_eq!(r.status, 401);
    secrets.extend([sk, st]);
    // IdP federation and security tokens.
    let r = send(
        &emu,
        "POST",
        "/v3.0/OS-AUTH/id-token/tokens",
        &[("X-Idp-Id", DEMO_IDP_ID)],
        Some(idp_body()),
    )
    .await;
    let unscoped = r.headers["x-subject-token"].to_str().unwrap().to_string();
    let body = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": unscoped}}}});
    let v = send(
        &emu,
        "POST",
        "/v3.0/OS-CREDENTIAL/securitytokens",
        &[],
        Some(body),
    )
    .await
    .json();
    secrets.push(unscoped);
    secrets.push(v["credential"]["secret"].as_str().unwrap().into());
    secrets.push(v["credential"]["securitytoken"].as_str().unwrap().into());
    // OIDC.
    let v = send(
        &emu,
        "POST",
        "/v5/agencies/assume-with-oidc",
        &[],
        Some(oidc_body()),
    )
    .await
    .json();
    secrets.push(
        v["credentials"]["secret_access_key"]
            .as_str()
            .unwrap()
            .into(),
    );
    secrets.push(v["credentials"]["security_token"].as_str().unwrap().into());
    // Pod identity with a wrong token (a secret-looking value).
    let wrong_pod = "pod-token-that-must-not-leak";
    send(
        &emu,
        "POST",
        "/pod-identity/v1/credentials",
        &[("Authorization", wrong_pod)],
        Some(json!({})),
    )
    .await;
    secrets.push(wrong_pod.into());
    let journal = client()
        .get(format!("{}/_emulator/journal", emu.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(journal.contains("/v3.0/OS-CREDENTIAL/securitytokens"));
    let debug = format!("{emu:?} {:?} {:?}", emu.journal(), builder());
    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signature mismatch"),
        "the debug log was captured: {logs}"
    );
    for s in &secrets {
        assert!(!journal.contains(s.as_str()), "journal leaks {s}");
        assert!(!debug.contains(s.as_str()), "Debug leaks {s}");
        assert!(!logs.contains(s.as_str()), "logs leak {s}");
    }
}
