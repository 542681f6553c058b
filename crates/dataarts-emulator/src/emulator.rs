//! The public entry points: [`Emulator::builder`], [`EmulatorBuilder`] and [`RunningEmulator`].

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;

use crate::app::{BodyBudget, Shared, BODY_BUDGET};
use crate::config::{FaultConfig, OffsetUnit, Paging, RateLimits, TaskTiming};
use crate::error::EmulatorError;
use crate::faults::Faults;
use crate::fixtures::{
    Fixtures, DEMO_AK, DEMO_DEPLOYER_USER_ID, DEMO_PROJECT_ID, DEMO_PROJECT_ID_2, DEMO_SK,
    DEMO_TOKEN,
};
use crate::gateway::{Credentials, RateLimiter};
use crate::identity::{IdentityConfig, Issued};
use crate::ids::HexIds;
use crate::journal::{Journal, JournalEntry, JournalStats, RefusedAuth};
use crate::limits::ConnectionLimits;
use crate::routes::guard::{AdminGuard, AdminToken};
use crate::server::serve;
use crate::state::{State, StateCell};
use crate::task_times::SystemTaskTimes;

/// Default journal capacity (entries kept; the oldest go first).
///
/// An entry copies at most 256 bytes of the path and 2 KiB of package ids (100 ids of at most
/// 64 bytes each), so one takes at most about 5 KiB and a full journal at most about 100 MB
/// (a few MB with ordinary requests). Dropped entries are counted
/// ([`RunningEmulator::journal_stats`]).
pub const DEFAULT_JOURNAL_CAPACITY: usize = 20_000;

/// Default longest lifetime of the temporary credentials the identity services issue (1 h).
pub const DEFAULT_CREDENTIAL_LIFETIME: Duration = Duration::from_secs(3600);

/// The emulator. Start one with [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: no data, no credentials, rate limits 10/100 per second,
    /// no faults, automatic task timing (300 ms per subtask), a free port on 127.0.0.1.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator.
#[derive(Clone)]
pub struct EmulatorBuilder {
    demo: bool,
    fixtures: Option<Fixtures>,
    seed_packages: usize,
    aksk: Vec<(String, String, Option<String>)>,
    tokens: Vec<String>,
    rate_limits: RateLimits,
    faults: FaultConfig,
    timing: TaskTiming,
    paging: Paging,
    pub(crate) system_task_times: SystemTaskTimes,
    port: u16,
    journal_capacity: usize,
    credential_lifetime: Duration,
    admin_token: Option<String>,
    connection_limits: ConnectionLimits,
}

impl std::fmt::Debug for EmulatorBuilder {
    // Never prints secret keys or tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("demo", &self.demo)
            .field("fixtures", &self.fixtures.as_ref().map(|_| "<fixtures>"))
            .field("seed_packages", &self.seed_packages)
            .field(
                "access_keys",
                &self.aksk.iter().map(|(ak, _, _)| ak).collect::<Vec<_>>(),
            )
            .field("tokens", &self.tokens.len())
            .field("rate_limits", &self.rate_limits)
            .field("faults", &self.faults)
            .field("timing", &self.timing)
            .field("paging", &self.paging)
            .field("system_task_times", &self.system_task_times)
            .field("port", &self.port)
            .field("journal_capacity", &self.journal_capacity)
            .field("credential_lifetime", &self.credential_lifetime)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            demo: false,
            fixtures: None,
            seed_packages: 0,
            aksk: Vec::new(),
            tokens: Vec::new(),
            rate_limits: RateLimits::default(),
            faults: FaultConfig::default(),
            timing: TaskTiming::default(),
            paging: Paging::default(),
            system_task_times: SystemTaskTimes::default(),
            port: 0,
            journal_capacity: DEFAULT_JOURNAL_CAPACITY,
            credential_lifetime: DEFAULT_CREDENTIAL_LIFETIME,
            admin_token: None,
            connection_limits: ConnectionLimits::default(),
        }
    }
}

