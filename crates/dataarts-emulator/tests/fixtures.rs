//! The fixtures format: `fixtures/demo.json` equals the built-in demo data, and files load.

mod common;

use std::path::PathBuf;

use common::*;
use dataarts_emulator::{Emulator, EmulatorError, Fixtures, RateLimits};
use serde_json::json;

fn demo_json() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo.json")
}

#[test]
fn demo_json_equals_the_demo_data() {
    if std::env::var_os("DATAARTS_EMULATOR_WRITE_FIXTURES").is_some() {
        let text = serde_json::to_string_pretty(&Fixtures::demo()).unwrap() + "\n";
        std::fs::write(demo_json(), text).unwrap();
    }
    let loaded = Fixtures::from_file(demo_json()).expect("fixtures/demo.json loads");
    assert_eq!(loaded, Fixtures::demo());
    let p = &loaded.projects[0];
    assert_eq!(p.id, "b384b9e9ab9b4ee8994c8633aabc9505");
    let ids: Vec<&str> = p.workspaces[0]
        .packages
        .iter()
        .map(|k| k.package_id.as_str())
        .collect();
    assert_eq!(ids, ["12", "13", "23"]);
    assert_eq!(p.workspaces[0].packages[2].items.len(), 1);
    assert!(p.workspaces[0].default);
}

#[tokio::test]
async fn a_fixtures_file_drives_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.json");
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({
            "users": [{"id": "u1", "name": "alice", "roles": ["deployer"]}],
            "projects": [{"id": "p1", "workspaces": [{
                "id": "w1", "default": true,
                "pending_items": [{"pending_item_id": "5", "item_name": "j", "submit_timestamp": 1, "submit_user_id": "u1"}],
                "packages": [{"package_id": "7", "package_name": "pk", "apply_timestamp": 2,
                              "apply_user_id": "u1", "approver_ids": ["u1"], "items": ["5"]}]
            }]}],
            "credentials": [{"token": "t1", "user_id": "u1"}]
        }))
        .unwrap(),
    )
    .unwrap();
    let emu = Emulator::builder()
        .fixtures_file(&path)
        .unwrap()
        .rate_limits(RateLimits::disabled())
        .start()
        .await
        .unwrap();
    let r = call_token(
        &emu,
        "t1",
        "POST",
        "/v2/p1/factory/release-packages/deploy",
        Some(json!({"package_ids": ["7"]})),
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["deploy_package_details"][0]["package_id"],
        json!(7)
    );
    let s = call_token(
        &emu,
        "t1",
        "GET",
        "/v2/p1/factory/release-packages/7",
        None,
        &[],
    )
    .await
    .json();
    assert_eq!(s["release_package"]["deploy_user_name"], json!("alice"));
    assert_eq!(s["release_package"]["project_id"], json!("p1-workspace-w1"));
    // Demo credentials are not accepted without --demo.
    assert_eq!(
        call(&emu, "GET", "/v2/p1/factory/release-packages/7", None, &[])
            .await
            .status,
        401
    );
}

#[test]
fn bad_fixtures_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Emulator::builder().fixtures_file(dir.path().join("none.json"));
    assert!(matches!(missing, Err(EmulatorError::FixturesIo { .. })));
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\"projects\": [}").unwrap();
    let err = Emulator::builder().fixtures_file(&path).unwrap_err();
    assert!(matches!(err, EmulatorError::FixturesJson { .. }));
    assert!(err.to_string().contains("bad.json"));
    std::fs::write(&path, r#"{"projects": [{"id": "p", "workspaces": [{"id": "w", "packages": [{"package_id": "1", "package_name": "n", "apply_timestamp": 0, "apply_user_id": "u", "items": ["9"]}]}]}]}"#).unwrap();
    assert!(matches!(
        Emulator::builder().fixtures_file(&path).unwrap_err(),
        EmulatorError::FixturesInvalid(_)
    ));
}
