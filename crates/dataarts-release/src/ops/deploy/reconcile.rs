//! One deploy call, and the read-back reconciliation after an ambiguous failure that makes
//! sure no package is released twice.

use std::borrow::Cow;
use std::collections::HashMap;

use dataarts_release_raw::types;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Input, InputProblem, Result};
use crate::ids::{PackageId, TaskId};
use crate::model::{DeployStatus, ReleaseState};

use super::condition::PackageCondition;
use super::states::Read;
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
        let project_id = self.ready().await?;
        let mut b = self
            .inner
            .v2
            .deploy_factory_packages()
            .project_id(project_id.as_str())
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

    /// Deploys `ids` (already validated), reconciling ambiguous failures and taking refused
    /// calls apart; one result per id, in request order.
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
        let mut refusals = 0;
        let mut reconciled = false;
        loop {
            // The ids still awaiting review after a failed call, to be sent again.
            let again = match self.deploy_once(&pending, startup_mode).await {
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
                    self.settle(pending, &e, Cause::Ambiguous, &mut out).await
                }
                Err(e) if is_about_packages(&e) && refusals < MAX_REFUSAL_ROUNDS => {
                    refusals += 1;
                    tracing::info!(error = %e, round = refusals, "deploy refused; reading the packages' states");
                    let asked = pending.len();
                    let again = self.settle(pending, &e, Cause::Refused, &mut out).await;
                    if again.len() == asked {
                        // Every package reads as releasable: the refusal is not explained by
                        // their states, so it stands for all of them.
                        out.extend(
                            again
                                .into_iter()
                                .map(|id| (id, DeployResult::Refused(e.clone()))),
                        );
                        break;
                    }
                    again
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
            };
            if again.is_empty() {
                break;
            }
            tracing::info!(
                count = again.len(),
                "re-sending the packages still awaiting review"
            );
            pending = Cow::Owned(again);
        }
        // Report in request order.
        let order: HashMap<&PackageId, usize> =
            ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
        out.sort_by_key(|(id, _)| order.get(id).copied().unwrap_or(usize::MAX));
        (out, reconciled)
    }

    /// Reads the packages of a failed call and records the result of each one that is not
    /// awaiting review; returns those that are (to be re-sent).
    async fn settle(
        &self,
        pending: Cow<'_, [PackageId]>,
        e: &Error,
        cause: Cause,
        out: &mut Vec<(PackageId, DeployResult)>,
    ) -> Vec<PackageId> {
        let mut reads = self.read_states(&pending).await;
        // A one-id call refused as not found: the service's answer is that id's own.
        let own_answer = pending.len() == 1 && e.is_not_found();
        let mut again = Vec::new();
        for id in pending.into_owned() {
            let p = match reads.take(&id).unwrap_or_else(|| Read::Failed(e.clone())) {
                Read::Found(p) if p.is_awaiting_review() => {
                    again.push(id);
                    continue;
                }
                Read::Found(p) => p,
                Read::Missing => {
                    let r = DeployResult::Refused(if own_answer {
                        e.clone()
                    } else {
                        Error::PackageNotFound {
                            package_id: id.clone(),
                        }
                    });
                    out.push((id, r));
                    continue;
                }
                Read::Failed(read_err) => {
                    tracing::warn!(package = %id, error = %read_err, "could not read the package back");
                    let r = match cause {
                        Cause::Ambiguous => DeployResult::Unknown(e.clone()),
                        Cause::Refused => DeployResult::Refused(e.clone()),
                    };
                    out.push((id, r));
                    continue;
                }
            };
            let status = p.deploy_status.unwrap_or(DeployStatus::Unknown(0));
            let state = ReleaseState::of(status, p.deleted);
            let condition = PackageCondition::of_state(state);
            let r = match (cause, condition.release_state()) {
                // After an ambiguous failure this call may have started the release itself.
                (Cause::Ambiguous, _)
                    if !p.deleted
                        && matches!(
                            status,
                            DeployStatus::Releasing
                                | DeployStatus::Succeeded
                                | DeployStatus::Failed
                        ) =>
                {
                    DeployResult::Released {
                        task_id: None,
                        subtask_count: None,
                    }
                }
                (Cause::Refused, Some(state)) => DeployResult::AlreadyReleased { state },
                _ => DeployResult::Refused(Error::PackageState {
                    package_id: id.clone(),
                    status,
                    deleted: p.deleted,
                    state: state.to_string(),
                }),
            };
            out.push((id, r));
        }
        again
    }
}

/// Why a call's packages are read back.
#[derive(Debug, Clone, Copy)]
enum Cause {
    /// The call may or may not have been applied.
    Ambiguous,
    /// The service refused the whole call, releasing nothing.
    Refused,
}

/// Most times one chunk is taken apart (each round settles at least one package, so this
/// only bounds races with other writers).
const MAX_REFUSAL_ROUNDS: usize = 3;

/// A definite refusal that may be about a package's state or existence: not auth or
/// throttling (their own kinds), nothing ambiguous. The public service documents no code for
/// "not awaiting review", so any other 4xx is read too: reading is harmless, and when every
/// package reads as releasable the refusal stands as it was.
fn is_about_packages(e: &Error) -> bool {
    !e.is_ambiguous()
        && match e.kind() {
            ErrorKind::NotFound | ErrorKind::PackageState => true,
            ErrorKind::Service => e.status().is_some_and(|s| (400..500).contains(&s)),
            _ => false,
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
