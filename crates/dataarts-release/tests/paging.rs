//! Listing reads every item exactly once whether the service's `offset` counts rows or pages,
//! finds out which with at most one extra request per client and operation, and keeps
//! `.offset(n)` a row offset.

mod common;

use common::*;
use dataarts_emulator::{OffsetUnit, RunningEmulator};
use dataarts_release::{Client, Operation, PendingItem, ReleasePackage};
use futures::TryStreamExt;

/// 3 demo packages + 20 seeded = 23; 5 demo pending items + 20 = 25. A page of 7 divides
/// neither.
const SEEDED: usize = 20;
const LIMIT: u32 = 7;

async fn emulator_counting(unit: OffsetUnit) -> RunningEmulator {
    emulator_with(|b| b.seed_packages(SEEDED).offset_unit(unit)).await
}

fn requests(emu: &RunningEmulator, op: Operation) -> usize {
    emu.journal()
        .iter()
        .filter(|j| j.operation == Some(op))
        .count()
}

fn package_ids(v: &[ReleasePackage]) -> Vec<String> {
    v.iter().map(|p| p.id.to_string()).collect()
}

fn item_ids(v: &[PendingItem]) -> Vec<String> {
    v.iter().map(|p| p.id.to_string()).collect()
}

/// Everything in one page (no second page, so nothing to find out), from a client of its own.
async fn all_packages(emu: &RunningEmulator) -> Vec<String> {
    let page = client(emu)
        .list_packages()
        .limit(1000)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total, Some(23));
    package_ids(&page.items)
}

async fn all_items(emu: &RunningEmulator) -> Vec<String> {
    let page = client(emu).pending_items().limit(100).send().await.unwrap();
    assert_eq!(page.total, Some(25));
    item_ids(&page.items)
}

async fn stream_packages(c: &Client, offset: u32) -> Vec<String> {
    let all: Vec<ReleasePackage> = c
        .list_packages()
        .limit(LIMIT)
        .offset(offset)
        .stream()
        .try_collect()
        .await
        .unwrap();
    package_ids(&all)
}

async fn stream_items(c: &Client, offset: u32) -> Vec<String> {
    let all: Vec<PendingItem> = c
        .pending_items()
        .limit(LIMIT)
        .offset(offset)
        .stream()
        .try_collect()
        .await
        .unwrap();
    item_ids(&all)
}

#[tokio::test]
async fn packages_stream_every_item_once_in_order_in_both_units() {
    const LIST: Operation = Operation::ListFactoryReleasePackages;
    for unit in [OffsetUnit::Rows, OffsetUnit::Pages] {
        let emu = emulator_counting(unit).await;
        let expected = all_packages(&emu).await;
        let before = requests(&emu, LIST);
        let c = client(&emu);
        assert_eq!(stream_packages(&c, 0).await, expected, "{unit:?}");
        // 4 pages of 7 for 23 packages, and one probe to find out what offset counts.
        let first = requests(&emu, LIST) - before;
        assert_eq!(first, 5, "{unit:?}: the first listing");
        // Known now, for this client and its clones: 4 requests, no probe.
        assert_eq!(stream_packages(&c.clone(), 0).await, expected, "{unit:?}");
        assert_eq!(
            requests(&emu, LIST) - before - first,
            4,
            "{unit:?}: no probe again"
        );
        // A row offset stays a row offset.
        assert_eq!(stream_packages(&c, 10).await, expected[10..], "{unit:?}");
        let page = c
            .list_packages()
            .limit(LIMIT)
            .offset(10)
            .send()
            .await
            .unwrap();
        assert_eq!(package_ids(&page.items), expected[10..17], "{unit:?}");
        assert_eq!((page.offset, page.limit, page.total), (10, LIMIT, Some(23)));
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn pending_items_stream_every_item_once_in_order_in_both_units() {
    const LIST: Operation = Operation::ListFactoryPendingItems;
    for unit in [OffsetUnit::Rows, OffsetUnit::Pages] {
        let emu = emulator_counting(unit).await;
        let expected = all_items(&emu).await;
        let before = requests(&emu, LIST);
        let c = client(&emu);
        assert_eq!(stream_items(&c, 0).await, expected, "{unit:?}");
        let first = requests(&emu, LIST) - before;
        assert_eq!(first, 5, "{unit:?}: 4 pages and the probe");
        assert_eq!(stream_items(&c, 0).await, expected, "{unit:?}");
        assert_eq!(
            requests(&emu, LIST) - before - first,
            4,
            "{unit:?}: no probe again"
        );
        assert_eq!(stream_items(&c, 3).await, expected[3..], "{unit:?}");
        let page = c
            .pending_items()
            .limit(LIMIT)
            .offset(3)
            .send()
            .await
            .unwrap();
        assert_eq!(item_ids(&page.items), expected[3..10], "{unit:?}");
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn an_explicit_offset_on_a_fresh_client_in_both_units() {
    for unit in [OffsetUnit::Rows, OffsetUnit::Pages] {
        let emu = emulator_counting(unit).await;
        let packages = all_packages(&emu).await;
        let items = all_items(&emu).await;
        for offset in [1, 6, 7, 15, 22, 23, 30] {
            let c = client(&emu);
            let from = (offset as usize).min(packages.len());
            assert_eq!(
                stream_packages(&c, offset).await,
                packages[from..],
                "{unit:?} {offset}"
            );
            let c = client(&emu);
            let page = c
                .list_packages()
                .limit(LIMIT)
                .offset(offset)
                .send()
                .await
                .unwrap();
            let to = (from + LIMIT as usize).min(packages.len());
            assert_eq!(
                package_ids(&page.items),
                packages[from..to],
                "{unit:?} {offset}"
            );
            let c = client(&emu);
            let from = (offset as usize).min(items.len());
            assert_eq!(
                stream_items(&c, offset).await,
                items[from..],
                "{unit:?} {offset}"
            );
        }
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn the_unit_is_found_per_operation_and_a_single_page_costs_nothing() {
    let emu = emulator_counting(OffsetUnit::Pages).await;
    let c = client(&emu);
    // Fits one page: one request each, nothing to find out.
    let small = c
        .list_packages()
        .limit(100)
        .stream()
        .try_collect::<Vec<_>>();
    assert_eq!(small.await.unwrap().len(), 23);
    assert_eq!(requests(&emu, Operation::ListFactoryReleasePackages), 1);
    // One row per page means the same in both units: no probe either.
    let ones: Vec<PendingItem> = c
        .pending_items()
        .limit(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ones.len(), 25);
    assert_eq!(requests(&emu, Operation::ListFactoryPendingItems), 25);
    // What the package listing found out is not assumed for the pending items.
    let expected = all_items(&emu).await;
    let n = requests(&emu, Operation::ListFactoryPendingItems);
    assert_eq!(stream_items(&c, 0).await, expected);
    assert_eq!(
        requests(&emu, Operation::ListFactoryPendingItems) - n,
        5,
        "with the probe"
    );
    // The emulator can switch at run time; a new client finds out again.
    emu.set_offset_unit(OffsetUnit::Rows);
    let fresh = client(&emu);
    assert_eq!(stream_items(&fresh, 0).await, expected);
    emu.shutdown().await;
}
