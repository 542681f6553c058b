//! Signing a request: once per call as a dry run that finds every failure before anything
//! is sent, then for real on every attempt.

use std::borrow::Cow;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, HOST};
use secrecy::ExposeSecret;

use crate::auth::active::{Active, ActiveAuth};
use crate::error::LocalProblem;

const API_VERSION: HeaderName = HeaderName::from_static("api-version");
const X_PROJECT_ID: HeaderName = HeaderName::from_static(X_PROJECT_ID_STR);
const X_SDK_DATE: HeaderName = HeaderName::from_static(X_SDK_DATE_STR);
const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");
const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static(X_SECURITY_TOKEN_STR);
const X_PROJECT_ID_STR: &str = "x-project-id";
const X_SDK_DATE_STR: &str = "x-sdk-date";
const X_SECURITY_TOKEN_STR: &str = "x-security-token";

/// The `X-Sdk-Date` of the dry run: the Unix epoch (the clock is not read for it). Every
/// date formats as a valid value of the same shape.
const EPOCH_DATE: &str = "19700101T000000Z";

/// The project id, with its `X-Project-Id` value built once per client.
pub(crate) struct ProjectId {
    text: String,
    /// `None` when the id cannot be a header value.
    value: Option<HeaderValue>,
}

impl ProjectId {
    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn new(text: String) -> Self {
        // Shared bytes: each attempt's copy of the value is a reference count, not a copy.
        let value = HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(text.clone())).ok();
        Self { text, value }
    }

    /// The value, or the failure [`value`] would report for the text.
    fn header_value(&self) -> Result<HeaderValue, LocalProblem> {
        self.value
            .clone()
            .ok_or_else(|| invalid_value(&X_PROJECT_ID))
    }
}

/// Once per call: drops `api-version` and puts the canonical query on the URL. A streamed
/// body is refused: it can be neither signed nor sent again.
pub(crate) fn prepare(req: &mut reqwest::Request) -> Result<(), LocalProblem> {
    req.headers_mut().remove(API_VERSION);
    if let Some(q) = req.url().query().map(str::to_owned) {
        let pairs = dataarts_signing::parse_form_query(&q);
        let canonical = dataarts_signing::canonical_query(&pairs);
        req.url_mut().set_query(if canonical.is_empty() {
            None
        } else {
            Some(&canonical)
        });
    }
    if req.body().is_some_and(|body| body.as_bytes().is_none()) {
        return Err(LocalProblem::StreamingBody);
    }
    Ok(())
}

/// Per attempt: the headers to send `req` with. `unsigned` plus the credential headers,
/// `Host`, `X-Sdk-Date` (`date`), and `Authorization` (AK/SK) or `X-Auth-Token` (token),
/// both marked sensitive. `req` gives the URL, method and body.
pub(super) fn signed_headers(
    req: &reqwest::Request,
    unsigned: &HeaderMap,
    auth: &Active,
    project_id: &ProjectId,
    date: &str,
) -> Result<HeaderMap, LocalProblem> {
    headers_for(req, unsigned, auth, project_id, date, Mode::Sign)
}

/// Once per call, before anything is sent: the failure [`signed_headers`] would meet, if
/// any. Nothing is hashed, and the date does not matter (only its shape does). `auth` is
/// `None` when the credentials are still to be fetched: everything but them is checked.
pub(super) fn check_signable(
    req: &reqwest::Request,
    unsigned: &HeaderMap,
    auth: Option<&Active>,
    project_id: &ProjectId,
) -> Result<(), LocalProblem> {
    let Some(auth) = auth else {
        host(req.url())?;
        project_id.header_value()?;
        for (name, v) in unsigned {
            signable(name.as_str(), v.as_bytes())?;
        }
        return Ok(());
    };
    if unsigned.keys_len() != unsigned.len() || unsigned.keys().any(|name| SET.contains(name)) {
        // A name with several values, or a header the signer sets (the generated code sends
        // neither): check the very map an attempt would build.
        return headers_for(req, unsigned, auth, project_id, EPOCH_DATE, Mode::Check).map(drop);
    }
    let host = host(req.url())?;
    if project_id.value.is_none() {
        return Err(invalid_value(&X_PROJECT_ID));
    }
    check_value(&HOST, &host)?;
    check_value(&X_SDK_DATE, EPOCH_DATE)?;
    let (ak, security_token) = match &auth.auth {
        ActiveAuth::Token(token) => return check_value(&X_AUTH_TOKEN, token.expose_secret()),
        ActiveAuth::Key {
            key,
            security_token,
            ..
        } => (
            key.access_key(),
            security_token.as_ref().map(ExposeSecret::expose_secret),
        ),
    };
    if let Some(t) = security_token {
        check_value(&X_SECURITY_TOKEN, t)?;
    }
    // In the order of the map an attempt builds: `unsigned`, then the added headers in the
    // order they are inserted, which is where a header map puts new names.
    for (name, v) in unsigned {
        signable(name.as_str(), v.as_bytes())?;
    }
    signable(X_PROJECT_ID_STR, project_id.text.as_bytes())?;
    signable("host", host.as_bytes())?;
    signable(X_SDK_DATE_STR, EPOCH_DATE.as_bytes())?;
    if let Some(t) = security_token {
        signable(X_SECURITY_TOKEN_STR, t.as_bytes())?;
    }
    // The signer refuses only an `Authorization` header, a missing or malformed date, and a
    // name given twice (case aside). None can happen here: every name is lower-case (as a
    // header map keeps them) and there once, the signer's own headers were absent, and the
    // date is valid. So only the key can still spoil the `Authorization` value.
    authorization_check(ak)
}

