//! The fault soak: many deploys under seeded random faults, then an audit of what the caller
//! was told against what the emulator's journal says happened.
//!
//! Used by the `soak` harness binary (full run) and by `tests/soak.rs` (bounded run).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dataarts_emulator::{FaultConfig, RateLimits, RunningEmulator};
use dataarts_release::{Client, Credentials, DeployResult, Error, RetryPolicy};
use dataarts_release_raw::Operation;

use crate::{start_emulator, AK, FIRST_SEEDED_ID, PROJECT_ID, SK, WORKSPACE};

/// Soak parameters.
#[derive(Debug, Clone)]
pub struct SoakConfig {
    /// Deploy calls to make (half single `deploy`, half `deploy_all`).
    pub calls: usize,
    /// Concurrent callers.
    pub concurrency: usize,
    /// Seed of the emulator's fault generator.
    pub seed: u64,
    /// Probability of each fault kind (the emulator draws at most one per request).
    pub fault_probability: f64,
    /// Latency added to every request.
    pub latency: Duration,
    /// The client's per-attempt timeout.
    pub attempt_timeout: Duration,
    /// Cap on honoured `Retry-After` (the emulator's 429 asks for 1 s).
    pub max_retry_after: Duration,
    /// Initial retry backoff.
    pub initial_backoff: Duration,
}

impl SoakConfig {
    /// The documented full run: 1,000 deploy calls, realistic client timings.
    pub fn full() -> Self {
        Self {
            calls: 1000,
            concurrency: 8,
            seed: 20_261_128,
            fault_probability: 0.05,
            latency: Duration::from_millis(2),
            attempt_timeout: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(1),
            initial_backoff: Duration::from_millis(50),
        }
    }

    /// A bounded run for the test suite: 100 calls, short waits.
    pub fn bounded() -> Self {
        Self {
            calls: 100,
            concurrency: 4,
            seed: 7,
            fault_probability: 0.06,
            latency: Duration::from_millis(1),
            attempt_timeout: Duration::from_secs(5),
            max_retry_after: Duration::from_millis(20),
            initial_backoff: Duration::from_millis(5),
        }
    }

    /// The fault configuration handed to the emulator.
    #[allow(clippy::needless_update)] // stays valid when the emulator adds fault kinds
    pub fn faults(&self) -> FaultConfig {
        let p = self.fault_probability;
        FaultConfig {
            seed: self.seed,
            latency: Some(self.latency),
            error_before: p,
            error_after: p,
            drop_after: p,
            truncated_body: p,
            non_json_body: p,
            throttle_burst: p,
            operations: None,
            ..FaultConfig::default()
        }
    }

    /// Ids call `i` deploys: 1 to 3 for single deploys, 1 to 5 for `deploy_all`.
    fn group(&self, i: usize) -> usize {
        if i.is_multiple_of(2) {
            1 + i % 3
        } else {
            1 + i % 5
        }
    }

    /// How many packages the emulator has to seed.
    pub fn packages(&self) -> usize {
        (0..self.calls).map(|i| self.group(i)).sum()
    }
}

/// What the caller was told about one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Told {
    /// Released (task started or found releasing on read-back).
    Released,
    /// Refused: not released.
    Refused,
    /// Outcome unknown (ambiguous failure the client could not settle).
    Unknown,
}

/// The audit of a soak run.
#[derive(Debug, Default)]
pub struct SoakReport {
    /// Deploy calls made.
    pub calls: usize,
    /// Packages in those calls.
    pub packages: usize,
    /// What the caller was told, per package.
    pub told: BTreeMap<Told, usize>,
    /// Journal entries (all operations).
    pub requests: usize,
    /// Journal entries per injected fault.
    pub faults: BTreeMap<String, usize>,
    /// Journal entries per operation.
    pub operations: BTreeMap<String, usize>,
    /// Problems found; empty when the run is sound.
    pub violations: Vec<String>,
    /// Wall time of the deploys.
    pub wall: Duration,
    /// Packages reported `Unknown` that the journal shows released (once).
    pub unknown_released: usize,
    /// A few of the errors reported as `Unknown`, for the record.
    pub unknown_samples: Vec<String>,
    /// Settling (faults off, as a caller would after the run): `Unknown` ids sent again with
    /// `deploy_all`, which released this many (the others were found already released).
    pub settled_released: usize,
    /// After settling: packages released exactly once (should be all of them).
    pub final_released_once: usize,
}

