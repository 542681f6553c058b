//! Deploy throughput over keep-alive loopback, without external tools.
//!
//! ```text
//! cargo bench -p dataarts-emulator --bench throughput
//! EMU_BENCH_SECONDS=10 EMU_BENCH_CONNECTIONS=32 cargo bench -p dataarts-emulator --bench throughput
//! ```
//!
//! The emulator runs on its own 2-thread runtime; a single-threaded client runtime keeps
//! `EMU_BENCH_CONNECTIONS` keep-alive connections busy, each request releasing a distinct seeded
//! package (token auth, rate limits and faults off). Prints requests per second. Under
//! `cargo test --all-targets` (no `--bench` argument) it only runs a one-second smoke check.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dataarts_emulator::{Emulator, RateLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "bench-token";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends one request and reads one response; returns the status code.
async fn round_trip(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    request: &[u8],
) -> std::io::Result<u16> {
    stream.write_all(request).await?;
    buf.clear();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("connection closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < end + 4 + len {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::other("connection closed"));
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        return Ok(status);
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let seconds = if full {
        env_or("EMU_BENCH_SECONDS", 5)
    } else {
        1
    };
    let connections = env_or("EMU_BENCH_CONNECTIONS", 32);
    // Enough distinct packages for ~60k releases per second.
    let seed = (seconds as usize + 1) * 60_000;

    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let emu = server_rt
        .block_on(
            Emulator::builder()
                .demo()
                .token(TOKEN)
                .rate_limits(RateLimits::disabled())
                .seed_packages(seed)
                .start(),
        )
        .expect("start emulator");
    let addr = emu.local_addr();

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let next_id = Arc::new(AtomicU64::new(1000));
    let ok = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    client_rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (next_id, ok, other, stop) = (next_id.clone(), ok.clone(), other.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let Ok(mut stream) = TcpStream::connect(addr).await else {
                    return;
                };
                let _ = stream.set_nodelay(true);
                let mut buf = Vec::with_capacity(1024);
                while !stop.load(Ordering::Relaxed) {
                    let id = next_id.fetch_add(1, Ordering::Relaxed);
                    let body = format!(r#"{{"package_ids":["{id}"],"startup_mode":0}}"#);
                    let request = format!(
                        "POST /v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/deploy HTTP/1.1\r\n\
                         Host: {addr}\r\nX-Auth-Token: {TOKEN}\r\nContent-Type: application/json;charset=UTF-8\r\n\
                         Content-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    match round_trip(&mut stream, &mut buf, request.as_bytes()).await {
                        Ok(200) => ok.fetch_add(1, Ordering::Relaxed),
                        Ok(_) => other.fetch_add(1, Ordering::Relaxed),
                        Err(_) => return,
                    };
                }
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let ok = ok.load(Ordering::Relaxed);
    let other = other.load(Ordering::Relaxed);
    println!(
        "emulator deploy throughput: {:.0} requests/s ({ok} ok, {other} other, {connections} connections, {elapsed:.1} s)",
        (ok + other) as f64 / elapsed
    );
    assert!(ok > 0, "no successful deploy");
    assert_eq!(other, 0, "every request should release a distinct package");
    server_rt.block_on(emu.shutdown());
}
