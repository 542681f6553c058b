//! What `offset` counts in the two list operations: rows (the default) or pages, set by the
//! builder, the command line or the admin endpoint.

mod common;

use clap::Parser;
use common::*;
use dataarts_emulator::{EmulatorArgs, OffsetUnit, RunningEmulator};
use serde_json::{json, Value};

fn ids(v: &Value, key: &str) -> Vec<String> {
    assert!(v["total"].is_number(), "not a list answer: {v}");
    // An empty page leaves `data` out.
    v["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| p[key].as_str().unwrap().to_string())
        .collect()
}

/// Package ids of one page, sorted by id ascending.
async fn packages(emu: &RunningEmulator, limit: u32, offset: u32) -> (Vec<String>, Value) {
    let body = json!({"order_column": "package_id", "sorted_direction": "asc", "limit": limit, "offset": offset});
    let v = call(emu, "POST", &list_path(), Some(body), &[])
        .await
        .json();
    (ids(&v, "package_id"), v["total"].clone())
}

/// Pending item ids of one page (sorted by id).
async fn pending(emu: &RunningEmulator, limit: u32, offset: u32) -> (Vec<String>, Value) {
    let path = format!("{}?limit={limit}&offset={offset}", pending_path());
    let v = call(emu, "GET", &path, None, &[("workspace", WS)])
        .await
        .json();
    (ids(&v, "pending_item_id"), v["total"].clone())
}

#[tokio::test]
async fn rows_by_default_pages_when_asked() {
    // 3 demo packages + 7 seeded = 10 packages; 5 demo pending items + 7 seeded = 12.
    let emu = builder().seed_packages(7).start().await.unwrap();
    assert_eq!(emu.offset_unit(), OffsetUnit::Rows);
    let (all, total) = packages(&emu, 100, 0).await;
    assert_eq!(total, json!(10));
    let (page, _) = packages(&emu, 3, 2).await;
    assert_eq!(page, all[2..5]);
    let (all_pending, total) = pending(&emu, 100, 0).await;
    assert_eq!(total, json!(12));
    let (page, _) = pending(&emu, 3, 2).await;
    assert_eq!(page, all_pending[2..5]);

    emu.set_offset_unit(OffsetUnit::Pages);
    let (page, total) = packages(&emu, 3, 2).await;
    assert_eq!(page, all[6..9]);
    assert_eq!(total, json!(10), "total still counts rows");
    let (page, _) = packages(&emu, 3, 3).await;
    assert_eq!(page, all[9..10]);
    assert!(packages(&emu, 3, 4).await.0.is_empty());
    let (page, total) = pending(&emu, 5, 2).await;
    assert_eq!(page, all_pending[10..12]);
    assert_eq!(total, json!(12));
    let (page, _) = pending(&emu, 5, 0).await;
    assert_eq!(page, all_pending[0..5]);
    // A huge page index skips everything instead of overflowing.
    assert!(packages(&emu, 1000, i32::MAX as u32).await.0.is_empty());
}

#[tokio::test]
async fn builder_admin_endpoint_and_reset() {
    let emu = builder()
        .offset_unit(OffsetUnit::Pages)
        .seed_packages(4)
        .start()
        .await
        .unwrap();
    let (all, _) = packages(&emu, 100, 0).await;
    assert_eq!(packages(&emu, 2, 1).await.0, all[2..4]);

    let get = call(&emu, "GET", "/_emulator/paging", None, &[]).await;
    assert_eq!(get.json(), json!({"offset_unit": "pages"}));
    let put = call(
        &emu,
        "PUT",
        "/_emulator/paging",
        Some(json!({"offset_unit": "rows"})),
        &[],
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.json(), json!({"offset_unit": "rows"}));
    assert_eq!(emu.offset_unit(), OffsetUnit::Rows);
    assert_eq!(packages(&emu, 2, 1).await.0, all[1..3]);

    let bad = call(
        &emu,
        "PUT",
        "/_emulator/paging",
        Some(json!({"offset_unit": "bytes"})),
        &[],
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(emu.offset_unit(), OffsetUnit::Rows);

    // A setting, like the rate limits: a reset keeps it.
    emu.set_offset_unit(OffsetUnit::Pages);
    call(&emu, "POST", "/_emulator/reset", None, &[]).await;
    assert_eq!(emu.offset_unit(), OffsetUnit::Pages);
    assert_eq!(packages(&emu, 2, 1).await.0, all[2..4]);
}

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    emu: EmulatorArgs,
}

#[tokio::test]
async fn command_line_flag() {
    let parse = |args: &[&str]| Args::try_parse_from([&["emu"], args].concat());
    assert_eq!(parse(&[]).unwrap().emu.offset_unit, OffsetUnit::Rows);
    let a = parse(&["--demo", "--offset-unit", "pages"]).unwrap();
    assert_eq!(a.emu.offset_unit, OffsetUnit::Pages);
    let err = parse(&["--offset-unit", "bytes"])
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("rows") && err.contains("pages"), "{err}");
    let emu = a.emu.builder().unwrap().start().await.unwrap();
    assert_eq!(emu.offset_unit(), OffsetUnit::Pages);
}
