//! The bodies of the `cargo fuzz` targets in `fuzz/`.
//!
//! Each target function (one module per area, re-exported here) takes the fuzzer's raw bytes
//! and panics only when an invariant is broken (or when the code under test panics). The fuzz targets in `fuzz/fuzz_targets/` are
//! one-line wrappers around these functions, and `tests/tests/fuzz_corpus_replay.rs` runs every
//! file of `fuzz/corpus/<target>/` through the same functions on stable Rust, so the committed
//! corpus is a regression test in `cargo test`.
//!
//! # Input format of the structured targets
//!
//! The signing targets split their input into fields on NUL bytes (`\0`); missing fields are
//! empty. Text fields are decoded as lossy UTF-8. A list of pairs (query pairs, headers) is one
//! field whose records are separated by `\x1e` (ASCII record separator), each record split
//! into name and value on its first `\x1f` (unit separator); a record without `\x1f` is a name
//! with an empty value. An empty field is an empty list. These bytes are easy for a fuzzer to
//! find and for a person to write (`printf 'GET\0/a b\0k\x1fv'`).

mod canonical;
mod decode;
mod input;
mod parse;
mod roundtrip;

pub use canonical::signing_canonical;
pub use decode::{decode_error_body, decode_responses, error_shape};
pub use input::{DEFAULT_DATE, FIELD_SEP, RECORD_SEP, UNIT_SEP};
pub use parse::signing_parse;
pub use roundtrip::signing_roundtrip;

/// A fuzz target body: raw fuzzer bytes in, a panic on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `cargo fuzz` binary and corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode_responses", decode_responses),
    ("decode_error_body", decode_error_body),
    ("signing_canonical", signing_canonical),
    ("signing_roundtrip", signing_roundtrip),
    ("signing_parse", signing_parse),
];
