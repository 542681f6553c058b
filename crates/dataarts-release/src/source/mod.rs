//! Where settings come from besides the builder: Huawei's environment variables and
//! profile file, plus ours.
//!
//! Order, for each setting: explicit builder calls (made after `from_env`) → environment →
//! profile file → region pattern. A source that is absent passes to the next; a source that
//! is present but broken stops with an error naming it.

use crate::client::Client;
use crate::config::ClientBuilder;
use crate::error::{ConfigProblem, Error, Origin, Result, Setting};
use crate::SigningAlgorithm;

mod chain;
mod env;
mod profile;

use env::sdk_region_endpoint;
pub use env::{
    EnvSource, ENV_AK, ENV_AUTH_TOKEN, ENV_AUTH_TOKEN_FILE, ENV_CREDENTIALS_FILE, ENV_ENDPOINT,
    ENV_IAM_ENDPOINT, ENV_IDP_ID, ENV_ID_TOKEN_FILE, ENV_METADATA_ENDPOINT, ENV_OIDC_AGENCY_URN,
    ENV_OIDC_DURATION_SECONDS, ENV_OIDC_ID_TOKEN, ENV_OIDC_POLICY, ENV_OIDC_POLICY_IDS,
    ENV_OIDC_PROVIDER_URN, ENV_OIDC_SESSION_NAME, ENV_OIDC_TOKEN_FILE, ENV_POD_CREDENTIALS_URI,
    ENV_POD_TOKEN_FILE, ENV_PROJECT_ID, ENV_REGION, ENV_SECURITY_TOKEN, ENV_SIGNING_ALGORITHM,
    ENV_SK, ENV_STS_ENDPOINT, ENV_V1_ENDPOINT, ENV_WORKSPACE,
};
use profile::read_profile;

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

    /// A builder preset from `env`. This is the reference for the variables.
    ///
    /// **Credentials**: the first source present wins; a source present but broken stops
    /// with an error naming it (in the official SDK's order, plus our IAM token):
    ///
    /// 1. OIDC federation (STS `assume-with-oidc`), when any `HUAWEICLOUD_OIDC_*` variable is
    ///    set: `HUAWEICLOUD_OIDC_PROVIDER_URN` and `HUAWEICLOUD_OIDC_AGENCY_URN` (required),
    ///    `HUAWEICLOUD_OIDC_ID_TOKEN` or `HUAWEICLOUD_OIDC_TOKEN_FILE` (required; the file is
    ///    read again at every renewal), `HUAWEICLOUD_OIDC_SESSION_NAME` (default
    ///    `oidc-sts-session`), `HUAWEICLOUD_OIDC_DURATION_SECONDS` (default 3600),
    ///    `HUAWEICLOUD_OIDC_POLICY`, `HUAWEICLOUD_OIDC_POLICY_IDS` (comma-separated);
    /// 2. an IAM token: `DATAARTS_AUTH_TOKEN` or `DATAARTS_AUTH_TOKEN_FILE` (set together with
    ///    OIDC, IdP or AK/SK variables, it is a [`ConfigProblem::Conflict`]);
    /// 3. IAM identity-provider federation: `HUAWEICLOUD_SDK_IDP_ID` +
    ///    `HUAWEICLOUD_SDK_ID_TOKEN_FILE` (the file read again at every renewal; this pair wins
    ///    over AK/SK, as in the SDK);
    /// 4. `HUAWEICLOUD_SDK_AK` + `HUAWEICLOUD_SDK_SK` (+ `HUAWEICLOUD_SDK_SECURITY_TOKEN`);
    /// 5. the profile file (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`,
    ///    section `[basic]`, alias `[basiccredentials]`): `idp_id` + `id_token_file`, else
    ///    `ak` + `sk` (+ `security_token`); also `project_id` and `iam_endpoint`;
    /// 6. the ECS metadata service (the instance's agency), and after it CCE pod identity
    ///    when `HC_CONTAINER_CREDENTIALS_FULL_URI` + `HC_CONTAINER_AUTHORIZATION_TOKEN_FILE` are
    ///    set (whichever answers first is kept). With nothing configured, the metadata service
    ///    is the last resort: the builder still builds, and when no metadata service answers,
    ///    the first request fails with [`CredentialProblem::NotConfigured`](crate::CredentialProblem::NotConfigured),
    ///    whose message lists what can be set.
    ///
    /// **Other settings**:
    ///
    /// - project: `HUAWEICLOUD_SDK_PROJECT_ID`, else the profile's `project_id`;
    /// - endpoints: `DATAARTS_ENDPOINT` (both APIs), `DATAARTS_V1_ENDPOINT` (V1 only),
    ///   `HUAWEICLOUD_SDK_REGION_DATAARTSSTUDIO_<REGION>` / `HUAWEICLOUD_SDK_REGION_DLF_<REGION>`
    ///   (first URL), else the pattern from `DATAARTS_REGION`;
    /// - IAM: `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else the profile's `iam_endpoint`; STS:
    ///   `HUAWEICLOUD_SDK_STS_ENDPOINT` (both else derived from the region);
    /// - the ECS metadata service's address: `DATAARTS_METADATA_ENDPOINT` (default
    ///   `http://169.254.169.254`);
    /// - signing algorithm: `DATAARTS_SIGNING_ALGORITHM` (`SDK-HMAC-SHA256`, `SDK-HMAC-SM3`,
    ///   `SDK-ECDSA-P256-SHA256`, `SDK-SM2-SM3`, any case);
    /// - workspace: `DATAARTS_WORKSPACE`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the variable or file when a source is present but broken:
    /// an AK without SK (or the reverse), a security token without AK/SK, an IdP id without
    /// its token file (or the reverse), an OIDC variable without the provider URN, agency URN
    /// or id token, a duration that is not a number, one of the two pod-identity variables
    /// alone, a token together with another source, an unknown signing algorithm, an
    /// unreadable or malformed file, control characters. Token files named for run-time
    /// sources are read at each fetch, not here: their problems are
    /// [`CredentialProblem::Unreadable`](crate::CredentialProblem::Unreadable) errors then.
    ///
    /// ```
    /// use dataarts_release::{ClientBuilder, EnvSource, Origin};
    ///
    /// let env = EnvSource::from_map([("HUAWEICLOUD_SDK_AK", "AK")]);
    /// let err = ClientBuilder::from_env_source(&env).unwrap_err();
    /// assert!(err.to_string().contains("HUAWEICLOUD_SDK_SK"));
    ///
    /// let env = EnvSource::from_map([("HUAWEICLOUD_OIDC_PROVIDER_URN", "urn")]);
    /// let err = ClientBuilder::from_env_source(&env).unwrap_err();
    /// assert_eq!(err.origin(), Some(&Origin::Environment("HUAWEICLOUD_OIDC_AGENCY_URN".into())));
    /// ```
    pub fn from_env_source(env: &EnvSource) -> Result<Self> {
        let mut b = ClientBuilder::new();

        let (profile, profile_origin) = read_profile(env)?;
        let profile_project = profile.project_id.clone();
        let profile_iam = profile.iam_endpoint.clone();
        let chosen = chain::choose(env, profile, profile_origin.clone())?;
        b = b.credentials(chosen.credentials);
        b.origins.credentials = chosen.origin;

        let from_env = |name: &str| Origin::Environment(name.to_string());
        if let Some(p) = env.get(ENV_PROJECT_ID, Setting::ProjectId)? {
            b = b.project_id(p);
            b.origins.project_id = from_env(ENV_PROJECT_ID);
        } else if let (Some(p), Some(origin)) = (profile_project, &profile_origin) {
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

        if let Some(e) = env.get(ENV_IAM_ENDPOINT, Setting::IamEndpoint)? {
            b = b.iam_endpoint(e);
            b.origins.iam_endpoint = from_env(ENV_IAM_ENDPOINT);
        } else if let (Some(e), Some(origin)) = (profile_iam, &profile_origin) {
            b = b.iam_endpoint(e);
            b.origins.iam_endpoint = origin.clone();
        }
        if let Some(e) = env.get(ENV_STS_ENDPOINT, Setting::StsEndpoint)? {
            b = b.sts_endpoint(e);
            b.origins.sts_endpoint = from_env(ENV_STS_ENDPOINT);
        }
        if let Some(e) = env.get(ENV_METADATA_ENDPOINT, Setting::MetadataEndpoint)? {
            b = b.metadata_endpoint(e);
            b.origins.metadata_endpoint = from_env(ENV_METADATA_ENDPOINT);
        }
        if let Some(a) = env.get(ENV_SIGNING_ALGORITHM, Setting::SigningAlgorithm)? {
            let algorithm =
                a.parse::<SigningAlgorithm>().map_err(|_| {
                    Error::config(
                        Setting::SigningAlgorithm,
                        from_env(ENV_SIGNING_ALGORITHM),
                        ConfigProblem::Invalid,
                        format!(
                        "{:?} is not a signing algorithm; set one of {} (any case), or unset it \
                         for {}",
                        a.chars().take(40).collect::<String>(),
                        SigningAlgorithm::ALL.map(SigningAlgorithm::as_str).join(", "),
                        SigningAlgorithm::default().as_str(),
                    ),
                    )
                })?;
            b = b.signing_algorithm(algorithm);
            b.origins.signing_algorithm = from_env(ENV_SIGNING_ALGORITHM);
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
    /// use dataarts_release::{Client, ConfigProblem, EnvSource};
    ///
    /// let env = EnvSource::from_map([
    ///     ("DATAARTS_AUTH_TOKEN", "token"),
    ///     ("HUAWEICLOUD_SDK_AK", "AK"),
    ///     ("HUAWEICLOUD_SDK_SK", "SK"),
    /// ]);
    /// let err = Client::from_env_source(&env).unwrap_err();
    /// assert_eq!(err.config_problem(), Some(ConfigProblem::Conflict));
    /// ```
    pub fn from_env_source(env: &EnvSource) -> Result<Client> {
        ClientBuilder::from_env_source(env)?.build()
    }
}
