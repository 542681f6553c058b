//! Reads a listing page by page from a row offset, whatever the service's `offset` counts.
//!
//! Until the client knows the unit, only unit-neutral requests are sent (offset 0, or
//! limit 1). When a full first page says how many rows there are, one probe at an offset
//! where a row offset finds rows and a page index looks past the end tells them apart;
//! without a count, a probe at offset 1 does, by how it overlaps the first page. A listing
//! that starts at a row other than 0 reads that row alone and checks which reading of the
//! offset finds it first.

use std::collections::HashSet;
use std::future::Future;

use dataarts_release_raw::Operation;

use super::unit::{decide, inconsistent, OffsetUnit, OffsetUnits, Verdict};
use crate::error::Result;
use crate::model::Page;

/// Keys remembered per listing to drop repeats; past this many only the last answer counts.
const MAX_REMEMBERED_KEYS: usize = 100_000;

/// One answer, placed in the listing.
struct Answer<T> {
    page: Page<T>,
    /// The offset sent.
    sent: u32,
    /// The row of the answer's first item.
    row: u32,
    /// Leading items that come before the row wanted.
    skip: usize,
}

pub(crate) struct Reader<'a, T, F> {
    operation: Operation,
    units: &'a OffsetUnits,
    limit: u32,
    key: fn(&T) -> String,
    fetch: F,
    /// The next row wanted (a row offset, as the caller counts).
    pos: u32,
    /// Keys of the last answer, in order.
    previous: Vec<String>,
    /// Whether the last answer was to offset 0 (the page a probe is compared with).
    previous_at_zero: bool,
    /// The row count the last answer reported.
    total: Option<u32>,
    seen: HashSet<String>,
    done: bool,
    yielded: bool,
}

