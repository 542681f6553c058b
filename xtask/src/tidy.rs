//! Repository-wide rules, checked by plain `#[test]`s so that `cargo test` enforces them.
//!
//! In the manner of rust-analyzer's tidy tests: each rule is a pure function from a file's path
//! and text to the offending lines, with a unit test that feeds it a bad sample (so a rule can
//! never pass vacuously), and one `#[test]` per rule walks every file git knows about and fails
//! listing each `path:line`.
//!
//! The rules:
//! - **outside paths**: nothing points at files a clone does not have (a `shared` folder
//!   beside the clone, absolute paths under `/work/` or `/home/`);
//! - **section references**: no "op N" / "ops N" shorthand and no `§` section signs, which only
//!   make sense next to a document outside the repository; name the operation instead;
//! - **file size**: a hand-written `.rs` file has at most [`MAX_RS_LINES`] lines (generated
//!   files, which start with an `@generated` banner, are exempt);
//! - **operation ids**: hand-written library and binary code (`crates/*/src/`, outside
//!   `#[cfg(test)]`) names operations through `Operation`, never as an operationId string
//!   literal; the ids are read from `openapi/deploy.yaml`.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

/// The longest a hand-written Rust file may be.
pub const MAX_RS_LINES: usize = 600;

/// This file: it spells out the patterns it looks for, so the text rules skip it.
const SELF_PATH: &str = "xtask/src/tidy.rs";

/// The first line of every generated file.
const GENERATED_MARKER: &str = "// @generated";

/// Text that points outside the repository.
// Split so that this file does not match its own patterns (or other tools' checks).
const OUTSIDE_PATTERNS: [&str; 4] = [
    concat!("../", "shared"),
    concat!("shared", "/reference"),
    "/work/",
    "/home/",
];

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path relative to the repository root.
    pub path: String,
    /// 1-based line number (0 for a rule about the whole file).
    pub line: usize,
    /// What is wrong, and what to do instead.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

fn violation(path: &str, line: usize, message: String) -> Violation {
    Violation {
        path: path.to_string(),
        line,
        message,
    }
}

/// Files under version control or about to be (tracked, plus untracked files that are not
/// ignored), relative to `root`, that still exist.
pub fn repository_files(root: &Path) -> anyhow::Result<Vec<String>> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .context("could not run `git ls-files` (the tidy checks need a git checkout)")?;
    if !output.status.success() {
        bail!(
            "`git ls-files` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let mut files: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|p| !p.is_empty() && root.join(p).is_file())
        .map(str::to_string)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Whether the text rules (outside paths, section references) read this file: not the tidy
/// rules themselves, not the lock files, not fuzzer-found inputs.
pub fn is_prose_or_source(path: &str) -> bool {
    path != SELF_PATH
        && !path.ends_with("Cargo.lock")
        && !path.starts_with("fuzz/corpus/")
        && !crate::docs::is_vendored(path)
}

/// Whether a file starts with the code generator's banner.
pub fn is_generated(text: &str) -> bool {
    text.starts_with(GENERATED_MARKER)
}

/// Lines that refer to paths outside the repository.
pub fn outside_paths(path: &str, text: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(pattern) = OUTSIDE_PATTERNS.iter().find(|p| line.contains(**p)) {
            found.push(violation(
                path,
                i + 1,
                format!("refers to `{pattern}`, outside the repository: say it in our own words or copy what is needed into the repository"),
            ));
        }
    }
    found
}

/// Lines with "op N" / "ops N" shorthand or a `§` section sign.
pub fn section_references(path: &str, text: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let what = if line.contains('§') {
            Some("a `§` section sign".to_string())
        } else {
            op_shorthand(line).map(|s| format!("`{s}`"))
        };
        if let Some(what) = what {
            found.push(violation(
                path,
                i + 1,
                format!("{what} refers to a numbering outside the repository: name the operation by its operationId or in plain words"),
            ));
        }
    }
    found
}

/// The first "op N" or "ops N" (any case, N a digit, as whole words) in a line.
fn op_shorthand(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for (start, _) in lower.match_indices("op") {
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut end = start + 2;
        if bytes.get(end) == Some(&b's') {
            end += 1;
        }
        if bytes.get(end) != Some(&b' ') || !bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let digits_end = (end + 1..bytes.len())
            .find(|&j| !bytes[j].is_ascii_digit())
            .unwrap_or(bytes.len());
        if bytes.get(digits_end).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        return Some(line[start..digits_end].to_string());
    }
    None
}

