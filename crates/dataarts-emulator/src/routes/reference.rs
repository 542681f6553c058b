//! The API description and its reference page: `/openapi.yaml`, `/openapi.json` and the
//! Swagger UI page under `/reference/`, all compiled into the binary.
//!
//! Public and read-only, so served to any caller: no authentication, no admin guard (a page
//! that reads them learns nothing the crate does not publish), never journalled nor rate
//! limited. `GET` and `HEAD` only. Every answer carries an `ETag` and `Cache-Control:
//! no-cache`, so a browser revalidates (cheap `304`) and never shows a stale description after
//! the emulator is upgraded. The page gets a `Content-Security-Policy` that allows requests to
//! this emulator only.

use std::sync::OnceLock;

use bytes::Bytes;
use http::request::Parts;
use http::{header, HeaderValue, Method, Response};

use crate::app::{error_response, respond, Body, JSON_CT};
use crate::error::ApiError;

/// Where the reference page lives; `/reference` redirects here.
pub(crate) const REFERENCE_PREFIX: &str = "/reference/";

const HTML_CT: &str = "text/html; charset=utf-8";
const JS_CT: &str = "text/javascript; charset=utf-8";
const CSS_CT: &str = "text/css; charset=utf-8";
const TEXT_CT: &str = "text/plain; charset=utf-8";
/// The YAML media type (RFC 9512).
const YAML_CT: &str = "application/yaml";

/// The page may load its own scripts, styles and description, and nothing from elsewhere.
/// (Swagger UI sets inline styles and shows its icons as `data:` images.)
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// One file served under a fixed path.
struct Asset {
    /// The request paths.
    paths: &'static [&'static str],
    content_type: &'static str,
    body: &'static [u8],
}

/// Every file, in a fixed order (the `ETag` table follows it).
const ASSETS: &[Asset] = &[
    Asset {
        paths: &["/openapi.yaml", "/reference/openapi.yaml"],
        content_type: YAML_CT,
        body: dataarts_release_raw::OPENAPI_YAML.as_bytes(),
    },
    Asset {
        paths: &["/openapi.json", "/reference/openapi.json"],
        content_type: JSON_CT,
        body: dataarts_release_raw::OPENAPI_JSON.as_bytes(),
    },
    Asset {
        paths: &["/reference/", "/reference/index.html"],
        content_type: HTML_CT,
        body: include_bytes!("../../reference/index.html"),
    },
    Asset {
        paths: &["/reference/reference.js"],
        content_type: JS_CT,
        body: include_bytes!("../../reference/reference.js"),
    },
    Asset {
        paths: &["/reference/swagger-ui-bundle.js"],
        content_type: JS_CT,
        body: include_bytes!("../../reference/swagger-ui-bundle.js"),
    },
    Asset {
        paths: &["/reference/swagger-ui.css"],
        content_type: CSS_CT,
        body: include_bytes!("../../reference/swagger-ui.css"),
    },
    Asset {
        paths: &["/reference/LICENSE"],
        content_type: TEXT_CT,
        body: include_bytes!("../../reference/LICENSE"),
    },
    Asset {
        paths: &["/reference/NOTICE"],
        content_type: TEXT_CT,
        body: include_bytes!("../../reference/NOTICE"),
    },
    Asset {
        paths: &["/reference/swagger-ui-bundle.js.LICENSE.txt"],
        content_type: TEXT_CT,
        body: include_bytes!("../../reference/swagger-ui-bundle.js.LICENSE.txt"),
    },
];

/// Whether this module serves the path (the exact files, and anything under `/reference/`,
/// which gets a 404 when unknown).
pub(crate) fn is_reference_path(path: &str) -> bool {
    path == "/reference"
        || path.starts_with(REFERENCE_PREFIX)
        || ASSETS.iter().any(|a| a.paths.contains(&path))
}

/// Answers a request for one of [`is_reference_path`]'s paths.
pub(crate) fn handle(parts: &Parts, request_id: &str) -> Response<Body> {
    let path = parts.uri.path();
    if parts.method != Method::GET && parts.method != Method::HEAD {
        let e = ApiError::method_not_allowed(parts.method.as_str(), path, "GET, HEAD");
        let mut resp = error_response(&e, request_id);
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return resp;
    }
    if path == "/reference" {
        let mut resp = respond(308, None, Bytes::new(), request_id);
        resp.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static(REFERENCE_PREFIX));
        return resp;
    }
    let Some(index) = ASSETS.iter().position(|a| a.paths.contains(&path)) else {
        return error_response(&ApiError::no_route(parts.method.as_str(), path), request_id);
    };
    let asset = &ASSETS[index];
    let etag = &etags()[index];
    let fresh = parts
        .headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .any(|v| matches_etag(v.as_bytes(), etag));
    let mut resp = if fresh {
        respond(304, None, Bytes::new(), request_id)
    } else {
        respond(
            200,
            Some(asset.content_type),
            Bytes::from_static(asset.body),
            request_id,
        )
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if asset.content_type == HTML_CT {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    resp
}

/// A strong `ETag` per asset: a hash of its bytes, computed on first use.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| format!("\"{:016x}\"", fnv1a(a.body)))
            .collect()
    })
}

/// 64-bit FNV-1a: enough to tell two versions of a file apart, and dependency free.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether an `If-None-Match` value names `etag` (a list, weak tags, or `*`).
fn matches_etag(header: &[u8], etag: &str) -> bool {
    let Ok(text) = std::str::from_utf8(header) else {
        return false;
    };
    text.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_recognised() {
        let mut all: Vec<&str> = ASSETS
            .iter()
            .flat_map(|a| a.paths.iter().copied())
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a path is listed twice");
        for p in all {
            assert!(is_reference_path(p), "{p}");
        }
        assert!(is_reference_path("/reference"));
        assert!(is_reference_path("/reference/missing.js"));
        assert!(!is_reference_path("/openapi.yml"));
        assert!(!is_reference_path("/v2/x/factory/release-packages"));
        assert!(!is_reference_path("/referencex"));
    }

    #[test]
    fn etags_differ_per_file_and_match_lists_and_weak_tags() {
        let tags = etags();
        assert_eq!(tags.len(), ASSETS.len());
        assert_ne!(tags[0], tags[1]);
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
        let t = &tags[0];
        assert!(matches_etag(t.as_bytes(), t));
        assert!(matches_etag(format!("\"x\", W/{t}").as_bytes(), t));
        assert!(matches_etag(b"*", t));
        assert!(!matches_etag(b"\"0000000000000000\"", t));
        assert!(!matches_etag(&[0xff, 0xfe], t));
    }
}
