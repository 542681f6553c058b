//! `from_env`: Huawei's environment variables and profile file, plus ours.
//!
//! Order, for each setting: explicit builder calls (made after `from_env`) → environment →
//! profile file → region pattern. A source that is absent passes to the next; a source that
//! is present but broken stops with an error naming it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::client::Client;
use crate::config::ClientBuilder;
use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// Access key id.
///
/// ```
/// assert_eq!(dataarts_release::ENV_AK, "HUAWEICLOUD_SDK_AK");
/// ```
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// Secret access key.
///
/// ```
/// assert_eq!(dataarts_release::ENV_SK, "HUAWEICLOUD_SDK_SK");
/// ```
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// Security token of temporary credentials.
///
/// ```
/// assert_eq!(dataarts_release::ENV_SECURITY_TOKEN, "HUAWEICLOUD_SDK_SECURITY_TOKEN");
/// ```
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Project id.
///
/// ```
/// assert_eq!(dataarts_release::ENV_PROJECT_ID, "HUAWEICLOUD_SDK_PROJECT_ID");
/// ```
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Profile file path (default `~/.huaweicloud/credentials`).
///
/// ```
/// assert_eq!(dataarts_release::ENV_CREDENTIALS_FILE, "HUAWEICLOUD_SDK_CREDENTIALS_FILE");
/// ```
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// One base URL for both APIs.
///
/// ```
/// assert_eq!(dataarts_release::ENV_ENDPOINT, "DATAARTS_ENDPOINT");
/// ```
pub const ENV_ENDPOINT: &str = "DATAARTS_ENDPOINT";
/// Base URL for the V1 (system task) API only.
///
/// ```
/// assert_eq!(dataarts_release::ENV_V1_ENDPOINT, "DATAARTS_V1_ENDPOINT");
/// ```
pub const ENV_V1_ENDPOINT: &str = "DATAARTS_V1_ENDPOINT";
/// Default workspace id.
///
/// ```
/// assert_eq!(dataarts_release::ENV_WORKSPACE, "DATAARTS_WORKSPACE");
/// ```
pub const ENV_WORKSPACE: &str = "DATAARTS_WORKSPACE";
/// Region id, e.g. `cn-north-4`.
///
/// ```
/// assert_eq!(dataarts_release::ENV_REGION, "DATAARTS_REGION");
/// ```
pub const ENV_REGION: &str = "DATAARTS_REGION";
/// An IAM token (instead of AK/SK).
///
/// ```
/// assert_eq!(dataarts_release::ENV_AUTH_TOKEN, "DATAARTS_AUTH_TOKEN");
/// ```
pub const ENV_AUTH_TOKEN: &str = "DATAARTS_AUTH_TOKEN";
/// A file holding an IAM token.
///
/// ```
/// assert_eq!(dataarts_release::ENV_AUTH_TOKEN_FILE, "DATAARTS_AUTH_TOKEN_FILE");
/// ```
pub const ENV_AUTH_TOKEN_FILE: &str = "DATAARTS_AUTH_TOKEN_FILE";

/// The environment `from_env` reads: the process environment, or a map (for tests and
/// embedding). `Debug` shows variable names only, never values.
///
/// ```
/// use dataarts_release::{Client, EnvSource};
///
/// let env = EnvSource::from_map([
///     ("HUAWEICLOUD_SDK_AK", "AK"),
///     ("HUAWEICLOUD_SDK_SK", "SK"),
///     ("HUAWEICLOUD_SDK_PROJECT_ID", "b384b9e9ab9b4ee8994c8633aabc9505"),
///     ("DATAARTS_ENDPOINT", "http://127.0.0.1:8080"),
/// ]);
/// let client = Client::from_env_source(&env)?;
/// assert_eq!(client.endpoint(), "http://127.0.0.1:8080/");
/// # Ok::<(), dataarts_release::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct EnvSource {
    vars: BTreeMap<String, String>,
    not_unicode: Vec<String>,
    home: Option<PathBuf>,
}

impl fmt::Debug for EnvSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvSource")
            .field("names", &self.vars.keys().collect::<Vec<_>>())
            .field("home", &self.home)
            .finish()
    }
}

