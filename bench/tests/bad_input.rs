//! Bad input table, wrapper half: malformed inputs to the wrapper, each expecting a specific
//! error, and none of them may put a single request on the emulator's journal. The CLI half is
//! `bad_input_cli.rs`.

mod common;

use std::time::Duration;

use dataarts_bench::{start_emulator, AK, PROJECT_ID, SK, WORKSPACE};
use dataarts_emulator::{FaultConfig, RateLimits, RunningEmulator};
use dataarts_release::{Client, Credentials, EnvSource, Error};
use futures::future::BoxFuture;

/// What a case must fail with.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// `Error::InvalidInput` whose Display contains the fragment.
    Invalid(&'static str),
    /// `Error::Config` whose Display contains the fragment.
    Config(&'static str),
}

fn check(name: &str, expect: Expect, got: Result<(), Error>) -> Result<(), String> {
    let e = match got {
        Ok(()) => return Err(format!("{name}: accepted, expected {expect:?}")),
        Err(e) => e,
    };
    let text = e.to_string();
    let (variant_ok, fragment) = match expect {
        Expect::Invalid(f) => (matches!(e, Error::InvalidInput { .. }), f),
        Expect::Config(f) => (matches!(e, Error::Config { .. }), f),
    };
    if !variant_ok {
        return Err(format!("{name}: wrong variant {e:?}, expected {expect:?}"));
    }
    if !text.to_lowercase().contains(&fragment.to_lowercase()) {
        return Err(format!(
            "{name}: message {text:?} lacks {fragment:?} (expected {expect:?})"
        ));
    }
    Ok(())
}

fn builder(url: &str) -> dataarts_release::ClientBuilder {
    Client::builder()
        .endpoint(url)
        .project_id(PROJECT_ID)
        .workspace(WORKSPACE)
        .credentials(Credentials::aksk(AK, SK))
        .rate_limit(None)
}

fn env_client(url: &str, extra: &[(&str, &str)], drop: &[&str]) -> Result<(), Error> {
    let mut vars: Vec<(String, String)> = vec![
        ("HUAWEICLOUD_SDK_AK".into(), AK.into()),
        ("HUAWEICLOUD_SDK_SK".into(), SK.into()),
        ("HUAWEICLOUD_SDK_PROJECT_ID".into(), PROJECT_ID.into()),
        ("DATAARTS_ENDPOINT".into(), url.into()),
        ("DATAARTS_WORKSPACE".into(), WORKSPACE.into()),
    ];
    vars.retain(|(k, _)| !drop.contains(&k.as_str()));
    for (k, v) in extra {
        vars.retain(|(kk, _)| kk != k);
        vars.push(((*k).into(), (*v).into()));
    }
    // An empty home: no profile file is read from the machine running the test.
    let home = tempfile::tempdir().expect("tempdir");
    let env = EnvSource::from_map(vars).home(home.path());
    Client::from_env_source(&env).map(|_| ())
}

type Case = (&'static str, Expect, BoxFuture<'static, Result<(), Error>>);

fn deploy_case(
    c: &Client,
    name: &'static str,
    ids: Vec<String>,
    mode: i32,
    expect: Expect,
) -> Case {
    let c = c.clone();
    (
        name,
        expect,
        Box::pin(async move { c.deploy(ids).startup_mode(mode).send().await.map(|_| ()) }),
    )
}

fn wrapper_cases(emu: &RunningEmulator) -> Vec<Case> {
    let url = emu.url();
    let c = builder(&url).build().expect("the good client builds");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let hundred_one: Vec<String> = (1000..1101).map(|k| k.to_string()).collect();
    let mut cases: Vec<Case> = vec![
        deploy_case(&c, "ids: empty list", vec![], 1, Expect::Invalid("empty")),
        deploy_case(
            &c,
            "ids: empty string",
            s(&[""]),
            1,
            Expect::Invalid("empty or blank"),
        ),
        deploy_case(
            &c,
            "ids: blank",
            s(&["   "]),
            1,
            Expect::Invalid("empty or blank"),
        ),
        deploy_case(
            &c,
            "ids: 101 in one deploy",
            hundred_one,
            1,
            Expect::Invalid("at most 100"),
        ),
        deploy_case(
            &c,
            "ids: duplicate",
            s(&["1000", "1001", "1000"]),
            1,
            Expect::Invalid("more than once"),
        ),
        deploy_case(
            &c,
            "ids: ../x",
            s(&["../x"]),
            1,
            Expect::Invalid("change the request path"),
        ),
        deploy_case(
            &c,
            "ids: %2F",
            s(&["10%2F00"]),
            1,
            Expect::Invalid("change the request path"),
        ),
        deploy_case(
            &c,
            "ids: a/b",
            s(&["a/b"]),
            1,
            Expect::Invalid("change the request path"),
        ),
        deploy_case(
            &c,
            "ids: a?b",
            s(&["a?b"]),
            1,
            Expect::Invalid("change the request path"),
        ),
        deploy_case(
            &c,
            "ids: a#b",
            s(&["a#b"]),
            1,
            Expect::Invalid("change the request path"),
        ),
        deploy_case(
            &c,
            "ids: backslash",
            s(&["a\\b"]),
            1,
            Expect::Invalid("change the request path"),
        ),
        deploy_case(
            &c,
            "ids: NUL",
            s(&["10\u{0}00"]),
            1,
            Expect::Invalid("control character"),
        ),
        deploy_case(
            &c,
            "ids: unicode control NEL U+0085",
            s(&["1000\u{85}"]),
            1,
            Expect::Invalid("control character"),
        ),
        deploy_case(
            &c,
            "ids: unicode line separator U+2028",
            s(&["10\u{2028}00"]),
            1,
            Expect::Invalid("whitespace"),
        ),
        deploy_case(
            &c,
            "ids: ideographic space U+3000",
            s(&["\u{3000}1000"]),
            1,
            Expect::Invalid("whitespace"),
        ),
        deploy_case(
            &c,
            "ids: inner whitespace",
            s(&["10 00"]),
            1,
            Expect::Invalid("whitespace"),
        ),
        deploy_case(
            &c,
            "ids: CRLF",
            s(&["1000\r\n"]),
            1,
            Expect::Invalid("control character"),
        ),
        deploy_case(
            &c,
            "ids: 300 bytes",
            vec!["9".repeat(300)],
            1,
            Expect::Invalid("bytes long"),
        ),
        deploy_case(
            &c,
            "startup_mode 2",
            s(&["1000"]),
            2,
            Expect::Invalid("startup mode"),
        ),
        deploy_case(
            &c,
            "startup_mode -1",
            s(&["1000"]),
            -1,
            Expect::Invalid("startup mode"),
        ),
    ];
    let more: Vec<Case> = vec![
        ("deploy_all: empty", Expect::Invalid("empty"), {
            let c = c.clone();
            Box::pin(async move { c.deploy_all(Vec::<String>::new()).send().await.map(|_| ()) })
        }),
        (
            "deploy_all: startup_mode 2",
            Expect::Invalid("startup mode"),
            {
                let c = c.clone();
                Box::pin(async move {
                    c.deploy_all(["1000"])
                        .startup_mode(2)
                        .send()
                        .await
                        .map(|_| ())
                })
            },
        ),
        ("deploy_all: chunk size 0", Expect::Invalid("chunk size"), {
            let c = c.clone();
            Box::pin(async move {
                c.deploy_all(["1000"])
                    .chunk_size(0)
                    .send()
                    .await
                    .map(|_| ())
            })
        }),
        (
            "deploy_all: chunk size 101",
            Expect::Invalid("chunk size"),
            {
                let c = c.clone();
                Box::pin(async move {
                    c.deploy_all(["1000"])
                        .chunk_size(101)
                        .send()
                        .await
                        .map(|_| ())
                })
            },
        ),
        (
            "deploy_all: one bad id among 150",
            Expect::Invalid("change the request path"),
            {
                let c = c.clone();
                let mut ids: Vec<String> = (1000..1150).map(|k| k.to_string()).collect();
                ids[120] = "../etc".into();
                Box::pin(async move { c.deploy_all(ids).send().await.map(|_| ()) })
            },
        ),
        (
            "show_package: ../x",
            Expect::Invalid("change the request path"),
            {
                let c = c.clone();
                Box::pin(async move { c.show_package("../x").await.map(|_| ()) })
            },
        ),
        (
            "cancel_packages: duplicate",
            Expect::Invalid("more than once"),
            {
                let c = c.clone();
                Box::pin(async move { c.cancel_packages(["1000", "1000"]).await })
            },
        ),
        (
            "workspace: CRLF per call",
            Expect::Invalid("control character"),
            {
                let c = c.with_workspace(Some("d1cd7861478748a6925bc02f47c69279\r\nX-Evil: 1"));
                Box::pin(async move { c.deploy(["1000"]).send().await.map(|_| ()) })
            },
        ),
        ("pending limit 0", Expect::Invalid("outside"), {
            let c = c.clone();
            Box::pin(async move { c.pending_items().limit(0).send().await.map(|_| ()) })
        }),
        ("pending limit 101", Expect::Invalid("outside"), {
            let c = c.clone();
            Box::pin(async move { c.pending_items().limit(101).send().await.map(|_| ()) })
        }),
        (
            "builder: workspace with CRLF",
            Expect::Config("control character"),
            {
                let b = builder(&url).workspace("d1cd7861478748a6925bc02f47c69279\r\nX-Evil: 1");
                Box::pin(async move { b.build().map(|_| ()) })
            },
        ),
        (
            "builder: token with a control char",
            Expect::Config("control"),
            {
                let b = builder(&url).credentials(Credentials::token("tok\u{7}en"));
                Box::pin(async move { b.build().map(|_| ()) })
            },
        ),
        (
            "builder: non-loopback http endpoint",
            Expect::Config("http"),
            {
                let b = builder("http://dayu.example.com");
                Box::pin(async move { b.build().map(|_| ()) })
            },
        ),
        (
            "builder: unparsable endpoint",
            Expect::Config("endpoint"),
            {
                let b = builder("http://[::1");
                Box::pin(async move { b.build().map(|_| ()) })
            },
        ),
        ("builder: bad region", Expect::Config("region"), {
            let b = Client::builder()
                .region("CN_NORTH/4")
                .project_id(PROJECT_ID)
                .credentials(Credentials::aksk(AK, SK));
            Box::pin(async move { b.build().map(|_| ()) })
        }),
        ("builder: project id ../p", Expect::Config("project"), {
            let b = builder(&url).project_id("../p");
            Box::pin(async move { b.build().map(|_| ()) })
        }),
        (
            "builder: zero attempt timeout",
            Expect::Config("timeout"),
            {
                let b = builder(&url).attempt_timeout(Duration::ZERO);
                Box::pin(async move { b.build().map(|_| ()) })
            },
        ),
    ];
    cases.extend(more);
    let env_cases: Vec<(&'static str, Expect, Result<(), Error>)> = vec![
        (
            "env: AK without SK",
            Expect::Config("HUAWEICLOUD_SDK_SK"),
            env_client(&url, &[], &["HUAWEICLOUD_SDK_SK"]),
        ),
        (
            "env: SK without AK",
            Expect::Config("HUAWEICLOUD_SDK_AK"),
            env_client(&url, &[], &["HUAWEICLOUD_SDK_AK"]),
        ),
        (
            "env: security token alone",
            Expect::Config("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
            env_client(
                &url,
                &[("HUAWEICLOUD_SDK_SECURITY_TOKEN", "st")],
                &["HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"],
            ),
        ),
        (
            "env: token and AK/SK both",
            Expect::Config("DATAARTS_AUTH_TOKEN"),
            env_client(&url, &[("DATAARTS_AUTH_TOKEN", "t")], &[]),
        ),
        (
            "env: bad DATAARTS_ENDPOINT URL",
            Expect::Config("DATAARTS_ENDPOINT"),
            env_client(&url, &[("DATAARTS_ENDPOINT", "http://[::1")], &[]),
        ),
        (
            "env: non-loopback http DATAARTS_ENDPOINT",
            Expect::Config("DATAARTS_ENDPOINT"),
            env_client(
                &url,
                &[("DATAARTS_ENDPOINT", "http://dayu.example.com")],
                &[],
            ),
        ),
        (
            "env: bad DATAARTS_REGION",
            Expect::Config("DATAARTS_REGION"),
            env_client(
                &url,
                &[("DATAARTS_REGION", "Bad Region!")],
                &["DATAARTS_ENDPOINT"],
            ),
        ),
        (
            "env: workspace with CRLF",
            Expect::Config("DATAARTS_WORKSPACE"),
            env_client(&url, &[("DATAARTS_WORKSPACE", "ws\r\nX-Evil: 1")], &[]),
        ),
        (
            "env: project id with a slash",
            Expect::Config("HUAWEICLOUD_SDK_PROJECT_ID"),
            env_client(&url, &[("HUAWEICLOUD_SDK_PROJECT_ID", "a/b")], &[]),
        ),
    ];
    for (name, expect, r) in env_cases {
        cases.push((name, expect, Box::pin(async move { r })));
    }
    cases
}

#[tokio::test]
async fn wrapper_rejects_bad_input_before_sending_anything() {
    let emu = start_emulator(200, RateLimits::disabled(), FaultConfig::default())
        .await
        .unwrap();
    let cases = wrapper_cases(&emu);
    assert!(cases.len() >= 30, "only {} wrapper cases", cases.len());
    let mut failures = Vec::new();
    let n = cases.len();
    for (name, expect, fut) in cases {
        let got = tokio::time::timeout(Duration::from_secs(10), fut)
            .await
            .unwrap_or_else(|_| panic!("{name}: no answer in 10 s"));
        if let Err(f) = check(name, expect, got) {
            failures.push(f);
        }
        // Refused authentication is counted, not journalled: both mean "sent".
        let sent = emu.journal().len() + emu.refused_auth().total as usize;
        if sent != 0 {
            failures.push(format!("{name}: {sent} requests reached the emulator"));
            emu.reset();
        }
    }
    // The same client does reach the emulator with a good id: the table is not vacuous.
    let c = builder(&emu.url()).build().unwrap();
    c.deploy(["1000"]).start_jobs(false).send().await.unwrap();
    assert_eq!(emu.journal().len(), 1);
    emu.shutdown().await;
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Ids with invisible Unicode format characters (zero-width space U+200B, right-to-left
/// override U+202E, BOM U+FEFF, word joiner U+2060) or non-ASCII digits look like valid ids
/// on screen; the service's ids are ASCII, so such an id is a copy-paste accident and fails
/// before sending.
#[tokio::test]
async fn invisible_unicode_in_ids_is_rejected_before_sending() {
    let emu = start_emulator(10, RateLimits::disabled(), FaultConfig::default())
        .await
        .unwrap();
    let c = builder(&emu.url())
        .retry_policy(dataarts_release::RetryPolicy::none())
        .build()
        .unwrap();
    let mut failures = Vec::new();
    for id in [
        "1000\u{200B}",
        "\u{202E}1000",
        "\u{FEFF}1000",
        "１０００",
        "1000\u{2060}",
    ] {
        let before = (emu.journal().len(), emu.refused_auth().total);
        let r = c.deploy([id]).start_jobs(false).send().await.map(|_| ());
        if let Err(f) = check(&format!("{id:?}"), Expect::Invalid("package id"), r) {
            failures.push(f);
        }
        if (emu.journal().len(), emu.refused_auth().total) != before {
            failures.push(format!("{id:?}: sent to the emulator"));
        }
    }
    emu.shutdown().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
