//! Pins the exact wire request of every generated operation, and the decoding of each
//! documented success response.
//!
//! Every operation of the raw client is driven against [`CaptureServer`], a hand-rolled
//! HTTP/1.1 server on `127.0.0.1:0`. Each captured request (method, path and query, headers
//! sorted by name, body as sent) is snapshotted with insta; the only values filtered are the
//! server port in `host` and `accept-encoding` (see [`CapturedRequest::render`]). The canned
//! answers are the spec's examples, and the decoded values are asserted field by field.

use std::num::NonZeroU32;

use dataarts_release_raw::types::{
    CancelBody, CreatePackageBody, DeployBody, ListReleasePackagesBody,
};
use dataarts_release_raw::{Client, EpochMillis, Hooks};
use dataarts_tests::{CannedResponse, CaptureServer, CapturedRequest};

const PROJECT: &str = "b384b9e9ab9b4ee8994c8633aabc9505";
const WORKSPACE: &str = "d1cd7861478748a6925bc02f47c69279";
const TASK_ID: &str = "ff8080818c81c8ab018c8b43f85d0008";

/// The seed's deploy example, byte for byte.
const DEPLOY_BODY: &str = r#"{"package_ids":["23"],"startup_mode":0}"#;
const DEPLOY_PATH: &str = "/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/deploy";

const DEPLOY_OK: &str = r#"{"deploy_package_details":[{"asy_subtask_num":1,"asy_task_id":"ff8080818c81c8ab018c8b43f85d0008","package_id":23}]}"#;

const RELEASE_PACKAGE: &str = r#"{
    "package_id": "23",
    "package_name": "job_0948_20250513112100444444",
    "apply_timestamp": 1747106460000,
    "apply_user_id": "f8ccc2ff3c7748e8a7bfede38ae1cffa",
    "apply_user_name": "dev_user",
    "deploy_status": 1,
    "delete_flag": 0,
    "package_approvers": [
        {"user_id": "0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7", "user_name": "deployer_user"}
    ],
    "project_id": "b384b9e9ab9b4ee8994c8633aabc9505-workspace-d1cd7861478748a6925bc02f47c69279",
    "workspace_id": "d1cd7861478748a6925bc02f47c69279"
}"#;

fn client(server: &CaptureServer) -> Client {
    Client::new_with_client(&server.url(), reqwest::Client::new(), Hooks::default())
}

fn json_ok(body: &str) -> CannedResponse {
    CannedResponse::json(200, body)
}

/// The deploy example body of the seed.
fn deploy_body() -> dataarts_release_raw::types::builder::DeployBody {
    DeployBody::builder()
        .package_ids(vec!["23".to_string()])
        .startup_mode(0)
}

/// Snapshots one captured request under `name` (see [`CapturedRequest::render`]).
fn assert_request_snapshot(name: &str, request: &CapturedRequest) {
    assert_eq!(request.version, "HTTP/1.1");
    insta::with_settings!({
        description => "Wire request of the generated raw client, captured by a loopback server \
                        (tests/tests/wire.rs). Host port replaced by [port], accept-encoding left out.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, request.render());
    });
}

// ---------------------------------------------------------------------------------------
// The seed's deploy example, asserted exactly (no snapshot needed to see it).
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn deploy_example_is_sent_byte_for_byte_with_workspace() {
    let server = CaptureServer::always(json_ok(DEPLOY_OK)).await;
    client(&server)
        .deploy_factory_packages()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .body(deploy_body())
        .send()
        .await
        .expect("deploy succeeds");

    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, DEPLOY_PATH);
    assert_eq!(request.body_text(), DEPLOY_BODY);
    assert_eq!(request.body, DEPLOY_BODY.as_bytes());
    assert_eq!(request.header("workspace"), Some(WORKSPACE));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("content-length"),
        Some(DEPLOY_BODY.len().to_string().as_str())
    );
}

#[tokio::test]
async fn deploy_example_without_workspace_sends_no_workspace_header() {
    let server = CaptureServer::always(json_ok(DEPLOY_OK)).await;
    client(&server)
        .deploy_factory_packages()
        .project_id(PROJECT)
        .body(deploy_body())
        .send()
        .await
        .expect("deploy succeeds");

    let request = server.single_request();
    assert_eq!(request.target, DEPLOY_PATH);
    assert_eq!(request.body, DEPLOY_BODY.as_bytes());
    assert!(
        request.header_values("workspace").is_empty(),
        "no workspace header expected: {:?}",
        request.headers
    );
    assert_request_snapshot("deploy_factory_packages_no_workspace", &request);
}

