//! Checks run before anything is sent.

use std::collections::HashSet;

use crate::error::{Error, Input, InputProblem, Result};

/// Longest id we accept (far above anything the service issues).
const MAX_ID_LEN: usize = 256;

/// Longest id list checked for repeats without a hash set.
const SHORT_LIST: usize = 16;

/// An id that goes into a URL path or a header: not blank, and nothing that could change
/// the request path or inject a header.
pub(crate) fn id(what: Input, value: &str) -> Result<()> {
    match id_problem(value) {
        Some((problem, reason)) => Err(Error::invalid(what, problem, reason)),
        None => Ok(()),
    }
}

/// What is wrong with an id, and why, if anything.
pub(crate) fn id_problem(value: &str) -> Option<(InputProblem, String)> {
    // What the service issues (digits, hex, dashes) passes every check below.
    if !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    if value.trim().is_empty() {
        return Some((
            InputProblem::Empty,
            "it is empty or blank; pass the id as listed by the service".into(),
        ));
    }
    if value.len() > MAX_ID_LEN {
        return Some((
            InputProblem::Malformed,
            format!("it is {} bytes long (at most {MAX_ID_LEN})", value.len()),
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Some((
            InputProblem::Malformed,
            format!(
                "{:?} contains whitespace or a control character ({c:?}); ids never do",
                shorten(value)
            ),
        ));
    }
    // The service issues ASCII ids (numeric strings, 32 hex characters); anything else,
    // such as a zero-width space or full-width digits, is a copy-paste accident that would
    // look right on screen and fail (or match something else) on the server.
    if let Some(c) = value.chars().find(|c| !c.is_ascii()) {
        return Some((
            InputProblem::Malformed,
            format!(
                "{:?} contains the non-ASCII character {} ({c:?}); ids are ASCII, so retype it rather than copy it",
                shorten(value),
                c.escape_unicode()
            ),
        ));
    }
    for bad in ["/", "..", "?", "#", "%", "\\"] {
        if value.contains(bad) {
            return Some((
                InputProblem::Malformed,
                format!(
                    "{:?} contains {bad:?}, which would change the request path; ids never do",
                    shorten(value)
                ),
            ));
        }
    }
    // A URL parser drops a "." segment: `show .` would ask for the list of packages.
    if value == "." {
        return Some((
            InputProblem::Malformed,
            "\".\" is not an id (in a URL path it means \"this directory\" and would be dropped); pass the id as listed by the service".into(),
        ));
    }
    if let Some(c) = value.chars().find(|&c| !is_segment_char(c)) {
        return Some((
            InputProblem::Malformed,
            format!(
                "{:?} contains {c:?}, which a URL path cannot carry unchanged; ids are letters, digits and - _ . ~",
                shorten(value)
            ),
        ));
    }
    None
}

/// A character that stands for itself in a URL path segment (RFC 3986 `pchar` without
/// percent-encoding): the raw client and the URL parser leave it as it is.
fn is_segment_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c)
}

/// A list of ids for one request: 1..=max, each valid, no duplicates. `what` names one id.
pub(crate) fn id_list<T: AsRef<str>>(what: Input, ids: &[T], max: Option<usize>) -> Result<()> {
    if ids.is_empty() {
        return Err(Error::invalid(
            what.list(),
            InputProblem::Empty,
            "it is empty; pass at least one id",
        ));
    }
    if let Some(max) = max {
        if ids.len() > max {
            return Err(Error::invalid(
                what.list(),
                InputProblem::TooMany,
                format!(
                    "it has {} ids, at most {max} are allowed per request; use deploy_all for more",
                    ids.len()
                ),
            ));
        }
    }
    // Short lists (the usual one id) are searched directly; a set pays off for long ones.
    let mut seen = (ids.len() > SHORT_LIST).then(|| HashSet::with_capacity(ids.len()));
    for (i, one) in ids.iter().enumerate() {
        let one = one.as_ref();
        id(what, one)?;
        let repeated = match &mut seen {
            Some(seen) => !seen.insert(one),
            None => ids[..i].iter().any(|earlier| earlier.as_ref() == one),
        };
        if repeated {
            return Err(Error::invalid(
                what.list(),
                InputProblem::Duplicate,
                format!("{one:?} appears more than once; pass each id once"),
            ));
        }
    }
    Ok(())
}

/// A value sent as an HTTP header: no CR, LF or other control characters.
pub(crate) fn header_value(what: Input, value: &str) -> Result<()> {
    if dataarts_signing::has_control_chars(value) {
        return Err(Error::invalid(
            what,
            InputProblem::Malformed,
            "it contains a control character (CR, LF, TAB, NUL...), which cannot go into an HTTP header; remove it",
        ));
    }
    if value.trim() != value {
        return Err(Error::invalid(
            what,
            InputProblem::Malformed,
            "it has leading or trailing whitespace; remove it",
        ));
    }
    Ok(())
}

