//! The project id: configured, or looked up in IAM once per client as Huawei's SDKs do it
//! (`GET /v3/projects?name={region}` signed with the client's AK/SK and algorithm; with an
//! IAM token, the token's own projects from `GET /v3/auth/projects`, filtered by name).

use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, HOST};
use secrecy::ExposeSecret;
use serde::Deserialize;
use tokio::sync::OnceCell;
use url::Url;

use super::active::{Active, ActiveAuth};
use super::live::Auth;
use crate::error::{DiscoveryProblem, Error, Origin, Result};
use crate::transport::{Clock, ProjectId};

/// The most of an IAM answer that is read.
const MAX_ANSWER: usize = 1 << 20;

/// Where the project id comes from, and once known, the id.
pub(crate) struct Project {
    /// Where the configured id came from; `None` when it is discovered.
    pub(crate) configured: Option<Origin>,
    pub(crate) region: Option<String>,
    pub(crate) iam: Url,
    cell: OnceCell<ProjectId>,
}

/// What discovery needs from the client.
pub(crate) struct Lookup<'a> {
    pub(crate) auth: &'a Auth,
    pub(crate) http: &'a reqwest::Client,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) timeout: Duration,
}

impl Project {
    /// A configured id (checked by the builder).
    pub(crate) fn configured(id: String, origin: Origin, region: Option<String>, iam: Url) -> Self {
        Self {
            configured: Some(origin),
            region,
            iam,
            cell: OnceCell::new_with(Some(ProjectId::new(id))),
        }
    }

    /// An id to discover for `region`.
    pub(crate) fn discovered(region: String, iam: Url) -> Self {
        Self {
            configured: None,
            region: Some(region),
            iam,
            cell: OnceCell::new(),
        }
    }

    /// The id, when known.
    pub(crate) fn get(&self) -> Option<&ProjectId> {
        self.cell.get()
    }

    /// The id, looked up the first time (one lookup at a time; a failed one is tried again
    /// by the next caller).
    pub(crate) async fn resolve(&self, cx: &Lookup<'_>) -> Result<&ProjectId> {
        self.cell
            .get_or_try_init(|| async {
                let region = self.region.as_deref().unwrap_or_default();
                let id = self.discover(region, cx).await?;
                tracing::info!(region, project_id = %id, iam = %self.iam, "project id discovered");
                Ok(ProjectId::new(id))
            })
            .await
    }

    async fn discover(&self, region: &str, cx: &Lookup<'_>) -> Result<String> {
        let active = cx.auth.current().await?;
        tracing::info!(region, iam = %self.iam, "no project id configured: asking IAM");
        let base = self.iam.as_str().trim_end_matches('/');
        let fail = |problem, status, message: String| Error::ProjectDiscovery {
            region: region.to_string(),
            iam_endpoint: self.iam.to_string(),
            problem,
            status,
            projects: Vec::new(),
            message,
        };
        let request = build_request(cx, &active, base, region)
            .map_err(|m| fail(DiscoveryProblem::Malformed, None, m))?;
        let answer = match send(cx.http, request, cx.timeout).await {
            Ok(a) => a,
            Err(e) => {
                return Err(fail(
                    DiscoveryProblem::Unreachable,
                    None,
                    format!(
                        "{}; check the IAM endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT, \
                         ClientBuilder::iam_endpoint) and the network, or set the project id \
                         (HUAWEICLOUD_SDK_PROJECT_ID, ClientBuilder::project_id)",
                        if e.is_timeout() {
                            "IAM did not answer in time".to_string()
                        } else {
                            format!(
                                "IAM could not be reached ({})",
                                cx.auth.scrub(&e.to_string())
                            )
                        }
                    ),
                ))
            }
        };
        let status = answer.status;
        let trace = answer
            .trace_id
            .map(|t| format!(" (IAM trace id {t})"))
            .unwrap_or_default();
        if !(200..300).contains(&status) {
            let said = cx.auth.scrub(&iam_message(&answer.body));
            let (problem, hint) = match status {
                401 | 403 => (
                    DiscoveryProblem::Refused,
                    "check the credentials and their permission to list projects (iam:projects:list), \
                     or set the project id (HUAWEICLOUD_SDK_PROJECT_ID, ClientBuilder::project_id)",
                ),
                _ => (
                    DiscoveryProblem::Failed,
                    "retry later, or set the project id (HUAWEICLOUD_SDK_PROJECT_ID, \
                     ClientBuilder::project_id)",
                ),
            };
            return Err(fail(
                problem,
                Some(status),
                format!("IAM answered HTTP {status}{said}{trace}; {hint}"),
            ));
        }
        let listed: Projects = serde_json::from_slice(&answer.body).map_err(|e| {
            fail(
                DiscoveryProblem::Malformed,
                Some(status),
                format!("IAM's answer is not a project list ({e}){trace}"),
            )
        })?;
        let by_token = matches!(active.auth, ActiveAuth::Token(_));
        let ids: Vec<String> = listed
            .projects
            .into_iter()
            .filter(|p| !by_token || p.name.as_deref() == Some(region))
            .map(|p| p.id)
            .collect();
        match ids.as_slice() {
            [] => Err(fail(
                DiscoveryProblem::NoMatch,
                Some(status),
                format!(
                    "IAM has no project named {region} for these credentials{trace}; check the \
                     region (DATAARTS_REGION, ClientBuilder::region), or set the project id \
                     (HUAWEICLOUD_SDK_PROJECT_ID, ClientBuilder::project_id)"
                ),
            )),
            [one] => match crate::validate::id_problem(one) {
                None => Ok(one.clone()),
                Some((_, reason)) => Err(fail(
                    DiscoveryProblem::Malformed,
                    Some(status),
                    format!("IAM returned an unusable project id: {reason}{trace}"),
                )),
            },
            several => Err(Error::ProjectDiscovery {
                region: region.to_string(),
                iam_endpoint: self.iam.to_string(),
                problem: DiscoveryProblem::SeveralMatches,
                status: Some(status),
                projects: several.to_vec(),
                message: format!(
                    "IAM has several projects named {region}: {}{trace}; choose one and set it \
                     (HUAWEICLOUD_SDK_PROJECT_ID, ClientBuilder::project_id)",
                    several.join(", ")
                ),
            }),
        }
    }
}

