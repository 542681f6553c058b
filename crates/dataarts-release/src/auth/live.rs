//! The credentials of one client at run time: a fixed set, or a cache of temporary sets
//! from a source. The transport asks it for the set to sign each attempt with.

use std::sync::Arc;

use futures::future::BoxFuture;
use url::Url;

use super::active::Active;
use super::cache::{Cache, Fetcher};
use super::{CredentialSource, Dynamic, FetchContext, Temporary};
use crate::credentials::scrub;
use crate::error::{Error, Result};

/// A source of temporary credentials with what it needs to be asked.
pub(crate) struct SourceFetcher {
    pub(crate) dynamic: Arc<Dynamic>,
    pub(crate) http: reqwest::Client,
    pub(crate) iam: Url,
    pub(crate) sts: Url,
    pub(crate) metadata: Url,
}

impl Fetcher for SourceFetcher {
    fn source(&self) -> CredentialSource {
        self.dynamic.source()
    }

    fn fetch(&self) -> BoxFuture<'_, Result<Temporary>> {
        Box::pin(async move {
            let cx = FetchContext {
                http: &self.http,
                iam: &self.iam,
                sts: &self.sts,
                metadata: &self.metadata,
            };
            self.dynamic.fetch(&cx).await
        })
    }
}

/// A client's credentials.
pub(crate) enum Auth {
    /// Given as such (IAM token, AK/SK, temporary AK/SK).
    Fixed {
        active: Arc<Active>,
        source: CredentialSource,
    },
    /// Fetched from a source, renewed before they expire.
    Renewed(Box<Cache<SourceFetcher>>),
}

impl Auth {
    pub(crate) fn source(&self) -> CredentialSource {
        match self {
            Auth::Fixed { source, .. } => *source,
            Auth::Renewed(cache) => cache.source(),
        }
    }

    /// True when the credentials come from a source and are renewed.
    pub(crate) fn is_renewed(&self) -> bool {
        matches!(self, Auth::Renewed(_))
    }

    /// The set to sign with now (fetched or renewed first when needed).
    pub(crate) async fn current(&self) -> Result<Arc<Active>> {
        match self {
            Auth::Fixed { active, .. } => Ok(active.clone()),
            Auth::Renewed(cache) => cache.current().await,
        }
    }

    /// A new set in place of `stale`, which the service refused as expired; `None` when
    /// there is none to be had.
    pub(crate) async fn renew(&self, stale: &Active) -> Option<Arc<Active>> {
        match self {
            Auth::Fixed { .. } => None,
            Auth::Renewed(cache) => match cache.renew(stale).await {
                Ok(fresh) => Some(fresh),
                Err(e) => {
                    tracing::warn!(error = %e, "could not renew credentials the service refused as expired");
                    None
                }
            },
        }
    }

    /// The set in force, if any, without fetching.
    pub(crate) fn peek(&self) -> Option<Arc<Active>> {
        match self {
            Auth::Fixed { active, .. } => Some(active.clone()),
            Auth::Renewed(cache) => cache.peek(),
        }
    }

    /// The `Expired` error, when temporary credentials expired and could not be renewed.
    pub(crate) fn expired(&self) -> Option<Error> {
        match self {
            Auth::Fixed { .. } => None,
            Auth::Renewed(cache) => cache.expired(),
        }
    }

    /// `text` with every secret of the set in force replaced.
    pub(crate) fn scrub(&self, text: &str) -> String {
        match self.peek() {
            Some(active) => scrub(text, &active.secrets()),
            None => text.to_string(),
        }
    }
}
