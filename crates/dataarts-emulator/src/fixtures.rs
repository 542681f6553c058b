//! The fixtures JSON format: the emulator's initial state, and the demo data.

use std::collections::HashSet;
use std::path::Path;

use dataarts_release_raw::status::{DeployStatus, TaskStatus};
use dataarts_release_raw::types::{SubTask, SystemTask};
use dataarts_release_raw::EpochMillis;
use serde::{Deserialize, Serialize};

use crate::error::EmulatorError;
use crate::ids::is_hex32;

mod identity;

pub use identity::{
    IdentityFixture, IdentityProviderFixture, OidcProviderFixture, DEMO_DOMAIN_ID, DEMO_IDP_ID,
    DEMO_ID_TOKEN, DEMO_OIDC_AGENCY_URN, DEMO_OIDC_PROVIDER_URN, DEMO_POD_TOKEN, DEMO_REGION,
    DEMO_REGION_2,
};

/// The documented demo project (`b384b9e9ab9b4ee8994c8633aabc9505`).
pub const DEMO_PROJECT_ID: &str = "b384b9e9ab9b4ee8994c8633aabc9505";
/// The second project of the documentation (the packaging example's), also in the demo data.
pub const DEMO_PROJECT_ID_2: &str = "62099355b894428e8916573ae635f1f9";
/// The default workspace of the demo projects.
pub const DEMO_WORKSPACE_ID: &str = "d1cd7861478748a6925bc02f47c69279";
/// The demo applicant (developer) user id, `dev_user`.
pub const DEMO_DEV_USER_ID: &str = "f8ccc2ff3c7748e8a7bfede38ae1cffa";
/// The demo approver (deployer) user id, `deployer_user`.
pub const DEMO_DEPLOYER_USER_ID: &str = "0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7";
/// The demo access key id. Obviously fake; accepted only by an emulator started in demo mode
/// without other credentials.
pub const DEMO_AK: &str = "DEMOAKEMULATOR000001";
/// The demo secret key matching [`DEMO_AK`].
pub const DEMO_SK: &str = "DemoSecretKeyOfTheDataArtsEmulator000001";
/// The demo IAM token (`X-Auth-Token`), accepted in demo mode without other credentials.
pub const DEMO_TOKEN: &str = "demo-token-for-the-dataarts-emulator";

/// The emulator's initial state, as loaded from a fixtures JSON file.
///
/// Every list may be omitted. IDs of packages and pending items are numeric strings (the
/// release answer sends package ids as JSON numbers); all other IDs are opaque strings (32 lowercase hex by
/// convention). See the crate documentation for a complete example.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Workspace users: applicants, submitters and approvers.
    #[serde(default)]
    pub users: Vec<UserFixture>,
    /// Projects, each with its workspaces, pending items, packages and finished system tasks.
    #[serde(default)]
    pub projects: Vec<ProjectFixture>,
    /// Credentials the gateway accepts, in addition to those configured in code or flags.
    #[serde(default)]
    pub credentials: Vec<CredentialFixture>,
    /// Identity providers, OIDC providers, the ECS metadata agency and pod-identity tokens:
    /// the emulated IAM, STS, metadata service and pod identity issue temporary credentials
    /// from these. Omitted: those routes refuse everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityFixture>,
    /// Enforce the console's role rules when packaging: approvers must have the `deployer` or
    /// `admin` role and must not be the applicant (else 400 `DLF.6888`). Off by default.
    #[serde(default)]
    pub enforce_roles: bool,
}

/// A user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFixture {
    /// User ID.
    pub id: String,
    /// User name.
    pub name: String,
    /// Roles: `developer`, `deployer`, `admin`, `operator`, `viewer`.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A project (IAM project of a region).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFixture {
    /// Project ID, as it appears in request paths.
    pub id: String,
    /// IAM project name: the region id (e.g. `cn-north-4`) for a region's project. IAM's
    /// project query (`GET /v3/projects?name=<region>`) finds projects by it; without a name
    /// a project is never found by region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// DataArts Studio workspaces of the project; at most one has `default: true`.
    #[serde(default)]
    pub workspaces: Vec<WorkspaceFixture>,
    /// Finished system tasks the system-task query can read (e.g. the documented import task).
    /// Written in that query's response shape.
    #[serde(default)]
    pub system_tasks: Vec<SystemTask>,
}

