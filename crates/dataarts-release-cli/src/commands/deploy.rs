//! `deploy`: release any number of packages (batched by the wrapper), optionally waiting;
//! safe to re-run, with `--strict`, `--all-or-nothing`, `--dry-run`, CI reports, and a clean
//! stop on SIGINT or SIGTERM.

mod failure;
mod rows;

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use dataarts_release::{DeployAll, Progress};

use crate::cli::DeployArgs;
use crate::context::Context;
use crate::exit::CliError;
use crate::ids_input::collect_ids;
use crate::output::{DeployJson, DeployPackageJson, ErrorJson, SCHEMA_VERSION};
use crate::progress::Bar;
use crate::report::{self, RunReport};

use crate::signals::Signals;
use failure::{failure, RunEnd};
use rows::Row;

/// How long a deploy request in flight may still take after a signal.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Runs `deploy`.
pub async fn run(ctx: &Context, args: &DeployArgs) -> Result<(), CliError> {
    let ids = collect_ids(&args.ids, args.ids_from.as_deref())?;
    report::check(&args.reports)?;
    let started = (SystemTime::now(), Instant::now());
    let signals = Signals::listen();
    let batch = ctx
        .client
        .deploy_all(ids.iter().map(String::as_str))
        .start_jobs(!args.no_start)
        .all_or_nothing(args.all_or_nothing)
        .strict(args.strict);

    let (mut rows, requests, deployment) = if args.dry_run {
        let plan = tokio::select! {
            plan = batch.plan() => Some(plan?),
            () = signals.fired() => None,
        };
        let at = started.1.elapsed();
        let rows = match plan {
            Some(plan) => plan.packages.iter().map(|p| Row::of_plan(p, at)).collect(),
            None => ids.iter().map(|id| Row::not_read(id, at)).collect(),
        };
        (rows, 0, None)
    } else {
        send(batch, &signals, started.1).await?
    };

    let mut wait_error = None;
    if let Some(deployment) = deployment.filter(|_| args.wait && signals.received().is_none()) {
        wait_error = wait(ctx, args, deployment, &mut rows, &signals, started.1).await;
    }

    let interrupted = signals.received();
    let end = RunEnd {
        rows: &rows,
        strict: args.strict,
        dry_run: args.dry_run,
        wait_error: wait_error.as_ref(),
        interrupted,
    };
    let failure = failure(&end);
    let doc = || document(args, &rows, requests, failure.is_none(), &end);
    let sent = (requests > 0).then_some(requests);
    let printed = super::emit(ctx, doc, || rows::table(&rows)).map_err(|e| after_sending(e, sent));
    let run = RunReport {
        command: command_line(),
        started: started.0,
        elapsed: started.1.elapsed(),
        dry_run: args.dry_run,
        interrupted: interrupted.map(|s| s.name().to_string()),
        timed_out: wait_error
            .as_ref()
            .is_some_and(|e| e.kind() == dataarts_release::ErrorKind::WaitTimeout),
        packages: rows::reports(&rows, args.strict),
    };
    let document_printed = printed.is_ok();
    let result = printed.and(match failure {
        Some(f) => Err(f),
        None => Ok(()),
    });
    report::finish(&args.reports, &run, result).map_err(|e| match e {
        // The document is out already: a report that could not be written must not make
        // `main` print a second one.
        CliError::Local(message) if document_printed => CliError::Releases {
            message,
            exit: crate::exit::Exit::Local,
            hint: sent.map(|_| RESUME.to_string()),
        },
        other => after_sending(other, sent),
    })
}

/// What to do after a local failure once releases were sent.
const RESUME: &str = "the releases sent were not undone: re-run the same command to see \
     their state (packages already released count as done, nothing is released twice)";

/// A local failure (the output or a report could not be written) after `sent` deploy
/// requests: the message says that the releases were sent, so the user knows that they
/// happened and that re-running is safe.
fn after_sending(e: CliError, sent: Option<usize>) -> CliError {
    match (e, sent) {
        (CliError::Local(message), Some(n)) => CliError::Releases {
            message: format!(
                "{message} (after {n} deploy request{} had been sent)",
                if n == 1 { "" } else { "s" }
            ),
            exit: crate::exit::Exit::Local,
            hint: Some(RESUME.to_string()),
        },
        (other, _) => other,
    }
}

