//! The command's error when not every package ended released: one summary line, a hint and
//! the exit code.

use crate::deploy_keys::{ReasonKey, ResultKey, SignalKey};
use crate::exit::{CliError, Exit, Rendered};

use super::rows::Row;
use crate::signals;

/// How the run went, for choosing its error.
pub struct RunEnd<'a> {
    pub rows: &'a [Row],
    pub strict: bool,
    pub dry_run: bool,
    pub wait_error: Option<&'a dataarts_release::Error>,
    pub interrupted: Option<SignalKey>,
}

/// The command's error, when not every package ended released (or would, in a dry run).
pub fn failure(end: &RunEnd<'_>) -> Option<CliError> {
    let rows = end.rows;
    let released: Vec<&str> = ids(rows.iter().filter(|r| r.ok(end.strict)));
    let not: Vec<&Row> = rows.iter().filter(|r| !r.ok(end.strict)).collect();
    if let Some(s) = end.interrupted {
        return Some(CliError::Releases {
            message: format!(
                "interrupted by {}: releases already accepted continue on the service \
                 (ended released or releasing: {}; not released: {})",
                s.name(),
                list(&released),
                list(&ids(not.iter().copied()))
            ),
            exit: signals::exit_for(s),
            hint: Some(
                "re-run the same command to resume: packages already released count as done, \
                 nothing is released twice"
                    .into(),
            ),
        });
    }
    if let Some(e) = end.wait_error {
        let err = CliError::Api(e.clone());
        let mut r = err.render();
        if rows.len() > 1 || !not.is_empty() {
            r.message = format!(
                "{} (released: {}; not released: {})",
                r.message,
                list(&released),
                list(&ids(not.iter().copied()))
            );
        }
        return Some(CliError::Releases {
            message: join_code(&r),
            exit: err.exit(),
            hint: r.hint,
        });
    }
    if not.is_empty() {
        return None;
    }
    // The exit code: 1 when a release failed or the service refused; else the first cause.
    let exit = if not.iter().any(|r| r.result == ResultKey::Failed) {
        Exit::Refused
    } else {
        not.iter()
            .find_map(|r| r.error.as_ref().map(|(_, x)| *x))
            .unwrap_or(Exit::Refused)
    };
    if let [only] = not.as_slice() {
        if rows.len() == 1 && !end.dry_run {
            return Some(match (&only.error, only.result) {
                (Some((e, x)), _) => CliError::Releases {
                    message: join_code(e),
                    exit: *x,
                    hint: e.hint.clone(),
                },
                (None, ResultKey::Failed) => CliError::Releases {
                    message: format!("the release of package {} ended FAILED", only.package_id),
                    exit,
                    hint: Some(failed_hint(only)),
                },
                (None, result) => CliError::Releases {
                    message: format!(
                        "package {} was not released by this run: {}",
                        only.package_id,
                        described(only, result)
                    ),
                    exit,
                    hint: Some(hint(end)),
                },
            });
        }
    }
    let described: Vec<String> = not
        .iter()
        .map(|r| format!("{} ({})", r.package_id, described(r, r.result)))
        .collect();
    // A cause that is not a refusal (no connection, credentials) has its own remedy.
    let cause_hint = not.iter().find_map(|r| match &r.error {
        Some((e, x)) if *x == exit && exit != Exit::Refused => e.hint.clone(),
        _ => None,
    });
    let hint = match not.iter().find(|r| r.result == ResultKey::Failed) {
        Some(f) => failed_hint(f),
        None => cause_hint.unwrap_or_else(|| hint(end)),
    };
    let held_back = not
        .iter()
        .any(|r| r.result == ResultKey::NotSent && r.reason == Some(ReasonKey::AwaitingReview));
    let (what, done) = if end.dry_run {
        ("would not end released", "would end released")
    } else if held_back {
        ("not released (--all-or-nothing sent nothing)", "released")
    } else {
        ("not released", "released")
    };
    Some(CliError::Releases {
        message: format!(
            "{} of {} packages {what}: {}; {done}: {}",
            not.len(),
            rows.len(),
            crate::exit::bounded_list(&described),
            list(&released)
        ),
        exit,
        hint: Some(hint),
    })
}

/// `result`, or `result: reason` when the reason adds something.
fn described(r: &Row, result: ResultKey) -> String {
    match r.reason {
        Some(reason) if reason.key() != result.key() && result != ResultKey::Refused => {
            format!("{}: {}", result.key(), reason.key())
        }
        _ => result.key().to_string(),
    }
}

fn hint(end: &RunEnd<'_>) -> String {
    let mut h = String::from(
        "the table (or `packages[].reason` and `packages[].error` with --output json) shows \
         why; `dataarts-release packages show <ID>` shows a package's state",
    );
    if end.strict
        && end
            .rows
            .iter()
            .any(|r| r.result == ResultKey::AlreadyReleased)
    {
        h.push_str("; without --strict, packages already released count as done");
    }
    h
}

fn failed_hint(r: &Row) -> String {
    match &r.task_id {
        Some(t) => format!("`dataarts-release tasks show {t}` shows the failed subtasks"),
        None => format!(
            "`dataarts-release packages show {}` shows the package",
            r.package_id
        ),
    }
}

fn join_code(r: &Rendered) -> String {
    let mut s = super::rows::code_and_message(r);
    if let Some(id) = &r.request_id {
        s.push_str(&format!(" (request id {id})"));
    }
    s
}

fn ids<'a>(rows: impl Iterator<Item = &'a Row>) -> Vec<&'a str> {
    rows.map(|r| r.package_id.as_str()).collect()
}

fn list(ids: &[&str]) -> String {
    crate::exit::bounded_list(ids)
}
