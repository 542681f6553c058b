//! Reading the state of many packages with the fewest requests: one `show` per id, or the
//! package list 100 at a time, whichever costs less. Shared by the reconciliation after an
//! ambiguous failure, the taking apart of a refused batch, all-or-nothing and the plan.

use std::collections::HashMap;

use futures::StreamExt;

use crate::client::Client;
use crate::error::Error;
use crate::ids::PackageId;
use crate::model::{Page, ReleasePackage};

/// Rows per list page while reading states (the list's largest page the CLI also uses).
const LIST_PAGE: u32 = 100;

/// What reading one package found.
#[derive(Debug, Clone)]
pub(crate) enum Read {
    /// The package as read.
    Found(ReleasePackage),
    /// It does not exist (absent from a complete listing, or "does not exist" on `show`).
    Missing,
    /// Reading it failed; its state is unknown.
    Failed(Error),
}

/// The reads of a set of ids, and the requests they took.
#[derive(Debug)]
pub(crate) struct Reads {
    pub(crate) by_id: HashMap<PackageId, Read>,
    pub(crate) requests: usize,
}

impl Reads {
    /// The read of `id`; `None` only for an id that was not asked for.
    pub(crate) fn take(&mut self, id: &PackageId) -> Option<Read> {
        self.by_id.remove(id)
    }
}

impl Client {
    /// Reads the state of every id (validated, no duplicates). A single id is read with
    /// `show`; more start with one list page, then finish with whichever of "the remaining
    /// list pages" and "one show per id not seen yet" costs fewer requests.
    pub(crate) async fn read_states(&self, ids: &[PackageId]) -> Reads {
        let mut reads = Reads {
            by_id: HashMap::with_capacity(ids.len()),
            requests: 0,
        };
        if ids.len() > 1 {
            self.read_by_listing(ids, &mut reads).await;
        }
        for id in ids {
            if !reads.by_id.contains_key(id) {
                reads.requests += 1;
                let r = match self.show_package(id.clone()).await {
                    Ok(d) => Read::Found(d.package),
                    Err(e) if e.is_not_found() => Read::Missing,
                    Err(e) => Read::Failed(e),
                };
                reads.by_id.insert(id.clone(), r);
            }
        }
        reads
    }

    /// Lists packages while that is cheaper than showing the ids not seen yet; records what
    /// it found (and, after a complete listing, what is missing).
    async fn read_by_listing(&self, ids: &[PackageId], reads: &mut Reads) {
        let mut wanted: HashMap<&str, &PackageId> = ids.iter().map(|i| (i.as_str(), i)).collect();
        let mut pages = self.list_packages().limit(LIST_PAGE).pages();
        let mut seen: u64 = 0;
        let mut total = None;
        let mut complete = false;
        while let Some(page) = pages.next().await {
            reads.requests += 1;
            let page: Page<ReleasePackage> = match page {
                Ok(p) => p,
                // A failed page: the ids not seen yet are shown one by one.
                Err(e) => {
                    tracing::warn!(error = %e, "could not list the packages; reading them one by one");
                    return;
                }
            };
            seen += page.items.len() as u64;
            total = page.total.or(total);
            for p in page.items {
                if let Some(id) = wanted.remove(p.id.as_str()) {
                    reads.by_id.insert(id.clone(), Read::Found(p));
                }
            }
            let pages_left = total.map(|t| {
                u64::from(t)
                    .saturating_sub(seen)
                    .div_ceil(u64::from(LIST_PAGE))
            });
            // Without a total, an absence proves nothing: the rest are shown one by one.
            complete = pages_left == Some(0);
            if wanted.is_empty() || complete {
                break;
            }
            // Showing the rest is cheaper (or the length of the listing is unknown).
            if pages_left.is_none_or(|n| n >= wanted.len() as u64) {
                return;
            }
        }
        if !complete {
            // The listing ended before its total: nothing can be concluded from an absence.
            return;
        }
        // A complete listing: ids that print differently from the service's ids ("007") are
        // shown instead of being declared missing.
        for (text, id) in wanted {
            if is_canonical(text) {
                reads.by_id.insert(id.clone(), Read::Missing);
            }
        }
    }
}

/// True for the decimal form the service prints package ids in.
fn is_canonical(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::is_canonical;

    #[test]
    fn canonical_ids() {
        assert!(is_canonical("23") && is_canonical("0") && is_canonical("1000"));
        assert!(!is_canonical("023") && !is_canonical("") && !is_canonical("-1"));
        assert!(!is_canonical("1e3") && !is_canonical(" 1"));
    }
}
