//! Credential sources that fail, end to end: unreadable token files, an unknown IdP, a
//! refused id token or agency, a metadata service that does not answer in time, credentials
//! that expire and cannot be renewed, malformed answers, conflicting sources. Each is one
//! clear error naming the source, exit 3 (authentication) or 5 (network) — 2 for a
//! configuration that contradicts itself or a file the user named that cannot be read —
//! nothing is released, and no secret is shown, even
//! with `-vv`.
#![cfg(feature = "emulator")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;

/// Runs `deploy 23` with `-vv` as `setup` configures it; checks the exit code, that the
/// error names `names`, that nothing was released and that no secret shows.
fn fails(emu: &TestEmu, setup: impl FnOnce(Cli) -> Cli, exit: i32, names: &[&str]) -> Output {
    let o = setup(cli(&["-vv", "deploy", "23"])).run();
    let err = stderr(&o);
    assert_eq!(code(&o), exit, "{err}");
    let error_line = err
        .lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("hint:"))
        .collect::<Vec<_>>()
        .join("\n");
    for name in names {
        assert!(error_line.contains(name), "{name}: {error_line}");
    }
    assert_eq!(deploys(emu), 0, "nothing may be released: {err}");
    assert_no_secret_in(&o);
    eprintln!("{error_line}");
    o
}

#[test]
fn unreadable_or_empty_token_files_name_their_variable() {
    let emu = TestEmu::fast();
    fails(
        &emu,
        |c| {
            c.idp(&emu)
                .env("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/nonexistent/id-token")
        },
        2,
        &[
            "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
            "identity-provider federation",
        ],
    );
    fails(
        &emu,
        |c| {
            let empty = c.file("empty-token", " \n");
            c.oidc(&emu).env("HUAWEICLOUD_OIDC_TOKEN_FILE", &empty)
        },
        2,
        &["HUAWEICLOUD_OIDC_TOKEN_FILE", "OIDC"],
    );
    fails(
        &emu,
        |c| {
            let dir = c.home().display().to_string();
            c.pod(&emu)
                .env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", &dir)
        },
        2,
        &["HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", "pod identity"],
    );
}

#[test]
fn refusals_by_iam_and_sts_are_authentication_errors() {
    let emu = TestEmu::fast();
    // An IdP IAM does not know.
    fails(
        &emu,
        |c| c.idp(&emu).env("HUAWEICLOUD_SDK_IDP_ID", "no-such-idp"),
        3,
        &["HUAWEICLOUD_SDK_IDP_ID"],
    );
    // An id token the IdP refuses (it must not be quoted back).
    let o = fails(
        &emu,
        |c| {
            let t = c.file("refused-token", "an-id-token-the-idp-refuses");
            c.idp(&emu).env("HUAWEICLOUD_SDK_ID_TOKEN_FILE", &t)
        },
        3,
        &["HUAWEICLOUD_SDK_ID_TOKEN_FILE"],
    );
    assert!(!stderr(&o).contains("an-id-token-the-idp-refuses"));
    // An agency the OIDC provider may not assume.
    fails(
        &emu,
        |c| {
            c.oidc(&emu).env(
                "HUAWEICLOUD_OIDC_AGENCY_URN",
                "iam::e4a1f0c9d8b74c6a9f3e2d1c0b9a8f7e:agency:not-trusted",
            )
        },
        3,
        &["OIDC", "HUAWEICLOUD_OIDC_AGENCY_URN"],
    );
}

#[test]
fn refusals_injected_by_the_emulator_are_authentication_errors() {
    let emu = TestEmu::with(|b| {
        b.faults(FaultConfig {
            iam_refuse_id_token: 1.0,
            sts_refuse_agency: 1.0,
            ..FaultConfig::default()
        })
    });
    fails(&emu, |c| c.idp(&emu), 3, &["identity-provider federation"]);
    fails(&emu, |c| c.oidc(&emu), 3, &["OIDC"]);
}

/// A metadata service that answers too late (or never) is given up on quickly.
#[test]
fn a_metadata_service_that_does_not_answer_in_time() {
    let emu = TestEmu::with(|b| {
        b.faults(FaultConfig {
            metadata_delay: Some(Duration::from_secs(30)),
            ..FaultConfig::default()
        })
    });
    let started = Instant::now();
    fails(
        &emu,
        |c| c.metadata(&emu),
        3,
        &["ECS metadata", "HUAWEICLOUD_SDK_AK"],
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "gave up after {:?}",
        started.elapsed()
    );
}

/// Nothing configured and no metadata service: exit 3, and the hint lists what can be set.
#[test]
fn nothing_configured_lists_what_can_be_set() {
    let o = cli(&["--region", REGION, "packages", "list"]).run();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let err = stderr(&o);
    for v in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_OIDC_PROVIDER_URN",
        "HUAWEICLOUD_SDK_IDP_ID",
        "--token-file",
        "HC_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        assert!(err.contains(v), "{v}: {err}");
    }
}

/// Credentials that expire during `deploy --wait` while their source has gone away: the
/// wait stops with an error naming the source, exit 3; the package was released once.
#[test]
fn credentials_that_expire_and_cannot_be_renewed() {
    let emu = TestEmu::with(|b| {
        b.task_timing(TaskTiming::Manual)
            .credential_lifetime(Duration::from_secs(3))
    });
    let run = cli(&["deploy", "23", "--wait", "--timeout", "60s"])
        .metadata(&emu)
        .spawn();
    wait_for_journal(&emu, |j| {
        j.iter()
            .any(|e| e.operation == Some(dataarts_release::Operation::DeployFactoryPackages))
    });
    emu.emu().set_faults(FaultConfig {
        metadata_error: 1.0,
        ..FaultConfig::default()
    });
    let o = run.finish();
    let err = stderr(&o);
    assert_eq!(code(&o), 3, "{err}");
    assert!(err.contains("ECS metadata"), "{err}");
    assert!(err.contains("expired"), "{err}");
    eprintln!("{err}");
    assert_eq!(emu.emu().release_count("23"), 1);
    assert_no_secret_in(&o);
}

