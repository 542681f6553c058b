//! The endpoints of the identity services: IAM, STS and the ECS metadata service.

use url::Url;

use super::{parse_endpoint, ClientBuilder};
use crate::error::{Origin, Result, Setting};

/// The IAM, STS and metadata endpoints a client uses.
pub(crate) struct AuthUrls {
    pub(crate) iam: Url,
    pub(crate) sts: Url,
    pub(crate) metadata: Url,
}

impl ClientBuilder {
    /// The IAM, STS and metadata endpoints: as set, else IAM and STS from the region as
    /// Huawei's SDKs derive them (a table of regions, else a global default) and the
    /// metadata service at its link-local address.
    pub(crate) fn auth_urls(&self) -> Result<AuthUrls> {
        use crate::auth::endpoints::{iam_for, sts_for, DEFAULT_METADATA_ENDPOINT};
        let allow = self.allow_insecure_http;
        let region = self.region.as_deref();
        let derived = |(url, own): (String, bool)| {
            (
                url,
                if own {
                    Origin::RegionPattern
                } else {
                    Origin::Default
                },
            )
        };
        let pick = |set: &Option<String>, origin: &Origin, setting, default: (String, Origin)| {
            let (raw, origin) = match set {
                Some(v) => (v.clone(), origin.clone()),
                None => default,
            };
            parse_endpoint(setting, &origin, &raw, allow).map(|u| (u, origin))
        };
        let (iam, _) = pick(
            &self.iam_endpoint,
            &self.origins.iam_endpoint,
            Setting::IamEndpoint,
            derived(iam_for(region)),
        )?;
        let (sts, _) = pick(
            &self.sts_endpoint,
            &self.origins.sts_endpoint,
            Setting::StsEndpoint,
            derived(sts_for(region)),
        )?;
        let (raw, origin) = match &self.metadata_endpoint {
            Some(v) => (v.as_str(), self.origins.metadata_endpoint.clone()),
            None => (DEFAULT_METADATA_ENDPOINT, Origin::Default),
        };
        // The metadata service answers plain HTTP on a link-local address.
        let metadata = parse_endpoint(
            Setting::MetadataEndpoint,
            &origin,
            raw,
            allow || is_link_local(raw),
        )?;
        Ok(AuthUrls { iam, sts, metadata })
    }
}

/// True for `http://169.254.x.y[:port]...`.
fn is_link_local(raw: &str) -> bool {
    Url::parse(raw.trim()).is_ok_and(|u| match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_link_local(),
        _ => false,
    })
}