/// A workspace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFixture {
    /// Workspace ID (the `workspace` header).
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether this is the project's default workspace (used when no `workspace` header is sent).
    #[serde(default)]
    pub default: bool,
    /// Submitted job or script versions (the pending items).
    #[serde(default)]
    pub pending_items: Vec<PendingItemFixture>,
    /// Release packages. Their `items` must be pending items of this workspace.
    #[serde(default)]
    pub packages: Vec<PackageFixture>,
}

/// A pending item (a submitted job or script version).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingItemFixture {
    /// Pending item ID, a numeric string.
    pub pending_item_id: String,
    /// Job or script name.
    pub item_name: String,
    /// Job or script ID; defaults to `item_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// Script ID (script items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_id: Option<String>,
    /// `1` job (default), `2` script, `3` resource.
    #[serde(default = "one")]
    pub task_type: i32,
    /// `1` add (default), `2` modify, `3` delete.
    #[serde(default = "one")]
    pub update_type: i32,
    /// Version in production (default 0).
    #[serde(default)]
    pub deployed_version: i32,
    /// Version waiting for release (default 1).
    #[serde(default = "one")]
    pub pending_version: i32,
    /// Submit time, ms.
    pub submit_timestamp: i64,
    /// Submitter user ID (its name comes from `users`).
    pub submit_user_id: String,
}

/// A release package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageFixture {
    /// Package ID, a numeric string.
    pub package_id: String,
    /// Package name.
    pub package_name: String,
    /// Application time, ms.
    pub apply_timestamp: i64,
    /// Applicant user ID.
    pub apply_user_id: String,
    /// Approver user IDs.
    #[serde(default)]
    pub approver_ids: Vec<String>,
    /// Pending item IDs in this package (at least one).
    pub items: Vec<String>,
    /// `deploy_status`: `1` awaiting review (default), `2` released or `3` failed. (`5`,
    /// releasing, needs a running task and cannot be loaded.)
    #[serde(default = "one")]
    pub deploy_status: i32,
    /// `1` when revoked.
    #[serde(default)]
    pub delete_flag: i32,
    /// Release time, ms (packages in status 2 or 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_timestamp: Option<i64>,
    /// Deployer user ID (packages in status 2 or 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_user_id: Option<String>,
    /// The `asy_task_id` the package's first release gets (32 lowercase hex characters), so
    /// a documented example can be replayed exactly; later releases get random ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_task_id: Option<String>,
}

/// A credential the gateway accepts: an AK/SK pair (optionally temporary, with a security
/// token) or an IAM token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialFixture {
    /// Access key ID (with `sk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ak: Option<String>,
    /// Secret key (with `ak`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sk: Option<String>,
    /// For temporary AK/SK: the `X-Security-Token` every request must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_token: Option<String>,
    /// An accepted `X-Auth-Token` value (instead of `ak`/`sk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The user this credential acts as (recorded as the deployer of releases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Projects this credential may access; omitted = every project of the fixtures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<Vec<String>>,
}

fn one() -> i32 {
    1
}

