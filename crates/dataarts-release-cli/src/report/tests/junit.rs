//! The JUnit XML: structure, counts, escaping, bounds.

use super::super::junit::{attr, render, text, without_userinfo, MAX_BODY_CHARS};
use super::*;

#[test]
fn all_released_is_a_suite_of_passed_cases() {
    let r = run(vec![released("12", 1_500), released("23", 300)]);
    let xml = render(&r);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dataarts-release deploy\" tests=\"2\" failures=\"0\" errors=\"0\" time=\"4.250\">\n"), "{xml}");
    assert!(xml.contains("<testsuite name=\"dataarts-release deploy\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"4.250\" timestamp=\"2023-11-14T22:13:20Z\">"), "{xml}");
    assert!(
        xml.contains(
            "<testcase name=\"package 12\" classname=\"dataarts-release.deploy\" time=\"1.500\"/>"
        ),
        "{xml}"
    );
    assert!(xml.contains(
        "<testcase name=\"package 23\" classname=\"dataarts-release.deploy\" time=\"0.300\"/>"
    ));
    assert!(xml.contains("<property name=\"command\" value=\"dataarts-release deploy 12 23\"/>"));
    assert!(!xml.contains("<failure") && !xml.contains("<skipped") && !xml.contains("system-err"));
    assert!(xml.ends_with("  </testsuite>\n</testsuites>\n"));
}

#[test]
fn a_refused_package_is_a_failure_with_its_reason() {
    let r = run(vec![
        released("12", 100),
        refused("999", "not_found", "DLF.0810 Task does not exist."),
    ]);
    let xml = render(&r);
    assert!(
        xml.contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""),
        "{xml}"
    );
    assert!(xml.contains(
        "<testcase name=\"package 999\" classname=\"dataarts-release.deploy\" time=\"0.012\">\n      \
         <failure message=\"refused (not_found): DLF.0810 Task does not exist.\" type=\"refused\">\
         result: refused\nreason: not_found\nDLF.0810 Task does not exist.</failure>\n    </testcase>"
    ), "{xml}");
}

#[test]
fn strict_failures_timeouts_and_unknowns_are_failures() {
    let mut already = released("23", 5);
    already.result = "already_released".into();
    already.reason = Some("already_released".into());
    let mut strict = already.clone();
    strict.package_id = "24".into();
    strict.ok = false;
    let mut still = released("25", 9_000);
    still.result = "releasing".into();
    let mut was_running = released("26", 9_000);
    was_running.result = "already_released".into();
    was_running.reason = Some("releasing".into());
    let mut r = run(vec![already.clone(), strict, still.clone(), was_running]);
    r.timed_out = true;
    let xml = render(&r);
    assert!(xml.contains("tests=\"4\" failures=\"3\""), "{xml}");
    assert!(
        xml.contains(
            "<failure message=\"already_released (releasing)\" type=\"already_released\">"
        ),
        "{xml}"
    );
    assert!(xml.contains(
        "<testcase name=\"package 23\" classname=\"dataarts-release.deploy\" time=\"0.005\"/>"
    ));
    // The reason is not repeated when it is the result.
    assert!(
        xml.contains("<failure message=\"already_released\" type=\"already_released\">"),
        "{xml}"
    );
    assert!(xml.contains("<failure message=\"releasing\" type=\"releasing\">result: releasing\ntask: ff8080825</failure>"), "{xml}");
    assert!(xml.contains("<property name=\"timed_out\" value=\"true\"/>"));
    assert!(xml.contains("<system-err>The wait timed out"), "{xml}");
    // Without a timeout, a release still running (no --wait) reached the goal.
    r.timed_out = false;
    r.packages = vec![already, still];
    assert!(render(&r).contains("tests=\"2\" failures=\"0\""));
}

#[test]
fn a_dry_run_skips_what_would_be_released_and_fails_what_would_not() {
    let mut would = released("12", 0);
    would.result = "would_release".into();
    would.task_id = None;
    let mut r = run(vec![would, refused("999", "not_found", "")]);
    r.dry_run = true;
    let xml = render(&r);
    assert!(
        xml.contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"dry run: would_release\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"refused (not_found)\" type=\"refused\">"),
        "{xml}"
    );
    assert!(xml.contains("<property name=\"dry_run\" value=\"true\"/>"));
}

