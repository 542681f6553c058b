//! Requests the emulator refuses before any operation runs: oversized request targets and
//! headers, and requests the HTTP parser cannot read. Every one gets the JSON error shape
//! (`error_code`, `error_msg`, `request_id` equal to `X-Request-Id`). Raw sockets, 127.0.0.1.

mod common;

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A raw answer: status, lowercased head, body.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// Asserts the JSON gateway error shape and returns the body.
    fn json_error(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{self:?}");
        let v: Value =
            serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"));
        assert_eq!(v["error_code"], "APIGW.0201", "{v}");
        assert!(
            v["error_msg"].as_str().is_some_and(|m| !m.is_empty()),
            "{v}"
        );
        let id = self.header("x-request-id").expect("X-Request-Id");
        assert_eq!(v["request_id"], id.as_str(), "{v}");
        assert_eq!(id.len(), 32);
        v
    }
}

/// Sends `request` (while reading, so a server that answers early is heard) and reads the
/// answer until the server closes or the first answer is complete.
async fn exchange(addr: std::net::SocketAddr, request: Vec<u8>) -> Raw {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        // The server may answer and close before it has read everything: ignore write errors.
        let _ = wr.write_all(&request).await;
        let _ = wr.flush().await;
        wr
    });
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let read = async {
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            if complete(&got) {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("an answer within 10 s");
    drop(writer);
    parse(&got)
}

fn complete(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    bytes.len() >= end + 4 + len
}

fn parse(bytes: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer head in {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Raw {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn get(target: &str, extra_headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra_headers}\r\n").into_bytes()
}

const HEALTH: &str = "/_emulator/health";

fn list_path() -> String {
    format!("/v2/{}/factory/release-packages/23", common::P)
}

#[tokio::test]
async fn a_one_megabyte_header_gets_a_json_431() {
    let emu = common::start().await;
    let big = format!("X-Big: {}\r\n", "a".repeat(1_000_000));
    let r = exchange(emu.local_addr(), get(&list_path(), &big)).await;
    r.json_error(431);
    emu.shutdown().await;
}

#[tokio::test]
async fn headers_over_the_limit_get_a_json_431_from_our_code() {
    let emu = common::start().await;
    // 100 KB: over max_header_bytes (64 KiB), within the parser buffer (256 KiB).
    let big = format!("X-Big: {}\r\n", "a".repeat(100_000));
    for target in [list_path().as_str(), HEALTH, "/v3/projects"] {
        let r = exchange(emu.local_addr(), get(target, &big)).await;
        let v = r.json_error(431);
        assert!(v["error_msg"].as_str().unwrap().contains("65536"), "{v}");
    }
    // The journal holds none of them.
    assert!(emu.journal().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_seventy_kilobyte_uri_gets_a_json_414() {
    let emu = common::start().await;
    let target = format!("{}?q={}", list_path(), "a".repeat(70_000));
    let r = exchange(emu.local_addr(), get(&target, "")).await;
    r.json_error(414);
    emu.shutdown().await;
}

#[tokio::test]
async fn targets_over_the_limit_get_a_json_414_from_our_code() {
    let emu = common::start().await;
    for prefix in [list_path().as_str(), HEALTH, "/v3/projects"] {
        let target = format!("{prefix}?q={}", "a".repeat(20_000));
        let r = exchange(emu.local_addr(), get(&target, "")).await;
        let v = r.json_error(414);
        assert!(v["error_msg"].as_str().unwrap().contains("16384"), "{v}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_head_beyond_the_parser_buffer_or_with_too_many_fields_gets_a_json_431() {
    let emu = common::start().await;
    // 300 KB in many small headers: beyond the 256 KiB parser buffer.
    let many: String = (0..3000)
        .map(|i| format!("X-H{i}: {}\r\n", "b".repeat(90)))
        .collect();
    exchange(emu.local_addr(), get(HEALTH, &many))
        .await
        .json_error(431);
    // 101 header fields: over the parser's 100.
    let fields: String = (0..101).map(|i| format!("X-F{i}: v\r\n")).collect();
    exchange(emu.local_addr(), get(HEALTH, &fields))
        .await
        .json_error(431);
    emu.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_a_json_400() {
    let emu = common::start().await;
    let post = |headers: &str| {
        format!(
            "POST {} HTTP/1.1\r\nHost: x\r\n{headers}\r\n{{}}",
            list_path()
        )
        .into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("bad Content-Length", post("Content-Length: abc\r\n")),
        (
            "two different Content-Lengths",
            post("Content-Length: 2\r\nContent-Length: 3\r\n"),
        ),
        (
            "NUL in a header",
            post("X-A: a\0b\r\nContent-Length: 2\r\n"),
        ),
        (
            "unsupported Transfer-Encoding",
            post("Transfer-Encoding: gzip\r\n"),
        ),
        ("malformed request line", b"GET\r\n\r\n".to_vec()),
        (
            "space in the target",
            b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
    ];
    for (what, request) in cases {
        let r = exchange(emu.local_addr(), request).await;
        assert_eq!(r.status, 400, "{what}: {r:?}");
        r.json_error(400);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn requests_within_the_limits_still_work() {
    let emu = common::start().await;
    let headers = format!(
        "X-Auth-Token: {}\r\nX-Pad: {}\r\n",
        dataarts_emulator::DEMO_TOKEN,
        "p".repeat(60_000)
    );
    let target = format!("{}?limit=10&pad={}", list_path(), "q".repeat(15_000));
    let r = exchange(emu.local_addr(), get(&target, &headers)).await;
    assert_eq!(r.status, 200, "{r:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_malformed_chunked_body_gets_a_json_400_from_the_handler() {
    let emu = common::start().await;
    let request = format!(
        "POST /v2/{}/factory/release-packages/deploy HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n",
        common::P,
        dataarts_emulator::DEMO_TOKEN
    );
    let r = exchange(emu.local_addr(), request.into_bytes()).await;
    r.json_error(400);
    assert_eq!(emu.release_count("23"), 0);
    emu.shutdown().await;
}

/// What the HTTP layer still does itself: an HTTP/2 prior-knowledge preface is closed
/// without an answer (the emulator speaks HTTP/1.1 only).
#[tokio::test]
async fn an_http2_preface_is_closed_without_an_answer() {
    let emu = common::start().await;
    let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut got))
        .await
        .expect("closed within 5 s")
        .ok();
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    emu.shutdown().await;
}
