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

/// Parses an endpoint URL: `http://` or `https://` and a host; refuses a missing scheme,
/// non-loopback `http://` (unless allowed), user info, queries and fragments.
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
    if let Some(message) = missing_scheme(s) {
        return Err(invalid(message));
    }
    let url = Url::parse(s)
        .map_err(|e| invalid(format!("{:?} is not a valid URL ({e}); set a URL like https://dayu.cn-north-4.myhuaweicloud.com", shorten(s))))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            if !allow_insecure_http && !is_loopback(&url) {
                return Err(Error::config(
                    setting,
                    origin.clone(),
                    ConfigProblem::InsecureHttp,
                    format!(
                        "{s:?} uses http:// on a host that is not loopback; use https://, or call \
                             ClientBuilder::allow_insecure_http(true) if you really mean it"
                    ),
                ));
            }
        }
        other => {
            return Err(invalid(format!(
                "unsupported URL scheme {:?}; use https:// (or http:// for a local emulator)",
                shorten(other)
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

/// Why `s` does not start with `http://` or `https://`, with the URL it probably meant;
/// `None` when it does. Without this, `127.0.0.1:8080` would parse as a URL whose scheme is
/// `127.0.0.1`, and a bare host used to be taken as HTTPS, which fails against a plain-HTTP
/// emulator with a TLS error that points nowhere near the setting.
pub(crate) fn missing_scheme(s: &str) -> Option<String> {
    let scheme_end = s.find("://");
    let scheme = scheme_end.map(|i| &s[..i]);
    if scheme.is_some_and(|sc| sc.eq_ignore_ascii_case("http") || sc.eq_ignore_ascii_case("https"))
    {
        return None;
    }
    if let Some(other) = scheme {
        if !other.is_empty() && !other.contains(['/', '.', ':']) {
            return Some(format!(
                "unsupported URL scheme {:?}; use https:// (or http:// for a local emulator)",
                shorten(other)
            ));
        }
    }
    let rest = match scheme_end {
        Some(i) => &s[i + 3..],
        None => s.strip_prefix("//").unwrap_or(s),
    };
    let shown = shorten(s);
    let rest = shorten(rest);
    let local = Url::parse(&format!("http://{rest}")).is_ok_and(|u| is_loopback(&u));
    Some(if local {
        format!(
            "{shown:?} has no scheme; write http://{rest} (a local emulator speaks plain HTTP) \
             or https://{rest}"
        )
    } else {
        format!("{shown:?} has no scheme; write https://{rest}")
    })
}

fn shorten(s: &str) -> String {
    s.chars().take(200).collect()
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Url> {
        parse_endpoint(Setting::Endpoint, &Origin::Builder, raw, false)
    }

    #[test]
    fn a_missing_scheme_is_refused_with_the_url_meant() {
        for (raw, suggested) in [
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("localhost:8080", "http://localhost:8080"),
            ("[::1]:8080/x", "http://[::1]:8080/x"),
            ("host:8080/path", "write https://host:8080/path"),
            (
                "dayu.cn-north-4.myhuaweicloud.com",
                "https://dayu.cn-north-4.myhuaweicloud.com",
            ),
            ("//example.com", "https://example.com"),
        ] {
            let e = parse(raw).unwrap_err();
            let text = e.to_string();
            assert!(
                matches!(
                    e,
                    Error::Config {
                        problem: ConfigProblem::Invalid,
                        ..
                    }
                ),
                "{raw}: {text}"
            );
            assert!(text.contains("has no scheme"), "{raw}: {text}");
            assert!(text.contains(suggested), "{raw}: {text}");
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        for raw in [
            "ftp://example.com",
            "file:///etc/passwd",
            "ws://127.0.0.1:1",
        ] {
            let text = parse(raw).unwrap_err().to_string();
            assert!(text.contains("unsupported URL scheme"), "{raw}: {text}");
        }
    }

    #[test]
    fn http_and_https_pass() {
        assert_eq!(
            parse("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            parse(" HTTPS://Example.com/base ").unwrap().as_str(),
            "https://example.com/base"
        );
    }
}
