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
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let emu = emulator_with(|b| b.seed_packages(101)).await;
    let c = client(&emu);
    let many: Vec<String> = (1000..1101).map(|n| n.to_string()).collect();
    for (i, name) in CASES.iter().enumerate() {
        let before = emu.journal().len();
        let e = run(&c, i, &many).await.expect_err(name);
        assert!(matches!(e, Error::InvalidInput { .. }), "{name}: {e:?}");
        assert!(!e.to_string().is_empty());
        assert_eq!(emu.journal().len(), before, "{name}: something was sent");
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