impl Fixtures {
    /// The demo data: projects `b384b9e9ab9b4ee8994c8633aabc9505` and
    /// `62099355b894428e8916573ae635f1f9`, each with the default workspace
    /// `d1cd7861478748a6925bc02f47c69279`; in the first, packages `12`, `13` and `23` awaiting
    /// review (`23` holds one item) and the unpackaged pending item `26`; the user `dev_user`
    /// (applicant) and `deployer_user` (approver); the documented finished import system task;
    /// the IAM project names [`DEMO_REGION`] and [`DEMO_REGION_2`] of the two projects and the
    /// demo identity ([`IdentityFixture::demo`]). Equal to `fixtures/demo.json`. Holds no
    /// AK/SK or token: see [`crate::EmulatorBuilder::demo`].
    pub fn demo() -> Self {
        let item = |id: &str, name: &str, task_type: i32, ts: i64| PendingItemFixture {
            pending_item_id: id.into(),
            item_name: name.into(),
            task_id: None,
            script_id: (task_type == 2).then(|| format!("script_{name}")),
            task_type,
            update_type: 1,
            deployed_version: 0,
            pending_version: 1,
            submit_timestamp: ts,
            submit_user_id: DEMO_DEV_USER_ID.into(),
        };
        let package = |id: &str, name: &str, ts: i64, items: &[&str]| PackageFixture {
            package_id: id.into(),
            package_name: name.into(),
            apply_timestamp: ts,
            apply_user_id: DEMO_DEV_USER_ID.into(),
            approver_ids: vec![DEMO_DEPLOYER_USER_ID.into()],
            items: items.iter().map(|s| s.to_string()).collect(),
            deploy_status: DeployStatus::AwaitingReview.code(),
            delete_flag: 0,
            deploy_timestamp: None,
            deploy_user_id: None,
            release_task_id: None,
        };
        let import_task_id = "008aae2e675d3bcb01675d40ab3f0005";
        let (started, ended) = (
            EpochMillis(1_544_777_081_000),
            EpochMillis(1_544_777_083_000),
        );
        let import_task = SystemTask {
            id: import_task_id.into(),
            name: Some("Import the job from obs://aaaaa/job_batch.zip.".into()),
            project_id: Some(DEMO_PROJECT_ID.into()),
            start_time: Some(started),
            end_time: Some(ended),
            last_update: Some(ended),
            message: None,
            status: TaskStatus::Successful.as_wire().into(),
            subtasks: vec![SubTask {
                id: Some("008aae2e67abe2ff0167abe3a7e70002".into()),
                name: Some("Import the job_batch job.".into()),
                status: Some(TaskStatus::Successful.as_wire().into()),
                start_time: Some(started),
                end_time: Some(ended),
                last_update: Some(ended),
                task_id: Some(import_task_id.into()),
            }],
            sub_tasks: Vec::new(),
        };
        Fixtures {
            users: vec![
                UserFixture {
                    id: DEMO_DEV_USER_ID.into(),
                    name: "dev_user".into(),
                    roles: vec!["developer".into()],
                },
                UserFixture {
                    id: DEMO_DEPLOYER_USER_ID.into(),
                    name: "deployer_user".into(),
                    roles: vec!["deployer".into()],
                },
            ],
            projects: vec![
                ProjectFixture {
                    id: DEMO_PROJECT_ID.into(),
                    name: Some(DEMO_REGION.into()),
                    workspaces: vec![WorkspaceFixture {
                        id: DEMO_WORKSPACE_ID.into(),
                        name: Some("default".into()),
                        default: true,
                        pending_items: vec![
                            item("20", "job_daily_sales", 1, 1_747_020_000_000),
                            item("21", "cleanup_tmp", 2, 1_747_020_060_000),
                            item("22", "job_hourly_sync", 1, 1_747_030_000_000),
                            item("24", "job_0948", 1, 1_747_106_400_000),
                            item("26", "job_batch", 1, 1_747_106_400_000),
                        ],
                        packages: vec![
                            package("12", "job_daily_20250512", 1_747_020_120_000, &["20", "21"]),
                            package("13", "job_hourly_20250512", 1_747_030_060_000, &["22"]),
                            PackageFixture {
                                // The documented release example's task id.
                                release_task_id: Some("ff8080818c81c8ab018c8b43f85d0008".into()),
                                ..package(
                                    "23",
                                    "job_0948_20250513112100444444",
                                    1_747_106_460_000,
                                    &["24"],
                                )
                            },
                        ],
                    }],
                    system_tasks: vec![import_task],
                },
                ProjectFixture {
                    id: DEMO_PROJECT_ID_2.into(),
                    name: Some(DEMO_REGION_2.into()),
                    workspaces: vec![WorkspaceFixture {
                        id: DEMO_WORKSPACE_ID.into(),
                        name: Some("default".into()),
                        default: true,
                        pending_items: vec![item("26", "job_batch", 1, 1_747_106_400_000)],
                        packages: Vec::new(),
                    }],
                    system_tasks: Vec::new(),
                },
            ],
            credentials: Vec::new(),
            identity: Some(IdentityFixture::demo()),
            enforce_roles: false,
        }
    }

