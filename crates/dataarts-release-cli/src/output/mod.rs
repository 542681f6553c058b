//! What commands print: the JSON documents (serde structs whose JSON Schema `schema` prints)
//! and aligned text tables for people.

use std::io::{self, Write};
use std::time::{Duration, UNIX_EPOCH};

use dataarts_release::{DeployStatus, EpochMillis, ReleaseState};
use schemars::JsonSchema;
use serde::Serialize;

use crate::exit::{one_line, Rendered};

mod auth;
mod documents;
pub mod schema;
mod table;

pub use auth::*;
pub use documents::*;
pub use table::{fields, or_dash, Table};

/// Version of the JSON documents' schema: bumped on incompatible changes only (a field removed,
/// renamed or retyped, a value's meaning changed); adding a field or a value does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes `value` as one pretty-printed JSON document and a newline.
pub fn write_json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// An error as JSON (`"error"` of every document).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Error")]
pub struct ErrorJson {
    /// The service's error code (e.g. `DLF.0810`, `APIGW.0301`); null when the error did not
    /// come from the service (bad input, network, timeout).
    pub code: Option<String>,
    /// What went wrong, on one line.
    pub message: String,
    /// The service's request id (quote it to Huawei support); null when it did not answer.
    pub request_id: Option<String>,
    /// What to do about it; null when there is nothing more to say.
    pub hint: Option<String>,
    /// The exit code this error leads to: 1 refused or failed, 2 usage or invalid input
    /// (nothing was sent), 3 authentication or permission, 4 timed out while waiting,
    /// 5 network or transport failure, 6 local I/O failure (output, report or in-process
    /// emulator), 130 interrupted (SIGINT), 143 terminated (SIGTERM).
    pub exit_code: u8,
}

impl ErrorJson {
    /// From a rendered error and its exit code.
    pub fn new(r: Rendered, exit_code: u8) -> Self {
        Self {
            code: r.code,
            message: one_line(&r.message),
            request_id: r.request_id,
            hint: r.hint,
            exit_code,
        }
    }
}

/// What a command prints with `--output json` when it fails before it has a document of its
/// own to print (bad input, authentication, network, not found, ...). The exit code is
/// `error.exit_code`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Failure")]
pub struct FailureJson {
    /// Version of this document's schema (bumped on incompatible changes only).
    pub schema_version: u32,
    /// The command that failed, as the user types it (e.g. `packages show`).
    pub command: &'static str,
    /// Why it failed.
    pub error: ErrorJson,
}

/// An RFC 3339 UTC time (seconds precision) from epoch milliseconds.
pub fn time(t: Option<EpochMillis>) -> Option<String> {
    let ms = u64::try_from(t?.millis()).ok()?;
    let st = UNIX_EPOCH.checked_add(Duration::from_millis(ms))?;
    Some(humantime::format_rfc3339_seconds(st).to_string())
}

/// The stable name of a package status.
pub fn status_name(s: Option<DeployStatus>) -> &'static str {
    s.map_or("unknown", |s| ReleaseState::of(s, false).key())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(
            time(Some(EpochMillis(1_747_106_460_000))).as_deref(),
            Some("2025-05-13T03:21:00Z")
        );
        assert_eq!(time(Some(EpochMillis(-5))), None);
    }
}