impl SoakReport {
    /// Human summary.
    pub fn summary(&self) -> String {
        format!(
            "calls={} packages={} told={:?} unknown_but_released={} settled_released={} final_released_once={} requests={} operations={:?} faults={:?} wall={:.2}s violations={}",
            self.calls,
            self.packages,
            self.told,
            self.unknown_released,
            self.settled_released,
            self.final_released_once,
            self.requests,
            self.operations,
            self.faults,
            self.wall.as_secs_f64(),
            self.violations.len()
        )
    }
}

fn client(url: &str, c: &SoakConfig) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .endpoint(url)
        .project_id(PROJECT_ID)
        .workspace(WORKSPACE)
        .credentials(Credentials::aksk(AK, SK))
        .rate_limit(None)
        .attempt_timeout(c.attempt_timeout)
        .total_timeout(Duration::from_secs(60))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(4)
                .initial_backoff(c.initial_backoff)
                .max_backoff(c.initial_backoff * 8)
                .max_retry_after(c.max_retry_after),
        )
        .build()?)
}

/// Outcome of one single `deploy` call, per id.
fn told_by_deploy(
    ids: &[String],
    r: Result<dataarts_release::Deployment, Error>,
) -> Vec<(String, Told, String)> {
    match r {
        Ok(d) => {
            let released: Vec<String> = d
                .package_ids()
                .iter()
                .map(|p| p.as_str().to_string())
                .collect();
            ids.iter()
                .map(|id| {
                    if released.contains(id) {
                        (id.clone(), Told::Released, String::new())
                    } else {
                        (
                            id.clone(),
                            Told::Unknown,
                            "Ok(Deployment) without this id".into(),
                        )
                    }
                })
                .collect()
        }
        Err(Error::PartialRelease { released, source }) => {
            let released: Vec<String> = released.iter().map(|p| p.as_str().to_string()).collect();
            let rest = if source.is_ambiguous() {
                Told::Unknown
            } else {
                Told::Refused
            };
            ids.iter()
                .map(|id| {
                    if released.contains(id) {
                        (id.clone(), Told::Released, String::new())
                    } else {
                        (id.clone(), rest, source.to_string())
                    }
                })
                .collect()
        }
        Err(e) => {
            let t = if e.is_ambiguous() {
                Told::Unknown
            } else {
                Told::Refused
            };
            ids.iter()
                .map(|id| (id.clone(), t, e.to_string()))
                .collect()
        }
    }
}

/// Runs the soak against a fresh in-process emulator and audits it.
///
/// # Errors
///
/// When the emulator or the client cannot start, or a caller task panicked.
pub async fn run(c: &SoakConfig) -> anyhow::Result<SoakReport> {
    let packages = c.packages();
    let emu = start_emulator(packages, RateLimits::disabled(), c.faults()).await?;
    let report = run_on(&emu, c).await;
    emu.shutdown().await;
    report
}

