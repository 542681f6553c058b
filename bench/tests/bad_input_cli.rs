//! Bad input table, CLI half: malformed arguments, files and environment for the
//! `dataarts-release` binary, each expecting exit code 2 and a specific message, and none of
//! them may put a single request on the emulator's journal. The wrapper half is `bad_input.rs`.

mod common;

use dataarts_bench::{start_emulator, AK, PROJECT_ID, SK};
use dataarts_emulator::{FaultConfig, RateLimits};

/// One CLI case: arguments, extra environment (over a valid base), variables to drop, and a
/// fragment stderr must contain. Every one must exit 2 and send nothing.
struct CliCase {
    name: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    drop: Vec<&'static str>,
    stderr: &'static str,
}

fn cli_case(name: &'static str, args: &[&str], stderr: &'static str) -> CliCase {
    CliCase {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
        drop: Vec::new(),
        stderr,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_rejects_bad_input_with_exit_2_before_sending_anything() {
    let emu = start_emulator(200, RateLimits::disabled(), FaultConfig::default())
        .await
        .unwrap();
    let url = emu.url();
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.txt");
    {
        // 17 MiB of valid ids: over the CLI's 16 MiB limit.
        let line = "1000\n".repeat(1024 * 1024 / 5 + 1);
        let mut text = String::with_capacity(17 * 1024 * 1024 + 16);
        while text.len() <= 17 * 1024 * 1024 {
            text.push_str(&line);
        }
        std::fs::write(&huge, text).unwrap();
    }
    let binary = dir.path().join("binary.bin");
    std::fs::write(
        &binary,
        [0x7f, b'E', b'L', b'F', 0xff, 0xfe, 0x00, 0x01, 0x80, b'\n'],
    )
    .unwrap();
    let bad_line = dir.path().join("bad-line.txt");
    std::fs::write(&bad_line, "1000\n1001\n../etc/passwd\n").unwrap();
    let token_ctl = dir.path().join("token-ctl.txt");
    std::fs::write(&token_ctl, "tok\u{1b}en-with-escape\n").unwrap();
    let p = |x: &std::path::Path| x.to_string_lossy().into_owned();

    let mut cases = vec![
        cli_case("deploy: no ids", &["deploy"], "no package ids"),
        cli_case("deploy: empty id", &["deploy", ""], "package id"),
        cli_case("deploy: blank id", &["deploy", "   "], "package id"),
        cli_case(
            "deploy: duplicate",
            &["deploy", "1000", "1001", "1000"],
            "more than once",
        ),
        cli_case("deploy: ../x", &["deploy", "../x"], "request path"),
        cli_case("deploy: %2F", &["deploy", "10%2F00"], "request path"),
        cli_case("deploy: a/b", &["deploy", "a/b"], "request path"),
        cli_case("deploy: a?b", &["deploy", "a?b"], "request path"),
        cli_case("deploy: a#b", &["deploy", "a#b"], "request path"),
        cli_case(
            "deploy: control char",
            &["deploy", "10\u{7}00"],
            "control character",
        ),
        cli_case(
            "deploy: unicode NEL",
            &["deploy", "1000\u{85}"],
            "control character",
        ),
        cli_case(
            "deploy: --ids-from over the size limit",
            &["deploy", "--ids-from", &p(&huge)],
            "larger than",
        ),
        cli_case(
            "deploy: --ids-from binary file",
            &["deploy", "--ids-from", &p(&binary)],
            "not UTF-8",
        ),
        cli_case(
            "deploy: --ids-from missing file",
            &["deploy", "--ids-from", &p(&dir.path().join("nope.txt"))],
            "cannot read ids",
        ),
        cli_case(
            "deploy: --ids-from with a bad line",
            &["deploy", "--ids-from", &p(&bad_line)],
            "request path",
        ),
        cli_case(
            "deploy: bad --timeout",
            &["deploy", "1000", "--wait", "--timeout", "soon"],
            "timeout",
        ),
        cli_case(
            "deploy: workspace with CRLF",
            &[
                "--workspace",
                "d1cd7861478748a6925bc02f47c69279\r\nX-Evil: 1",
                "deploy",
                "1000",
            ],
            "workspace",
        ),
        cli_case(
            "pending list: --limit 0",
            &["pending", "list", "--limit", "0"],
            "limit",
        ),
        cli_case(
            "pending list: --limit 101",
            &["pending", "list", "--limit", "101"],
            "limit",
        ),
        cli_case(
            "packages show: ../x",
            &["packages", "show", "../x"],
            "request path",
        ),
        cli_case(
            "packages cancel: duplicate",
            &["packages", "cancel", "1000", "1000"],
            "more than once",
        ),
    ];
    let mut env_case = |name, env: Vec<(&'static str, String)>, drop: Vec<&'static str>, stderr| {
        cases.push(CliCase {
            name,
            args: vec!["deploy".into(), "1000".into()],
            env,
            drop,
            stderr,
        })
    };
    env_case(
        "env: AK without SK",
        vec![],
        vec!["HUAWEICLOUD_SDK_SK"],
        "HUAWEICLOUD_SDK_SK",
    );
    env_case(
        "env: bad DATAARTS_ENDPOINT",
        vec![("DATAARTS_ENDPOINT", "http://[::1".into())],
        vec![],
        "DATAARTS_ENDPOINT",
    );
    env_case(
        "env: non-loopback http endpoint",
        vec![("DATAARTS_ENDPOINT", "http://dayu.example.com".into())],
        vec![],
        "DATAARTS_ENDPOINT",
    );
    env_case(
        "env: bad DATAARTS_REGION",
        vec![("DATAARTS_REGION", "Bad Region!".into())],
        vec!["DATAARTS_ENDPOINT"],
        "DATAARTS_REGION",
    );
    env_case(
        "env: project id with a slash",
        vec![("HUAWEICLOUD_SDK_PROJECT_ID", "a/b".into())],
        vec![],
        "project",
    );
    env_case(
        "env: token file with a control char",
        vec![("DATAARTS_AUTH_TOKEN_FILE", p(&token_ctl))],
        vec!["HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"],
        "control",
    );

    let n = cases.len();
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let mut cmd = common::cli(home.path());
        let base = [
            ("HUAWEICLOUD_SDK_AK", AK.to_string()),
            ("HUAWEICLOUD_SDK_SK", SK.to_string()),
            ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID.to_string()),
            ("DATAARTS_ENDPOINT", url.clone()),
        ];
        for (k, v) in base.iter().filter(|(k, _)| !case.drop.contains(k)) {
            cmd.env(k, v);
        }
        for (k, v) in &case.env {
            cmd.env(k, v);
        }
        cmd.args(&case.args);
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .unwrap()
            .expect("the CLI runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(2) {
            failures.push(format!(
                "{}: exit {:?}, expected 2; stderr: {stderr}",
                case.name,
                out.status.code()
            ));
        } else if !stderr.to_lowercase().contains(&case.stderr.to_lowercase()) {
            failures.push(format!(
                "{}: stderr lacks {:?}: {stderr}",
                case.name, case.stderr
            ));
        }
        // Refused authentication is counted, not journalled: both mean "sent".
        let sent = emu.journal().len() + emu.refused_auth().total as usize;
        if sent != 0 {
            failures.push(format!(
                "{}: {sent} requests reached the emulator",
                case.name
            ));
            emu.reset();
        }
    }
    // The same base environment does reach the emulator: the table is not vacuous.
    let mut ok = common::cli(home.path());
    ok.env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
        .env("DATAARTS_ENDPOINT", &url)
        .args(["deploy", "--no-start", "1000"]);
    let out = tokio::task::spawn_blocking(move || ok.output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        out.status.success(),
        "good deploy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.release_count("1000"), 1);
    emu.shutdown().await;
    assert!(n >= 25, "only {n} CLI cases");
    assert!(
        failures.is_empty(),
        "{} of {n} CLI cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
