//! `packages list --all` and `pending list --all` return every item exactly once whether the
//! service's `offset` counts rows or pages (the emulator's `--offset-unit`).
#![cfg(feature = "emulator")]

mod common;

use std::collections::BTreeSet;

use common::*;
use dataarts_emulator::{OffsetUnit, DEMO_WORKSPACE_ID};
use dataarts_release::Operation;

/// 3 demo packages + 20 seeded = 23, 5 demo pending items + 20 = 25; pages of 7.
const SEEDED: usize = 20;

/// An emulator in this process that counts `offset` in `unit`.
struct Emu {
    emu: Option<RunningEmulator>,
    rt: tokio::runtime::Runtime,
}

impl Emu {
    fn start(unit: OffsetUnit) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt
            .block_on(
                Emulator::builder()
                    .demo()
                    .aksk(TEST_AK, TEST_SK)
                    .task_timing(TaskTiming::Manual)
                    .seed_packages(SEEDED)
                    .offset_unit(unit)
                    .start(),
            )
            .expect("emulator");
        Self { emu: Some(emu), rt }
    }

    fn emu(&self) -> &RunningEmulator {
        self.emu.as_ref().expect("running")
    }

    fn run(&self, args: &[&str]) -> Value {
        let o = cli(&[&["--output", "json"], args].concat())
            .env("HUAWEICLOUD_SDK_AK", TEST_AK)
            .env("HUAWEICLOUD_SDK_SK", TEST_SK)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID)
            .env("DATAARTS_WORKSPACE", DEMO_WORKSPACE_ID)
            .env("DATAARTS_ENDPOINT", &self.emu().url())
            .run();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        json(&o)
    }

    fn requests(&self, op: Operation) -> usize {
        let journal = self.emu().journal();
        journal.iter().filter(|j| j.operation == Some(op)).count()
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(e) = self.emu.take() {
            self.rt.block_on(e.shutdown());
        }
    }
}

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {v}"))
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

/// The ids the emulator was seeded with: the demo's and `first..first + SEEDED`.
fn seeded(demo: &[u32], first: u32) -> BTreeSet<u32> {
    demo.iter()
        .copied()
        .chain(first..first + SEEDED as u32)
        .collect()
}

fn as_set(ids: &[String]) -> BTreeSet<u32> {
    ids.iter().map(|i| i.parse().expect("numeric id")).collect()
}

#[test]
fn packages_list_all_returns_every_package_once_in_both_units() {
    for unit in [OffsetUnit::Rows, OffsetUnit::Pages] {
        let emu = Emu::start(unit);
        let one_page = ids(
            &emu.run(&["packages", "list", "--limit", "100"]),
            "packages",
        );
        let before = emu.requests(Operation::ListFactoryReleasePackages);
        assert_eq!(before, 1, "23 packages fit one page of 100");
        let v = emu.run(&["packages", "list", "--all", "--limit", "7"]);
        let all = ids(&v, "packages");
        assert_eq!(all, one_page, "{unit:?}: same packages, same order");
        assert_eq!(all.len(), 23, "{unit:?}: {all:?}");
        assert_eq!(as_set(&all), seeded(&[12, 13, 23], 1000), "{unit:?}");
        assert_eq!(v["total"], 23);
        assert_eq!(v["all"], true);
        // 4 pages of 7, and one probe to find out what offset counts.
        let paged = emu.requests(Operation::ListFactoryReleasePackages) - before;
        assert_eq!(paged, 5, "{unit:?}");
    }
}

#[test]
fn pending_list_all_returns_every_item_once_in_both_units() {
    for unit in [OffsetUnit::Rows, OffsetUnit::Pages] {
        let emu = Emu::start(unit);
        let one_page = ids(&emu.run(&["pending", "list", "--limit", "100"]), "items");
        let before = emu.requests(Operation::ListFactoryPendingItems);
        let v = emu.run(&["pending", "list", "--all", "--limit", "7"]);
        let all = ids(&v, "items");
        assert_eq!(all, one_page, "{unit:?}: same items, same order");
        assert_eq!(all.len(), 25, "{unit:?}: {all:?}");
        // Seeded packages take 1000..1019, their items the ids that follow.
        assert_eq!(
            as_set(&all),
            seeded(&[20, 21, 22, 24, 26], 1020),
            "{unit:?}"
        );
        assert_eq!(v["total"], 25);
        let paged = emu.requests(Operation::ListFactoryPendingItems) - before;
        assert_eq!(paged, 5, "{unit:?}");
    }
}

#[test]
fn the_emulator_subcommand_takes_the_offset_unit() {
    let o = cli(&["emulator", "--help"]).run();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let help = stdout(&o);
    assert!(help.contains("--offset-unit <UNIT>"), "{help}");
    assert!(help.contains("rows") && help.contains("pages"), "{help}");
    let o = cli(&["emulator", "--offset-unit", "bytes"]).run();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--offset-unit"), "{}", stderr(&o));
}