/// Sends the batch, stopping on a signal; the rows, the requests sent, and what to wait for.
async fn send(
    batch: DeployAll<'_>,
    signals: &Signals,
    start: Instant,
) -> Result<(Vec<Row>, usize, Option<dataarts_release::Deployment>), CliError> {
    let known: Mutex<Vec<(String, Duration)>> = Mutex::new(Vec::new());
    let report = batch
        .on_chunk(|outcomes| {
            let at = start.elapsed();
            if let Ok(mut k) = known.lock() {
                k.extend(outcomes.iter().map(|o| (o.package_id.to_string(), at)));
            }
        })
        .stop_when(signals.fired())
        .stop_grace(STOP_GRACE)
        .send()
        .await?;
    let known = known.into_inner().unwrap_or_default();
    let end = start.elapsed();
    let rows = report
        .outcomes
        .iter()
        .map(|o| {
            let at = known
                .iter()
                .find(|(id, _)| *id == o.package_id.as_str())
                .map_or(end, |(_, at)| *at);
            Row::of_outcome(o, at)
        })
        .collect::<Vec<Row>>();
    let deployment = rows
        .iter()
        .any(Row::is_running)
        .then(|| report.deployment());
    Ok((rows, report.chunks, deployment))
}

/// Waits for the releases (until done, timed out or interrupted); the wait's error, if any.
async fn wait(
    ctx: &Context,
    args: &DeployArgs,
    deployment: dataarts_release::Deployment,
    rows: &mut [Row],
    signals: &Signals,
    start: Instant,
) -> Option<dataarts_release::Error> {
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
    // What the waiter reported, so a timeout or a signal still shows what finished.
    let seen: Mutex<Vec<(Progress, Duration)>> = Mutex::new(Vec::new());
    let mut wait = deployment.wait().timeout(args.timeout).on_progress(|p| {
        bar.update(p);
        if let Ok(mut seen) = seen.lock() {
            seen.push((p.clone(), start.elapsed()));
        }
    });
    if let Some(i) = ctx.poll_interval {
        wait = wait
            .poll_interval(i)
            .max_poll_interval(Duration::from_secs(1));
    }
    let outcome = tokio::select! {
        r = wait.send() => Some(r),
        () = signals.fired() => None,
    };
    bar.finish();
    match outcome {
        Some(Ok(results)) => {
            rows::apply_results(rows, &results, start.elapsed());
            None
        }
        Some(Err(e)) => {
            rows::apply_progress(rows, &seen.into_inner().unwrap_or_default());
            Some(e)
        }
        None => {
            rows::apply_progress(rows, &seen.into_inner().unwrap_or_default());
            None
        }
    }
}

fn document(
    args: &DeployArgs,
    rows: &[Row],
    requests: usize,
    ok: bool,
    end: &RunEnd<'_>,
) -> DeployJson {
    DeployJson {
        schema_version: SCHEMA_VERSION,
        ok,
        waited: args.wait,
        start_jobs: !args.no_start,
        dry_run: args.dry_run,
        strict: args.strict,
        all_or_nothing: args.all_or_nothing,
        interrupted: end.interrupted,
        requests,
        summary: rows::summary(rows),
        packages: rows
            .iter()
            .map(|r| DeployPackageJson {
                package_id: r.package_id.clone(),
                result: r.result,
                reason: r.reason,
                task_id: r.task_id.clone(),
                subtasks_completed: r.completed,
                subtasks_total: r.total,
                error: r
                    .error
                    .as_ref()
                    .map(|(rendered, exit)| ErrorJson::new(rendered.clone(), exit.code())),
            })
            .collect(),
        error: end.wait_error.map(|e| {
            let err = CliError::Api(e.clone());
            ErrorJson::new(err.render(), err.exit().code())
        }),
    }
}

/// The command line as typed (arguments only ever hold ids, paths and options, no secrets).
fn command_line() -> String {
    let mut args = std::env::args();
    let _program = args.next();
    std::iter::once("dataarts-release".to_string())
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}
