//! Secrets never leak: with tracing at TRACE (every crate, including reqwest and hyper), drive
//! success and every error path through the wrapper and the CLI, and look for distinctive
//! canary secrets in the captured logs, in every `Debug`/`Display` of clients, builders,
//! credentials, results and errors (with their source chains), and in CLI stdout/stderr.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use dataarts_bench::{PROJECT_ID, WORKSPACE};
use dataarts_emulator::{FaultConfig, RateLimits, RunningEmulator};
use dataarts_release::{Client, ClientBuilder, Credentials, EnvSource, Error, RetryPolicy};

const AK: &str = "LEAKTESTAK0000000001";
const SK: &str = "SK-LEAK-CANARY-3f9a1c7e5b2d4086a1f3";
const WRONG_SK: &str = "SK-LEAK-CANARY-WRONG-77e1b0c9d2a4";
const TMP_AK: &str = "LEAKTESTTMPAK0000002";
const TMP_SK: &str = "SK-LEAK-CANARY-TMP-5c2e8a1f90b7";
const SECURITY_TOKEN: &str = "ST-LEAK-CANARY-9b8d7c6e5f4a3b2c1d0e";
const WRONG_SECURITY_TOKEN: &str = "ST-LEAK-CANARY-WRONG-0a1b2c3d4e";
const IAM_TOKEN: &str = "IAM-TOKEN-LEAK-CANARY-MIIEdead0beef1234";
const WRONG_IAM_TOKEN: &str = "IAM-TOKEN-LEAK-CANARY-WRONG-cafe5678";

const SECRETS: [&str; 7] = [
    SK,
    WRONG_SK,
    TMP_SK,
    SECURITY_TOKEN,
    WRONG_SECURITY_TOKEN,
    IAM_TOKEN,
    WRONG_IAM_TOKEN,
];

/// Every secret found in `text`: whole, or its distinctive last 12 characters, or the
/// `LEAK-CANARY` marker every secret carries (a prefix cut short).
fn leaks(text: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = SECRETS
        .iter()
        .copied()
        .filter(|s| text.contains(s) || text.contains(&s[s.len() - 12..]))
        .collect();
    if found.is_empty() && text.contains("LEAK-CANARY") {
        found.push("a LEAK-CANARY prefix");
    }
    found
}

#[test]
fn the_leak_detector_sees_whole_and_cut_secrets() {
    assert!(leaks("nothing here").is_empty());
    assert_eq!(leaks(&format!("x{SK}y")), vec![SK]);
    // A secret printed cut to its last 12 characters still counts.
    assert_eq!(leaks(&IAM_TOKEN[IAM_TOKEN.len() - 12..]), vec![IAM_TOKEN]);
    assert_eq!(leaks(&SK[..18]), vec!["a LEAK-CANARY prefix"]);
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process-wide TRACE subscriber writing into one buffer.
fn logs() -> &'static Buf {
    static BUF: OnceLock<Buf> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Buf::default();
        let w = buf.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || w.clone())
            .init();
        buf
    })
}

async fn leak_emulator() -> RunningEmulator {
    dataarts_emulator::Emulator::builder()
        .demo()
        .aksk(AK, SK)
        .security_token(TMP_AK, TMP_SK, SECURITY_TOKEN)
        .token(IAM_TOKEN)
        .seed_packages(200)
        .rate_limits(RateLimits::disabled())
        .task_timing(dataarts_emulator::TaskTiming::Manual)
        .start()
        .await
        .unwrap()
}

fn builder(url: &str, creds: Credentials) -> ClientBuilder {
    Client::builder()
        .endpoint(url)
        .project_id(PROJECT_ID)
        .workspace(WORKSPACE)
        .credentials(creds)
        .rate_limit(None)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(5))
                .max_retry_after(Duration::from_millis(20)),
        )
}

