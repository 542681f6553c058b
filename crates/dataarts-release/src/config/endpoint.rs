//! The rules for endpoint URLs and region ids.

use url::Url;

use crate::error::{ConfigProblem, Error, Origin, Result, Setting};

pub(super) fn check_region(origin: &Origin, region: &str) -> Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !region.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::config(
            Setting::Region,
            origin.clone(),
            ConfigProblem::Invalid,
            format!("region {:?} is not a region id like cn-north-4 (lower-case letters, digits and '-')", region.chars().take(64).collect::<String>()),
        ))
    }
}

/// Parses an endpoint URL: adds `https://` to a bare host, refuses non-loopback `http://`
/// (unless allowed), user info, queries and fragments.
pub(crate) fn parse_endpoint(
    setting: Setting,
    origin: &Origin,
    raw: &str,
    allow_insecure_http: bool,
) -> Result<Url> {
    let invalid =
        |message: String| Error::config(setting, origin.clone(), ConfigProblem::Invalid, message);
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid(
            "the endpoint is empty; set a URL like https://dayu.cn-north-4.myhuaweicloud.com"
                .into(),
        ));
    }
    if dataarts_signing::has_control_chars(s) {
        return Err(invalid(
            "the endpoint contains a control character; remove it".into(),
        ));
    }
    let with_scheme = if s.contains("://") {
        s.to_string()
    } else {
        format!("https://{s}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| invalid(format!("{s:?} is not a valid URL ({e}); set a URL like https://dayu.cn-north-4.myhuaweicloud.com")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            if !allow_insecure_http && !is_loopback(&url) {
                return Err(invalid(format!(
                    "{s:?} uses http:// on a host that is not loopback; use https://, or call \
                             ClientBuilder::allow_insecure_http(true) if you really mean it"
                )));
            }
        }
        other => {
            return Err(invalid(format!(
                "unsupported URL scheme {other:?}; use https://"
            )))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("{s:?} has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "the endpoint must not contain a user name or password; use Credentials".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!("{s:?} must not have a query or fragment")));
    }
    Ok(url)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
