//! `deploy`: release any number of packages (batched by the wrapper), optionally waiting.

use std::sync::Mutex;
use std::time::Duration;

use dataarts_release::{DeployResult, Progress, ReleaseOutcome};

use crate::cli::DeployArgs;
use crate::context::Context;
use crate::exit::{exit_for, CliError, Exit, Rendered};
use crate::ids_input::collect_ids;
use crate::output::{
    or_dash, DeployJson, DeployPackageJson, DeploySummaryJson, ErrorJson, Table, SCHEMA_VERSION,
};
use crate::progress::Bar;

/// Where one package ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Releasing,
    Released,
    Failed,
    Refused,
    Unknown,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Releasing => "releasing",
            State::Released => "released",
            State::Failed => "failed",
            State::Refused => "refused",
            State::Unknown => "unknown",
        }
    }

    fn is_released(self) -> bool {
        matches!(self, State::Releasing | State::Released)
    }
}

#[derive(Debug)]
struct Row {
    package_id: String,
    state: State,
    task_id: Option<String>,
    completed: Option<usize>,
    total: Option<usize>,
    error: Option<(Rendered, Exit)>,
}

/// Runs `deploy`.
pub async fn run(ctx: &Context, args: &DeployArgs) -> Result<(), CliError> {
    let ids = collect_ids(&args.ids, args.ids_from.as_deref())?;
    let report = ctx
        .client
        .deploy_all(ids.iter().map(String::as_str))
        .start_jobs(!args.no_start)
        .send()
        .await?;
    let mut rows: Vec<Row> = report
        .outcomes
        .iter()
        .map(|o| {
            let (state, task_id, total, error) = match &o.result {
                DeployResult::Released {
                    task_id,
                    subtask_count,
                } => (
                    State::Releasing,
                    task_id.as_ref().map(ToString::to_string),
                    subtask_count.map(|n| n as usize),
                    None,
                ),
                DeployResult::Refused(e) => (State::Refused, None, None, Some(e)),
                DeployResult::Unknown(e) => (State::Unknown, None, None, Some(e)),
                other => (State::Unknown, None, None, other.error()),
            };
            Row {
                package_id: o.package_id.to_string(),
                state,
                task_id,
                completed: None,
                total,
                error: error.map(|e| (CliError::Api(e.clone()).render(), exit_for(e))),
            }
        })
        .collect();

    let mut wait_error = None;
    if args.wait && rows.iter().any(|r| r.state.is_released()) {
        let deployment = report.deployment();
        let total: usize = deployment
            .packages
            .iter()
            .map(|p| p.subtask_count.unwrap_or(1).max(1) as usize)
            .sum();
        let label = match deployment.packages.as_slice() {
            [one] => format!("package {}", one.package_id),
            many => format!("{} packages", many.len()),
        };
        let bar = Bar::new(!ctx.quiet, total, &label);
        // What the waiter reported, so a timeout still shows the packages that finished.
        let seen: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
        let mut wait = deployment.wait().timeout(args.timeout).on_progress(|p| {
            bar.update(p);
            if let Ok(mut seen) = seen.lock() {
                seen.push(p.clone());
            }
        });
        if let Some(i) = ctx.poll_interval {
            wait = wait
                .poll_interval(i)
                .max_poll_interval(Duration::from_secs(1));
        }
        match wait.send().await {
            Ok(results) => {
                for r in results {
                    if let Some(row) = rows
                        .iter_mut()
                        .find(|row| row.package_id == r.package_id.as_str())
                    {
                        row.state = match r.outcome {
                            ReleaseOutcome::Succeeded => State::Released,
                            ReleaseOutcome::Failed => State::Failed,
                        };
                        if let Some(t) = &r.task {
                            row.completed = Some(t.completed_subtasks());
                            row.total = Some(t.subtasks.len().max(row.total.unwrap_or(0)));
                        }
                    }
                }
            }
            Err(e) => {
                apply_progress(&mut rows, &seen.into_inner().unwrap_or_default());
                wait_error = Some(e);
            }
        }
        bar.finish();
    }

    let failure = failure(&rows, wait_error.as_ref());
    let doc = || DeployJson {
        schema_version: SCHEMA_VERSION,
        ok: failure.is_none(),
        waited: args.wait,
        start_jobs: !args.no_start,
        requests: report.chunks,
        summary: summary(&rows),
        packages: rows
            .iter()
            .map(|r| DeployPackageJson {
                package_id: r.package_id.clone(),
                result: r.state.name(),
                task_id: r.task_id.clone(),
                subtasks_completed: r.completed,
                subtasks_total: r.total,
                error: r
                    .error
                    .as_ref()
                    .map(|(rendered, exit)| ErrorJson::new(rendered.clone(), exit.code())),
            })
            .collect(),
        error: wait_error.as_ref().map(|e| {
            let err = CliError::Api(e.clone());
            ErrorJson::new(err.render(), err.exit().code())
        }),
    };
    super::emit(ctx, doc, || table(&rows))?;
    match failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// Lays the waiter's progress reports over the rows (used when waiting stopped early).
fn apply_progress(rows: &mut [Row], reports: &[Progress]) {
    for p in reports {
        let Some(id) = &p.package_id else { continue };
        let Some(row) = rows.iter_mut().find(|r| r.package_id == id.as_str()) else {
            continue;
        };
        row.completed = Some(p.completed);
        row.total = Some(p.total);
        row.state = match p.outcome {
            Some(ReleaseOutcome::Succeeded) => State::Released,
            Some(ReleaseOutcome::Failed) => State::Failed,
            None => row.state,
        };
    }
}

fn summary(rows: &[Row]) -> DeploySummaryJson {
    let count = |s: &[State]| rows.iter().filter(|r| s.contains(&r.state)).count();
    DeploySummaryJson {
        requested: rows.len(),
        released: count(&[State::Released, State::Releasing]),
        failed: count(&[State::Failed]),
        refused: count(&[State::Refused]),
        unknown: count(&[State::Unknown]),
    }
}

fn table(rows: &[Row]) -> String {
    let detail = rows.iter().any(|r| r.error.is_some());
    let mut headers = vec!["PACKAGE", "RESULT", "TASK", "SUBTASKS"];
    if detail {
        headers.push("DETAIL");
    }
    let mut t = Table::new(&headers);
    for r in rows {
        let subtasks = match (r.completed, r.total) {
            (Some(c), Some(n)) => format!("{c}/{n}"),
            (None, Some(n)) => n.to_string(),
            _ => "-".into(),
        };
        let mut cells = vec![
            r.package_id.clone(),
            r.state.name().to_string(),
            or_dash(r.task_id.as_deref()),
            subtasks,
        ];
        if detail {
            cells.push(match &r.error {
                Some((e, _)) => {
                    let mut s = String::new();
                    if let Some(c) = &e.code {
                        s.push_str(c);
                        s.push(' ');
                    }
                    s.push_str(&e.message);
                    s
                }
                None => String::new(),
            });
        }
        t.row(cells);
    }
    t.render()
}

/// The command's error, when not every package was released (and succeeded).
fn failure(rows: &[Row], wait_error: Option<&dataarts_release::Error>) -> Option<CliError> {
    let released: Vec<&str> = rows
        .iter()
        .filter(|r| r.state.is_released())
        .map(|r| r.package_id.as_str())
        .collect();
    let not: Vec<&Row> = rows.iter().filter(|r| !r.state.is_released()).collect();
    if let Some(e) = wait_error {
        let err = CliError::Api(e.clone());
        let mut r = err.render();
        if rows.len() > 1 || !not.is_empty() {
            r.message = format!(
                "{} (released: {}; not released: {})",
                r.message,
                list(&released),
                list(
                    &not.iter()
                        .map(|r| r.package_id.as_str())
                        .collect::<Vec<_>>()
                )
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
    let exit = if not.iter().any(|r| r.state == State::Failed) {
        Exit::Refused
    } else {
        not.iter()
            .find_map(|r| r.error.as_ref().map(|(_, x)| *x))
            .unwrap_or(Exit::Refused)
    };
    if let [only] = not.as_slice() {
        if rows.len() == 1 {
            return Some(match (&only.error, only.state) {
                (Some((e, x)), _) => CliError::Releases {
                    message: join_code(e),
                    exit: *x,
                    hint: e.hint.clone(),
                },
                (None, _) => CliError::Releases {
                    message: format!("the release of package {} ended FAILED", only.package_id),
                    exit,
                    hint: Some(failed_hint(only)),
                },
            });
        }
    }
    let described: Vec<String> = not
        .iter()
        .map(|r| format!("{} ({})", r.package_id, r.state.name()))
        .collect();
    let hint = if let Some(f) = not.iter().find(|r| r.state == State::Failed) {
        failed_hint(f)
    } else {
        "the table (or `packages[].error` with --output json) shows why; \
         `dataarts-release packages show <ID>` shows a package's state"
            .to_string()
    };
    Some(CliError::Releases {
        message: format!(
            "{} of {} packages not released: {}; released: {}",
            not.len(),
            rows.len(),
            described.join(", "),
            list(&released)
        ),
        exit,
        hint: Some(hint),
    })
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
    let mut s = String::new();
    if let Some(c) = &r.code {
        s.push_str(c);
        s.push(' ');
    }
    s.push_str(&r.message);
    if let Some(id) = &r.request_id {
        s.push_str(&format!(" (request id {id})"));
    }
    s
}

fn list(ids: &[&str]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}
