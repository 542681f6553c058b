//! Where the wrapper takes over sending each request.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::operations::Operation;

/// The future a [`Transport`] returns: the final response of one operation call.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// A failure found on this machine before anything was sent, in the transport's own type.
pub type LocalError = Box<dyn std::error::Error + Send + Sync>;

tokio::task_local! {
    static LOCAL_FAILURE: Cell<Option<LocalError>>;
}

/// Sends one built request: implemented by the wrapper to sign, retry and trace.
pub trait Transport: Send + Sync + 'static {
    /// Once per call, before anything is sent: adjusts `request` and checks that it can be
    /// signed and sent. An error ends the call with nothing sent; inside
    /// [`capture_local_failure`] it comes back to the caller as it was returned.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: Operation,
    ) -> Result<(), LocalError>;

    /// Sends the prepared `request` with `http` and returns the final response.
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation: Operation,
    ) -> SendFuture<'a>;
}

/// Runs one operation call and hands back, beside its result, the failure the transport's
/// [`Transport::prepare`] reported, if any.
///
/// The generated code can only report such a failure as text (`Error::Custom`); this keeps
/// the value itself, so the caller can recover its type (`downcast`).
///
/// ```
/// # async fn f(client: dataarts_release_raw::Client) {
/// let (result, local) = dataarts_release_raw::capture_local_failure(
///     client.show_factory_package_detail().project_id("p").package_id("23").send(),
/// )
/// .await;
/// if let Some(failure) = local {
///     eprintln!("nothing was sent: {failure}");
/// }
/// # let _ = result;
/// # }
/// ```
pub fn capture_local_failure<F: Future>(
    call: F,
) -> impl Future<Output = (F::Output, Option<LocalError>)> {
    // A plain function, not an `async fn`: one future fewer to build and move.
    LOCAL_FAILURE.scope(Cell::new(None), async move {
        let output = call.await;
        let failure = LOCAL_FAILURE.with(Cell::take);
        (output, failure)
    })
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
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let Some(transport) = &self.inner().0 else {
            return Ok(());
        };
        let Some(operation) = Operation::from_id(info.operation_id) else {
            return Err(Error::Custom(format!(
                "{} is not an operation of the operation table",
                info.operation_id
            )));
        };
        transport.prepare(request, operation).map_err(|failure| {
            let text = failure.to_string();
            // Outside `capture_local_failure` there is nowhere to keep it: the text remains.
            let _ = LOCAL_FAILURE.try_with(|slot| slot.set(Some(failure)));
            Error::Custom(text)
        })
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // `pre` refused operations missing from the table, so the transport sees them all.
        match (&self.inner().0, Operation::from_id(info.operation_id)) {
            (Some(transport), Some(operation)) => {
                transport.execute(self.client(), request, operation).await
            }
            _ => self.client().execute(request).await,
        }
    }
}
