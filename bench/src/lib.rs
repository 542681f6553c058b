//! Shared pieces of the benchmarks and load harnesses behind `BENCHMARKS.md`.
//!
//! Three ways to send the same deploy request (`deploy_factory_packages`) to an emulator, for the client-overhead
//! comparison:
//!
//! - (a) [`wrapper_client`]: the `dataarts-release` wrapper with AK/SK;
//! - (b) [`raw_client`]: the generated `dataarts-release-raw` client with a minimal signing
//!   [`Transport`] ([`MinimalSigner`]);
//! - (c) [`HandClient`]: a hand-written `reqwest` call with the same headers, signed with
//!   `dataarts-signing`.
//!
//! Every one signs every request with the same crate, so the difference is the client code.

pub mod soak;
pub mod wait_scale;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dataarts_emulator::{Emulator, FaultConfig, RateLimits, RunningEmulator, TaskTiming};
use dataarts_release::{Client, Credentials, RetryPolicy};
use dataarts_release_raw::{LocalError, Operation, SendFuture, Transport};
use reqwest::header::{HeaderName, HeaderValue};

/// Project of the seeded packages.
pub const PROJECT_ID: &str = dataarts_emulator::DEMO_PROJECT_ID;
/// Default workspace of that project.
pub const WORKSPACE: &str = dataarts_emulator::DEMO_WORKSPACE_ID;
/// Access key the bench emulators accept.
pub const AK: &str = "BENCHAK0000000000001";
/// Secret key of [`AK`].
pub const SK: &str = "BenchSecretKey0000000000000000000000001";
/// First seeded package id.
pub const FIRST_SEEDED_ID: usize = 1000;
/// Path of the deploy operation under the endpoint, for [`PROJECT_ID`].
pub fn deploy_path() -> String {
    Operation::DeployFactoryPackages
        .path()
        .replace("{project_id}", PROJECT_ID)
}

/// Starts an in-process emulator with `packages` seeded packages (`"1000"`..), the bench
/// AK/SK, manual task timing (no timers), and the given limits and faults.
///
/// # Errors
///
/// When the emulator cannot start.
pub async fn start_emulator(
    packages: usize,
    rate_limits: RateLimits,
    faults: FaultConfig,
) -> anyhow::Result<RunningEmulator> {
    Ok(Emulator::builder()
        .demo()
        .aksk(AK, SK)
        .seed_packages(packages)
        .rate_limits(rate_limits)
        .faults(faults)
        .task_timing(TaskTiming::Manual)
        .start()
        .await?)
}

/// The wrapper, AK/SK, against `url`; `rate_limit` `None` switches the client limiter off.
///
/// # Errors
///
/// When the builder rejects the configuration.
pub fn wrapper_client(url: &str, rate_limit: Option<u32>) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .endpoint(url)
        .project_id(PROJECT_ID)
        .workspace(WORKSPACE)
        .credentials(Credentials::aksk(AK, SK))
        .rate_limit(rate_limit)
        .retry_policy(RetryPolicy::default())
        .build()?)
}

/// The `reqwest::Client` used by (b) and (c): what the wrapper builds by default (no
/// redirects, 10 s connect timeout), same user agent.
///
/// # Panics
///
/// When reqwest cannot build a plain HTTP client (never on a working system).
pub fn plain_http() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("dataarts-release/0.1.0")
        .build()
        .expect("a plain reqwest client")
}

/// Signs one outgoing request in place: `Host`, `X-Sdk-Date`, `X-Project-Id`, then
/// `Authorization` over every header. The minimum any AK/SK client has to do.
///
/// # Errors
///
/// A header that is not text, or a signing failure.
pub fn sign_in_place(req: &mut reqwest::Request, now: SystemTime) -> anyhow::Result<()> {
    let host = match (req.url().host_str(), req.url().port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => anyhow::bail!("no host"),
    };
    let date = dataarts_signing::format_sdk_date(now);
    let headers = req.headers_mut();
    headers.remove("api-version");
    headers.insert(reqwest::header::HOST, HeaderValue::from_str(&host)?);
    headers.insert("x-sdk-date", HeaderValue::from_str(&date)?);
    headers.insert("x-project-id", HeaderValue::from_static(PROJECT_ID));
    let list: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| Ok((k.as_str().to_string(), v.to_str()?.to_string())))
        .collect::<anyhow::Result<_>>()?;
    let query = req
        .url()
        .query()
        .map(dataarts_signing::parse_raw_query)
        .unwrap_or_default();
    let body = req.body().and_then(|b| b.as_bytes()).unwrap_or_default();
    let input = dataarts_signing::SigningInput {
        method: req.method().as_str(),
        path: req.url().path(),
        query: &query,
        headers: &list,
        body,
    };
    let signed = dataarts_signing::sign(AK, SK.as_bytes(), &input)?;
    let mut v = HeaderValue::from_str(&signed.authorization)?;
    v.set_sensitive(true);
    req.headers_mut().insert(reqwest::header::AUTHORIZATION, v);
    Ok(())
}

