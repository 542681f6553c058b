//! A faithful local DataArts Factory: the seven release-package operations of
//! `openapi/deploy.yaml`, behind an emulated Huawei Cloud API gateway (IAM token and AK/SK
//! signature checks in all four signing algorithms, project authorization, rate limits), with
//! in-memory state, seeded fault injection and a request journal; plus the identity services
//! a client authenticates with (IAM, STS, the ECS metadata service, CCE pod identity), which
//! issue temporary credentials the gateway accepts until they expire. For tests, demos,
//! benchmarks and users' own CI.
//!
//! # Quick start
//!
//! In process (tests):
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dataarts_emulator::{Emulator, TaskTiming, DEMO_PROJECT_ID};
//!
//! let emu = Emulator::builder()
//!     .demo()                         // demo data + demo credentials
//!     .task_timing(TaskTiming::Manual) // tests step release tasks explicitly
//!     .start()
//!     .await?;
//! let url = format!("{}/v2/{DEMO_PROJECT_ID}/factory/release-packages/deploy", emu.url());
//! // ... send {"package_ids": ["23"], "startup_mode": 0} with X-Auth-Token: DEMO_TOKEN ...
//! emu.complete_all_tasks();
//! assert_eq!(emu.release_count("23"), 1);
//! emu.shutdown().await;
//! # let _ = url; Ok(()) }
//! ```
//!
//! From the command line:
//!
//! ```text
//! $ dataarts-emulator --demo --port 8080
//! dataarts-emulator listening on http://127.0.0.1:8080
//! $ curl -s -X POST http://127.0.0.1:8080/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/deploy \
//!     -H 'X-Auth-Token: demo-token-for-the-dataarts-emulator' \
//!     -H 'Content-Type: application/json;charset=UTF-8' \
//!     -d '{"package_ids": ["23"], "startup_mode": 0}'
//! {"deploy_package_details":[{"asy_subtask_num":1,"asy_task_id":"<32 hex>","package_id":23}]}
//! ```
//!
//! Every operation answers on one port: the package and pending-item operations under
//! `/v2/...`, the system-task query (`list_system_tasks`) under `/v1/...`, also under the
//! documented `systemTasks` spelling. Routes come from the operation table generated from the
//! spec ([`dataarts_release_raw::Operation`]). Every response carries `X-Request-Id` (32
//! lowercase hex characters); JSON answers use `Content-Type: application/json;charset=UTF-8`.
//!
//! # Demo credentials
//!
//! Obviously fake, accepted only when the emulator runs with `--demo` (or
//! [`EmulatorBuilder::demo`]) and no other credential is configured; they may access the two
//! demo projects:
//!
//! | Kind | Value |
//! |---|---|
//! | AK ([`DEMO_AK`]) | `DEMOAKEMULATOR000001` |
//! | SK ([`DEMO_SK`]) | `DemoSecretKeyOfTheDataArtsEmulator000001` |
//! | `X-Auth-Token` ([`DEMO_TOKEN`]) | `demo-token-for-the-dataarts-emulator` |
//!
//! The demo identity ([`IdentityFixture::demo`], part of the demo data) hands out temporary
//! credentials (acting as `deployer_user`, for both demo projects) through:
//!
//! | Service | What it accepts |
//! |---|---|
//! | IAM identity-provider federation | `X-Idp-Id: demo-idp` ([`DEMO_IDP_ID`]) with the id token `demo-id-token` ([`DEMO_ID_TOKEN`]) |
//! | STS OIDC federation | provider [`DEMO_OIDC_PROVIDER_URN`], agency [`DEMO_OIDC_AGENCY_URN`], id token `demo-id-token` |
//! | ECS metadata service | any session token it issued (the ECS has an agency) |
//! | CCE pod identity | `Authorization: demo-pod-token` ([`DEMO_POD_TOKEN`]) |
//!
//! IAM's project lookup finds region `cn-north-4` ([`DEMO_REGION`]) →
//! `b384b9e9ab9b4ee8994c8633aabc9505` and `cn-east-3` ([`DEMO_REGION_2`]) →
//! `62099355b894428e8916573ae635f1f9`.
//!
//! Credentials given with [`EmulatorBuilder::aksk`], [`EmulatorBuilder::security_token`],
//! [`EmulatorBuilder::token`] (or `--ak/--sk`, `--token`) may access every project of the
//! fixtures; fixture credentials may be limited to some projects. A path `project_id` outside
//! the caller's projects gives 403 `APIGW.0302`.
//!
//! # Demo data
//!
//! [`Fixtures::demo`], identical to `crates/dataarts-emulator/fixtures/demo.json`: project
//! `b384b9e9ab9b4ee8994c8633aabc9505` with the default workspace
//! `d1cd7861478748a6925bc02f47c69279`, packages `12` (2 items), `13` and `23` (1 item each)
//! awaiting review, pending items `20`, `21`, `22`, `24` (packaged) and `26` (not packaged),
//! users `dev_user` (`f8ccc2ff3c7748e8a7bfede38ae1cffa`, applicant) and `deployer_user`
//! (`0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7`, approver), and the documented finished system task
//! `008aae2e675d3bcb01675d40ab3f0005`; project `62099355b894428e8916573ae635f1f9` (the
//! documented packaging example's project) with the same workspace id and pending item `26`. New packages and
//! items get numeric ids after the largest one loaded (`27` first in the demo).
//!
//! # Fixtures format
//!
//! ```json
//! {
//!   "users": [{"id": "f8cc...", "name": "dev_user", "roles": ["developer"]}],
//!   "projects": [{
//!     "id": "b384b9e9ab9b4ee8994c8633aabc9505",
//!     "name": "cn-north-4",
//!     "workspaces": [{
//!       "id": "d1cd7861478748a6925bc02f47c69279", "name": "default", "default": true,
//!       "pending_items": [{"pending_item_id": "26", "item_name": "job_batch",
//!                          "task_type": 1, "update_type": 1, "deployed_version": 0,
//!                          "pending_version": 1, "submit_timestamp": 1747106400000,
//!                          "submit_user_id": "f8cc..."}],
//!       "packages": [{"package_id": "23", "package_name": "job_0948_20250513112100444444",
//!                     "apply_timestamp": 1747106460000, "apply_user_id": "f8cc...",
//!                     "approver_ids": ["0c2b..."], "items": ["24"],
//!                     "deploy_status": 1, "delete_flag": 0}]
//!     }],
//!     "system_tasks": [{"id": "008a...", "status": "SUCCESSFUL", "...": "as the system-task query answers"}]
//!   }],
//!   "credentials": [
//!     {"ak": "MYAK", "sk": "MYSK", "projects": ["b384b9e9ab9b4ee8994c8633aabc9505"]},
//!     {"ak": "TMPAK", "sk": "TMPSK", "security_token": "sts-token"},
//!     {"token": "my-iam-token", "user_id": "0c2b..."}
//!   ],
//!   "identity": {
//!     "identity_providers": [{"id": "demo-idp", "id_tokens": ["demo-id-token"]}],
//!     "oidc_providers": [{"urn": "iam::<domain>:identityprovider:demo-oidc",
//!                         "id_tokens": ["demo-id-token"],
//!                         "agencies": ["iam::<domain>:agency:demo-agency"]}],
//!     "metadata_credentials": true,
//!     "pod_identity_tokens": ["demo-pod-token"],
//!     "user_id": "0c2b...",
//!     "projects": ["b384b9e9ab9b4ee8994c8633aabc9505"]
//!   },
//!   "enforce_roles": false
//! }
//! ```
//!
//! Every list and optional field may be left out; see [`Fixtures`] and its field types for
//! defaults. Package and pending-item ids are numeric strings; a package's `items` are pending
//! items of the same workspace; a pending item belongs to at most one active package.
//! `enforce_roles` switches on the console's packaging rules (approvers need the `deployer` or
//! `admin` role and must not be the applicant, else 400 `DLF.6888`). A project's `name` is its
//! IAM project name, the region id (`GET /v3/projects?name=<region>` finds it). `identity`
//! ([`IdentityFixture`]) says who may get temporary credentials; they act as `user_id` and may
//! access `projects` (omitted: every project); without `identity` the identity services refuse
//! everything. Unknown fields are rejected.
//!
//! # Identity services
//!
//! On the same port, not rate limited, journalled like the API (path without query, never a
//! secret; `operation` is `None`). Issued credentials are unique per call and valid for the
//! shorter of the duration asked for and the credential lifetime
//! ([`EmulatorBuilder::credential_lifetime`], `--credential-lifetime 30s`, default 1 h). The
//! gateway accepts them (AK/SK signature plus the matching `X-Security-Token`) for the
//! DataArts API and `/v3/projects` until they expire, then answers 401 `APIGW.0301` saying the
//! security token has expired. Times are UTC with microseconds, `2026-12-02T03:04:05.000000Z`.
//! The identity clock can be moved forward ([`RunningEmulator::advance_identity_clock`]) so
//! tests see an expiry without waiting. Issued credentials survive a reset.
//!
//! | Method and path | Answer |
//! |---|---|
//! | `PUT /meta-data/latest/api/token` (`X-Metadata-Token-Ttl-Seconds: 1..21600`) | 200, the session token as text |
//! | `GET /openstack/latest/securitykey` (`X-Metadata-Token`) | 200 `{"credential":{"access","secret","securitytoken","expires_at"}}`; 401 for a missing, unknown or expired token, or "Please configure Cloud Service Agency first" without `metadata_credentials` |
//! | `POST /pod-identity/v1/credentials` (`Authorization: <pod token>`) | 200 `{"credential":{...}}`; 401 for a wrong token |
//! | `POST /v3.0/OS-AUTH/id-token/tokens` (`X-Idp-Id`, `{"auth":{"id_token":{"id":...}}}`) | 201, `X-Subject-Token: <unscoped token>` (24 h), `{"token":{"expires_at","methods":["mapped"],...}}`; unknown IdP 404, refused id token 401 |
//! | `POST /v3.0/OS-CREDENTIAL/securitytokens` (`{"auth":{"identity":{"methods":["token"],"token":{"id","duration_seconds"}}}}`, or `X-Auth-Token`) | 201 `{"credential":{...}}`; the token may be an unscoped token or an accepted IAM token; `duration_seconds` 900 to 86400 (default 900) |
//! | `POST /v5/agencies/assume-with-oidc` (`{provider_urn, agency_urn, agency_session_name?, id_token, duration_seconds?, policy?, policy_ids?}`) | 200 `{"credentials":{"access_key_id","secret_access_key","security_token","expiration"},"assumed_agency":{...}}`; `duration_seconds` 900 to 43200 (default 3600) |
//! | `GET /v3/projects[?name=<region>]`, signed (any algorithm, permanent or temporary AK/SK) | 200 `{"projects":[{"id","name","domain_id","enabled","is_domain","parent_id",...}],"links":{...}}`, the caller's projects (empty list when none matches), with `X-IAM-Trace-Id` |
//! | `GET /v3/auth/projects` (`X-Auth-Token`) | 200, the token's projects |
//!
//! IAM and metadata errors are `{"error":{"code":401,"message":"...","title":"Unauthorized"}}`
//! (journalled as `IAM.<status>`); STS errors are `{"error_code","error_msg","request_id"}`:
//! 400 `STS.0001` (invalid body or duration), 401 `STS.0002` (id token refused), 403
//! `STS.0003` (agency not allowed), 404 `STS.0004` (unknown provider). Request bodies are
//! limited to 64 KiB (413).
//!
//! # Behaviour
//!
//! - Packages follow the documented lifecycle: awaiting review (`deploy_status` 1) → releasing
//!   (5, after a release) → released (2) or failed (3, see
//!   [`RunningEmulator::fail_release_of`]); only a package awaiting review can be released or
//!   revoked. Releasing and revoking validate every id before changing anything (all or
//!   nothing). A revoke sets `delete_flag` 1 and keeps the status; revoked packages stay
//!   visible to the package query and the package detail. `deploy_timestamp`/`deploy_user_*`
//!   appear once a package is released; `start_job_status` 2 appears on each item after a
//!   successful release with `startup_mode` 1.
//! - System tasks: one per released package (its `asy_task_id`, 32 lowercase hex), one subtask
//!   per package item, `RUNNING` → `SUCCESSFUL`/`FAILED`. The system-task query sends both
//!   `subtasks` and `subTasks`, numeric times, `projectId` and `taskId`. Timing:
//!   [`TaskTiming`]. The official Go and Java SDKs declare the times strings and cannot decode
//!   numbers: [`SystemTaskTimes::String`] (`--system-task-times string`,
//!   [`EmulatorBuilder::system_task_times`], `PUT /_emulator/system-task-times`) sends
//!   `startTime`, `endTime` and `lastUpdate` of the task and of every subtask as numeric
//!   strings instead (`"1544777083000"`).
//! - Pending items: packaging sets `package_flag` 1 (items stay listed); a successful release
//!   removes them from the pending-item list; a revoke sets the flag back to 0; a failed
//!   release leaves it at 1 (the item can be packaged again).
//! - Listing: `offset` counts rows by default; with [`OffsetUnit::Pages`]
//!   (`--offset-unit pages`, [`EmulatorBuilder::offset_unit`]) it is a page index and
//!   `offset * limit` rows are skipped, in both list operations. `total` counts rows.
//! - Requests: `Content-Type` must be `application/json` (any charset or case) or absent; GETs
//!   ignore it. The package query accepts no body and `{}`. Unknown JSON fields are ignored;
//!   `null` counts as absent. Bodies are limited to 12 MB (413 `APIGW.0201`).
//!
//! # Errors
//!
//! DLF-style errors are `{"error_code", "error_msg"}`; gateway errors (`APIGW.*`, and the
//! injected `EMU.0500`) add `request_id`, equal to the `X-Request-Id` header.
//!
//! | Case | HTTP | `error_code` |
//! |---|---|---|
//! | Unknown package (release, detail, revoke) or pending item (packaging) | 400 | `DLF.0810` "Task does not exist." |
//! | Unknown system task | 400 | `DLF.20810` "Task\[id\] does not exist" |
//! | Missing body or required field, empty `package_ids`/`pending_item_list`/`approver_ids`, blank `package_name`/`apply_user_id`, missing `workspace` header (pending-item list, packaging) | 400 | `DLF.0802` |
//! | Role rule broken (with `enforce_roles`) | 400 | `DLF.6888` |
//! | Malformed JSON, body not an object | 400 | `EMU.0001` |
//! | Invalid value: more than 100 ids, duplicate ids, `startup_mode` not 0/1, `limit`/`offset` out of range, bad `sorted_direction`/`order_column`, wrong types, `Content-Type` not JSON | 400 | `EMU.0002` |
//! | Package in a state that forbids the operation (not awaiting review, or revoked), item already packaged | 400 | `EMU.0003` |
//! | Unknown workspace, or no header and no default workspace | 400 | `EMU.0004` |
//! | No credentials, bad token, unknown AK, bad signature, `X-Sdk-Date` more than 15 min off, wrong `X-Security-Token`, issued temporary credentials past their `expires_at` ("the security token has expired") | 401 | `APIGW.0301` |
//! | Path `project_id` not accessible to the caller | 403 | `APIGW.0302` |
//! | Unknown path | 404 | `APIGW.0101` |
//! | Known path, wrong method (with `Allow`) | 405 | `APIGW.0101` |
//! | Body over 12 MB | 413 | `APIGW.0201` |
//! | Request the HTTP parser cannot read: malformed request line or header, NUL in a header, bad or conflicting `Content-Length`, `Transfer-Encoding` other than `chunked` (the connection is then closed) | 400 | `APIGW.0201` |
//! | Request target over 16 KiB ([`ConnectionLimits::max_uri_bytes`]) | 414 | `APIGW.0201` |
//! | Header names and values over 64 KiB in total ([`ConnectionLimits::max_header_bytes`]), a head over the 256 KiB parser buffer, or more than 100 header fields | 431 | `APIGW.0201` |
//! | Over a rate limit (with `Retry-After`, whole seconds ≥ 1) | 429 | `APIGW.0308` |
//! | Injected fault (`error_before`, `error_after`) | 500 | `EMU.0500` |
//!
//! The gateway checks, in order: route (404/405), body size, authentication (401), project
//! (403), rate limits (429); then faults are drawn, then the operation runs. The 400/414/431
//! rows above come first, for every path (admin and identity ones included).
//!
//! # Connections
//!
//! [`ConnectionLimits`] ([`EmulatorBuilder::connection_limits`]): a client that sends no byte
//! for 30 s while the emulator waits for one (`--idle-timeout`: idle keep-alive connections,
//! stalled bodies, answers not read) is disconnected; a request head must be complete 10 s
//! after its first byte (`--header-read-timeout`); at most 512 connections are open at once
//! (`--max-connections`), further clients wait in the listen backlog until one closes. A
//! client that shuts down its write side after sending still gets its answer. Timed-out
//! connections are closed without an answer; so is an HTTP/2 preface (HTTP/1.1 only).
//!
//! # Faults
//!
//! [`FaultConfig`]: added latency; `error_before` (500, nothing happens); `non_json_body` (502
//! with an HTML page, nothing happens); `throttle_burst` (429 `APIGW.0308`, `Retry-After: 1`,
//! nothing happens); `error_after` (the change happens, the client sees 500);
//! `drop_after` (the change happens, then the TCP connection is closed without a response);
//! `truncated_body` (the change happens, the client gets 200 with only the first half of the
//! JSON). Faults are drawn from a generator seeded with `seed`, so a sequence of requests
//! gets the same faults every run. Identity faults (not limited by `operations`):
//! `metadata_error` (the metadata service answers 500), `metadata_delay` (it answers only after
//! that delay: longer than a client's timeout plays "no metadata service"),
//! `metadata_without_token` (no session tokens: the token call answers 404 and the security
//! key is served without one), `iam_refuse_id_token` (IAM refuses the id token, 401), `sts_refuse_agency` (STS refuses the
//! agency, 403 `STS.0003`), `identity_malformed` (a JSON success answer of an identity service
//! is cut in half); CLI `--fault-metadata-error P`, `--fault-metadata-delay 10s`,
//! `--fault-metadata-without-token`, `--fault-iam-refuse-id-token P`,
//! `--fault-sts-refuse-agency P`, `--fault-identity-malformed P`. The journal records the fault of each request
//! ([`JournalEntry::fault`], a [`FaultKind`]).
//!
//! # API description and reference page
//!
//! The emulator serves the spec it implements and an HTML reference of it, to anyone (no
//! authentication, any `Host`: they are public documents and change nothing), never journalled
//! nor rate limited, `GET` and `HEAD` only (other methods: 405 `APIGW.0101` with
//! `Allow: GET, HEAD`). Every answer has `Cache-Control: no-cache` and an `ETag`
//! (`If-None-Match` gives 304).
//!
//! | Path | Answer |
//! |---|---|
//! | `/openapi.yaml` (also `/reference/openapi.yaml`) | the spec, `application/yaml`, byte for byte [`dataarts_release_raw::OPENAPI_YAML`] |
//! | `/openapi.json` (also `/reference/openapi.json`) | the same as JSON, [`dataarts_release_raw::OPENAPI_JSON`] |
//! | `/reference` | 308 to `/reference/` |
//! | `/reference/` (also `/reference/index.html`) | the API reference page: Swagger UI with every operation expanded, its request and response examples, the operation ids, and no "Try it out" |
//! | `/reference/reference.js`, `/reference/swagger-ui-bundle.js`, `/reference/swagger-ui.css` | the page's script and the vendored Swagger UI files |
//! | `/reference/LICENSE`, `/reference/NOTICE`, `/reference/swagger-ui-bundle.js.LICENSE.txt` | Swagger UI's licence texts |
//!
//! Any other path under `/reference/` gives 404 `APIGW.0101`. The page loads nothing from
//! another host; its `Content-Security-Policy` allows only the emulator itself.
//!
//! # Admin endpoints
//!
//! Under `/_emulator/`, without API authentication, never journaled nor rate limited. They
//! answer only local clients: the `Host` must be `127.0.0.1:PORT`, `localhost:PORT` or
//! `[::1]:PORT`; an `Origin` other than `http://` followed by one of those (`Origin: null`
//! included), a `Sec-Fetch-Site` other than `same-origin`/`none`, and an HTML-form content
//! type (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`) on any
//! method but `GET`, `HEAD` and `OPTIONS` are refused with 403 `EMU.0403`, so a web page the user opens cannot reset or
//! reconfigure the emulator (cross-site requests, DNS rebinding). With `--admin-token`
//! (or `DATAARTS_EMULATOR_ADMIN_TOKEN`, [`EmulatorBuilder::admin_token`]) every admin call
//! must also send `Authorization: Bearer <token>`, else 401 `EMU.0401`:
//!
//! ```text
//! $ curl -s -X POST -H "Authorization: Bearer $DATAARTS_EMULATOR_ADMIN_TOKEN" http://127.0.0.1:8080/_emulator/reset
//! {"status":"ok"}
//! ```
//!
//!
//! | Method and path | Effect |
//! |---|---|
//! | `GET /_emulator/health` | `{"status":"ok"}` |
//! | `GET /_emulator/journal[?after=SEQ]` | the journal, a JSON array of [`JournalEntry`] |
//! | `GET /_emulator/journal/stats` | [`JournalStats`]: entries, capacity, dropped entries, requests refused by authentication (counted, not journalled) |
//! | `GET /_emulator/faults`, `PUT /_emulator/faults` | read or replace the [`FaultConfig`] (JSON) |
//! | `GET /_emulator/rate-limits`, `PUT /_emulator/rate-limits` | read or replace the [`RateLimits`] (`{"per_user": 10, "per_api": null}`) |
//! | `GET /_emulator/paging`, `PUT /_emulator/paging` | read or replace the [`Paging`] settings (`{"offset_unit": "pages"}`; kept across resets) |
//! | `GET /_emulator/system-task-times`, `PUT /_emulator/system-task-times` | read or set how the system-task query writes its times, [`SystemTaskTimes`]: `{"format": "number"}` (default) or `{"format": "string"}`; answers the current value; kept across resets; any other body is 400 `EMU.0002` |
//! | `POST /_emulator/tasks/advance` | finish one more subtask of every running task |
//! | `POST /_emulator/tasks/complete` | finish every running task |
//! | `POST /_emulator/reset` | back to the initial fixtures (state, journal, buckets) |
//! | `GET /_emulator/releases` | `{"<package id>": <times released>}` |
//! | `POST /_emulator/packages/{id}/fail` | the next release of that package fails |
//! | `POST /_emulator/clock/advance` | moves the identity clock forward (`{"by": "1h"}`): issued credentials and tokens expire as if that time had passed |
//!
//! # Logs and exit codes of the binary
//!
//! `dataarts-emulator` logs to stderr (`RUST_LOG`, default `warn`), in colour only when stderr
//! is a terminal and `NO_COLOR` is unset; `--color always|never` decides instead. A request
//! whose signature does not match is logged at debug level with the canonical request the
//! emulator computed, every header value replaced by `<redacted>` (the signed header names,
//! method, path, query and body hash stay, to compare with the client's). Exit codes: 0 after
//! Ctrl-C or SIGTERM, 2 for invalid flags, fixtures or admin token, 6 when it cannot run (the
//! port is taken, the runtime or stdout fails).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod app;
mod cli;
mod config;
mod emulator;
mod error;
mod faults;
mod fixtures;
mod gateway;
mod identity;
mod ids;
mod journal;
mod limits;
mod routes;
mod server;
mod state;
mod task_times;