/// The headers [`signed_headers`] sets, replacing any the request carries.
static SET: [HeaderName; 6] = [
    AUTHORIZATION,
    HOST,
    X_PROJECT_ID,
    X_SDK_DATE,
    X_AUTH_TOKEN,
    X_SECURITY_TOKEN,
];

/// What [`headers_for`] does once the headers of an AK/SK request are complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Computes the signature and adds `Authorization`.
    Sign,
    /// Only finds the failures signing would meet; the headers returned are not signed.
    Check,
}

fn headers_for(
    req: &reqwest::Request,
    unsigned: &HeaderMap,
    auth: &Active,
    project_id: &ProjectId,
    date: &str,
    mode: Mode,
) -> Result<HeaderMap, LocalProblem> {
    let host = host(req.url())?;
    let mut headers = unsigned.clone();
    headers.remove(AUTHORIZATION);
    headers.insert(X_PROJECT_ID, project_id.header_value()?);
    headers.insert(HOST, value(&HOST, &host)?);
    headers.insert(X_SDK_DATE, value(&X_SDK_DATE, date)?);
    match &auth.auth {
        ActiveAuth::Token(token) => {
            headers.insert(
                X_AUTH_TOKEN,
                sensitive(&X_AUTH_TOKEN, token.expose_secret())?,
            );
        }
        ActiveAuth::Key {
            key,
            security_token,
            ..
        } => {
            if let Some(t) = security_token {
                headers.insert(
                    X_SECURITY_TOKEN,
                    sensitive(&X_SECURITY_TOKEN, t.expose_secret())?,
                );
            }
            let list = headers
                .iter()
                .map(|(name, v)| signable(name.as_str(), v.as_bytes()))
                .collect::<Result<Vec<_>, _>>()?;
            let query = query(req);
            let input = input(req, &query, &list);
            match mode {
                Mode::Sign => {
                    let signed = key.sign(&input).map_err(LocalProblem::Signing)?;
                    headers.insert(
                        AUTHORIZATION,
                        sensitive(&AUTHORIZATION, &signed.authorization)?,
                    );
                }
                Mode::Check => {
                    dataarts_signing::check(&input).map_err(LocalProblem::Signing)?;
                    authorization_check(key.access_key())?;
                }
            }
        }
    }
    Ok(headers)
}

/// The `Host` header: the URL's host, with its port unless it is the scheme's default.
fn host(url: &url::Url) -> Result<Cow<'_, str>, LocalProblem> {
    let Some(h) = url.host_str() else {
        return Err(LocalProblem::NoHost);
    };
    Ok(match url.port() {
        // Without user info, the authority is exactly `host:port`.
        Some(_) if url.username().is_empty() && url.password().is_none() => {
            Cow::Borrowed(url.authority())
        }
        Some(p) => Cow::Owned(format!("{h}:{p}")),
        None => Cow::Borrowed(h),
    })
}

fn value(header: &HeaderName, v: &str) -> Result<HeaderValue, LocalProblem> {
    HeaderValue::from_str(v).map_err(|_| invalid_value(header))
}

fn sensitive(header: &HeaderName, v: &str) -> Result<HeaderValue, LocalProblem> {
    let mut v = value(header, v)?;
    v.set_sensitive(true);
    Ok(v)
}

/// Fails exactly when [`value`] does, without building the value.
fn check_value(header: &HeaderName, v: &str) -> Result<(), LocalProblem> {
    // What `HeaderValue::from_str` accepts: visible ASCII, space, tab and bytes >= 0x80,
    // that is no control character but tab (the fast test first).
    let valid = |b: u8| (b >= 0x20 && b != 0x7f) || b == b'\t';
    if !dataarts_signing::has_control_chars(v) || v.bytes().all(valid) {
        Ok(())
    } else {
        Err(invalid_value(header))
    }
}

fn invalid_value(header: &HeaderName) -> LocalProblem {
    LocalProblem::InvalidHeaderValue {
        header: header.as_str().to_string(),
    }
}

/// The algorithm, lower-case header names and hex around the key in `Authorization` are
/// always valid header value bytes, so the whole is exactly when the key is.
fn authorization_check(ak: &str) -> Result<(), LocalProblem> {
    check_value(&AUTHORIZATION, ak)
}

/// A header as the signer takes it: text without control characters.
fn signable<'a>(name: &'a str, v: &'a [u8]) -> Result<(&'a str, &'a str), LocalProblem> {
    match std::str::from_utf8(v) {
        Ok(text) if !dataarts_signing::has_control_chars(text) => Ok((name, text)),
        _ => Err(LocalProblem::UnsignableHeader {
            header: name.to_string(),
        }),
    }
}

fn query(req: &reqwest::Request) -> Vec<(String, String)> {
    req.url()
        .query()
        .map(dataarts_signing::parse_raw_query)
        .unwrap_or_default()
}

fn input<'a>(
    req: &'a reqwest::Request,
    query: &'a [(String, String)],
    headers: &'a [(&'a str, &'a str)],
) -> dataarts_signing::SigningInput<'a, (&'a str, &'a str)> {
    dataarts_signing::SigningInput {
        method: req.method().as_str(),
        path: req.url().path(),
        query,
        headers,
        body: req.body().and_then(|b| b.as_bytes()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
