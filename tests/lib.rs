//! Shared helpers for the workspace integration tests.
//!
//! [`CaptureServer`] is a loopback HTTP/1.1 server on `127.0.0.1:0` that records every
//! request it receives, byte for byte, and answers with a canned response. It is written by
//! hand on purpose: it must show exactly what a client puts on the wire, with no framework
//! normalising headers or bodies in between.

pub mod fuzz_logic;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How long one connection may take to deliver a request before the server gives up on it.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest request body the server accepts (the operations send a few hundred bytes).
const MAX_BODY: usize = 1 << 20;

/// One request as it arrived on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapturedRequest {
    /// Request method, e.g. `POST`.
    pub method: String,
    /// Request target: the path plus the query string, exactly as sent.
    pub target: String,
    /// Protocol version from the request line, e.g. `HTTP/1.1`.
    pub version: String,
    /// Header lines in arrival order, names as sent, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, `Content-Length` bytes.
    pub body: Vec<u8>,
    /// Port the server listened on, so [`CapturedRequest::render`] can hide it.
    pub server_port: u16,
}

impl CapturedRequest {
    /// The path part of the target (before `?`).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query string (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// All values of header `name` (case-insensitive), in arrival order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The single value of header `name`; panics when it is sent more than once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let values = self.header_values(name);
        assert!(
            values.len() <= 1,
            "header {name} sent {} times: {values:?}",
            values.len()
        );
        values.first().copied()
    }

    /// The body as UTF-8 text; panics when it is not UTF-8.
    pub fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("request body is not UTF-8")
    }

    /// A stable, readable rendering for snapshots:
    ///
    /// ```text
    /// POST /v2/.../deploy HTTP/1.1
    /// accept: application/json
    /// host: 127.0.0.1:[port]
    ///
    /// {"package_ids":["23"],"startup_mode":0}
    /// ```
    ///
    /// Headers are sorted by lower-cased name (stable for repeated names), the server port
    /// in `host` is replaced by `[port]`, and `accept-encoding` is left out: reqwest adds it
    /// only when another workspace member turns on a compression feature, so it depends on
    /// which packages are built together, not on the generated client. The body is printed
    /// as sent (no pretty-printing), or `(no body)`.
    pub fn render(&self) -> String {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("accept-encoding"))
            .map(|(n, v)| {
                let name = n.to_ascii_lowercase();
                let value = if name == "host" {
                    v.replace(&format!(":{}", self.server_port), ":[port]")
                } else {
                    v.clone()
                };
                (name, value)
            })
            .collect();
        headers.sort_by(|a, b| a.0.cmp(&b.0));

        let mut out = format!("{} {} {}\n", self.method, self.target, self.version);
        for (name, value) in headers {
            let _ = writeln!(out, "{name}: {value}");
        }
        out.push('\n');
        if self.body.is_empty() {
            out.push_str("(no body)\n");
        } else {
            out.push_str(&String::from_utf8_lossy(&self.body));
            out.push('\n');
        }
        out
    }
}

/// The response the server sends back for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannedResponse {
    /// Status code.
    pub status: u16,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes (sent with `Content-Length`).
    pub body: Vec<u8>,
}

impl CannedResponse {
    /// `status` with a JSON body, `Content-Type: application/json;charset=UTF-8` as Huawei sends.
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: Some("application/json;charset=UTF-8".to_string()),
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// `status` with an arbitrary content type and body.
    pub fn raw(status: u16, content_type: &str, body: &[u8]) -> Self {
        Self {
            status,
            content_type: Some(content_type.to_string()),
            headers: Vec::new(),
            body: body.to_vec(),
        }
    }

    /// `status` with no body and no content type (`Content-Length: 0`).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        if let Some(ct) = &self.content_type {
            let _ = write!(head, "content-type: {ct}\r\n");
        }
        for (n, v) in &self.headers {
            let _ = write!(head, "{n}: {v}\r\n");
        }
        let _ = write!(head, "content-length: {}\r\n", self.body.len());
        // One request per connection keeps the server trivial and the client never reuses
        // a connection the server is about to close.
        head.push_str("connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

type Responder = dyn Fn(&CapturedRequest) -> CannedResponse + Send + Sync + 'static;

/// A loopback HTTP/1.1 server that records requests and answers with canned responses.
///
/// Stops when dropped.
pub struct CaptureServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    task: JoinHandle<()>,
}

impl CaptureServer {
    /// Binds `127.0.0.1:0` and answers every request with `responder(&request)`.
    pub async fn start<F>(responder: F) -> Self
    where
        F: Fn(&CapturedRequest) -> CannedResponse + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let responder: Arc<Responder> = Arc::new(responder);
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                let responder = Arc::clone(&responder);
                tokio::spawn(async move {
                    let _ = serve_one(stream, addr.port(), &recorded, responder.as_ref()).await;
                });
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    /// Answers every request with the same response.
    pub async fn always(response: CannedResponse) -> Self {
        Self::start(move |_| response.clone()).await
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().expect("request log").clone()
    }

    /// The only request received; panics when there were none or several.
    pub fn single_request(&self) -> CapturedRequest {
        let mut all = self.requests();
        assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
        all.remove(0)
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_one(
    stream: TcpStream,
    port: u16,
    recorded: &Mutex<Vec<CapturedRequest>>,
    responder: &Responder,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let request = match tokio::time::timeout(READ_TIMEOUT, read_request(&mut reader, port)).await {
        Ok(Ok(Some(request))) => request,
        Ok(Ok(None)) => return Ok(()), // connection closed before a request line
        Ok(Err(e)) => {
            let bad = CannedResponse::raw(400, "text/plain", e.to_string().as_bytes());
            reader.get_mut().write_all(&bad.to_bytes()).await?;
            return Err(e);
        }
        Err(_) => return Ok(()), // timed out
    };
    // Record before answering: once the client has its response, the request is visible.
    let response = responder(&request);
    recorded.lock().expect("request log").push(request);
    let stream = reader.get_mut();
    stream.write_all(&response.to_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await
}

fn invalid(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

async fn read_request(
    reader: &mut BufReader<TcpStream>,
    port: u16,
) -> std::io::Result<Option<CapturedRequest>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let request_line = line.trim_end_matches(['\r', '\n']);
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(format!("bad request line {request_line:?}")));
    };
    let (method, target, version) = (method.to_string(), target.to_string(), version.to_string());

    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(invalid("connection closed inside the header block"));
        }
        let header_line = line.trim_end_matches(['\r', '\n']);
        if header_line.is_empty() {
            break;
        }
        let Some((name, value)) = header_line.split_once(':') else {
            return Err(invalid(format!("bad header line {header_line:?}")));
        };
        headers.push((name.to_string(), value.trim().to_string()));
    }

    let header = |wanted: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
            .map(|(_, v)| v.clone())
    };
    if header("transfer-encoding").is_some() {
        return Err(invalid(
            "chunked request bodies are not supported by the capture server",
        ));
    }
    let length = match header("content-length") {
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| invalid(format!("bad content-length {v:?}")))?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err(invalid(format!("body of {length} bytes is too large")));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;

    Ok(Some(CapturedRequest {
        method,
        target,
        version,
        headers,
        body,
        server_port: port,
    }))
}