impl<'a, T, F, Fut> Reader<'a, T, F>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    /// A reader from row `offset`, `limit` rows per request; `fetch(offset, limit)` sends one.
    pub(crate) fn new(
        operation: Operation,
        units: &'a OffsetUnits,
        offset: u32,
        limit: u32,
        key: fn(&T) -> String,
        fetch: F,
    ) -> Self {
        Self {
            operation,
            units,
            limit: limit.max(1),
            key,
            fetch,
            pos: offset,
            previous: Vec::new(),
            previous_at_zero: false,
            total: None,
            seen: HashSet::new(),
            done: false,
            yielded: false,
        }
    }

    /// The next page with something new; `None` once the listing has ended. An error ends it.
    pub(crate) async fn next(&mut self) -> Option<Result<Page<T>>> {
        while !self.done {
            match self.step().await {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(Some(page)) => {
                    self.yielded = true;
                    return Some(Ok(page));
                }
                Ok(None) => {}
            }
        }
        None
    }

    async fn step(&mut self) -> Result<Option<Page<T>>> {
        let want = self.pos;
        let Answer {
            page,
            sent,
            row,
            skip,
        } = self.read().await?;
        let keys: Vec<String> = page.items.iter().map(self.key).collect();
        if !keys.is_empty() && keys == self.previous {
            return Err(inconsistent(
                self.operation,
                format!(
                    "the server returned the same page again at offset {sent}; stopping instead \
                     of looping"
                ),
            ));
        }
        let len = u32::try_from(page.items.len()).unwrap_or(u32::MAX);
        let end = row.saturating_add(len);
        let short = len < self.limit;
        if short || page.total.is_some_and(|t| end >= t) {
            self.done = true;
        }
        if let Some(total) = page.total.filter(|t| short && *t > end) {
            return Err(inconsistent(
                self.operation,
                format!(
                    "the server counts {total} matching items, but its answer at offset {sent} \
                     (limit {}) ends the listing after {end} of them ({}); stopping instead of \
                     returning a listing with items missing: retry, and report it if it \
                     persists",
                    self.limit,
                    self.unit_text()
                ),
            ));
        }
        self.pos = self.pos.max(end);
        self.previous_at_zero = sent == 0;
        self.total = page.total;
        let full = self.seen.len() >= MAX_REMEMBERED_KEYS;
        let mut items = Vec::new();
        for (i, (item, k)) in page.items.into_iter().zip(&keys).enumerate() {
            let repeat = self.seen.contains(k) || (full && self.previous.contains(k));
            if !full {
                self.seen.insert(k.clone());
            }
            if i >= skip && !repeat {
                items.push(item);
            }
        }
        self.previous = keys;
        if items.is_empty() && (self.yielded || !self.done) {
            return Ok(None);
        }
        Ok(Some(Page {
            items,
            total: page.total,
            offset: want,
            limit: self.limit,
        }))
    }

    fn unit_text(&self) -> &'static str {
        match self.units.get(self.operation) {
            Some(u) => u.as_str(),
            None => "offset unit not yet known",
        }
    }

    /// Sends what the next row needs, detecting the unit on the way if it is not known.
    async fn read(&mut self) -> Result<Answer<T>> {
        let (pos, limit) = (self.pos, self.limit);
        let unit = if limit == 1 {
            // With one row per page, a row offset and a page index are the same number.
            Some(OffsetUnit::Rows)
        } else {
            self.units.get(self.operation)
        };
        match unit {
            Some(unit) => self.read_in(unit).await,
            None if pos == 0 => self.plain(0, 0, 0).await,
            None if self.previous_at_zero && pos == limit => {
                match self.count_probe(self.total).await? {
                    Some(unit) => self.read_in(unit).await,
                    None => self.overlap_probe().await,
                }
            }
            None => self.find_row().await,
        }
    }

    async fn read_in(&mut self, unit: OffsetUnit) -> Result<Answer<T>> {
        let (pos, limit) = (self.pos, self.limit);
        match unit {
            OffsetUnit::Rows => self.plain(pos, pos, 0).await,
            OffsetUnit::Pages => {
                let index = pos / limit;
                self.plain(index, index * limit, (pos % limit) as usize)
                    .await
            }
        }
    }

    async fn plain(&mut self, offset: u32, row: u32, skip: usize) -> Result<Answer<T>> {
        let page = (self.fetch)(offset, self.limit).await?;
        Ok(Answer {
            page,
            sent: offset,
            row,
            skip,
        })
    }

    /// With `total` rows, a page at an offset `o` below `total` but with `o * limit` past
    /// it: a row offset finds rows there, a page index does not. `o` sits far from both
    /// bounds, so rows that come or go in between (a listing of releasing packages changes all
    /// the time) do not change the answer; an answer the new `total` makes ambiguous decides
    /// nothing (`None`).
    async fn count_probe(&mut self, total: Option<u32>) -> Result<Option<OffsetUnit>> {
        let limit = self.limit;
        let Some(total) = total.filter(|t| *t > limit) else {
            return Ok(None);
        };
        let (low, high) = (total.div_ceil(limit), total - 1);
        if low > high {
            return Ok(None);
        }
        let middle = (u64::from(low) * u64::from(high)).isqrt();
        let offset = u32::try_from(middle).unwrap_or(high).clamp(low, high);
        let page = (self.fetch)(offset, limit).await?;
        let now = u64::from(page.total.unwrap_or(total));
        let unit = if page.items.is_empty() {
            (u64::from(offset) < now).then_some(OffsetUnit::Pages)
        } else {
            (u64::from(offset) * u64::from(limit) >= now).then_some(OffsetUnit::Rows)
        };
        if let Some(unit) = unit {
            self.units.remember(self.operation, unit);
        }
        Ok(unit)
    }

    /// After a full first page, without a usable count: offset 1 tells rows (it repeats the
    /// first page shifted by one) from pages (it follows it).
    async fn overlap_probe(&mut self) -> Result<Answer<T>> {
        let page = (self.fetch)(1, self.limit).await?;
        let keys: Vec<String> = page.items.iter().map(self.key).collect();
        let row = match decide(&self.previous, &keys) {
            Verdict::Rows => {
                self.units.remember(self.operation, OffsetUnit::Rows);
                1
            }
            Verdict::Pages | Verdict::Empty => {
                if !keys.is_empty() {
                    self.units.remember(self.operation, OffsetUnit::Pages);
                }
                self.limit
            }
            Verdict::Neither => {
                return Err(inconsistent(
                    self.operation,
                    format!(
                        "the answers at offset 0 and offset 1 (limit {}) fit neither a row \
                         offset nor a page index (offset 1 should repeat the first page shifted \
                         by one row, or follow it); stopping instead of returning items twice \
                         or missing some: retry, and report it if it persists",
                        self.limit
                    ),
                ))
            }
        };
        Ok(Answer {
            page,
            sent: 1,
            row,
            skip: 0,
        })
    }

    /// Before anything is known, from a row other than 0: read that row alone (limit 1 means
    /// the same in both units), then keep the reading of `offset` that starts with it. When
    /// rows came or went in between, the count probe decides.
    async fn find_row(&mut self) -> Result<Answer<T>> {
        let (pos, limit) = (self.pos, self.limit);
        let single = (self.fetch)(pos, 1).await?;
        let Some(wanted) = single.items.first().map(self.key) else {
            return Ok(Answer {
                page: single,
                sent: pos,
                row: pos,
                skip: 0,
            });
        };
        let as_rows = (self.fetch)(pos, limit).await?;
        if as_rows.items.first().map(self.key).as_ref() == Some(&wanted) {
            self.units.remember(self.operation, OffsetUnit::Rows);
            return Ok(Answer {
                page: as_rows,
                sent: pos,
                row: pos,
                skip: 0,
            });
        }
        let total = as_rows.total.or(single.total);
        if as_rows.items.is_empty() && total.is_some_and(|t| pos < t) {
            // Rows up to `total` exist, but not from page `pos` on.
            self.units.remember(self.operation, OffsetUnit::Pages);
            return self.read_in(OffsetUnit::Pages).await;
        }
        if let Some(unit) = self.count_probe(total).await? {
            return self.read_in(unit).await;
        }
        let (index, skip) = (pos / limit, (pos % limit) as usize);
        let as_pages = (self.fetch)(index, limit).await?;
        if as_pages.items.get(skip).map(self.key).as_ref() == Some(&wanted) {
            self.units.remember(self.operation, OffsetUnit::Pages);
            return Ok(Answer {
                page: as_pages,
                sent: index,
                row: index * limit,
                skip,
            });
        }
        Err(inconsistent(
            self.operation,
            format!(
                "item {wanted} (offset {pos}, limit 1) is neither first at offset {pos} nor item \
                 {} at offset {index} (limit {limit}), so the offset is neither a row offset nor \
                 a page index; stopping instead of returning a wrong page: retry, and report it \
                 if it persists",
                skip + 1
            ),
        ))
    }
}
