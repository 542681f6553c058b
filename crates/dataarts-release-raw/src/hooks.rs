//! Where the wrapper takes over sending each request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

/// The future a [`Transport`] returns: the final response of one operation call.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends one built request: implemented by the wrapper to sign, retry and trace.
///
/// `operation_id` is the spec's `operationId` (e.g. `deploy_factory_packages`).
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` with `http` and returns the final response.
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> SendFuture<'a>;
}

/// Carries the optional [`Transport`] inside the generated `Client`.
///
/// The default sends requests unchanged with the client's `reqwest::Client`.
#[derive(Clone, Default)]
pub struct Hooks(Option<Arc<dyn Transport>>);

impl Hooks {
    /// Hooks that hand every request to `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self(Some(transport))
    }
}

impl fmt::Debug for Hooks {
    // The transport holds credentials: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.0.is_some() { "custom" } else { "plain" };
        f.debug_tuple("Hooks").field(&kind).finish()
    }
}

impl ClientHooks<Hooks> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner().0 {
            Some(transport) => {
                transport
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
            None => self.client().execute(request).await,
        }
    }
}
