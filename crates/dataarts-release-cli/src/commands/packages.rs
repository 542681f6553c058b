//! `packages list|show|cancel`.

use dataarts_release::{DeployStatus, PackageDetail, ReleasePackage};
use futures::TryStreamExt;

use crate::cli::{PackagesCommand, PackagesListArgs, StatusFilter};
use crate::context::Context;
use crate::exit::CliError;
use crate::output::{
    fields, or_dash, time, CancelJson, PackageJson, PackageListJson, PackageShowJson, Table,
    SCHEMA_VERSION,
};

/// Most ids one revoke request takes (the service's limit).
const MAX_CANCEL_IDS: usize = 100;

/// Runs a `packages` subcommand.
pub async fn run(ctx: &Context, c: &PackagesCommand) -> Result<(), CliError> {
    match c {
        PackagesCommand::List(a) => list(ctx, a).await,
        PackagesCommand::Show { id } => show(ctx, id).await,
        PackagesCommand::Cancel { ids } => cancel(ctx, ids).await,
    }
}

fn status(s: StatusFilter) -> DeployStatus {
    match s {
        StatusFilter::Pending => DeployStatus::AwaitingReview,
        StatusFilter::Succeeded => DeployStatus::Succeeded,
        StatusFilter::Failed => DeployStatus::Failed,
        StatusFilter::Releasing => DeployStatus::Releasing,
    }
}

async fn list(ctx: &Context, a: &PackagesListArgs) -> Result<(), CliError> {
    let limit = a.limit.unwrap_or(if a.all { 100 } else { 10 });
    let mut q = ctx.client.list_packages().limit(limit);
    for s in &a.status {
        q = q.status(status(*s));
    }
    if let Some(k) = &a.keyword {
        q = q.keyword(k);
    }
    if let Some(u) = &a.applicant {
        q = q.apply_user_name(u);
    }
    let (packages, total, offset) = if a.all {
        let all: Vec<ReleasePackage> = q.stream().try_collect().await?;
        let n = u32::try_from(all.len()).ok();
        (all, n, 0)
    } else {
        let page = q.send().await?;
        (page.items, page.total, page.offset)
    };
    super::emit(
        ctx,
        || PackageListJson {
            schema_version: SCHEMA_VERSION,
            packages: packages.iter().map(Into::into).collect(),
            total,
            offset,
            limit,
            all: a.all,
        },
        || {
            let mut t = Table::new(&["ID", "NAME", "STATUS", "APPLICANT", "APPLIED", "RELEASED"]);
            for p in &packages {
                let j = PackageJson::from(p);
                t.row(vec![
                    j.id,
                    or_dash(j.name),
                    status_text(p),
                    or_dash(j.applicant_name.or(j.applicant_id)),
                    or_dash(j.applied_at),
                    or_dash(j.deployed_at),
                ]);
            }
            let mut s = t.render();
            if let Some(total) = total {
                let shown = packages.len() as u32;
                if !a.all && total > shown {
                    s.push_str(&format!(
                        "showing {shown} of {total} packages: use --all, or --limit N\n"
                    ));
                }
            }
            s
        },
    )
}

fn status_text(p: &ReleasePackage) -> String {
    let s = crate::output::status_name(p.deploy_status).replace('_', " ");
    if p.deleted {
        format!("{s} (revoked)")
    } else {
        s
    }
}

async fn show(ctx: &Context, id: &str) -> Result<(), CliError> {
    let d: PackageDetail = ctx.client.show_package(id).await?;
    super::emit(
        ctx,
        || PackageShowJson::from(&d),
        || {
            let p = &d.package;
            let approvers: Vec<String> = p
                .approvers
                .iter()
                .map(|a| {
                    a.user_name
                        .clone()
                        .or_else(|| a.user_id.clone())
                        .unwrap_or_default()
                })
                .filter(|s| !s.is_empty())
                .collect();
            let mut s = fields(&[
                ("id", p.id.to_string()),
                ("name", or_dash(p.name.as_deref())),
                ("status", status_text(p)),
                (
                    "applicant",
                    or_dash(p.apply_user_name.as_deref().or(p.apply_user_id.as_deref())),
                ),
                ("applied", or_dash(time(p.apply_time))),
                (
                    "released by",
                    or_dash(
                        p.deploy_user_name
                            .as_deref()
                            .or(p.deploy_user_id.as_deref()),
                    ),
                ),
                ("released", or_dash(time(p.deploy_time))),
                (
                    "approvers",
                    if approvers.is_empty() {
                        "-".into()
                    } else {
                        approvers.join(", ")
                    },
                ),
                ("workspace", or_dash(p.workspace_id.as_deref())),
            ]);
            s.push('\n');
            let mut t = Table::new(&["ITEM", "NAME", "TYPE", "CHANGE", "STATUS", "VERSION"]);
            for i in PackageShowJson::from(&d).items {
                t.row(vec![
                    or_dash(i.pending_item_id),
                    or_dash(i.name),
                    or_dash(i.task_type),
                    or_dash(i.update_type),
                    i.status.replace('_', " "),
                    match (i.deployed_version, i.pending_version) {
                        (Some(a), Some(b)) => format!("{a} -> {b}"),
                        (None, Some(b)) => b.to_string(),
                        _ => "-".into(),
                    },
                ]);
            }
            s.push_str(&t.render());
            s
        },
    )
}

async fn cancel(ctx: &Context, ids: &[String]) -> Result<(), CliError> {
    if ids.len() > MAX_CANCEL_IDS {
        return Err(CliError::Input {
            message: format!(
                "packages cancel takes at most {MAX_CANCEL_IDS} ids (got {}); nothing was sent",
                ids.len()
            ),
            hint: Some("split the list and run the command once per part".into()),
        });
    }
    ctx.client
        .cancel_packages(ids.iter().map(String::as_str))
        .await?;
    super::emit(
        ctx,
        || CancelJson {
            schema_version: SCHEMA_VERSION,
            cancelled: ids.to_vec(),
        },
        || {
            format!(
                "cancelled {} package{}: {}\n",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                ids.join(", ")
            )
        },
    )
}
