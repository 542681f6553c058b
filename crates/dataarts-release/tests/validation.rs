//! Invalid input is refused before anything goes on the wire.

mod common;

use common::*;
use dataarts_release::{Client, Credentials, Error};

fn ok<T>(r: Result<T, Error>) -> Result<(), Error> {
    r.map(|_| ())
}

const CASES: &[&str] = &[
    "empty deploy",
    "blank id",
    "duplicate ids",
    "101 ids",
    "startup mode 2",
    "id with slash",
    "id with ?",
    "id with #",
    "id with %",
    "id with dot-dot",
    "id with space",
    "id with newline",
    "task id with slash",
    "wait on a bad task id",
    "empty cancel",
    "cancel 101",
    "empty deploy_all",
    "deploy_all duplicates",
    "deploy_all chunk 101",
    "pending limit 0",
    "pending limit 101",
    "list limit 0",
    "workspace with CRLF",
    "workspace with NUL",
    "package without items",
    "package without name",
    "package without approvers",
    "package id dot",
    "task id dot",
    "wait on task id dot",
    "cancel dot",
    "deploy dot",
    "package id with <",
    "workspace non-ASCII",
];

async fn run(c: &Client, case: usize, many: &[String]) -> Result<(), Error> {
    match case {
        0 => ok(c.deploy(Vec::<String>::new()).send().await),
        1 => ok(c.deploy(["23", " "]).send().await),
        2 => ok(c.deploy(["23", "23"]).send().await),
        3 => ok(c.deploy(many).send().await),
        4 => ok(c.deploy(["23"]).startup_mode(2).send().await),
        5 => ok(c.deploy(["../12"]).send().await),
        6 => ok(c.show_package("23?x=1").await),
        7 => ok(c.show_package("23#x").await),
        8 => ok(c.show_package("%32%33").await),
        9 => ok(c.show_package("..").await),
        10 => ok(c.show_package("2 3").await),
        11 => ok(c.show_package("23\n").await),
        12 => ok(c.system_task("a/b").await),
        13 => ok(c.wait_for_task("a/b").send().await),
        14 => ok(c.cancel_packages(Vec::<String>::new()).await),
        15 => ok(c.cancel_packages(many).await),
        16 => ok(c.deploy_all(Vec::<String>::new()).send().await),
        17 => ok(c.deploy_all(["1", "2", "1"]).send().await),
        18 => ok(c.deploy_all(["1"]).chunk_size(101).send().await),
        19 => ok(c.pending_items().limit(0).send().await),
        20 => ok(c.pending_items().limit(101).send().await),
        21 => ok(c.list_packages().limit(0).send().await),
        22 => ok(c
            .with_workspace(Some("ws\r\nX-Evil: 1"))
            .show_package("23")
            .await),
        23 => ok(c.with_workspace(Some("ws\0")).deploy(["23"]).send().await),
        24 => ok(c
            .package_pending_items(Vec::<String>::new())
            .name("n")
            .applicant("u")
            .approvers(["a"])
            .send()
            .await),
        25 => ok(c
            .package_pending_items(["26"])
            .applicant("u")
            .approvers(["a"])
            .send()
            .await),
        26 => ok(c
            .package_pending_items(["26"])
            .name("n")
            .applicant("u")
            .send()
            .await),
        27 => ok(c.show_package(".").await),
        28 => ok(c.system_task(".").await),
        29 => ok(c.wait_for_task(".").send().await),
        30 => ok(c.cancel_packages(["."]).await),
        31 => ok(c.deploy(["23", "."]).send().await),
        32 => ok(c.show_package("a<b").await),
        33 => ok(c.with_workspace(Some("ws\u{c4}")).show_package("23").await),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let emu = emulator_with(|b| b.seed_packages(101)).await;
    let c = client(&emu);
    let many: Vec<String> = (1000..1101).map(|n| n.to_string()).collect();
    for (i, name) in CASES.iter().enumerate() {
        let before = (emu.journal().len(), emu.refused_auth().total);
        let e = run(&c, i, &many).await.expect_err(name);
        assert!(matches!(e, Error::InvalidInput { .. }), "{name}: {e:?}");
        assert!(!e.to_string().is_empty());
        assert_eq!(
            (emu.journal().len(), emu.refused_auth().total),
            before,
            "{name}: something was sent"
        );
    }

    // Header values in credentials and config: refused at build time.
    for bad in [
        builder(&emu.url()).credentials(Credentials::token("tok\r\nX-Evil: 1")),
        builder(&emu.url()).project_id("b384/../x"),
        builder(&emu.url()).project_id("p%2F"),
    ] {
        let e = bad.build().unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e}");
    }
    assert!(emu.journal().is_empty());
    emu.shutdown().await;
}