impl EmulatorBuilder {
    /// Seeds the demo data ([`Fixtures::demo`]) unless fixtures are given, and, if no
    /// credential is configured (in code or in the fixtures), accepts [`DEMO_AK`]/[`DEMO_SK`]
    /// and [`DEMO_TOKEN`] for the demo projects.
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self
    }

    /// Uses these fixtures as the initial state (instead of the demo data).
    pub fn fixtures(mut self, f: Fixtures) -> Self {
        self.fixtures = Some(f);
        self
    }

    /// Loads the initial state from a fixtures JSON file.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is not valid fixtures JSON, or is inconsistent.
    pub fn fixtures_file(self, path: impl AsRef<Path>) -> Result<Self, EmulatorError> {
        let f = Fixtures::from_file(path)?;
        Ok(self.fixtures(f))
    }

    /// Adds `count` deployable packages (awaiting review, one item each) to the default workspace of
    /// [`crate::DEMO_PROJECT_ID`], with ids `"1000"` to `"1000+count-1"` (their items use the
    /// ids that follow; fixture records with those ids are replaced). The demo project and its
    /// default workspace are created when the fixtures lack them. For load and scale tests.
    pub fn seed_packages(mut self, count: usize) -> Self {
        self.seed_packages = count;
        self
    }

    /// Accepts an AK/SK pair (repeatable). It may access every project of the fixtures.
    pub fn aksk(mut self, ak: &str, sk: &str) -> Self {
        self.aksk.push((ak.to_string(), sk.to_string(), None));
        self
    }

    /// Accepts temporary credentials: requests signed with `ak` must carry
    /// `X-Security-Token: token`.
    pub fn security_token(mut self, ak: &str, sk: &str, token: &str) -> Self {
        self.aksk
            .push((ak.to_string(), sk.to_string(), Some(token.to_string())));
        self
    }

    /// Accepts an `X-Auth-Token` value (repeatable). It may access every project of the
    /// fixtures.
    pub fn token(mut self, token: &str) -> Self {
        self.tokens.push(token.to_string());
        self
    }

    /// Sets the rate limits (default 10 per user and 100 per API, per second).
    pub fn rate_limits(mut self, r: RateLimits) -> Self {
        self.rate_limits = r;
        self
    }

    /// Sets fault injection (default: none). Probabilities are clamped to `0..=1`.
    pub fn faults(mut self, f: FaultConfig) -> Self {
        self.faults = f;
        self
    }

    /// Sets how release tasks progress (default: automatic, 300 ms per subtask).
    pub fn task_timing(mut self, t: TaskTiming) -> Self {
        self.timing = t;
        self
    }

    /// Sets what `offset` counts in the two list operations (default [`OffsetUnit::Rows`]).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// use dataarts_emulator::{Emulator, OffsetUnit};
    /// let emu = Emulator::builder().demo().offset_unit(OffsetUnit::Pages).start().await?;
    /// assert_eq!(emu.offset_unit(), OffsetUnit::Pages);
    /// # Ok(()) }
    /// ```
    pub fn offset_unit(mut self, unit: OffsetUnit) -> Self {
        self.paging.offset_unit = unit;
        self
    }

    /// Port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many journal entries to keep (default [`DEFAULT_JOURNAL_CAPACITY`]).
    pub fn journal_capacity(mut self, n: usize) -> Self {
        self.journal_capacity = n.max(1);
        self
    }

    /// Sets the longest lifetime of the temporary credentials the identity services issue
    /// (default [`DEFAULT_CREDENTIAL_LIFETIME`], 1 h): each gets the shorter of this and the
    /// duration the caller asked for. The gateway accepts them until then, and answers 401
    /// `APIGW.0301` ("the security token has expired") after. Short lifetimes let tests watch
    /// a client refresh.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// use std::time::Duration;
    /// let emu = dataarts_emulator::Emulator::builder()
    ///     .demo()
    ///     .credential_lifetime(Duration::from_secs(30))
    ///     .start()
    ///     .await?;
    /// assert_eq!(emu.credential_lifetime(), Duration::from_secs(30));
    /// # Ok(()) }
    /// ```
    pub fn credential_lifetime(mut self, lifetime: Duration) -> Self {
        self.credential_lifetime = lifetime.max(Duration::from_millis(1));
        self
    }

    /// Requires this token on the admin endpoints (`/_emulator/...`): each request must carry
    /// `Authorization: Bearer <token>`, or is refused with 401 `EMU.0401`. For emulators on
    /// shared machines, where other users could reach the port. Without it, the admin endpoints
    /// still answer only local clients that name the emulator's address (`Host`) and no other
    /// site's `Origin`. [`RunningEmulator`]'s own methods need no token. The token must be 1 to
    /// 1024 visible ASCII characters ([`AdminToken::new`]), or [`EmulatorBuilder::start`] fails.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder()
    ///     .demo()
    ///     .admin_token("a-long-random-string")
    ///     .start()
    ///     .await?;
    /// // curl -H 'Authorization: Bearer a-long-random-string' -X POST <url>/_emulator/reset
    /// emu.reset(); // in process: no token needed
    /// # Ok(()) }
    /// ```
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Sets the connection limits: timeouts, the most connections open at once, the largest
    /// request target and headers (default [`ConnectionLimits::default`]; out-of-range values
    /// are clamped as [`ConnectionLimits`] describes, whose docs show an example).
    pub fn connection_limits(mut self, limits: ConnectionLimits) -> Self {
        self.connection_limits = limits;
        self
    }

    /// Binds `127.0.0.1:port` and starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// Invalid fixtures, or a port that cannot be bound.
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        let fixtures = match (&self.fixtures, self.demo) {
            (Some(f), _) => f.clone(),
            (None, true) => Fixtures::demo(),
            (None, false) => Fixtures::default(),
        };
        fixtures.validate()?;
        let admin_token = self
            .admin_token
            .as_deref()
            .map(AdminToken::new)
            .transpose()
            .map_err(|e| EmulatorError::Config(format!("EmulatorBuilder::admin_token: {e}")))?;
        let mut all_projects: HashSet<String> =
            fixtures.projects.iter().map(|p| p.id.clone()).collect();
        if self.seed_packages > 0 {
            all_projects.insert(DEMO_PROJECT_ID.to_string());
        }
        let mut creds = Credentials::default();
        for c in &fixtures.credentials {
            let projects = c
                .projects
                .as_ref()
                .map_or_else(|| all_projects.clone(), |p| p.iter().cloned().collect());
            match (&c.ak, &c.sk, &c.token) {
                (Some(ak), Some(sk), _) => creds.add_aksk(
                    ak,
                    sk,
                    c.security_token.as_deref(),
                    c.user_id.clone(),
                    projects,
                ),
                (_, _, Some(t)) => creds.add_token(t, c.user_id.clone(), projects),
                _ => {}
            }
        }
        for (ak, sk, st) in &self.aksk {
            creds.add_aksk(ak, sk, st.as_deref(), None, all_projects.clone());
        }
        for t in &self.tokens {
            creds.add_token(t, None, all_projects.clone());
        }
        if self.demo && creds.is_empty() {
            let demo_projects: HashSet<String> = [DEMO_PROJECT_ID, DEMO_PROJECT_ID_2]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let user = Some(DEMO_DEPLOYER_USER_ID.to_string());
            creds.add_aksk(DEMO_AK, DEMO_SK, None, user.clone(), demo_projects.clone());
            creds.add_token(DEMO_TOKEN, user, demo_projects);
        }
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|source| EmulatorError::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr()?;
        let identity = IdentityConfig::new(&fixtures, &all_projects);
        let mut state = State::new(&fixtures, self.seed_packages, self.timing);
        state.set_offset_unit(self.paging.offset_unit);
        state.set_system_task_times(self.system_task_times);
        let shared = Arc::new(Shared {
            state: StateCell::new(state),
            fixtures,
            seed_packages: self.seed_packages,
            timing: self.timing,
            creds,
            identity,
            issued: Issued::new(self.credential_lifetime),
            rate: RateLimiter::new(self.rate_limits),
            faults: Faults::new(self.faults),
            journal: Journal::new(self.journal_capacity),
            ids: HexIds::new(),
            admin: AdminGuard::new(addr.port(), admin_token),
            bodies: BodyBudget::new(BODY_BUDGET),
        });
        let (tx, rx) = watch::channel(false);
        let limits = self.connection_limits.clamped();
        let slots = Arc::new(Semaphore::new(limits.max_connections));
        let task = tokio::spawn(serve(listener, shared.clone(), rx, limits, slots.clone()));
        Ok(RunningEmulator {
            addr,
            limits,
            slots,
            shared,
            shutdown: tx,
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server (without waiting); prefer
/// [`RunningEmulator::shutdown`].
pub struct RunningEmulator {
    addr: SocketAddr,
    limits: ConnectionLimits,
    /// One permit per open connection.
    slots: Arc<Semaphore>,
    pub(crate) shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The connection limits in force (after clamping).
    pub fn connection_limits(&self) -> ConnectionLimits {
        self.limits
    }

    /// How many client connections are open now (at most
    /// [`ConnectionLimits::max_connections`]).
    ///
    /// ```
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder().demo().start().await?;
    /// assert_eq!(emu.open_connections(), 0);
    /// # Ok(()) }
    /// ```
    pub fn open_connections(&self) -> usize {
        self.limits
            .max_connections
            .saturating_sub(self.slots.available_permits())
    }

    /// A copy of the journal (every API request, oldest first).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal.snapshot(0)
    }

    /// The requests the gateway refused as unauthenticated or unauthorized (401 `APIGW.0301`,
    /// 403 `APIGW.0302`): counted here, never journalled, so an unauthenticated client cannot
    /// fill the journal. Tests that check "nothing was sent" look here too.
    ///
    /// ```
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder().demo().start().await?;
    /// assert_eq!(emu.refused_auth().total, 0);
    /// assert_eq!(emu.refused_auth().count("APIGW.0301"), 0);
    /// # Ok(()) }
    /// ```
    pub fn refused_auth(&self) -> RefusedAuth {
        self.shared.journal.stats().refused_auth
    }

    /// How many journal entries were dropped (oldest first) because the journal was full.
    pub fn journal_dropped(&self) -> u64 {
        self.shared.journal.stats().dropped
    }

    /// Entries held, capacity, dropped entries and refused requests (also at
    /// `GET /_emulator/journal/stats`).
    ///
    /// ```
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder().demo().start().await?;
    /// let s = emu.journal_stats();
    /// assert_eq!((s.entries, s.dropped), (0, 0));
    /// assert_eq!(s.capacity, dataarts_emulator::DEFAULT_JOURNAL_CAPACITY);
    /// # Ok(()) }
    /// ```
    pub fn journal_stats(&self) -> JournalStats {
        self.shared.journal.stats()
    }

    /// How many journal entries have a path that starts with `path_prefix` (e.g.
    /// `/v3.0/OS-CREDENTIAL/securitytokens`, `/openstack/latest/securitykey`, `/v3/projects`):
    /// tests count credential fetches and project lookups with it.
    ///
    /// ```
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder().demo().start().await?;
    /// assert_eq!(emu.journal_count("/meta-data/"), 0);
    /// # Ok(()) }
    /// ```
    pub fn journal_count(&self, path_prefix: &str) -> usize {
        self.shared
            .journal
            .count(|e| e.path.starts_with(path_prefix))
    }

    /// The longest lifetime of issued temporary credentials.
    pub fn credential_lifetime(&self) -> Duration {
        self.shared.issued.lifetime()
    }

    /// Moves the identity clock forward by `by`: temporary credentials, unscoped tokens and
    /// metadata tokens issued earlier expire as if that time had passed (new ones are dated
    /// on the advanced clock). Lets tests watch an expiry without waiting. The `X-Sdk-Date`
    /// check stays on real time.
    ///
    /// ```
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder().demo().start().await?;
    /// emu.advance_identity_clock(std::time::Duration::from_secs(3600));
    /// # Ok(()) }
    /// ```
    pub fn advance_identity_clock(&self, by: Duration) {
        self.shared.issued.advance(by);
    }

    /// How many times this package was actually released (its state changed from awaiting
    /// review to releasing).
    pub fn release_count(&self, package_id: &str) -> usize {
        self.shared.state.lock().release_count(package_id)
    }

    /// The packages released more than once, sorted (empty when the never-twice promise
    /// held). Tests assert on it after every scenario.
    ///
    /// ```
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder().demo().start().await?;
    /// assert!(emu.released_more_than_once().is_empty());
    /// # Ok(()) }
    /// ```
    pub fn released_more_than_once(&self) -> Vec<String> {
        let st = self.shared.state.lock();
        let mut twice: Vec<String> = st
            .release_counts()
            .iter()
            .filter(|(_, &n)| n > 1)
            .map(|(id, _)| id.clone())
            .collect();
        twice.sort();
        twice
    }

    /// The current fault configuration.
    ///
    /// ```
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// let emu = dataarts_emulator::Emulator::builder().demo().start().await?;
    /// assert_eq!(emu.faults(), dataarts_emulator::FaultConfig::default());
    /// # Ok(()) }
    /// ```
    pub fn faults(&self) -> FaultConfig {
        self.shared.faults.get()
    }

    /// Replaces the fault configuration (and reseeds its generator).
    pub fn set_faults(&self, f: FaultConfig) {
        self.shared.faults.set(f);
    }

    /// Replaces the rate limits (and empties the buckets).
    pub fn set_rate_limits(&self, r: RateLimits) {
        self.shared.rate.set(r);
    }

    /// What `offset` counts in the two list operations.
    pub fn offset_unit(&self) -> OffsetUnit {
        self.shared.state.lock().offset_unit()
    }

    /// Changes what `offset` counts in the two list operations (kept across resets).
    pub fn set_offset_unit(&self, unit: OffsetUnit) {
        self.shared.state.lock().set_offset_unit(unit);
    }

    /// Finishes one more subtask of every running release task.
    pub fn advance_tasks(&self) {
        let mut st = self.shared.state.lock();
        let now = st.now();
        st.advance_tasks(now);
    }

    /// Finishes every running release task now.
    pub fn complete_all_tasks(&self) {
        let mut st = self.shared.state.lock();
        let now = st.now();
        st.complete_all_tasks(now);
    }

    /// The next release of this package fails (`deploy_status` 3, its task `FAILED`).
    pub fn fail_release_of(&self, package_id: &str) {
        self.shared.state.lock().fail_release_of(package_id);
    }

    /// Back to the initial fixtures: state, journal and rate-limit buckets (faults, limits,
    /// issued temporary credentials and the identity clock stay as they are).
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting connections, lets in-flight requests finish (at most 5 s) and returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
