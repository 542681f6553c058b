//! The environment `from_env` reads, and the names of its variables.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::error::{ConfigProblem, Error, Origin, Result, Setting};

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

/// OIDC federation: the identity provider's URN in IAM.
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_PROVIDER_URN, "HUAWEICLOUD_OIDC_PROVIDER_URN");
/// ```
pub const ENV_OIDC_PROVIDER_URN: &str = "HUAWEICLOUD_OIDC_PROVIDER_URN";
/// OIDC federation: the URN of the agency to assume.
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_AGENCY_URN, "HUAWEICLOUD_OIDC_AGENCY_URN");
/// ```
pub const ENV_OIDC_AGENCY_URN: &str = "HUAWEICLOUD_OIDC_AGENCY_URN";
/// OIDC federation: the id token itself (wins over the token file).
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_ID_TOKEN, "HUAWEICLOUD_OIDC_ID_TOKEN");
/// ```
pub const ENV_OIDC_ID_TOKEN: &str = "HUAWEICLOUD_OIDC_ID_TOKEN";
/// OIDC federation: a file holding the id token, read again at every renewal.
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_TOKEN_FILE, "HUAWEICLOUD_OIDC_TOKEN_FILE");
/// ```
pub const ENV_OIDC_TOKEN_FILE: &str = "HUAWEICLOUD_OIDC_TOKEN_FILE";
/// OIDC federation: the agency session name (default `oidc-sts-session`).
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_SESSION_NAME, "HUAWEICLOUD_OIDC_SESSION_NAME");
/// ```
pub const ENV_OIDC_SESSION_NAME: &str = "HUAWEICLOUD_OIDC_SESSION_NAME";
/// OIDC federation: how long the credentials should last, in seconds (default 3600).
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_DURATION_SECONDS, "HUAWEICLOUD_OIDC_DURATION_SECONDS");
/// ```
pub const ENV_OIDC_DURATION_SECONDS: &str = "HUAWEICLOUD_OIDC_DURATION_SECONDS";
/// OIDC federation: a policy (JSON) narrowing the credentials.
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_POLICY, "HUAWEICLOUD_OIDC_POLICY");
/// ```
pub const ENV_OIDC_POLICY: &str = "HUAWEICLOUD_OIDC_POLICY";
/// OIDC federation: managed policy ids narrowing the credentials, comma-separated.
///
/// ```
/// assert_eq!(dataarts_release::ENV_OIDC_POLICY_IDS, "HUAWEICLOUD_OIDC_POLICY_IDS");
/// ```
pub const ENV_OIDC_POLICY_IDS: &str = "HUAWEICLOUD_OIDC_POLICY_IDS";
/// The STS endpoint (OIDC federation); default derived from the region.
///
/// ```
/// assert_eq!(dataarts_release::ENV_STS_ENDPOINT, "HUAWEICLOUD_SDK_STS_ENDPOINT");
/// ```
pub const ENV_STS_ENDPOINT: &str = "HUAWEICLOUD_SDK_STS_ENDPOINT";
/// The IAM endpoint (project-id discovery, IdP federation); default derived from the region.
///
/// ```
/// assert_eq!(dataarts_release::ENV_IAM_ENDPOINT, "HUAWEICLOUD_SDK_IAM_ENDPOINT");
/// ```
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// IAM identity-provider federation: the identity provider's id.
///
/// ```
/// assert_eq!(dataarts_release::ENV_IDP_ID, "HUAWEICLOUD_SDK_IDP_ID");
/// ```
pub const ENV_IDP_ID: &str = "HUAWEICLOUD_SDK_IDP_ID";
/// IAM identity-provider federation: a file holding the id token, read again at every renewal.
///
/// ```
/// assert_eq!(dataarts_release::ENV_ID_TOKEN_FILE, "HUAWEICLOUD_SDK_ID_TOKEN_FILE");
/// ```
pub const ENV_ID_TOKEN_FILE: &str = "HUAWEICLOUD_SDK_ID_TOKEN_FILE";
/// CCE pod identity: the full URI that hands out credentials.
///
/// ```
/// assert_eq!(dataarts_release::ENV_POD_CREDENTIALS_URI, "HC_CONTAINER_CREDENTIALS_FULL_URI");
/// ```
pub const ENV_POD_CREDENTIALS_URI: &str = "HC_CONTAINER_CREDENTIALS_FULL_URI";
/// CCE pod identity: a file holding the authorization token, read again at every renewal.
///
/// ```
/// assert_eq!(dataarts_release::ENV_POD_TOKEN_FILE, "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE");
/// ```
pub const ENV_POD_TOKEN_FILE: &str = "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// The ECS metadata service's address (default `http://169.254.169.254`).
///
/// ```
/// assert_eq!(dataarts_release::ENV_METADATA_ENDPOINT, "DATAARTS_METADATA_ENDPOINT");
/// ```
pub const ENV_METADATA_ENDPOINT: &str = "DATAARTS_METADATA_ENDPOINT";
/// The signing algorithm of AK/SK requests, as spelled in the `Authorization` header
/// (`SDK-HMAC-SHA256`, `SDK-HMAC-SM3`, `SDK-ECDSA-P256-SHA256`, `SDK-SM2-SM3`; any case).
///
/// ```
/// assert_eq!(dataarts_release::ENV_SIGNING_ALGORITHM, "DATAARTS_SIGNING_ALGORITHM");
/// ```
pub const ENV_SIGNING_ALGORITHM: &str = "DATAARTS_SIGNING_ALGORITHM";

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
            ENV_OIDC_PROVIDER_URN,
            ENV_OIDC_AGENCY_URN,
            ENV_OIDC_ID_TOKEN,
            ENV_OIDC_TOKEN_FILE,
            ENV_OIDC_SESSION_NAME,
            ENV_OIDC_DURATION_SECONDS,
            ENV_OIDC_POLICY,
            ENV_OIDC_POLICY_IDS,
            ENV_STS_ENDPOINT,
            ENV_IAM_ENDPOINT,
            ENV_IDP_ID,
            ENV_ID_TOKEN_FILE,
            ENV_POD_CREDENTIALS_URI,
            ENV_POD_TOKEN_FILE,
            ENV_METADATA_ENDPOINT,
            ENV_SIGNING_ALGORITHM,
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

    pub(crate) fn home_dir(&self) -> Option<PathBuf> {
        self.home
            .clone()
            .or_else(|| self.var("HOME").map(PathBuf::from))
            .or_else(|| self.var("USERPROFILE").map(PathBuf::from))
    }

    /// A variable holding `setting`, checked for control characters; non-Unicode values are
    /// errors.
    pub(crate) fn get(&self, name: &str, setting: Setting) -> Result<Option<String>> {
        let invalid = |message: &str| {
            Error::config(
                setting,
                Origin::Environment(name.to_string()),
                ConfigProblem::Invalid,
                message,
            )
        };
        if self.not_unicode.iter().any(|n| n == name) {
            return Err(invalid("the value is not valid Unicode; set it again"));
        }
        match self.var(name) {
            None => Ok(None),
            Some(v) => {
                if dataarts_signing::has_control_chars(v) {
                    return Err(invalid(
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
pub(crate) fn sdk_region_endpoint(
    env: &EnvSource,
    service: &str,
    setting: Setting,
    region: &str,
) -> Result<Option<(String, String)>> {
    let name = format!(
        "HUAWEICLOUD_SDK_REGION_{service}_{}",
        region.to_ascii_uppercase().replace('-', "_")
    );
    let first = env.get(&name, setting)?.and_then(|v| {
        v.split(',')
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(str::to_string)
    });
    Ok(first.map(|url| (name, url)))
}
