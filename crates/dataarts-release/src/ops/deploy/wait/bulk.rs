//! Reading the state of many releases in bulk from the package list, and the cost model
//! that decides, round by round, whether that is cheaper than asking each release in turn.
//!
//! Asking each release task in turn costs one request per open release per poll round: at the
//! documented 10 requests/s, one round over 10,000 releases lasts more than 16 minutes. The
//! package list answers for 100 packages per request instead, so a bulk round reads:
//!
//! 1. **Who is still releasing**: the list filtered to `deploy_status` 5 (releasing), newest
//!    release first, 100 per page, until every open id was seen or the list ends. An open id
//!    in it is still releasing; one that is not has (probably) ended. Cost: the number of
//!    releasing packages in the workspace / 100, ours and everyone else's. Newest first,
//!    because the releases that end while we page are mostly the oldest ones, at the end of
//!    that order: removing an item behind the pages already read could shift an id past us,
//!    and a missed id costs one request below, never a wrong answer.
//! 2. **How the ended ones ended**: the list filtered to `deploy_status` 2 and 3 (released,
//!    failed; both final, so an id seen there has ended for good), newest release first, until
//!    every id that left the releasing list was found. Releases that end while we page are
//!    added at the front, which only shows an item twice. Paging stops early as soon as the
//!    remaining ids cannot be further down (the page is older than the release time seen for
//!    every one of them while they were releasing) or when the pages read reach the number of
//!    ids still missing (asking each of them is then no dearer).
//! 3. **Everything else**, an id in neither list (it ended between the two reads and was
//!    shifted past, was deleted or revoked, never released, or its state is unknown), is read
//!    individually, exactly as in per-release polling, so both ways of reading agree on every
//!    outcome, error and timeout.
//!
//! A listing the paginator cannot make sense of (one that changed too much while it was
//! paged looks like the same page twice, or like a count it does not reach) concludes
//! nothing: that round learns nothing and the next one reads again; after three such rounds
//! in a row the wait asks each release instead. Any other failed read ends the wait, as a
//! failed per-release read does.
//!
//! Both reads go through the public list API ([`ListPackages::pages`]), so they page
//! correctly whatever the service's `offset` counts, and through the client's rate limiter.
//! Only ids of the deployment are kept from the lists (memory is bounded by the deployment,
//! not by the workspace), and nothing is ever reported for an id that is not in it.
//!
//! The cost model ([`bulk_is_cheaper`]): a bulk round costs the releasing pages (from the
//! previous round's list total, or the number of open ids before the first one) plus at
//! least one page of outcomes in a round where something ended; asking each release costs
//! one request per open id. Per-release polling is kept whenever it costs no more, because a
//! release task also tells which subtasks finished (the progress a small deployment shows).
//!
//! [`ListPackages::pages`]: crate::ListPackages::pages

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;

use crate::client::Client;
use crate::error::Result;
use crate::model::{DeployStatus, ReleasePackage, SortDirection};

/// Packages per list request.
pub(super) const PAGE: u32 = 100;

/// The column both lists are sorted by, newest release first.
const RELEASE_TIME: &str = "deploy_timestamp";

/// True when a bulk round is expected to cost fewer requests than asking each of `open`
/// releases in turn. `releasing_total` is how many packages the workspace had releasing at
/// the last bulk read (`None` before the first one: then only ours are assumed releasing).
pub(super) fn bulk_is_cheaper(open: usize, releasing_total: Option<u32>) -> bool {
    let releasing = releasing_total.map_or(open, |t| t as usize);
    let pages = releasing.div_ceil(PAGE as usize).max(1);
    pages + 1 < open
}

/// What one releasing scan found.
#[derive(Debug, Default)]
pub(super) struct Releasing {
    /// Open ids in the list, with their release time when the list gave one.
    pub(super) ids: HashMap<String, Option<i64>>,
    /// How many packages the workspace has releasing (the list's total, or the count seen).
    pub(super) total: u32,
}

