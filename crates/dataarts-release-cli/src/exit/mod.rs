//! Exit codes, the CLI's error type, and how errors are shown: one `error:` line and an
//! optional `hint:` line on stderr, never a debug dump.
//!
//! The exit code and the hint are chosen from the wrapper's error kinds and typed details
//! ([`ErrorKind`], `Setting`, `Origin`, `Input`...), never from message text.

use std::fmt::Write as _;
use std::process::ExitCode;

use dataarts_release::{CredentialProblem, Error as ApiError, ErrorKind};

mod credentials;
mod render;

pub use render::configured_by;
use render::render_api;

/// The documented exit codes (also in `--help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Success = 0,
    /// 1: the service refused the request, or a release ended FAILED.
    Refused = 1,
    /// 2: usage or invalid input; nothing was sent.
    Usage = 2,
    /// 3: authentication or permission.
    Auth = 3,
    /// 4: timed out while waiting.
    WaitTimeout = 4,
    /// 5: network or transport failure.
    Network = 5,
    /// 6: a local I/O failure: the output or a report could not be written, or the
    /// in-process emulator could not start.
    Local = 6,
    /// 130: interrupted by SIGINT (Ctrl-C).
    Interrupted = 130,
    /// 143: terminated by SIGTERM.
    Terminated = 143,
}

impl Exit {
    /// Every exit code, in order.
    pub const ALL: [Exit; 9] = [
        Exit::Success,
        Exit::Refused,
        Exit::Usage,
        Exit::Auth,
        Exit::WaitTimeout,
        Exit::Network,
        Exit::Local,
        Exit::Interrupted,
        Exit::Terminated,
    ];

    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

/// Every way a command can fail.
#[derive(Debug)]
pub enum CliError {
    /// The wrapper crate failed.
    Api(ApiError),
    /// Input the CLI itself rejected before sending anything.
    Input {
        /// What is wrong.
        message: String,
        /// What to do instead, when useful.
        hint: Option<String>,
    },
    /// Some releases ended FAILED, or some packages were not released (already reported).
    Releases {
        /// The summary line.
        message: String,
        /// The exit code (1 for FAILED releases and refusals, or the worst cause).
        exit: Exit,
        /// A hint line.
        hint: Option<String>,
    },
    /// A wait stopped by SIGINT or SIGTERM before it had a document to print.
    Interrupted {
        /// What was interrupted, and how far it got.
        message: String,
        /// 130 (SIGINT) or 143 (SIGTERM).
        exit: Exit,
        /// How to resume.
        hint: Option<String>,
    },
    /// A local I/O failure (writing the output or a report, starting the in-process emulator
    /// or the runtime): exit 6. The message says what could not be written and what had
    /// already been sent.
    Local(String),
}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        CliError::Api(e)
    }
}

impl From<crate::ids_input::IdsInputError> for CliError {
    fn from(e: crate::ids_input::IdsInputError) -> Self {
        CliError::Input {
            message: e.to_string(),
            hint: None,
        }
    }
}

/// The exit code for an error of the wrapper crate, by its kind (a partial release has the
/// kind of its cause).
pub fn exit_for(e: &ApiError) -> Exit {
    match e.kind() {
        ErrorKind::Service
        | ErrorKind::NotFound
        | ErrorKind::Throttled
        | ErrorKind::PackageState => Exit::Refused,
        ErrorKind::Auth => Exit::Auth,
        ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::Decode => Exit::Network,
        ErrorKind::InvalidInput | ErrorKind::Config | ErrorKind::Local => Exit::Usage,
        ErrorKind::WaitTimeout => Exit::WaitTimeout,
        // A source that could not be reached is a network problem; a file the user named
        // that cannot be read is invalid input (nothing was sent); everything else about
        // getting credentials (refused, malformed, expired, none configured) is
        // authentication.
        ErrorKind::Credentials => match credential_problem(e) {
            Some(CredentialProblem::Unreachable) => Exit::Network,
            Some(CredentialProblem::Unreadable) => Exit::Usage,
            _ => Exit::Auth,
        },
        _ => Exit::Refused,
    }
}

/// The credential problem behind an error (also under a partial release).
pub fn credential_problem(e: &ApiError) -> Option<CredentialProblem> {
    match e {
        ApiError::Credentials { problem, .. } => Some(*problem),
        ApiError::PartialRelease { source, .. } => credential_problem(source),
        _ => None,
    }
}

impl CliError {
    /// The exit code of this error.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Api(e) => exit_for(e),
            CliError::Input { .. } => Exit::Usage,
            CliError::Releases { exit, .. } | CliError::Interrupted { exit, .. } => *exit,
            CliError::Local(_) => Exit::Local,
        }
    }

    /// The error as shown to people: the `error:` text and an optional hint.
    pub fn render(&self) -> Rendered {
        match self {
            CliError::Api(e) => render_api(e),
            CliError::Input { message, hint } => Rendered {
                code: None,
                message: message.clone(),
                request_id: None,
                hint: hint.clone(),
            },
            CliError::Releases { message, hint, .. }
            | CliError::Interrupted { message, hint, .. } => Rendered {
                code: None,
                message: message.clone(),
                request_id: None,
                hint: hint.clone(),
            },
            CliError::Local(m) => Rendered {
                code: None,
                message: m.clone(),
                request_id: None,
                hint: None,
            },
        }
    }
}

/// An error broken into the parts we print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The service's error code, when it answered.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The request id, when the service answered.
    pub request_id: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Rendered {
    /// `error: <code> <message> (request id …)` and, when there is one, `hint: …`.
    pub fn lines(&self) -> String {
        let mut s = String::from("error: ");
        if let Some(c) = &self.code {
            let _ = write!(s, "{} ", one_line(c));
        }
        s.push_str(&one_line(&self.message));
        if let Some(r) = &self.request_id {
            let _ = write!(s, " (request id {})", one_line(r));
        }
        s.push('\n');
        if let Some(h) = &self.hint {
            let _ = writeln!(s, "hint: {}", one_line(h));
        }
        s
    }
}

/// How many items a one-line error lists before it says how many more there are.
pub const LIST_LIMIT: usize = 10;

/// Items for a one-line error: all of them up to [`LIST_LIMIT`], else the first ones and
/// "... and N more (the full list is in --output json)"; "none" when empty.
pub fn bounded_list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    let shown: Vec<&str> = items.iter().take(LIST_LIMIT).map(AsRef::as_ref).collect();
    let mut s = shown.join(", ");
    if items.len() > LIST_LIMIT {
        let _ = write!(
            s,
            " ... and {} more (the full list is in --output json)",
            items.len() - LIST_LIMIT
        );
    }
    s
}

/// Removes line breaks and other control characters (server text must not break our lines
/// or drive the terminal).
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c.is_control() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Prints the error on stderr and returns its exit code.
pub fn report(e: &CliError) -> ExitCode {
    use std::io::Write;
    let text = e.render().lines();
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
    e.exit().into()
}

#[cfg(test)]
mod tests;
