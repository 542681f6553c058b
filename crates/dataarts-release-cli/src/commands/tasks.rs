//! `tasks show|wait`.

use std::sync::Mutex;
use std::time::Duration;

use dataarts_release::{SystemTask, TaskStatus};

use crate::cli::TasksCommand;
use crate::context::Context;
use crate::exit::{CliError, Exit};
use crate::output::{fields, or_dash, time, SubTaskJson, Table, TaskShowJson, SCHEMA_VERSION};
use crate::progress::Bar;
use crate::signals::{self, Signals};

/// Runs a `tasks` subcommand.
pub async fn run(ctx: &Context, c: &TasksCommand) -> Result<(), CliError> {
    match c {
        TasksCommand::Show { task_id } => {
            let task = ctx.client.system_task(task_id.as_str()).await?;
            print(ctx, &task)
        }
        TasksCommand::Wait { task_id, timeout } => {
            let signals = Signals::listen();
            let bar = Bar::new(!ctx.quiet, 1, &format!("task {task_id}"));
            // The last counts seen, to say how far the task got if the wait is interrupted.
            let seen = Mutex::new(None);
            let mut wait = ctx
                .client
                .wait_for_task(task_id.as_str())
                .timeout(*timeout)
                .on_progress(|p| {
                    bar.update(p);
                    if let Ok(mut seen) = seen.lock() {
                        *seen = Some((p.completed, p.total));
                    }
                });
            if let Some(i) = ctx.poll_interval {
                wait = wait
                    .poll_interval(i)
                    .max_poll_interval(Duration::from_secs(1));
            }
            // Waiting only reads, so dropping the wait on a signal loses nothing.
            let task = tokio::select! {
                task = wait.send() => Some(task),
                () = signals.fired() => None,
            };
            bar.finish();
            let Some(task) = task else {
                let progress = seen.into_inner().ok().flatten();
                return Err(interrupted(task_id, progress, signals.received()));
            };
            let task = task?;
            print(ctx, &task)?;
            if task.status == TaskStatus::Successful {
                Ok(())
            } else {
                Err(CliError::Releases {
                    message: format!("task {} ended {}", task.id, task.status),
                    exit: Exit::Refused,
                    hint: task
                        .message
                        .as_ref()
                        .filter(|m| !m.trim().is_empty())
                        .map(|m| format!("the service says: {m}")),
                })
            }
        }
    }
}

/// The error for a `tasks wait` stopped by a signal: how far the task was seen to get, and how
/// to resume.
fn interrupted(
    task_id: &str,
    progress: Option<(usize, usize)>,
    signal: Option<crate::deploy_keys::SignalKey>,
) -> CliError {
    let signal = signal.unwrap_or(crate::deploy_keys::SignalKey::Sigint);
    let seen = match progress {
        Some((done, total)) => format!("{done}/{total} subtasks finished when last read"),
        None => "no subtask had finished".to_string(),
    };
    CliError::Interrupted {
        message: format!(
            "interrupted by {} while waiting for task {task_id} ({seen}); \
             the task continues on the service",
            signal.name()
        ),
        exit: signals::exit_for(signal),
        hint: Some(format!(
            "run `dataarts-release tasks wait {task_id}` again to resume waiting"
        )),
    }
}

fn print(ctx: &Context, task: &SystemTask) -> Result<(), CliError> {
    super::emit(
        ctx,
        || TaskShowJson {
            schema_version: SCHEMA_VERSION,
            task: task.into(),
        },
        || {
            let mut s = fields(&[
                ("id", task.id.to_string()),
                ("name", or_dash(task.name.as_deref())),
                ("status", task.status.to_string()),
                ("started", or_dash(time(task.start_time))),
                ("ended", or_dash(time(task.end_time))),
                (
                    "subtasks",
                    format!("{}/{}", task.completed_subtasks(), task.subtasks.len()),
                ),
                ("message", or_dash(task.message.as_deref())),
            ]);
            if !task.subtasks.is_empty() {
                s.push('\n');
                let mut t = Table::new(&["SUBTASK", "NAME", "STATUS", "STARTED", "ENDED"]);
                for st in &task.subtasks {
                    let j = SubTaskJson::from(st);
                    t.row(vec![
                        or_dash(j.id),
                        or_dash(j.name),
                        j.status,
                        or_dash(j.started_at),
                        or_dash(j.ended_at),
                    ]);
                }
                s.push_str(&t.render());
            }
            s
        },
    )
}
