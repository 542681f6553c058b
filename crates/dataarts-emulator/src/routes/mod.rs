//! Routing: which of the seven operations a method and path address.

mod body;
pub(crate) mod ops;

use http::Method;

/// The seven operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Operation {
    Deploy,
    ListPackages,
    ShowPackage,
    Cancel,
    ListPending,
    CreatePackage,
    SystemTask,
}

impl Operation {
    /// The operationId of `openapi/deploy.yaml`.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Operation::Deploy => "deploy_factory_packages",
            Operation::ListPackages => "list_factory_release_packages",
            Operation::ShowPackage => "show_factory_package_detail",
            Operation::Cancel => "cancel_factory_packages",
            Operation::ListPending => "list_factory_pending_items",
            Operation::CreatePackage => "create_factory_pending_items_package",
            Operation::SystemTask => "list_system_tasks",
        }
    }

    /// Whether the operation takes a JSON body.
    pub(crate) fn has_body(self) -> bool {
        matches!(
            self,
            Operation::Deploy
                | Operation::ListPackages
                | Operation::Cancel
                | Operation::CreatePackage
        )
    }
}

/// A matched operation and its path parameters (percent-decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub op: Operation,
    pub project: String,
    /// `package_id` (op 3) or `task_id` (op 7).
    pub id: Option<String>,
}

/// The outcome of routing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RouteMatch {
    Found(Route),
    /// The path exists, with another method.
    WrongMethod(&'static str),
    NotFound,
}

/// Matches a request. A single trailing `/` is ignored.
pub(crate) fn route(method: &Method, path: &str) -> RouteMatch {
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut segs = path.split('/');
    if segs.next() != Some("") {
        return RouteMatch::NotFound;
    }
    let segs: Vec<&str> = segs.collect();
    let (found, allowed) = match segs.as_slice() {
        ["v2", p, "factory", "release-packages", "deploy"] if method == Method::POST => {
            (Some((Operation::Deploy, p, None)), "")
        }
        ["v2", p, "factory", "release-packages", "unpack"] if method == Method::POST => {
            (Some((Operation::Cancel, p, None)), "")
        }
        ["v2", _, "factory", "release-packages", "deploy" | "unpack"] => (None, "POST"),
        ["v2", p, "factory", "release-packages", id] if method == Method::GET => {
            (Some((Operation::ShowPackage, p, Some(*id))), "")
        }
        ["v2", _, "factory", "release-packages", _] => (None, "GET"),
        ["v2", p, "factory", "release-packages"] if method == Method::POST => {
            (Some((Operation::ListPackages, p, None)), "")
        }
        ["v2", _, "factory", "release-packages"] => (None, "POST"),
        ["v2", p, "factory", "pending-items"] if method == Method::GET => {
            (Some((Operation::ListPending, p, None)), "")
        }
        ["v2", _, "factory", "pending-items"] => (None, "GET"),
        ["v2", p, "factory", "pending-items", "package"] if method == Method::POST => {
            (Some((Operation::CreatePackage, p, None)), "")
        }
        ["v2", _, "factory", "pending-items", "package"] => (None, "POST"),
        ["v1", p, "system-tasks" | "systemTasks", id] if method == Method::GET => {
            (Some((Operation::SystemTask, p, Some(*id))), "")
        }
        ["v1", _, "system-tasks" | "systemTasks", _] => (None, "GET"),
        _ => return RouteMatch::NotFound,
    };
    match found {
        Some((op, p, id)) => {
            let project = percent_decode(p);
            let id = id.map(percent_decode);
            if project.is_empty() || id.as_deref() == Some("") {
                return RouteMatch::NotFound;
            }
            RouteMatch::Found(Route { op, project, id })
        }
        None => RouteMatch::WrongMethod(allowed),
    }
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
    fn every_operation() {
        let r = found(
            &Method::POST,
            &format!("/v2/{P}/factory/release-packages/deploy"),
        );
        assert_eq!((r.op, r.project.as_str()), (Operation::Deploy, P));
        assert_eq!(
            found(&Method::POST, &format!("/v2/{P}/factory/release-packages")).op,
            Operation::ListPackages
        );
        let r = found(
            &Method::GET,
            &format!("/v2/{P}/factory/release-packages/23"),
        );
        assert_eq!(
            (r.op, r.id.as_deref()),
            (Operation::ShowPackage, Some("23"))
        );
        assert_eq!(
            found(
                &Method::POST,
                &format!("/v2/{P}/factory/release-packages/unpack/")
            )
            .op,
            Operation::Cancel
        );
        assert_eq!(
            found(&Method::GET, &format!("/v2/{P}/factory/pending-items")).op,
            Operation::ListPending
        );
        assert_eq!(
            found(
                &Method::POST,
                &format!("/v2/{P}/factory/pending-items/package")
            )
            .op,
            Operation::CreatePackage
        );
        for alias in ["system-tasks", "systemTasks"] {
            let r = found(&Method::GET, &format!("/v1/{P}/{alias}/abc%20d"));
            assert_eq!(
                (r.op, r.id.as_deref()),
                (Operation::SystemTask, Some("abc d"))
            );
        }
    }

    #[test]
    fn wrong_method_and_unknown() {
        assert_eq!(
            route(
                &Method::GET,
                &format!("/v2/{P}/factory/release-packages/deploy")
            ),
            RouteMatch::WrongMethod("POST")
        );
        assert_eq!(
            route(
                &Method::DELETE,
                &format!("/v2/{P}/factory/release-packages/23")
            ),
            RouteMatch::WrongMethod("GET")
        );
        assert_eq!(route(&Method::GET, "/v3/x"), RouteMatch::NotFound);
        assert_eq!(route(&Method::GET, ""), RouteMatch::NotFound);
        assert_eq!(
            route(&Method::GET, "/v1//system-tasks/x"),
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
