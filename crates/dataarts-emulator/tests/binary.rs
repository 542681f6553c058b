//! The `dataarts-emulator` binary: prints its URL first, serves the documented example, stops
//! cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn spawn(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dataarts-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dataarts-emulator");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("dataarts-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (child, url)
}

fn wait_exit(child: &mut std::process::Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test]
async fn demo_binary_prints_its_url_and_serves_the_seed_example() {
    let (mut child, url) = spawn(&["--demo", "--port", "0", "--manual-tasks"]);
    let r = reqwest::Client::new()
        .post(format!(
            "{url}/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/deploy"
        ))
        .header("X-Auth-Token", dataarts_emulator::DEMO_TOKEN)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(r#"{"package_ids": ["23"], "startup_mode": 0}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["deploy_package_details"][0]["package_id"], json!(23));
    assert_eq!(v["deploy_package_details"][0]["asy_subtask_num"], json!(1));

    let pid = child.id().to_string();
    let term = Command::new("kill").args(["-TERM", &pid]).status();
    if term.map(|s| s.success()).unwrap_or(false) {
        let status = wait_exit(&mut child).expect("exits after SIGTERM");
        assert!(status.success(), "{status:?}");
    } else {
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[tokio::test]
async fn flags_are_applied() {
    let (mut child, url) = spawn(&[
        "--demo",
        "--token",
        "cli-token",
        "--ak",
        "CLIAK",
        "--sk",
        "CLISK",
        "--no-rate-limit",
        "--fault-error-before",
        "1",
        "--fault-operation",
        "deploy_factory_packages",
        "--seed-packages",
        "3",
    ]);
    let c = reqwest::Client::new();
    let show = c
        .get(format!(
            "{url}/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/1002"
        ))
        .header("X-Auth-Token", "cli-token")
        .send()
        .await
        .unwrap();
    assert_eq!(show.status().as_u16(), 200);
    let deploy = c
        .post(format!(
            "{url}/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/deploy"
        ))
        .header("X-Auth-Token", "cli-token")
        .body(r#"{"package_ids": ["1000"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(deploy.status().as_u16(), 500);
    // The demo token is not accepted once credentials are given.
    let demo = c
        .get(format!(
            "{url}/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/23"
        ))
        .header("X-Auth-Token", dataarts_emulator::DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(demo.status().as_u16(), 401);
    let faults: Value = c
        .get(format!("{url}/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults["error_before"], json!(1.0));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn bad_flags_fail_fast() {
    let out = Command::new(env!("CARGO_BIN_EXE_dataarts-emulator"))
        .args(["--ak", "A"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ak and --sk"));
    let out = Command::new(env!("CARGO_BIN_EXE_dataarts-emulator"))
        .args(["--fault-drop-after", "2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
