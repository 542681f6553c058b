//! The text pieces `Error`'s messages are built from: durations and the hints that say what
//! to do.

use std::time::Duration;

use dataarts_release_raw::{Operation, RetryClass};

use super::ServiceError;

/// True for operations that change state.
pub(crate) fn is_write(operation: Operation) -> bool {
    operation.retry() != RetryClass::Read
}

pub(super) fn after_text(after: Option<Duration>) -> String {
    after.map(|d| format!(" after {d:?}")).unwrap_or_default()
}

pub(super) fn retry_after_text(after: Option<Duration>) -> String {
    after
        .map(|d| format!(" (server asks to wait {d:?})"))
        .unwrap_or_default()
}

pub(super) fn service_hint(e: &ServiceError) -> &'static str {
    match e.status {
        500..=599 => ": the service failed; retry later (reads are retried automatically)",
        300..=399 => ": redirects are not followed; check the endpoint URL",
        _ => "",
    }
}

pub(super) fn auth_hint(e: &ServiceError) -> &'static str {
    let m = e.message.to_ascii_lowercase();
    if e.status == 403 {
        ": the IAM user is not allowed to call this API or project; check its permissions and the project id"
    } else if m.contains("expired") {
        ": the request signature expired; check that this machine's clock is synchronised \
         (signatures are valid for 15 minutes)"
    } else if m.contains("not exist") {
        ": the access key is unknown; check HUAWEICLOUD_SDK_AK, the region and the cloud"
    } else if m.contains("token") {
        ": the IAM token was rejected; get a fresh project-scoped token (they last 24 hours)"
    } else {
        ": check the access key and secret key (or token) and the project id"
    }
}
