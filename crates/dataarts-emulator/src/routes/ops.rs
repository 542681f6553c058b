//! The seven operations: parse and validate the request, apply it to the state, serialize the
//! answer with the generated types.

use dataarts_release_raw::types::{
    CancelBody, CreatePackageBody, DeployBody, ListReleasePackagesBody,
};
use dataarts_release_raw::Operation;
use serde::Serialize;

use super::body::{
    check_content_type, check_id_list, check_int, check_lengths, convert, parse_object, query_int,
    query_pairs, query_str, require, string_list,
};
use super::matcher::Route;
use crate::error::ApiError;
use crate::gateway::Principal;
use crate::ids::HexIds;
use crate::journal::CappedIds;
use crate::state::{PendingQuery, Scope, StateCell};

/// Documented fields of the release request (none nullable).
const DEPLOY_FIELDS: &[&str] = &["startup_mode"];
/// Documented fields of the package query (none nullable).
const LIST_FIELDS: &[&str] = &[
    "key_word",
    "apply_user_name",
    "deploy_user_name",
    "apply_begin_time",
    "apply_end_time",
    "deploy_begin_time",
    "deploy_end_time",
    "apply_user_name_filter",
    "deploy_user_name_filter",
    "deploy_status_filter",
    "sorted_direction",
    "order_column",
    "limit",
    "offset",
];
/// Required fields of the packaging request.
const CREATE_FIELDS: &[&str] = &[
    "apply_user_id",
    "package_name",
    "pending_item_list",
    "approver_ids",
];

/// Most approvers of a new package.
const MAX_APPROVERS: usize = 100;
/// Longest approver id, in bytes.
const MAX_USER_ID: usize = 128;
/// Longest package name, in bytes.
const MAX_PACKAGE_NAME: usize = 1024;

/// A successful operation.
#[derive(Debug)]
pub(crate) struct OpOk {
    /// JSON body (`None`: 200 with no body, as a revoke answers).
    pub body: Option<Vec<u8>>,
    /// Whether state changed.
    pub applied: bool,
}

/// The result of an operation, with the package IDs for the journal (capped).
#[derive(Debug)]
pub(crate) struct OpResult {
    pub outcome: Result<OpOk, ApiError>,
    pub package_ids: CappedIds,
}

/// Everything an operation reads from the request.
pub(crate) struct OpRequest<'a> {
    pub route: &'a Route,
    pub headers: &'a http::HeaderMap,
    pub raw_query: &'a str,
    pub body: &'a [u8],
    pub principal: &'a Principal,
}

/// Runs one operation against the state (the lock is taken here and never held across an
/// await).
pub(crate) fn execute(state: &StateCell, ids: &HexIds, req: &OpRequest<'_>) -> OpResult {
    let mut package_ids = CappedIds::default();
    let outcome = run(state, ids, req, &mut package_ids);
    OpResult {
        outcome,
        package_ids,
    }
}

fn json<T: Serialize>(v: &T, applied: bool) -> Result<OpOk, ApiError> {
    serde_json::to_vec(v)
        .map(|b| OpOk {
            body: Some(b),
            applied,
        })
        .map_err(|e| ApiError::invalid(format!("cannot serialize the response: {e}")))
}

