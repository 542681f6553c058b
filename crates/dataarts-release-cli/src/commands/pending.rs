//! `pending list|package`.

use dataarts_release::PendingItem;
use futures::TryStreamExt;

use crate::cli::{PendingCommand, PendingListArgs, PendingPackageArgs};
use crate::context::Context;
use crate::exit::CliError;
use crate::output::{
    or_dash, CreatedJson, PendingItemJson, PendingListJson, Table, SCHEMA_VERSION,
};

/// Runs a `pending` subcommand.
pub async fn run(ctx: &Context, c: &PendingCommand) -> Result<(), CliError> {
    match c {
        PendingCommand::List(a) => list(ctx, a).await,
        PendingCommand::Package(a) => package(ctx, a).await,
    }
}

async fn list(ctx: &Context, a: &PendingListArgs) -> Result<(), CliError> {
    let limit = a.limit.unwrap_or(if a.all { 100 } else { 10 });
    let mut q = ctx.client.pending_items().limit(limit);
    if let Some(n) = &a.item_name {
        q = q.item_name(n);
    }
    if let Some(s) = &a.submitter {
        q = q.submit_user_name(s);
    }
    let (items, total, offset) = if a.all {
        let all: Vec<PendingItem> = q.stream().try_collect().await?;
        let n = u32::try_from(all.len()).ok();
        (all, n, 0)
    } else {
        let page = q.send().await?;
        (page.items, page.total, page.offset)
    };
    super::emit(
        ctx,
        || PendingListJson {
            schema_version: SCHEMA_VERSION,
            items: items.iter().map(Into::into).collect(),
            total,
            offset,
            limit,
            all: a.all,
        },
        || {
            let mut t = Table::new(&[
                "ID",
                "NAME",
                "TYPE",
                "CHANGE",
                "PACKAGED",
                "SUBMITTER",
                "SUBMITTED",
            ]);
            for i in &items {
                let j = PendingItemJson::from(i);
                t.row(vec![
                    j.id,
                    or_dash(j.name),
                    or_dash(j.task_type),
                    or_dash(j.update_type),
                    if j.packaged { "yes" } else { "no" }.into(),
                    or_dash(j.submitter_name.or(j.submitter_id)),
                    or_dash(j.submitted_at),
                ]);
            }
            let mut s = t.render();
            if let Some(total) = total {
                let shown = items.len() as u32;
                if !a.all && total > shown {
                    s.push_str(&format!(
                        "showing {shown} of {total} items: use --all, or --limit N\n"
                    ));
                }
            }
            s
        },
    )
}

async fn package(ctx: &Context, a: &PendingPackageArgs) -> Result<(), CliError> {
    let created = ctx
        .client
        .package_pending_items(a.items.iter().map(String::as_str))
        .name(&a.name)
        .applicant(&a.applicant)
        .approvers(a.approvers.iter().map(String::as_str))
        .send()
        .await?;
    super::emit(
        ctx,
        || CreatedJson {
            schema_version: SCHEMA_VERSION,
            package_id: created.id.to_string(),
            name: created.name.clone(),
            items: a.items.clone(),
        },
        || {
            format!(
                "created package {} ({}) with {} item{}: {}\nrelease it with: dataarts-release deploy {}\n",
                created.id,
                created.name.as_deref().unwrap_or(&a.name),
                a.items.len(),
                if a.items.len() == 1 { "" } else { "s" },
                a.items.join(", "),
                created.id
            )
        },
    )
}
