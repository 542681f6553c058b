//! Building the canonical request, the string to sign, the signature and the `Authorization`
//! header.

use std::borrow::Cow;

use crate::canonical::{push_canonical_query, push_canonical_uri, python_strip};
use crate::hash::{push_hex, HashFn};
use crate::{parse_sdk_date, Algorithm, SignError};

/// Lower-case name of the date header.
const DATE: &str = "x-sdk-date";

/// Everything about a request that goes into its signature.
///
/// `H` is how one header is held: `(String, String)` by default, or any other pair of
/// strings, such as `(&str, &str)` borrowed from an HTTP library's header map.
#[derive(Debug)]
pub struct SigningInput<'a, H = (String, String)> {
    /// The HTTP method as sent (upper case, e.g. `POST`); it is not normalised.
    pub method: &'a str,
    /// The path as sent on the wire, without the query; it may be percent-encoded
    /// (see [`crate::canonical_uri`]).
    pub path: &'a str,
    /// The query as raw (decoded) `(key, value)` pairs, in any order. The URL must carry
    /// exactly [`crate::canonical_query`] of these pairs.
    pub query: &'a [(String, String)],
    /// The headers, names as sent. For [`sign`]: every header to sign, including `Host`
    /// (with a non-default port) and `X-Sdk-Date`. For [`sign_with_names`]: at least the
    /// named ones and `X-Sdk-Date`; others are ignored, except `X-Sdk-Content-Sha256`, which
    /// is read for the payload hash whether signed or not.
    pub headers: &'a [H],
    /// The exact body bytes sent; empty when there is no body.
    pub body: &'a [u8],
}

// By hand: the derives would ask `H` itself to be `Clone` and `Copy`, and only a slice of
// it is held.
impl<H> Clone for SigningInput<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H> Copy for SigningInput<'_, H> {}

/// One header of a [`SigningInput`]: a name and a value, as sent.
///
/// Implemented for every pair of string types, e.g. `(String, String)` and `(&str, &str)`.
///
/// ```
/// use dataarts_signing::HeaderPair;
///
/// let h = ("Host", String::from("dayu.example"));
/// assert_eq!((h.name(), h.value()), ("Host", "dayu.example"));
/// ```
pub trait HeaderPair {
    /// The header name.
    fn name(&self) -> &str;
    /// The header value.
    fn value(&self) -> &str;
}

impl<N: AsRef<str>, V: AsRef<str>> HeaderPair for (N, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }

    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

/// The result of signing: the `Authorization` header and the intermediate strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The canonical request (lines joined with `\n`).
    pub canonical_request: String,
    /// `<ALGORITHM>\n<X-Sdk-Date>\n<hex hash of the canonical request>`, the hash being
    /// SHA-256 or SM3 as the algorithm says.
    pub string_to_sign: String,
    /// The signed header names, lower case, joined with `;`.
    pub signed_headers: String,
    /// Lower-case hex signature of the string to sign: the HMAC keyed with the secret key for
    /// the HMAC algorithms, the DER-encoded `(r, s)` pair for the two elliptic-curve ones.
    pub signature: String,
    /// The `Authorization` header value:
    /// `<ALGORITHM> Access=<AK>, SignedHeaders=<...>, Signature=<...>`.
    pub authorization: String,
}

