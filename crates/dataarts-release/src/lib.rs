//! Release task packages on Huawei Cloud DataArts Studio (DataArts Factory), safely.
//!
//! This crate wraps the generated `dataarts-release-raw` client with everything the official
//! SDKs leave to the caller: credentials from the environment, AK/SK signing on every
//! attempt (byte-identical to the official signer), typed errors, classified retries that
//! **never release a package twice**, batching, waiting with progress, and tracing.
//!
//! # Quick start: release and wait
//!
//! ```no_run
//! use dataarts_release::{Client, ReleaseOutcome};
//!
//! # async fn run() -> dataarts_release::Result<()> {
//! // HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID, DATAARTS_REGION (or DATAARTS_ENDPOINT), DATAARTS_WORKSPACE
//! let client = Client::from_env()?;
//! let deployment = client.deploy(["23"]).start_jobs(false).send().await?;
//! let results = deployment
//!     .wait()
//!     .on_progress(|p| eprintln!("{}/{} subtasks", p.overall_completed, p.overall_total))
//!     .await?;
//! for r in results {
//!     let ok = r.outcome == ReleaseOutcome::Succeeded;
//!     println!("package {}: {}", r.package_id, if ok { "released" } else { "FAILED" });
//! }
//! # Ok(()) }
//! ```
//!
//! Other operations: [`Client::list_packages`] (one page or a `Stream` of everything, each
//! item once whether the service's `offset` counts rows or pages),
//! [`Client::show_package`], [`Client::cancel_packages`], [`Client::pending_items`],
//! [`Client::package_pending_items`], [`Client::system_task`], [`Client::deploy_all`]
//! (any number of ids), [`Client::wait_for_task`], [`Client::wait_for_package`].
//!
//! # Validation
//!
//! Inputs are checked before anything is sent, failing with [`Error::InvalidInput`]: empty,
//! blank or duplicate id lists, more than 100 ids in one deploy or revoke, ids that would
//! not reach the URL as one unchanged path segment (`.`, `/`, `..`, `?`, `#`, `%`, `<`,
//! non-ASCII, whitespace, control characters), control or non-ASCII characters in header
//! values (workspace; credentials are checked by [`ClientBuilder::build`]), `startup_mode` other than 0/1,
//! pending-item `limit` outside 1..=100.
//!
//! # Retry policy
//!
//! Configured with [`RetryPolicy`] ([`ClientBuilder::retry_policy`]; [`RetryPolicy::none`]
//! switches it off):
//!
//! | Operation | Retried on | Never retried on |
//! |---|---|---|
//! | Reads: list packages (a POST), show package, list pending items, system task | transport errors (connect, timeout, dropped or cut answers), 429, 502, 503, 504, a garbled 2xx body | other 4xx, 500 |
//! | Writes: deploy, revoke, package | connect errors (nothing reached the server), 429 (the gateway rejects before the service sees it), one 401 "signature expired" (re-signed) | timeouts, dropped connections, 5xx |
//!
//! - Every attempt is signed again with a fresh `X-Sdk-Date`.
//! - Backoff is exponential (`initial_backoff · 2^n`, default 200 ms, capped at 5 s) with
//!   equal jitter; `Retry-After` is honoured, capped at 30 s; default 4 attempts.
//! - One attempt is bounded by [`ClientBuilder::attempt_timeout`] (30 s), a whole call
//!   including retries by [`ClientBuilder::total_timeout`] (120 s).
//! - A client-side rate limiter (default 10 requests/s, the service's per-user limit,
//!   evenly spaced) paces every request ([`ClientBuilder::rate_limit`]).
//! - Backoff sleeps, deadlines, polling and pacing all use tokio's clock, so tests can run
//!   them on a paused clock (`#[tokio::test(start_paused = true)]`).
//! - **Deploy reconciliation**: when a deploy fails ambiguously (timeout, connection lost
//!   after sending, 5xx, unreadable success answer), the client reads every package back
//!   (`show_factory_package_detail`) and re-sends only those still awaiting review (`deploy_status` 1 and
//!   `delete_flag` 0); packages found releasing, released or failed count as released (their
//!   task id is then unknown, and [`Deployment::wait`] polls their package status instead).
//!   Revoke and package creation are not reconciled: read the state back yourself.
//! - **Refused batches are taken apart**: when the service refuses a whole deploy because of
//!   one package's state or existence, the client reads the packages' states (the package
//!   list 100 at a time, or one read per id, whichever takes fewer requests), gives each id
//!   its own result ([`DeployResult::AlreadyReleased`], or a refusal naming its own
//!   [`PackageCondition`]) and re-sends only the ids still awaiting review. Re-running a
//!   batch is therefore safe: see [`Client::deploy_all`].
//! - **All or nothing, dry run, interruption**: [`DeployAll::all_or_nothing`] reads every
//!   package's state first and sends nothing unless every one can be released;
//!   [`DeployAll::plan`] is the dry run ([`DeployPlan`]); [`DeployAll::stop_when`] sends no new
//!   chunk once its future completes (a signal, say), lets a request in flight finish within
//!   [`DeployAll::stop_grace`], and reports the ids never sent as [`DeployResult::NotSent`].
//! - **Waiting scales with the number of releases**: each poll round of
//!   [`Deployment::wait`] reads a few releases one by one (release task, with subtask
//!   progress) and many from the package list, 100 per request (the releasing ones, then the
//!   recently ended ones), whichever costs fewer requests that round: about N/100 requests a
//!   round for N releases.
//!
//! # Credentials and configuration
//!
//! [`Credentials::aksk`], [`Credentials::temporary`] (with security token) or
//! [`Credentials::token`] (IAM token), or temporary credentials fetched at run time:
//! [`Credentials::oidc`] (OIDC id token exchanged with STS), [`Credentials::idp_federation`]
//! (IAM identity-provider federation), [`Credentials::ecs_metadata`] (the instance's
//! agency) and [`Credentials::pod_identity`] (CCE). [`Client::from_env`] reads the same
//! variables and profile file as Huawei's SDKs, in their order, plus ours
//! ([`ClientBuilder::from_env_source`] has the details). Secrets are kept in `secrecy`
//! types and never appear in `Debug`, `Display`, errors or traces.
//!
//! - **Renewal**: fetched credentials are fetched on first use and renewed once less than
//!   `min(10 min, a quarter of their lifetime)` remains, by one request at a time; the
//!   others keep using the still-valid set. A failed renewal is retried with backoff while
//!   the set is valid; after it expires, operations fail with [`Error::Credentials`]
//!   ([`CredentialProblem::Expired`]) naming the source and the last failure. A request
//!   the gateway refuses because the security token expired is renewed and re-signed once.
//! - **Signing**: every AK/SK request, and the project lookup, is signed with the
//!   [`SigningAlgorithm`] of [`ClientBuilder::signing_algorithm`] (`SDK-HMAC-SHA256` by
//!   default, `SDK-HMAC-SM3`, `SDK-ECDSA-P256-SHA256`, `SDK-SM2-SM3`); the key is derived
//!   once per credential set.
//! - **Project id**: without one, the client looks it up in IAM the first time it is
//!   needed ([`Client::resolve_project_id`]): `GET /v3/projects?name={region}`, or the IAM
//!   token's own projects; once per client. [`Client::auth_report`] shows what was found.
//!
//! # Errors
//!
//! One [`Error`] type. Service errors carry status, code, message and request id:
//! `DLF.0810 Task does not exist. (request id 3f…): check the id …`. Branch on
//! [`Error::kind`] ([`ErrorKind`]) and the predicates [`Error::is_not_found`],
//! [`Error::is_auth`], [`Error::is_retryable`], [`Error::is_package_state`]...; read
//! [`Error::code`] and [`Error::request_id`]. Configuration errors name the [`Setting`], its
//! [`Origin`] and the [`ConfigProblem`]; input errors the [`Input`] and the
//! [`InputProblem`]; a request that could not be prepared on this machine is
//! [`Error::Local`] with a [`LocalProblem`]. None of them needs its message read.
//!
//! # Serialisation
//!
//! Domain types ([`ReleasePackage`], [`SystemTask`], [`Progress`], [`ReleaseResult`]...)
//! implement `serde::Serialize` (enums in `snake_case`, `Unknown` values kept), for JSON
//! output.
//!
//! # Tracing
//!
//! Each request runs in a `dataarts_request` span with `operation`, `attempt`, `status`,
//! `request_id` and `latency_ms`. Error bodies are logged at debug level only; headers and
//! secrets never.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod auth;
mod batch;
mod client;
mod config;
mod credentials;
mod error;
mod error_body;
mod ids;
mod model;
mod ops;
mod pace;
mod paging;
mod retry;
mod source;
mod transport;
mod validate;
mod wait;
mod waiter;