#[tokio::test]
async fn deploy_startup_mode_defaults_to_1_on_the_wire() {
    // `startup_mode` has default 1 in the spec; the builder fills it in.
    let server = CaptureServer::always(json_ok(DEPLOY_OK)).await;
    client(&server)
        .deploy_factory_packages()
        .project_id(PROJECT)
        .body(DeployBody::builder().package_ids(vec!["23".to_string(), "24".to_string()]))
        .send()
        .await
        .expect("deploy succeeds");
    assert_eq!(
        server.single_request().body_text(),
        r#"{"package_ids":["23","24"],"startup_mode":1}"#
    );
}

// ---------------------------------------------------------------------------------------
// One test per operation: snapshot the request, assert the decoded response.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn wire_deploy_factory_packages() {
    let server = CaptureServer::always(json_ok(DEPLOY_OK)).await;
    let response = client(&server)
        .deploy_factory_packages()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .body(deploy_body())
        .send()
        .await
        .expect("deploy succeeds");
    assert_request_snapshot("deploy_factory_packages", &server.single_request());

    assert_eq!(response.status().as_u16(), 200);
    let details = &response.deploy_package_details;
    assert_eq!(details.len(), 1);
    let package_id: Option<i64> = details[0].package_id;
    assert_eq!(package_id, Some(23_i64), "package_id is a JSON number here");
    assert_eq!(details[0].asy_subtask_num, Some(1));
    assert_eq!(details[0].asy_task_id.as_deref(), Some(TASK_ID));
}

