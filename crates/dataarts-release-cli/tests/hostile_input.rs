//! Input that cannot work is refused before anything is sent (exit 2), in the CLI's terms:
//! ids a URL would rewrite, credentials a header cannot carry, an endpoint without a scheme,
//! a dangling default profile. A byte-order mark at the start of an ids file is skipped.

mod common;

use common::*;

/// The emulator received nothing at all.
fn nothing_sent(emu: &TestEmu) {
    let journal = emu.emu().journal();
    assert!(
        journal.is_empty(),
        "sent: {:?}",
        journal
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_dot_is_not_an_id_for_any_command_that_puts_one_in_a_path() {
    let emu = TestEmu::fast();
    for args in [
        &["packages", "show", "."][..],
        &["tasks", "show", "."],
        &["tasks", "wait", "."],
        &["packages", "cancel", "."],
        &["deploy", "23", "."],
        &["packages", "show", "a<b"],
        &["packages", "show", "x{1}"],
    ] {
        let o = cli(args).against(&emu).run();
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("error: invalid"), "{args:?}: {err}");
        nothing_sent(&emu);
    }
    let o = cli(&["packages", "show", "."]).against(&emu).run();
    assert!(stderr(&o).contains("would be dropped"), "{}", stderr(&o));
}

#[test]
fn credentials_a_header_cannot_carry_are_refused_naming_the_variable() {
    let emu = TestEmu::fast();
    for (var, value) in [
        ("HUAWEICLOUD_SDK_AK", "\u{c4}K"),
        ("HUAWEICLOUD_SDK_AK", "AK WITH SPACE"),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "st-\u{e9}"),
    ] {
        let o = cli(&["packages", "list"])
            .against(&emu)
            .env(var, value)
            .run();
        assert_eq!(code(&o), 2, "{var}={value}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(var), "{var}: {err}");
        assert!(err.contains("cannot carry"), "{var}: {err}");
        assert!(!err.contains("st-\u{e9}"), "{err}");
        nothing_sent(&emu);
    }
    let o = cli(&["packages", "list"])
        .against(&emu)
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK")
        .env("DATAARTS_AUTH_TOKEN", "t\u{f6}ken")
        .run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("DATAARTS_AUTH_TOKEN"), "{}", stderr(&o));
    nothing_sent(&emu);

    // From the profile file: the message names the file.
    let c = cli(&["packages", "list"])
        .env("DATAARTS_ENDPOINT", &emu.url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID);
    let profile = c.file(
        "profile",
        &format!("[basic]\nak = \u{c4}K\nsk = {TEST_SK}\n"),
    );
    let o = c.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &profile).run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains(&profile), "{}", stderr(&o));
    assert!(!stderr(&o).contains(TEST_SK), "{}", stderr(&o));
    nothing_sent(&emu);

    // The workspace goes into a header as well.
    let o = cli(&["--workspace", "w\u{e9}", "packages", "list"])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--workspace"), "{}", stderr(&o));
    nothing_sent(&emu);
}

#[test]
fn an_endpoint_without_a_scheme_suggests_one() {
    for (args, var, value, suggested) in [
        (
            &["--endpoint", "127.0.0.1:9", "packages", "list"][..],
            None,
            "",
            "http://127.0.0.1:9",
        ),
        (
            &["packages", "list"],
            Some("DATAARTS_ENDPOINT"),
            "localhost:8080",
            "http://localhost:8080",
        ),
        (
            &["packages", "list"],
            Some("DATAARTS_ENDPOINT"),
            "dayu.example.com:8443/base",
            "https://dayu.example.com:8443/base",
        ),
    ] {
        let mut c = cli(args)
            .env("HUAWEICLOUD_SDK_AK", TEST_AK)
            .env("HUAWEICLOUD_SDK_SK", TEST_SK)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID);
        if let Some(var) = var {
            c = c.env(var, value);
        }
        let o = c.run();
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?} {value}: {err}");
        assert!(err.contains(suggested), "{err}");
        assert!(err.contains(var.unwrap_or("--endpoint")), "{err}");
    }
    // The identity endpoints too: here the metadata service, the only source configured.
    let o = cli(&["packages", "list"])
        .env("DATAARTS_ENDPOINT", CLOSED)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("DATAARTS_METADATA_ENDPOINT", "127.0.0.1:9")
        .run();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("DATAARTS_METADATA_ENDPOINT") && err.contains("http://127.0.0.1:9"),
        "{err}"
    );
    let c = cli(&["packages", "list"])
        .env("DATAARTS_ENDPOINT", CLOSED)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
        .env("HC_CONTAINER_CREDENTIALS_FULL_URI", "localhost:9/creds");
    let token = c.file("pod-token", DEMO_POD_TOKEN);
    let o = c.env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token).run();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("HC_CONTAINER_CREDENTIALS_FULL_URI")
            && err.contains("http://localhost:9/creds"),
        "{err}"
    );
}

#[test]
fn an_ids_file_may_start_with_a_byte_order_mark() {
    let emu = TestEmu::start(TaskTiming::Manual, 0);
    let c = cli(&[]);
    let ids = c.file("ids.txt", "\u{feff}23\r\n12\r\n");
    let o = cli(&["--output", "json", "deploy", "--ids-from", &ids])
        .against(&emu)
        .run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sent: Vec<String> = json(&o)["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["package_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, ["23", "12"]);
    // Only at the very start: one inside the file is still a copy-paste accident.
    let ids = c.file("ids2.txt", "23\n\u{feff}12\n");
    let o = cli(&["deploy", "--ids-from", &ids]).against(&emu).run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_dangling_default_profile_is_named_not_skipped() {
    let c = cli(&["packages", "list"])
        .env("DATAARTS_ENDPOINT", CLOSED)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID);
    let dir = c.home().join(".huaweicloud");
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("credentials");
    let target = c.home().join("moved-away");
    std::os::unix::fs::symlink(&target, &profile).unwrap();
    let o = c.run();
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains(&profile.display().to_string()), "{err}");
    assert!(err.contains(&target.display().to_string()), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
}