/// Every builder setting that cannot work is refused at `build()`, naming the setting.
#[tokio::test]
async fn settings_a_request_cannot_carry_are_refused_at_build() {
    let emu = emulator().await;
    let port = emu.url().rsplit(':').next().unwrap().to_string();
    let bare = format!("127.0.0.1:{port}");
    let cases: Vec<(dataarts_release::ClientBuilder, &str, &str)> = vec![
        (
            builder(&emu.url()).endpoint(bare.as_str()),
            "ClientBuilder::endpoint",
            "http://127.0.0.1:",
        ),
        (
            builder(&emu.url()).endpoint("localhost:8080"),
            "ClientBuilder::endpoint",
            "http://localhost:8080",
        ),
        (
            builder(&emu.url()).endpoint("dayu.example.com:443/base"),
            "ClientBuilder::endpoint",
            "https://dayu.example.com:443/base",
        ),
        (
            builder(&emu.url()).v1_endpoint("127.0.0.1:9"),
            "ClientBuilder::v1_endpoint",
            "http://127.0.0.1:9",
        ),
        (
            builder(&emu.url()).credentials(Credentials::aksk("\u{c4}K", "SK")),
            "ClientBuilder::credentials",
            "access key (AK)",
        ),
        (
            builder(&emu.url()).credentials(Credentials::token("t\u{f6}ken")),
            "ClientBuilder::credentials",
            "token contains a non-ASCII character",
        ),
        (
            builder(&emu.url()).credentials(Credentials::temporary("AK", "SK", "st 1")),
            "ClientBuilder::credentials",
            "security token contains a space",
        ),
        (
            builder(&emu.url()).project_id("."),
            "ClientBuilder::project_id",
            "\".\"",
        ),
        (
            builder(&emu.url()).workspace("w\u{e9}"),
            "ClientBuilder::workspace",
            "cannot carry",
        ),
    ];
    for (b, named, says) in cases {
        let e = b.build().unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, Error::Config { .. }), "{text}");
        assert!(text.contains(named), "{named}: {text}");
        assert!(text.contains(says), "{says}: {text}");
    }
    // The metadata, IAM and STS endpoints are checked when a source first needs them.
    for b in [
        builder(&emu.url()).metadata_endpoint("127.0.0.1:9"),
        builder(&emu.url()).iam_endpoint("localhost:9"),
        builder(&emu.url()).sts_endpoint("localhost:9/v5"),
    ] {
        let b = b.credentials(Credentials::ecs_metadata(
            dataarts_release::EcsMetadata::new(),
        ));
        let text = match b.build() {
            Err(e) => e.to_string(),
            Ok(c) => c.list_packages().send().await.unwrap_err().to_string(),
        };
        assert!(
            text.contains("has no scheme") && text.contains("http://"),
            "{text}"
        );
    }
    assert!(emu.journal().is_empty());
    emu.shutdown().await;
}

mod segments {
    use super::common::*;
    use dataarts_release::Error;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    fn ids() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{1,6}",
            "[a-z0-9.~:@!$&'()*+,;=_-]{1,8}",
            "[.\\u{a0}\\u{e9}\\u{feff}\\u{ff10}a%/]{1,4}",
            Just(".".to_string()),
            Just("..".to_string()),
            Just("a.b".to_string()),
        ]
    }

    /// An id that passes validation is sent as exactly one path segment, byte for byte; one
    /// that does not pass sends nothing.
    #[test]
    fn every_accepted_id_is_one_unchanged_path_segment() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let s = rt.block_on(scripted(vec![json(
            404,
            r#"{"error_code":"DLF.0810","error_msg":"not found"}"#,
        )]));
        let c = scripted_client(&s);
        let mut runner = TestRunner::new(Config::with_cases(256));
        runner
            .run(&ids(), |id| {
                for task in [false, true] {
                    let before = s.count();
                    let result = rt.block_on(async {
                        match task {
                            false => c.show_package(id.as_str()).await.map(|_| ()),
                            true => c.system_task(id.as_str()).await.map(|_| ()),
                        }
                    });
                    if let Err(Error::InvalidInput { .. }) = result {
                        prop_assert_eq!(s.count(), before, "{:?} was refused but sent", id);
                        continue;
                    }
                    prop_assert_eq!(s.count(), before + 1, "{:?}: {:?}", id, result);
                    let target = s.all().last().unwrap().target.clone();
                    let prefix = match task {
                        false => "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/factory/release-packages/",
                        true => "/v1/0a1b2c3d4e5f60718293a4b5c6d7e8f9/system-tasks/",
                    };
                    prop_assert_eq!(target, format!("{prefix}{id}"));
                }
                Ok(())
            })
            .unwrap();
    }
}
