//! Every error the CLI prints is in its own terms: it names the flag, argument or variable to
//! fix, and never the library's API (`ClientBuilder::...`, `call .name(..)`, Rust paths).
#![cfg(feature = "emulator")]

mod common;

use common::*;

/// Library wording that must never reach the CLI's stderr.
const LIBRARY_WORDING: [&str; 9] = [
    "::",
    "(..)",
    "ClientBuilder",
    "call .",
    "Client::",
    "builder",
    // The HTTP library's chain of wrapped errors.
    "error sending request",
    "client error (",
    "list_factory_release_packages",
];

/// One failing invocation: the arguments, extra variables, the exit code, and what the
/// `error:`/`hint:` lines must name.
struct Case {
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    exit: i32,
    names: &'static [&'static str],
}

const P: &str = "HUAWEICLOUD_SDK_PROJECT_ID";

const CASES: &[Case] = &[
    Case {
        args: &[
            "--emulator",
            "pending",
            "package",
            "--name",
            "",
            "--applicant",
            "a",
            "--approver",
            "b",
            "1",
        ],
        env: &[],
        exit: 2,
        names: &["--name"],
    },
    Case {
        args: &[
            "--emulator",
            "pending",
            "package",
            "--name",
            "n",
            "--applicant",
            " ",
            "--approver",
            "b",
            "1",
        ],
        env: &[],
        exit: 2,
        names: &["--applicant"],
    },
    Case {
        args: &[
            "--emulator",
            "pending",
            "package",
            "--name",
            "n",
            "--applicant",
            "a",
            "--approver",
            "",
            "1",
        ],
        env: &[],
        exit: 2,
        names: &["--approver"],
    },
    Case {
        args: &["--region", "cn-north-4", "packages", "list"],
        env: &[],
        exit: 3,
        names: &[
            "HUAWEICLOUD_SDK_AK",
            "--token-file",
            "DATAARTS_METADATA_ENDPOINT",
        ],
    },
    Case {
        args: &["--endpoint", "http://dataarts.example", "packages", "list"],
        env: &[("DATAARTS_AUTH_TOKEN", "t"), (P, DEMO_PROJECT_ID)],
        exit: 2,
        names: &["--endpoint", "https://"],
    },
    Case {
        args: &["--emulator", "--workspace", " x", "pending", "list"],
        env: &[],
        exit: 2,
        names: &["--workspace"],
    },
    Case {
        args: &[
            "--region",
            "cn-north-4",
            "--project-id",
            "bad id",
            "packages",
            "list",
        ],
        env: &[("DATAARTS_AUTH_TOKEN", "t")],
        exit: 2,
        names: &["--project-id"],
    },
    Case {
        args: &[
            "--region",
            "cn-north-4",
            "--token-file",
            "/nonexistent/token",
            "packages",
            "list",
        ],
        env: &[],
        exit: 2,
        names: &["--token-file"],
    },
    Case {
        args: &["--region", "cn-north-4", "packages", "list"],
        env: &[("HUAWEICLOUD_SDK_AK", "AK")],
        exit: 2,
        names: &["HUAWEICLOUD_SDK_SK"],
    },
    Case {
        args: &["--emulator", "deploy", "--ids-from", "/nonexistent/ids"],
        env: &[],
        exit: 2,
        names: &["--ids-from"],
    },
    Case {
        args: &["--emulator", "tasks", "show", "a/b"],
        env: &[],
        exit: 2,
        names: &["task id"],
    },
    Case {
        args: &["--region", "cn-north-4", "packages", "list"],
        env: &[("HUAWEICLOUD_SDK_AK", "AK"), ("HUAWEICLOUD_SDK_SK", "SK")],
        exit: 5,
        names: &["--project-id", "HUAWEICLOUD_SDK_IAM_ENDPOINT"],
    },
    Case {
        args: &["--region", "cn-north-4", "packages", "list"],
        env: &[
            ("HUAWEICLOUD_OIDC_PROVIDER_URN", "urn:x"),
            ("HUAWEICLOUD_OIDC_AGENCY_URN", "urn:y"),
            ("HUAWEICLOUD_OIDC_ID_TOKEN", "id-token"),
            (P, DEMO_PROJECT_ID),
        ],
        exit: 5,
        names: &["HUAWEICLOUD_SDK_STS_ENDPOINT"],
    },
    Case {
        args: &["--region", "cn-north-4", "packages", "list"],
        env: &[
            (
                "HC_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9/pod",
            ),
            (
                "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                "/nonexistent/pod-token",
            ),
            (P, DEMO_PROJECT_ID),
        ],
        exit: 2,
        names: &[
            "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            "/nonexistent/pod-token",
        ],
    },
    Case {
        args: &["--region", "cn-north-4", "packages", "list"],
        env: &[
            ("HUAWEICLOUD_SDK_IDP_ID", "idp"),
            ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/dev/zero"),
            (P, DEMO_PROJECT_ID),
        ],
        exit: 2,
        names: &["HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/dev/zero"],
    },
    Case {
        args: &["emulator", "--fixtures", "/nonexistent/fixtures.json"],
        env: &[],
        exit: 2,
        names: &["--fixtures"],
    },
    Case {
        args: &["--endpoint", "http://127.0.0.1:9", "packages", "list"],
        env: &[("DATAARTS_AUTH_TOKEN", "t"), (P, DEMO_PROJECT_ID)],
        exit: 5,
        names: &["http://127.0.0.1:9", "--endpoint"],
    },
    Case {
        args: &["--endpoint", "https://127.0.0.1:1", "packages", "list"],
        env: &[
            ("DATAARTS_AUTH_TOKEN", "t"),
            (P, DEMO_PROJECT_ID),
            ("HTTPS_PROXY", "http://127.0.0.1:9"),
        ],
        exit: 5,
        names: &["HTTPS_PROXY", "http://127.0.0.1:9", "NO_PROXY"],
    },
    Case {
        args: &["--emulator", "packages", "show", "."],
        env: &[],
        exit: 2,
        names: &["package id"],
    },
];

