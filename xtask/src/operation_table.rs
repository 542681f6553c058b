//! Generates `operations.rs`, the one table of operation facts, from the spec.
//!
//! Each operation declares `x-retry` (what a client may do after an ambiguous failure); its
//! host is the first DNS label of the server it is served from (operation, path or document
//! `servers`, the most specific first). The table is what the wrapper's retry classifier, its
//! messages, the CLI and the emulator's router and journal use instead of operationId strings.

use std::fmt::Write as _;

use anyhow::{bail, Context};
use openapiv3::{OpenAPI, Operation as SpecOperation, ReferenceOr, Server};

/// The generated file, relative to the workspace root.
pub const OPERATIONS_PATH: &str = "crates/dataarts-release-raw/src/operations.rs";

/// The vendor extension that carries an operation's retry class.
pub const RETRY_EXTENSION: &str = "x-retry";

/// The retry classes `x-retry` may name, with the variant and documentation of each.
const RETRY_CLASSES: [(&str, &str, &str); 3] = [
    (
        "read",
        "Read",
        "Changes nothing: safe to send again after any failure.",
    ),
    (
        "write-reconcile",
        "WriteReconcile",
        "Changes state, and the state can be read back: after an ambiguous failure, read it and re-send only what did not take effect.",
    ),
    (
        "write",
        "Write",
        "Changes state that cannot be read back reliably: re-sent only when it provably did not reach the service.",
    ),
];

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The spec's operationId.
    pub id: String,
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path template, e.g. `/v2/{project_id}/factory/release-packages/deploy`.
    pub path: String,
    /// One of the `RETRY_CLASSES` names.
    pub retry: String,
    /// The host's first DNS label, e.g. `dayu`.
    pub host: String,
    /// Whether the operation declares a request body.
    pub has_body: bool,
    /// The operation's summary.
    pub summary: String,
}

/// Reads the table out of a parsed spec, in document order.
pub fn rows(spec: &OpenAPI) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            bail!("path {path} is a $ref; the operation table needs inline path items");
        };
        let methods: [(&'static str, &Option<SpecOperation>); 8] = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("OPTIONS", &item.options),
            ("HEAD", &item.head),
            ("PATCH", &item.patch),
            ("TRACE", &item.trace),
        ];
        for (method, op) in methods {
            let Some(op) = op else { continue };
            let id = op
                .operation_id
                .clone()
                .with_context(|| format!("{method} {path} has no operationId"))?;
            let retry = op
                .extensions
                .get(RETRY_EXTENSION)
                .and_then(|v| v.as_str())
                .with_context(|| {
                    format!(
                        "{id} has no `{RETRY_EXTENSION}` (one of {})",
                        retry_names().join(", ")
                    )
                })?
                .to_owned();
            if !RETRY_CLASSES.iter().any(|(name, _, _)| *name == retry) {
                bail!(
                    "{id}: `{RETRY_EXTENSION}: {retry}` is not one of {}",
                    retry_names().join(", ")
                );
            }
            let servers = [&op.servers, &item.servers, &spec.servers]
                .into_iter()
                .find(|s| !s.is_empty())
                .with_context(|| format!("{id} has no server (operation, path or document)"))?;
            rows.push(Row {
                host: host_label(&servers[0]).with_context(|| format!("{id}'s server"))?,
                id,
                method,
                path: path.clone(),
                retry,
                has_body: op.request_body.is_some(),
                summary: op.summary.clone().unwrap_or_default(),
            });
        }
    }
    if rows.is_empty() {
        bail!("the spec declares no operations");
    }
    Ok(rows)
}

fn retry_names() -> Vec<&'static str> {
    RETRY_CLASSES.iter().map(|(name, _, _)| *name).collect()
}

/// `https://dayu-dlf.{region}.myhuaweicloud.com` -> `dayu-dlf`.
fn host_label(server: &Server) -> anyhow::Result<String> {
    let rest = server
        .url
        .split_once("://")
        .map(|(_, rest)| rest)
        .with_context(|| format!("{} has no scheme", server.url))?;
    let label = rest.split(['.', '/', ':']).next().unwrap_or_default();
    if label.is_empty()
        || !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        bail!("cannot take a host label from {}", server.url);
    }
    Ok(label.to_owned())
}

