//! Where settings come from besides the builder: Huawei's environment variables and
//! profile file, plus ours.
//!
//! Order, for each setting: explicit builder calls (made after `from_env`) → environment →
//! profile file → region pattern. A source that is absent passes to the next; a source that
//! is present but broken stops with an error naming it.

use std::path::Path;

use crate::client::Client;
use crate::config::ClientBuilder;
use crate::credentials::Credentials;
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};

mod env;
mod profile;

use env::sdk_region_endpoint;
pub use env::{
    EnvSource, ENV_AK, ENV_AUTH_TOKEN, ENV_AUTH_TOKEN_FILE, ENV_CREDENTIALS_FILE, ENV_ENDPOINT,
    ENV_PROJECT_ID, ENV_REGION, ENV_SECURITY_TOKEN, ENV_SK, ENV_V1_ENDPOINT, ENV_WORKSPACE,
};
use profile::{read_profile, read_token_file};

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

        let credentials = |name: &str, problem, message: String| {
            Error::config(
                Setting::Credentials,
                Origin::Environment(name.to_string()),
                problem,
                message,
            )
        };
        let token = match (
            env.get(ENV_AUTH_TOKEN, Setting::Credentials)?,
            env.get(ENV_AUTH_TOKEN_FILE, Setting::Credentials)?,
        ) {
            (Some(_), Some(_)) => {
                return Err(credentials(
                    ENV_AUTH_TOKEN,
                    ConfigProblem::Conflict,
                    format!("both {ENV_AUTH_TOKEN} and {ENV_AUTH_TOKEN_FILE} are set; unset one"),
                ))
            }
            (Some(t), None) => Some((t, ENV_AUTH_TOKEN)),
            (None, Some(path)) => Some((read_token_file(Path::new(&path))?, ENV_AUTH_TOKEN_FILE)),
            (None, None) => None,
        };
        let ak = env.get(ENV_AK, Setting::Credentials)?;
        let sk = env.get(ENV_SK, Setting::Credentials)?;
        let st = env.get(ENV_SECURITY_TOKEN, Setting::Credentials)?;
        let env_aksk = match (ak, sk) {
            (Some(ak), Some(sk)) => Some(match st {
                Some(t) => Credentials::temporary(ak, sk, t),
                None => Credentials::aksk(ak, sk),
            }),
            (Some(_), None) => {
                return Err(credentials(
                    ENV_AK,
                    ConfigProblem::Incomplete,
                    format!("{ENV_AK} is set but {ENV_SK} is not; set both, or neither"),
                ))
            }
            (None, Some(_)) => {
                return Err(credentials(
                    ENV_SK,
                    ConfigProblem::Incomplete,
                    format!("{ENV_SK} is set but {ENV_AK} is not; set both, or neither"),
                ))
            }
            (None, None) => {
                if st.is_some() {
                    return Err(credentials(
                        ENV_SECURITY_TOKEN,
                        ConfigProblem::Incomplete,
                        format!("{ENV_SECURITY_TOKEN} is set without {ENV_AK} and {ENV_SK}; set them too"),
                    ));
                }
                None
            }
        };

        let (profile, profile_origin) = read_profile(env)?;

        match (token, env_aksk) {
            (Some((_, name)), Some(_)) => {
                return Err(credentials(
                    name,
                    ConfigProblem::Conflict,
                    format!("both {name} and {ENV_AK}/{ENV_SK} are set; unset one of them so it is clear which to use"),
                ))
            }
            (Some((t, name)), None) => {
                b = b.credentials(Credentials::token(t));
                b.origins.credentials = Origin::Environment(name.to_string());
            }
            (None, Some(c)) => {
                b = b.credentials(c);
                b.origins.credentials = Origin::Environment(format!("{ENV_AK}/{ENV_SK}"));
            }
            (None, None) => {
                if let (Some(c), Some(origin)) = (profile.credentials, &profile_origin) {
                    b = b.credentials(c);
                    b.origins.credentials = origin.clone();
                }
            }
        }

        let from_env = |name: &str| Origin::Environment(name.to_string());
        if let Some(p) = env.get(ENV_PROJECT_ID, Setting::ProjectId)? {
            b = b.project_id(p);
            b.origins.project_id = from_env(ENV_PROJECT_ID);
        } else if let (Some(p), Some(origin)) = (profile.project_id, &profile_origin) {
            b = b.project_id(p);
            b.origins.project_id = origin.clone();
        }

        let region = env.get(ENV_REGION, Setting::Region)?;
        if let Some(r) = &region {
            b = b.region(r.clone());
            b.origins.region = from_env(ENV_REGION);
        }
        let endpoint = env.get(ENV_ENDPOINT, Setting::Endpoint)?;
        if let Some(e) = &endpoint {
            b = b.endpoint(e.clone());
            b.origins.endpoint = from_env(ENV_ENDPOINT);
        } else if let Some(r) = &region {
            if let Some((name, first)) =
                sdk_region_endpoint(env, "DATAARTSSTUDIO", Setting::Endpoint, r)?
            {
                b = b.endpoint(first);
                b.origins.endpoint = Origin::Environment(name);
                // The DataArts override does not imply one for DLF: keep the region pattern.
                b.v1_endpoint = Some(format!("https://dayu-dlf.{r}.myhuaweicloud.com"));
                b.origins.v1_endpoint = from_env(ENV_REGION);
            }
        }
        if let Some(e) = env.get(ENV_V1_ENDPOINT, Setting::V1Endpoint)? {
            b = b.v1_endpoint(e);
            b.origins.v1_endpoint = from_env(ENV_V1_ENDPOINT);
        } else if let (Some(r), None) = (&region, &endpoint) {
            if let Some((name, first)) = sdk_region_endpoint(env, "DLF", Setting::V1Endpoint, r)? {
                b = b.v1_endpoint(first);
                b.origins.v1_endpoint = Origin::Environment(name);
            }
        }
        if let Some(w) = env.get(ENV_WORKSPACE, Setting::Workspace)? {
            b = b.workspace(w);
            b.origins.workspace = from_env(ENV_WORKSPACE);
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