/// (b): the smallest transport that lets the generated client talk to an AK/SK gateway:
/// sign, send once. No retries, no tracing, no limiter.
#[derive(Debug, Default)]
pub struct MinimalSigner;

impl Transport for MinimalSigner {
    fn prepare(
        &self,
        _request: &mut reqwest::Request,
        _operation: Operation,
    ) -> Result<(), LocalError> {
        Ok(())
    }

    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        mut request: reqwest::Request,
        _operation: Operation,
    ) -> SendFuture<'a> {
        Box::pin(async move {
            // A request built by the generated code always signs (text headers, bytes body).
            sign_in_place(&mut request, SystemTime::now()).expect("the request signs");
            http.execute(request).await
        })
    }
}

/// (b): the generated client with [`MinimalSigner`].
pub fn raw_client(url: &str) -> dataarts_release_raw::Client {
    dataarts_release_raw::Client::new_with_client(
        url.trim_end_matches('/'),
        plain_http(),
        dataarts_release_raw::Hooks::new(Arc::new(MinimalSigner)),
    )
}

/// (b): one deploy of `id` through the generated client.
///
/// # Errors
///
/// Any failure of the call.
pub async fn raw_deploy(client: &dataarts_release_raw::Client, id: &str) -> anyhow::Result<()> {
    use dataarts_release_raw::types;
    let body = types::DeployBody {
        package_ids: vec![id.to_string()],
        startup_mode: types::DeployBodyStartupMode::try_from(0).expect("0 is a startup mode"),
    };
    let r = client
        .deploy_factory_packages()
        .project_id(PROJECT_ID)
        .workspace(WORKSPACE)
        .body(body)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("raw deploy of {id}: {e}"))?;
    anyhow::ensure!(r.deploy_package_details.len() == 1, "raw deploy of {id}");
    Ok(())
}

/// (c): a hand-written deploy with `reqwest`: same method, path, headers and body as the
/// wrapper, signed with `dataarts-signing`, answer decoded into a small struct.
#[derive(Debug, Clone)]
pub struct HandClient {
    http: reqwest::Client,
    url: String,
    /// Attribution experiments only (`BENCH_HAND_TIMEOUT=1`): set a per-request timeout as
    /// the wrapper does on every attempt.
    timeout: Option<Duration>,
}

#[derive(serde::Deserialize)]
struct HandDetail {
    #[allow(dead_code)]
    package_id: Option<serde_json::Value>,
    #[allow(dead_code)]
    asy_task_id: Option<String>,
    #[allow(dead_code)]
    asy_subtask_num: Option<i64>,
}

#[derive(serde::Deserialize)]
struct HandAnswer {
    deploy_package_details: Vec<HandDetail>,
}

impl HandClient {
    /// A client for the emulator at `base`.
    pub fn new(base: &str) -> Self {
        Self {
            http: plain_http(),
            url: format!("{}{}", base.trim_end_matches('/'), deploy_path()),
            timeout: std::env::var_os("BENCH_HAND_TIMEOUT").map(|_| Duration::from_secs(30)),
        }
    }