fn printed_error(e: &Error) -> String {
    let mut s = format!("{e}\n{e:?}\n{e:#?}\n");
    let mut src = std::error::Error::source(e);
    while let Some(x) = src {
        s.push_str(&format!("{x}\n{x:?}\n"));
        src = x.source();
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrapper_never_prints_or_logs_a_secret() {
    let buf = logs();
    let emu = leak_emulator().await;
    let url = emu.url();
    let mut printed = String::new();
    let mut errors: Vec<(&str, Error)> = Vec::new();

    let aksk = builder(&url, Credentials::aksk(AK, SK));
    printed.push_str(&format!("{aksk:?}\n"));
    let aksk = aksk.build().unwrap();
    let tmp = builder(&url, Credentials::temporary(TMP_AK, TMP_SK, SECURITY_TOKEN))
        .build()
        .unwrap();
    let token = builder(&url, Credentials::token(IAM_TOKEN))
        .build()
        .unwrap();
    for c in [&aksk, &tmp, &token] {
        printed.push_str(&format!("{c:?}\n{c:#?}\n"));
    }
    for c in [
        Credentials::aksk(AK, SK),
        Credentials::temporary(TMP_AK, TMP_SK, SECURITY_TOKEN),
        Credentials::token(IAM_TOKEN),
    ] {
        printed.push_str(&format!("{c:?}\n{c:#?}\n"));
    }

    // Success paths: each credential kind deploys and reads.
    for (i, c) in [&aksk, &tmp, &token].iter().enumerate() {
        let id = (1000 + i).to_string();
        let d = c
            .deploy([id.as_str()])
            .start_jobs(false)
            .send()
            .await
            .unwrap();
        printed.push_str(&format!("{d:?}\n"));
        let p = c.show_package(id.as_str()).await.unwrap();
        printed.push_str(&format!("{p:?}\n"));
        let r = c.deploy_all([(1010 + i).to_string()]).send().await.unwrap();
        printed.push_str(&format!("{r:?}\n"));
    }
    // 401: wrong SK (bad signature), wrong security token, wrong IAM token.
    for (name, creds) in [
        ("wrong sk", Credentials::aksk(AK, WRONG_SK)),
        (
            "wrong security token",
            Credentials::temporary(TMP_AK, TMP_SK, WRONG_SECURITY_TOKEN),
        ),
        ("wrong token", Credentials::token(WRONG_IAM_TOKEN)),
    ] {
        let c = builder(&url, creds).build().unwrap();
        printed.push_str(&format!("{c:?}\n"));
        let e = c.deploy(["1020"]).send().await.unwrap_err();
        assert_eq!(e.status(), Some(401), "{name}: {e}");
        errors.push((name, e));
        let e = c.show_package("1020").await.unwrap_err();
        errors.push((name, e));
    }
    // 429 from the emulator's per-user limit (retries exhausted).
    emu.set_rate_limits(RateLimits {
        per_user: Some(1),
        per_api: None,
    });
    for c in [&aksk, &tmp, &token] {
        let mut throttled = None;
        for k in 0..4 {
            if let Err(e) = c.show_package((1030 + k).to_string()).await {
                if e.is_throttled() {
                    throttled = Some(e);
                    break;
                }
            }
        }
        errors.push((
            "429",
            throttled.expect("a 429 within 4 calls at 1 request/s"),
        ));
    }
    emu.set_rate_limits(RateLimits::disabled());
    // Decode errors: truncated JSON on a 200 answer, and a non-JSON 502 page.
    for (name, faults) in [
        (
            "truncated",
            FaultConfig {
                truncated_body: 1.0,
                ..FaultConfig::default()
            },
        ),
        (
            "non-json",
            FaultConfig {
                non_json_body: 1.0,
                ..FaultConfig::default()
            },
        ),
        (
            "500 after",
            FaultConfig {
                error_after: 1.0,
                ..FaultConfig::default()
            },
        ),
        (
            "drop after",
            FaultConfig {
                drop_after: 1.0,
                ..FaultConfig::default()
            },
        ),
    ] {
        emu.set_faults(faults);
        for (i, c) in [&aksk, &tmp, &token].iter().enumerate() {
            let e = c.show_package("1000").await.unwrap_err();
            errors.push((name, e));
            let e = c.deploy([(1040 + i).to_string()]).send().await.unwrap_err();
            errors.push((name, e));
        }
    }
    // Timeout: latency over a tiny attempt timeout.
    emu.set_faults(FaultConfig {
        latency: Some(Duration::from_millis(400)),
        ..FaultConfig::default()
    });
    for creds in [
        Credentials::aksk(AK, SK),
        Credentials::temporary(TMP_AK, TMP_SK, SECURITY_TOKEN),
        Credentials::token(IAM_TOKEN),
    ] {
        let c = builder(&url, creds)
            .attempt_timeout(Duration::from_millis(50))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let e = c.deploy(["1050"]).send().await.unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
        errors.push(("timeout", e));
    }
    emu.set_faults(FaultConfig::default());
    // Configuration errors that involve secrets.
    for (name, creds) in [
        ("sk with newline", Credentials::aksk(AK, format!("{SK}\n"))),
        (
            "token with newline",
            Credentials::token(format!("{IAM_TOKEN}\r\n")),
        ),
        (
            "security token with newline",
            Credentials::temporary(TMP_AK, TMP_SK, format!("{SECURITY_TOKEN}\n")),
        ),
        ("empty ak", Credentials::aksk("", SK)),
    ] {
        match builder(&url, creds).build() {
            Ok(c) => {
                let e = c.show_package("1000").await.unwrap_err();
                errors.push((name, e));
            }
            Err(e) => errors.push((name, e)),
        }
    }
    let home = tempfile::tempdir().unwrap();
    for vars in [
        vec![
            ("HUAWEICLOUD_SDK_AK", AK),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN),
        ],
        vec![
            ("HUAWEICLOUD_SDK_SK", SK),
            ("DATAARTS_AUTH_TOKEN", IAM_TOKEN),
        ],
        vec![
            ("HUAWEICLOUD_SDK_AK", AK),
            ("HUAWEICLOUD_SDK_SK", SK),
            ("DATAARTS_AUTH_TOKEN", IAM_TOKEN),
        ],
        vec![("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", SK)],
    ] {
        let env = EnvSource::from_map(vars).home(home.path());
        printed.push_str(&format!("{env:?}\n"));
        match Client::from_env_source(&env) {
            Ok(c) => printed.push_str(&format!("{c:?}\n")),
            Err(e) => errors.push(("env", e)),
        }
        match ClientBuilder::from_env_source(&env) {
            Ok(b) => printed.push_str(&format!("{b:?}\n")),
            Err(e) => errors.push(("env builder", e)),
        }
    }

    eprintln!("errors driven: {}", errors.len());
    assert!(errors.len() >= 30, "only {} errors driven", errors.len());
    let mut failures = Vec::new();
    for (name, e) in &errors {
        let text = printed_error(e);
        let l = leaks(&text);
        if !l.is_empty() {
            failures.push(format!("error ({name}) prints {l:?}: {text}"));
        }
        printed.push_str(&text);
    }
    let l = leaks(&printed);
    if !l.is_empty() {
        failures.push(format!("Debug/Display output contains {l:?}"));
    }
    emu.shutdown().await;

    let captured = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    // The capture works and saw the requests at TRACE level, with the request spans.
    assert!(
        captured.contains("dataarts_request"),
        "no request span captured"
    );
    assert!(
        captured.contains("TRACE"),
        "nothing captured at TRACE level"
    );
    assert!(
        captured.contains("DEBUG") && captured.contains("error body"),
        "error bodies not logged"
    );
    let l = leaks(&captured);
    if !l.is_empty() {
        let lines: Vec<&str> = captured
            .lines()
            .filter(|line| !leaks(line).is_empty())
            .take(10)
            .collect();
        failures.push(format!(
            "captured logs contain {l:?}:\n{}",
            lines.join("\n")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_never_prints_a_secret_even_at_trace() {
    let emu = leak_emulator().await;
    let url = emu.url();
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("token.txt");
    std::fs::write(&token_file, format!("{IAM_TOKEN}\n")).unwrap();

    let aksk: Vec<(&str, String)> = vec![
        ("HUAWEICLOUD_SDK_AK", AK.into()),
        ("HUAWEICLOUD_SDK_SK", SK.into()),
    ];
    let tmp: Vec<(&str, String)> = vec![
        ("HUAWEICLOUD_SDK_AK", TMP_AK.into()),
        ("HUAWEICLOUD_SDK_SK", TMP_SK.into()),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN.into()),
    ];
    let token: Vec<(&str, String)> = vec![("DATAARTS_AUTH_TOKEN", IAM_TOKEN.into())];
    let token_from_file: Vec<(&str, String)> = vec![(
        "DATAARTS_AUTH_TOKEN_FILE",
        token_file.to_string_lossy().into_owned(),
    )];
    let wrong: Vec<Vec<(&str, String)>> = vec![
        vec![
            ("HUAWEICLOUD_SDK_AK", AK.into()),
            ("HUAWEICLOUD_SDK_SK", WRONG_SK.into()),
        ],
        vec![
            ("HUAWEICLOUD_SDK_AK", TMP_AK.into()),
            ("HUAWEICLOUD_SDK_SK", TMP_SK.into()),
            (
                "HUAWEICLOUD_SDK_SECURITY_TOKEN",
                WRONG_SECURITY_TOKEN.into(),
            ),
        ],
        vec![("DATAARTS_AUTH_TOKEN", WRONG_IAM_TOKEN.into())],
        // Conflicting and malformed settings: configuration errors naming the variables.
        vec![
            ("HUAWEICLOUD_SDK_SK", SK.into()),
            ("DATAARTS_AUTH_TOKEN", IAM_TOKEN.into()),
        ],
        vec![
            ("HUAWEICLOUD_SDK_AK", AK.into()),
            ("HUAWEICLOUD_SDK_SK", format!("{SK}\u{7}")),
        ],
    ];

    struct Run {
        env: Vec<(&'static str, String)>,
        args: Vec<&'static str>,
        faults: Option<FaultConfig>,
        limits: Option<RateLimits>,
    }
    let mut runs = Vec::new();
    let mut next = 1000;
    for creds in [&aksk, &tmp, &token, &token_from_file] {
        for output in ["table", "json"] {
            let id: &'static str = Box::leak(next.to_string().into_boxed_str());
            next += 1;
            runs.push(Run {
                env: creds.clone(),
                args: vec!["-vvv", "--output", output, "deploy", "--no-start", id],
                faults: None,
                limits: None,
            });
        }
        runs.push(Run {
            env: creds.clone(),
            args: vec!["-vvv", "packages", "show", "1000"],
            faults: None,
            limits: None,
        });
        for faults in [
            FaultConfig {
                truncated_body: 1.0,
                ..FaultConfig::default()
            },
            FaultConfig {
                non_json_body: 1.0,
                ..FaultConfig::default()
            },
            FaultConfig {
                error_after: 1.0,
                ..FaultConfig::default()
            },
            FaultConfig {
                drop_after: 1.0,
                ..FaultConfig::default()
            },
        ] {
            runs.push(Run {
                env: creds.clone(),
                args: vec!["-vvv", "packages", "show", "1000"],
                faults: Some(faults),
                limits: None,
            });
        }
        // 429 then a retry after Retry-After: 150 ids are two requests at 1 request/s.
        runs.push(Run {
            env: creds.clone(),
            args: vec!["-vvv", "packages", "list", "--limit", "5"],
            faults: None,
            limits: Some(RateLimits {
                per_user: Some(1),
                per_api: None,
            }),
        });
    }
    for env in wrong {
        runs.push(Run {
            env,
            args: vec!["-vvv", "deploy", "1100"],
            faults: None,
            limits: None,
        });
    }

    let mut failures = Vec::new();
    let mut saw_trace = false;
    let mut nonzero = 0;
    let runs_count = runs.len();
    for run in runs {
        emu.set_faults(run.faults.clone().unwrap_or_default());
        emu.set_rate_limits(run.limits.unwrap_or(RateLimits::disabled()));
        let mut cmd = common::cli(home.path());
        // -vvv gives TRACE for the CLI's own crates; RUST_LOG=trace opens every crate
        // (reqwest, hyper, rustls) too.
        cmd.env("RUST_LOG", "trace")
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
            .env("DATAARTS_ENDPOINT", &url)
            .env("DATAARTS_WORKSPACE", WORKSPACE);
        for (k, v) in &run.env {
            cmd.env(k, v);
        }
        cmd.args(&run.args);
        if run.limits.is_some() {
            // Use up the one token so the CLI meets a 429.
            let mut burn = common::cli(home.path());
            burn.env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
                .env("DATAARTS_ENDPOINT", &url);
            for (k, v) in &run.env {
                burn.env(k, v);
            }
            burn.args(["packages", "show", "1000"]);
            let _ = tokio::task::spawn_blocking(move || burn.output())
                .await
                .unwrap();
        }
        let out = tokio::time::timeout(
            Duration::from_secs(60),
            tokio::task::spawn_blocking(move || cmd.output()),
        )
        .await
        .expect("the CLI finishes within 60 s")
        .unwrap()
        .expect("the CLI runs");
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        saw_trace |= text.contains("TRACE") && text.contains("dataarts_request");
        if !out.status.success() {
            nonzero += 1;
        }
        let l = leaks(&text);
        if !l.is_empty() {
            let lines: Vec<&str> = text
                .lines()
                .filter(|line| !leaks(line).is_empty())
                .take(5)
                .collect();
            failures.push(format!(
                "{:?} prints {l:?}:\n{}",
                run.args,
                lines.join("\n")
            ));
        }
    }
    emu.shutdown().await;
    eprintln!("CLI runs: {runs_count}, failing: {nonzero}");
    assert!(
        saw_trace,
        "-vvv produced no TRACE lines: the check would be vacuous"
    );
    assert!(
        nonzero >= 10,
        "only {nonzero} failing runs: error paths not exercised"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