/// Lists releasing packages until every id of `open` was seen or the list ends.
pub(super) async fn releasing(client: &Client, open: &HashSet<&str>) -> Result<Releasing> {
    let mut pages = client
        .list_packages()
        .status(DeployStatus::Releasing)
        .sort(RELEASE_TIME, SortDirection::Desc)
        .limit(PAGE)
        .pages();
    let mut found = Releasing::default();
    let mut seen: u32 = 0;
    while let Some(page) = pages.try_next().await? {
        seen = seen.saturating_add(u32::try_from(page.items.len()).unwrap_or(u32::MAX));
        found.total = found.total.max(page.total.unwrap_or(0)).max(seen);
        for p in page.items {
            // The filter is trusted only as far as the status each item shows.
            if open.contains(p.id.as_str()) && p.deploy_status == Some(DeployStatus::Releasing) {
                found
                    .ids
                    .insert(p.id.to_string(), p.deploy_time.map(|t| t.millis()));
            }
        }
        if found.ids.len() == open.len() {
            break;
        }
    }
    Ok(found)
}

/// Lists released and failed packages, newest release first, until every id of `wanted`
/// was found, the remaining ones cannot be further down, the pages read reach the number of
/// ids still missing, or the list ends. Returns every id of `open` it came across (those of
/// `wanted` and any other that ended meanwhile) with its package as listed.
///
/// `released_at` gives, for ids seen releasing earlier, their release time then.
pub(super) async fn ended(
    client: &Client,
    open: &HashSet<&str>,
    wanted: &HashSet<&str>,
    released_at: impl Fn(&str) -> Option<i64>,
) -> Result<HashMap<String, ReleasePackage>> {
    let mut found: HashMap<String, ReleasePackage> = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let mut pages = client
        .list_packages()
        .status(DeployStatus::Succeeded)
        .status(DeployStatus::Failed)
        .sort(RELEASE_TIME, SortDirection::Desc)
        .limit(PAGE)
        .pages();
    let mut read = 0usize;
    loop {
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|id| !found.contains_key(*id))
            .collect();
        if missing.is_empty() || read >= missing.len() {
            break;
        }
        let Some(page) = pages.try_next().await? else {
            break;
        };
        read += 1;
        let oldest = page
            .items
            .iter()
            .filter_map(|p| p.deploy_time.map(|t| t.millis()))
            .min();
        for p in page.items {
            if open.contains(p.id.as_str()) && p.deploy_status.is_some_and(DeployStatus::is_final) {
                found.insert(p.id.to_string(), p);
            }
        }
        // A release time only grows (set when the release starts, perhaps again when it
        // ends), so an id released at `t` is never listed after a page older than `t`.
        let below_all = oldest.is_some_and(|oldest| {
            missing
                .iter()
                .filter(|id| !found.contains_key(**id))
                .all(|id| released_at(id).is_some_and(|t| oldest < t))
        });
        if below_all {
            break;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_deployments_poll_each_release_and_large_ones_read_the_list() {
        // Two releases: per release costs 2, a bulk round that sees one end costs 2 too.
        assert!(!bulk_is_cheaper(1, None));
        assert!(!bulk_is_cheaper(2, None));
        assert!(bulk_is_cheaper(3, None));
        assert!(bulk_is_cheaper(10_000, None));
        assert!(bulk_is_cheaper(250, Some(250)));
    }

    #[test]
    fn a_crowded_workspace_makes_asking_each_release_cheaper() {
        // 5,000 others releasing: 50 pages a round, so up to 51 open ids are cheaper one by one.
        assert!(!bulk_is_cheaper(51, Some(5_000)));
        assert!(bulk_is_cheaper(52, Some(5_000)));
        // A list total of 0 still costs one page.
        assert!(bulk_is_cheaper(3, Some(0)));
    }
}
