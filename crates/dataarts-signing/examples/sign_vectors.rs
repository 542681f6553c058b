//! Signs requests given as JSON with every algorithm and prints our signatures as JSON, for
//! checking them with another implementation (`conformance/test_signing_interop.py` checks
//! them with the official Python SDK's own signers and verifiers).
//!
//! ```text
//! cargo run -p dataarts-signing --example sign_vectors -- crates/dataarts-signing/tests/vectors/algorithms.json
//! cargo run -p dataarts-signing --example sign_vectors < requests.json
//! ```
//!
//! Input: `{"requests": [...], "algorithms": [...]}` in the shape of
//! `tests/vectors/algorithms.json` (`algorithms` is optional: all four by default; other keys
//! are ignored). Each request has `id`, `method`, `path`, `query` (`[[key, value], ...]`, raw),
//! `headers` (`[[name, value], ...]`, with `Host` and `X-Sdk-Date`), `body` (`null`,
//! `{"utf8": text}` or `{"hex": bytes}`), `ak` and `sk`. As the official SDK does, a
//! `Content-Type` that is neither JSON nor BSON gets the algorithm's payload-hash header with
//! `UNSIGNED-PAYLOAD`.
//!
//! Output: `{"signatures": [{"request", "algorithm", "canonical_request", "string_to_sign",
//! "signed_headers", "authorization", "public_key"}]}`, `public_key` being the uncompressed
//! SEC1 hex of the derived key (elliptic-curve algorithms) or `null`.

use std::io::{Read, Write};
use std::process::ExitCode;

use dataarts_signing::{needs_unsigned_payload, Algorithm, SigningInput, SigningKey};
use serde_json::{json, Value};

fn main() -> ExitCode {
    match run() {
        Ok(out) => match writeln!(std::io::stdout().lock(), "{out}") {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("sign_vectors: cannot write the output: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("sign_vectors: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<Value, String> {
    let text = match std::env::args_os().nth(1) {
        Some(path) => std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.to_string_lossy()))?,
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            s
        }
    };
    let root: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let algorithms: Vec<Algorithm> = match root.get("algorithms") {
        None | Some(Value::Null) => Algorithm::ALL.to_vec(),
        Some(list) => list
            .as_array()
            .ok_or("algorithms must be a list of names")?
            .iter()
            .map(|a| {
                a.as_str()
                    .ok_or_else(|| "an algorithm name is not a string".to_string())?
                    .parse::<Algorithm>()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?,
    };
    let requests = root["requests"]
        .as_array()
        .ok_or("the input has no \"requests\" list")?;
    let mut out = Vec::new();
    for request in requests {
        for &algorithm in &algorithms {
            out.push(sign_one(request, algorithm)?);
        }
    }
    Ok(json!({ "signatures": out }))
}

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v[key]
        .as_str()
        .ok_or_else(|| format!("a request has no string field {key:?}"))
}

fn pairs(v: &Value, key: &str) -> Result<Vec<(String, String)>, String> {
    let list = v[key]
        .as_array()
        .ok_or_else(|| format!("{key:?} must be a list of [name, value] pairs"))?;
    list.iter()
        .map(|p| match (p[0].as_str(), p[1].as_str()) {
            (Some(k), Some(v)) => Ok((k.to_string(), v.to_string())),
            _ => Err(format!(
                "{key:?} holds something other than [string, string]"
            )),
        })
        .collect()
}

fn sign_one(request: &Value, algorithm: Algorithm) -> Result<Value, String> {
    let id = field(request, "id")?;
    let mut headers = pairs(request, "headers")?;
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    if content_type.is_some_and(|ct| needs_unsigned_payload(&ct)) {
        headers.push((
            algorithm.content_hash_header().to_string(),
            "UNSIGNED-PAYLOAD".to_string(),
        ));
    }
    let body = match &request["body"] {
        Value::Null => Vec::new(),
        b => match (b["utf8"].as_str(), b["hex"].as_str()) {
            (Some(text), _) => text.as_bytes().to_vec(),
            (None, Some(hex)) => hex::decode(hex).map_err(|e| format!("{id}: body: {e}"))?,
            _ => {
                return Err(format!(
                    "{id}: body must be null, {{\"utf8\"}} or {{\"hex\"}}"
                ))
            }
        },
    };
    let query = pairs(request, "query")?;
    let input = SigningInput {
        method: field(request, "method")?,
        path: field(request, "path")?,
        query: &query,
        headers: &headers,
        body: &body,
    };
    let key = SigningKey::new(
        algorithm,
        field(request, "ak")?,
        field(request, "sk")?.as_bytes(),
    )
    .map_err(|e| format!("{id} {algorithm}: {e}"))?;
    let signed = key
        .sign(&input)
        .map_err(|e| format!("{id} {algorithm}: {e}"))?;
    Ok(json!({
        "request": id,
        "algorithm": algorithm.as_str(),
        "canonical_request": signed.canonical_request,
        "string_to_sign": signed.string_to_sign,
        "signed_headers": signed.signed_headers,
        "authorization": signed.authorization,
        "public_key": key.public_key().map(hex::encode),
    }))
}
