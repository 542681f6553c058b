//! The `dataarts-emulator` binary's stderr and exit codes: colour only on a terminal or with
//! `--color always`, no signed header value in a debug log, 2 for bad flags or fixtures, 6 when
//! the port cannot be bound.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use dataarts_emulator::{DEMO_AK, DEMO_PROJECT_ID};
use dataarts_signing::{format_sdk_date, sign, SigningInput};

const ESC: u8 = 0x1b;
const COOKIE: &str = "session=secret-cookie-value";

/// Starts the binary with stderr going to `log` (a file, as in CI), returns it and its URL.
fn spawn(args: &[&str], log: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dataarts-emulator"))
        .args(args)
        .env("RUST_LOG", "debug")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(File::create(log).expect("log file"))
        .spawn()
        .expect("spawn dataarts-emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("dataarts-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, url)
}

/// A request signed with the demo AK and a wrong secret key, the cookie among the signed
/// headers: the gateway logs a signature mismatch at debug level.
async fn send_badly_signed(url: &str) -> u16 {
    let host = url.trim_start_matches("http://").to_string();
    let path = format!("/v2/{DEMO_PROJECT_ID}/factory/release-packages/23");
    let headers: Vec<(String, String)> = vec![
        ("Host".into(), host),
        ("Cookie".into(), COOKIE.into()),
        ("X-Sdk-Date".into(), format_sdk_date(SystemTime::now())),
    ];
    let signed = sign(
        DEMO_AK,
        b"not-the-demo-secret-key",
        &SigningInput {
            method: "GET",
            path: &path,
            query: &[],
            headers: &headers,
            body: b"",
        },
    )
    .expect("sign");
    let mut rb = reqwest::Client::new().get(format!("{url}{path}"));
    for (k, v) in headers.iter().filter(|(k, _)| k != "Host") {
        rb = rb.header(k.as_str(), v.as_str());
    }
    let r = rb
        .header("Authorization", signed.authorization)
        .send()
        .await
        .expect("send");
    r.status().as_u16()
}

/// Waits (at most 5 s) until the log holds `needle`, then stops the emulator.
fn log_once_it_has(mut child: Child, log: &Path, needle: &str) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut text = Vec::new();
    while Instant::now() < deadline {
        text = std::fs::read(log).unwrap();
        if String::from_utf8_lossy(&text).contains(needle) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    text
}

#[tokio::test]
async fn a_redirected_log_has_no_colour_and_no_signed_header_value() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let (child, url) = spawn(&["--demo"], &log);
    assert_eq!(send_badly_signed(&url).await, 401);
    let bytes = log_once_it_has(child, &log, "signature mismatch");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("signature mismatch"), "{text}");
    assert!(
        !bytes.contains(&ESC),
        "colour codes in a redirected log: {text:?}"
    );
    assert!(!text.contains("secret-cookie-value"), "{text}");
    // The names are there, to compare with the client's canonical request.
    assert!(text.contains("cookie:<redacted>"), "{text}");
    assert!(text.contains("cookie;host;x-sdk-date"), "{text}");
}

#[tokio::test]
async fn colour_when_asked_never_with_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("always.log");
    let (child, url) = spawn(&["--demo", "--color", "always"], &log);
    send_badly_signed(&url).await;
    let bytes = log_once_it_has(child, &log, "signature mismatch");
    assert!(bytes.contains(&ESC), "{}", String::from_utf8_lossy(&bytes));
    assert!(!String::from_utf8_lossy(&bytes).contains("secret-cookie-value"));

    let log = dir.path().join("never.log");
    let (child, url) = spawn(&["--demo", "--color", "never"], &log);
    send_badly_signed(&url).await;
    let bytes = log_once_it_has(child, &log, "signature mismatch");
    assert!(!bytes.contains(&ESC));
}

fn exit_code(args: &[&str], envs: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dataarts-emulator"));
    cmd.args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env_remove("DATAARTS_EMULATOR_ADMIN_TOKEN");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_flags_and_fixtures_exit_2_a_taken_port_exits_6() {
    let (code, err) = exit_code(&["--fixtures", "/nonexistent/fixtures.json"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("/nonexistent/fixtures.json"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    let (code, err) = exit_code(&["--fixtures", bad.to_str().unwrap()], &[]);
    assert_eq!(code, Some(2), "{err}");

    let (code, err) = exit_code(&["--admin-token", "two words"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(!err.contains("two words"), "the token is a secret: {err}");
    let (code, err) = exit_code(&[], &[("DATAARTS_EMULATOR_ADMIN_TOKEN", "tab\there")]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = exit_code(&["--color", "sometimes"], &[]);
    assert_eq!(code, Some(2), "{err}");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, err) = exit_code(&["--port", &port], &[]);
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains(&port), "{err}");
}

#[tokio::test]
async fn refused_admin_requests_cannot_flood_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("refused.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dataarts-emulator"))
        .args(["--demo"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    let client = reqwest::Client::new();
    for _ in 0..300 {
        let r = client
            .post(format!("{url}/_emulator/reset"))
            .header("Origin", "https://attacker.example")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
    }
    let text =
        String::from_utf8_lossy(&log_once_it_has(child, &log, "refused_so_far=256")).into_owned();
    let warned = text.matches("admin request refused").count();
    // The first 10, then 16, 32, 64, 128, 256.
    assert_eq!(warned, 15, "{text}");
    assert!(text.contains("attacker.example"), "{text}");
}
