//! One deploy call, and the read-back reconciliation after an ambiguous failure that makes
//! sure no package is released twice.

use std::borrow::Cow;

use dataarts_release_raw::types;

use crate::client::Client;
use crate::error::{Error, Input, InputProblem, Result};
use crate::ids::{PackageId, TaskId};
use crate::model::{DeployStatus, ReleaseState};

use super::{DeployResult, DeployedPackage, OP};

impl Client {
    /// One deploy call, mapped.
    async fn deploy_once(
        &self,
        ids: &[PackageId],
        startup_mode: i32,
    ) -> Result<Vec<DeployedPackage>> {
        let ws = self.workspace_checked(false)?;
        let mode = types::DeployBodyStartupMode::try_from(startup_mode).map_err(|_| {
            Error::invalid(
                Input::StartupMode,
                InputProblem::OutOfRange,
                format!("{startup_mode} is not 0 or 1"),
            )
        })?;
        let body = types::DeployBody {
            package_ids: ids.iter().map(|i| i.as_str().to_string()).collect(),
            startup_mode: mode,
        };
        let mut b = self
            .inner
            .v2
            .deploy_factory_packages()
            .project_id(self.project_id())
            .body(body);
        if let Some(ws) = ws {
            b = b.workspace(ws);
        }
        let r = self.call(OP, b.send()).await?;
        Ok(ids
            .iter()
            .map(|id| {
                let detail = r
                    .deploy_package_details
                    .iter()
                    .find(|d| d.package_id.is_some_and(|n| prints_as(n, id.as_str())));
                DeployedPackage {
                    package_id: id.clone(),
                    task_id: detail
                        .and_then(|d| d.asy_task_id.clone())
                        .filter(|t| !t.is_empty())
                        .map(TaskId::new),
                    subtask_count: detail
                        .and_then(|d| d.asy_subtask_num)
                        .and_then(|n| u32::try_from(n).ok()),
                }
            })
            .collect())
    }

    /// Deploys `ids` (already validated), reconciling ambiguous failures; one result per id.
    pub(crate) async fn deploy_reconciled(
        &self,
        ids: &[PackageId],
        startup_mode: i32,
    ) -> (Vec<(PackageId, DeployResult)>, bool) {
        let policy = self.retry_policy().clone();
        // The ids of the first round are borrowed; later rounds own theirs.
        let mut pending: Cow<'_, [PackageId]> = Cow::Borrowed(ids);
        let mut out: Vec<(PackageId, DeployResult)> = Vec::with_capacity(ids.len());
        let mut rounds = 0;
        let mut reconciled = false;
        loop {
            match self.deploy_once(&pending, startup_mode).await {
                Ok(released) => {
                    out.extend(released.into_iter().map(|p| {
                        (
                            p.package_id,
                            DeployResult::Released {
                                task_id: p.task_id,
                                subtask_count: p.subtask_count,
                            },
                        )
                    }));
                    break;
                }
                Err(e)
                    if e.is_ambiguous()
                        && policy.reconcile_deploys
                        && rounds < policy.max_reconcile_rounds =>
                {
                    rounds += 1;
                    reconciled = true;
                    tracing::warn!(error = %e, round = rounds, "deploy outcome unknown; reading the packages back");
                    let mut again = Vec::new();
                    for id in pending.into_owned() {
                        match self.show_package(id.clone()).await {
                            Ok(detail) => {
                                let p = detail.package;
                                let status = p.deploy_status.unwrap_or(DeployStatus::Unknown(0));
                                if p.is_awaiting_review() {
                                    again.push(id);
                                } else if !p.deleted
                                    && matches!(
                                        status,
                                        DeployStatus::Releasing
                                            | DeployStatus::Succeeded
                                            | DeployStatus::Failed
                                    )
                                {
                                    out.push((
                                        id,
                                        DeployResult::Released {
                                            task_id: None,
                                            subtask_count: None,
                                        },
                                    ));
                                } else {
                                    let state = ReleaseState::of(status, p.deleted).to_string();
                                    out.push((
                                        id.clone(),
                                        DeployResult::Refused(Error::PackageState {
                                            package_id: id,
                                            status,
                                            deleted: p.deleted,
                                            state,
                                        }),
                                    ));
                                }
                            }
                            Err(read_err) => {
                                tracing::warn!(package = %id, error = %read_err, "could not read the package back");
                                out.push((id, DeployResult::Unknown(e.clone())));
                            }
                        }
                    }
                    if again.is_empty() {
                        break;
                    }
                    tracing::info!(
                        count = again.len(),
                        "re-sending the packages still awaiting review"
                    );
                    pending = Cow::Owned(again);
                }
                Err(e) => {
                    let ambiguous = e.is_ambiguous();
                    out.extend(pending.into_owned().into_iter().map(|id| {
                        let r = if ambiguous {
                            DeployResult::Unknown(e.clone())
                        } else {
                            DeployResult::Refused(e.clone())
                        };
                        (id, r)
                    }));
                    break;
                }
            }
        }
        // Report in request order.
        out.sort_by_key(|(id, _)| ids.iter().position(|x| x == id).unwrap_or(usize::MAX));
        (out, reconciled)
    }
}

/// True when `n` prints as `text` (`n.to_string() == text`), without printing it.
fn prints_as(n: i64, text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    canonical && text.parse::<i64>() == Ok(n)
}

#[cfg(test)]
mod tests {
    use super::prints_as;

    #[test]
    fn prints_as_is_to_string_equality() {
        let numbers = [0, 1, -1, 7, 10, 1000, -1000, i64::MAX, i64::MIN];
        let texts = [
            "",
            "-",
            "0",
            "-0",
            "00",
            "01",
            "1",
            "+1",
            "-1",
            "7",
            "07",
            "10",
            "1000",
            " 1000",
            "1000 ",
            "-1000",
            "1e3",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "１０００",
        ];
        for n in numbers {
            for t in texts {
                assert_eq!(prints_as(n, t), n.to_string() == t, "{n} {t:?}");
            }
        }
    }
}