    /// One deploy of `id`.
    ///
    /// # Errors
    ///
    /// A non-2xx answer, a transport or decoding failure.
    pub async fn deploy(&self, id: &str) -> anyhow::Result<()> {
        let body = serde_json::to_vec(&serde_json::json!({
            "package_ids": [id],
            "startup_mode": 0,
        }))?;
        let mut req = self
            .http
            .post(&self.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )
            .header(HeaderName::from_static("workspace"), WORKSPACE)
            // The generated client sends (and so the wrapper signs) this one as well.
            .header(
                reqwest::header::ACCEPT,
                HeaderValue::from_static("application/json"),
            )
            .body(body)
            .build()?;
        sign_in_place(&mut req, SystemTime::now())?;
        *req.timeout_mut() = self.timeout;
        let resp = self.http.execute(req).await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        anyhow::ensure!(
            status.is_success(),
            "hand deploy of {id}: HTTP {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        let a: HandAnswer = serde_json::from_slice(&bytes)?;
        anyhow::ensure!(a.deploy_package_details.len() == 1, "hand deploy of {id}");
        Ok(())
    }
}

/// Hands out seeded package ids, each once; [`IdPool::take`] returns `None` when exhausted.
#[derive(Debug)]
pub struct IdPool {
    next: AtomicUsize,
    end: usize,
}

impl IdPool {
    /// Ids `first..first + count`.
    pub fn new(first: usize, count: usize) -> Self {
        Self {
            next: AtomicUsize::new(first),
            end: first + count,
        }
    }

    /// The next unused id.
    pub fn take(&self) -> Option<String> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        (n < self.end).then(|| n.to_string())
    }

    /// Ids left.
    pub fn remaining(&self) -> usize {
        self.end.saturating_sub(self.next.load(Ordering::Relaxed))
    }
}

/// The three clients of the overhead comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// (a) the wrapper.
    Wrapper,
    /// (b) the generated client.
    Raw,
    /// (c) hand-written reqwest.
    Hand,
}

impl Way {
    /// All three, in report order.
    pub const ALL: [Way; 3] = [Way::Wrapper, Way::Raw, Way::Hand];

    /// Short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Way::Wrapper => "a_wrapper",
            Way::Raw => "b_raw",
            Way::Hand => "c_reqwest",
        }
    }
}

/// One client of each kind for the same emulator.
#[derive(Debug, Clone)]
pub struct Clients {
    /// (a)
    pub wrapper: Client,
    /// (b)
    pub raw: dataarts_release_raw::Client,
    /// (c)
    pub hand: HandClient,
}

impl Clients {
    /// Clients for the emulator at `url` (wrapper limiter off).
    ///
    /// # Errors
    ///
    /// When the wrapper rejects the configuration.
    pub fn new(url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            wrapper: wrapper_client(url, None)?,
            raw: raw_client(url),
            hand: HandClient::new(url),
        })
    }

    /// One successful deploy of `id` the given way.
    ///
    /// # Errors
    ///
    /// Any failure (the benchmarks treat it as fatal).
    pub async fn deploy(&self, way: Way, id: &str) -> anyhow::Result<()> {
        match way {
            Way::Wrapper => {
                let d = self
                    .wrapper
                    .deploy([id])
                    .start_jobs(false)
                    .send()
                    .await
                    .map_err(|e| anyhow::anyhow!("wrapper deploy of {id}: {e}"))?;
                anyhow::ensure!(d.packages.len() == 1, "wrapper deploy of {id}");
                Ok(())
            }
            Way::Raw => raw_deploy(&self.raw, id).await,
            Way::Hand => self.hand.deploy(id).await,
        }
    }
}

/// Median of a slice (sorted in place); 0 for an empty slice.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_hands_out_each_id_once() {
        let p = IdPool::new(1000, 2);
        assert_eq!(p.take().as_deref(), Some("1000"));
        assert_eq!(p.remaining(), 1);
        assert_eq!(p.take().as_deref(), Some("1001"));
        assert_eq!(p.take(), None);
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }

    /// The three ways all release a package on the emulator (and nothing else).
    #[tokio::test]
    async fn every_way_releases() {
        let emu = start_emulator(3, RateLimits::disabled(), FaultConfig::default())
            .await
            .unwrap();
        let c = Clients::new(&emu.url()).unwrap();
        for (way, id) in Way::ALL.iter().zip(["1000", "1001", "1002"]) {
            c.deploy(*way, id).await.unwrap();
            assert_eq!(emu.release_count(id), 1, "{way:?}");
        }
        assert_eq!(emu.journal().len(), 3);
        emu.shutdown().await;
    }
}
