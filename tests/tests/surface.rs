//! Pins the public surface of the generated raw client.
//!
//! Parses `crates/dataarts-release-raw/src/generated.rs` with `syn` and renders one line per
//! fact a user of the client would notice: every operation (HTTP method, path, builder
//! setters with their Rust types, wire names of headers and query parameters, the `send()`
//! result and how each status is dispatched), every generated type (fields, serde names,
//! derives, allowed values, defaults) and every doc text taken from the spec. The summary is
//! snapshotted with insta, so any spec change that alters the generated code fails here
//! until the snapshot is reviewed (`cargo insta review`).
//!
//! The rendering survives rustfmt and changes to function bodies that do not alter
//! behaviour a caller can see.

mod surface_walk;

use surface_walk::{surface, tidy};

/// The seven operations of `openapi/deploy.yaml`, with method and path.
const EXPECTED_OPERATIONS: [(&str, &str, &str); 7] = [
    (
        "cancel_factory_packages",
        "POST",
        "/v2/{project_id}/factory/release-packages/unpack",
    ),
    (
        "create_factory_pending_items_package",
        "POST",
        "/v2/{project_id}/factory/pending-items/package",
    ),
    (
        "deploy_factory_packages",
        "POST",
        "/v2/{project_id}/factory/release-packages/deploy",
    ),
    (
        "list_factory_pending_items",
        "GET",
        "/v2/{project_id}/factory/pending-items",
    ),
    (
        "list_factory_release_packages",
        "POST",
        "/v2/{project_id}/factory/release-packages",
    ),
    (
        "list_system_tasks",
        "GET",
        "/v1/{project_id}/system-tasks/{task_id}",
    ),
    (
        "show_factory_package_detail",
        "GET",
        "/v2/{project_id}/factory/release-packages/{package_id}",
    ),
];

#[test]
fn generated_surface_snapshot() {
    let s = surface();
    let text = s.lines.join("\n") + "\n";
    insta::with_settings!({
        description => "Public surface of crates/dataarts-release-raw/src/generated.rs, one line per fact \
                        (tests/tests/surface.rs). After `cargo xtask codegen`, review with `cargo insta review`.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("generated_surface", text);
    });
}

#[test]
fn generated_surface_has_the_seven_operations() {
    let s = surface();
    let ids: Vec<&str> = s.operations.keys().map(String::as_str).collect();
    let expected: Vec<&str> = EXPECTED_OPERATIONS.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids.len(), 7, "operation count: {ids:?}");
    assert_eq!(ids, expected, "operation ids");
    for (id, method, path) in EXPECTED_OPERATIONS {
        let op = &s.operations[id];
        assert_eq!(op.http_method, method, "{id} method");
        assert_eq!(op.path, path, "{id} path");
        let builder_name = op
            .builder
            .trim_start_matches("builder::")
            .split('<')
            .next()
            .unwrap();
        let b = s
            .builders
            .get(builder_name)
            .unwrap_or_else(|| panic!("{id}: builder {builder_name} missing"));
        assert_eq!(
            b.operation_id.as_deref(),
            Some(id),
            "{id}: OperationInfo id"
        );
        let send = b
            .send
            .as_deref()
            .unwrap_or_else(|| panic!("{id}: no send()"));
        assert!(
            send.ends_with("Error<types::ErrorBody>>"),
            "{id}: error type is ErrorBody: {send}"
        );
        assert_eq!(b.setters["project_id"].kind, "required", "{id}: project_id");
        assert!(
            b.headers.iter().any(|h| h == "api-version"),
            "{id}: api-version header"
        );
        assert!(
            b.headers.iter().any(|h| h == "workspace"),
            "{id}: workspace header"
        );
    }
    // Exactly two operations require the workspace header.
    for (builder, kind) in [
        ("DeployFactoryPackages", "optional"),
        ("ListFactoryReleasePackages", "optional"),
        ("ShowFactoryPackageDetail", "optional"),
        ("CancelFactoryPackages", "optional"),
        ("ListFactoryPendingItems", "required"),
        ("CreateFactoryPendingItemsPackage", "required"),
        ("ListSystemTasks", "optional"),
    ] {
        assert_eq!(
            s.builders[builder].setters["workspace"].kind, kind,
            "{builder}.workspace"
        );
    }
}

#[test]
fn generated_surface_key_facts() {
    let s = surface();
    let deploy = &s.builders["DeployFactoryPackages"];
    assert_eq!(deploy.setters["body"].target, "types::DeployBody");
    assert_eq!(
        deploy.send.as_deref(),
        Some("async fn send() -> Result<ResponseValue<types::DeployResponse>, Error<types::ErrorBody>>")
    );
    assert_eq!(
        s.builders["CancelFactoryPackages"].send.as_deref(),
        Some("async fn send() -> Result<ResponseValue<()>, Error<types::ErrorBody>>"),
        "cancel has no success body"
    );
    let pending = &s.builders["ListFactoryPendingItems"];
    assert_eq!(
        pending.query,
        [
            "end_time",
            "item_name",
            "limit",
            "offset",
            "start_time",
            "submit_user_name",
            "task_type",
            "update_type"
        ]
    );
    assert_eq!(pending.setters["limit"].target, "NonZeroU32");
    // The deploy response's package_id is the one numeric package id.
    assert!(s.fields["DeployPackageDetail.package_id"].starts_with("Option<i64>"));
    assert!(s.fields["ReleasePackage.package_id"].starts_with("Option<String>"));
    // Both subtask keys decode.
    assert!(s.fields["SystemTask.sub_tasks"].contains("(json \"subTasks\")"));
    assert!(s.fields["SystemTask.subtasks"].starts_with("Vec<SubTask>"));
    // Timestamps use the hand-written EpochMillis.
    assert!(s.fields["PendingItem.submit_timestamp"].starts_with("Option<crate::EpochMillis>"));
    // Server-controlled statuses are plain values, never closed enums.
    assert!(s.fields["SystemTask.status"].starts_with("String"));
    assert!(s.fields["ReleasePackage.deploy_status"].starts_with("Option<i32>"));
    assert!(
        !s.lines
            .iter()
            .any(|l| l.starts_with("type ") && l.contains(" enum")),
        "no generated enums: a new server value must not break decoding"
    );
}

#[test]
fn tidy_strips_std_paths() {
    assert_eq!(
        tidy(":: std :: option :: Option < :: std :: vec :: Vec < :: std :: string :: String > >"),
        "Option<Vec<String>>"
    );
    assert_eq!(
        tidy("\"::std::option::Option::is_none\""),
        "\"Option::is_none\""
    );
    assert_eq!(
        tidy("std :: convert :: TryInto < types :: DeployBody >"),
        "TryInto<types::DeployBody>"
    );
    assert_eq!(tidy("crate :: EpochMillis"), "crate::EpochMillis");
}