impl EnvSource {
    /// The process environment (only the variables this crate reads, plus `HOME`).
    ///
    /// ```
    /// let _env = dataarts_release::EnvSource::process();
    /// ```
    pub fn process() -> Self {
        let mut me = Self::default();
        let mut names: Vec<String> = [
            ENV_AK,
            ENV_SK,
            ENV_SECURITY_TOKEN,
            ENV_PROJECT_ID,
            ENV_CREDENTIALS_FILE,
            ENV_ENDPOINT,
            ENV_V1_ENDPOINT,
            ENV_WORKSPACE,
            ENV_REGION,
            ENV_AUTH_TOKEN,
            ENV_AUTH_TOKEN_FILE,
            "HOME",
            "USERPROFILE",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        names.extend(
            std::env::vars_os()
                .filter_map(|(k, _)| k.into_string().ok())
                .filter(|k| k.starts_with("HUAWEICLOUD_SDK_REGION_")),
        );
        for name in names {
            match std::env::var(&name) {
                Ok(v) => {
                    me.vars.insert(name, v);
                }
                Err(std::env::VarError::NotUnicode(_)) => me.not_unicode.push(name),
                Err(std::env::VarError::NotPresent) => {}
            }
        }
        me
    }

    /// An environment made of these pairs (the process environment is not read). The home
    /// directory comes from `HOME` (or `USERPROFILE`) in the map, unless set with
    /// [`home`](Self::home).
    ///
    /// ```
    /// let env = dataarts_release::EnvSource::from_map([("DATAARTS_REGION", "cn-north-4")]);
    /// assert_eq!(env.var("DATAARTS_REGION"), Some("cn-north-4"));
    /// ```
    pub fn from_map<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            not_unicode: Vec::new(),
            home: None,
        }
    }

    /// Sets one variable, replacing its value from the environment (how a command line lays
    /// its flags over the environment).
    ///
    /// ```
    /// let env = dataarts_release::EnvSource::from_map([("DATAARTS_REGION", "cn-north-4")])
    ///     .set("DATAARTS_REGION", "ap-southeast-1");
    /// assert_eq!(env.var("DATAARTS_REGION"), Some("ap-southeast-1"));
    /// ```
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.not_unicode.retain(|n| *n != name);
        self.vars.insert(name, value.into());
        self
    }

    /// Sets the home directory used to find `~/.huaweicloud/credentials`.
    ///
    /// ```
    /// let env = dataarts_release::EnvSource::from_map::<[(&str, &str); 0], &str, &str>([]).home("/tmp/nowhere");
    /// ```
    pub fn home(mut self, dir: impl Into<PathBuf>) -> Self {
        self.home = Some(dir.into());
        self
    }

    /// A variable's value; empty values count as unset.
    ///
    /// ```
    /// let env = dataarts_release::EnvSource::from_map([("X", "")]);
    /// assert_eq!(env.var("X"), None);
    /// ```
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home
            .clone()
            .or_else(|| self.var("HOME").map(PathBuf::from))
            .or_else(|| self.var("USERPROFILE").map(PathBuf::from))
    }

    /// A variable, checked for control characters; non-Unicode values are errors.
    fn get(&self, name: &str) -> Result<Option<String>> {
        if self.not_unicode.iter().any(|n| n == name) {
            return Err(Error::config(
                name,
                "the value is not valid Unicode; set it again",
            ));
        }
        match self.var(name) {
            None => Ok(None),
            Some(v) => {
                if dataarts_signing::has_control_chars(v) {
                    return Err(Error::config(
                        name,
                        "the value contains a control character (CR, LF, NUL...); set it again without one",
                    ));
                }
                Ok(Some(v.trim().to_string()))
            }
        }
    }
}

/// The official SDK's per-service endpoint override,
/// `HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>` (a comma-separated list): its name and the first
/// URL in it.
fn sdk_region_endpoint(
    env: &EnvSource,
    service: &str,
    region: &str,
) -> Result<Option<(String, String)>> {
    let name = format!(
        "HUAWEICLOUD_SDK_REGION_{service}_{}",
        region.to_ascii_uppercase().replace('-', "_")
    );
    let first = env.get(&name)?.and_then(|v| {
        v.split(',')
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(str::to_string)
    });
    Ok(first.map(|url| (name, url)))
}

/// What the profile file's `[basic]` section holds.
#[derive(Default)]
struct Profile {
    credentials: Option<Credentials>,
    project_id: Option<String>,
}

