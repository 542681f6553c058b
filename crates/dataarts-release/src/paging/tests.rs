//! The paginator against fake services that count `offset` in rows, in pages, or in neither.

use std::sync::{Arc, Mutex};

use futures::TryStreamExt;

use super::unit::OffsetUnit;
use super::*;
use crate::error::Error;

const OP: Operation = Operation::ListFactoryReleasePackages;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Counts {
    Rows,
    Pages,
    /// Answers the first page whatever the offset.
    Ignored,
    /// `offset` counts half pages.
    HalfPages,
}

#[derive(Debug, Clone, Copy)]
enum Total {
    Absent,
    Exact,
    /// Says this many more than there are.
    Over(u32),
    /// Says this many fewer than there are.
    Under(u32),
}

struct Fake {
    rows: Mutex<Vec<u32>>,
    counts: Counts,
    total: Total,
    /// `(offset, limit)` of every request.
    log: Mutex<Vec<(u32, u32)>>,
    /// Called before answering request number `n` (from 0), to change the rows.
    change: fn(usize, &mut Vec<u32>),
}

fn fake(n: u32, counts: Counts, total: Total) -> Arc<Fake> {
    Arc::new(Fake {
        rows: Mutex::new((0..n).collect()),
        counts,
        total,
        log: Mutex::new(Vec::new()),
        change: |_, _| {},
    })
}

impl Fake {
    fn answer(&self, offset: u32, limit: u32) -> Page<u32> {
        let mut log = self.log.lock().unwrap();
        let mut rows = self.rows.lock().unwrap();
        (self.change)(log.len(), &mut rows);
        log.push((offset, limit));
        let (o, l) = (offset as usize, limit as usize);
        let skip = match self.counts {
            Counts::Rows => o,
            Counts::Pages => o * l,
            Counts::Ignored => 0,
            Counts::HalfPages => o * l / 2,
        };
        let n = rows.len();
        let total = n as u32;
        Page {
            items: rows[skip.min(n)..(skip + l).min(n)].to_vec(),
            total: match self.total {
                Total::Absent => None,
                Total::Exact => Some(total),
                Total::Over(k) => Some(total + k),
                Total::Under(k) => Some(total - k),
            },
            offset,
            limit,
        }
    }

    fn requests(&self) -> Vec<(u32, u32)> {
        self.log.lock().unwrap().clone()
    }
}

fn key(x: &u32) -> String {
    x.to_string()
}

async fn list(f: &Arc<Fake>, units: &OffsetUnits, offset: u32, limit: u32) -> Result<Vec<u32>> {
    let f = f.clone();
    let fetch = move |o, l| {
        let f = f.clone();
        async move { Ok(f.answer(o, l)) }
    };
    items(pages(OP, units, offset, limit, key, fetch))
        .try_collect()
        .await
}

async fn page(f: &Arc<Fake>, units: &OffsetUnits, offset: u32, limit: u32) -> Result<Page<u32>> {
    let f = f.clone();
    let fetch = move |o, l| {
        let f = f.clone();
        async move { Ok(f.answer(o, l)) }
    };
    one_page(OP, units, offset, limit, key, fetch).await
}