async fn run_on(emu: &RunningEmulator, c: &SoakConfig) -> anyhow::Result<SoakReport> {
    let client = client(&emu.url(), c)?;
    let packages = c.packages();
    // The call plan: call i gets the next group of ids.
    let mut next = FIRST_SEEDED_ID;
    let plan: Vec<(usize, Vec<String>)> = (0..c.calls)
        .map(|i| {
            let n = c.group(i);
            let ids = (next..next + n).map(|k| k.to_string()).collect();
            next += n;
            (i, ids)
        })
        .collect();
    let plan = Arc::new(std::sync::Mutex::new(plan.into_iter()));
    let start = Instant::now();
    let workers: Vec<_> = (0..c.concurrency)
        .map(|_| {
            let plan = plan.clone();
            let client = client.clone();
            tokio::spawn(async move {
                let mut out: Vec<(String, Told, String)> = Vec::new();
                loop {
                    let Some((i, ids)) = plan.lock().expect("plan lock").next() else {
                        break;
                    };
                    if i.is_multiple_of(2) {
                        let r = client
                            .deploy(ids.iter().cloned())
                            .start_jobs(false)
                            .send()
                            .await;
                        out.extend(told_by_deploy(&ids, r));
                    } else {
                        match client
                            .deploy_all(ids.iter().cloned())
                            .start_jobs(false)
                            .chunk_size(2)
                            .send()
                            .await
                        {
                            Ok(report) => {
                                for o in &report.outcomes {
                                    let (t, msg) = match &o.result {
                                        DeployResult::Released { .. } => {
                                            (Told::Released, String::new())
                                        }
                                        DeployResult::Refused(e) => (Told::Refused, e.to_string()),
                                        DeployResult::Unknown(e) => (Told::Unknown, e.to_string()),
                                        _ => (Told::Unknown, "unrecognised outcome".into()),
                                    };
                                    out.push((o.package_id.as_str().to_string(), t, msg));
                                }
                            }
                            Err(e) => {
                                // Only input errors come back as Err; all ids failed, none sent.
                                out.extend(
                                    ids.iter()
                                        .map(|id| (id.clone(), Told::Refused, e.to_string())),
                                );
                            }
                        }
                    }
                }
                out
            })
        })
        .collect();
    let mut told_all = Vec::new();
    for w in workers {
        // A panic in the client shows up here as a JoinError: the soak fails.
        told_all.extend(
            w.await
                .map_err(|e| anyhow::anyhow!("a caller task panicked: {e}"))?,
        );
    }
    let wall = start.elapsed();

    let mut report = SoakReport {
        calls: c.calls,
        packages,
        wall,
        ..SoakReport::default()
    };
    let journal = emu.journal();
    report.requests = journal.len();
    let mut applied: HashMap<String, usize> = HashMap::new();
    for e in &journal {
        // Named as the emulator's journal endpoint names them.
        let operation = e.operation.map_or("unknown", Operation::id);
        *report.operations.entry(operation.to_string()).or_default() += 1;
        if let Some(f) = e.fault {
            *report.faults.entry(f.to_string()).or_default() += 1;
        }
        if e.operation == Some(Operation::DeployFactoryPackages) && e.applied {
            for id in &e.package_ids {
                *applied.entry(id.clone()).or_default() += 1;
            }
        }
    }
    // Every planned id has exactly one outcome.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (id, _, _) in &told_all {
        *seen.entry(id.as_str()).or_default() += 1;
    }
    for k in FIRST_SEEDED_ID..FIRST_SEEDED_ID + packages {
        let id = k.to_string();
        match seen.get(id.as_str()) {
            Some(1) => {}
            Some(n) => report.violations.push(format!("{id}: reported {n} times")),
            None => report
                .violations
                .push(format!("{id}: lost (no outcome reported)")),
        }
    }
    for (id, told, msg) in &told_all {
        *report.told.entry(*told).or_default() += 1;
        let count = emu.release_count(id);
        let journal_count = applied.get(id).copied().unwrap_or(0);
        if count != journal_count {
            report.violations.push(format!(
                "{id}: release_count {count} but {journal_count} applied deploys in the journal"
            ));
        }
        let ok = match told {
            Told::Released => count == 1,
            Told::Refused => count == 0,
            Told::Unknown => count <= 1,
        };
        if *told == Told::Unknown {
            report.unknown_released += count;
            if report.unknown_samples.len() < 5 {
                report.unknown_samples.push(format!("{id}: {msg}"));
            }
        }
        if !ok {
            report.violations.push(format!(
                "{id}: caller told {told:?} ({msg}) but the emulator released it {count} times"
            ));
        }
        if *told != Told::Released && msg.is_empty() {
            report
                .violations
                .push(format!("{id}: failure reported without an error"));
        }
    }

    // Settle, as the docs tell a caller to: faults off, read every unknown package back
    // (`show_package`) and release those still awaiting review. (A deploy is all or nothing
    // on the service side: sending an already released id with the others would refuse them
    // all.)
    emu.set_faults(FaultConfig::default());
    let mut awaiting = Vec::new();
    for (id, t, _) in &told_all {
        if *t == Told::Unknown {
            let detail = client.show_package(id.as_str()).await?;
            if detail.package.is_awaiting_review() {
                awaiting.push(id.clone());
            }
        }
    }
    if !awaiting.is_empty() {
        let again = client.deploy_all(awaiting).start_jobs(false).send().await?;
        report.settled_released = again.released().len();
    }
    for k in FIRST_SEEDED_ID..FIRST_SEEDED_ID + packages {
        let id = k.to_string();
        let told_refused = told_all
            .iter()
            .any(|(i, t, _)| *i == id && *t == Told::Refused);
        match emu.release_count(&id) {
            1 => report.final_released_once += 1,
            0 if told_refused => {}
            n => report
                .violations
                .push(format!("{id}: released {n} times after settling")),
        }
    }
    Ok(report)
}