/// `deploy_factory_packages` -> `DeployFactoryPackages`; `dayu-dlf` -> `DayuDlf`.
fn camel(name: &str) -> String {
    name.split(['_', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The unformatted source of `operations.rs` (the caller runs rustfmt).
pub fn source(rows: &[Row]) -> String {
    let mut hosts: Vec<&str> = rows.iter().map(|r| r.host.as_str()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    let mut s = String::new();
    s.push_str(
        "//! The operations of `openapi/deploy.yaml` and what a client may do with each.\n\n",
    );
    s.push_str("/// What a client may do after an ambiguous failure (the spec's `x-retry`).\n");
    s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum RetryClass {\n");
    for (name, variant, doc) in RETRY_CLASSES {
        let _ = writeln!(s, "/// `{name}`: {doc}\n{variant},");
    }
    s.push_str("}\n\n");
    s.push_str(
        "/// The API host an operation is served from (the first label of its server URL).\n",
    );
    s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Host {\n");
    for host in &hosts {
        let _ = writeln!(s, "/// `{host}.{{region}}`.\n{},", camel(host));
    }
    s.push_str("}\n\nimpl Host {\n/// The first DNS label, e.g. `");
    s.push_str(hosts[0]);
    s.push_str("`.\npub const fn label(self) -> &'static str {\nmatch self {\n");
    for host in &hosts {
        let _ = writeln!(s, "Self::{} => {host:?},", camel(host));
    }
    s.push_str("}\n}\n}\n\n");

    s.push_str("/// An operation of the spec.\n");
    s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum Operation {\n");
    for r in rows {
        let _ = writeln!(
            s,
            "/// {} (`{} {}`).\n{},",
            r.summary,
            r.method,
            r.path,
            camel(&r.id)
        );
    }
    s.push_str("}\n\nimpl Operation {\n");
    let _ = writeln!(
        s,
        "/// Every operation, in the spec's order.\npub const ALL: [Operation; {}] = [{}];\n",
        rows.len(),
        rows.iter()
            .map(|r| format!("Self::{}", camel(&r.id)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut getter = |doc: &str, name: &str, ty: &str, value: &dyn Fn(&Row) -> String| {
        let _ = writeln!(
            s,
            "/// {doc}\npub const fn {name}(self) -> {ty} {{\nmatch self {{"
        );
        for r in rows {
            let _ = writeln!(s, "Self::{} => {},", camel(&r.id), value(r));
        }
        s.push_str("}\n}\n\n");
    };
    getter("The operationId.", "id", "&'static str", &|r| {
        format!("{:?}", r.id)
    });
    getter("The HTTP method.", "method", "&'static str", &|r| {
        format!("{:?}", r.method)
    });
    getter(
        "The path template, with `{project_id}`-style parameters.",
        "path",
        "&'static str",
        &|r| format!("{:?}", r.path),
    );
    getter(
        "What a client may do after an ambiguous failure.",
        "retry",
        "RetryClass",
        &|r| {
            let variant = RETRY_CLASSES
                .iter()
                .find(|(name, _, _)| *name == r.retry)
                .map(|(_, variant, _)| *variant)
                .unwrap_or("Write");
            format!("RetryClass::{variant}")
        },
    );
    getter("The API host it is served from.", "host", "Host", &|r| {
        format!("Host::{}", camel(&r.host))
    });
    getter(
        "Whether it takes a request body.",
        "has_body",
        "bool",
        &|r| r.has_body.to_string(),
    );
    getter(
        "The spec's one-line summary.",
        "summary",
        "&'static str",
        &|r| format!("{:?}", r.summary),
    );
    s.push_str(
        "/// The operation with this operationId.\npub fn from_id(id: &str) -> Option<Self> {\n\
         Self::ALL.into_iter().find(|op| op.id() == id)\n}\n}\n\n",
    );
    s.push_str(
        "impl std::fmt::Display for Operation {\n\
         fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n\
         f.write_str(self.id())\n}\n}\n\n",
    );
    s.push_str(
        "impl serde::Serialize for Operation {\n\
         fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n\
         serializer.serialize_str(self.id())\n}\n}\n\n",
    );
    s.push_str(
        "impl<'de> serde::Deserialize<'de> for Operation {\n\
         fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n\
         let id = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;\n\
         Self::from_id(&id).ok_or_else(|| serde::de::Error::custom(format_args!(\"unknown operation {id:?}\")))\n}\n}\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(ops: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: 'https://dayu.{{region}}.example.com'}}]\npaths:\n{ops}"
        );
        serde_yaml::from_str(&text).unwrap()
    }

    #[test]
    fn reads_retry_class_and_the_most_specific_host() {
        let rows = rows(&spec(
            "  /a:\n    get: {operationId: read_a, x-retry: read, responses: {}}\n  /b:\n    servers: [{url: 'https://dayu-dlf.{region}.example.com'}]\n    post: {operationId: write_b, x-retry: write-reconcile, responses: {}}\n",
        ))
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].retry.as_str(), rows[0].host.as_str()),
            ("read", "dayu")
        );
        assert_eq!(
            (
                rows[1].retry.as_str(),
                rows[1].host.as_str(),
                rows[1].method
            ),
            ("write-reconcile", "dayu-dlf", "POST")
        );
    }

    #[test]
    fn a_missing_or_unknown_retry_class_is_an_error_naming_the_operation() {
        let missing = rows(&spec(
            "  /a:\n    get: {operationId: read_a, responses: {}}\n",
        ));
        let message = format!("{:#}", missing.unwrap_err());
        assert!(
            message.contains("read_a") && message.contains("x-retry"),
            "{message}"
        );
        let unknown = rows(&spec(
            "  /a:\n    get: {operationId: read_a, x-retry: maybe, responses: {}}\n",
        ));
        let message = format!("{:#}", unknown.unwrap_err());
        assert!(
            message.contains("maybe") && message.contains("write-reconcile"),
            "{message}"
        );
    }

    #[test]
    fn names_become_variants() {
        assert_eq!(camel("deploy_factory_packages"), "DeployFactoryPackages");
        assert_eq!(camel("dayu-dlf"), "DayuDlf");
    }
}
