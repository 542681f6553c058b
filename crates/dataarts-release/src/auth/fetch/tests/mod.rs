//! Each fetcher against the emulator (real HTTP on loopback), and against a scripted stub
//! for the answers the emulator never gives. The shared helpers are here.

mod federation;
mod local;

use std::io::Write;
use std::time::SystemTime;

use dataarts_emulator::{Emulator, RunningEmulator};
use secrecy::ExposeSecret;
use url::Url;

use super::*;
use crate::error::{Error, Result};

/// A port nothing listens on (the discard port, closed on test machines).
const CLOSED: &str = "http://127.0.0.1:9";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Ctx {
    http: reqwest::Client,
    iam: Url,
    sts: Url,
    metadata: Url,
}

impl Ctx {
    fn all(url: &str) -> Self {
        let u = Url::parse(url).unwrap();
        Self {
            http: http(),
            iam: u.clone(),
            sts: u.clone(),
            metadata: u,
        }
    }

    fn cx(&self) -> FetchContext<'_> {
        FetchContext {
            http: &self.http,
            iam: &self.iam,
            sts: &self.sts,
            metadata: &self.metadata,
        }
    }
}

async fn emulator() -> RunningEmulator {
    Emulator::builder().demo().start().await.unwrap()
}

fn token_file(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

/// The problem of a credentials error, and its text (checked for secrets).
fn problem(e: Error, secrets: &[&str]) -> (CredentialSource, CredentialProblem, String) {
    let text = format!("{e} {e:?}");
    for s in secrets {
        assert!(!text.contains(s), "secret {s:?} in {text}");
    }
    match e {
        Error::Credentials {
            provider,
            problem,
            message,
        } => (provider, problem, message),
        other => panic!("not a credentials error: {other}"),
    }
}

/// `unwrap_err` for results whose success value has no `Debug` (it holds secrets).
trait Failed {
    fn failed(self) -> Error;
}

impl Failed for Result<Temporary> {
    fn failed(self) -> Error {
        match self {
            Err(e) => e,
            Ok(t) => panic!("expected an error, got credentials for {}", t.ak),
        }
    }
}

fn assert_fresh(t: &Temporary) {
    assert!(!t.ak.is_empty());
    assert!(!t.sk.expose_secret().is_empty());
    assert!(!t.security_token.expose_secret().is_empty());
    assert!(t.expires_at > SystemTime::now());
}
