//! The Markdown summary: totals, notes, table, escaping, the cap for large runs.

use super::super::summary::{cell, render, FULL_TABLE_ROWS};
use super::*;

#[test]
fn all_released_is_one_ok_line_and_a_table() {
    let md = render(&run(vec![released("12", 1_500), released("23", 300)]));
    assert_eq!(
        md,
        "\n### dataarts-release deploy\n\n\
         **OK**: 2 packages (2 released); took 4.2s.\n\n\
         | PACKAGE | RESULT | REASON/DETAIL | TASK | TIME |\n|---|---|---|---|---|\n\
         | 12 | released |  | ff8080812 | 1.5s |\n\
         | 23 | released |  | ff8080823 | 0.3s |\n\n"
    );
}

#[test]
fn refusals_are_counted_and_shown_with_their_reason() {
    let md = render(&run(vec![
        released("12", 100),
        refused("998", "not_found", "DLF.0810 Task does not exist."),
        refused("999", "not_found", "DLF.0810 Task does not exist."),
    ]));
    assert!(
        md.contains(
            "**FAILED**: 2 of 3 packages did not reach the goal (2 refused, 1 released); took 4.2s.\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| 999 | **refused** | not\\_found: DLF.0810 Task does not exist. |  | 0.0s |\n"
        ),
        "{md}"
    );
}

#[test]
fn interrupted_timed_out_and_dry_runs_have_a_note() {
    let mut r = run(vec![released("12", 1)]);
    r.interrupted = Some("SIGTERM".into());
    let md = render(&r);
    assert!(
        md.contains("**INTERRUPTED** (SIGTERM): 1 package (1 released); took"),
        "{md}"
    );
    assert!(md.contains("> The run was interrupted by SIGTERM: no new batch was sent; releases already accepted continue on the service. Run the same command again to resume.\n"), "{md}");
    let mut r = run(vec![released("12", 1)]);
    r.timed_out = true;
    let md = render(&r);
    assert!(md.contains("**TIMED OUT**: 1 package"), "{md}");
    assert!(md.contains("> The wait timed out"), "{md}");
    let mut r = run(vec![released("12", 1)]);
    r.dry_run = true;
    let md = render(&r);
    assert!(
        md.starts_with("\n### dataarts-release deploy (dry run)\n"),
        "{md}"
    );
    assert!(md.contains("> Dry run: nothing was released"), "{md}");
    let md = render(&run(vec![]));
    assert!(
        md.contains("**OK**: 0 packages; took 4.2s.\n") && !md.contains("| PACKAGE"),
        "{md}"
    );
}

#[test]
fn cells_cannot_break_the_table_or_inject_markup() {
    assert_eq!(cell("a|b", 100), "a\\|b");
    assert_eq!(
        cell("line one\nline two\r\n\tthree", 100),
        "line one line two three"
    );
    assert_eq!(
        cell("`code` *b* _i_ [l](u) # ~s~ \\", 100),
        "\\`code\\` \\*b\\* \\_i\\_ \\[l\\](u) \\# \\~s\\~ \\\\"
    );
    assert_eq!(cell("<script>&amp;", 100), "&lt;script&gt;&amp;amp;");
    assert_eq!(cell("\u{1b}[31mred\u{0}", 100), "\\[31mred");
    assert_eq!(cell("abcdef", 3), "abc… (truncated)");
    let p = refused("1|2", "failed", "x\n| injected | row |\n");
    let md = render(&run(vec![p]));
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 2, "{md}");
    assert_eq!(
        rows[1],
        "| 1\\|2 | **refused** | failed: x \\| injected \\| row \\| |  | 0.0s |"
    );
}

#[test]
fn a_large_run_lists_the_failures_and_counts_the_rest() {
    let mut packages: Vec<PackageReport> =
        (0..10_000).map(|i| released(&i.to_string(), 300)).collect();
    for i in [7, 4_000, 9_999] {
        packages[i] = refused(&i.to_string(), "revoked", "EMU.0003 revoked");
    }
    let md = render(&run(packages));
    assert!(
        md.contains(
            "**FAILED**: 3 of 10000 packages did not reach the goal (9997 released, 3 refused)"
        ),
        "{md}"
    );
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| PACKAGE"))
        .collect();
    assert_eq!(rows.len(), 3, "{md}");
    assert!(rows[0].starts_with("| 7 | **refused** | revoked: EMU.0003 revoked |"));
    assert!(md.contains(&format!("\n9997 packages that did not fail are not listed (more than {FULL_TABLE_ROWS} packages)")), "{md}");

    // Up to the limit, every row is listed.
    let md = render(&run((0..FULL_TABLE_ROWS)
        .map(|i| released(&i.to_string(), 1))
        .collect()));
    assert_eq!(
        md.lines().filter(|l| l.starts_with("| ")).count(),
        FULL_TABLE_ROWS + 1
    );
}

#[test]
fn ten_thousand_failures_with_long_details_stay_under_githubs_limit() {
    let detail = "x".repeat(10_000);
    let packages = (0..10_000)
        .map(|i| refused(&format!("{i:0>250}"), "failed", &detail))
        .collect();
    let md = render(&run(packages));
    assert!(md.len() < 1024 * 1024, "{}", md.len());
    let listed = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| PACKAGE"))
        .count();
    assert!(listed > 100 && listed < 10_000, "{listed}");
    assert!(
        md.contains(&format!(
            "\n{} more packages that did not reach the goal are not listed",
            10_000 - listed
        )),
        "{md:.200}"
    );
}
