//! The profile file (`~/.huaweicloud/credentials`) and the token file.

use std::path::{Path, PathBuf};

use super::env::{EnvSource, ENV_AUTH_TOKEN_FILE, ENV_CREDENTIALS_FILE};
use crate::auth::fetch::file::{
    dangling_target, read_bounded, read_small_file, FileProblem, MAX_TOKEN_FILE,
};
use crate::auth::IdpFederation;
use crate::credentials::Credentials;
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};

/// The most we read of a profile file.
const MAX_PROFILE: u64 = 256 * 1024;

/// What the profile file's `[basic]` section holds.
#[derive(Default)]
pub(crate) struct Profile {
    /// AK/SK, or identity-provider federation (`idp_id` + `id_token_file`, which wins, as in
    /// the official SDK).
    pub(crate) credentials: Option<Credentials>,
    pub(crate) project_id: Option<String>,
    pub(crate) iam_endpoint: Option<String>,
}

/// Where the profile file is, whether or not it exists: for messages.
pub(crate) fn profile_path(env: &EnvSource) -> String {
    match env.var(ENV_CREDENTIALS_FILE) {
        Some(p) => format!("{} ({ENV_CREDENTIALS_FILE})", p.trim()),
        None => match env.home_dir() {
            Some(h) => h
                .join(".huaweicloud")
                .join("credentials")
                .display()
                .to_string(),
            None => format!("~/.huaweicloud/credentials (or set {ENV_CREDENTIALS_FILE})"),
        },
    }
}

/// Reads the profile file, if there is one: its contents, and its path as the origin of
/// what it set.
pub(crate) fn read_profile(env: &EnvSource) -> Result<(Profile, Option<Origin>)> {
    let (path, explicit) = match env.get(ENV_CREDENTIALS_FILE, Setting::ProfileFile)? {
        Some(p) => (PathBuf::from(p), true),
        None => match env.home_dir() {
            Some(h) => (h.join(".huaweicloud").join("credentials"), false),
            None => return Ok((Profile::default(), None)),
        },
    };
    let origin = Origin::ProfileFile(path.clone());
    let from_file = |setting, problem, message: String| {
        Error::config(setting, origin.clone(), problem, message)
    };
    // A default profile that is a link to nowhere was put there on purpose: say so rather
    // than fall through to "no credentials".
    if let Some(target) = dangling_target(&path) {
        let named_by = match explicit {
            true => Origin::Environment(ENV_CREDENTIALS_FILE.into()),
            false => origin.clone(),
        };
        return Err(Error::config(
            Setting::ProfileFile,
            named_by,
            ConfigProblem::Unreadable,
            format!(
                "{}is a symbolic link to {}, which does not exist; fix the link or remove it",
                match explicit {
                    true => format!("{} ", path.display()),
                    false => String::new(),
                },
                target.display()
            ),
        ));
    }
    if !path.exists() {
        if explicit {
            return Err(Error::config(
                Setting::ProfileFile,
                Origin::Environment(ENV_CREDENTIALS_FILE.into()),
                ConfigProblem::Unreadable,
                format!(
                    "{} does not exist; fix the path or unset {ENV_CREDENTIALS_FILE}",
                    path.display()
                ),
            ));
        }
        return Ok((Profile::default(), None));
    }
    let text = read_bounded(&path, MAX_PROFILE).map_err(|e| match explicit {
        true => Error::config(
            Setting::ProfileFile,
            Origin::Environment(ENV_CREDENTIALS_FILE.into()),
            ConfigProblem::Unreadable,
            format!(
                "{} {e}; fix the path or unset {ENV_CREDENTIALS_FILE}",
                path.display()
            ),
        ),
        false => from_file(
            Setting::ProfileFile,
            ConfigProblem::Unreadable,
            format!("{e}; check the path and its permissions"),
        ),
    })?;
    let ini = ini::Ini::load_from_str(&text).map_err(|e| {
        from_file(
            Setting::ProfileFile,
            ConfigProblem::Invalid,
            format!("is not a valid INI file (line {}, column {}); expected a [basic] section with ak and sk", e.line, e.col),
        )
    })?;
    let Some(section) = ini
        .section(Some("basic"))
        .or_else(|| ini.section(Some("basiccredentials")))
    else {
        return Ok((Profile::default(), Some(origin)));
    };
    let field = |k: &str, setting: Setting| -> Result<Option<String>> {
        match section.get(k).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if dataarts_signing::has_control_chars(v) => Err(from_file(
                setting,
                ConfigProblem::Invalid,
                format!("{k} contains a control character; fix the file"),
            )),
            Some(v) => Ok(Some(v.to_string())),
        }
    };
    let ak = field("ak", Setting::Credentials)?;
    let sk = field("sk", Setting::Credentials)?;
    let token = field("security_token", Setting::Credentials)?;
    let idp_id = field("idp_id", Setting::Credentials)?;
    let id_token_file = field("id_token_file", Setting::Credentials)?;
    let iam_endpoint = field("iam_endpoint", Setting::IamEndpoint)?;
    let federation = match (idp_id, id_token_file) {
        (Some(idp), Some(file)) => {
            let at = path.display();
            Some(Credentials::idp_federation(
                IdpFederation::new(idp, file).settings(
                    format!("idp_id in profile file {at}"),
                    format!("id_token_file in profile file {at}"),
                ),
            ))
        }
        (None, None) => None,
        (Some(_), None) => {
            return Err(from_file(
                Setting::Credentials,
                ConfigProblem::Incomplete,
                "[basic] has idp_id but no id_token_file; add id_token_file = <path of the id token>, or remove idp_id".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(from_file(
                Setting::Credentials,
                ConfigProblem::Incomplete,
                "[basic] has id_token_file but no idp_id; add idp_id = <identity provider id>, or remove id_token_file".into(),
            ));
        }
    };
    let aksk = match (ak, sk) {
        (Some(ak), Some(sk)) => Some(match token {
            Some(t) => Credentials::temporary(ak, sk, t),
            None => Credentials::aksk(ak, sk),
        }),
        (None, None) => None,
        (Some(_), None) => {
            return Err(from_file(
                Setting::Credentials,
                ConfigProblem::Incomplete,
                "[basic] has ak but no sk; add sk = <secret key>".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(from_file(
                Setting::Credentials,
                ConfigProblem::Incomplete,
                "[basic] has sk but no ak; add ak = <access key id>".into(),
            ));
        }
    };
    Ok((
        Profile {
            credentials: federation.or(aksk),
            project_id: field("project_id", Setting::ProjectId)?,
            iam_endpoint,
        },
        Some(origin),
    ))
}

/// Reads the IAM token from the file `DATAARTS_AUTH_TOKEN_FILE` names (bounded, regular
/// files only).
pub(crate) fn read_token_file(path: &Path) -> Result<String> {
    read_small_file(path, MAX_TOKEN_FILE).map_err(|e| {
        let (problem, fix) = match &e {
            FileProblem::Io(_) | FileProblem::Dangling(_) | FileProblem::NotRegular(_) => (
                ConfigProblem::Unreadable,
                format!("fix the path or unset {ENV_AUTH_TOKEN_FILE}"),
            ),
            _ => (
                ConfigProblem::Invalid,
                "put the IAM token (one line) in it".to_string(),
            ),
        };
        Error::config(
            Setting::Credentials,
            Origin::Environment(ENV_AUTH_TOKEN_FILE.into()),
            problem,
            format!("{} {e}; {fix}", path.display()),
        )
    })
}
