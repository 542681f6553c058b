//! The credential chain, in the official SDK's order: OIDC federation, (our IAM token), the
//! environment's IdP federation or AK/SK, the profile file, then the ECS metadata service
//! (with CCE pod identity after it). The first source present wins; one present but broken
//! stops the chain with an error naming it.

use std::path::PathBuf;

use secrecy::SecretString;

use super::env::*;
use super::profile::{profile_path, read_token_file, Profile};
use crate::auth::{EcsMetadata, IdToken, IdpFederation, OidcFederation, PodIdentity};
use crate::credentials::{header_problem, Credentials};
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};

/// The variables that mean "OIDC federation was meant" when any of them is set.
const OIDC_VARIABLES: [&str; 8] = [
    ENV_OIDC_PROVIDER_URN,
    ENV_OIDC_AGENCY_URN,
    ENV_OIDC_ID_TOKEN,
    ENV_OIDC_TOKEN_FILE,
    ENV_OIDC_SESSION_NAME,
    ENV_OIDC_DURATION_SECONDS,
    ENV_OIDC_POLICY,
    ENV_OIDC_POLICY_IDS,
];

/// The credentials the chain chose, and where they were configured.
pub(crate) struct Chosen {
    pub(crate) credentials: Credentials,
    pub(crate) origin: Origin,
}

fn error(name: &str, problem: ConfigProblem, message: String) -> Error {
    Error::config(
        Setting::Credentials,
        Origin::Environment(name.to_string()),
        problem,
        message,
    )
}

fn pair(a: &str, b: &str) -> Origin {
    Origin::Environment(format!("{a}/{b}"))
}

/// Walks the chain over `env` and the profile already read.
pub(crate) fn choose(
    env: &EnvSource,
    profile: Profile,
    profile_origin: Option<Origin>,
) -> Result<Chosen> {
    let oidc = oidc(env)?;
    let token = iam_token(env)?;
    let idp = idp(env)?;
    let aksk = aksk(env)?;

    if let Some((_, token_name)) = &token {
        let other = if oidc.is_some() {
            OIDC_VARIABLES
                .iter()
                .find(|n| env.var(n).is_some())
                .map(|n| n.to_string())
        } else if idp.is_some() {
            Some(format!("{ENV_IDP_ID}/{ENV_ID_TOKEN_FILE}"))
        } else if aksk.is_some() {
            Some(format!("{ENV_AK}/{ENV_SK}"))
        } else {
            None
        };
        if let Some(other) = other {
            return Err(error(
                token_name,
                ConfigProblem::Conflict,
                format!(
                    "both {token_name} and {other} are set; unset one of them so it is clear \
                     which to use"
                ),
            ));
        }
    }

    if let Some(chosen) = oidc {
        return Ok(chosen);
    }
    if let Some((t, name)) = token {
        return Ok(Chosen {
            credentials: Credentials::token(t),
            origin: Origin::Environment(name.to_string()),
        });
    }
    if let Some(c) = idp {
        return Ok(Chosen {
            credentials: c,
            origin: pair(ENV_IDP_ID, ENV_ID_TOKEN_FILE),
        });
    }
    if let Some(c) = aksk {
        return Ok(Chosen {
            credentials: c,
            origin: pair(ENV_AK, ENV_SK),
        });
    }
    if let (Some(c), Some(origin)) = (profile.credentials, profile_origin) {
        return Ok(Chosen {
            credentials: c,
            origin,
        });
    }
    metadata(env)
}

