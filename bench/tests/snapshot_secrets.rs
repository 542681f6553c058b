//! Secrets never leak, at rest: no committed insta snapshot holds a canary secret the test
//! suites use, or a real request signature. (`secret_leaks.rs` covers logs and output.)

mod common;

/// Every committed insta snapshot in the workspace: none holds a secret the test suites use
/// as a must-not-leak canary, nor a real request signature. (The emulator's demo SK and token
/// are public documentation, so they are not checked.)
#[test]
fn snapshots_hold_no_secret() {
    const KNOWN: [&str; 9] = [
        "StsSecretKeyThatMustNeverLeak000000001",
        "StsSecurityTokenThatMustNeverLeak0001",
        "IamTokenThatMustNeverLeak000000000001",
        "SuperSecretKey-9f2c71e0-DO-NOT-LEAK",
        "cli-test-secret-key-never-printed-0001",
        "MustNeverLeak",
        "DO-NOT-LEAK",
        "never-printed",
        "LEAK-CANARY",
    ];
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && name != ".git" && name != ".venv" && name != "node_modules" {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "snap" || x == "new") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&common::workspace_root(), &mut files);
    assert!(
        !files.is_empty(),
        "no snapshot found: the check would be vacuous"
    );
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for s in KNOWN {
            if text.contains(s) {
                failures.push(format!("{} contains {s:?}", f.display()));
            }
        }
        // A signature is 64 lowercase hex characters; snapshots must show a placeholder.
        for (i, _) in text.match_indices("Signature=") {
            let sig: String = text[i + 10..].chars().take(64).collect();
            if sig.len() == 64 && sig.chars().all(|c| c.is_ascii_hexdigit()) {
                failures.push(format!("{} holds a real signature", f.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