#[test]
fn an_interrupted_run_says_so_and_skips_what_was_not_sent() {
    let mut not_sent = released("13", 0);
    not_sent.result = "not_sent".into();
    not_sent.ok = false;
    not_sent.task_id = None;
    let mut waiting = released("14", 0);
    waiting.result = "releasing".into();
    let mut r = run(vec![released("12", 10), not_sent, waiting]);
    r.interrupted = Some("SIGINT".into());
    let xml = render(&r);
    assert!(
        xml.contains("tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"2\""),
        "{xml}"
    );
    assert!(xml.contains("<skipped message=\"releasing: interrupted by SIGINT while waiting; the release continues on the service\"/>"), "{xml}");
    assert!(
        xml.contains("<skipped message=\"not sent: the run was interrupted by SIGINT\"/>"),
        "{xml}"
    );
    assert!(xml.contains("<property name=\"interrupted\" value=\"SIGINT\"/>"));
    assert!(xml.contains("<system-err>The run was interrupted by SIGINT: no new batch was sent; releases already accepted continue on the service. Run the same command again to resume.</system-err>"), "{xml}");
}

#[test]
fn markup_and_characters_xml_cannot_carry_are_escaped() {
    assert_eq!(text("a<b>&c\"'"), "a&lt;b&gt;&amp;c\"'");
    assert_eq!(attr("a<b>&c\"'"), "a&lt;b&gt;&amp;c&quot;&apos;");
    assert_eq!(text("x]]>y"), "x]]&gt;y");
    assert_eq!(attr("l1\nl2\tl3\r"), "l1&#10;l2&#9;l3&#13;");
    assert_eq!(text("l1\nl2\tl3\r"), "l1\nl2\tl3&#13;");
    assert_eq!(
        text("bell\u{7}nul\u{0}esc\u{1b}"),
        "bell\u{FFFD}nul\u{FFFD}esc\u{FFFD}"
    );
    assert_eq!(text("\u{FFFE}\u{FFFF}é😀"), "\u{FFFD}\u{FFFD}é😀");

    let evil = "\u{0}<x>\"&'\u{1b}[31m";
    let mut p = refused(evil, evil, evil);
    p.result = format!("refused{evil}");
    let xml = render(&run(vec![p]));
    for bad in ['\u{0}', '\u{1b}', '\u{7}'] {
        assert!(!xml.contains(bad), "{xml:?}");
    }
    assert!(!xml.contains("<x>"), "{xml}");
    assert!(
        xml.contains("name=\"package \u{FFFD}&lt;x&gt;&quot;&amp;&apos;\u{FFFD}[31m\""),
        "{xml}"
    );
}

#[test]
fn details_are_bounded() {
    let long = "é".repeat(100_000);
    let p = refused("12", "failed", &long);
    let xml = render(&run(vec![p]));
    assert!(xml.len() < 3 * MAX_BODY_CHARS + 2_000, "{}", xml.len());
    assert!(xml.contains("… (truncated)</failure>"));
    let m = xml
        .split("message=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(
        m.chars().count() <= 300 + "… (truncated)".chars().count(),
        "{m}"
    );
}

#[test]
fn credentials_typed_into_a_url_are_not_written() {
    assert_eq!(
        without_userinfo("deploy --endpoint https://ak:sk@host:8080/x 12 http://u@h"),
        "deploy --endpoint https://***@host:8080/x 12 http://***@h"
    );
    assert_eq!(
        without_userinfo("deploy 12 a@b https://h/p@q"),
        "deploy 12 a@b https://h/p@q"
    );
    let mut r = run(vec![]);
    r.command = "dataarts-release --endpoint http://key:secret@127.0.0.1:1 deploy 1".into();
    let xml = render(&r);
    assert!(!xml.contains("secret"), "{xml}");
    assert!(xml.contains("value=\"dataarts-release --endpoint http://***@127.0.0.1:1 deploy 1\""));
}