/// A server on a loopback port that answers every request with `response`.
fn stub(response: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

const NOT_JSON: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 15\r\n\
                        connection: close\r\n\r\n<html>hi</html>";
const NO_CREDENTIAL: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                             content-length: 17\r\nconnection: close\r\n\r\n{\"credential\":{}}";
const NO_SUBJECT_TOKEN: &str = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
                                content-length: 11\r\nconnection: close\r\n\r\n{\"token\":{}}";

#[test]
fn malformed_answers_name_the_source() {
    let emu = TestEmu::fast();
    let sts = stub(NO_CREDENTIAL);
    fails(
        &emu,
        |c| c.oidc(&emu).env("HUAWEICLOUD_SDK_STS_ENDPOINT", &sts),
        3,
        &["OIDC", "HUAWEICLOUD_SDK_STS_ENDPOINT"],
    );
    let iam = stub(NO_SUBJECT_TOKEN);
    fails(
        &emu,
        |c| c.idp(&emu).env("HUAWEICLOUD_SDK_IAM_ENDPOINT", &iam),
        3,
        &[
            "identity-provider federation",
            "HUAWEICLOUD_SDK_IAM_ENDPOINT",
        ],
    );
    let metadata = stub(NOT_JSON);
    fails(
        &emu,
        |c| {
            c.metadata(&emu)
                .env("DATAARTS_METADATA_ENDPOINT", &metadata)
        },
        3,
        &["ECS metadata", "DATAARTS_METADATA_ENDPOINT"],
    );
    let pod = stub(NOT_JSON);
    fails(
        &emu,
        |c| {
            c.pod(&emu)
                .env("HC_CONTAINER_CREDENTIALS_FULL_URI", &format!("{pod}/creds"))
        },
        3,
        &["pod identity", "HC_CONTAINER_CREDENTIALS_FULL_URI"],
    );
}

/// The emulator's own IAM, STS, metadata service and pod identity answering cut-off JSON.
#[test]
fn malformed_answers_injected_by_the_emulator() {
    let emu = TestEmu::with(|b| {
        b.faults(FaultConfig {
            identity_malformed: 1.0,
            ..FaultConfig::default()
        })
    });
    for source in &SOURCES {
        let o = fails(&emu, |c| (source.setup)(c, &emu), 3, &[]);
        assert!(
            stderr(&o).contains("credentials from the"),
            "{}",
            stderr(&o)
        );
    }
}

/// A source that cannot be reached is a network failure (exit 5), named with the variable
/// that points at it.
#[test]
fn unreachable_sources_exit_5() {
    let emu = TestEmu::fast();
    fails(
        &emu,
        |c| c.oidc(&emu).env("HUAWEICLOUD_SDK_STS_ENDPOINT", CLOSED),
        5,
        &["OIDC", "HUAWEICLOUD_SDK_STS_ENDPOINT"],
    );
    fails(
        &emu,
        |c| c.idp(&emu).env("HUAWEICLOUD_SDK_IAM_ENDPOINT", CLOSED),
        5,
        &[
            "identity-provider federation",
            "HUAWEICLOUD_SDK_IAM_ENDPOINT",
        ],
    );
}

/// Two sources at once is a configuration that contradicts itself: exit 2, both named.
#[test]
fn conflicting_sources_exit_2() {
    let emu = TestEmu::fast();
    fails(
        &emu,
        |c| c.oidc(&emu).env("DATAARTS_AUTH_TOKEN", "an-iam-token"),
        2,
        &["DATAARTS_AUTH_TOKEN", "HUAWEICLOUD_OIDC"],
    );
    fails(
        &emu,
        |c| {
            let t = c.file("iam-token", "an-iam-token");
            c.idp(&emu).env("DATAARTS_AUTH_TOKEN_FILE", &t)
        },
        2,
        &["--token-file", "HUAWEICLOUD_SDK_IDP_ID"],
    );
    // OIDC half configured.
    fails(
        &emu,
        |c| {
            c.region_of(&emu)
                .env("HUAWEICLOUD_OIDC_PROVIDER_URN", DEMO_OIDC_PROVIDER_URN)
        },
        2,
        &["HUAWEICLOUD_OIDC_AGENCY_URN"],
    );
    assert!(
        emu.emu().journal().is_empty() && emu.emu().refused_auth().total == 0,
        "nothing may be sent"
    );
}

/// `deploy --output json` when no credentials can be had: every package `not_sent` (nothing
/// reached the service), with the credential error, exit 3.
#[test]
fn deploy_json_says_not_sent_when_credentials_cannot_be_had() {
    let emu = TestEmu::fast();
    let o = cli(&["--output", "json", "deploy", "23", "24"])
        .idp(&emu)
        .env("HUAWEICLOUD_SDK_IDP_ID", "no-such-idp")
        .run();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["summary"]["not_sent"], 2, "{v:#}");
    assert_eq!(v["requests"], 0, "no deploy request was sent: {v:#}");
    for p in v["packages"].as_array().unwrap() {
        assert_eq!(p["result"], "not_sent", "{v:#}");
        assert_eq!(p["error"]["exit_code"], 3, "{v:#}");
    }
    assert_eq!(deploys(&emu), 0);
}