fn read_profile(env: &EnvSource) -> Result<(Profile, Option<String>)> {
    let (path, explicit) = match env.get(ENV_CREDENTIALS_FILE)? {
        Some(p) => (PathBuf::from(p), true),
        None => match env.home_dir() {
            Some(h) => (h.join(".huaweicloud").join("credentials"), false),
            None => return Ok((Profile::default(), None)),
        },
    };
    let source = format!("profile file {}", path.display());
    if !path.exists() {
        if explicit {
            return Err(Error::config(
                ENV_CREDENTIALS_FILE,
                format!(
                    "{} does not exist; fix the path or unset {ENV_CREDENTIALS_FILE}",
                    path.display()
                ),
            ));
        }
        return Ok((Profile::default(), None));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::config(
            &source,
            format!("cannot be read ({e}); check its permissions"),
        )
    })?;
    let ini = ini::Ini::load_from_str(&text).map_err(|e| {
        Error::config(
            &source,
            format!("is not a valid INI file (line {}, column {}); expected a [basic] section with ak and sk", e.line, e.col),
        )
    })?;
    let Some(section) = ini
        .section(Some("basic"))
        .or_else(|| ini.section(Some("basiccredentials")))
    else {
        return Ok((Profile::default(), Some(source)));
    };
    let field = |k: &str| -> Result<Option<String>> {
        match section.get(k).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if dataarts_signing::has_control_chars(v) => Err(Error::config(
                &source,
                format!("{k} contains a control character; fix the file"),
            )),
            Some(v) => Ok(Some(v.to_string())),
        }
    };
    let ak = field("ak")?;
    let sk = field("sk")?;
    let token = field("security_token")?;
    let credentials = match (ak, sk) {
        (Some(ak), Some(sk)) => Some(match token {
            Some(t) => Credentials::temporary(ak, sk, t),
            None => Credentials::aksk(ak, sk),
        }),
        (None, None) => None,
        (Some(_), None) => {
            return Err(Error::config(
                &source,
                "[basic] has ak but no sk; add sk = <secret key>",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::config(
                &source,
                "[basic] has sk but no ak; add ak = <access key id>",
            ));
        }
    };
    Ok((
        Profile {
            credentials,
            project_id: field("project_id")?,
        },
        Some(source),
    ))
}

fn read_token_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::config(
            ENV_AUTH_TOKEN_FILE,
            format!(
                "{} cannot be read ({e}); fix the path or unset {ENV_AUTH_TOKEN_FILE}",
                path.display()
            ),
        )
    })?;
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(Error::config(
            ENV_AUTH_TOKEN_FILE,
            format!("{} is empty; put the IAM token in it", path.display()),
        ));
    }
    if dataarts_signing::has_control_chars(&token) {
        return Err(Error::config(
            ENV_AUTH_TOKEN_FILE,
            format!(
                "{} contains control characters besides the token",
                path.display()
            ),
        ));
    }
    Ok(token)
}

