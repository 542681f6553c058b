//! The admin API (`/_emulator/...`) answers only local callers that name the emulator's own
//! address, never a web page of another site, and, with an admin token, only its holders.
//! Requests are written by hand so that every header (`Host` included) is exactly the test's.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{builder, start};
use dataarts_emulator::RunningEmulator;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every route the admin module serves, with a body it accepts (`{id}` segments as `23`);
/// [`routes_match_the_admin_module`] keeps the list complete.
const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/_emulator/health", ""),
    ("GET", "/_emulator/journal", ""),
    ("GET", "/_emulator/journal/stats", ""),
    ("GET", "/_emulator/faults", ""),
    ("PUT", "/_emulator/faults", "{}"),
    ("GET", "/_emulator/rate-limits", ""),
    (
        "PUT",
        "/_emulator/rate-limits",
        r#"{"per_user": null, "per_api": null}"#,
    ),
    ("GET", "/_emulator/paging", ""),
    ("PUT", "/_emulator/paging", r#"{"offset_unit": "rows"}"#),
    ("GET", "/_emulator/system-task-times", ""),
    (
        "PUT",
        "/_emulator/system-task-times",
        r#"{"format": "number"}"#,
    ),
    ("POST", "/_emulator/tasks/advance", ""),
    ("POST", "/_emulator/tasks/complete", ""),
    ("POST", "/_emulator/clock/advance", r#"{"by": "1s"}"#),
    ("POST", "/_emulator/reset", ""),
    ("GET", "/_emulator/releases", ""),
    ("POST", "/_emulator/packages/23/fail", ""),
];

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.head, self.body))
    }
    fn code(&self) -> String {
        self.json()["error_code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    fn message(&self) -> String {
        self.json()["error_msg"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Sends `request` as is (it must ask for `Connection: close`) and reads the whole answer.
async fn raw(addr: SocketAddr, request: &str) -> Answer {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .expect("an answer within 5 s")
        .expect("read");
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// An HTTP/1.1 request with these headers (`Host` only if given) and body.
fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut r = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        r.push_str("Content-Type: application/json\r\n");
    }
    r.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    r
}

fn host(emu: &RunningEmulator) -> String {
    emu.local_addr().to_string()
}

async fn reset(emu: &RunningEmulator, headers: &[(&str, &str)]) -> Answer {
    raw(
        emu.local_addr(),
        &request("POST", "/_emulator/reset", headers, ""),
    )
    .await
}

/// Releases package 23 through the API, so that a reset would be visible.
async fn release_23_once(emu: &RunningEmulator) {
    common::release_23(emu).await;
    assert_eq!(emu.release_count("23"), 1);
}

#[tokio::test]
async fn a_foreign_host_cannot_reset_and_the_state_stays() {
    let emu = start().await;
    release_23_once(&emu).await;
    let journal = emu.journal().len();
    assert!(journal > 0);

    let r = reset(&emu, &[("Host", "attacker.example")]).await;
    assert_eq!(r.status, 403, "{} {}", r.head, r.body);
    assert_eq!(r.code(), "EMU.0403");
    let port = emu.local_addr().port();
    assert!(
        r.message().contains("attacker.example")
            && r.message().contains(&format!("http://127.0.0.1:{port}")),
        "{}",
        r.message()
    );
    assert!(r.head.to_ascii_lowercase().contains("x-request-id:"));
    assert_eq!(
        emu.release_count("23"),
        1,
        "the refused reset changed nothing"
    );
    assert_eq!(emu.journal().len(), journal);

    // The same host with another port, and a rebinding name that resolves here, too.
    for h in [
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("localhost.attacker.example:{port}"),
        "127.0.0.1".to_string(),
    ] {
        assert_eq!(reset(&emu, &[("Host", &h)]).await.status, 403, "{h}");
    }
    // The absolute form names the target host too.
    let absolute = request(
        "POST",
        "http://attacker.example/_emulator/reset",
        &[("Host", &host(&emu))],
        "",
    );
    assert_eq!(raw(emu.local_addr(), &absolute).await.status, 403);
    assert_eq!(emu.release_count("23"), 1);

    let ok = reset(&emu, &[("Host", &host(&emu))]).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(emu.release_count("23"), 0, "the local reset happened");
}

#[tokio::test]
async fn local_names_and_origins_are_accepted_cross_site_ones_refused() {
    let emu = start().await;
    let port = emu.local_addr().port();
    let h = host(&emu);
    let accepted: Vec<Vec<(&str, String)>> = vec![
        vec![("Host", h.clone())],
        vec![("Host", format!("localhost:{port}"))],
        vec![("Host", format!("LocalHost:{port}"))],
        vec![("Host", format!("[::1]:{port}"))],
        vec![
            ("Host", h.clone()),
            ("Origin", format!("http://127.0.0.1:{port}")),
        ],
        vec![
            ("Host", h.clone()),
            ("Origin", format!("http://localhost:{port}")),
        ],
        vec![
            ("Host", h.clone()),
            ("Sec-Fetch-Site", "same-origin".into()),
        ],
        vec![("Host", h.clone()), ("Sec-Fetch-Site", "none".into())],
    ];
    for headers in &accepted {
        let hs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = reset(&emu, &hs).await;
        assert_eq!(r.status, 200, "{headers:?}: {}", r.body);
    }
    let refused: Vec<(&str, String)> = vec![
        ("Origin", "https://attacker.example".into()),
        ("Origin", "http://attacker.example".into()),
        ("Origin", "null".into()),
        ("Origin", format!("https://127.0.0.1:{port}")),
        (
            "Origin",
            format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        ),
        ("Sec-Fetch-Site", "cross-site".into()),
        ("Sec-Fetch-Site", "same-site".into()),
        // What an HTML form can post cross-site, with or without an Origin.
        ("Content-Type", "application/x-www-form-urlencoded".into()),
        ("Content-Type", "multipart/form-data; boundary=x".into()),
        ("Content-Type", "text/plain;charset=UTF-8".into()),
    ];
    for (k, v) in &refused {
        let r = reset(&emu, &[("Host", &h), (k, v)]).await;
        assert_eq!(r.status, 403, "{k}: {v}: {}", r.body);
        assert_eq!(r.code(), "EMU.0403");
        assert!(
            r.message().starts_with("admin request refused: "),
            "{}",
            r.message()
        );
    }
    // A form content type on a read is harmless (nothing changes).
    let get = request(
        "GET",
        "/_emulator/health",
        &[("Host", &h), ("Content-Type", "text/plain")],
        "",
    );
    assert_eq!(raw(emu.local_addr(), &get).await.status, 200);
}

#[tokio::test]
async fn host_is_required_for_http_1_1_only() {
    let emu = start().await;
    let r = reset(&emu, &[]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.message().contains("no Host header"), "{}", r.message());
    let two = reset(&emu, &[("Host", &host(&emu)), ("Host", "attacker.example")]).await;
    assert_eq!(two.status, 403, "{}", two.body);
    let http10 = "POST /_emulator/reset HTTP/1.0\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(raw(emu.local_addr(), http10).await.status, 200);
}

#[tokio::test]
async fn a_refused_request_is_answered_before_its_body_is_read() {
    let emu = start().await;
    let head = "PUT /_emulator/faults HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\
                Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{";
    let t = Instant::now();
    let r = raw(emu.local_addr(), head).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_admin_token_is_required_when_configured() {
    let emu = builder()
        .admin_token("s3cret-admin-token")
        .start()
        .await
        .unwrap();
    release_23_once(&emu).await;
    let h = host(&emu);
    for auth in [
        None,
        Some("Bearer wrong-admin-token"),
        Some("Bearer s3cret-admin-toke"),
        Some("Basic s3cret-admin-token"),
        Some("s3cret-admin-token"),
    ] {
        let mut headers = vec![("Host", h.as_str())];
        headers.extend(auth.map(|a| ("Authorization", a)));
        let r = reset(&emu, &headers).await;
        assert_eq!(r.status, 401, "{auth:?}: {}", r.body);
        assert_eq!(r.code(), "EMU.0401");
        assert!(r.message().contains("--admin-token"), "{}", r.message());
        assert!(!r.body.contains("s3cret"), "{}", r.body);
        assert!(
            r.head
                .to_ascii_lowercase()
                .contains("www-authenticate: bearer"),
            "{}",
            r.head
        );
        assert_eq!(emu.release_count("23"), 1, "{auth:?} reset the state");
    }
    // The token does not replace the Host check.
    let foreign = reset(
        &emu,
        &[
            ("Host", "attacker.example"),
            ("Authorization", "Bearer s3cret-admin-token"),
        ],
    )
    .await;
    assert_eq!(foreign.status, 403);
    let ok = reset(
        &emu,
        &[("Host", &h), ("Authorization", "bearer s3cret-admin-token")],
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(emu.release_count("23"), 0);
    // In process, no token is needed; the API itself does not want the admin token.
    release_23_once(&emu).await;
    emu.reset();
    assert_eq!(emu.release_count("23"), 0);
    assert!(!format!("{emu:?}").contains("s3cret"));
}

#[tokio::test]
async fn an_invalid_admin_token_is_a_configuration_error() {
    for bad in ["", "two words", "ä", "line\nbreak"] {
        let e = builder().admin_token(bad).start().await.unwrap_err();
        assert!(
            matches!(e, dataarts_emulator::EmulatorError::Config(_)),
            "{bad:?}: {e:?}"
        );
        assert!(e.to_string().contains("admin_token"), "{e}");
    }
    let debug = format!("{:?}", builder().admin_token("s3cret-admin-token"));
    assert!(!debug.contains("s3cret"), "{debug}");
}

#[tokio::test]
async fn every_admin_route_is_guarded() {
    let emu = builder().admin_token("tok-1").start().await.unwrap();
    let h = host(&emu);
    let addr = emu.local_addr();
    for (method, path, body) in ROUTES {
        let send = |headers: Vec<(&str, &str)>| {
            let req = request(method, path, &headers, body);
            async move { raw(addr, &req).await }
        };
        let foreign = send(vec![
            ("Host", "attacker.example"),
            ("Authorization", "Bearer tok-1"),
        ])
        .await;
        assert_eq!(foreign.status, 403, "{method} {path}: {}", foreign.body);
        let cross = send(vec![
            ("Host", &h),
            ("Origin", "https://attacker.example"),
            ("Authorization", "Bearer tok-1"),
        ])
        .await;
        assert_eq!(cross.status, 403, "{method} {path}: {}", cross.body);
        let no_token = send(vec![("Host", &h)]).await;
        assert_eq!(no_token.status, 401, "{method} {path}: {}", no_token.body);
        let ok = send(vec![("Host", &h), ("Authorization", "Bearer tok-1")]).await;
        assert_eq!(ok.status, 200, "{method} {path}: {}", ok.body);
    }
    // Unknown admin paths are refused before routing: nothing to probe.
    let probe = request(
        "GET",
        "/_emulator/nothing",
        &[("Host", "attacker.example")],
        "",
    );
    assert_eq!(raw(emu.local_addr(), &probe).await.status, 403);
}

/// The routes of the admin module's `match`, read from its source (`(&Method::GET, ["journal",
/// "stats"])`; a binding such as `id` stands for `23`).
#[test]
fn routes_match_the_admin_module() {
    let source = include_str!("../src/routes/admin.rs");
    let mut served: Vec<(String, String)> = source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("(&Method::"))
        .map(|arm| {
            let (method, rest) = arm.split_once(',').expect("method");
            let segs = &rest[rest.find('[').expect("[") + 1..rest.find(']').expect("]")];
            let path: Vec<&str> = segs
                .split(',')
                .map(|s| s.trim())
                .map(|s| {
                    s.strip_prefix('"')
                        .map_or("23", |q| q.trim_end_matches('"'))
                })
                .collect();
            (method.to_string(), format!("/_emulator/{}", path.join("/")))
        })
        .collect();
    served.sort();
    let mut listed: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    listed.sort();
    assert!(served.len() >= 14, "{served:?}");
    assert_eq!(listed, served, "ROUTES must list every admin route");
}