#[test]
fn failing_commands_speak_in_flags_and_variables() {
    for case in CASES {
        let mut c = cli(case.args);
        for (k, v) in case.env {
            c = c.env(k, v);
        }
        let o = c.run();
        let err = stderr(&o);
        assert_eq!(code(&o), case.exit, "{:?}: {err}", case.args);
        let lines: String = err
            .lines()
            .filter(|l| l.starts_with("error:") || l.starts_with("hint:"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(!lines.is_empty(), "{:?}: {err}", case.args);
        for word in LIBRARY_WORDING {
            assert!(
                !lines.contains(word),
                "{:?} shows the library's {word:?}: {lines}",
                case.args
            );
        }
        for name in case.names {
            assert!(
                lines.contains(name),
                "{:?} must name {name}: {lines}",
                case.args
            );
        }
    }
}

/// A connection the server closes before answering: the message names the address and the
/// cause, not the HTTP library's chain of errors or the operation's id.
#[test]
fn a_broken_connection_names_the_address_and_the_cause() {
    let emu = TestEmu::with(|b| {
        b.faults(dataarts_emulator::FaultConfig {
            drop_after: 1.0,
            ..dataarts_emulator::FaultConfig::default()
        })
    });
    let o = cli(&["packages", "list"]).against(&emu).run();
    let err = stderr(&o);
    assert_eq!(code(&o), 5, "{err}");
    let expected = format!(
        "error: the connection to {} broke before the answer: ",
        emu.url()
    );
    assert!(err.starts_with(&expected), "{err}");
    for word in LIBRARY_WORDING {
        assert!(!err.contains(word), "shows the library's {word:?}: {err}");
    }
    assert!(
        err.contains("hint: the connection failed; try again"),
        "{err}"
    );
}
