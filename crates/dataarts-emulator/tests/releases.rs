//! The release lifecycle: the documented example, a successful release that starts the
//! jobs, a failed release, automatic and manual task timing, seeded packages, and the
//! documented system task.

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
    // Released items leave the pending-item list.
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
