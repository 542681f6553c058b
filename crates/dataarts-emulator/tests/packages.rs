//! Listing and revoking release packages, listing and packaging pending items.

mod common;

use common::*;
use dataarts_release_raw::Operation;
use serde_json::json;

#[tokio::test]
async fn list_packages_filters_sorts_and_pages() {
    let emu = start().await;
    // No body, {} and filters.
    let m = client()
        .post(format!("{}{}", emu.url(), list_path()))
        .header("X-Auth-Token", dataarts_emulator::DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    let r = read(m).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["total"], json!(3));
    let v = call(&emu, "POST", &list_path(), Some(json!({})), &[])
        .await
        .json();
    assert_eq!(v["total"], json!(3));
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["package_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["23", "13", "12"]); // apply_timestamp desc
    for p in v["data"].as_array().unwrap() {
        assert_eq!(
            p["package_approvers"][0]["user_name"],
            json!("deployer_user")
        );
        assert_eq!(p["project_id"], json!(format!("{P}-workspace-{WS}")));
        assert!(p.get("deploy_timestamp").is_none());
    }
    let v = call(&emu, "POST", &list_path(), Some(json!({"order_column": "package_id", "sorted_direction": "ASC", "limit": 2, "offset": 1})), &[]).await.json();
    assert_eq!(v["total"], json!(3));
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["package_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["13", "23"]);
    let v = call(
        &emu,
        "POST",
        &list_path(),
        Some(json!({"key_word": "HOURLY"})),
        &[],
    )
    .await
    .json();
    assert_eq!(v["total"], json!(1));
    call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"]})),
        &[],
    )
    .await;
    let v = call(
        &emu,
        "POST",
        &list_path(),
        Some(json!({"deploy_status_filter": [5]})),
        &[],
    )
    .await
    .json();
    assert_eq!(v["total"], json!(1));
    assert_eq!(v["data"][0]["package_id"], json!("23"));
    let v = call(
        &emu,
        "POST",
        &list_path(),
        Some(json!({"deploy_user_name": "deployer_user", "apply_user_name_filter": ["dev_user"]})),
        &[],
    )
    .await
    .json();
    assert_eq!(v["total"], json!(1));
    let v = call(
        &emu,
        "POST",
        &list_path(),
        Some(json!({"apply_begin_time": 1747030000000_i64, "apply_end_time": 1747030060000_i64})),
        &[],
    )
    .await
    .json();
    assert_eq!(v["total"], json!(1));
    let typed: dataarts_release_raw::types::ListReleasePackagesResponse =
        serde_json::from_value(v).unwrap();
    assert_eq!(typed.data[0].package_id.as_deref(), Some("13"));
    for bad in [
        json!({"limit": 0}),
        json!({"offset": -1}),
        json!({"sorted_direction": "up"}),
        json!({"order_column": "x"}),
        json!({"key_word": 5}),
        json!({"limit": null}),
    ] {
        let r = call(&emu, "POST", &list_path(), Some(bad.clone()), &[]).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "EMU.0002"),
            "{bad} -> {}",
            r.text
        );
    }
}

#[tokio::test]
async fn cancel_revokes_all_or_nothing() {
    let emu = start().await;
    // Unknown id in the list: nothing changes.
    let r = call(
        &emu,
        "POST",
        &cancel_path(),
        Some(json!({"package_ids": ["12", "999"]})),
        &[],
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.0810"));
    assert_eq!(r.json()["error_msg"], json!("Task does not exist."));
    let s = call(&emu, "GET", &show_path("12"), None, &[]).await.json();
    assert_eq!(s["release_package"]["delete_flag"], json!(0));
    // The documented example.
    let r = call(
        &emu,
        "POST",
        &cancel_path(),
        Some(json!({"package_ids": ["12", "13"]})),
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.text, "");
    let s = call(&emu, "GET", &show_path("12"), None, &[]).await.json();
    assert_eq!(s["release_package"]["delete_flag"], json!(1));
    assert_eq!(s["release_package"]["deploy_status"], json!(1));
    // Still listed; items unpackaged.
    let v = call(&emu, "POST", &list_path(), Some(json!({})), &[])
        .await
        .json();
    assert_eq!(v["total"], json!(3));
    let p = call(&emu, "GET", &pending_path(), None, &[("workspace", WS)])
        .await
        .json();
    let flag = |id: &str| {
        p["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["pending_item_id"] == json!(id))
            .unwrap()["package_flag"]
            .clone()
    };
    assert_eq!(flag("20"), json!(0));
    assert_eq!(flag("22"), json!(0));
    // Revoked: cannot release or revoke again.
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["12"]})),
        &[],
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0003"));
    let r = call(
        &emu,
        "POST",
        &cancel_path(),
        Some(json!({"package_ids": ["13"]})),
        &[],
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0003"));
    // A package being released cannot be revoked.
    call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"]})),
        &[],
    )
    .await;
    let r = call(
        &emu,
        "POST",
        &cancel_path(),
        Some(json!({"package_ids": ["23"]})),
        &[],
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0003"));
    assert!(r.json()["error_msg"].as_str().unwrap().contains("23"));
}

