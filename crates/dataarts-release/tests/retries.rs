//! Retry classification and per-attempt signing, against a scripted loopback server.
//!
//! Every test runs on tokio's paused clock: backoffs, `Retry-After` sleeps, slow answers and
//! attempt timeouts take no real time.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use dataarts_release::{Error, RetryPolicy};

const LIST_OK: &str = r#"{"total":0,"data":[]}"#;
const SHOW_AWAITING: &str = r#"{"release_package":{"package_id":"23","deploy_status":1,"delete_flag":0,"package_approvers":[]},"task_details":[]}"#;
const SHOW_RELEASING: &str = r#"{"release_package":{"package_id":"23","deploy_status":5,"delete_flag":0,"package_approvers":[]},"task_details":[]}"#;

#[tokio::test(start_paused = true)]
async fn every_attempt_is_signed_again_with_a_fresh_date() {
    let s = scripted(vec![
        json(503, r#"{"error_code":"X","error_msg":"busy"}"#),
        json(503, "{}"),
        json(200, LIST_OK),
    ])
    .await;
    let clock = SteppingClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645),
        Duration::from_secs(60),
    );
    let c = builder(&s.url)
        .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
        .clock(clock)
        .build()
        .unwrap();
    c.list_packages().send().await.unwrap();
    let reqs = s.all();
    assert_eq!(reqs.len(), 3);
    let dates: Vec<&str> = reqs
        .iter()
        .map(|r| r.header("x-sdk-date").unwrap())
        .collect();
    assert_eq!(
        dates,
        vec!["20240102T030405Z", "20240102T030505Z", "20240102T030605Z"]
    );
    let auths: std::collections::HashSet<&str> = reqs
        .iter()
        .map(|r| r.header("authorization").unwrap())
        .collect();
    assert_eq!(auths.len(), 3);
    for r in &reqs {
        assert!(r.header("api-version").is_none());
        assert_eq!(
            r.header("x-project-id"),
            Some("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
        );
        assert_eq!(r.header("host"), Some(s.url.trim_start_matches("http://")));
        // The signature verifies against exactly what went over the wire.
        let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
        let pairs = dataarts_signing::parse_raw_query(query);
        let auth =
            dataarts_signing::parse_authorization(r.header("authorization").unwrap()).unwrap();
        let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
        let input = dataarts_signing::SigningInput {
            method: &r.method,
            path,
            query: &pairs,
            headers: &r.headers,
            body: &r.body,
        };
        let again = dataarts_signing::sign_with_names(
            &auth.access,
            b"DemoSecretKeyOfTheDataArtsEmulator000001",
            &input,
            &names,
        )
        .unwrap();
        assert_eq!(again.signature, auth.signature);
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_on_writes() {
    let throttled = Reply::Http(
        429,
        vec![("Retry-After", "1".into()), ("X-Request-Id", "r429".into())],
        r#"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}"#
            .into(),
    );
    let s = scripted(vec![throttled, json(200, DEPLOY_OK)]).await;
    let c = scripted_client(&s);
    let started = tokio::time::Instant::now();
    let real = std::time::Instant::now();
    let d = c.deploy(["23"]).send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(
        real.elapsed() < Duration::from_millis(900),
        "{:?}",
        real.elapsed()
    );
    assert_eq!(
        d.packages[0].task_id.as_ref().unwrap().as_str(),
        "ff8080818c81c8ab018c8b43f85d0008"
    );
    assert_eq!(s.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_500_on_deploy_is_reconciled_not_blindly_retried() {
    // 500 → read back (still awaiting review) → re-send → success.
    let s = scripted(vec![
        json(500, r#"{"error_code":"X.500","error_msg":"boom"}"#),
        json(200, SHOW_AWAITING),
        json(200, DEPLOY_OK),
    ])
    .await;
    let c = scripted_client(&s);
    let d = c.deploy(["23"]).send().await.unwrap();
    assert!(d.reconciled);
    let seen: Vec<String> = s
        .all()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target.rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(seen, vec!["POST deploy", "GET 23", "POST deploy"]);

    // 500 → read back (releasing) → no re-send.
    let s = scripted(vec![json(500, "{}"), json(200, SHOW_RELEASING)]).await;
    let d = scripted_client(&s).deploy(["23"]).send().await.unwrap();
    assert!(d.reconciled && d.packages[0].task_id.is_none());
    assert_eq!(s.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_write_timeout_is_reconciled() {
    let s = scripted(vec![
        Reply::Slow(Duration::from_secs(3), Box::new(json(200, DEPLOY_OK))),
        json(200, SHOW_RELEASING),
    ])
    .await;
    let c = builder(&s.url)
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let d = c.deploy(["23"]).send().await.unwrap();
    assert!(d.reconciled);
    assert_eq!(s.all().iter().filter(|r| r.method == "POST").count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_write_timeout_without_reconciliation_is_a_timeout_error() {
    let s = scripted(vec![Reply::Slow(
        Duration::from_secs(3),
        Box::new(json(200, DEPLOY_OK)),
    )])
    .await;
    let c = builder(&s.url)
        .attempt_timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.deploy(["23"]).send().await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e}");
    assert!(e.to_string().contains("may or may not"), "{e}");
    assert_eq!(s.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn reads_retry_on_503_and_dropped_connections_but_not_500() {
    let s = scripted(vec![Reply::Drop, json(503, "{}"), json(200, SHOW_AWAITING)]).await;
    let c = scripted_client(&s);
    c.show_package("23").await.unwrap();
    assert_eq!(s.count(), 3);

    let s = scripted(vec![
        json(500, r#"{"error_code":"DLF.9999","error_msg":"internal"}"#),
        json(200, SHOW_AWAITING),
    ])
    .await;
    let e = scripted_client(&s).show_package("23").await.unwrap_err();
    assert_eq!(e.code(), Some("DLF.9999"));
    assert_eq!(e.request_id(), Some("rid-500"));
    assert_eq!(s.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn expired_signature_is_resigned_once() {
    let expired = json(
        401,
        r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: signature expired, signature time:20211217T064303Z, server time:20211217T065804Z","request_id":"body-rid"}"#,
    );
    let s = scripted(vec![expired.clone(), json(200, DEPLOY_OK)]).await;
    scripted_client(&s).deploy(["23"]).send().await.unwrap();
    assert_eq!(s.count(), 2);

    let s = scripted(vec![expired]).await;
    let e = scripted_client(&s).deploy(["23"]).send().await.unwrap_err();
    assert_eq!(s.count(), 2);
    assert!(matches!(e, Error::Auth(_)));
    assert!(e.to_string().contains("clock"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn error_shapes_and_request_ids() {
    for (body, code, msg) in [
        (
            r#"{"errorCode":"DLF.1","errorMsg":"camel"}"#,
            "DLF.1",
            "camel",
        ),
        (
            r#"{"error":{"code":"IAM.1","message":"nested"}}"#,
            "IAM.1",
            "nested",
        ),
        (r#"{"code":"C.1","message":"plain"}"#, "C.1", "plain"),
        ("not json at all", "400", "not json at all"),
    ] {
        let s = scripted(vec![Reply::Http(400, vec![], body.into())]).await;
        let e = scripted_client(&s).show_package("23").await.unwrap_err();
        assert_eq!(e.code(), Some(code), "{body}");
        assert_eq!(e.service().unwrap().message, msg);
        assert_eq!(e.request_id(), None);
    }
    let s = scripted(vec![Reply::Http(
        400,
        vec![],
        r#"{"error_code":"DLF.0810","error_msg":"Task does not exist.","request_id":"from-body"}"#
            .into(),
    )])
    .await;
    let e = scripted_client(&s).show_package("23").await.unwrap_err();
    assert_eq!(e.request_id(), Some("from-body"));
    assert!(e.is_not_found());
}

#[tokio::test(start_paused = true)]
async fn redirects_are_errors_and_decode_errors_are_readable() {
    let s = scripted(vec![Reply::Http(
        302,
        vec![("Location", "http://127.0.0.1:1/".into())],
        String::new(),
    )])
    .await;
    let e = scripted_client(&s).show_package("23").await.unwrap_err();
    assert_eq!(e.status(), Some(302));
    assert_eq!(s.count(), 1);

    let s = scripted(vec![json(200, r#"{"release_package": 5}"#)]).await;
    let c = builder(&s.url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.show_package("23").await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e}");
    assert!(e.to_string().contains("release_package"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn connect_errors_are_transport_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let c = builder(&url)
        .retry_policy(fast_retries().max_attempts(2))
        .build()
        .unwrap();
    let e = c.deploy(["23"]).send().await.unwrap_err();
    assert!(matches!(e, Error::Transport { connect: true, .. }), "{e:?}");
    assert!(!e.is_ambiguous());
    assert!(e.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn partial_release_names_what_was_released() {
    let show = |id: &str, status: u8| {
        json(
            200,
            &format!(
                r#"{{"release_package":{{"package_id":"{id}","deploy_status":{status},"delete_flag":0,"package_approvers":[]}},"task_details":[]}}"#
            ),
        )
    };
    let package = |id: &str, status: u8| {
        format!(
            r#"{{"package_id":"{id}","deploy_status":{status},"delete_flag":0,"package_approvers":[]}}"#
        )
    };
    // 500 → one list page: 12 is releasing, 23 still awaiting → re-send 23 → refused → 23
    // read again: released meanwhile (by someone else), so it is not re-sent.
    let s = scripted(vec![
        json(500, "{}"),
        json(
            200,
            &format!(
                r#"{{"total":2,"data":[{},{}]}}"#,
                package("12", 5),
                package("23", 1)
            ),
        ),
        json(
            400,
            r#"{"error_code":"EMU.0003","error_msg":"package 23 is not awaiting review"}"#,
        ),
        show("23", 2),
    ])
    .await;
    let e = scripted_client(&s)
        .deploy(["12", "23"])
        .send()
        .await
        .unwrap_err();
    match &e {
        Error::PartialRelease { released, source } => {
            assert_eq!(released.len(), 1);
            assert_eq!(released[0], "12");
            assert!(source.is_package_state(), "{source}");
            assert_eq!(
                dataarts_release::PackageCondition::of_error(source),
                Some(dataarts_release::PackageCondition::AlreadyReleased)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("12"), "{e}");
    let posts: Vec<String> = s
        .all()
        .iter()
        .filter(|r| r.method == "POST" && r.target.ends_with("/deploy"))
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(posts[1].contains(r#"["23"]"#), "only 23 re-sent: {posts:?}");
    assert_eq!(s.count(), 4, "two sends, one list page, one read of 23");
}

#[tokio::test(start_paused = true)]
async fn retries_stop_before_the_total_deadline_on_tokio_time() {
    let busy = Reply::Http(
        503,
        vec![("Retry-After", "3".into())],
        r#"{"error_code":"X","error_msg":"busy"}"#.into(),
    );
    let s = scripted(vec![busy]).await;
    let c = builder(&s.url)
        .retry_policy(
            fast_retries()
                .max_attempts(10)
                .max_retry_after(Duration::from_secs(30)),
        )
        .total_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let real = std::time::Instant::now();
    let e = c.show_package("23").await.unwrap_err();
    assert_eq!(e.status(), Some(503), "{e}");
    // Attempts at 0, 3, 6 and 9 s; a fifth at 12 s would pass the 10 s deadline.
    assert_eq!(s.count(), 4);
    assert_eq!(started.elapsed(), Duration::from_secs(9));
    assert!(
        real.elapsed() < Duration::from_secs(3),
        "{:?}",
        real.elapsed()
    );
}
