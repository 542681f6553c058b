//! Which operation a method and path address, matched against the path templates of the
//! operation table (generated from the spec), so the router cannot drift from the spec.

use std::sync::LazyLock;

use dataarts_release_raw::Operation;
use http::Method;

/// Other spellings the service accepts for a literal path segment: (template segment,
/// alias). The system-task query also answers under `systemTasks`.
const ALIASES: &[(&str, &str)] = &[("system-tasks", "systemTasks")];

/// A matched operation and its path parameters (percent-decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub op: Operation,
    pub project: String,
    /// The second path parameter: `package_id` (show a package) or `task_id` (system task).
    pub id: Option<String>,
}

/// The outcome of routing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RouteMatch {
    Found(Route),
    /// The path exists, with other methods (for `Allow`, comma-separated).
    WrongMethod(String),
    NotFound,
}

/// One segment of a path template.
#[derive(Debug)]
enum Seg {
    Literal(&'static str),
    Param,
}

/// An operation's path template, split into segments.
#[derive(Debug)]
struct Template {
    op: Operation,
    segs: Vec<Seg>,
    /// How many segments are literal: the more, the more specific.
    literals: usize,
}

impl Template {
    fn new(op: Operation) -> Self {
        let segs: Vec<Seg> = op
            .path()
            .split('/')
            .skip(1)
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    Seg::Param
                } else {
                    Seg::Literal(s)
                }
            })
            .collect();
        let literals = segs.iter().filter(|s| matches!(s, Seg::Literal(_))).count();
        Self { op, segs, literals }
    }

    /// The raw parameter values, when the path has this template's shape.
    fn matches<'p>(&self, segs: &[&'p str]) -> Option<Vec<&'p str>> {
        if segs.len() != self.segs.len() {
            return None;
        }
        let mut params = Vec::new();
        for (t, s) in self.segs.iter().zip(segs) {
            match t {
                Seg::Param => params.push(*s),
                Seg::Literal(l) if literal_matches(l, s) => {}
                Seg::Literal(_) => return None,
            }
        }
        Some(params)
    }
}

fn literal_matches(literal: &str, seg: &str) -> bool {
    literal == seg || ALIASES.contains(&(literal, seg))
}

static TEMPLATES: LazyLock<Vec<Template>> =
    LazyLock::new(|| Operation::ALL.into_iter().map(Template::new).collect());

/// Matches a request. A single trailing `/` is ignored. When templates of different
/// specificity match (`.../release-packages/deploy` also has the shape of
/// `.../release-packages/{package_id}`), only the most specific ones count, so a wrong method
/// on a literal path is a 405, not another operation.
pub(crate) fn route(method: &Method, path: &str) -> RouteMatch {
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut segs = path.split('/');
    if segs.next() != Some("") {
        return RouteMatch::NotFound;
    }
    let segs: Vec<&str> = segs.collect();
    let candidates: Vec<(&Template, Vec<&str>)> = TEMPLATES
        .iter()
        .filter_map(|t| t.matches(&segs).map(|p| (t, p)))
        .collect();
    let Some(best) = candidates.iter().map(|(t, _)| t.literals).max() else {
        return RouteMatch::NotFound;
    };
    let candidates: Vec<_> = candidates
        .into_iter()
        .filter(|(t, _)| t.literals == best)
        .collect();
    let Some((t, params)) = candidates
        .iter()
        .find(|(t, _)| t.op.method() == method.as_str())
    else {
        let mut allowed: Vec<&str> = candidates.iter().map(|(t, _)| t.op.method()).collect();
        allowed.sort_unstable();
        allowed.dedup();
        return RouteMatch::WrongMethod(allowed.join(", "));
    };
    let mut params = params.iter().map(|p| percent_decode(p));
    let project = params.next().unwrap_or_default();
    let id = params.next();
    if project.is_empty() || id.as_deref() == Some("") {
        return RouteMatch::NotFound;
    }
    RouteMatch::Found(Route {
        op: t.op,
        project,
        id,
    })
}