fn message(r: Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(e @ Error::Decode { .. }) => e.to_string(),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_item_exactly_once_in_both_units() {
    for counts in [Counts::Rows, Counts::Pages] {
        for total in [Total::Absent, Total::Exact] {
            for n in [0, 1, 2, 5, 7, 10, 23] {
                for limit in [1, 2, 3, 5, 10] {
                    for offset in [0, 1, 4, 9, 30] {
                        let f = fake(n, counts, total);
                        let units = OffsetUnits::default();
                        let got = list(&f, &units, offset, limit).await.unwrap();
                        let want: Vec<u32> = (offset.min(n)..n).collect();
                        let case =
                            format!("{counts:?} {total:?} n={n} limit={limit} offset={offset}");
                        assert_eq!(got, want, "{case}: {:?}", f.requests());
                        // Reading every page once, plus at most one probe and one empty answer
                        // (without a total), plus the row read alone for an explicit offset.
                        let pages = (n.saturating_sub(offset)).div_ceil(limit).max(1) as usize;
                        let extra = 1 + usize::from(offset > 0) * 3;
                        assert!(
                            f.requests().len() <= pages + extra,
                            "{case}: {:?}",
                            f.requests()
                        );
                        let probed = f.requests().iter().filter(|r| **r == (1, limit)).count();
                        if offset == 0 {
                            assert!(probed <= 1, "{case}: probed {probed} times");
                        }
                        if n <= limit && offset == 0 {
                            let one = f.requests().len();
                            assert!(
                                one == 1 || matches!(total, Total::Absent) && one == 2,
                                "{case}"
                            );
                        }
                        if let Some(unit) = units.get(OP) {
                            let expected = if counts == Counts::Rows {
                                OffsetUnit::Rows
                            } else {
                                OffsetUnit::Pages
                            };
                            assert_eq!(unit, expected, "{case}");
                        }
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn the_unit_is_found_once_and_remembered() {
    for total in [Total::Exact, Total::Absent] {
        for counts in [Counts::Rows, Counts::Pages] {
            let case = format!("{counts:?} {total:?}");
            let units = OffsetUnits::default();
            let f = fake(23, counts, total);
            let all: Vec<u32> = (0..23).collect();
            assert_eq!(list(&f, &units, 0, 5).await.unwrap(), all, "{case}");
            let unit = match counts {
                Counts::Rows => OffsetUnit::Rows,
                _ => OffsetUnit::Pages,
            };
            assert_eq!(units.get(OP), Some(unit), "{case}");
            // With a count: offset 10 is below the 23 rows, 10 pages of 5 are past them.
            // Without: offset 1, which is page 2 when counting pages.
            let (probe, requests) = match (total, counts) {
                (Total::Exact, _) => ((10, 5), 6),
                (_, Counts::Rows) => ((1, 5), 6),
                _ => ((1, 5), 5),
            };
            assert_eq!(
                f.requests()[1],
                probe,
                "{case}: the second request is the probe"
            );
            assert_eq!(f.requests().len(), requests, "{case}: {:?}", f.requests());

            let again = fake(23, counts, total);
            assert_eq!(list(&again, &units, 0, 5).await.unwrap(), all, "{case}");
            let offsets: Vec<u32> = again.requests().iter().map(|r| r.0).collect();
            let expected = match counts {
                Counts::Rows => vec![0, 5, 10, 15, 20],
                _ => vec![0, 1, 2, 3, 4],
            };
            assert_eq!(offsets, expected, "{case}: no probe the second time");

            // An explicit row offset, translated.
            let third = fake(23, counts, total);
            assert_eq!(
                list(&third, &units, 7, 5).await.unwrap(),
                all[7..],
                "{case}"
            );
            let p = page(&third, &units, 12, 5).await.unwrap();
            assert_eq!((p.items, p.offset, p.limit), (all[12..17].to_vec(), 12, 5));
        }
    }
}

#[tokio::test]
async fn one_page_from_any_row_in_both_units() {
    for counts in [Counts::Rows, Counts::Pages] {
        for offset in [0, 1, 3, 5, 6, 20, 22, 23, 40] {
            let f = fake(23, counts, Total::Exact);
            let units = OffsetUnits::default();
            let p = page(&f, &units, offset, 5).await.unwrap();
            let want: Vec<u32> = (offset.min(23)..(offset + 5).min(23)).collect();
            assert_eq!(
                p.items,
                want,
                "{counts:?} offset {offset}: {:?}",
                f.requests()
            );
            assert_eq!(p.offset, offset);
            if offset == 0 {
                assert_eq!(f.requests(), [(0, 5)], "no probe for the first page");
            }
        }
    }
    let f = fake(23, Counts::Rows, Total::Exact);
    let p = page(&f, &OffsetUnits::default(), 6, 5).await.unwrap();
    assert_eq!(
        f.requests(),
        [(6, 1), (6, 5)],
        "a row service costs one extra request"
    );
    assert_eq!(p.items, [6, 7, 8, 9, 10]);
}

#[tokio::test]
async fn services_that_fit_neither_are_errors() {
    for counts in [Counts::Ignored, Counts::HalfPages] {
        // Without a count, the probe at offset 1 fits neither reading.
        let f = fake(23, counts, Total::Absent);
        let units = OffsetUnits::default();
        let m = message(list(&f, &units, 0, 4).await);
        assert!(m.contains("neither a row offset nor a page index"), "{m}");
        assert!(m.starts_with("list_factory_release_packages: "), "{m}");
        assert_eq!(units.get(OP), None, "nothing remembered");
        // With one, the count probe reads them as rows; the next pages then repeat themselves
        // or end short of the count.
        let f = fake(23, counts, Total::Exact);
        let m = message(list(&f, &OffsetUnits::default(), 0, 4).await);
        let expected = match counts {
            Counts::Ignored => "the same page again at offset 4",
            _ => "counts 23 matching items",
        };
        assert!(m.contains(expected), "{m}");
    }
    // From another row: the row read alone is neither first as rows nor in place as pages.
    let f = fake(23, Counts::HalfPages, Total::Absent);
    let m = message(page(&f, &OffsetUnits::default(), 9, 4).await);
    assert!(m.contains("neither a row offset nor a page index"), "{m}");
}

#[tokio::test]
async fn a_total_the_listing_does_not_reach_is_an_error() {
    let f = fake(7, Counts::Rows, Total::Over(5));
    let m = message(list(&f, &OffsetUnits::default(), 0, 3).await);
    assert!(
        m.contains("counts 12 matching items") && m.contains("after 7"),
        "{m}"
    );
    // A total below what is there ends the listing with the page that reaches it, as before.
    let f = fake(10, Counts::Rows, Total::Under(4));
    let units = OffsetUnits::default();
    units.remember(OP, OffsetUnit::Rows);
    assert_eq!(list(&f, &units, 0, 3).await.unwrap(), [0, 1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn the_same_page_twice_is_an_error() {
    let units = OffsetUnits::default();
    units.remember(OP, OffsetUnit::Rows);
    let f = fake(23, Counts::Ignored, Total::Absent);
    let m = message(list(&f, &units, 0, 4).await);
    assert!(m.contains("same page again at offset 4"), "{m}");
}

#[tokio::test]
async fn a_row_inserted_between_pages_is_not_returned_twice() {
    // Row 100 appears at the front after the first page: every later row moves down by one.
    let inserted = |counts, total| {
        Arc::new(Fake {
            change: |n, rows| {
                if n == 1 {
                    rows.insert(0, 100);
                }
            },
            ..Arc::into_inner(fake(10, counts, total)).unwrap()
        })
    };
    let known = OffsetUnits::default();
    known.remember(OP, OffsetUnit::Rows);
    let f = inserted(Counts::Rows, Total::Absent);
    assert_eq!(
        list(&f, &known, 0, 3).await.unwrap(),
        (0..10).collect::<Vec<_>>()
    );
    // The same change right before the probe: with a count, the probe still tells rows from
    // pages; without one, the overlap no longer fits and the listing stops instead of guessing.
    for counts in [Counts::Rows, Counts::Pages] {
        let f = inserted(counts, Total::Exact);
        let units = OffsetUnits::default();
        let got = list(&f, &units, 0, 3).await.unwrap();
        assert_eq!(got, (0..10).collect::<Vec<_>>(), "{counts:?}");
        let unit = if counts == Counts::Rows {
            OffsetUnit::Rows
        } else {
            OffsetUnit::Pages
        };
        assert_eq!(units.get(OP), Some(unit));
    }
    let f = inserted(Counts::Rows, Total::Absent);
    let m = message(list(&f, &OffsetUnits::default(), 0, 3).await);
    assert!(m.contains("neither"), "{m}");
}
