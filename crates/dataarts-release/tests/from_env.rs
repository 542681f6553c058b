//! `from_env`: variables, the profile file, and misconfigured sources.

use std::io::Write;

use dataarts_release::{Client, ClientBuilder, EnvSource, Error};

const PID: &str = "b384b9e9ab9b4ee8994c8633aabc9505";

fn env(pairs: &[(&str, &str)]) -> EnvSource {
    EnvSource::from_map(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .home("/nonexistent-home-for-tests")
}

fn profile(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn good_sources() {
    // AK/SK + project + region.
    let c = Client::from_env_source(&env(&[
        ("HUAWEICLOUD_SDK_AK", "AK"),
        ("HUAWEICLOUD_SDK_SK", "SK"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
        ("DATAARTS_REGION", "ap-southeast-1"),
        ("DATAARTS_WORKSPACE", "d1cd7861478748a6925bc02f47c69279"),
    ]))
    .unwrap();
    assert_eq!(
        c.endpoint(),
        "https://dayu.ap-southeast-1.myhuaweicloud.com/"
    );
    assert_eq!(
        c.v1_endpoint(),
        "https://dayu-dlf.ap-southeast-1.myhuaweicloud.com/"
    );
    assert_eq!(c.workspace(), Some("d1cd7861478748a6925bc02f47c69279"));

    // Token + one endpoint for both + a V1 override.
    let c = Client::from_env_source(&env(&[
        ("DATAARTS_AUTH_TOKEN", "tok"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
        ("DATAARTS_ENDPOINT", "http://127.0.0.1:9"),
        ("DATAARTS_V1_ENDPOINT", "http://127.0.0.1:10"),
    ]))
    .unwrap();
    assert_eq!(c.endpoint(), "http://127.0.0.1:9/");
    assert_eq!(c.v1_endpoint(), "http://127.0.0.1:10/");

    // Token file.
    let tok = profile("  token-from-file \n");
    let c = Client::from_env_source(&env(&[
        ("DATAARTS_AUTH_TOKEN_FILE", tok.path().to_str().unwrap()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
        ("DATAARTS_REGION", "cn-north-4"),
    ]));
    assert!(c.is_ok(), "{c:?}");

    // Huawei's per-service region override.
    let c = Client::from_env_source(&env(&[
        ("HUAWEICLOUD_SDK_AK", "AK"),
        ("HUAWEICLOUD_SDK_SK", "SK"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
        ("DATAARTS_REGION", "cn-north-4"),
        (
            "HUAWEICLOUD_SDK_REGION_DATAARTSSTUDIO_CN_NORTH_4",
            "https://a.example, https://b.example",
        ),
        (
            "HUAWEICLOUD_SDK_REGION_DLF_CN_NORTH_4",
            "https://dlf.example",
        ),
    ]))
    .unwrap();
    assert_eq!(c.endpoint(), "https://a.example/");
    assert_eq!(c.v1_endpoint(), "https://dlf.example/");

    // Profile file via HUAWEICLOUD_SDK_CREDENTIALS_FILE: [basic], with project id.
    let f = profile("[basic]\nak = PAK\nsk = PSK\nproject_id = b384b9e9ab9b4ee8994c8633aabc9505\n");
    let c = Client::from_env_source(&env(&[
        (
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            f.path().to_str().unwrap(),
        ),
        ("DATAARTS_REGION", "cn-north-4"),
    ]))
    .unwrap();
    assert_eq!(c.project_id(), Some(PID));

    // The [basiccredentials] alias with a security token, found under HOME.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".huaweicloud")).unwrap();
    std::fs::write(
        home.path().join(".huaweicloud/credentials"),
        "[basiccredentials]\nak = PAK\nsk = PSK\nsecurity_token = PST\n",
    )
    .unwrap();
    let e = EnvSource::from_map([
        ("HOME", home.path().to_str().unwrap()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
        ("DATAARTS_REGION", "cn-north-4"),
    ]);
    let c = Client::from_env_source(&e).unwrap();
    assert!(format!("{c:?}").contains("Temporary"));

    // Environment wins over the profile; explicit builder calls win over both.
    let c = ClientBuilder::from_env_source(&env(&[
        ("HUAWEICLOUD_SDK_AK", "AK"),
        ("HUAWEICLOUD_SDK_SK", "SK"),
        (
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
            f.path().to_str().unwrap(),
        ),
        ("DATAARTS_REGION", "cn-north-4"),
    ]))
    .unwrap()
    .project_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    .build()
    .unwrap();
    assert_eq!(c.project_id(), Some("0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
    assert_eq!(
        dataarts_release::Credentials::aksk("AK", "x").access_key(),
        Some("AK")
    );
}

#[test]
fn misconfigured_sources_name_themselves() {
    let bad_ini = profile("[basic\nak = 1\n");
    let ak_only = profile("[basic]\nak = PAK\n");
    let ctl = profile("[basic]\nak = PAK\nsk = P\x07SK\n");
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (
            vec![("HUAWEICLOUD_SDK_AK", "AK".into())],
            "HUAWEICLOUD_SDK_SK",
        ),
        (
            vec![("HUAWEICLOUD_SDK_SK", "SK".into())],
            "HUAWEICLOUD_SDK_AK",
        ),
        (
            vec![("HUAWEICLOUD_SDK_SECURITY_TOKEN", "T".into())],
            "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        ),
        (
            vec![
                ("HUAWEICLOUD_SDK_AK", "A\nK".into()),
                ("HUAWEICLOUD_SDK_SK", "SK".into()),
            ],
            "HUAWEICLOUD_SDK_AK",
        ),
        (
            vec![
                ("DATAARTS_AUTH_TOKEN", "t".into()),
                ("HUAWEICLOUD_SDK_AK", "AK".into()),
                ("HUAWEICLOUD_SDK_SK", "SK".into()),
            ],
            "DATAARTS_AUTH_TOKEN",
        ),
        (
            vec![
                ("DATAARTS_AUTH_TOKEN", "t".into()),
                ("DATAARTS_AUTH_TOKEN_FILE", "/x".into()),
            ],
            "DATAARTS_AUTH_TOKEN",
        ),
        (
            vec![("DATAARTS_AUTH_TOKEN_FILE", "/nonexistent/token".into())],
            "DATAARTS_AUTH_TOKEN_FILE",
        ),
        (
            vec![(
                "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
                "/nonexistent/credentials".into(),
            )],
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        ),
        (
            vec![(
                "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
                bad_ini.path().display().to_string(),
            )],
            "profile file",
        ),
        (
            vec![(
                "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
                ak_only.path().display().to_string(),
            )],
            "has ak but no sk",
        ),
        (
            vec![(
                "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
                ctl.path().display().to_string(),
            )],
            "control character",
        ),
        (
            vec![
                ("DATAARTS_WORKSPACE", "w\r\n".into()),
                ("DATAARTS_AUTH_TOKEN", "t".into()),
            ],
            "DATAARTS_WORKSPACE",
        ),
    ];
    for (vars, needle) in cases {
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let e = ClientBuilder::from_env_source(&env(&pairs)).unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e}");
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    }

    // Nothing but a region: the client builds, with the ECS metadata service as the last
    // resort for credentials (its failure at first use lists what can be set).
    let c = Client::from_env_source(&env(&[("DATAARTS_REGION", "cn-north-4")])).unwrap();
    assert_eq!(
        c.credential_source(),
        dataarts_release::CredentialSource::EcsMetadata
    );
    // Without a project id, a region is enough: the id is looked up in IAM at first use.
    let c = Client::from_env_source(&env(&[
        ("DATAARTS_AUTH_TOKEN", "t"),
        ("DATAARTS_REGION", "cn-north-4"),
    ]))
    .unwrap();
    assert_eq!(c.project_id(), None);
    assert_eq!(
        c.iam_endpoint(),
        "https://iam.cn-north-4.myhuaweicloud.com/"
    );
    // Without either, there is nothing to look it up by.
    let e = Client::from_env_source(&env(&[
        ("DATAARTS_AUTH_TOKEN", "t"),
        ("DATAARTS_ENDPOINT", "http://127.0.0.1:1"),
    ]))
    .unwrap_err();
    assert!(e.to_string().contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{e}");
    assert!(e.to_string().contains("DATAARTS_REGION"), "{e}");
    let e = Client::from_env_source(&env(&[
        ("DATAARTS_AUTH_TOKEN", "t"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
    ]))
    .unwrap_err();
    assert!(e.to_string().contains("DATAARTS_REGION"), "{e}");
    let e = Client::from_env_source(&env(&[
        ("DATAARTS_AUTH_TOKEN", "t"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
        ("DATAARTS_ENDPOINT", "http://dayu.example.com"),
    ]))
    .unwrap_err();
    assert!(
        e.to_string().contains("DATAARTS_ENDPOINT") && e.to_string().contains("http://"),
        "{e}"
    );

    // A missing default profile file is simply absent: the chain goes on to its last resort.
    let c = Client::from_env_source(&env(&[
        ("HUAWEICLOUD_SDK_PROJECT_ID", PID),
        ("DATAARTS_REGION", "cn-north-4"),
    ]))
    .unwrap();
    assert_eq!(
        c.credential_source(),
        dataarts_release::CredentialSource::EcsMetadata
    );
    // EnvSource never prints values.
    let s = format!("{:?}", env(&[("HUAWEICLOUD_SDK_SK", "TOPSECRET")]));
    assert!(!s.contains("TOPSECRET"));
}
