//! The JUnit XML report: one `<testsuite>` for the run, one `<testcase>` per package, in the
//! dialect Jenkins, GitLab, GitHub test reporters and pytest's `junit-10.xsd` read.

use std::fmt::Write as _;

use super::{bounded, seconds, PackageReport, RunReport, Verdict, MAX_KEY_CHARS};

/// The suite's name (and the `<testsuites>` name).
pub const SUITE: &str = "dataarts-release deploy";
/// Every test case's class name.
pub const CLASSNAME: &str = "dataarts-release.deploy";
/// The longest failure or skip message attribute (one line).
pub const MAX_MESSAGE_CHARS: usize = 300;
/// The longest failure body (reason and detail) per test case.
pub const MAX_BODY_CHARS: usize = 4096;
/// The longest package id or command line we write.
const MAX_ID_CHARS: usize = 300;
const MAX_COMMAND_CHARS: usize = 4096;

/// The whole report.
pub fn render(run: &RunReport) -> String {
    let tests = run.packages.len();
    let failures = run.count(Verdict::Failed);
    let skipped = run.count(Verdict::Skipped);
    let time = seconds(run.elapsed);
    let mut x = String::with_capacity(256 + tests * 160);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{SUITE}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time}\">"
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"{SUITE}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" \
         skipped=\"{skipped}\" time=\"{time}\" timestamp=\"{}\">",
        humantime::format_rfc3339_seconds(run.started)
    );
    properties(&mut x, run);
    for p in &run.packages {
        testcase(&mut x, run, p);
    }
    let notes = run.notes();
    if !notes.is_empty() {
        let _ = writeln!(
            x,
            "    <system-err>{}</system-err>",
            text(&notes.join("\n"))
        );
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

fn properties(x: &mut String, run: &RunReport) {
    let mut props = vec![
        (
            "command",
            bounded(&without_userinfo(&run.command), MAX_COMMAND_CHARS),
        ),
        ("dry_run", run.dry_run.to_string()),
        ("timed_out", run.timed_out.to_string()),
    ];
    if let Some(signal) = &run.interrupted {
        props.push(("interrupted", bounded(signal, MAX_KEY_CHARS)));
    }
    x.push_str("    <properties>\n");
    for (name, value) in props {
        let _ = writeln!(
            x,
            "      <property name=\"{name}\" value=\"{}\"/>",
            attr(&value)
        );
    }
    x.push_str("    </properties>\n");
}

fn testcase(x: &mut String, run: &RunReport, p: &PackageReport) {
    let _ = write!(
        x,
        "    <testcase name=\"package {}\" classname=\"{CLASSNAME}\" time=\"{}\"",
        attr(&bounded(&p.package_id, MAX_ID_CHARS)),
        seconds(p.elapsed)
    );
    let result = bounded(&p.result, MAX_KEY_CHARS);
    match run.verdict(p) {
        Verdict::Passed => x.push_str("/>\n"),
        Verdict::Failed => {
            let _ = writeln!(
                x,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                attr(&bounded(&message(p), MAX_MESSAGE_CHARS)),
                attr(&result),
                text(&bounded(&body(p), MAX_BODY_CHARS))
            );
        }
        Verdict::Skipped => {
            let signal = run
                .interrupted
                .as_deref()
                .map(|s| bounded(s, MAX_KEY_CHARS));
            let why = match (p.result == "not_sent", signal) {
                (true, Some(signal)) => format!("not sent: the run was interrupted by {signal}"),
                (true, None) => "not sent".to_string(),
                (false, _) if run.dry_run => format!("dry run: {}", message(p)),
                (false, Some(signal)) => format!(
                    "{}: interrupted by {signal} while waiting; the release continues on the service",
                    message(p)
                ),
                (false, None) => message(p),
            };
            let _ = writeln!(
                x,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                attr(&bounded(&why, MAX_MESSAGE_CHARS))
            );
        }
    }
}

/// The command line with any `user:password@` of a URL replaced by `***@`: credentials never
/// come from flags, but a URL typed with them in must not end up in a CI artifact.
pub fn without_userinfo(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut rest = command;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => {
                out.push_str("***");
                rest = &tail[userinfo_end..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// One line: the result, the reason when it says more, and the detail's first line.
fn message(p: &PackageReport) -> String {
    let mut m = bounded(&p.result, MAX_KEY_CHARS);
    if let Some(r) = p.reason.as_deref().filter(|r| *r != p.result) {
        let _ = write!(m, " ({})", bounded(r, MAX_KEY_CHARS));
    }
    if let Some(first) = p
        .detail
        .as_deref()
        .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
    {
        let _ = write!(m, ": {first}");
    }
    m
}

/// The failure's text: reason, detail and task, one per line.
fn body(p: &PackageReport) -> String {
    let mut b = format!("result: {}", bounded(&p.result, MAX_KEY_CHARS));
    if let Some(r) = &p.reason {
        let _ = write!(b, "\nreason: {}", bounded(r, MAX_KEY_CHARS));
    }
    if let Some(t) = &p.task_id {
        let _ = write!(b, "\ntask: {}", bounded(t, MAX_ID_CHARS));
    }
    if let Some(d) = &p.detail {
        let _ = write!(b, "\n{d}");
    }
    b
}

/// XML 1.0 text content: markup characters escaped, characters XML 1.0 cannot carry replaced
/// by U+FFFD.
pub fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value: as [`text`], and quotes and line breaks escaped so they survive
/// attribute-value normalisation.
pub fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, in_attr: bool) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attr => out.push_str("&quot;"),
            '\'' if in_attr => out.push_str("&apos;"),
            '\n' if in_attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attr => out.push_str("&#9;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production (surrogates cannot occur in a `str`).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