/// OIDC federation, when any `HUAWEICLOUD_OIDC_*` variable is set.
fn oidc(env: &EnvSource) -> Result<Option<Chosen>> {
    let get = |name: &str| env.get(name, Setting::Credentials);
    let mut present = Vec::new();
    for name in OIDC_VARIABLES {
        if get(name)?.is_some() {
            present.push(name);
        }
    }
    let Some(first) = present.first() else {
        return Ok(None);
    };
    let required = |name: &str| -> Result<String> {
        get(name)?.ok_or_else(|| {
            error(
                name,
                ConfigProblem::Missing,
                format!(
                    "{first} is set, so OIDC federation was meant, but {name} is not; set it \
                     too, or unset the HUAWEICLOUD_OIDC_* variables"
                ),
            )
        })
    };
    let provider_urn = required(ENV_OIDC_PROVIDER_URN)?;
    let agency_urn = required(ENV_OIDC_AGENCY_URN)?;
    let (id_token, token_name) = match (get(ENV_OIDC_ID_TOKEN)?, get(ENV_OIDC_TOKEN_FILE)?) {
        // The value wins over the file, as in the official SDK.
        (Some(v), _) => (IdToken::Value(SecretString::from(v)), ENV_OIDC_ID_TOKEN),
        (None, Some(f)) => (IdToken::File(PathBuf::from(f)), ENV_OIDC_TOKEN_FILE),
        (None, None) => {
            return Err(error(
                ENV_OIDC_TOKEN_FILE,
                ConfigProblem::Missing,
                format!(
                    "{first} is set, so OIDC federation was meant, but neither \
                     {ENV_OIDC_TOKEN_FILE} nor {ENV_OIDC_ID_TOKEN} is; point {ENV_OIDC_TOKEN_FILE} \
                     at the id token file the CI system writes"
                ),
            ))
        }
    };
    let mut f = OidcFederation::new(provider_urn, agency_urn, id_token).token_setting(token_name);
    if let Some(name) = get(ENV_OIDC_SESSION_NAME)? {
        f = f.session_name(name);
    }
    if let Some(d) = get(ENV_OIDC_DURATION_SECONDS)? {
        let seconds = d.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(|| {
            error(
                ENV_OIDC_DURATION_SECONDS,
                ConfigProblem::Invalid,
                format!(
                    "{:?} is not a number of seconds; set a whole number such as 3600, or \
                     unset it",
                    d.chars().take(32).collect::<String>()
                ),
            )
        })?;
        f = f.duration_seconds(seconds);
    }
    if let Some(p) = get(ENV_OIDC_POLICY)? {
        f = f.policy(p);
    }
    if let Some(ids) = get(ENV_OIDC_POLICY_IDS)? {
        f = f.policy_ids(ids.split(',').map(str::trim).filter(|s| !s.is_empty()));
    }
    Ok(Some(Chosen {
        credentials: Credentials::oidc(f),
        origin: Origin::Environment(format!(
            "{ENV_OIDC_PROVIDER_URN}/{ENV_OIDC_AGENCY_URN}/{token_name}"
        )),
    }))
}

/// Our IAM token, from the variable or the file.
fn iam_token(env: &EnvSource) -> Result<Option<(String, &'static str)>> {
    match (
        env.get(ENV_AUTH_TOKEN, Setting::Credentials)?,
        env.get(ENV_AUTH_TOKEN_FILE, Setting::Credentials)?,
    ) {
        (Some(_), Some(_)) => Err(error(
            ENV_AUTH_TOKEN,
            ConfigProblem::Conflict,
            format!("both {ENV_AUTH_TOKEN} and {ENV_AUTH_TOKEN_FILE} are set; unset one"),
        )),
        (Some(t), None) => Ok(Some((t, ENV_AUTH_TOKEN))),
        (None, Some(path)) => Ok(Some((
            read_token_file(std::path::Path::new(&path))?,
            ENV_AUTH_TOKEN_FILE,
        ))),
        (None, None) => Ok(None),
    }
}

/// The environment's identity-provider federation (both variables, or neither).
fn idp(env: &EnvSource) -> Result<Option<Credentials>> {
    match (
        env.get(ENV_IDP_ID, Setting::Credentials)?,
        env.get(ENV_ID_TOKEN_FILE, Setting::Credentials)?,
    ) {
        (Some(id), Some(file)) => Ok(Some(Credentials::idp_federation(
            IdpFederation::new(id, file).settings(ENV_IDP_ID, ENV_ID_TOKEN_FILE),
        ))),
        (Some(_), None) => Err(error(
            ENV_IDP_ID,
            ConfigProblem::Incomplete,
            format!(
                "{ENV_IDP_ID} is set but {ENV_ID_TOKEN_FILE} is not; point it at the id token \
                 file, or unset {ENV_IDP_ID}"
            ),
        )),
        (None, Some(_)) => Err(error(
            ENV_ID_TOKEN_FILE,
            ConfigProblem::Incomplete,
            format!(
                "{ENV_ID_TOKEN_FILE} is set but {ENV_IDP_ID} is not; set the identity \
                 provider's id, or unset {ENV_ID_TOKEN_FILE}"
            ),
        )),
        (None, None) => Ok(None),
    }
}

