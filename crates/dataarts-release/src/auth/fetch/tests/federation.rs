//! OIDC and IdP federation, and the token files they read.

use std::time::{Duration, Instant};

use dataarts_emulator::{
    FaultConfig, DEMO_IDP_ID, DEMO_ID_TOKEN, DEMO_OIDC_AGENCY_URN, DEMO_OIDC_PROVIDER_URN,
};
use secrecy::SecretString;

use super::super::stub::Stub;
use super::*;

// ---- OIDC federation ----

pub(super) fn oidc(token: IdToken) -> Dynamic {
    Dynamic::Oidc(OidcFederation::new(
        DEMO_OIDC_PROVIDER_URN,
        DEMO_OIDC_AGENCY_URN,
        token,
    ))
}

#[tokio::test]
async fn oidc_from_value_and_from_file() {
    let emu = emulator().await;
    let ctx = Ctx::all(&emu.url());
    let t = oidc(IdToken::Value(SecretString::from(DEMO_ID_TOKEN)))
        .fetch(&ctx.cx())
        .await
        .unwrap();
    assert_fresh(&t);
    let f = token_file(&format!("{DEMO_ID_TOKEN}\n"));
    let t = oidc(IdToken::File(f.path().into()))
        .fetch(&ctx.cx())
        .await
        .unwrap();
    assert_fresh(&t);
    assert_eq!(emu.journal_count("/v5/agencies/assume-with-oidc"), 2);
}