#[tokio::test]
async fn wire_list_factory_release_packages() {
    let page = format!(r#"{{"total": 1, "data": [{RELEASE_PACKAGE}]}}"#);
    let server = CaptureServer::always(json_ok(&page)).await;
    let response = client(&server)
        .list_factory_release_packages()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .body(
            ListReleasePackagesBody::builder()
                .deploy_status_filter(vec![1])
                .key_word(Some("job_0948".to_string()))
                .limit(NonZeroU32::new(10))
                .offset(Some(0))
                .apply_begin_time(Some(1_747_000_000_000_i64)),
        )
        .send()
        .await
        .expect("list succeeds");
    assert_request_snapshot("list_factory_release_packages", &server.single_request());

    assert_eq!(response.total, Some(1));
    let package = &response.data[0];
    assert_eq!(
        package.package_id.as_deref(),
        Some("23"),
        "package_id is a string here"
    );
    assert_eq!(
        package.apply_timestamp,
        Some(EpochMillis(1_747_106_460_000))
    );
    assert_eq!(package.deploy_timestamp, None);
    assert_eq!(package.deploy_status, Some(1));
    assert_eq!(package.delete_flag, Some(0));
    assert_eq!(package.package_approvers.len(), 1);
    assert_eq!(
        package.package_approvers[0].user_name.as_deref(),
        Some("deployer_user")
    );
    assert_eq!(package.workspace_id.as_deref(), Some(WORKSPACE));
}

#[tokio::test]
async fn wire_list_factory_release_packages_empty_filter_sends_empty_object() {
    // "send `{}` to list everything": an untouched body builder serialises to `{}`.
    let server = CaptureServer::always(json_ok(r#"{"total":0,"data":[]}"#)).await;
    let response = client(&server)
        .list_factory_release_packages()
        .project_id(PROJECT)
        .body(ListReleasePackagesBody::builder())
        .send()
        .await
        .expect("list succeeds");
    assert_eq!(server.single_request().body_text(), "{}");
    assert_eq!(response.total, Some(0));
    assert!(response.data.is_empty());
}

#[tokio::test]
async fn wire_show_factory_package_detail() {
    let detail = format!(
        r#"{{
            "release_package": {RELEASE_PACKAGE},
            "task_details": [{{
                "pending_item_id": "26", "item_name": "job_batch", "task_type": 1,
                "update_type": 1, "deploy_status": 1, "deployed_version": 0,
                "pending_version": 1, "submit_timestamp": "1747106400000",
                "submit_user_id": "f8ccc2ff3c7748e8a7bfede38ae1cffa", "submit_user_name": "dev_user"
            }}]
        }}"#
    );
    let server = CaptureServer::always(json_ok(&detail)).await;
    let response = client(&server)
        .show_factory_package_detail()
        .project_id(PROJECT)
        .package_id("23")
        .workspace(WORKSPACE)
        .send()
        .await
        .expect("show succeeds");
    assert_request_snapshot("show_factory_package_detail", &server.single_request());

    assert_eq!(response.release_package.package_id.as_deref(), Some("23"));
    assert_eq!(
        response.release_package.apply_timestamp,
        Some(EpochMillis(1_747_106_460_000)),
        "EpochMillis from a JSON number"
    );
    let task = &response.task_details[0];
    assert_eq!(task.pending_item_id.as_deref(), Some("26"));
    assert_eq!(
        task.submit_timestamp,
        Some(EpochMillis(1_747_106_400_000)),
        "EpochMillis from a numeric string"
    );
    assert_eq!(task.task_type, Some(1));
    assert_eq!(task.script_id, None);
}

#[tokio::test]
async fn wire_show_factory_package_detail_encodes_the_path_parameter() {
    // Path parameters are percent-encoded (space, `/`, `?`, ...); `+` stays literal.
    let server = CaptureServer::always(json_ok(&format!(
        r#"{{"release_package":{RELEASE_PACKAGE},"task_details":[]}}"#
    )))
    .await;
    client(&server)
        .show_factory_package_detail()
        .project_id(PROJECT)
        .package_id("a b/c?d+e")
        .send()
        .await
        .expect("show succeeds");
    assert_eq!(
        server.single_request().target,
        "/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/a%20b%2Fc%3Fd+e"
    );
}

#[tokio::test]
async fn wire_cancel_factory_packages() {
    // Success has no body.
    let server = CaptureServer::always(CannedResponse::empty(200)).await;
    let response = client(&server)
        .cancel_factory_packages()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .body(CancelBody::builder().package_ids(vec!["12".to_string(), "13".to_string()]))
        .send()
        .await
        .expect("cancel succeeds");
    assert_request_snapshot("cancel_factory_packages", &server.single_request());

    assert_eq!(response.status().as_u16(), 200);
    let () = response.into_inner();
}

#[tokio::test]
async fn wire_list_factory_pending_items() {
    // Two items: `submit_timestamp` as a JSON number (documented) and as a numeric string
    // (how the official SDK models it); both decode to the same EpochMillis type.
    let page = r#"{
        "total": 2,
        "data": [
            {"pending_item_id": "26", "item_name": "job_batch", "task_id": "job_batch",
             "task_type": 1, "update_type": 1, "package_flag": 0, "deployed_version": 0,
             "pending_version": 1, "submit_timestamp": 1747106400000,
             "submit_user_id": "f8ccc2ff3c7748e8a7bfede38ae1cffa", "submit_user_name": "dev_user",
             "project_id": "b384b9e9ab9b4ee8994c8633aabc9505-workspace-d1cd7861478748a6925bc02f47c69279"},
            {"pending_item_id": "27", "item_name": "script_a", "task_type": 2,
             "update_type": 2, "submit_timestamp": "1747106500000", "future_field": true}
        ]
    }"#;
    let server = CaptureServer::always(json_ok(page)).await;
    let response = client(&server)
        .list_factory_pending_items()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .submit_user_name("dev_user")
        .item_name("job batch")
        .update_type("1")
        .task_type("1")
        .start_time("1747106400000")
        .end_time("1747110000000")
        .limit(NonZeroU32::new(10).expect("non-zero"))
        .offset(0)
        .send()
        .await
        .expect("list pending succeeds");
    let request = server.single_request();
    assert_request_snapshot("list_factory_pending_items", &request);
    assert_eq!(request.body, b"", "a GET has no body");
    assert_eq!(
        request.query(),
        Some(
            "end_time=1747110000000&item_name=job+batch&limit=10&offset=0\
             &start_time=1747106400000&submit_user_name=dev_user&task_type=1&update_type=1"
        ),
        "form-encoded query: `+` for a space, parameters in generated order"
    );

    assert_eq!(response.total, Some(2));
    assert_eq!(
        response.data[0].submit_timestamp,
        Some(EpochMillis(1_747_106_400_000))
    );
    assert_eq!(
        response.data[1].submit_timestamp,
        Some(EpochMillis(1_747_106_500_000))
    );
    assert_eq!(response.data[0].package_flag, Some(0));
    assert_eq!(response.data[1].task_type, Some(2));
    assert_eq!(response.data[1].package_flag, None);
}

