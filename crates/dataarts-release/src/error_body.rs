//! Reading error bodies the way the official SDKs do: `error_code`/`error_msg`,
//! `errorCode`/`errorMsg` or `code`/`message`, at the top or nested.

use serde_json::Value;

/// Code, message and body request id found in an error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedErrorBody {
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

/// Parses any error body: `error_code`/`error_msg`, `errorCode`/`errorMsg`, `code`/`message`,
/// nested objects (a later match wins); non-JSON or no match keeps the raw text. An empty code
/// becomes the status as text.
pub(crate) fn parse(status: u16, body: &[u8]) -> ParsedErrorBody {
    let text = String::from_utf8_lossy(body);
    let raw = text.trim().to_string();
    let mut code = String::new();
    let mut message = String::new();
    let mut request_id = None;
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        let root = Value::Object(map);
        if let Some((c, m)) = find_pair(&root) {
            code = c;
            message = m;
        }
        request_id = root
            .get("request_id")
            .and_then(scalar)
            .filter(|s| !s.is_empty());
    }
    if code.is_empty() {
        code = status.to_string();
    }
    if message.is_empty() {
        message = if raw.is_empty() {
            format!("HTTP {status} with an empty body")
        } else {
            excerpt(&raw, 300)
        };
    }
    ParsedErrorBody {
        code,
        message,
        request_id,
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn find_pair(v: &Value) -> Option<(String, String)> {
    let Value::Object(map) = v else { return None };
    for (c, m) in [
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
    ] {
        if let (Some(code), Some(msg)) = (map.get(c).and_then(scalar), map.get(m).and_then(scalar))
        {
            return Some((code, msg));
        }
    }
    let mut found = None;
    for value in map.values() {
        if value.is_object() {
            if let Some(pair) = find_pair(value) {
                found = Some(pair);
            }
        }
    }
    found
}

/// The first `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let p = parse(
            400,
            br#"{"error_code":"DLF.0810","error_msg":"Task does not exist."}"#,
        );
        assert_eq!(
            (p.code.as_str(), p.message.as_str()),
            ("DLF.0810", "Task does not exist.")
        );
        let p = parse(400, br#"{"errorCode":"X.1","errorMsg":"m"}"#);
        assert_eq!(p.code, "X.1");
        let p = parse(401, br#"{"error":{"code":401,"message":"bad token"}}"#);
        assert_eq!((p.code.as_str(), p.message.as_str()), ("401", "bad token"));
        let p = parse(
            401,
            br#"{"error_code":"APIGW.0301","error_msg":"Incorrect","request_id":"abc"}"#,
        );
        assert_eq!(p.request_id.as_deref(), Some("abc"));
        // A lone error_code is ignored, as in the SDK.
        let p = parse(400, br#"{"error_code":"only"}"#);
        assert_eq!(p.code, "400");
        let p = parse(502, b"<html>Bad Gateway</html>");
        assert_eq!(
            (p.code.as_str(), p.message.as_str()),
            ("502", "<html>Bad Gateway</html>")
        );
        let p = parse(503, b"");
        assert_eq!(p.code, "503");
        assert!(p.message.contains("empty"));
        let p = parse(500, br#"[1,2]"#);
        assert_eq!(p.message, "[1,2]");
    }
}
