//! What a list operation's `offset` counts: the client's memory of it, and how a probe decides.

use std::sync::Mutex;

use dataarts_release_raw::Operation;

use crate::error::Error;

/// What the service's `offset` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OffsetUnit {
    /// `offset` rows are skipped.
    Rows,
    /// `offset` is a page index: `offset * limit` rows are skipped.
    Pages,
}

impl OffsetUnit {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OffsetUnit::Rows => "rows",
            OffsetUnit::Pages => "pages",
        }
    }
}

/// What one client has found out, per operation. Shared by the client's clones; the first
/// finding stays (the service does not change its mind within a client's life).
#[derive(Debug, Default)]
pub(crate) struct OffsetUnits {
    known: Mutex<Vec<(Operation, OffsetUnit)>>,
}

impl OffsetUnits {
    pub(crate) fn get(&self, operation: Operation) -> Option<OffsetUnit> {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known
            .iter()
            .find(|(op, _)| *op == operation)
            .map(|(_, u)| *u)
    }

    pub(crate) fn remember(&self, operation: Operation, unit: OffsetUnit) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if !known.iter().any(|(op, _)| *op == operation) {
            tracing::debug!(
                operation = operation.id(),
                unit = unit.as_str(),
                "found what the list offset counts"
            );
            known.push((operation, unit));
        }
    }
}

/// What the answer at offset 1 says, next to a full first page read at offset 0 with the same
/// limit (at least 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The first page again from its second row on, then new rows: a row offset.
    Rows,
    /// Nothing of the first page: the next page.
    Pages,
    /// Nothing at all: the listing ends with the first page, whatever `offset` counts.
    Empty,
    /// Anything else: the first page again (an `offset` the service ignores), a shift by
    /// more than one row, rows out of order. Rows added or removed between the two requests
    /// land here too: better a retry than a listing with a row twice or missing.
    Neither,
}

/// Decides from the keys of the first page and of the answer at offset 1.
pub(crate) fn decide(first: &[String], probe: &[String]) -> Verdict {
    if probe.is_empty() {
        return Verdict::Empty;
    }
    let shared = probe.iter().filter(|k| first.contains(k)).count();
    if shared == 0 {
        return Verdict::Pages;
    }
    let tail = first.get(1..).unwrap_or_default();
    let overlap = tail.len().min(probe.len());
    if shared == overlap && tail.iter().zip(probe).all(|(a, b)| a == b) {
        Verdict::Rows
    } else {
        Verdict::Neither
    }
}

/// An answer that cannot be read as a consistent listing.
pub(crate) fn inconsistent(operation: Operation, message: String) -> Error {
    Error::Decode {
        operation,
        status: 200,
        message,
        excerpt: String::new(),
        request_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &[u32]) -> Vec<String> {
        v.iter().map(u32::to_string).collect()
    }

    #[test]
    fn verdicts() {
        let first = keys(&[0, 1, 2, 3]);
        let d = |probe: &[u32]| decide(&first, &keys(probe));
        assert_eq!(d(&[1, 2, 3, 4]), Verdict::Rows);
        assert_eq!(d(&[1, 2, 3]), Verdict::Rows, "short probe");
        assert_eq!(d(&[1]), Verdict::Rows, "very short probe");
        assert_eq!(d(&[2, 3, 4, 5]), Verdict::Neither, "shifted by two");
        assert_eq!(d(&[3, 9, 10, 11]), Verdict::Neither);
        assert_eq!(d(&[4, 5, 6, 7]), Verdict::Pages);
        assert_eq!(d(&[4, 5]), Verdict::Pages, "short last page");
        assert_eq!(d(&[]), Verdict::Empty);
        assert_eq!(d(&[0, 1, 2, 3]), Verdict::Neither, "offset ignored");
        assert_eq!(d(&[0, 1, 2, 4]), Verdict::Neither);
        assert_eq!(d(&[1, 3, 2, 4]), Verdict::Neither, "reordered");
        assert_eq!(d(&[1, 2, 3, 0]), Verdict::Neither, "the first row again");
        assert_eq!(
            d(&[5, 2, 6, 7]),
            Verdict::Neither,
            "overlap not at the start"
        );
        let two = keys(&[0, 1]);
        assert_eq!(decide(&two, &keys(&[1, 2])), Verdict::Rows);
        assert_eq!(decide(&two, &keys(&[2, 3])), Verdict::Pages);
    }

    #[test]
    fn the_first_finding_stays_per_operation() {
        let units = OffsetUnits::default();
        let list = Operation::ListFactoryReleasePackages;
        let pending = Operation::ListFactoryPendingItems;
        assert_eq!(units.get(list), None);
        units.remember(list, OffsetUnit::Pages);
        units.remember(list, OffsetUnit::Rows);
        assert_eq!(units.get(list), Some(OffsetUnit::Pages));
        assert_eq!(units.get(pending), None);
        units.remember(pending, OffsetUnit::Rows);
        assert_eq!(units.get(pending), Some(OffsetUnit::Rows));
        assert_eq!(OffsetUnit::Pages.as_str(), "pages");
    }
}
