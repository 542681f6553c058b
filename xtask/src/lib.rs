//! Project automation behind `cargo xtask`.

pub mod codegen;
pub mod docs;
pub mod operation_table;
pub mod process;
pub mod test;
pub mod tidy;
pub mod tools;

use std::path::PathBuf;

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
