//! Every credential source, end to end: the binary gets its credentials from the emulator's
//! IAM, STS, metadata service or pod identity, discovers the project id of the region, and
//! releases a package; and with AK/SK and no project id, as a new user first tries it.
#![cfg(feature = "emulator")]

mod common;

use common::*;

/// The opening scenario: AK/SK and a region, no project id.
#[test]
fn aksk_without_a_project_id_discovers_it_and_deploys() {
    let emu = TestEmu::fast();
    let o = cli(&["--region", REGION, "--endpoint", &emu.url(), "deploy", "23"])
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &emu.url())
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(emu.emu().journal_count("/v3/projects"), 1);
    assert_eq!(deploys(&emu), 1);
    assert_eq!(emu.emu().release_count("23"), 1);
}

/// Each source releases a package with `-vv` logging, and nothing it handled (id token, pod
/// token, metadata token, unscoped token, temporary SK, security token) shows in the output.
#[test]
fn each_source_releases_a_package_without_showing_a_secret() {
    for source in &SOURCES {
        let emu = TestEmu::fast();
        let o = (source.setup)(
            cli(&["-vv", "--output", "json", "deploy", "23", "--wait"]),
            &emu,
        )
        .run();
        assert_eq!(code(&o), 0, "{}: {}", source.name, stderr(&o));
        let v = json(&o);
        assert_eq!(
            v["packages"][0]["result"], "released",
            "{}: {v:#}",
            source.name
        );
        assert!(
            emu.emu().journal_count(source.fetch_path) >= 1,
            "{}: no credentials were fetched",
            source.name
        );
        assert_eq!(
            emu.emu().journal_count("/v3/projects"),
            1,
            "{}: the project id is discovered once",
            source.name
        );
        assert_eq!(deploys(&emu), 1, "{}", source.name);
        assert_never_twice(&emu);
        assert!(
            !stderr(&o).is_empty(),
            "{}: -vv logs something",
            source.name
        );
        assert_no_secret_in(&o);
    }
}

/// The metadata service is asked first even when pod identity is configured (the SDK's
/// order); where it answers, its credentials are used.
#[test]
fn metadata_comes_before_pod_identity() {
    let emu = TestEmu::fast();
    let o = cli(&["--output", "json", "auth"])
        .pod(&emu)
        .env("DATAARTS_METADATA_ENDPOINT", &emu.url())
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["credentials"]["source"], "ecs_metadata");
    assert_eq!(emu.emu().journal_count("/pod-identity"), 0);
}

/// A region IAM has no project for: exit 2, naming the region and what to pass instead.
#[test]
fn a_region_without_a_project_says_what_to_pass() {
    let emu = TestEmu::fast();
    let o = cli(&["deploy", "23"])
        .region_of(&emu)
        .env("DATAARTS_REGION", "ap-southeast-1")
        .env("HUAWEICLOUD_SDK_AK", TEST_AK)
        .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        .run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("ap-southeast-1"), "{err}");
    assert!(err.contains("--project-id"), "{err}");
    assert_eq!(deploys(&emu), 0);
}
