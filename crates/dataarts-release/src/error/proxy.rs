//! The proxy a failed request went through, found the way the HTTP client finds it: from
//! `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (upper or lower case) and `NO_PROXY`.

use std::fmt;

use hyper_util::client::proxy::matcher::Matcher;

/// The proxy a request was sent through, as configured in the environment.
///
/// Carried by [`Error::Transport`](crate::Error::Transport) so that a dead proxy is not
/// reported as a dead endpoint. The URL never holds the proxy's user name or password.
///
/// ```
/// # fn f(e: &dataarts_release::Error) {
/// if let dataarts_release::Error::Transport { proxy: Some(p), connect: true, .. } = e {
///     eprintln!("could not connect to the proxy {} ({})", p.url, p.variable);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyUsed {
    /// The environment variable that set it (`HTTPS_PROXY`, `http_proxy`, `ALL_PROXY`...).
    pub variable: String,
    /// The proxy's URL without credentials (`http://proxy.internal:3128`).
    pub url: String,
}

impl fmt::Display for ProxyUsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.url, self.variable)
    }
}

/// The variables that can name the proxy for a scheme, in the order the HTTP client reads
/// them: the first one set of a pair wins, then `ALL_PROXY`.
fn variables(scheme: &str) -> [[&'static str; 2]; 2] {
    let own = if scheme == "http" {
        ["HTTP_PROXY", "http_proxy"]
    } else {
        ["HTTPS_PROXY", "https_proxy"]
    };
    [own, ["ALL_PROXY", "all_proxy"]]
}

impl ProxyUsed {
    /// The environment's proxy for `url`, if the environment sends requests to it through
    /// one (after `NO_PROXY`); `None` for a URL that is not HTTP(S).
    pub(crate) fn from_env(url: &url::Url) -> Option<ProxyUsed> {
        let uri: http::Uri = url.as_str().parse().ok()?;
        let intercept = Matcher::from_env().intercept(&uri)?;
        let target = intercept.uri();
        let variable = variables(url.scheme())
            .into_iter()
            .find_map(|pair| {
                let set = pair.into_iter().find(|v| std::env::var_os(v).is_some())?;
                let value = std::env::var(set).ok()?;
                (!value.trim().is_empty() && same_proxy(&value, target)).then_some(set)
            })
            .unwrap_or("ALL_PROXY");
        Some(ProxyUsed {
            variable: variable.to_string(),
            url: without_credentials(target),
        })
    }
}

/// Whether a variable's value names this proxy (by host and port; the value may lack a
/// scheme).
fn same_proxy(value: &str, target: &http::Uri) -> bool {
    let value = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    value
        .parse::<http::Uri>()
        .is_ok_and(|v| v.host() == target.host())
}

/// `scheme://host:port` of a proxy URI: any `user:password@` is left out.
fn without_credentials(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    let host = uri.host().unwrap_or("");
    match uri.port_u16() {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_left_out_of_the_url() {
        let uri: http::Uri = "http://user:secret@proxy.internal:3128".parse().unwrap();
        assert_eq!(without_credentials(&uri), "http://proxy.internal:3128");
        let uri: http::Uri = "http://proxy.internal".parse().unwrap();
        assert_eq!(without_credentials(&uri), "http://proxy.internal");
    }

    #[test]
    fn a_value_without_scheme_names_its_host() {
        let uri: http::Uri = "http://127.0.0.1:9".parse().unwrap();
        assert!(same_proxy("127.0.0.1:9", &uri));
        assert!(same_proxy("http://u:p@127.0.0.1:9", &uri));
        assert!(!same_proxy("http://10.0.0.1:9", &uri));
    }
}
