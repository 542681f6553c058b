//! The DLF and EMU errors of the operations: unknown ids, invalid requests, workspaces,
//! role rules.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn deploy_errors() {
    let emu = start().await;
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (json!({}), "DLF.0802"),
        (json!({"package_ids": null}), "DLF.0802"),
        (json!({"package_ids": []}), "DLF.0802"),
        (json!({"startup_mode": 1}), "DLF.0802"),
        (
            json!({"package_ids": (0..101).map(|i| i.to_string()).collect::<Vec<_>>()}),
            "EMU.0002",
        ),
        (
            json!({"package_ids": ["23"], "startup_mode": 2}),
            "EMU.0002",
        ),
        (
            json!({"package_ids": ["23"], "startup_mode": "1"}),
            "EMU.0002",
        ),
        (
            json!({"package_ids": ["23"], "startup_mode": null}),
            "EMU.0002",
        ),
        (json!({"package_ids": ["23", "23"]}), "EMU.0002"),
        (json!({"package_ids": "23"}), "EMU.0002"),
        (json!({"package_ids": [23]}), "EMU.0002"),
        (json!({"package_ids": ["999"]}), "DLF.0810"),
        (json!({"package_ids": ["23", "999"]}), "DLF.0810"),
    ];
    for (body, code) in cases {
        let r = call(&emu, "POST", &deploy_path(), Some(body.clone()), &[]).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, code),
            "{body} -> {}",
            r.text
        );
        assert!(r.json()["error_msg"].is_string());
    }
    // Nothing was released by any of them (23 was in a rejected all-or-nothing batch).
    assert_eq!(emu.release_count("23"), 0);
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["999"]})),
        &[],
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"error_code": "DLF.0810", "error_msg": "Task does not exist."})
    );
    // Malformed JSON, non-object, missing body, wrong content type.
    let raw = |body: &'static str, ct: Option<&'static str>| {
        let emu_url = emu.url();
        async move {
            let mut rb = client()
                .post(format!("{emu_url}{}", deploy_path()))
                .header("X-Auth-Token", dataarts_emulator::DEMO_TOKEN)
                .body(body);
            if let Some(ct) = ct {
                rb = rb.header("Content-Type", ct);
            }
            read(rb.send().await.unwrap()).await
        }
    };
    let r = raw("{\"package_ids\": [", Some("application/json")).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0001"));
    let r = raw("[\"23\"]", Some("application/json")).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0001"));
    let r = raw("", Some("application/json")).await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.0802"));
    let r = raw("{\"package_ids\": [\"23\"]}", Some("text/plain")).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0002"));
    let r = raw(
        "{\"package_ids\": [\"999\"]}",
        Some("APPLICATION/JSON; Charset=UTF-8"),
    )
    .await;
    assert_eq!(r.code(), "DLF.0810");
    let r = raw("{\"package_ids\": [\"999\"]}", None).await;
    assert_eq!(r.code(), "DLF.0810");
}

#[tokio::test]
async fn workspace_errors() {
    let emu = start().await;
    // Required by the pending-item list and packaging.
    let r = call(&emu, "GET", &pending_path(), None, &[]).await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.0802"));
    let r = call(&emu, "POST", &package_path(), Some(json!({"apply_user_id": "a", "package_name": "n", "pending_item_list": ["26"], "approver_ids": ["b"]})), &[]).await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.0802"));
    // Unknown workspace, on an op where it is optional and on one where it is required.
    let unknown = [("workspace", "00000000000000000000000000000000")];
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"]})),
        &unknown,
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0004"));
    let r = call(&emu, "GET", &pending_path(), None, &unknown).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0004"));
    // The explicit default workspace works.
    let r = call(&emu, "GET", &show_path("23"), None, &[("workspace", WS)]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn no_default_workspace() {
    let mut f = dataarts_emulator::Fixtures::demo();
    f.projects[0].workspaces[0].default = false;
    let emu = builder().fixtures(f).start().await.unwrap();
    let r = call(&emu, "GET", &show_path("23"), None, &[]).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0004"));
    let r = call(&emu, "GET", &show_path("23"), None, &[("workspace", WS)]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn create_package_errors() {
    let emu = start().await;
    let ws = [("workspace", WS)];
    let base = json!({"apply_user_id": "f8ccc2ff3c7748e8a7bfede38ae1cffa", "package_name": "p",
                      "pending_item_list": ["26"], "approver_ids": ["0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7"]});
    for key in [
        "apply_user_id",
        "package_name",
        "pending_item_list",
        "approver_ids",
    ] {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(key);
        let r = call(&emu, "POST", &package_path(), Some(b), &ws).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "DLF.0802"),
            "missing {key}"
        );
    }
    for (key, empty) in [
        ("pending_item_list", json!([])),
        ("approver_ids", json!([])),
        ("package_name", json!("")),
    ] {
        let mut b = base.clone();
        b[key] = empty;
        let r = call(&emu, "POST", &package_path(), Some(b), &ws).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "DLF.0802"),
            "empty {key}"
        );
    }
    let mut b = base.clone();
    b["pending_item_list"] = json!(["999"]);
    let r = call(&emu, "POST", &package_path(), Some(b), &ws).await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.0810"));
    let mut b = base.clone();
    b["pending_item_list"] = json!((0..101).map(|i| i.to_string()).collect::<Vec<_>>());
    let r = call(&emu, "POST", &package_path(), Some(b), &ws).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0002"));
    // Packaged items (24 is in package 23) cannot be packaged again.
    let mut b = base.clone();
    b["pending_item_list"] = json!(["24"]);
    let r = call(&emu, "POST", &package_path(), Some(b), &ws).await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0003"));
    // Nothing was created.
    assert_eq!(
        call(&emu, "POST", &list_path(), Some(json!({})), &[])
            .await
            .json()["total"],
        json!(3)
    );
}

#[tokio::test]
async fn role_rules_when_enforced() {
    let mut f = dataarts_emulator::Fixtures::demo();
    f.enforce_roles = true;
    let emu = builder().fixtures(f).start().await.unwrap();
    let ws = [("workspace", WS)];
    let mut body = json!({"apply_user_id": "f8ccc2ff3c7748e8a7bfede38ae1cffa", "package_name": "p",
                          "pending_item_list": ["26"], "approver_ids": ["f8ccc2ff3c7748e8a7bfede38ae1cffa"]});
    let r = call(&emu, "POST", &package_path(), Some(body.clone()), &ws).await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.6888"));
    body["approver_ids"] = json!(["0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7"]);
    let r = call(&emu, "POST", &package_path(), Some(body), &ws).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn show_and_cancel_unknown_package() {
    let emu = start().await;
    let r = call(&emu, "GET", &show_path("999"), None, &[]).await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.0810"));
    for body in [json!({}), json!({"package_ids": []})] {
        let r = call(&emu, "POST", &cancel_path(), Some(body), &[]).await;
        assert_eq!((r.status, r.code().as_str()), (400, "DLF.0802"));
    }
}