/// Plain percent-decoding (`+` stays `+`, malformed escapes are kept); invalid UTF-8 is
/// replaced.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "b384b9e9ab9b4ee8994c8633aabc9505";

    fn found(m: &Method, path: &str) -> Route {
        match route(m, path) {
            RouteMatch::Found(r) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn every_operation_of_the_table_is_routed_from_its_template() {
        for op in Operation::ALL {
            let path = op
                .path()
                .replace("{project_id}", P)
                .replace("{package_id}", "23")
                .replace("{task_id}", "t1");
            let m = Method::from_bytes(op.method().as_bytes()).unwrap();
            assert_eq!(found(&m, &path).op, op, "{path}");
        }
    }

    #[test]
    fn every_operation() {
        let r = found(
            &Method::POST,
            &format!("/v2/{P}/factory/release-packages/deploy"),
        );
        assert_eq!(
            (r.op, r.project.as_str()),
            (Operation::DeployFactoryPackages, P)
        );
        assert_eq!(
            found(&Method::POST, &format!("/v2/{P}/factory/release-packages")).op,
            Operation::ListFactoryReleasePackages
        );
        let r = found(
            &Method::GET,
            &format!("/v2/{P}/factory/release-packages/23"),
        );
        assert_eq!(
            (r.op, r.id.as_deref()),
            (Operation::ShowFactoryPackageDetail, Some("23"))
        );
        assert_eq!(
            found(
                &Method::POST,
                &format!("/v2/{P}/factory/release-packages/unpack/")
            )
            .op,
            Operation::CancelFactoryPackages
        );
        assert_eq!(
            found(&Method::GET, &format!("/v2/{P}/factory/pending-items")).op,
            Operation::ListFactoryPendingItems
        );
        assert_eq!(
            found(
                &Method::POST,
                &format!("/v2/{P}/factory/pending-items/package")
            )
            .op,
            Operation::CreateFactoryPendingItemsPackage
        );
        for alias in ["system-tasks", "systemTasks"] {
            let r = found(&Method::GET, &format!("/v1/{P}/{alias}/abc%20d"));
            assert_eq!(
                (r.op, r.id.as_deref()),
                (Operation::ListSystemTasks, Some("abc d"))
            );
        }
    }

    #[test]
    fn wrong_method_and_unknown() {
        let wrong = |m: &str| RouteMatch::WrongMethod(m.to_string());
        assert_eq!(
            route(
                &Method::GET,
                &format!("/v2/{P}/factory/release-packages/deploy")
            ),
            wrong("POST")
        );
        assert_eq!(
            route(
                &Method::DELETE,
                &format!("/v2/{P}/factory/release-packages/23")
            ),
            wrong("GET")
        );
        assert_eq!(
            route(&Method::POST, &format!("/v1/{P}/systemTasks/x")),
            wrong("GET")
        );
        assert_eq!(
            route(&Method::GET, &format!("/v2/{P}/factory/release-packages")),
            wrong("POST")
        );
        assert_eq!(
            route(&Method::GET, "/v2//factory/release-packages/deploy"),
            wrong("POST")
        );
        assert_eq!(route(&Method::GET, "/v3/x"), RouteMatch::NotFound);
        assert_eq!(route(&Method::GET, ""), RouteMatch::NotFound);
        assert_eq!(route(&Method::GET, "/"), RouteMatch::NotFound);
        assert_eq!(
            route(&Method::GET, "/v1//system-tasks/x"),
            RouteMatch::NotFound
        );
        assert_eq!(
            route(&Method::GET, &format!("/v2/{P}/factory/release-packages//")),
            RouteMatch::NotFound
        );
        assert_eq!(
            route(&Method::GET, &format!("/v1/{P}/system_tasks/x")),
            RouteMatch::NotFound
        );
    }

    #[test]
    fn decoding_never_panics() {
        assert_eq!(percent_decode("a%2Fb"), "a/b");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }
}