/// A workspace id: a header value that is not blank.
pub(crate) fn workspace(value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(
            Input::Workspace,
            InputProblem::Empty,
            "it is empty; pass the 32-character workspace id or leave it unset",
        ));
    }
    header_value(Input::Workspace, value)?;
    if let Some((_, c)) = not_visible_ascii(value) {
        return Err(Error::invalid(
            Input::Workspace,
            InputProblem::Malformed,
            format!(
                "it contains {c:?} ({}), which an HTTP header cannot carry unchanged; workspace ids are 32 hex characters, so retype it rather than copy it",
                c.escape_unicode()
            ),
        ));
    }
    Ok(())
}

/// The first character (and its position, counted in characters) that is not visible ASCII
/// (`!`..=`~`): what a token-like header value (an access key, a token, a workspace id) may
/// hold. HTTP allows other bytes in header values, but the service's gateway and signer
/// compare ASCII, so anything else is a copy-paste accident that would only come back as 401.
pub(crate) fn not_visible_ascii(value: &str) -> Option<(usize, char)> {
    value
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())
}

/// A page size within `range`.
pub(crate) fn limit(what: Input, value: u32, min: u32, max: u32) -> Result<()> {
    if value < min || value > max {
        return Err(Error::invalid(
            what,
            InputProblem::OutOfRange,
            format!("{value} is outside {min}..={max}"),
        ));
    }
    Ok(())
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(id(Input::PackageId, "23").is_ok());
        assert!(id(Input::PackageId, "ff8080818c81c8ab018c8b43f85d0008").is_ok());
        for bad in [
            "",
            " ",
            "a/b",
            "..",
            "a?b",
            "a#b",
            "a%2F",
            "a b",
            "a\nb",
            "a\u{7f}",
            "a\\b",
            "1000\u{200B}",
            "\u{202E}1000",
            "\u{FEFF}1000",
            "１０００",
            "1000\u{2060}",
            "é",
            ".",
            "a<b",
            "a>b",
            "a\"b",
            "a`b",
            "a{b}",
            "a|b",
            "a^b",
            "a[0]",
        ] {
            assert!(id(Input::PackageId, bad).is_err(), "{bad:?}");
        }
        for good in ["a.b", "v1.2", "~x", "a:b", "a@b", "a=b;c", "_-"] {
            assert!(id(Input::PackageId, good).is_ok(), "{good:?}");
        }
        let err = id(Input::PackageId, ".").unwrap_err().to_string();
        assert!(err.contains("would be dropped"), "{err}");
        let err = id(Input::PackageId, "23\u{200B}").unwrap_err().to_string();
        assert!(
            err.contains("\\u{200b}") && err.contains("non-ASCII"),
            "{err}"
        );
    }

    #[test]
    fn lists() {
        assert!(id_list(Input::PackageId, &["1", "2"], Some(100)).is_ok());
        assert!(id_list::<&str>(Input::PackageId, &[], Some(100)).is_err());
        assert!(id_list(Input::PackageId, &["1", "1"], Some(100)).is_err());
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert!(id_list(Input::PackageId, &many, Some(100)).is_err());
        assert!(id_list(Input::PackageId, &many, None).is_ok());
        for len in [2, 16, 17, 40] {
            let mut ids: Vec<String> = (0..len).map(|i| i.to_string()).collect();
            ids.push("1".into());
            ids.push("0".into());
            let err = id_list(Input::PackageId, &ids, None)
                .unwrap_err()
                .to_string();
            assert!(err.contains("\"1\" appears more than once"), "{len}: {err}");
        }
    }

    #[test]
    fn headers() {
        assert!(header_value(Input::Workspace, "abc").is_ok());
        assert!(header_value(Input::Workspace, "a\r\nX: y").is_err());
        assert!(workspace("").is_err());
        assert!(workspace("a1b2\u{00e4}").is_err());
        assert!(workspace("a b").is_err());
        assert!(workspace("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6").is_ok());
        assert_eq!(not_visible_ascii("AK\u{c4}"), Some((2, '\u{c4}')));
        assert_eq!(not_visible_ascii("!~"), None);
        assert!(limit(Input::Limit, 0, 1, 100).is_err());
        assert!(limit(Input::Limit, 101, 1, 100).is_err());
        assert!(limit(Input::Limit, 100, 1, 100).is_ok());
    }
}