#[derive(Deserialize)]
struct Projects {
    projects: Vec<ListedProject>,
}

#[derive(Deserialize)]
struct ListedProject {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

/// The request: signed with AK/SK as the SDK signs it, or carrying the IAM token.
fn build_request(
    cx: &Lookup<'_>,
    active: &Active,
    base: &str,
    region: &str,
) -> std::result::Result<reqwest::Request, String> {
    let bad = |e: &dyn std::fmt::Display| format!("the request could not be built: {e}");
    match &active.auth {
        ActiveAuth::Token(token) => {
            let url = Url::parse(&format!("{base}/v3/auth/projects")).map_err(|e| bad(&e))?;
            let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|e| bad(&e))?;
            value.set_sensitive(true);
            let mut req = cx.http.get(url).build().map_err(|e| bad(&e))?;
            req.headers_mut().insert("x-auth-token", value);
            Ok(req)
        }
        ActiveAuth::Key {
            key,
            security_token,
            ..
        } => {
            let url =
                Url::parse(&format!("{base}/v3/projects?name={region}")).map_err(|e| bad(&e))?;
            let host = match (url.host_str(), url.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                (None, _) => return Err("the IAM endpoint has no host".into()),
            };
            let date = dataarts_signing::format_sdk_date(cx.clock.now());
            let mut headers: Vec<(&str, &str)> = vec![("host", &host), ("x-sdk-date", &date)];
            if let Some(t) = security_token {
                headers.push(("x-security-token", t.expose_secret()));
            }
            let query = vec![("name".to_string(), region.to_string())];
            let input = dataarts_signing::SigningInput {
                method: "GET",
                path: url.path(),
                query: &query,
                headers: &headers,
                body: b"",
            };
            let signed = key.sign(&input).map_err(|e| bad(&e))?;
            let mut req = cx.http.get(url.clone()).build().map_err(|e| bad(&e))?;
            for (name, value) in headers {
                let mut v = HeaderValue::from_str(value).map_err(|e| bad(&e))?;
                v.set_sensitive(name == "x-security-token");
                if name == "host" {
                    req.headers_mut().insert(HOST, v);
                } else {
                    req.headers_mut().insert(name, v);
                }
            }
            let mut auth = HeaderValue::from_str(&signed.authorization).map_err(|e| bad(&e))?;
            auth.set_sensitive(true);
            req.headers_mut().insert(AUTHORIZATION, auth);
            Ok(req)
        }
    }
}

struct Answer {
    status: u16,
    trace_id: Option<String>,
    body: Vec<u8>,
}

/// Sends `req` and reads at most [`MAX_ANSWER`] bytes of the answer, all within `timeout`.
async fn send(
    http: &reqwest::Client,
    req: reqwest::Request,
    timeout: Duration,
) -> reqwest::Result<Answer> {
    let mut req = req;
    *req.timeout_mut() = Some(timeout);
    let mut resp = http.execute(req).await?;
    let status = resp.status().as_u16();
    let trace_id = resp
        .headers()
        .get("x-iam-trace-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| crate::error_body::excerpt(v, 64));
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = MAX_ANSWER - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ANSWER {
            break;
        }
    }
    Ok(Answer {
        status,
        trace_id,
        body,
    })
}

/// IAM's own words from an error answer (`{"error":{"message":..}}`), as `: ...`.
fn iam_message(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let msg = v
        .pointer("/error/message")
        .or_else(|| v.get("error_msg"))
        .and_then(|m| m.as_str())
        .unwrap_or_default();
    if msg.is_empty() {
        String::new()
    } else {
        format!(": {}", crate::error_body::excerpt(msg, 200))
    }
}
