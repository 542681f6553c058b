//! The Markdown summary: a heading, one line of totals, notes for an interrupted, timed-out
//! or dry run, and a table PACKAGE | RESULT | REASON/DETAIL | TASK | TIME.
//!
//! GitHub keeps at most 1 MiB of summary per step, so a large run lists its packages in full
//! only up to [`FULL_TABLE_ROWS`]; above that, the packages that did not reach the goal are
//! listed (within [`TABLE_BUDGET_BYTES`]) and the rest are counted.

use std::fmt::Write as _;

use super::{bounded, human, PackageReport, RunReport, Verdict};

/// Up to this many packages, the table lists every one.
pub const FULL_TABLE_ROWS: usize = 500;
/// The most bytes the table's rows take; rows past it are counted, not listed.
pub const TABLE_BUDGET_BYTES: usize = 512 * 1024;
/// The longest REASON/DETAIL cell, in characters.
pub const MAX_DETAIL_CHARS: usize = 300;
/// The longest package id or task id cell, in characters.
const MAX_ID_CHARS: usize = 300;
/// The longest RESULT cell, in characters.
const MAX_RESULT_CHARS: usize = 64;

/// The whole section, starting and ending with a blank line so that it stands apart from
/// what other steps appended to the same file.
pub fn render(run: &RunReport) -> String {
    let mut md = String::from("\n### dataarts-release deploy");
    if run.dry_run {
        md.push_str(" (dry run)");
    }
    md.push_str("\n\n");
    md.push_str(&totals(run));
    md.push_str("\n\n");
    for note in run.notes() {
        let _ = writeln!(md, "> {}\n", cell(&note, usize::MAX));
    }
    if run.packages.is_empty() {
        return md;
    }
    md.push_str("| PACKAGE | RESULT | REASON/DETAIL | TASK | TIME |\n|---|---|---|---|---|\n");
    let full = run.packages.len() <= FULL_TABLE_ROWS;
    let mut used = 0;
    let mut unlisted_failed = 0;
    for p in &run.packages {
        let failed = run.verdict(p) == Verdict::Failed;
        if !full && !failed {
            continue;
        }
        let line = row(run, p);
        if used + line.len() > TABLE_BUDGET_BYTES {
            unlisted_failed += usize::from(failed);
            continue;
        }
        used += line.len();
        md.push_str(&line);
    }
    let unlisted_ok = run.packages.len() - run.count(Verdict::Failed);
    if !full && unlisted_ok > 0 {
        let _ = write!(
            md,
            "\n{unlisted_ok} packages that did not fail are not listed (more than {FULL_TABLE_ROWS} \
             packages); the JUnit report and --output json have every one.\n"
        );
    }
    if unlisted_failed > 0 {
        let _ = write!(
            md,
            "\n{unlisted_failed} more packages that did not reach the goal are not listed (the \
             summary is kept small); the JUnit report and --output json have every one.\n"
        );
    }
    md.push('\n');
    md
}

/// `**OK**: 3 packages (2 released, 1 already_released); took 4.2s.`
fn totals(run: &RunReport) -> String {
    let n = run.packages.len();
    let failed = run.count(Verdict::Failed);
    let packages = format!("{n} package{}", if n == 1 { "" } else { "s" });
    let mut line = if let Some(signal) = &run.interrupted {
        format!(
            "**INTERRUPTED** ({}): {packages}",
            cell(signal, MAX_RESULT_CHARS)
        )
    } else if run.timed_out {
        format!("**TIMED OUT**: {packages}")
    } else if failed > 0 {
        format!("**FAILED**: {failed} of {packages} did not reach the goal")
    } else {
        format!("**OK**: {packages}")
    };
    let counts: Vec<String> = run
        .totals()
        .iter()
        .map(|(result, k)| format!("{k} {}", cell(result, MAX_RESULT_CHARS)))
        .collect();
    if !counts.is_empty() {
        let _ = write!(line, " ({})", counts.join(", "));
    }
    let _ = write!(line, "; took {}.", human(run.elapsed));
    line
}

fn row(run: &RunReport, p: &PackageReport) -> String {
    let mut result = cell(&p.result, MAX_RESULT_CHARS);
    if run.verdict(p) == Verdict::Failed {
        result = format!("**{result}**");
    }
    let mut detail = String::new();
    if let Some(r) = p.reason.as_deref().filter(|r| *r != p.result) {
        detail.push_str(r);
    }
    if let Some(d) = &p.detail {
        if !detail.is_empty() {
            detail.push_str(": ");
        }
        detail.push_str(d);
    }
    format!(
        "| {} | {result} | {} | {} | {} |\n",
        cell(&p.package_id, MAX_ID_CHARS),
        cell(&detail, MAX_DETAIL_CHARS),
        p.task_id
            .as_deref()
            .map_or_else(String::new, |t| cell(t, MAX_ID_CHARS)),
        human(p.elapsed)
    )
}

/// One table cell (or one note line): on one line, at most `max` characters of the original,
/// with the characters that would end the cell, format text or open HTML escaped.
pub fn cell(s: &str, max: usize) -> String {
    let flat: String = s
        .split(|c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
        .filter(|part| !part.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let flat = if max == usize::MAX {
        flat
    } else {
        bounded(&flat, max)
    };
    let mut out = String::with_capacity(flat.len() + 8);
    for c in flat.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '`' | '\\' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}