pub use cli::{run_cli, EmulatorArgs};
pub use config::{FaultConfig, OffsetUnit, Paging, RateLimits, TaskTiming};
pub use emulator::{
    Emulator, EmulatorBuilder, RunningEmulator, DEFAULT_CREDENTIAL_LIFETIME,
    DEFAULT_JOURNAL_CAPACITY,
};
pub use error::EmulatorError;
pub use faults::FaultKind;
pub use fixtures::{
    CredentialFixture, Fixtures, IdentityFixture, IdentityProviderFixture, OidcProviderFixture,
    PackageFixture, PendingItemFixture, ProjectFixture, UserFixture, WorkspaceFixture, DEMO_AK,
    DEMO_DEPLOYER_USER_ID, DEMO_DEV_USER_ID, DEMO_DOMAIN_ID, DEMO_IDP_ID, DEMO_ID_TOKEN,
    DEMO_OIDC_AGENCY_URN, DEMO_OIDC_PROVIDER_URN, DEMO_POD_TOKEN, DEMO_PROJECT_ID,
    DEMO_PROJECT_ID_2, DEMO_REGION, DEMO_REGION_2, DEMO_SK, DEMO_TOKEN, DEMO_WORKSPACE_ID,
};
pub use journal::{JournalEntry, JournalStats, RefusedAuth};
pub use limits::{
    ConnectionLimits, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_URI_BYTES, DEFAULT_PARSER_BUFFER_BYTES,
};
pub use routes::guard::AdminToken;
pub use task_times::SystemTaskTimes;