/// The environment's AK/SK (with a security token).
fn aksk(env: &EnvSource) -> Result<Option<Credentials>> {
    let ak = env.get(ENV_AK, Setting::Credentials)?;
    let sk = env.get(ENV_SK, Setting::Credentials)?;
    let st = env.get(ENV_SECURITY_TOKEN, Setting::Credentials)?;
    // Checked here too, so that the message names the one variable at fault.
    for (name, field, v) in [
        (ENV_AK, "access key (AK)", &ak),
        (ENV_SECURITY_TOKEN, "security token", &st),
    ] {
        let problem = v
            .as_deref()
            .and_then(|v| header_problem(field, v, name != ENV_AK));
        if let Some(message) = problem {
            return Err(error(name, ConfigProblem::Invalid, message));
        }
    }
    match (ak, sk) {
        (Some(ak), Some(sk)) => Ok(Some(match st {
            Some(t) => Credentials::temporary(ak, sk, t),
            None => Credentials::aksk(ak, sk),
        })),
        (Some(_), None) => Err(error(
            ENV_AK,
            ConfigProblem::Incomplete,
            format!("{ENV_AK} is set but {ENV_SK} is not; set both, or neither"),
        )),
        (None, Some(_)) => Err(error(
            ENV_SK,
            ConfigProblem::Incomplete,
            format!("{ENV_SK} is set but {ENV_AK} is not; set both, or neither"),
        )),
        (None, None) if st.is_some() => Err(error(
            ENV_SECURITY_TOKEN,
            ConfigProblem::Incomplete,
            format!("{ENV_SECURITY_TOKEN} is set without {ENV_AK} and {ENV_SK}; set them too"),
        )),
        (None, None) => Ok(None),
    }
}

