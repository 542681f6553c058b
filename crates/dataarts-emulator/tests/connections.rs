//! The emulator's connection limits on real sockets (127.0.0.1): slow and idle clients are
//! disconnected, hundreds of idle sockets do not keep new clients out, the connection cap
//! makes extra clients wait, and a client that half-closes still gets its answer.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dataarts_emulator::{ConnectionLimits, FaultConfig, RunningEmulator, DEMO_TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn health(addr: SocketAddr) -> Vec<u8> {
    format!("GET /_emulator/health HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes()
}

fn limits(header_read: Duration, idle: Duration, max_connections: usize) -> ConnectionLimits {
    let mut l = ConnectionLimits::default();
    l.header_read_timeout = header_read;
    l.idle_timeout = idle;
    l.max_connections = max_connections;
    l
}

async fn start(l: ConnectionLimits) -> RunningEmulator {
    common::builder()
        .connection_limits(l)
        .start()
        .await
        .expect("start")
}

/// Waits until the server closes `s` (EOF or reset), at most `within`; returns the wait.
async fn closed_within(s: &mut TcpStream, within: Duration) -> Duration {
    let t = Instant::now();
    let mut buf = [0u8; 1024];
    let r = tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(r.is_ok(), "still open after {within:?}");
    t.elapsed()
}

/// Reads one answer (head and Content-Length body) from `s`.
async fn answer(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                return String::from_utf8_lossy(&got).into_owned();
            }
        }
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&got).into_owned(),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

async fn served_within(addr: SocketAddr, within: Duration) -> Duration {
    let t = Instant::now();
    let r = tokio::time::timeout(within, async {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(&health(addr)).await.expect("write");
        answer(&mut s).await
    })
    .await
    .unwrap_or_else(|_| panic!("not served within {within:?}"));
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    t.elapsed()
}