pub use auth::{
    AuthEndpoints, AuthReport, CredentialProblem, CredentialSource, EcsMetadata, IdToken,
    IdpFederation, OidcFederation, PodIdentity, ProjectIdSource,
};
pub use batch::{BatchReport, DeployAll, PackageOutcome, DEFAULT_STOP_GRACE};
pub use client::Client;
pub use config::{ClientBuilder, DEFAULT_RATE_LIMIT};
pub use credentials::Credentials;
pub use error::{
    ConfigProblem, DiscoveryProblem, Error, ErrorKind, Input, InputProblem, LocalProblem, Origin,
    ProxyUsed, Result, ServiceError, Setting,
};
pub use ids::{PackageId, PendingItemId, TaskId};
pub use model::{
    Approver, CreatedPackage, DeployStatus, EpochMillis, PackageDetail, PackageItem, Page,
    PendingItem, ReleasePackage, ReleaseState, SortDirection, SubTask, SystemTask, TaskStatus,
    TaskType, UpdateType,
};
pub use ops::deploy::{
    DeployPlan, DeployRequest, DeployResult, DeployedPackage, Deployment, PackageCondition,
    PlannedPackage, WaitForDeployment, WaitForPackage, MAX_DEPLOY_IDS,
};
pub use ops::packages::ListPackages;
pub use ops::pending::{CreatePackage, ListPendingItems};
pub use ops::tasks::WaitForTask;
pub use retry::RetryPolicy;
pub use source::{
    EnvSource, ENV_AK, ENV_AUTH_TOKEN, ENV_AUTH_TOKEN_FILE, ENV_CREDENTIALS_FILE, ENV_ENDPOINT,
    ENV_IAM_ENDPOINT, ENV_IDP_ID, ENV_ID_TOKEN_FILE, ENV_METADATA_ENDPOINT, ENV_OIDC_AGENCY_URN,
    ENV_OIDC_DURATION_SECONDS, ENV_OIDC_ID_TOKEN, ENV_OIDC_POLICY, ENV_OIDC_POLICY_IDS,
    ENV_OIDC_PROVIDER_URN, ENV_OIDC_SESSION_NAME, ENV_OIDC_TOKEN_FILE, ENV_POD_CREDENTIALS_URI,
    ENV_POD_TOKEN_FILE, ENV_PROJECT_ID, ENV_REGION, ENV_SECURITY_TOKEN, ENV_SIGNING_ALGORITHM,
    ENV_SK, ENV_STS_ENDPOINT, ENV_V1_ENDPOINT, ENV_WORKSPACE,
};
pub use transport::{Clock, SystemClock};
pub use wait::{Progress, ReleaseOutcome, ReleaseResult};

/// The generated low-level client, for anything this crate does not wrap.
pub use dataarts_release_raw as raw;
/// The service's operations, as named in errors ([`Error::operation`]).
pub use dataarts_release_raw::Operation;
/// The algorithm AK/SK requests are signed with.
pub use dataarts_signing::Algorithm as SigningAlgorithm;

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The workspace README's Rust example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExample;