/// Signs a request like the official Python SDK.
///
/// Every header whose name contains no `_` is signed: names are lower-cased and sorted,
/// values are trimmed at both ends (as Python's `str.strip()` does; inner spaces are kept).
/// Headers whose name contains `_` are left out (they may still be sent, unsigned). The
/// payload hash is [`crate::EMPTY_PAYLOAD_HASH`] for an empty body, else the value of an
/// `X-Sdk-Content-Sha256` header if present (any case, e.g. `UNSIGNED-PAYLOAD`), else the
/// hex SHA-256 of the body. The date is the value of the `X-Sdk-Date` header (any case),
/// which must be a valid `YYYYMMDDTHHMMSSZ` time.
///
/// The trimmed header values are what must be sent. Reject header values containing control
/// characters first ([`crate::has_control_chars`]).
///
/// # Errors
///
/// [`SignError::MissingDate`] or [`SignError::MalformedDate`] for a missing or malformed
/// `X-Sdk-Date`, [`SignError::DuplicateHeader`] when two signed header names differ only in
/// case, and [`SignError::AlreadySigned`] when an `Authorization` header is present.
///
/// # Example
///
/// The V1 vector of `signing_vectors.json`, the DataArts deploy call:
///
/// ```
/// use dataarts_signing::{sign, SigningInput};
///
/// let h = |k: &str, v: &str| (k.to_string(), v.to_string());
/// let headers = [
///     h("workspace", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"),
///     h("Content-Type", "application/json;charset=utf-8"),
///     h("User-Agent", "huaweicloud-usdk-python/3.0; rust-compat-test"),
///     h("X-Project-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
///     h("X-Sdk-Date", "20240102T030405Z"),
///     h("Host", "dayu.cn-north-4.myhuaweicloud.com"),
/// ];
/// let input = SigningInput {
///     method: "POST",
///     path: "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/factory/release-packages/deploy",
///     query: &[],
///     headers: &headers,
///     body: br#"{"package_ids": ["1001", "1002"], "startup_mode": 1}"#,
/// };
/// let signed = sign("TESTAK0123456789ABCD", b"TestSecretKey0123456789abcdefghijklmnopq", &input)?;
/// assert_eq!(
///     signed.authorization,
///     "SDK-HMAC-SHA256 Access=TESTAK0123456789ABCD, \
///      SignedHeaders=content-type;host;user-agent;workspace;x-project-id;x-sdk-date, \
///      Signature=945e89e672c8e589f2da573b5ba7364f619951f4baad8a648873065ce8d10571"
/// );
/// # Ok::<(), dataarts_signing::SignError>(())
/// ```
pub fn sign<H: HeaderPair>(
    ak: &str,
    sk: &[u8],
    input: &SigningInput<'_, H>,
) -> Result<Signed, SignError> {
    let prepared = prepare(Algorithm::HmacSha256, input, None)?;
    Ok(prepared.hmac_signed(ak, sk))
}

/// Returns the error [`sign`] would return for `input`, if any, without hashing anything.
///
/// A caller that signs each attempt of a request again (with a new date) can run this once,
/// before sending anything, to learn that every later signature will succeed.
///
/// ```
/// use dataarts_signing::{check, SignError, SigningInput};
///
/// let headers = [
///     ("Host".to_string(), "dayu.example".to_string()),
///     ("X-Sdk-Date".to_string(), "20240102T030405Z".to_string()),
/// ];
/// let input = SigningInput { method: "GET", path: "/", query: &[], headers: &headers, body: b"" };
/// assert_eq!(check(&input), Ok(()));
/// let no_date = SigningInput { headers: &headers[..1], ..input };
/// assert_eq!(check(&no_date), Err(SignError::MissingDate));
/// ```
///
/// # Errors
///
/// The same as [`sign`], for the same inputs.
pub fn check<H: HeaderPair>(input: &SigningInput<'_, H>) -> Result<(), SignError> {
    check_for(Algorithm::HmacSha256, input)
}

/// [`check`] for the payload-hash header of `algorithm`.
pub(crate) fn check_for<H: HeaderPair>(
    algorithm: Algorithm,
    input: &SigningInput<'_, H>,
) -> Result<(), SignError> {
    signed_entries(input)?;
    if !input.body.is_empty() {
        find_unique(input.headers, content_header(algorithm))?;
    }
    Ok(())
}

/// The lower-case name of the header whose value replaces the payload hash.
fn content_header(algorithm: Algorithm) -> &'static str {
    match HashFn::of(algorithm) {
        HashFn::Sha256 => "x-sdk-content-sha256",
        HashFn::Sm3 => "x-sdk-content-sm3",
    }
}

