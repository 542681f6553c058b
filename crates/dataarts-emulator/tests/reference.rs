//! The API description (`/openapi.yaml`, `/openapi.json`) and the reference page under
//! `/reference/`: public, read-only, GET/HEAD only, never journalled nor rate limited.

mod common;

use common::{builder, client, read, start};
use dataarts_emulator::{RateLimits, RunningEmulator};
use dataarts_release_raw::{OPENAPI_JSON, OPENAPI_YAML};
use reqwest::header::{HeaderMap, CACHE_CONTROL, CONTENT_TYPE, ETAG, LOCATION};

const INDEX_HTML: &str = include_str!("../reference/index.html");
const REFERENCE_JS: &str = include_str!("../reference/reference.js");
const BUNDLE: &[u8] = include_bytes!("../reference/swagger-ui-bundle.js");
const CSS: &[u8] = include_bytes!("../reference/swagger-ui.css");

/// (path, content type, body) of every file served.
fn files() -> Vec<(&'static str, &'static str, &'static [u8])> {
    let yaml = "application/yaml";
    let json = "application/json;charset=UTF-8";
    let html = "text/html; charset=utf-8";
    let js = "text/javascript; charset=utf-8";
    let text = "text/plain; charset=utf-8";
    vec![
        ("/openapi.yaml", yaml, OPENAPI_YAML.as_bytes()),
        ("/reference/openapi.yaml", yaml, OPENAPI_YAML.as_bytes()),
        ("/openapi.json", json, OPENAPI_JSON.as_bytes()),
        ("/reference/openapi.json", json, OPENAPI_JSON.as_bytes()),
        ("/reference/", html, INDEX_HTML.as_bytes()),
        ("/reference/index.html", html, INDEX_HTML.as_bytes()),
        ("/reference/reference.js", js, REFERENCE_JS.as_bytes()),
        ("/reference/swagger-ui-bundle.js", js, BUNDLE),
        ("/reference/swagger-ui.css", "text/css; charset=utf-8", CSS),
        (
            "/reference/LICENSE",
            text,
            include_bytes!("../reference/LICENSE"),
        ),
        (
            "/reference/NOTICE",
            text,
            include_bytes!("../reference/NOTICE"),
        ),
        (
            "/reference/swagger-ui-bundle.js.LICENSE.txt",
            text,
            include_bytes!("../reference/swagger-ui-bundle.js.LICENSE.txt"),
        ),
    ]
}

/// A request without credentials; redirects are not followed.
async fn raw_get(
    emu: &RunningEmulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    });
    let mut rb = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", emu.url()),
    );
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    rb.send().await.expect("send")
}

fn header(h: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn every_file_is_served_without_credentials_with_its_type() {
    let emu = start().await;
    for (path, ct, body) in files() {
        let r = raw_get(&emu, "GET", path, &[]).await;
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers().clone();
        assert_eq!(header(&h, CONTENT_TYPE), ct, "{path}");
        assert_eq!(header(&h, CACHE_CONTROL), "no-cache", "{path}");
        assert_eq!(header(&h, "x-content-type-options"), "nosniff", "{path}");
        assert!(header(&h, ETAG).starts_with('"'), "{path}: {h:?}");
        assert_eq!(header(&h, "x-request-id").len(), 32, "{path}");
        assert_eq!(&r.bytes().await.unwrap()[..], body, "{path}");
    }
    // No entry in the journal, whatever was fetched.
    assert!(emu.journal().is_empty(), "{:?}", emu.journal());
    emu.shutdown().await;
}

#[tokio::test]
async fn the_json_is_the_yaml() {
    let emu = start().await;
    let yaml = raw_get(&emu, "GET", "/openapi.yaml", &[])
        .await
        .text()
        .await
        .unwrap();
    let json = raw_get(&emu, "GET", "/openapi.json", &[])
        .await
        .text()
        .await
        .unwrap();
    let from_yaml: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
    let from_yaml = serde_json::to_value(from_yaml).unwrap();
    let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(from_json, from_yaml);
    assert_eq!(from_json["info"]["license"]["name"], "Apache-2.0");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_page_loads_only_relative_assets_and_shows_everything() {
    let emu = start().await;
    let r = raw_get(&emu, "GET", "/reference/", &[]).await;
    let csp = header(r.headers(), "content-security-policy").to_string();
    let html = r.text().await.unwrap();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    let mut refs = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            refs.push(rest[..rest.find('"').unwrap()].to_string());
        }
    }
    for needed in ["swagger-ui.css", "swagger-ui-bundle.js", "reference.js"] {
        assert!(refs.iter().any(|r| r == needed), "{needed} not in {refs:?}");
    }
    // The empty `data:` icon keeps the browser from asking for /favicon.ico.
    assert!(refs.iter().any(|r| r == "data:,"), "{refs:?}");
    for r in refs.iter().filter(|r| *r != "data:,") {
        assert!(
            !r.contains(':') && !r.starts_with('/') && !r.starts_with('.'),
            "not a relative asset: {r}"
        );
        let served = raw_get(&emu, "GET", &format!("/reference/{r}"), &[]).await;
        assert_eq!(served.status(), 200, "{r}");
    }
    assert!(!html.contains("://"), "the page names another host");
    // The settings that show every operation expanded, with ids, and nothing to send.
    let js = raw_get(&emu, "GET", "/reference/reference.js", &[])
        .await
        .text()
        .await
        .unwrap();
    for setting in [
        "url = \"openapi.yaml\"",
        "docExpansion: \"full\"",
        "displayOperationId: true",
        "deepLinking: true",
        "validatorUrl: null",
        "supportedSubmitMethods: []",
    ] {
        assert!(js.contains(setting), "{setting} missing from reference.js");
    }
    assert!(!js.contains("://"), "reference.js names another host");
    emu.shutdown().await;
}