#[tokio::test]
async fn oidc_payload_as_the_sdk_sends_it() {
    let stub = Stub::start(|_, _| {
        (
            200,
            vec![],
            br#"{"credentials":{"access_key_id":"AK1","secret_access_key":"SK1","security_token":"ST1","expiration":"2099-01-01T00:00:00Z"}}"#.to_vec(),
        )
    })
    .await;
    let ctx = Ctx::all(stub.url.as_str());
    let plain = OidcFederation::new("urn-p", "urn-a", IdToken::Value("tok".to_string().into()));
    Dynamic::Oidc(plain).fetch(&ctx.cx()).await.unwrap();
    let full = OidcFederation::new("urn-p", "urn-a", IdToken::Value("tok".to_string().into()))
        .session_name("s1")
        .duration_seconds(900)
        .policy("{}")
        .policy_ids(["a", "b"]);
    Dynamic::Oidc(full).fetch(&ctx.cx()).await.unwrap();
    let seen = stub.seen();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/v5/agencies/assume-with-oidc");
    assert_eq!(
        seen[0].header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(
        seen[0].json(),
        serde_json::json!({"provider_urn":"urn-p","agency_urn":"urn-a",
            "agency_session_name":"oidc-sts-session","id_token":"tok","duration_seconds":3600})
    );
    assert_eq!(
        seen[1].json(),
        serde_json::json!({"provider_urn":"urn-p","agency_urn":"urn-a",
            "agency_session_name":"s1","id_token":"tok","duration_seconds":900,
            "policy":"{}","policy_ids":["a","b"]})
    );
}

#[tokio::test]
async fn oidc_refusals_quote_sts_without_the_token() {
    let emu = emulator().await;
    let ctx = Ctx::all(&emu.url());
    // A token STS does not accept.
    let e = oidc(IdToken::Value("wrong-id-token-value".to_string().into()))
        .fetch(&ctx.cx())
        .await
        .failed();
    let (p, pr, m) = problem(e, &["wrong-id-token-value"]);
    assert_eq!(
        (p, pr),
        (CredentialSource::OidcFederation, CredentialProblem::Refused)
    );
    assert!(m.contains("STS.0002"), "{m}");
    // The agency refused (fault).
    emu.set_faults(FaultConfig {
        sts_refuse_agency: 1.0,
        ..FaultConfig::default()
    });
    let e = oidc(IdToken::Value(DEMO_ID_TOKEN.to_string().into()))
        .fetch(&ctx.cx())
        .await
        .failed();
    let (_, pr, m) = problem(e, &[DEMO_ID_TOKEN]);
    assert_eq!(pr, CredentialProblem::Refused);
    assert!(
        m.contains("STS.0003") && m.contains("HUAWEICLOUD_OIDC_AGENCY_URN"),
        "{m}"
    );
}

// ---- IdP federation ----

pub(super) fn idp(id: &str, file: &std::path::Path) -> Dynamic {
    Dynamic::Idp(
        IdpFederation::new(id, file)
            .settings("HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE"),
    )
}

#[tokio::test]
async fn idp_two_steps_and_the_file_is_read_at_every_fetch() {
    let emu = emulator().await;
    let ctx = Ctx::all(&emu.url());
    let f = token_file(DEMO_ID_TOKEN);
    let source = idp(DEMO_IDP_ID, f.path());
    assert_fresh(&source.fetch(&ctx.cx()).await.unwrap());
    assert_eq!(emu.journal_count("/v3.0/OS-AUTH/id-token/tokens"), 1);
    assert_eq!(emu.journal_count("/v3.0/OS-CREDENTIAL/securitytokens"), 1);

    // The CI system rotates the file: a token IAM refuses...
    std::fs::write(f.path(), "rotated-but-refused-token").unwrap();
    let e = source.fetch(&ctx.cx()).await.failed();
    let (_, pr, m) = problem(e, &["rotated-but-refused-token"]);
    assert_eq!(pr, CredentialProblem::Refused);
    assert!(
        m.contains("HTTP 401") && m.contains("HUAWEICLOUD_SDK_ID_TOKEN_FILE"),
        "{m}"
    );
    // ...then a good one again.
    std::fs::write(f.path(), DEMO_ID_TOKEN).unwrap();
    assert_fresh(&source.fetch(&ctx.cx()).await.unwrap());
    assert_eq!(emu.journal_count("/v3.0/OS-AUTH/id-token/tokens"), 3);
    assert_eq!(emu.journal_count("/v3.0/OS-CREDENTIAL/securitytokens"), 2);
}

#[tokio::test]
async fn idp_unknown_and_refused_by_fault() {
    let emu = emulator().await;
    let ctx = Ctx::all(&emu.url());
    let f = token_file(DEMO_ID_TOKEN);
    let e = idp("no-such-idp", f.path()).fetch(&ctx.cx()).await.failed();
    let (p, pr, m) = problem(e, &[DEMO_ID_TOKEN]);
    assert_eq!(
        (p, pr),
        (CredentialSource::IdpFederation, CredentialProblem::Refused)
    );
    assert!(
        m.contains("HTTP 404") && m.contains("HUAWEICLOUD_SDK_IDP_ID"),
        "{m}"
    );

    emu.set_faults(FaultConfig {
        iam_refuse_id_token: 1.0,
        ..FaultConfig::default()
    });
    let e = idp(DEMO_IDP_ID, f.path()).fetch(&ctx.cx()).await.failed();
    let (_, pr, m) = problem(e, &[DEMO_ID_TOKEN]);
    assert_eq!(pr, CredentialProblem::Refused);
    assert!(m.contains("HTTP 401"), "{m}");
    assert_eq!(emu.journal_count("/v3.0/OS-CREDENTIAL/securitytokens"), 0);
}

#[tokio::test]
async fn idp_sends_what_the_sdk_sends_and_needs_the_subject_token() {
    let stub = Stub::start(|req, _| match req.path.as_str() {
        "/v3.0/OS-AUTH/id-token/tokens" => (
            201,
            vec![("X-Subject-Token", "unscoped-secret-token".into())],
            br#"{"token":{"expires_at":"2099-01-01T00:00:00.000000Z","methods":["mapped"]}}"#.to_vec(),
        ),
        _ => (
            201,
            vec![],
            br#"{"credential":{"access":"AK1","secret":"SK1","securitytoken":"ST1","expires_at":"2099-01-01T00:00:00.000000Z"}}"#.to_vec(),
        ),
    })
    .await;
    let ctx = Ctx::all(stub.url.as_str());
    let f = token_file("the-id-token");
    let t = idp("idp-1", f.path()).fetch(&ctx.cx()).await.unwrap();
    assert_eq!(t.ak, "AK1");
    let seen = stub.seen();
    assert_eq!(seen[0].header("x-idp-id"), Some("idp-1"));
    assert_eq!(
        seen[0].json(),
        serde_json::json!({"auth":{"id_token":{"id":"the-id-token"}}})
    );
    assert_eq!(seen[1].path, "/v3.0/OS-CREDENTIAL/securitytokens");
    assert_eq!(seen[1].header("x-auth-token"), None);
    assert_eq!(
        seen[1].json(),
        serde_json::json!({"auth":{"identity":{"methods":["token"],
            "token":{"id":"unscoped-secret-token","duration_seconds":21600}}}})
    );

    // Without X-Subject-Token: malformed, and the second step is never asked.
    let stub = Stub::start(|_, _| (201, vec![], br#"{"token":{}}"#.to_vec())).await;
    let ctx = Ctx::all(stub.url.as_str());
    let e = idp("idp-1", f.path()).fetch(&ctx.cx()).await.failed();
    let (_, pr, m) = problem(e, &["the-id-token"]);
    assert_eq!(pr, CredentialProblem::Malformed);
    assert!(m.contains("X-Subject-Token"), "{m}");
    assert_eq!(stub.seen().len(), 1);
}

#[tokio::test]
async fn token_files_that_cannot_be_used() {
    let ctx = Ctx::all(CLOSED);
    let dir = tempfile::tempdir().unwrap();
    let empty = token_file(" \n");
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (dir.path().join("missing"), "does not exist"),
        (empty.path().into(), "is empty"),
        (dir.path().into(), "a directory"),
        #[cfg(unix)]
        ("/dev/zero".into(), "a device"),
    ];
    for (path, expected) in cases {
        let e = idp(DEMO_IDP_ID, &path).fetch(&ctx.cx()).await.failed();
        let (p, pr, m) = problem(e, &[]);
        assert_eq!(
            (p, pr),
            (
                CredentialSource::IdpFederation,
                CredentialProblem::Unreadable
            )
        );
        assert!(m.contains(expected), "{m}");
        assert!(m.contains("HUAWEICLOUD_SDK_ID_TOKEN_FILE"), "{m}");
        assert!(m.contains(&path.display().to_string()), "{m}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = crate::auth::fetch::file::make_fifo(dir.path());
    let ctx = Ctx::all(CLOSED);
    let pod = Dynamic::Pod(PodIdentity::new(format!("{CLOSED}/creds"), &fifo));
    let started = Instant::now();
    let e = tokio::time::timeout(Duration::from_secs(5), pod.fetch(&ctx.cx()))
        .await
        .expect("reading a FIFO must not block")
        .failed();
    let (_, pr, m) = problem(e, &[]);
    assert_eq!(pr, CredentialProblem::Unreadable);
    assert!(m.contains("a FIFO"), "{m}");
    assert!(started.elapsed() < Duration::from_secs(1));
}