/// The headers [`sign`] signs (names lower-cased, sorted) and the checked date.
#[allow(clippy::type_complexity)]
fn signed_entries<'a, H: HeaderPair>(
    input: &SigningInput<'a, H>,
) -> Result<(Vec<(Cow<'a, str>, &'a str)>, &'a str), SignError> {
    let mut entries: Vec<(Cow<'_, str>, &str)> = Vec::with_capacity(input.headers.len());
    for header in input.headers {
        let (name, value) = (header.name(), header.value());
        if name.eq_ignore_ascii_case("authorization") {
            return Err(SignError::AlreadySigned);
        }
        if !name.contains('_') {
            entries.push((lower(name), value));
        }
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if let Some(pair) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(SignError::DuplicateHeader {
            name: pair[0].0.to_string(),
        });
    }
    let date = find_date(input.headers)?;
    Ok((entries, date))
}

/// Signs a request over exactly the given header names, in the given order.
///
/// This is what the verifier does with the names listed in `SignedHeaders`, and what the Go
/// SDK does (it signs only `x-sdk-date`, vectors G1 and G2). The names are lower-cased (they
/// normally already are, and sorted); each must match exactly one header of `input.headers`
/// case-insensitively, and `x-sdk-date` must be among them. Everything else is as in [`sign`].
///
/// # Errors
///
/// [`SignError::MissingDate`] or [`SignError::MalformedDate`] for a missing or malformed
/// `X-Sdk-Date`, [`SignError::DateNotSigned`] when `x-sdk-date` is not among the names,
/// [`SignError::MissingHeader`] when a named header is absent and
/// [`SignError::DuplicateHeader`] when it is present more than once.
///
/// ```
/// use dataarts_signing::{sign_with_names, SigningInput};
///
/// // Vector G1, from the Go SDK's tests.
/// let headers = [
///     ("X-Sdk-Date".to_string(), "20060102T150405Z".to_string()),
///     ("TEST_UNDERSCORE".to_string(), "TEST_VALUE".to_string()),
/// ];
/// let query = [("limit".to_string(), "1".to_string())];
/// let input = SigningInput { method: "GET", path: "/path", query: &query, headers: &headers, body: b"" };
/// let signed = sign_with_names("AccessKey", b"SecretKey", &input, &["x-sdk-date"])?;
/// assert_eq!(signed.signature, "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624");
/// # Ok::<(), dataarts_signing::SignError>(())
/// ```
pub fn sign_with_names<H: HeaderPair>(
    ak: &str,
    sk: &[u8],
    input: &SigningInput<'_, H>,
    signed_names: &[&str],
) -> Result<Signed, SignError> {
    let prepared = prepare(Algorithm::HmacSha256, input, Some(signed_names))?;
    Ok(prepared.hmac_signed(ak, sk))
}

/// Everything but the signature: the canonical request and the string to sign.
pub(crate) struct Prepared {
    pub(crate) algorithm: Algorithm,
    pub(crate) canonical_request: String,
    pub(crate) string_to_sign: String,
    pub(crate) signed_headers: String,
}

impl Prepared {
    /// Completes the signature with `signature` (lower-case hex).
    pub(crate) fn into_signed(self, ak: &str, signature: String) -> Signed {
        let authorization = format!(
            "{} Access={ak}, SignedHeaders={}, Signature={signature}",
            self.algorithm.as_str(),
            self.signed_headers
        );
        Signed {
            canonical_request: self.canonical_request,
            string_to_sign: self.string_to_sign,
            signed_headers: self.signed_headers,
            signature,
            authorization,
        }
    }

    /// The lower-case hex HMAC of the string to sign, keyed with `sk`.
    pub(crate) fn hmac_hex(&self, sk: &[u8]) -> String {
        let mut signature = String::with_capacity(64);
        push_hex(
            &mut signature,
            &HashFn::of(self.algorithm).hmac(sk, self.string_to_sign.as_bytes()),
        );
        signature
    }

    /// Signs with the HMAC of the algorithm.
    pub(crate) fn hmac_signed(self, ak: &str, sk: &[u8]) -> Signed {
        let signature = self.hmac_hex(sk);
        self.into_signed(ak, signature)
    }
}

/// Builds the canonical request and the string to sign for `algorithm`: over every header
/// whose name has no `_` when `signed_names` is `None` (as [`sign`]), else over exactly the
/// named headers (as [`sign_with_names`]).
pub(crate) fn prepare<H: HeaderPair>(
    algorithm: Algorithm,
    input: &SigningInput<'_, H>,
    signed_names: Option<&[&str]>,
) -> Result<Prepared, SignError> {
    let (entries, date) = match signed_names {
        None => signed_entries(input)?,
        Some(signed_names) => {
            let date = find_date(input.headers)?;
            let names: Vec<Cow<'_, str>> = signed_names.iter().map(|n| lower(n)).collect();
            if !names.iter().any(|n| n == DATE) {
                return Err(SignError::DateNotSigned);
            }
            let mut entries = Vec::with_capacity(names.len());
            for name in names {
                let value =
                    find_unique(input.headers, &name)?.ok_or_else(|| SignError::MissingHeader {
                        name: name.to_string(),
                    })?;
                entries.push((name, value));
            }
            (entries, date)
        }
    };
    let payload_hash = payload_hash(algorithm, input)?;
    Ok(finish(algorithm, input, &entries, date, payload_hash))
}

/// Assembles the canonical request and the string to sign.
fn finish<H>(
    algorithm: Algorithm,
    input: &SigningInput<'_, H>,
    entries: &[(Cow<'_, str>, &str)],
    date: &str,
    payload_hash: Cow<'_, str>,
) -> Prepared {
    let mut signed_headers =
        String::with_capacity(entries.iter().map(|(n, _)| n.len() + 1).sum::<usize>());
    for (i, (name, _)) in entries.iter().enumerate() {
        if i > 0 {
            signed_headers.push(';');
        }
        signed_headers.push_str(name);
    }

    let estimate = input.method.len()
        + input.path.len() * 3
        + input
            .query
            .iter()
            .map(|(k, v)| (k.len() + v.len()) * 3 + 2)
            .sum::<usize>()
        + entries
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum::<usize>()
        + signed_headers.len()
        + payload_hash.len()
        + 8;
    let mut canonical_request = String::with_capacity(estimate);
    canonical_request.push_str(input.method);
    canonical_request.push('\n');
    push_canonical_uri(&mut canonical_request, input.path);
    canonical_request.push('\n');
    push_canonical_query(&mut canonical_request, input.query);
    canonical_request.push('\n');
    for (name, value) in entries {
        canonical_request.push_str(name);
        canonical_request.push(':');
        canonical_request.push_str(python_strip(value));
        canonical_request.push('\n');
    }
    canonical_request.push('\n');
    canonical_request.push_str(&signed_headers);
    canonical_request.push('\n');
    canonical_request.push_str(&payload_hash);

    let name = algorithm.as_str();
    let mut string_to_sign = String::with_capacity(name.len() + date.len() + 66);
    string_to_sign.push_str(name);
    string_to_sign.push('\n');
    string_to_sign.push_str(date);
    string_to_sign.push('\n');
    HashFn::of(algorithm).push_hex_digest(&mut string_to_sign, canonical_request.as_bytes());

    Prepared {
        algorithm,
        canonical_request,
        string_to_sign,
        signed_headers,
    }
}

/// The last line of the canonical request: the payload hash.
fn payload_hash<'a, H: HeaderPair>(
    algorithm: Algorithm,
    input: &SigningInput<'a, H>,
) -> Result<Cow<'a, str>, SignError> {
    if input.body.is_empty() {
        return Ok(Cow::Borrowed(algorithm.empty_payload_hash()));
    }
    if let Some(value) = find_unique(input.headers, content_header(algorithm))? {
        let value = python_strip(value);
        if !value.is_empty() {
            return Ok(Cow::Borrowed(value));
        }
    }
    let mut hash = String::with_capacity(64);
    HashFn::of(algorithm).push_hex_digest(&mut hash, input.body);
    Ok(Cow::Owned(hash))
}

/// The `X-Sdk-Date` value, checked.
fn find_date<H: HeaderPair>(headers: &[H]) -> Result<&str, SignError> {
    let date = find_unique(headers, DATE)?.ok_or(SignError::MissingDate)?;
    parse_sdk_date(date)?;
    Ok(date)
}

/// The value of the only header whose lower-cased name is `lower_name`.
fn find_unique<'a, H: HeaderPair>(
    headers: &'a [H],
    lower_name: &str,
) -> Result<Option<&'a str>, SignError> {
    let mut found = None;
    for header in headers {
        let name = header.name();
        let matches = if name.is_ascii() {
            name.eq_ignore_ascii_case(lower_name)
        } else {
            name.to_lowercase() == lower_name
        };
        if matches {
            if found.is_some() {
                return Err(SignError::DuplicateHeader {
                    name: lower_name.to_string(),
                });
            }
            found = Some(header.value());
        }
    }
    Ok(found)
}