/// Swagger UI shows what the description holds: each operation's request and 200 examples.
#[test]
fn the_description_has_the_examples_the_page_shows() {
    let spec: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(id) = op.get("operationId") else {
                continue;
            };
            operations += 1;
            if let Some(body) = op.get("requestBody") {
                let example = &body["content"]["application/json;charset=UTF-8"]["example"];
                assert!(
                    example.is_object(),
                    "{id} ({method} {path}): no request example"
                );
            }
            if let Some(content) = op["responses"]["200"].get("content") {
                let example = &content["application/json;charset=UTF-8"]["example"];
                assert!(example.is_object(), "{id}: no 200 example");
            }
        }
    }
    assert_eq!(operations, 7);
}

#[tokio::test]
async fn reference_without_slash_redirects() {
    let emu = start().await;
    let r = raw_get(&emu, "GET", "/reference", &[]).await;
    assert_eq!(r.status(), 308);
    assert_eq!(header(r.headers(), LOCATION), "/reference/");
    emu.shutdown().await;
}

#[tokio::test]
async fn head_has_the_headers_and_no_body() {
    let emu = start().await;
    let r = raw_get(&emu, "HEAD", "/reference/swagger-ui-bundle.js", &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(r.headers(), "content-length"),
        BUNDLE.len().to_string()
    );
    assert_eq!(
        header(r.headers(), CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert!(r.bytes().await.unwrap().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn other_methods_get_405_and_unknown_files_404_in_the_usual_shape() {
    let emu = start().await;
    for (method, path) in [
        ("POST", "/openapi.yaml"),
        ("PUT", "/openapi.json"),
        ("DELETE", "/reference/"),
        ("POST", "/reference"),
    ] {
        let r = read(raw_get(&emu, method, path, &[]).await).await;
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.code(), "APIGW.0101");
        assert_eq!(header(&r.headers, "allow"), "GET, HEAD");
        assert!(r.json()["error_msg"].as_str().unwrap().contains(path));
    }
    let r = read(raw_get(&emu, "GET", "/reference/swagger-ui-bundle.js.map", &[]).await).await;
    assert_eq!((r.status, r.code().as_str()), (404, "APIGW.0101"));
    assert!(emu.journal().is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_matching_etag_gets_304() {
    let emu = start().await;
    let r = raw_get(&emu, "GET", "/openapi.yaml", &[]).await;
    let etag = header(r.headers(), ETAG).to_string();
    let again = raw_get(&emu, "GET", "/openapi.yaml", &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(header(again.headers(), ETAG), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = raw_get(&emu, "GET", "/openapi.json", &[("If-None-Match", &etag)]).await;
    assert_eq!(
        other.status(),
        200,
        "the YAML's tag must not match the JSON"
    );
    emu.shutdown().await;
}

/// The admin guard protects state, not public documents: any `Host` gets them, and a tight
/// rate limit never applies.
#[tokio::test]
async fn any_host_and_no_rate_limit() {
    let emu = builder()
        .rate_limits(RateLimits {
            per_user: Some(1),
            per_api: Some(1),
        })
        .start()
        .await
        .unwrap();
    for _ in 0..5 {
        let r = raw_get(&emu, "GET", "/openapi.yaml", &[("Host", "docs.example")]).await;
        assert_eq!(r.status(), 200);
    }
    let admin = client()
        .get(format!("{}/_emulator/health", emu.url()))
        .header("Host", "docs.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin.status(),
        403,
        "the admin guard still refuses that host"
    );
    emu.shutdown().await;
}
