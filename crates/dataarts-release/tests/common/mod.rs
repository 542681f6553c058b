//! Shared test helpers: an in-process emulator, clients for it, and a tiny scripted server.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use dataarts_emulator::{
    Emulator, FaultConfig, RateLimits, RunningEmulator, TaskTiming, DEMO_AK, DEMO_PROJECT_ID,
    DEMO_SK, DEMO_WORKSPACE_ID,
};
use dataarts_release::{Client, ClientBuilder, Clock, Credentials, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A demo emulator with manual task timing and no rate limits.
pub async fn emulator() -> RunningEmulator {
    emulator_with(|b| b).await
}

/// A demo emulator, customised.
pub async fn emulator_with(
    f: impl FnOnce(dataarts_emulator::EmulatorBuilder) -> dataarts_emulator::EmulatorBuilder,
) -> RunningEmulator {
    let b = Emulator::builder()
        .demo()
        .task_timing(TaskTiming::Manual)
        .rate_limits(RateLimits::disabled());
    f(b).start().await.expect("emulator starts")
}

/// Fast retries for tests.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(50))
        .max_retry_after(Duration::from_millis(1500))
}

/// A builder for the demo project at `url`, AK/SK demo credentials.
pub fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .endpoint(url)
        .project_id(DEMO_PROJECT_ID)
        .workspace(DEMO_WORKSPACE_ID)
        .credentials(Credentials::aksk(DEMO_AK, DEMO_SK))
        .rate_limit(None)
        .retry_policy(fast_retries())
        .attempt_timeout(Duration::from_secs(5))
        .total_timeout(Duration::from_secs(20))
}

/// A client for the emulator.
pub fn client(emu: &RunningEmulator) -> Client {
    builder(&emu.url()).build().expect("client builds")
}

/// Faults on deploy only.
pub fn deploy_faults(f: FaultConfig) -> FaultConfig {
    FaultConfig {
        operations: Some(vec!["deploy_factory_packages".to_string()]),
        ..f
    }
}

/// A clock that moves forward by `step` on every reading.
#[derive(Debug)]
pub struct SteppingClock {
    now: Mutex<SystemTime>,
    step: Duration,
}

impl SteppingClock {
    pub fn new(start: SystemTime, step: Duration) -> Arc<Self> {
        Arc::new(Self {
            now: Mutex::new(start),
            step,
        })
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> SystemTime {
        let mut n = self.now.lock().unwrap();
        let t = *n;
        *n += self.step;
        t
    }
}

/// One request as the scripted server received it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Http(u16, Vec<(&'static str, String)>, String),
    /// Close the connection without answering.
    Drop,
    /// Wait, then answer.
    Slow(Duration, Box<Reply>),
}

pub fn json(status: u16, body: &str) -> Reply {
    Reply::Http(
        status,
        vec![
            ("Content-Type", "application/json".into()),
            ("X-Request-Id", format!("rid-{status}")),
        ],
        body.to_string(),
    )
}

/// A loopback HTTP/1.1 server answering from a script (the last reply repeats), recording
/// every request.
pub struct Scripted {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Captured>>>,
}

pub async fn scripted(replies: Vec<Reply>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(Mutex::new(VecDeque::from(replies)));
    let recs = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let recs = recs.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                let head_end = loop {
                    let Ok(n) = sock.read(&mut tmp).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let first = lines.next().unwrap_or_default().to_string();
                let mut parts = first.split(' ');
                let method = parts.next().unwrap_or_default().to_string();
                let target = parts.next().unwrap_or_default().to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect();
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = buf[head_end + 4..].to_vec();
                while body.len() < len {
                    let Ok(n) = sock.read(&mut tmp).await else {
                        return;
                    };
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&tmp[..n]);
                }
                recs.lock().unwrap().push(Captured {
                    method,
                    target,
                    headers,
                    body,
                });
                let reply = {
                    let mut s = script.lock().unwrap();
                    if s.len() > 1 {
                        s.pop_front().unwrap()
                    } else {
                        s.front().cloned().unwrap_or(Reply::Drop)
                    }
                };
                let mut reply = reply;
                loop {
                    match reply {
                        Reply::Slow(d, inner) => {
                            tokio::time::sleep(d).await;
                            reply = *inner;
                        }
                        Reply::Drop => return,
                        Reply::Http(status, headers, body) => {
                            let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
                            for (k, v) in headers {
                                out.push_str(&format!("{k}: {v}\r\n"));
                            }
                            out.push_str("\r\n");
                            out.push_str(&body);
                            let _ = sock.write_all(out.as_bytes()).await;
                            let _ = sock.shutdown().await;
                            return;
                        }
                    }
                }
            });
        }
    });
    Scripted { url, requests }
}

impl Scripted {
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
    pub fn all(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
}

/// A client for a scripted server, fixed project, AK/SK.
pub fn scripted_client(s: &Scripted) -> Client {
    Client::builder()
        .endpoint(&s.url)
        .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
        .credentials(Credentials::aksk(
            "TESTAK0123456789ABCD",
            "TestSecretKey0123456789abcdefghijklmnopq",
        ))
        .rate_limit(None)
        .retry_policy(fast_retries())
        .attempt_timeout(Duration::from_secs(2))
        .total_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

pub const DEPLOY_OK: &str = r#"{"deploy_package_details":[{"asy_subtask_num":1,"asy_task_id":"ff8080818c81c8ab018c8b43f85d0008","package_id":23}]}"#;

/// Everything traced at TRACE level (the emulator's own logs aside) while it lives, kept as
/// text for the secret-leak tests.
pub struct TraceCapture {
    written: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl TraceCapture {
    /// Starts capturing on this thread.
    pub fn start() -> Self {
        let written = Arc::new(Mutex::new(Vec::new()));
        let writer = CaptureWriter(written.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("trace,dataarts_emulator=off")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        Self {
            written,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    /// What was traced so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.written.lock().unwrap()).into_owned()
    }
}
