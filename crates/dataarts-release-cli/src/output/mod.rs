//! What commands print: the JSON schema (serde structs, documented in the README) and
//! aligned text tables for people.

use std::io::{self, Write};
use std::time::{Duration, UNIX_EPOCH};

use dataarts_release::{DeployStatus, EpochMillis, ReleaseState};
use serde::Serialize;

use crate::exit::{one_line, Rendered};

mod documents;
mod table;

pub use documents::*;
pub use table::{fields, or_dash, Table};

/// Version of the JSON schema; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes `value` as one pretty-printed JSON document and a newline.
pub fn write_json<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// An error as JSON (`"error"` of every document).
#[derive(Debug, Serialize)]
pub struct ErrorJson {
    /// The service's error code, when it answered.
    pub code: Option<String>,
    /// What went wrong.
    pub message: String,
    /// The request id, when the service answered.
    pub request_id: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
    /// The exit code the command ends with.
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

/// The document printed for a failed command in JSON mode.
#[derive(Debug, Serialize)]
pub struct FailureJson {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The command, e.g. `packages show`.
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