/// The ECS metadata service, then pod identity when its variables are set; else the
/// metadata service as the last resort.
fn metadata(env: &EnvSource) -> Result<Chosen> {
    let uri = env.get(ENV_POD_CREDENTIALS_URI, Setting::Credentials)?;
    let file = env.get(ENV_POD_TOKEN_FILE, Setting::Credentials)?;
    match (uri, file) {
        (Some(uri), Some(file)) => {
            let parsed = url::Url::parse(&uri).ok().filter(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
            if let Some(why) = crate::config::missing_scheme(&uri) {
                return Err(error(ENV_POD_CREDENTIALS_URI, ConfigProblem::Invalid, why));
            }
            if parsed.is_none() {
                return Err(error(
                    ENV_POD_CREDENTIALS_URI,
                    ConfigProblem::Invalid,
                    format!(
                        "{ENV_POD_CREDENTIALS_URI} is not an http(s) URL; set it to the \
                         credentials URI the pod was given"
                    ),
                ));
            }
            let pod =
                PodIdentity::new(uri, file).settings(ENV_POD_CREDENTIALS_URI, ENV_POD_TOKEN_FILE);
            Ok(Chosen {
                credentials: Credentials::ecs_metadata(EcsMetadata::new().or_pod_identity(pod)),
                origin: pair(ENV_POD_CREDENTIALS_URI, ENV_POD_TOKEN_FILE),
            })
        }
        (Some(_), None) => Err(error(
            ENV_POD_CREDENTIALS_URI,
            ConfigProblem::Incomplete,
            format!(
                "{ENV_POD_CREDENTIALS_URI} is set but {ENV_POD_TOKEN_FILE} is not; set both \
                 for CCE pod identity, or neither"
            ),
        )),
        (None, Some(_)) => Err(error(
            ENV_POD_TOKEN_FILE,
            ConfigProblem::Incomplete,
            format!(
                "{ENV_POD_TOKEN_FILE} is set but {ENV_POD_CREDENTIALS_URI} is not; set both \
                 for CCE pod identity, or neither"
            ),
        )),
        (None, None) => Ok(Chosen {
            credentials: Credentials::ecs_metadata(
                EcsMetadata::new().last_resort(profile_path(env)),
            ),
            origin: Origin::Default,
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::auth::{CredentialSource, Dynamic};
    use crate::credentials::Kind;

    fn env(pairs: &[(&str, &str)]) -> EnvSource {
        EnvSource::from_map(pairs.iter().copied()).home("/nonexistent-home-for-tests")
    }

    fn choose_from(pairs: &[(&str, &str)]) -> Result<Chosen> {
        let e = env(pairs);
        let (profile, origin) = super::super::profile::read_profile(&e)?;
        choose(&e, profile, origin)
    }

    fn config_error(pairs: &[(&str, &str)]) -> (ConfigProblem, Origin, String) {
        match choose_from(pairs) {
            Err(Error::Config {
                problem,
                origin,
                message,
                setting: Setting::Credentials,
            }) => (problem, origin, message),
            Err(other) => panic!("not a credentials config error: {other}"),
            Ok(c) => panic!("chose {:?}", c.credentials),
        }
    }

    fn dynamic(c: &Chosen) -> &Dynamic {
        match &c.credentials.0 {
            Kind::Dynamic(d) => d,
            _ => panic!("not dynamic: {:?}", c.credentials),
        }
    }

    const OIDC: [(&str, &str); 3] = [
        (ENV_OIDC_PROVIDER_URN, "urn-p"),
        (ENV_OIDC_AGENCY_URN, "urn-a"),
        (ENV_OIDC_TOKEN_FILE, "/var/run/oidc/token"),
    ];

    #[test]
    fn oidc_first_with_the_sdk_defaults_and_every_variable() {
        let c = choose_from(&[OIDC[0], OIDC[1], OIDC[2], (ENV_AK, "AK"), (ENV_SK, "SK")]).unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::OidcFederation);
        assert_eq!(
            c.origin,
            Origin::Environment(format!(
                "{ENV_OIDC_PROVIDER_URN}/{ENV_OIDC_AGENCY_URN}/{ENV_OIDC_TOKEN_FILE}"
            ))
        );
        let Dynamic::Oidc(o) = dynamic(&c) else {
            panic!()
        };
        assert_eq!(o.session_name, "oidc-sts-session");
        assert_eq!(o.duration_seconds, 3600);
        assert!(o.policy.is_none() && o.policy_ids.is_empty());
        assert!(
            matches!(&o.id_token, IdToken::File(p) if p.to_str() == Some("/var/run/oidc/token"))
        );
        assert_eq!(o.token_setting, ENV_OIDC_TOKEN_FILE);

        let c = choose_from(&[
            OIDC[0],
            OIDC[1],
            OIDC[2],
            (ENV_OIDC_ID_TOKEN, "value-wins"),
            (ENV_OIDC_SESSION_NAME, "s1"),
            (ENV_OIDC_DURATION_SECONDS, "900"),
            (ENV_OIDC_POLICY, "{}"),
            (ENV_OIDC_POLICY_IDS, " a, ,b "),
        ])
        .unwrap();
        let Dynamic::Oidc(o) = dynamic(&c) else {
            panic!()
        };
        assert!(matches!(&o.id_token, IdToken::Value(_)));
        assert_eq!(o.session_name, "s1");
        assert_eq!(o.duration_seconds, 900);
        assert_eq!(o.policy.as_deref(), Some("{}"));
        assert_eq!(o.policy_ids, ["a", "b"]);
        let shown = format!("{:?}", c.credentials);
        assert!(!shown.contains("value-wins"), "{shown}");
    }

    #[test]
    fn oidc_half_configured_names_what_is_missing() {
        for (pairs, missing) in [
            (vec![(ENV_OIDC_SESSION_NAME, "s")], ENV_OIDC_PROVIDER_URN),
            (vec![OIDC[0]], ENV_OIDC_AGENCY_URN),
            (vec![OIDC[0], OIDC[1]], ENV_OIDC_TOKEN_FILE),
            (vec![OIDC[1], OIDC[2]], ENV_OIDC_PROVIDER_URN),
        ] {
            let (problem, origin, message) = config_error(&pairs);
            assert_eq!(problem, ConfigProblem::Missing);
            assert_eq!(origin, Origin::Environment(missing.into()), "{message}");
            assert!(message.contains(missing), "{message}");
        }
        for bad in ["soon", "0", "-5", "1.5", "99999999999"] {
            let (problem, origin, message) =
                config_error(&[OIDC[0], OIDC[1], OIDC[2], (ENV_OIDC_DURATION_SECONDS, bad)]);
            assert_eq!(problem, ConfigProblem::Invalid);
            assert_eq!(
                origin,
                Origin::Environment(ENV_OIDC_DURATION_SECONDS.into())
            );
            assert!(message.contains("3600"), "{message}");
        }
    }

    #[test]
    fn the_iam_token_conflicts_with_any_other_source_in_the_environment() {
        for (other, named) in [
            (
                vec![(ENV_AK, "AK"), (ENV_SK, "SK")],
                "HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK",
            ),
            (
                vec![(ENV_IDP_ID, "idp"), (ENV_ID_TOKEN_FILE, "/t")],
                "HUAWEICLOUD_SDK_IDP_ID/HUAWEICLOUD_SDK_ID_TOKEN_FILE",
            ),
            (OIDC.to_vec(), ENV_OIDC_PROVIDER_URN),
        ] {
            let mut pairs = other.clone();
            pairs.push((ENV_AUTH_TOKEN, "tok"));
            let (problem, origin, message) = config_error(&pairs);
            assert_eq!(problem, ConfigProblem::Conflict, "{message}");
            assert_eq!(origin, Origin::Environment(ENV_AUTH_TOKEN.into()));
            assert!(message.contains(named), "{message}");
        }
        let (problem, _, _) = config_error(&[(ENV_AUTH_TOKEN, "t"), (ENV_AUTH_TOKEN_FILE, "/t")]);
        assert_eq!(problem, ConfigProblem::Conflict);
        // Alone, it is chosen.
        let c = choose_from(&[(ENV_AUTH_TOKEN, "tok")]).unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::IamToken);
    }

    #[test]
    fn idp_in_the_environment_wins_over_aksk_and_needs_both_variables() {
        let c = choose_from(&[
            (ENV_IDP_ID, "demo-idp"),
            (ENV_ID_TOKEN_FILE, "/var/run/id-token"),
            (ENV_AK, "AK"),
            (ENV_SK, "SK"),
        ])
        .unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::IdpFederation);
        let Dynamic::Idp(i) = dynamic(&c) else {
            panic!()
        };
        assert_eq!(
            (i.idp_setting.as_str(), i.file_setting.as_str()),
            (ENV_IDP_ID, ENV_ID_TOKEN_FILE)
        );
        for (pairs, named) in [
            ([(ENV_IDP_ID, "demo-idp")], ENV_IDP_ID),
            ([(ENV_ID_TOKEN_FILE, "/t")], ENV_ID_TOKEN_FILE),
        ] {
            let (problem, origin, _) = config_error(&pairs);
            assert_eq!(problem, ConfigProblem::Incomplete);
            assert_eq!(origin, Origin::Environment(named.into()));
        }
    }

    #[test]
    fn aksk_then_profile_then_metadata() {
        let c = choose_from(&[(ENV_AK, "AK"), (ENV_SK, "SK"), (ENV_SECURITY_TOKEN, "ST")]).unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::TemporaryAkSk);

        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            f,
            "[basic]\nidp_id = demo-idp\nid_token_file = /t\nak = AK\nsk = SK"
        )
        .unwrap();
        let path = f.path().to_str().unwrap();
        let c = choose_from(&[(ENV_CREDENTIALS_FILE, path)]).unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::IdpFederation);
        assert_eq!(c.origin, Origin::ProfileFile(f.path().into()));
        let Dynamic::Idp(i) = dynamic(&c) else {
            panic!()
        };
        assert!(
            i.file_setting.starts_with("id_token_file in profile file"),
            "{}",
            i.file_setting
        );

        let c = choose_from(&[]).unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::EcsMetadata);
        assert_eq!(c.origin, Origin::Default);
        let Dynamic::Metadata(m) = dynamic(&c) else {
            panic!()
        };
        assert!(m.fallback.is_none());
        assert_eq!(
            m.last_resort.as_deref(),
            Some("/nonexistent-home-for-tests/.huaweicloud/credentials")
        );
    }

    #[test]
    fn pod_identity_after_the_metadata_service() {
        let c = choose_from(&[
            (
                ENV_POD_CREDENTIALS_URI,
                "http://169.254.170.2/v1/credentials",
            ),
            (ENV_POD_TOKEN_FILE, "/var/run/token"),
        ])
        .unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::EcsMetadata);
        assert_eq!(
            c.origin,
            Origin::Environment(format!("{ENV_POD_CREDENTIALS_URI}/{ENV_POD_TOKEN_FILE}"))
        );
        let Dynamic::Metadata(m) = dynamic(&c) else {
            panic!()
        };
        assert!(m.last_resort.is_none());
        let pod = m.fallback.as_ref().unwrap();
        assert_eq!(pod.uri, "http://169.254.170.2/v1/credentials");

        for (pairs, named, problem) in [
            (
                vec![(ENV_POD_CREDENTIALS_URI, "http://x/")],
                ENV_POD_CREDENTIALS_URI,
                ConfigProblem::Incomplete,
            ),
            (
                vec![(ENV_POD_TOKEN_FILE, "/t")],
                ENV_POD_TOKEN_FILE,
                ConfigProblem::Incomplete,
            ),
            (
                vec![
                    (ENV_POD_CREDENTIALS_URI, "not a url"),
                    (ENV_POD_TOKEN_FILE, "/t"),
                ],
                ENV_POD_CREDENTIALS_URI,
                ConfigProblem::Invalid,
            ),
        ] {
            let (p, origin, _) = config_error(&pairs);
            assert_eq!(p, problem);
            assert_eq!(origin, Origin::Environment(named.into()));
        }
        // AK/SK wins: the pod variables are not even looked at.
        let c = choose_from(&[(ENV_AK, "AK"), (ENV_SK, "SK"), (ENV_POD_TOKEN_FILE, "/t")]).unwrap();
        assert_eq!(c.credentials.source(), CredentialSource::AkSk);
    }
}