#[tokio::test]
async fn wire_list_factory_pending_items_minimal_sends_no_query() {
    let server = CaptureServer::always(json_ok("{}")).await;
    let response = client(&server)
        .list_factory_pending_items()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .send()
        .await
        .expect("list pending succeeds");
    let request = server.single_request();
    assert_eq!(
        request.target,
        "/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/pending-items"
    );
    assert_eq!(request.header("workspace"), Some(WORKSPACE));
    assert_eq!(response.total, None);
    assert!(response.data.is_empty(), "`{{}}` decodes to an empty page");
}

#[tokio::test]
async fn wire_list_factory_pending_items_requires_workspace() {
    // The workspace header is required for this operation: nothing is sent without it.
    let server = CaptureServer::always(json_ok("{}")).await;
    let err = client(&server)
        .list_factory_pending_items()
        .project_id(PROJECT)
        .send()
        .await
        .expect_err("workspace is required");
    assert!(
        matches!(&err, dataarts_release_raw::Error::InvalidRequest(msg) if msg.contains("workspace")),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn wire_create_factory_pending_items_package() {
    let server = CaptureServer::always(json_ok(
        r#"{"package_name":"job_0948_20250513112100444444","release_package_id":"27"}"#,
    ))
    .await;
    let response = client(&server)
        .create_factory_pending_items_package()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .body(
            CreatePackageBody::builder()
                .apply_user_id("f8ccc2ff3c7748e8a7bfede38ae1cffa")
                .package_name("job_0948_20250513112100444444")
                .pending_item_list(vec!["26".to_string()])
                .approver_ids(vec!["0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7".to_string()]),
        )
        .send()
        .await
        .expect("create package succeeds");
    assert_request_snapshot(
        "create_factory_pending_items_package",
        &server.single_request(),
    );

    assert_eq!(response.release_package_id.as_deref(), Some("27"));
    assert_eq!(
        response.package_name.as_deref(),
        Some("job_0948_20250513112100444444")
    );
}

#[tokio::test]
async fn wire_list_system_tasks_documented_shape() {
    // The documented example: `subtasks`, numeric timestamps.
    let task = r#"{
        "id": "008aae2e67abe2ff0167abe3a28f0000",
        "name": "Import the job from obs://aaaaa/job_batch.zip.",
        "projectId": "b384b9e9ab9b4ee8994c8633aabc9505",
        "startTime": 1544777081000,
        "endTime": 1544777083000,
        "lastUpdate": 1544777083000,
        "status": "SUCCESSFUL",
        "subtasks": [{
            "id": "008aae2e67abe2ff0167abe3a7e70002",
            "lastUpdate": 1544777083000,
            "name": "Import the job_batch job.",
            "status": "SUCCESSFUL",
            "taskId": "008aae2e675d3bcb01675d40ab3f0005"
        }]
    }"#;
    let server = CaptureServer::always(json_ok(task)).await;
    let response = client(&server)
        .list_system_tasks()
        .project_id(PROJECT)
        .task_id(TASK_ID)
        .workspace(WORKSPACE)
        .send()
        .await
        .expect("system task succeeds");
    assert_request_snapshot("list_system_tasks", &server.single_request());

    assert_eq!(response.id, "008aae2e67abe2ff0167abe3a28f0000");
    assert_eq!(response.status, "SUCCESSFUL");
    assert_eq!(response.project_id.as_deref(), Some(PROJECT));
    assert_eq!(response.start_time, Some(EpochMillis(1_544_777_081_000)));
    assert_eq!(response.end_time, Some(EpochMillis(1_544_777_083_000)));
    assert_eq!(response.subtasks.len(), 1, "documented key `subtasks`");
    assert!(response.sub_tasks.is_empty());
    let sub = &response.subtasks[0];
    assert_eq!(
        sub.task_id.as_deref(),
        Some("008aae2e675d3bcb01675d40ab3f0005")
    );
    assert_eq!(sub.last_update, Some(EpochMillis(1_544_777_083_000)));
    assert_eq!(sub.start_time, None);
}

#[tokio::test]
async fn wire_list_system_tasks_sdk_shape() {
    // The official SDK's shape: `subTasks`, timestamps as numeric strings, an unknown
    // status value, an unknown field.
    let task = r#"{
        "id": "t1",
        "status": "PAUSED",
        "startTime": "1544777081000",
        "subTasks": [
            {"id": "s1", "status": "RUNNING", "startTime": "1544777081500", "endTime": 1544777082000},
            {"id": "s2", "status": "SUCCESSFUL"}
        ],
        "somethingNew": {"a": 1}
    }"#;
    let server = CaptureServer::always(json_ok(task)).await;
    let response = client(&server)
        .list_system_tasks()
        .project_id(PROJECT)
        .task_id("t1")
        .send()
        .await
        .expect("system task succeeds");
    let request = server.single_request();
    assert_eq!(
        request.target,
        "/v1/b384b9e9ab9b4ee8994c8633aabc9505/system-tasks/t1"
    );
    assert!(request.header_values("workspace").is_empty());

    assert_eq!(response.status, "PAUSED", "an unknown status still decodes");
    assert_eq!(response.start_time, Some(EpochMillis(1_544_777_081_000)));
    assert!(response.subtasks.is_empty());
    assert_eq!(response.sub_tasks.len(), 2, "SDK key `subTasks`");
    assert_eq!(
        response.sub_tasks[0].start_time,
        Some(EpochMillis(1_544_777_081_500))
    );
    assert_eq!(
        response.sub_tasks[0].end_time,
        Some(EpochMillis(1_544_777_082_000))
    );
    assert_eq!(response.sub_tasks[1].status.as_deref(), Some("SUCCESSFUL"));
}

