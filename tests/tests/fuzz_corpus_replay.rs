//! Replays the committed `cargo fuzz` corpus on stable Rust.
//!
//! Every file under `fuzz/corpus/<target>/` goes through the same function the fuzz target
//! calls (`dataarts_tests::fuzz_logic`), so an input that once broke an invariant stays fixed,
//! and the invariants themselves are checked on every `cargo test`. A missing or emptied corpus
//! directory fails the test.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use dataarts_tests::fuzz_logic::{Target, TARGETS};

/// How many hand-written seeds (`seed-*`, written by `fuzz/make_seeds.py`) each target's
/// corpus holds; the fuzzer's own finds come on top.
const MIN_SEEDS: &[(&str, usize)] = &[
    ("decode_responses", 41),
    ("decode_error_body", 24),
    ("signing_canonical", 24),
    ("signing_roundtrip", 25),
    ("signing_parse", 25),
];

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("corpus directory {} is unreadable: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every corpus file of `target`; returns how many ran. Collects every failing file
/// before failing, so one run shows all of them.
fn replay(name: &str, target: Target) -> usize {
    let dir = corpus_dir(name);
    let files = files(&dir);
    let mut failures = Vec::new();
    for file in &files {
        let data = fs::read(file).expect("corpus file");
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(&data))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {} corpus files fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    let seeds = files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        })
        .count();
    let min = MIN_SEEDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, min)| *min)
        .unwrap_or_else(|| panic!("no MIN_SEEDS entry for target {name}"));
    assert!(
        seeds >= min,
        "{name}: expected at least {min} seed files in {}, found {seeds}",
        dir.display()
    );
    files.len()
}

#[test]
fn every_target_has_a_corpus_entry() {
    for (name, _) in TARGETS {
        assert!(
            MIN_SEEDS.iter().any(|(n, _)| n == name),
            "target {name} has no MIN_SEEDS entry"
        );
    }
    assert_eq!(MIN_SEEDS.len(), TARGETS.len());
}

fn replay_target(name: &str) {
    let target = TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("no fuzz target {name}"));
    assert!(replay(name, target) > 0);
}

#[test]
fn replay_decode_responses() {
    replay_target("decode_responses");
}

#[test]
fn replay_decode_error_body() {
    replay_target("decode_error_body");
}

#[test]
fn replay_signing_canonical() {
    replay_target("signing_canonical");
}

#[test]
fn replay_signing_roundtrip() {
    replay_target("signing_roundtrip");
}

#[test]
fn replay_signing_parse() {
    replay_target("signing_parse");
}
