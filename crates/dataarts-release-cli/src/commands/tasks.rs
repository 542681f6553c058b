//! `tasks show|wait`.

use std::time::Duration;

use dataarts_release::{SystemTask, TaskStatus};

use crate::cli::TasksCommand;
use crate::context::Context;
use crate::exit::{CliError, Exit};
use crate::output::{fields, or_dash, time, SubTaskJson, Table, TaskShowJson, SCHEMA_VERSION};
use crate::progress::Bar;

/// Runs a `tasks` subcommand.
pub async fn run(ctx: &Context, c: &TasksCommand) -> Result<(), CliError> {
    match c {
        TasksCommand::Show { task_id } => {
            let task = ctx.client.system_task(task_id.as_str()).await?;
            print(ctx, &task)
        }
        TasksCommand::Wait { task_id, timeout } => {
            let bar = Bar::new(!ctx.quiet, 1, &format!("task {task_id}"));
            let mut wait = ctx
                .client
                .wait_for_task(task_id.as_str())
                .timeout(*timeout)
                .on_progress(|p| bar.update(p));
            if let Some(i) = ctx.poll_interval {
                wait = wait
                    .poll_interval(i)
                    .max_poll_interval(Duration::from_secs(1));
            }
            let task = wait.send().await;
            bar.finish();
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
