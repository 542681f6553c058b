//! What a configuration error is about: the setting, where its value came from, and what is
//! wrong with it.

use std::fmt;
use std::path::PathBuf;

/// A client setting, as named in [`Error::Config`](crate::Error::Config).
///
/// ```
/// use dataarts_release::{Client, EnvSource, Setting};
///
/// let e = Client::from_env_source(&EnvSource::from_map([
///     ("DATAARTS_REGION", "cn-north-4"),
///     ("HUAWEICLOUD_SDK_AK", "AK"),
/// ]))
/// .unwrap_err();
/// assert_eq!(e.setting(), Some(Setting::Credentials));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The credentials: AK/SK (with security token) or an IAM token.
    Credentials,
    /// The IAM project id.
    ProjectId,
    /// The region id.
    Region,
    /// The base URL of both APIs (or of the V2 API when a V1 endpoint is set).
    Endpoint,
    /// The base URL of the V1 (system task) API.
    V1Endpoint,
    /// The default workspace id.
    Workspace,
    /// The profile file (`~/.huaweicloud/credentials`) as a whole.
    ProfileFile,
    /// The attempt and total timeouts.
    Timeouts,
    /// The HTTP client (TLS, proxy).
    HttpClient,
    /// The IAM endpoint (project-id discovery, identity-provider federation).
    IamEndpoint,
    /// The STS endpoint (OIDC federation).
    StsEndpoint,
    /// The ECS metadata service's address.
    MetadataEndpoint,
    /// The signing algorithm of AK/SK requests.
    SigningAlgorithm,
}

impl Setting {
    /// How the setting is named when no single source can be named.
    ///
    /// ```
    /// assert_eq!(dataarts_release::Setting::ProjectId.label(), "project id");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Setting::Credentials => "credentials",
            Setting::ProjectId => "project id",
            Setting::Region => "region",
            Setting::Endpoint => "endpoint",
            Setting::V1Endpoint => "V1 endpoint",
            Setting::Workspace => "workspace",
            Setting::ProfileFile => "profile file",
            Setting::Timeouts => "timeouts",
            Setting::HttpClient => "HTTP client",
            Setting::IamEndpoint => "IAM endpoint",
            Setting::StsEndpoint => "STS endpoint",
            Setting::MetadataEndpoint => "metadata endpoint",
            Setting::SigningAlgorithm => "signing algorithm",
        }
    }

    /// The [`ClientBuilder`](crate::ClientBuilder) method that sets it, if one does.
    fn builder_method(self) -> Option<&'static str> {
        Some(match self {
            Setting::Credentials => "ClientBuilder::credentials",
            Setting::ProjectId => "ClientBuilder::project_id",
            Setting::Region => "ClientBuilder::region",
            Setting::Endpoint => "ClientBuilder::endpoint",
            Setting::V1Endpoint => "ClientBuilder::v1_endpoint",
            Setting::Workspace => "ClientBuilder::workspace",
            Setting::IamEndpoint => "ClientBuilder::iam_endpoint",
            Setting::StsEndpoint => "ClientBuilder::sts_endpoint",
            Setting::MetadataEndpoint => "ClientBuilder::metadata_endpoint",
            Setting::SigningAlgorithm => "ClientBuilder::signing_algorithm",
            Setting::ProfileFile | Setting::Timeouts | Setting::HttpClient => return None,
        })
    }
}

/// Where a setting's value came from.
///
/// ```
/// use dataarts_release::{ClientBuilder, EnvSource, Origin};
///
/// let env = EnvSource::from_map([("HUAWEICLOUD_SDK_AK", "AK")]);
/// let e = ClientBuilder::from_env_source(&env).unwrap_err();
/// assert_eq!(e.origin(), Some(&Origin::Environment("HUAWEICLOUD_SDK_AK".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// A [`ClientBuilder`](crate::ClientBuilder) method (a command-line flag, for a CLI that
    /// calls it).
    Builder,
    /// An environment variable, by name (`HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK` for the
    /// pair).
    Environment(String),
    /// The profile file at this path.
    ProfileFile(PathBuf),
    /// Derived from the region: the `https://dayu.{region}.myhuaweicloud.com` pattern, or
    /// Huawei's table of IAM and STS endpoints per region.
    RegionPattern,
    /// The built-in default (the global IAM endpoint, the ECS metadata address...).
    Default,
    /// No source set it.
    Unset,
}

impl fmt::Display for Origin {
    /// Where the value came from, in words: `environment variable DATAARTS_REGION`,
    /// `profile file /srv/ci/.huaweicloud/credentials`, `ClientBuilder`, `derived from the
    /// region`, `default`, `unset`.
    ///
    /// ```
    /// use dataarts_release::Origin;
    /// assert_eq!(Origin::Environment("DATAARTS_REGION".into()).to_string(),
    ///     "environment variable DATAARTS_REGION");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builder => f.write_str("ClientBuilder"),
            Origin::Environment(name) => write!(f, "environment variable {name}"),
            Origin::ProfileFile(path) => write!(f, "profile file {}", path.display()),
            Origin::RegionPattern => f.write_str("derived from the region"),
            Origin::Default => f.write_str("default"),
            Origin::Unset => f.write_str("unset"),
        }
    }
}

impl serde::Serialize for Origin {
    /// As its `Display` text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What is wrong with a setting.
///
/// ```
/// use dataarts_release::{Client, ConfigProblem};
///
/// let e = Client::builder().build().unwrap_err();
/// assert_eq!(e.config_problem(), Some(ConfigProblem::Missing));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// No source set it, and it is required.
    Missing,
    /// Its value is malformed (blank, control characters, not a URL, not allowed...).
    Invalid,
    /// Only part of it was given (an AK without its SK...).
    Incomplete,
    /// Two sources set it and neither wins (a token and an AK/SK pair...).
    Conflict,
    /// A file it names does not exist or cannot be read.
    Unreadable,
    /// An endpoint URL uses `http://` on a host that is not loopback, which
    /// [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder::allow_insecure_http)
    /// did not allow.
    InsecureHttp,
}

/// The name of the source an error message starts with: the variable, the file, the builder
/// method, or the setting itself.
pub(crate) struct SourceName<'a>(pub(crate) Setting, pub(crate) &'a Origin);

impl fmt::Display for SourceName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let SourceName(setting, origin) = *self;
        match origin {
            Origin::Environment(name) => f.write_str(name),
            Origin::ProfileFile(path) => write!(f, "profile file {}", path.display()),
            Origin::Builder => f.write_str(setting.builder_method().unwrap_or(setting.label())),
            Origin::RegionPattern => f.write_str(Setting::Region.label()),
            Origin::Default | Origin::Unset => f.write_str(setting.label()),
        }
    }
}