#[tokio::test]
async fn pending_items_listing_and_packaging() {
    let emu = start().await;
    let v = call(&emu, "GET", &pending_path(), None, &[("workspace", WS)])
        .await
        .json();
    assert_eq!(v["total"], json!(5));
    let item26 = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["pending_item_id"] == json!("26"))
        .unwrap()
        .clone();
    assert_eq!(item26["package_flag"], json!(0));
    assert_eq!(
        item26["submit_user_id"],
        json!("f8ccc2ff3c7748e8a7bfede38ae1cffa")
    );
    assert_eq!(item26["project_id"], json!(format!("{P}-workspace-{WS}")));
    let typed: dataarts_release_raw::types::ListPendingItemsResponse =
        serde_json::from_value(v).unwrap();
    assert_eq!(typed.total, Some(5));
    // Filters and paging.
    let q = |s: &str| format!("{}?{s}", pending_path());
    assert_eq!(
        call(
            &emu,
            "GET",
            &q("item_name=BATCH"),
            None,
            &[("workspace", WS)]
        )
        .await
        .json()["total"],
        json!(1)
    );
    assert_eq!(
        call(&emu, "GET", &q("task_type=2"), None, &[("workspace", WS)])
            .await
            .json()["total"],
        json!(1)
    );
    assert_eq!(
        call(&emu, "GET", &q("update_type=2"), None, &[("workspace", WS)])
            .await
            .json()["total"],
        json!(0)
    );
    assert_eq!(
        call(
            &emu,
            "GET",
            &q("start_time=1747100000000&end_time=1747106400000"),
            None,
            &[("workspace", WS)]
        )
        .await
        .json()["total"],
        json!(2)
    );
    assert_eq!(
        call(
            &emu,
            "GET",
            &q("submit_user_name=dev_user"),
            None,
            &[("workspace", WS)]
        )
        .await
        .json()["total"],
        json!(5)
    );
    let page = call(
        &emu,
        "GET",
        &q("limit=2&offset=3"),
        None,
        &[("workspace", WS)],
    )
    .await
    .json();
    assert_eq!(page["total"], json!(5));
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    for bad in [
        "limit=0",
        "limit=101",
        "limit=x",
        "offset=-1",
        "task_type=job",
    ] {
        let r = call(&emu, "GET", &q(bad), None, &[("workspace", WS)]).await;
        assert_eq!((r.status, r.code().as_str()), (400, "EMU.0002"), "{bad}");
    }

    // Package item 26 (documented example).
    let body = json!({"apply_user_id": "f8ccc2ff3c7748e8a7bfede38ae1cffa", "package_name": "job_0948_20250513112100444444",
                      "pending_item_list": ["26"], "approver_ids": ["0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7"]});
    let r = call(
        &emu,
        "POST",
        &package_path(),
        Some(body.clone()),
        &[("workspace", WS)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"package_name": "job_0948_20250513112100444444", "release_package_id": "27"})
    );
    let s = call(&emu, "GET", &show_path("27"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(1));
    assert_eq!(s["release_package"]["delete_flag"], json!(0));
    assert_eq!(s["task_details"][0]["pending_item_id"], json!("26"));
    let v = call(&emu, "GET", &pending_path(), None, &[("workspace", WS)])
        .await
        .json();
    let item26 = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["pending_item_id"] == json!("26"))
        .unwrap()
        .clone();
    assert_eq!(item26["package_flag"], json!(1));
    // Already packaged.
    let r = call(
        &emu,
        "POST",
        &package_path(),
        Some(body.clone()),
        &[("workspace", WS)],
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0003"));
    // The new package can be released.
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["27"]})),
        &[],
    )
    .await;
    assert_eq!(
        r.json()["deploy_package_details"][0]["package_id"],
        json!(27)
    );
    let j = emu.journal();
    let created = j
        .iter()
        .find(|e| {
            e.operation == Some(Operation::CreateFactoryPendingItemsPackage) && e.status == 200
        })
        .unwrap();
    assert_eq!(created.package_ids, vec!["27".to_string()]);
    assert!(created.applied);

    // The second demo project serves the documented packaging request verbatim.
    let r = call(
        &emu,
        "POST",
        "/v2/62099355b894428e8916573ae635f1f9/factory/pending-items/package",
        Some(body),
        &[("workspace", WS)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