impl ClientBuilder {
    /// A builder preset from the process environment and profile file (see
    /// [`from_env_source`](Self::from_env_source)); later builder calls override it.
    ///
    /// ```no_run
    /// let client = dataarts_release::ClientBuilder::from_env()?
    ///     .total_timeout(std::time::Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), dataarts_release::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::from_env_source(&EnvSource::process())
    }

    /// A builder preset from `env`:
    ///
    /// - credentials: `DATAARTS_AUTH_TOKEN` or `DATAARTS_AUTH_TOKEN_FILE` (IAM token), else
    ///   `HUAWEICLOUD_SDK_AK` + `HUAWEICLOUD_SDK_SK` (+ `HUAWEICLOUD_SDK_SECURITY_TOKEN`), else
    ///   the profile file (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`,
    ///   section `[basic]`, alias `[basiccredentials]`: `ak`, `sk`, `security_token`,
    ///   `project_id`);
    /// - project: `HUAWEICLOUD_SDK_PROJECT_ID`, else the profile's `project_id`;
    /// - endpoints: `DATAARTS_ENDPOINT` (both APIs), `DATAARTS_V1_ENDPOINT` (V1 only),
    ///   `HUAWEICLOUD_SDK_REGION_DATAARTSSTUDIO_<REGION>` / `HUAWEICLOUD_SDK_REGION_DLF_<REGION>`
    ///   (first URL), else the pattern from `DATAARTS_REGION`;
    /// - workspace: `DATAARTS_WORKSPACE`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the variable or file when a source is present but broken:
    /// an AK without SK (or the reverse), a security token without AK/SK, both a token and
    /// an AK in the environment, an unreadable or malformed file, control characters.
    ///
    /// ```
    /// use dataarts_release::{ClientBuilder, EnvSource};
    ///
    /// let env = EnvSource::from_map([("HUAWEICLOUD_SDK_AK", "AK")]);
    /// let err = ClientBuilder::from_env_source(&env).unwrap_err();
    /// assert!(err.to_string().contains("HUAWEICLOUD_SDK_SK"));
    /// ```
    pub fn from_env_source(env: &EnvSource) -> Result<Self> {
        let mut b = ClientBuilder::new();

        let token = match (env.get(ENV_AUTH_TOKEN)?, env.get(ENV_AUTH_TOKEN_FILE)?) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    ENV_AUTH_TOKEN,
                    format!("both {ENV_AUTH_TOKEN} and {ENV_AUTH_TOKEN_FILE} are set; unset one"),
                ))
            }
            (Some(t), None) => Some((t, ENV_AUTH_TOKEN)),
            (None, Some(path)) => Some((read_token_file(Path::new(&path))?, ENV_AUTH_TOKEN_FILE)),
            (None, None) => None,
        };
        let ak = env.get(ENV_AK)?;
        let sk = env.get(ENV_SK)?;
        let st = env.get(ENV_SECURITY_TOKEN)?;
        let env_aksk = match (ak, sk) {
            (Some(ak), Some(sk)) => Some(match st {
                Some(t) => Credentials::temporary(ak, sk, t),
                None => Credentials::aksk(ak, sk),
            }),
            (Some(_), None) => {
                return Err(Error::config(
                    ENV_AK,
                    format!("{ENV_AK} is set but {ENV_SK} is not; set both, or neither"),
                ))
            }
            (None, Some(_)) => {
                return Err(Error::config(
                    ENV_SK,
                    format!("{ENV_SK} is set but {ENV_AK} is not; set both, or neither"),
                ))
            }
            (None, None) => {
                if st.is_some() {
                    return Err(Error::config(
                        ENV_SECURITY_TOKEN,
                        format!("{ENV_SECURITY_TOKEN} is set without {ENV_AK} and {ENV_SK}; set them too"),
                    ));
                }
                None
            }
        };

        let (profile, profile_source) = read_profile(env)?;

        match (token, env_aksk) {
            (Some((_, name)), Some(_)) => {
                return Err(Error::config(
                    name,
                    format!("both {name} and {ENV_AK}/{ENV_SK} are set; unset one of them so it is clear which to use"),
                ))
            }
            (Some((t, name)), None) => {
                b = b.credentials(Credentials::token(t));
                b.origins.credentials = Some(name.to_string());
            }
            (None, Some(c)) => {
                b = b.credentials(c);
                b.origins.credentials = Some(format!("{ENV_AK}/{ENV_SK}"));
            }
            (None, None) => {
                if let Some(c) = profile.credentials {
                    b = b.credentials(c);
                    b.origins.credentials = profile_source.clone();
                }
            }
        }

        if let Some(p) = env.get(ENV_PROJECT_ID)? {
            b = b.project_id(p);
            b.origins.project_id = Some(ENV_PROJECT_ID.into());
        } else if let Some(p) = profile.project_id {
            b = b.project_id(p);
            b.origins.project_id = profile_source.clone();
        }

        let region = env.get(ENV_REGION)?;
        if let Some(r) = &region {
            b = b.region(r.clone());
            b.origins.region = Some(ENV_REGION.into());
        }
        if let Some(e) = env.get(ENV_ENDPOINT)? {
            b = b.endpoint(e);
            b.origins.endpoint = Some(ENV_ENDPOINT.into());
        } else if let Some(r) = &region {
            if let Some((name, first)) = sdk_region_endpoint(env, "DATAARTSSTUDIO", r)? {
                b = b.endpoint(first);
                b.origins.endpoint = Some(name);
                // The DataArts override does not imply one for DLF: keep the region pattern.
                b.v1_endpoint = Some(format!("https://dayu-dlf.{r}.myhuaweicloud.com"));
                b.origins.v1_endpoint = Some(ENV_REGION.into());
            }
        }
        if let Some(e) = env.get(ENV_V1_ENDPOINT)? {
            b = b.v1_endpoint(e);
            b.origins.v1_endpoint = Some(ENV_V1_ENDPOINT.into());
        } else if let (Some(r), None) = (&region, env.get(ENV_ENDPOINT)?) {
            if let Some((name, first)) = sdk_region_endpoint(env, "DLF", r)? {
                b = b.v1_endpoint(first);
                b.origins.v1_endpoint = Some(name);
            }
        }
        if let Some(w) = env.get(ENV_WORKSPACE)? {
            b = b.workspace(w);
            b.origins.workspace = Some(ENV_WORKSPACE.into());
        }
        Ok(b)
    }
}

impl Client {
    /// Builds a client from the process environment and profile file. See
    /// [`ClientBuilder::from_env_source`] for the variables.
    ///
    /// ```no_run
    /// let client = dataarts_release::Client::from_env()?;
    /// # Ok::<(), dataarts_release::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// Builds a client from `env` (a map in tests). See [`ClientBuilder::from_env_source`].
    ///
    /// ```
    /// let env = dataarts_release::EnvSource::from_map([("DATAARTS_REGION", "cn-north-4")]);
    /// let err = dataarts_release::Client::from_env_source(&env).unwrap_err();
    /// assert!(err.to_string().contains("credentials"));
    /// ```
    pub fn from_env_source(env: &EnvSource) -> Result<Client> {
        ClientBuilder::from_env_source(env)?.build()
    }
}
