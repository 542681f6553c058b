//! Pins the operation table generated from the spec (`x-retry`, servers) into
//! `crates/dataarts-release-raw/src/operations.rs`.
//!
//! Every client decision that depends on an operation (retry after an ambiguous failure, which
//! host to call, what the emulator routes) reads this table, so a change to it is reviewed here
//! (`cargo insta review`) like any other change to the generated surface.

use std::fmt::Write as _;

use dataarts_release_raw::{Host, Operation, RetryClass};

#[test]
fn operation_table_snapshot() {
    let mut table = String::new();
    for op in Operation::ALL {
        writeln!(
            table,
            "{:<38} {:<4} {:<58} {:<15} {:<8} body={} | {}",
            op.id(),
            op.method(),
            op.path(),
            format!("{:?}", op.retry()),
            op.host().label(),
            op.has_body(),
            op.summary()
        )
        .unwrap();
    }
    insta::assert_snapshot!("operation_table", table);
}

#[test]
fn ids_round_trip_through_lookup_display_and_serde() {
    for op in Operation::ALL {
        assert_eq!(Operation::from_id(op.id()), Some(op));
        assert_eq!(op.to_string(), op.id());
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(json, format!("\"{}\"", op.id()));
        assert_eq!(serde_json::from_str::<Operation>(&json).unwrap(), op);
    }
    assert_eq!(Operation::from_id("no_such_operation"), None);
    assert!(serde_json::from_str::<Operation>("\"no_such_operation\"").is_err());
}

#[test]
fn the_host_follows_the_api_version_and_only_reads_are_blindly_retried() {
    for op in Operation::ALL {
        let expected_host = if op.path().starts_with("/v1/") {
            Host::DayuDlf
        } else {
            Host::Dayu
        };
        assert_eq!(op.host(), expected_host, "{op}");
        assert!(op.path().contains("{project_id}"), "{op}");
        if op.method() == "GET" {
            assert_eq!(op.retry(), RetryClass::Read, "{op}");
            assert!(!op.has_body(), "{op}");
        }
    }
    assert_eq!(
        Operation::DeployFactoryPackages.retry(),
        RetryClass::WriteReconcile
    );
}
