//! Every operation's happy path, the package lifecycle, and the DLF/EMU errors.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn documented_deploy_example() {
    let emu = start().await;
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"], "startup_mode": 0})),
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/json;charset=UTF-8"
    );
    let v = r.json();
    let details = v["deploy_package_details"].as_array().unwrap();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["package_id"], json!(23));
    assert!(details[0]["package_id"].is_i64());
    assert_eq!(details[0]["asy_subtask_num"], json!(1));
    // The demo replays the documented answer byte for byte.
    assert_eq!(
        r.text,
        r#"{"deploy_package_details":[{"asy_subtask_num":1,"asy_task_id":"ff8080818c81c8ab018c8b43f85d0008","package_id":23}]}"#
    );
    // It parses with the generated type too.
    let typed: dataarts_release_raw::types::DeployResponse = serde_json::from_str(&r.text).unwrap();
    assert_eq!(typed.deploy_package_details[0].package_id, Some(23));
    assert_eq!(emu.release_count("23"), 1);
    // The documented system task is then pollable, and a second release after a reset
    // gets the documented id again.
    let task = call(
        &emu,
        "GET",
        &format!(
            "/v1/{}/system-tasks/ff8080818c81c8ab018c8b43f85d0008",
            dataarts_emulator::DEMO_PROJECT_ID
        ),
        None,
        &[],
    )
    .await;
    assert_eq!(task.status, 200, "{}", task.text);
    emu.reset();
    let again = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"]})),
        &[],
    )
    .await;
    assert!(
        again.text.contains("ff8080818c81c8ab018c8b43f85d0008"),
        "{}",
        again.text
    );
}

#[tokio::test]
async fn release_lifecycle_to_successful_with_job_start() {
    let emu = start().await;
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["12"]})),
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let detail = &r.json()["deploy_package_details"][0];
    assert_eq!(detail["asy_subtask_num"], json!(2));
    let task_id = detail["asy_task_id"].as_str().unwrap().to_string();

    // Status 5 while running, with deployer fields, no start_job_status yet.
    let s = call(&emu, "GET", &show_path("12"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(5));
    assert_eq!(
        s["release_package"]["deploy_user_name"],
        json!("deployer_user")
    );
    assert!(s["release_package"]["deploy_timestamp"].is_i64());
    assert_eq!(s["task_details"].as_array().unwrap().len(), 2);
    assert!(s["task_details"][0].get("start_job_status").is_none());

    let t = call(&emu, "GET", &task_path(&task_id), None, &[])
        .await
        .json();
    assert_eq!(t["status"], json!("RUNNING"));
    assert!(t.get("endTime").is_none());
    assert_eq!(t["projectId"], json!(P));
    assert_eq!(t["subtasks"].as_array().unwrap().len(), 2);
    assert_eq!(t["subTasks"], t["subtasks"]);
    assert_eq!(t["subtasks"][0]["taskId"], json!(task_id));

    emu.advance_tasks();
    let t = call(&emu, "GET", &task_path(&task_id), None, &[])
        .await
        .json();
    assert_eq!(t["status"], json!("RUNNING"));
    assert_eq!(t["subtasks"][0]["status"], json!("SUCCESSFUL"));
    assert!(t["subtasks"][0]["endTime"].is_i64());
    assert_eq!(t["subtasks"][1]["status"], json!("RUNNING"));

    emu.advance_tasks();
    let t = call(&emu, "GET", &task_path(&task_id), None, &[])
        .await
        .json();
    assert_eq!(t["status"], json!("SUCCESSFUL"));
    assert!(t["endTime"].is_i64());
    let typed: dataarts_release_raw::types::SystemTask = serde_json::from_value(t.clone()).unwrap();
    assert_eq!(typed.sub_tasks.len(), 2);

    let s = call(&emu, "GET", &show_path("12"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(2));
    for item in s["task_details"].as_array().unwrap() {
        assert_eq!(item["deploy_status"], json!(2));
        assert_eq!(item["start_job_status"], json!(2)); // startup_mode defaulted to 1
    }
    // Released items leave op 5.
    let p = call(&emu, "GET", &pending_path(), None, &[("workspace", WS)])
        .await
        .json();
    let ids: Vec<&str> = p["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pending_item_id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"20") && !ids.contains(&"21"), "{ids:?}");
    assert!(ids.contains(&"26"));
    // A second release is refused with the wrong-state code, and does not count.
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["12"]})),
        &[],
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "EMU.0003"));
    assert_eq!(emu.release_count("12"), 1);
}

#[tokio::test]
async fn startup_mode_zero_records_no_job_start() {
    let emu = start().await;
    call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["23"], "startup_mode": 0})),
        &[],
    )
    .await;
    emu.complete_all_tasks();
    let s = call(&emu, "GET", &show_path("23"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(2));
    assert!(s["task_details"][0].get("start_job_status").is_none());
}