/// A hand-written Rust file longer than [`MAX_RS_LINES`].
pub fn file_too_long(path: &str, text: &str) -> Option<Violation> {
    if !path.ends_with(".rs") || is_generated(text) {
        return None;
    }
    let lines = text.lines().count();
    (lines > MAX_RS_LINES).then(|| {
        violation(
            path,
            0,
            format!("{lines} lines, more than {MAX_RS_LINES}: split it by responsibility (tests: several files sharing a `common` module)"),
        )
    })
}

/// Whether a Rust file is hand-written library or binary code of one of the crates, where the
/// operation-id rule applies.
pub fn is_crate_source(path: &str) -> bool {
    let mut parts = path.split('/');
    parts.next() == Some("crates")
        && parts.next().is_some()
        && parts.next() == Some("src")
        && path.ends_with(".rs")
        && !path.ends_with("/tests.rs")
        && !path.contains("/tests/")
}

/// Lines outside `#[cfg(test)]` code that spell an operationId as a string literal.
pub fn operation_id_literals(path: &str, text: &str, ids: &[String]) -> Vec<Violation> {
    if is_generated(text) {
        return Vec::new();
    }
    let quoted: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // An inline test module sits at the end of a file: everything after it is test code.
        // (`#[cfg(test)] mod tests;` only declares a file, which `is_crate_source` skips.)
        if line.trim_start().starts_with("#[cfg(test)]") && !declares_a_file(&lines[i + 1..]) {
            break;
        }
        if let Some(literal) = quoted.iter().find(|q| line.contains(q.as_str())) {
            found.push(violation(
                path,
                i + 1,
                format!("the operationId literal {literal}: use `dataarts_release_raw::Operation` (its `id()`, `from_id()` or a match on the variant)"),
            ));
        }
    }
    found
}

/// Whether the item after an attribute is a module declared in its own file (`mod x;`).
fn declares_a_file(rest: &[&str]) -> bool {
    rest.iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && !l.starts_with("#[") && !l.starts_with("//"))
        .is_some_and(|l| l.contains("mod ") && l.ends_with(';'))
}

