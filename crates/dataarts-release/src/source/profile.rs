//! The profile file (`~/.huaweicloud/credentials`) and the token file.

use std::path::{Path, PathBuf};

use super::env::{EnvSource, ENV_AUTH_TOKEN_FILE, ENV_CREDENTIALS_FILE};
use crate::credentials::Credentials;
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};

/// What the profile file's `[basic]` section holds.
#[derive(Default)]
pub(crate) struct Profile {
    pub(crate) credentials: Option<Credentials>,
    pub(crate) project_id: Option<String>,
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
    let text = std::fs::read_to_string(&path).map_err(|e| {
        from_file(
            Setting::ProfileFile,
            ConfigProblem::Unreadable,
            format!("cannot be read ({e}); check its permissions"),
        )
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
    let credentials = match (ak, sk) {
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
            credentials,
            project_id: field("project_id", Setting::ProjectId)?,
        },
        Some(origin),
    ))
}

/// Reads the IAM token from the file `DATAARTS_AUTH_TOKEN_FILE` names.
pub(crate) fn read_token_file(path: &Path) -> Result<String> {
    let from_variable = |problem, message: String| {
        Error::config(
            Setting::Credentials,
            Origin::Environment(ENV_AUTH_TOKEN_FILE.into()),
            problem,
            message,
        )
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        from_variable(
            ConfigProblem::Unreadable,
            format!(
                "{} cannot be read ({e}); fix the path or unset {ENV_AUTH_TOKEN_FILE}",
                path.display()
            ),
        )
    })?;
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(from_variable(
            ConfigProblem::Invalid,
            format!("{} is empty; put the IAM token in it", path.display()),
        ));
    }
    if dataarts_signing::has_control_chars(&token) {
        return Err(from_variable(
            ConfigProblem::Invalid,
            format!(
                "{} contains control characters besides the token",
                path.display()
            ),
        ));
    }
    Ok(token)
}