#[tokio::test]
async fn failed_release() {
    let emu = start().await;
    emu.fail_release_of("13");
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["13"]})),
        &[],
    )
    .await;
    let task_id = r.json()["deploy_package_details"][0]["asy_task_id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.complete_all_tasks();
    let t = call(&emu, "GET", &task_path(&task_id), None, &[])
        .await
        .json();
    assert_eq!(t["status"], json!("FAILED"));
    assert_eq!(t["subtasks"][0]["status"], json!("FAILED"));
    let s = call(&emu, "GET", &show_path("13"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(3));
    assert_eq!(s["task_details"][0]["deploy_status"], json!(3));
    // The item stays listed, still packaged.
    let p = call(&emu, "GET", &pending_path(), None, &[("workspace", WS)])
        .await
        .json();
    let item = p["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["pending_item_id"] == json!("22"))
        .unwrap()
        .clone();
    assert_eq!(item["package_flag"], json!(1));
}

#[tokio::test]
async fn automatic_timing_finishes_tasks() {
    let emu = builder()
        .task_timing(dataarts_emulator::TaskTiming::Auto {
            subtask: std::time::Duration::from_millis(30),
        })
        .start()
        .await
        .unwrap();
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["12"]})),
        &[],
    )
    .await;
    let task_id = r.json()["deploy_package_details"][0]["asy_task_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut status = String::new();
    for _ in 0..100 {
        let t = call(&emu, "GET", &task_path(&task_id), None, &[])
            .await
            .json();
        status = t["status"].as_str().unwrap().to_string();
        if status != "RUNNING" {
            assert!(t["endTime"].as_i64().unwrap() >= t["startTime"].as_i64().unwrap() + 60);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(status, "SUCCESSFUL");
    let s = call(&emu, "GET", &show_path("12"), None, &[]).await.json();
    assert_eq!(s["release_package"]["deploy_status"], json!(2));
}

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
        .find(|e| e.operation == "create_factory_pending_items_package" && e.status == 200)
        .unwrap();
    assert_eq!(created.package_ids, vec!["27".to_string()]);
    assert!(created.applied);

    // The second demo project serves op 6's documented request verbatim.
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

#[tokio::test]
async fn documented_system_task_example() {
    let emu = start().await;
    let r = call(
        &emu,
        "GET",
        &format!("/v1/{P}/systemTasks/008aae2e675d3bcb01675d40ab3f0005"),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], json!("SUCCESSFUL"));
    assert_eq!(v["endTime"], json!(1544777083000_i64));
    assert_eq!(v["subtasks"][0]["name"], json!("Import the job_batch job."));
    assert_eq!(v["subTasks"], v["subtasks"]);
    let r = call(
        &emu,
        "GET",
        &task_path("008aae2e675d3bcb01675d40ab3f0005"),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    let r = call(
        &emu,
        "GET",
        &task_path("008aae2e675d3bcb01675d40ab3f0009"),
        None,
        &[],
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "DLF.20810"));
    assert_eq!(
        r.json()["error_msg"],
        json!("Task[008aae2e675d3bcb01675d40ab3f0009] does not exist")
    );
    assert!(r.json().get("request_id").is_none());
}

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
    // Required on ops 5 and 6.
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

#[tokio::test]
async fn seeded_packages_are_deployable() {
    let emu = builder().seed_packages(50).start().await.unwrap();
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["1000", "1049"]})),
        &[],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = r.json()["deploy_package_details"].clone();
    assert_eq!(d[0]["package_id"], json!(1000));
    assert_eq!(d[1]["package_id"], json!(1049));
    assert_eq!(d[1]["asy_subtask_num"], json!(1));
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["1050"]})),
        &[],
    )
    .await;
    assert_eq!(r.code(), "DLF.0810");
    let v = call(&emu, "POST", &list_path(), Some(json!({})), &[])
        .await
        .json();
    assert_eq!(v["total"], json!(53));
}

#[tokio::test]
async fn automatic_timing_survives_manual_steps() {
    let emu = builder()
        .task_timing(dataarts_emulator::TaskTiming::Auto {
            subtask: std::time::Duration::from_millis(40),
        })
        .start()
        .await
        .unwrap();
    let r = call(
        &emu,
        "POST",
        &deploy_path(),
        Some(json!({"package_ids": ["12"]})),
        &[],
    )
    .await;
    let task_id = r.json()["deploy_package_details"][0]["asy_task_id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.advance_tasks();
    let t = call(&emu, "GET", &task_path(&task_id), None, &[])
        .await
        .json();
    assert_eq!(t["subtasks"][0]["status"], json!("SUCCESSFUL"));
    let mut status = String::new();
    for _ in 0..200 {
        let t = call(&emu, "GET", &task_path(&task_id), None, &[])
            .await
            .json();
        status = t["status"].as_str().unwrap().to_string();
        if status != "RUNNING" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(status, "SUCCESSFUL");
}