/// Lower-cases a header name like Python's `str.lower()`, without allocating when it already is.
fn lower(name: &str) -> Cow<'_, str> {
    if name.is_ascii() {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        }
    } else {
        Cow::Owned(name.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check` fails exactly when, and as, `sign` does, for every short list of headers
    /// drawn from names that collide in every way (case, `_`, non-ASCII lower-casing).
    #[test]
    fn check_fails_exactly_as_sign_does() {
        let names = [
            "authorization",
            "Authorization",
            "X-Sdk-Date",
            "x-sdk-date",
            "Host",
            "host",
            "a_b",
            "A_B",
            "k",
            "\u{212a}",
            "É",
            "é",
            "X-Sdk-Content-Sha256",
        ];
        let values = ["20240102T030405Z", "2024"];
        let mut lists: Vec<Vec<(String, String)>> = vec![vec![]];
        let mut last = lists.clone();
        for _ in 0..3 {
            let mut longer = Vec::new();
            for l in &last {
                for n in names {
                    for v in values {
                        let mut l = l.clone();
                        l.push((n.to_string(), v.to_string()));
                        longer.push(l);
                    }
                }
            }
            lists.extend(longer.iter().cloned());
            last = longer;
        }
        // Two names repeated at once: `sign` names the smaller.
        let pairs = ["host", "Host", "k", "\u{212a}", "x-sdk-date", "X-Sdk-Date"];
        for a in pairs {
            for b in pairs {
                for c in pairs {
                    for d in pairs {
                        let h = |n: &str| (n.to_string(), values[0].to_string());
                        lists.push(vec![h(a), h(b), h(c), h(d)]);
                    }
                }
            }
        }
        assert!(lists.len() > 10_000);
        for headers in &lists {
            for body in [&b""[..], b"{}"] {
                let input = SigningInput {
                    method: "POST",
                    path: "/",
                    query: &[],
                    headers,
                    body,
                };
                assert_eq!(
                    check(&input),
                    sign("AK", b"SK", &input).map(drop),
                    "{headers:?} {body:?}"
                );
            }
        }
    }

    #[test]
    fn lower_is_python_lower() {
        assert!(matches!(lower("x-sdk-date"), Cow::Borrowed(_)));
        assert_eq!(lower("X-Sdk-Date"), "x-sdk-date");
        assert_eq!(lower("X-ÄB"), "x-äb");
    }
}