/// The operationIds declared in the spec, in document order.
pub fn operation_ids(spec_yaml: &str) -> anyhow::Result<Vec<String>> {
    let spec: openapiv3::OpenAPI =
        serde_yaml::from_str(spec_yaml).context("the spec is not a valid OpenAPI 3.0 document")?;
    let rows = crate::operation_table::rows(&spec)?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file git knows about, with its text (files that are not UTF-8 are skipped).
    fn files() -> Vec<(String, String)> {
        let root = crate::workspace_root();
        repository_files(&root)
            .unwrap()
            .into_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(root.join(&path)).ok()?;
                Some((path, text))
            })
            .collect()
    }

    fn report(rule: &str, violations: Vec<Violation>) {
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            panic!(
                "tidy: {rule}: {} finding(s)\n{}\n",
                list.len(),
                list.join("\n")
            );
        }
    }

    #[test]
    fn no_references_to_files_outside_the_repository() {
        let found = files()
            .iter()
            .filter(|(path, _)| is_prose_or_source(path))
            .flat_map(|(path, text)| outside_paths(path, text))
            .collect();
        report("paths outside the repository", found);
    }

    #[test]
    fn no_section_or_operation_number_references() {
        let found = files()
            .iter()
            .filter(|(path, _)| is_prose_or_source(path))
            .flat_map(|(path, text)| section_references(path, text))
            .collect();
        report("\"op N\" and \"§\" references", found);
    }

    #[test]
    fn hand_written_rust_files_are_short() {
        let found = files()
            .iter()
            .filter_map(|(path, text)| file_too_long(path, text))
            .collect();
        report("file size", found);
    }

    #[test]
    fn crate_sources_name_operations_through_the_operation_table() {
        let root = crate::workspace_root();
        let spec = std::fs::read_to_string(root.join(crate::codegen::SPEC_PATH)).unwrap();
        let ids = operation_ids(&spec).unwrap();
        assert_eq!(ids.len(), 7, "the spec declares seven operations: {ids:?}");
        let found = files()
            .iter()
            .filter(|(path, _)| is_crate_source(path))
            .flat_map(|(path, text)| operation_id_literals(path, text, &ids))
            .collect();
        report("operationId string literals", found);
    }

    // The rules fire on bad samples, so the repository-wide tests cannot pass vacuously.

    #[test]
    fn outside_paths_are_found() {
        let text = concat!(
            "fine\nsee ../shared",
            "/STYLE.md\nfrom shared",
            "/reference/api.md\n/work/x and /home/y\n"
        );
        let lines: Vec<usize> = outside_paths("a.md", text).iter().map(|v| v.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(
            outside_paths("a.md", "docs/architecture.md, ~/.huaweicloud/credentials").is_empty()
        );
    }

    #[test]
    fn section_references_are_found() {
        let text = "deploy (op 1)\nOps 1 to 6\nsee §4.2\nstop 1, loop 2, top 3, op1, op 10x, operation 7\n";
        let found = section_references("a.rs", text);
        let lines: Vec<usize> = found.iter().map(|v| v.line).collect();
        assert_eq!(lines, [1, 2, 3]);
        assert!(found[1].message.contains("`Ops 1`"), "{}", found[1]);
        assert_eq!(op_shorthand("ops 12."), Some("ops 12".to_string()));
        assert_eq!(op_shorthand("op 7's"), Some("op 7".to_string()));
        assert_eq!(op_shorthand("drop 1"), None);
    }

    #[test]
    fn long_hand_written_files_are_found() {
        let long = "fn f() {}\n".repeat(MAX_RS_LINES + 1);
        let found = file_too_long("crates/x/src/big.rs", &long).unwrap();
        assert!(found.message.starts_with("601 lines"), "{found}");
        assert!(file_too_long("crates/x/src/ok.rs", &"x\n".repeat(MAX_RS_LINES)).is_none());
        assert!(file_too_long("docs/long.md", &long).is_none());
        let generated = format!("{GENERATED_MARKER} by `cargo xtask codegen`\n{long}");
        assert!(file_too_long("crates/x/src/generated.rs", &generated).is_none());
    }

    #[test]
    fn operation_id_literals_are_found_outside_test_modules() {
        let ids = vec!["deploy_factory_packages".to_string()];
        let text = "fn a() -> &'static str {\n    \"deploy_factory_packages\"\n}\n\
                    /// `deploy_factory_packages`, in a doc comment, is fine.\n\
                    #[cfg(test)]\nmod tests {\n    const ID: &str = \"deploy_factory_packages\";\n}\n";
        let lines: Vec<usize> = operation_id_literals("crates/x/src/a.rs", text, &ids)
            .iter()
            .map(|v| v.line)
            .collect();
        assert_eq!(lines, [2]);
        let declared = "#[cfg(test)]\nmod tests;\nconst ID: &str = \"deploy_factory_packages\";\n";
        let lines: Vec<usize> = operation_id_literals("crates/x/src/b.rs", declared, &ids)
            .iter()
            .map(|v| v.line)
            .collect();
        assert_eq!(
            lines,
            [3],
            "a declared test module does not end the checked code"
        );
        let generated = format!("{GENERATED_MARKER}\n\"deploy_factory_packages\"\n");
        assert!(operation_id_literals("crates/x/src/generated.rs", &generated, &ids).is_empty());
    }

    #[test]
    fn the_operation_id_rule_covers_crate_sources_only() {
        assert!(is_crate_source("crates/dataarts-release/src/retry.rs"));
        assert!(is_crate_source(
            "crates/dataarts-emulator/src/routes/ops.rs"
        ));
        assert!(!is_crate_source("crates/dataarts-release/tests/retries.rs"));
        assert!(!is_crate_source(
            "crates/dataarts-release/src/tests/common.rs"
        ));
        assert!(!is_crate_source(
            "crates/dataarts-release/examples/from_env.rs"
        ));
        assert!(!is_crate_source("xtask/src/operation_table.rs"));
    }

    #[test]
    fn operation_ids_come_from_the_spec() {
        let root = crate::workspace_root();
        let spec = std::fs::read_to_string(root.join(crate::codegen::SPEC_PATH)).unwrap();
        let ids = operation_ids(&spec).unwrap();
        assert!(ids.contains(&"list_system_tasks".to_string()), "{ids:?}");
    }

    #[test]
    fn the_text_rules_skip_this_file_the_lock_file_and_the_fuzz_corpus() {
        assert!(!is_prose_or_source(SELF_PATH));
        assert!(!is_prose_or_source("Cargo.lock"));
        assert!(!is_prose_or_source("fuzz/corpus/signing_parse/seed-1"));
        assert!(is_prose_or_source("README.md"));
    }
}