    /// Parses fixtures from JSON text.
    ///
    /// # Errors
    ///
    /// [`EmulatorError::FixturesJson`] for invalid JSON or shape, and
    /// [`EmulatorError::FixturesInvalid`] for inconsistent data (see [`Fixtures::validate`]).
    pub fn from_json(text: &str) -> Result<Self, EmulatorError> {
        let f: Fixtures = serde_json::from_str(text)
            .map_err(|source| EmulatorError::FixturesJson { path: None, source })?;
        f.validate()?;
        Ok(f)
    }

    /// Reads and parses a fixtures file.
    ///
    /// # Errors
    ///
    /// As [`Fixtures::from_json`], plus [`EmulatorError::FixturesIo`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, EmulatorError> {
        let path = path.as_ref();
        let text = read_fixtures_file(path).map_err(|source| EmulatorError::FixturesIo {
            path: path.to_path_buf(),
            source,
        })?;
        let f: Fixtures =
            serde_json::from_str(&text).map_err(|source| EmulatorError::FixturesJson {
                path: Some(path.to_path_buf()),
                source,
            })?;
        f.validate()?;
        Ok(f)
    }

    /// Checks consistency: unique IDs, numeric package and pending-item IDs, at most one
    /// default workspace per project, package items that exist in the package's workspace and
    /// belong to at most one active package, statuses in range, complete credentials.
    ///
    /// # Errors
    ///
    /// [`EmulatorError::FixturesInvalid`] naming the first problem.
    pub fn validate(&self) -> Result<(), EmulatorError> {
        let bad = |m: String| Err(EmulatorError::FixturesInvalid(m));
        let mut users = HashSet::new();
        for u in &self.users {
            if !users.insert(u.id.as_str()) {
                return bad(format!("duplicate user id {:?}", u.id));
            }
        }
        let mut projects = HashSet::new();
        for p in &self.projects {
            if p.id.is_empty() || p.id.contains('/') {
                return bad(format!("invalid project id {:?}", p.id));
            }
            if !projects.insert(p.id.as_str()) {
                return bad(format!("duplicate project id {:?}", p.id));
            }
            if p.workspaces.iter().filter(|w| w.default).count() > 1 {
                return bad(format!(
                    "project {} has more than one default workspace",
                    p.id
                ));
            }
            let mut ws_ids = HashSet::new();
            let mut item_ids = HashSet::new();
            let mut package_ids = HashSet::new();
            for w in &p.workspaces {
                if !ws_ids.insert(w.id.as_str()) {
                    return bad(format!(
                        "duplicate workspace id {:?} in project {}",
                        w.id, p.id
                    ));
                }
                let mut local_items = HashSet::new();
                for i in &w.pending_items {
                    if i.pending_item_id.parse::<i64>().is_err() {
                        return bad(format!(
                            "pending item id {:?} is not a numeric string",
                            i.pending_item_id
                        ));
                    }
                    if !item_ids.insert(i.pending_item_id.as_str()) {
                        return bad(format!(
                            "duplicate pending item id {:?} in project {}",
                            i.pending_item_id, p.id
                        ));
                    }
                    local_items.insert(i.pending_item_id.as_str());
                }
                let mut packaged = HashSet::new();
                for pk in &w.packages {
                    if pk.package_id.parse::<i64>().is_err() {
                        return bad(format!(
                            "package id {:?} is not a numeric string",
                            pk.package_id
                        ));
                    }
                    if !package_ids.insert(pk.package_id.as_str()) {
                        return bad(format!(
                            "duplicate package id {:?} in project {}",
                            pk.package_id, p.id
                        ));
                    }
                    let status = DeployStatus::from_code(pk.deploy_status);
                    if !matches!(
                        status,
                        DeployStatus::AwaitingReview
                            | DeployStatus::Succeeded
                            | DeployStatus::Failed
                    ) {
                        return bad(format!(
                            "package {}: deploy_status must be 1, 2 or 3",
                            pk.package_id
                        ));
                    }
                    if ![0, 1].contains(&pk.delete_flag) {
                        return bad(format!(
                            "package {}: delete_flag must be 0 or 1",
                            pk.package_id
                        ));
                    }
                    if pk.items.is_empty() {
                        return bad(format!("package {} has no items", pk.package_id));
                    }
                    if let Some(task) = pk.release_task_id.as_deref().filter(|t| !is_hex32(t)) {
                        return bad(format!(
                            "package {}: release_task_id {task:?} must be 32 lowercase hexadecimal characters",
                            pk.package_id
                        ));
                    }
                    let active = pk.delete_flag == 0 && status != DeployStatus::Failed;
                    for it in &pk.items {
                        if !local_items.contains(it.as_str()) {
                            return bad(format!(
                                "package {} refers to pending item {:?}, which is not in workspace {}",
                                pk.package_id, it, w.id
                            ));
                        }
                        if active && !packaged.insert(it.as_str()) {
                            return bad(format!(
                                "pending item {it:?} is in more than one active package"
                            ));
                        }
                    }
                }
            }
            let mut task_ids = HashSet::new();
            for t in &p.system_tasks {
                if t.id.is_empty() || !task_ids.insert(t.id.as_str()) {
                    return bad(format!("empty or duplicate system task id {:?}", t.id));
                }
            }
        }
        if let Some(problem) = self.identity.as_ref().and_then(IdentityFixture::problem) {
            return bad(problem);
        }
        for c in &self.credentials {
            let aksk = c.ak.is_some() || c.sk.is_some();
            if aksk
                && (c.ak.as_deref().unwrap_or("").is_empty()
                    || c.sk.as_deref().unwrap_or("").is_empty())
            {
                return bad("a credential has ak without sk or sk without ak".into());
            }
            if aksk == c.token.is_some() {
                return bad("each credential needs either ak and sk, or token".into());
            }
            if c.security_token.is_some() && !aksk {
                return bad("security_token needs ak and sk".into());
            }
        }
        Ok(())
    }
}

