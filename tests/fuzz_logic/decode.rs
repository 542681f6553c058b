//! Decoding: every operation's success type, error bodies, `EpochMillis`.

use std::fmt::Debug;

use dataarts_release_raw::types::{
    CreatePackageResponse, DeployResponse, ErrorBody, ListPendingItemsResponse,
    ListReleasePackagesResponse, ShowPackageDetailResponse, SystemTask,
};
use dataarts_release_raw::EpochMillis;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Decodes the input as every operation's success type (and as a bare [`EpochMillis`]).
///
/// Invariants: decoding never panics; whatever decodes re-encodes, and the encoding decodes to
/// an equal value (no field is lost or changed on the way through the generated types); an
/// [`EpochMillis`] encodes as its integer.
pub fn decode_responses(data: &[u8]) {
    round_trip::<DeployResponse>(data);
    round_trip::<ListReleasePackagesResponse>(data);
    round_trip::<ShowPackageDetailResponse>(data);
    round_trip::<ListPendingItemsResponse>(data);
    round_trip::<CreatePackageResponse>(data);
    round_trip::<SystemTask>(data);
    if let Some(millis) = round_trip::<EpochMillis>(data) {
        assert_eq!(
            serde_json::to_string(&millis).expect("an EpochMillis encodes"),
            millis.millis().to_string()
        );
    }
}

/// Decodes the input as the generated [`ErrorBody`] and as a JSON value, and reads the
/// error-body shapes Huawei uses from the value.
///
/// Invariants: no panic; a decoded [`ErrorBody`] round-trips; it only decodes from a JSON
/// object, or from a three-element array (serde's sequence form of a struct, fields in
/// declaration order: `["DLF.0810", "msg", "req-id"]`); when the same bytes also parse as a
/// [`serde_json::Value`], its three fields are exactly the object's string members of the same
/// names, or the array's elements.
pub fn decode_error_body(data: &[u8]) {
    let value = serde_json::from_slice::<serde_json::Value>(data).ok();
    if let Some(value) = &value {
        // The shapes the wrapper has to understand; reading them must not panic either.
        let _ = error_shape(value);
    }
    let Some(body) = round_trip::<ErrorBody>(data) else {
        return;
    };
    let first = data.iter().find(|b| !b.is_ascii_whitespace());
    assert!(
        matches!(first, Some(b'{' | b'[')),
        "ErrorBody decoded from something other than an object or an array"
    );
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    match value {
        Some(serde_json::Value::Object(object)) => {
            assert_eq!(body.error_code, text(object.get("error_code")));
            assert_eq!(body.error_msg, text(object.get("error_msg")));
            assert_eq!(body.request_id, text(object.get("request_id")));
        }
        Some(serde_json::Value::Array(items)) => {
            assert_eq!(items.len(), 3, "ErrorBody decoded from {items:?}");
            assert_eq!(body.error_code, text(items.first()));
            assert_eq!(body.error_msg, text(items.get(1)));
            assert_eq!(body.request_id, text(items.get(2)));
        }
        Some(other) => panic!("ErrorBody decoded from {other}"),
        None => {}
    }
}

/// The (code, message) of an error body in any of the documented shapes: `error_code` /
/// `error_msg` (DLF, API gateway), `errorCode` / `errorMsg`, `code` / `message`, or one of
/// those nested in an object member (e.g. `{"error": {"code": .., "message": ..}}`).
pub fn error_shape(value: &serde_json::Value) -> Option<(String, String)> {
    fn scalar(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    let object = value.as_object()?;
    for (code, msg) in [
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
    ] {
        if let (Some(c), Some(m)) = (
            object.get(code).and_then(scalar),
            object.get(msg).and_then(scalar),
        ) {
            return Some((c, m));
        }
    }
    object.values().filter_map(error_shape).next_back()
}

/// Decodes `data` as `T`; if that works, checks encode-then-decode gives an equal value.
fn round_trip<T>(data: &[u8]) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let value: T = serde_json::from_slice(data).ok()?;
    let encoded = serde_json::to_vec(&value).expect("a decoded value encodes");
    let again: T = serde_json::from_slice(&encoded).unwrap_or_else(|e| {
        panic!(
            "{} re-encoded as {:?} does not decode: {e}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&encoded)
        )
    });
    assert_eq!(
        again,
        value,
        "{} changed on a round trip",
        std::any::type_name::<T>()
    );
    Some(value)
}
