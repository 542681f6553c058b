//! Request-body and query parsing with DLF-style errors (never framework errors).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::journal::{cap_text, CappedIds, MAX_ID};

/// Longest copy of a client's value in an error message, in bytes.
const MAX_ECHO: usize = 256;

/// Checks `Content-Type` for an operation with a body: absent, or a media type of
/// `application/json` with any parameters, in any case.
pub(crate) fn check_content_type(headers: &http::HeaderMap) -> Result<(), ApiError> {
    let Some(v) = headers.get(http::header::CONTENT_TYPE) else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(v.as_bytes());
    let media = text.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "Content-Type must be application/json (optionally with a charset), got {:?}",
            cap_text(&text, MAX_ECHO)
        )))
    }
}

/// Parses the body as a JSON object. An empty (or all-whitespace) body gives `None`.
///
/// `fields` are the operation's documented fields: a `null` there is refused (400 `EMU.0002`;
/// none of them is nullable), except that [`require`] reports a `null` required field as not
/// configured. `null` values of unknown fields are dropped, like the fields themselves.
pub(crate) fn parse_object(
    body: &[u8],
    fields: &[&str],
    required: &[&str],
) -> Result<Option<Map<String, Value>>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let v: Value = serde_json::from_slice(body).map_err(ApiError::malformed_json)?;
    match v {
        Value::Object(mut m) => {
            for key in required {
                require(&m, key)?;
            }
            if let Some(key) = fields
                .iter()
                .find(|k| m.get(**k).is_some_and(Value::is_null))
            {
                return Err(ApiError::invalid(format!("{key} must not be null")));
            }
            m.retain(|_, v| !v.is_null());
            Ok(Some(m))
        }
        other => Err(ApiError::malformed_json(format!(
            "expected a JSON object, found {}",
            kind(&other)
        ))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The strings of an array field, for the journal (non-strings are skipped; capped, see
/// [`CappedIds`]).
pub(crate) fn string_list(m: &Map<String, Value>, key: &str) -> CappedIds {
    match m.get(key) {
        Some(Value::Array(a)) => CappedIds::new(a.iter().filter_map(Value::as_str)),
        _ => CappedIds::default(),
    }
}

/// Requires `key` to be present (not null); an empty array or blank string counts as absent.
pub(crate) fn require(m: &Map<String, Value>, key: &str) -> Result<(), ApiError> {
    match m.get(key) {
        None | Some(Value::Null) => Err(ApiError::not_configured()),
        Some(Value::Array(a)) if a.is_empty() => Err(ApiError::not_configured()),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ApiError::not_configured()),
        Some(_) => Ok(()),
    }
}

/// Checks that an array field has at most `max` elements, all distinct strings.
pub(crate) fn check_id_list(m: &Map<String, Value>, key: &str, max: usize) -> Result<(), ApiError> {
    let Some(v) = m.get(key) else {
        return Ok(());
    };
    let Value::Array(a) = v else {
        return Err(ApiError::invalid(format!(
            "{key} must be an array of strings, found {}",
            kind(v)
        )));
    };
    if a.len() > max {
        return Err(ApiError::invalid(format!(
            "{key} must hold at most {max} IDs, got {}",
            a.len()
        )));
    }
    let mut seen = std::collections::HashSet::with_capacity(a.len());
    for item in a {
        let Some(s) = item.as_str() else {
            return Err(ApiError::invalid(format!(
                "{key} must be an array of strings, found {} in it",
                kind(item)
            )));
        };
        if !seen.insert(s) {
            return Err(ApiError::invalid(format!(
                "{key} contains {:?} more than once",
                cap_text(s, MAX_ID)
            )));
        }
    }
    Ok(())
}

/// Checks that a string field, or each string of an array field, is at most `max` bytes long
/// (what the emulator keeps of a new package is bounded).
pub(crate) fn check_lengths(m: &Map<String, Value>, key: &str, max: usize) -> Result<(), ApiError> {
    let too_long = |s: &str| s.len() > max;
    let bad = match m.get(key) {
        Some(Value::String(s)) => too_long(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(too_long),
        _ => false,
    };
    if bad {
        return Err(ApiError::invalid(format!(
            "{key} must be at most {max} bytes long"
        )));
    }
    Ok(())
}

/// Checks that an optional field, when present, is an integer within `range`.
pub(crate) fn check_int(
    m: &Map<String, Value>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
    rule: &str,
) -> Result<(), ApiError> {
    match m.get(key) {
        None => Ok(()),
        Some(v) => match v.as_i64() {
            Some(n) if range.contains(&n) => Ok(()),
            _ => Err(ApiError::invalid(format!(
                "{key} must be {rule}, got {}",
                cap_text(&v.to_string(), MAX_ECHO)
            ))),
        },
    }
}

/// Converts the checked object into a generated request type; a type mismatch is EMU.0002.
pub(crate) fn convert<T: DeserializeOwned>(m: Map<String, Value>) -> Result<T, ApiError> {
    serde_json::from_value(Value::Object(m)).map_err(|e| {
        ApiError::invalid(format!(
            "invalid request body: {}",
            cap_text(&e.to_string(), MAX_ECHO)
        ))
    })
}

/// Raw query pairs (`+` is a space, as form encoding and the SDK's canonical query agree for
/// our parameters).
pub(crate) fn query_pairs(raw: &str) -> Vec<(String, String)> {
    dataarts_signing::parse_form_query(raw)
}

/// Parses an optional query parameter holding an integer within `range`. For parameters the
/// spec types as strings (`empty_ok`), an empty value counts as absent; for integer parameters
/// it is invalid.
pub(crate) fn query_int(
    pairs: &[(String, String)],
    key: &str,
    range: std::ops::RangeInclusive<i64>,
    rule: &str,
    empty_ok: bool,
) -> Result<Option<i64>, ApiError> {
    match pairs.iter().rev().find(|(k, _)| k == key) {
        None => Ok(None),
        Some((_, v)) if v.is_empty() && empty_ok => Ok(None),
        Some((_, v)) => match v.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::invalid(format!(
                "{key} must be {rule}, got {:?}",
                cap_text(v, MAX_ECHO)
            ))),
        },
    }
}

/// An optional string query parameter (empty counts as absent).
pub(crate) fn query_str(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs
        .iter()
        .rev()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let mut h = http::HeaderMap::new();
        assert!(check_content_type(&h).is_ok());
        for ok in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/json;charset=utf-8",
        ] {
            h.insert(http::header::CONTENT_TYPE, ok.parse().unwrap());
            assert!(check_content_type(&h).is_ok(), "{ok}");
        }
        h.insert(http::header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(check_content_type(&h).unwrap_err().code, "EMU.0002");
    }

    #[test]
    fn objects() {
        assert_eq!(parse_object(b"  ", &[], &[]).unwrap(), None);
        assert_eq!(
            parse_object(b"{bad", &[], &[]).unwrap_err().code,
            "EMU.0001"
        );
        assert_eq!(parse_object(b"[1]", &[], &[]).unwrap_err().code, "EMU.0001");
        let m = parse_object(br#"{"a":null,"b":1}"#, &["b"], &[])
            .unwrap()
            .unwrap();
        assert!(!m.contains_key("a"));
        assert_eq!(require(&m, "a").unwrap_err().code, "DLF.0802");
        let e = parse_object(br#"{"a":null}"#, &["a"], &[]).unwrap_err();
        assert_eq!(e.code, "EMU.0002");
        let e = parse_object(br#"{"a":null}"#, &["a"], &["a"]).unwrap_err();
        assert_eq!(e.code, "DLF.0802");
        let m = parse_object(br#"{"ids":["1","1"]}"#, &[], &[])
            .unwrap()
            .unwrap();
        assert_eq!(check_id_list(&m, "ids", 100).unwrap_err().code, "EMU.0002");
        let m = parse_object(br#"{"n":2}"#, &[], &[]).unwrap().unwrap();
        assert!(check_int(&m, "n", 0..=1, "0 or 1").is_err());
    }

    #[test]
    fn lengths_and_echoes_are_bounded() {
        let long = "x".repeat(100_000);
        let m = parse_object(
            serde_json::json!({"name": long, "ids": ["a", long], "dup": [long, long]})
                .to_string()
                .as_bytes(),
            &[],
            &[],
        )
        .unwrap()
        .unwrap();
        assert!(check_lengths(&m, "name", 1024).is_err());
        assert!(check_lengths(&m, "ids", 128).is_err());
        assert!(check_lengths(&m, "ids", 100_000).is_ok());
        assert!(check_lengths(&m, "absent", 1).is_ok());
        // Error messages copy at most a few hundred bytes of the client's input.
        let e = check_id_list(&m, "dup", 100).unwrap_err();
        assert!(
            e.msg.len() < 200 && e.msg.contains("[100000 bytes]"),
            "{}",
            e.msg
        );
        let e = check_int(&m, "name", 0..=1, "0 or 1").unwrap_err();
        assert!(e.msg.len() < 400, "{}", e.msg.len());
        let ids = string_list(&m, "ids");
        assert_eq!(ids.total, 2);
        assert!(ids.kept.iter().all(|i| i.len() < 100));
    }

    #[test]
    fn queries() {
        let q = query_pairs("limit=5&item_name=job+batch&offset=");
        assert_eq!(
            query_int(&q, "limit", 1..=100, "x", false).unwrap(),
            Some(5)
        );
        assert_eq!(query_int(&q, "offset", 0..=10, "x", true).unwrap(), None);
        assert!(query_int(&q, "offset", 0..=10, "x", false).is_err());
        assert_eq!(query_str(&q, "item_name").as_deref(), Some("job batch"));
        let q = query_pairs("limit=abc");
        assert!(query_int(&q, "limit", 1..=100, "x", false).is_err());
    }
}
