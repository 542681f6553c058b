//! The system-task query's times as JSON numbers (the default, as documented) or as numeric
//! strings (for the official Go and Java SDKs): builder, admin endpoint, resets.

mod common;

use common::{builder, call, release_23, start, task_path};
use dataarts_emulator::SystemTaskTimes;
use serde_json::{json, Value};

async fn task(emu: &dataarts_emulator::RunningEmulator, id: &str) -> Value {
    let r = call(emu, "GET", &task_path(id), None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

/// Every time of the task and of its subtasks under both keys, as JSON values.
fn times(task: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for f in ["startTime", "endTime", "lastUpdate"] {
        if let Some(v) = task.get(f) {
            out.push((f.to_string(), v.clone()));
        }
    }
    for key in ["subtasks", "subTasks"] {
        for (i, sub) in task[key].as_array().unwrap().iter().enumerate() {
            for f in ["startTime", "endTime", "lastUpdate"] {
                if let Some(v) = sub.get(f) {
                    out.push((format!("{key}[{i}].{f}"), v.clone()));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn numbers_by_default_strings_when_asked_same_values() {
    let emu = start().await;
    let id = release_23(&emu).await;
    emu.complete_all_tasks();
    let as_numbers = task(&emu, &id).await;
    let number_times = times(&as_numbers);
    // Task and subtask (both keys): start, end and last update.
    assert_eq!(number_times.len(), 9, "{as_numbers}");
    assert!(number_times.iter().all(|(_, v)| v.is_i64()), "{as_numbers}");

    emu.set_system_task_times(SystemTaskTimes::String);
    let as_strings = task(&emu, &id).await;
    let string_times = times(&as_strings);
    assert_eq!(string_times.len(), number_times.len());
    for ((field, n), (field2, s)) in number_times.iter().zip(&string_times) {
        assert_eq!(field, field2);
        assert_eq!(s.as_str(), Some(n.to_string().as_str()), "{field}");
    }
    // Nothing else changed.
    let mut a = as_numbers.clone();
    let mut b = as_strings.clone();
    for v in [&mut a, &mut b] {
        strip_times(v);
    }
    assert_eq!(a, b);
    emu.shutdown().await;
}

fn strip_times(v: &mut Value) {
    if let Some(obj) = v.as_object_mut() {
        for f in ["startTime", "endTime", "lastUpdate"] {
            obj.remove(f);
        }
        for key in ["subtasks", "subTasks"] {
            if let Some(subs) = obj.get_mut(key).and_then(Value::as_array_mut) {
                subs.iter_mut().for_each(strip_times);
            }
        }
    }
}

#[tokio::test]
async fn a_running_task_and_the_fixture_task_in_string_mode() {
    let emu = builder()
        .system_task_times(SystemTaskTimes::String)
        .start()
        .await
        .unwrap();
    let id = release_23(&emu).await;
    let running = task(&emu, &id).await;
    assert_eq!(running["status"], "RUNNING");
    assert!(running.get("endTime").is_none(), "{running}");
    assert!(running["startTime"].is_string(), "{running}");
    assert!(
        running["subTasks"][0]["lastUpdate"].is_string(),
        "{running}"
    );
    // The documented example task of the demo data.
    let documented = task(&emu, "008aae2e675d3bcb01675d40ab3f0005").await;
    assert_eq!(documented["startTime"], "1544777081000", "{documented}");
    assert_eq!(documented["subtasks"][0]["lastUpdate"], "1544777083000");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_admin_endpoint_reads_and_switches_and_a_reset_keeps_it() {
    let emu = start().await;
    let admin = "/_emulator/system-task-times";
    let r = call(&emu, "GET", admin, None, &[]).await;
    assert_eq!((r.status, r.json()), (200, json!({"format": "number"})));
    let r = call(&emu, "PUT", admin, Some(json!({"format": "string"})), &[]).await;
    assert_eq!((r.status, r.json()), (200, json!({"format": "string"})));
    assert_eq!(emu.system_task_times(), SystemTaskTimes::String);
    let r = call(&emu, "POST", "/_emulator/reset", None, &[]).await;
    assert_eq!(r.status, 200);
    let r = call(&emu, "GET", admin, None, &[]).await;
    assert_eq!(
        r.json(),
        json!({"format": "string"}),
        "a setting survives a reset"
    );
    let documented = task(&emu, "008aae2e675d3bcb01675d40ab3f0005").await;
    assert!(documented["endTime"].is_string());

    for bad in [json!({"format": "text"}), json!({}), json!({"format": 1})] {
        let r = call(&emu, "PUT", admin, Some(bad.clone()), &[]).await;
        assert_eq!((r.status, r.code().as_str()), (400, "EMU.0002"), "{bad}");
        let msg = r.json()["error_msg"].as_str().unwrap().to_string();
        assert!(
            msg.contains("\"number\"") && msg.contains("\"string\""),
            "{msg}"
        );
    }
    assert_eq!(
        emu.system_task_times(),
        SystemTaskTimes::String,
        "a bad body changes nothing"
    );
    let r = call(&emu, "PUT", admin, Some(json!({"format": "number"})), &[]).await;
    assert_eq!(r.json(), json!({"format": "number"}));
    assert!(task(&emu, "008aae2e675d3bcb01675d40ab3f0005").await["endTime"].is_i64());
    emu.shutdown().await;
}
