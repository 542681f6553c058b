//! `dataarts-release auth`, end to end: what it prints for each source (text snapshots with
//! the volatile parts masked, JSON checked against its schema), `--emulator`, and
//! `--signing-algorithm` with each of the four algorithms against the emulator.
#![cfg(feature = "emulator")]

mod common;

use common::*;

/// What changes from run to run: the temporary directory, the issued access key's last
/// four characters, the time left.
const VOLATILE: [(&str, &str); 3] = [
    (
        r"/[^ )]*/(id-token|oidc-token|pod-token|\.huaweicloud/credentials)",
        "[TMP]/$1",
    ),
    (r"EMUT\*{4}[0-9A-Z]{4}", "EMUT****[AK]"),
    (r"\(in [0-9a-z ]+\)", "(in [DURATION])"),
];

fn auth_schema() -> jsonschema::Validator {
    let o = cli(&["schema", "auth"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    jsonschema::validator_for(&json(&o)).expect("a usable schema")
}

fn assert_valid(schema: &jsonschema::Validator, v: &Value) {
    let errors: Vec<String> = schema.iter_errors(v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{v:#}");
}

#[test]
fn auth_shows_each_source_without_a_secret() {
    let schema = auth_schema();
    for source in &SOURCES {
        let emu = TestEmu::fast();
        let o = (source.setup)(cli(&["auth"]), &emu).run();
        assert_eq!(code(&o), 0, "{}: {}", source.name, stderr(&o));
        assert_no_secret_in(&o);
        snap_with(&format!("auth_{}", source.name), &o, &VOLATILE);

        let o = (source.setup)(cli(&["--output", "json", "auth"]), &emu).run();
        assert_eq!(code(&o), 0, "{}: {}", source.name, stderr(&o));
        assert_no_secret_in(&o);
        let v = json(&o);
        assert_valid(&schema, &v);
        let c = &v["credentials"];
        assert_eq!(c["source"], source.key, "{}", source.name);
        assert_eq!(c["temporary"], true, "{}", source.name);
        assert_eq!(c["refreshed"], true, "{}", source.name);
        let ak = c["access_key"].as_str().expect("a masked access key");
        assert!(ak.starts_with("EMUT") && ak.contains("****"), "{ak}");
        let left = c["expires_in_seconds"].as_u64().expect("an expiry");
        assert!((3000..=3600).contains(&left), "{left}");
        assert_eq!(v["region"], REGION);
        assert_eq!(v["project"]["id"], DEMO_PROJECT_ID);
        assert_eq!(v["project"]["found_by"], "discovered");
        assert_eq!(v["signing_algorithm"], "SDK-HMAC-SHA256");
        assert_eq!(v["endpoints"]["dataarts"], format!("{}/", emu.url()));
        assert_eq!(deploys(&emu), 0, "auth releases nothing");
    }
}

#[test]
fn auth_with_a_configured_project_and_aksk() {
    let emu = TestEmu::fast();
    let o = cli(&["auth"]).against(&emu).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_no_secret_in(&o);
    snap("auth_aksk", &o);

    let o = cli(&["--output", "json", "auth"]).against(&emu).run();
    let v = json(&o);
    assert_valid(&auth_schema(), &v);
    assert_eq!(v["credentials"]["source"], "aksk");
    assert_eq!(v["credentials"]["temporary"], false);
    assert!(v["credentials"]["expires_at"].is_null());
    assert_eq!(v["project"]["found_by"], "configured");
    assert_eq!(
        v["project"]["configured_by"],
        "--project-id / HUAWEICLOUD_SDK_PROJECT_ID"
    );
    assert_eq!(
        emu.emu().journal_count("/v3/projects"),
        0,
        "nothing to look up"
    );
}

#[test]
fn auth_with_the_in_process_emulator_shows_the_demo_credentials() {
    let o = cli(&["--emulator", "auth"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("auth_emulator", &o);
    let o = cli(&["--emulator", "--output", "json", "auth"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_valid(&auth_schema(), &v);
    assert_eq!(v["credentials"]["source"], "aksk");
    let ak = v["credentials"]["access_key"].as_str().unwrap();
    assert_eq!(&ak[..4], &DEMO_AK[..4]);
    assert_eq!(&ak[ak.len() - 4..], &DEMO_AK[DEMO_AK.len() - 4..]);
    assert_eq!(v["project"]["id"], DEMO_PROJECT_ID);
    assert!(!stdout(&o).contains(dataarts_emulator::DEMO_SK));

    // The flag applies to the in-process emulator too.
    let o = cli(&[
        "--emulator",
        "--signing-algorithm",
        "sdk-ecdsa-p256-sha256",
        "--output",
        "json",
        "auth",
    ])
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["signing_algorithm"], "SDK-ECDSA-P256-SHA256");
    let o = cli(&[
        "--emulator",
        "--signing-algorithm",
        "SDK-SM2-SM3",
        "deploy",
        "23",
    ])
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Each algorithm, spelled in any case, signs the project lookup and the DataArts calls; the
/// flag wins over the variable.
#[test]
fn every_signing_algorithm_gets_through_the_emulator() {
    let emu = TestEmu::fast();
    for (given, name) in [
        ("sdk-hmac-sha256", "SDK-HMAC-SHA256"),
        ("SDK-HMAC-SM3", "SDK-HMAC-SM3"),
        ("sdk-ecdsa-p256-sha256", "SDK-ECDSA-P256-SHA256"),
        ("Sdk-Sm2-Sm3", "SDK-SM2-SM3"),
    ] {
        let aksk = |c: Cli| {
            c.region_of(&emu)
                .env("HUAWEICLOUD_SDK_AK", TEST_AK)
                .env("HUAWEICLOUD_SDK_SK", TEST_SK)
        };
        let o = aksk(cli(&[
            "--signing-algorithm",
            given,
            "--output",
            "json",
            "auth",
        ]))
        .env("DATAARTS_SIGNING_ALGORITHM", "SDK-HMAC-SHA256")
        .run();
        assert_eq!(code(&o), 0, "{given}: {}", stderr(&o));
        assert_eq!(json(&o)["signing_algorithm"], name);

        let o = aksk(cli(&["packages", "list"]))
            .env("DATAARTS_SIGNING_ALGORITHM", given)
            .run();
        assert_eq!(code(&o), 0, "{given}: {}", stderr(&o));
    }
    // Temporary credentials sign with the chosen algorithm too.
    let o = cli(&[
        "--signing-algorithm",
        "SDK-SM2-SM3",
        "deploy",
        "23",
        "--wait",
    ])
    .oidc(&emu)
    .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(emu.emu().release_count("23"), 1);
}

#[test]
fn an_unknown_signing_algorithm_exits_2_naming_the_flag_and_the_four_names() {
    let emu = TestEmu::fast();
    for o in [
        cli(&["--signing-algorithm", "SDK-HMAC-MD5", "deploy", "23"])
            .against(&emu)
            .run(),
        cli(&["deploy", "23"])
            .against(&emu)
            .env("DATAARTS_SIGNING_ALGORITHM", "hmac")
            .run(),
    ] {
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("--signing-algorithm"), "{err}");
        for name in [
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SM3",
            "SDK-ECDSA-P256-SHA256",
            "SDK-SM2-SM3",
        ] {
            assert!(err.contains(name), "{name}: {err}");
        }
    }
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
    let o = cli(&["--signing-algorithm", "SDK-HMAC-MD5", "deploy", "23"]).run();
    snap("signing_algorithm_unknown", &o);
}

/// An IAM token: no access key and no signing; the project id is found among the token's
/// own projects.
#[test]
fn auth_with_an_iam_token() {
    const TOKEN: &str = "cli-test-iam-token-never-printed";
    let emu = TestEmu::with(|b| b.token(TOKEN));
    let c = cli(&["-vv", "--output", "json", "auth"]).region_of(&emu);
    let file = c.file("iam-token", TOKEN);
    let o = c.env("DATAARTS_AUTH_TOKEN_FILE", &file).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains(TOKEN) && !stderr(&o).contains(TOKEN));
    let v = json(&o);
    assert_valid(&auth_schema(), &v);
    let c = &v["credentials"];
    assert_eq!(c["source"], "iam_token");
    assert_eq!(
        c["configured_by"],
        "--token-file / DATAARTS_AUTH_TOKEN_FILE"
    );
    assert!(c["access_key"].is_null());
    assert!(v["signing_algorithm"].is_null());
    assert_eq!(v["project"]["id"], DEMO_PROJECT_ID);
    assert_eq!(v["project"]["found_by"], "discovered");
    assert_eq!(emu.emu().journal_count("/v3/auth/projects"), 1);
}

/// When the credentials cannot be had, `auth` fails like any command: exit 3 and, with
/// `--output json`, the error document its schema allows.
#[test]
fn auth_without_credentials_fails_with_the_error_document() {
    let o = cli(&["--region", REGION, "--output", "json", "auth"]).run();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v = json(&o);
    assert_valid(&auth_schema(), &v);
    assert_eq!(v["command"], "auth");
    assert_eq!(v["error"]["exit_code"], 3);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("ECS metadata service"));
}