async fn wait_for_open(emu: &RunningEmulator, n: usize) {
    let t = Instant::now();
    while emu.open_connections() != n {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "open connections: {} (want {n})",
            emu.open_connections()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_half_sent_head_is_cut_after_the_header_read_timeout() {
    let emu = start(limits(
        Duration::from_millis(300),
        Duration::from_secs(30),
        512,
    ))
    .await;
    let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
    s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let waited = closed_within(&mut s, Duration::from_secs(5)).await;
    assert!(waited >= Duration::from_millis(250), "{waited:?}");

    // A client trickling one byte every 50 ms never lets the idle timeout fire, but the
    // head still has to be complete within the header-read timeout.
    let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
    let t = Instant::now();
    let trickle = async {
        for b in b"GET /_emulator/health HTTP/1.1\r\nX-Slow: ".iter().cycle() {
            if s.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), trickle)
        .await
        .expect("the trickling client is cut within 5 s");
    assert!(t.elapsed() >= Duration::from_millis(250));
    wait_for_open(&emu, 0).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn idle_connections_are_closed_after_the_idle_timeout() {
    let emu = start(limits(
        Duration::from_secs(30),
        Duration::from_millis(300),
        512,
    ))
    .await;
    // Connected, nothing sent.
    let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
    let waited = closed_within(&mut s, Duration::from_secs(5)).await;
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    // Keep-alive, idle after an answer.
    let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
    s.write_all(&health(emu.local_addr())).await.unwrap();
    assert!(answer(&mut s).await.starts_with("HTTP/1.1 200"));
    let waited = closed_within(&mut s, Duration::from_secs(5)).await;
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    // Half a body, then silence.
    let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
    let head = format!(
        "POST /v2/{}/factory/release-packages/deploy HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {DEMO_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"package_ids\":",
        common::P
    );
    s.write_all(head.as_bytes()).await.unwrap();
    closed_within(&mut s, Duration::from_secs(5)).await;
    wait_for_open(&emu, 0).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn the_idle_wait_between_requests_is_not_cut_by_the_header_read_timeout() {
    let emu = start(limits(
        Duration::from_millis(200),
        Duration::from_secs(30),
        512,
    ))
    .await;
    let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
    for _ in 0..2 {
        // Idle for three header-read timeouts, then a prompt request on the same connection.
        tokio::time::sleep(Duration::from_millis(600)).await;
        s.write_all(&health(emu.local_addr())).await.unwrap();
        let a = tokio::time::timeout(Duration::from_secs(5), answer(&mut s))
            .await
            .unwrap();
        assert!(a.starts_with("HTTP/1.1 200"), "{a:?}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn new_clients_are_served_while_hundreds_of_idle_sockets_are_open() {
    let emu = start(limits(
        Duration::from_secs(30),
        Duration::from_secs(30),
        512,
    ))
    .await;
    let mut held = Vec::new();
    for i in 0..300 {
        let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: ")
                .await
                .unwrap();
        }
        held.push(s);
    }
    wait_for_open(&emu, 300).await;
    for _ in 0..5 {
        served_within(emu.local_addr(), Duration::from_secs(5)).await;
    }
    drop(held);
    wait_for_open(&emu, 0).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn at_the_connection_cap_a_new_client_waits_until_one_closes() {
    let emu = start(limits(Duration::from_secs(30), Duration::from_secs(30), 3)).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(emu.local_addr()).await.unwrap());
    }
    wait_for_open(&emu, 3).await;
    // The fourth connects (listen backlog) and sends, but is not answered yet.
    let mut fourth = TcpStream::connect(emu.local_addr()).await.unwrap();
    fourth.write_all(&health(emu.local_addr())).await.unwrap();
    let early = tokio::time::timeout(Duration::from_millis(500), answer(&mut fourth)).await;
    assert!(early.is_err(), "answered over the cap: {early:?}");
    assert_eq!(emu.open_connections(), 3);
    // One closes: the fourth is accepted and answered.
    drop(held.pop());
    let a = tokio::time::timeout(Duration::from_secs(5), answer(&mut fourth))
        .await
        .expect("answered once a connection closed");
    assert!(a.starts_with("HTTP/1.1 200"), "{a:?}");
    assert_eq!(emu.open_connections(), 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_client_that_half_closes_after_sending_gets_its_answer() {
    let emu = start(ConnectionLimits::default()).await;
    let detail = format!(
        "GET /v2/{}/factory/release-packages/23 HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {DEMO_TOKEN}\r\n\r\n",
        common::P
    );
    // Without latency the answer races the end of the input; with it, the input ends first.
    for latency in [None, Some(Duration::from_millis(5))] {
        emu.set_faults(FaultConfig {
            latency,
            ..FaultConfig::default()
        });
        let health = health(emu.local_addr());
        for (i, request) in [health.as_slice(), detail.as_bytes()]
            .iter()
            .cycle()
            .take(50)
            .enumerate()
        {
            let mut s = TcpStream::connect(emu.local_addr()).await.unwrap();
            s.write_all(request).await.unwrap();
            s.shutdown().await.unwrap();
            let a = tokio::time::timeout(Duration::from_secs(5), answer(&mut s))
                .await
                .expect("an answer within 5 s");
            assert!(
                a.starts_with("HTTP/1.1 200"),
                "round {i}, {latency:?}: {a:?}"
            );
            assert!(a.ends_with('}'), "round {i}: incomplete answer {a:?}");
        }
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_still_closes_held_connections() {
    let emu = start(ConnectionLimits::default()).await;
    let mut idle = TcpStream::connect(emu.local_addr()).await.unwrap();
    wait_for_open(&emu, 1).await;
    let t = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), emu.shutdown())
        .await
        .expect("shut down");
    assert!(t.elapsed() < Duration::from_secs(7));
    closed_within(&mut idle, Duration::from_secs(5)).await;
}

/// The binary with `--idle-timeout 5s --header-read-timeout 5s`: 300 idle or half-sent sockets
/// are held, then released; the process's descriptors and memory are printed
/// (`cargo test -p dataarts-emulator --test connections -- --nocapture binary`).
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_binary_releases_idle_sockets_after_its_timeouts() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    fn fds(pid: u32) -> usize {
        std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
    }
    fn rss_kib(pid: u32) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_dataarts-emulator"))
        .args([
            "--demo",
            "--idle-timeout",
            "5s",
            "--header-read-timeout",
            "5s",
        ])
        .args(["--max-connections", "1000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn dataarts-emulator");
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    served_within(addr, Duration::from_secs(5)).await;
    let (fds_before, rss_before) = (fds(pid), rss_kib(pid));

    let mut held = Vec::new();
    for i in 0..300 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: ")
                .await
                .unwrap();
        }
        held.push(s);
    }
    // On a loaded machine the emulator may take a while to accept them all: keep the most
    // it held at once, well before the 5 s timeouts can close the first ones.
    let opened = Instant::now();
    let (mut fds_held, mut rss_held) = (0, 0);
    while fds_held < fds_before + 300 && opened.elapsed() < Duration::from_secs(3) {
        let now = fds(pid);
        if now > fds_held {
            (fds_held, rss_held) = (now, rss_kib(pid));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let served = served_within(addr, Duration::from_secs(5)).await;

    while fds(pid) > fds_before + 5 && opened.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let released_after = opened.elapsed();
    let fds_after = fds(pid);
    eprintln!(
        "binary: fds {fds_before} -> {fds_held} with 300 idle/half-sent sockets -> {fds_after} \
         after {released_after:?}; RSS {rss_before} KiB -> {rss_held} KiB; a new client served \
         in {served:?} meanwhile"
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(fds_held >= fds_before + 250, "{fds_held} fds held");
    assert!(
        fds_after <= fds_before + 5,
        "{fds_after} fds after the timeouts"
    );
    drop(held);
}