#[tokio::test]
async fn every_operation_sends_api_version_and_accept() {
    // Facts shared by every request, asserted once over all seven operations.
    let server = CaptureServer::start(|req| match (req.method.as_str(), req.path()) {
        (_, p) if p.ends_with("/unpack") => CannedResponse::empty(200),
        _ => CannedResponse::json(500, r#"{"error_code":"X","error_msg":"ignored"}"#),
    })
    .await;
    let c = client(&server);
    let _ = c
        .deploy_factory_packages()
        .project_id(PROJECT)
        .body(deploy_body())
        .send()
        .await;
    let _ = c
        .list_factory_release_packages()
        .project_id(PROJECT)
        .body(ListReleasePackagesBody::builder())
        .send()
        .await;
    let _ = c
        .show_factory_package_detail()
        .project_id(PROJECT)
        .package_id("23")
        .send()
        .await;
    let _ = c
        .cancel_factory_packages()
        .project_id(PROJECT)
        .body(CancelBody::builder().package_ids(vec!["12".to_string()]))
        .send()
        .await;
    let _ = c
        .list_factory_pending_items()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .send()
        .await;
    let _ = c
        .create_factory_pending_items_package()
        .project_id(PROJECT)
        .workspace(WORKSPACE)
        .body(
            CreatePackageBody::builder()
                .apply_user_id("u")
                .package_name("p")
                .pending_item_list(vec!["1".to_string()])
                .approver_ids(vec!["a".to_string()]),
        )
        .send()
        .await;
    let _ = c
        .list_system_tasks()
        .project_id(PROJECT)
        .task_id(TASK_ID)
        .send()
        .await;

    let requests = server.requests();
    assert_eq!(requests.len(), 7, "one request per operation");
    for r in &requests {
        assert_eq!(r.header("api-version"), Some("2.0.0"), "{}", r.target);
        assert_eq!(r.header("accept"), Some("application/json"), "{}", r.target);
        assert!(
            r.header("authorization").is_none(),
            "the raw client never signs"
        );
        if r.method == "POST" {
            assert_eq!(
                r.header("content-type"),
                Some("application/json"),
                "{}",
                r.target
            );
            assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_ok());
        } else {
            assert!(r.body.is_empty(), "{} {} has a body", r.method, r.target);
        }
    }
}