fn workspace(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get("workspace")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn run(
    state: &StateCell,
    ids: &HexIds,
    req: &OpRequest<'_>,
    package_ids: &mut CappedIds,
) -> Result<OpOk, ApiError> {
    let route = req.route;
    let project = route.project.as_str();
    if route.op.has_body() {
        check_content_type(req.headers)?;
    }
    let ws = workspace(req.headers);
    let scope = Scope {
        project,
        workspace: ws.as_deref(),
    };
    let caller = req.principal.user_id.as_deref();
    match route.op {
        Operation::DeployFactoryPackages => {
            let m =
                parse_object(req.body, DEPLOY_FIELDS, &[])?.ok_or_else(ApiError::not_configured)?;
            *package_ids = string_list(&m, "package_ids");
            require(&m, "package_ids")?;
            check_id_list(&m, "package_ids", 100)?;
            check_int(&m, "startup_mode", 0..=1, "0 or 1")?;
            let body: DeployBody = convert(m)?;
            let mut st = state.lock();
            let now = st.now();
            let resp = st.deploy(scope, &body, caller, ids, now)?;
            drop(st);
            json(&resp, true)
        }
        Operation::ListFactoryReleasePackages => {
            let m = parse_object(req.body, LIST_FIELDS, &[])?.unwrap_or_default();
            check_int(&m, "limit", 1..=i64::from(i32::MAX), "a positive integer")?;
            check_int(
                &m,
                "offset",
                0..=i64::from(i32::MAX),
                "an integer of at least 0",
            )?;
            let body: ListReleasePackagesBody = convert(m)?;
            let resp = state.lock().list_packages(scope, &body)?;
            json(&resp, false)
        }
        Operation::ShowFactoryPackageDetail => {
            let id = route.id.clone().unwrap_or_default();
            *package_ids = CappedIds::one(&id);
            let resp = state.lock().show_package(scope, &id)?;
            json(&resp, false)
        }
        Operation::CancelFactoryPackages => {
            let m = parse_object(req.body, &[], &["package_ids"])?
                .ok_or_else(ApiError::not_configured)?;
            *package_ids = string_list(&m, "package_ids");
            check_id_list(&m, "package_ids", usize::MAX)?;
            let body: CancelBody = convert(m)?;
            state.lock().cancel(scope, &body.package_ids)?;
            Ok(OpOk {
                body: None,
                applied: true,
            })
        }
        Operation::ListFactoryPendingItems => {
            let ws = ws.ok_or_else(ApiError::not_configured)?;
            let q = query_pairs(req.raw_query);
            let numeric = |k: &str| query_int(&q, k, 1..=3, "a numeric string: 1, 2 or 3", true);
            let millis =
                |k: &str| query_int(&q, k, 0..=i64::MAX, "milliseconds since the epoch", true);
            let limit = query_int(&q, "limit", 1..=100, "an integer from 1 to 100", false)?;
            let offset = query_int(
                &q,
                "offset",
                0..=i64::from(i32::MAX),
                "an integer of at least 0",
                false,
            )?;
            let query = PendingQuery {
                submit_user_name: query_str(&q, "submit_user_name"),
                item_name: query_str(&q, "item_name"),
                update_type: numeric("update_type")?.map(|n| n as i32),
                task_type: numeric("task_type")?.map(|n| n as i32),
                start_time: millis("start_time")?,
                end_time: millis("end_time")?,
                limit: limit.unwrap_or(10) as usize,
                offset: offset.unwrap_or(0) as usize,
            };
            let resp = state.lock().list_pending(project, &ws, &query)?;
            json(&resp, false)
        }
        Operation::CreateFactoryPendingItemsPackage => {
            let ws = ws.ok_or_else(ApiError::not_configured)?;
            let m =
                parse_object(req.body, &[], CREATE_FIELDS)?.ok_or_else(ApiError::not_configured)?;
            check_id_list(&m, "pending_item_list", 100)?;
            check_id_list(&m, "approver_ids", MAX_APPROVERS)?;
            check_lengths(&m, "approver_ids", MAX_USER_ID)?;
            check_lengths(&m, "package_name", MAX_PACKAGE_NAME)?;
            let body: CreatePackageBody = convert(m)?;
            let mut st = state.lock();
            let now = st.now();
            let resp = st.create_package(project, &ws, &body, now)?;
            drop(st);
            if let Some(id) = &resp.release_package_id {
                *package_ids = CappedIds::one(id);
            }
            json(&resp, true)
        }
        Operation::ListSystemTasks => {
            let id = route.id.clone().unwrap_or_default();
            let (task, times) = {
                let st = state.lock();
                (st.system_task(project, &id)?, st.system_task_times())
            };
            crate::task_times::render(&task, times)
                .map(|b| OpOk {
                    body: Some(b),
                    applied: false,
                })
                .map_err(|e| ApiError::invalid(format!("cannot serialize the response: {e}")))
        }
    }
}