/// The largest fixtures file read (far above any realistic data set).
const MAX_FIXTURES_FILE: u64 = 64 * 1024 * 1024;

/// Reads a fixtures file: regular files only (checked before opening, since opening a FIFO
/// blocks and a device never ends), at most [`MAX_FIXTURES_FILE`] bytes.
fn read_fixtures_file(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let not_regular = || {
        Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a directory, device, FIFO or socket)",
        )
    };
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    let mut text = String::new();
    file.take(MAX_FIXTURES_FILE + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FIXTURES_FILE {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("larger than {} MiB", MAX_FIXTURES_FILE / (1024 * 1024)),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_valid() {
        Fixtures::demo().validate().unwrap();
    }

    #[test]
    fn rejects_inconsistent_fixtures() {
        let mut f = Fixtures::demo();
        f.projects[0].workspaces[0].packages[0]
            .items
            .push("999".into());
        assert!(
            matches!(f.validate(), Err(EmulatorError::FixturesInvalid(m)) if m.contains("999"))
        );
        let mut f = Fixtures::demo();
        f.projects[0].workspaces[0].packages[0].package_id = "abc".into();
        assert!(f.validate().is_err());
        let mut f = Fixtures::demo();
        f.credentials.push(CredentialFixture {
            ak: Some("A".into()),
            ..Default::default()
        });
        assert!(f.validate().is_err());
        assert!(Fixtures::from_json("{").is_err());
        assert!(Fixtures::from_json(r#"{"nope":1}"#).is_err());
        assert_eq!(Fixtures::from_json("{}").unwrap(), Fixtures::default());
    }
}
