//! How the generated raw client turns error responses into `Error` variants.
//!
//! What these tests pin (how progenitor 0.15 dispatches a response on its status and body):
//!
//! | response                                   | result                                       |
//! |--------------------------------------------|----------------------------------------------|
//! | 4xx/5xx with a JSON object                 | `Error::ErrorResponse(ResponseValue<ErrorBody>)`, status and headers kept |
//! | 4xx/5xx whose body is not JSON (HTML, empty) | `Error::InvalidResponsePayload(bytes, serde_json::Error)`: the body bytes are kept, **the status is lost** |
//! | 200 on an operation without a success body | `Ok(ResponseValue<()>)`, any body ignored      |
//! | 200 with a body that does not decode       | `Error::InvalidResponsePayload`              |
//! | a status the spec does not declare (204)   | `Error::UnexpectedResponse(reqwest::Response)`, body still readable |
//!
//! The wrapper crate must therefore map `InvalidResponsePayload` without relying on a status.

use dataarts_release_raw::types::{CancelBody, DeployBody};
use dataarts_release_raw::{Client, Error, Hooks};
use dataarts_tests::{CannedResponse, CaptureServer};

const PROJECT: &str = "b384b9e9ab9b4ee8994c8633aabc9505";
const TASK_ID: &str = "008aae2e675d3bcb01675d40ab3f0005";

fn client(server: &CaptureServer) -> Client {
    Client::new_with_client(&server.url(), reqwest::Client::new(), Hooks::default())
}

async fn deploy(
    server: &CaptureServer,
) -> Result<(), Error<dataarts_release_raw::types::ErrorBody>> {
    client(server)
        .deploy_factory_packages()
        .project_id(PROJECT)
        .body(
            DeployBody::builder()
                .package_ids(vec!["23".to_string()])
                .startup_mode(0),
        )
        .send()
        .await
        .map(|_| ())
}

#[tokio::test]
async fn dlf_400_decodes_into_error_response_with_error_body() {
    let server = CaptureServer::always(
        CannedResponse::json(
            400,
            r#"{"error_code":"DLF.0810","error_msg":"Task does not exist."}"#,
        )
        .with_header("X-Request-Id", "req-123"),
    )
    .await;
    let err = client(&server)
        .list_system_tasks()
        .project_id(PROJECT)
        .task_id(TASK_ID)
        .send()
        .await
        .expect_err("400 is an error");

    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let Error::ErrorResponse(rv) = err else {
        panic!("expected Error::ErrorResponse, got {err:?}");
    };
    assert_eq!(rv.status().as_u16(), 400);
    assert_eq!(
        rv.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("req-123"),
        "response headers are kept"
    );
    assert_eq!(rv.error_code.as_deref(), Some("DLF.0810"));
    assert_eq!(rv.error_msg.as_deref(), Some("Task does not exist."));
    assert_eq!(rv.request_id, None);
    assert!(!Error::ErrorResponse(rv).is_retryable());
}

#[tokio::test]
async fn gateway_429_decodes_with_request_id_and_is_retryable() {
    let server = CaptureServer::always(
        CannedResponse::json(
            429,
            r#"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached","request_id":"abc"}"#,
        )
        .with_header("Retry-After", "2"),
    )
    .await;
    let err = deploy(&server).await.expect_err("429 is an error");
    assert!(err.is_retryable(), "429 is retryable");
    let Error::ErrorResponse(rv) = err else {
        panic!("expected Error::ErrorResponse, got {err:?}");
    };
    assert_eq!(rv.status().as_u16(), 429);
    assert_eq!(rv.error_code.as_deref(), Some("APIGW.0308"));
    assert_eq!(rv.request_id.as_deref(), Some("abc"));
    assert_eq!(
        rv.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
}

#[tokio::test]
async fn error_body_with_unknown_fields_or_no_fields_still_decodes() {
    // Every ErrorBody field is optional, so any JSON object is an ErrorResponse.
    let server = CaptureServer::always(CannedResponse::json(403, r#"{"unexpected":1}"#)).await;
    let err = deploy(&server).await.expect_err("403 is an error");
    let Error::ErrorResponse(rv) = err else {
        panic!("expected Error::ErrorResponse, got {err:?}");
    };
    assert_eq!(rv.status().as_u16(), 403);
    assert_eq!(*rv, dataarts_release_raw::types::ErrorBody::default());
}

#[tokio::test]
async fn html_500_is_invalid_response_payload_with_the_body_bytes() {
    const HTML: &str = "<html><body><h1>500 Internal Server Error</h1></body></html>";
    let server =
        CaptureServer::always(CannedResponse::raw(500, "text/html", HTML.as_bytes())).await;
    let err = deploy(&server).await.expect_err("500 is an error");

    // Documented behaviour: the error arm tries to decode ErrorBody as JSON; HTML fails,
    // so the result is InvalidResponsePayload with the raw bytes, and the status is lost.
    assert_eq!(
        err.status(),
        None,
        "InvalidResponsePayload carries no status"
    );
    let Error::InvalidResponsePayload(bytes, json_err) = err else {
        panic!("expected Error::InvalidResponsePayload, got {err:?}");
    };
    assert_eq!(&bytes[..], HTML.as_bytes());
    assert!(json_err.is_syntax(), "{json_err}");
}

#[tokio::test]
async fn empty_400_is_invalid_response_payload() {
    let server = CaptureServer::always(CannedResponse::empty(400)).await;
    let err = deploy(&server).await.expect_err("400 is an error");
    let Error::InvalidResponsePayload(bytes, json_err) = err else {
        panic!("expected Error::InvalidResponsePayload, got {err:?}");
    };
    assert!(bytes.is_empty());
    assert!(json_err.is_eof(), "{json_err}");
}

#[tokio::test]
async fn cancel_200_with_empty_body_is_ok_unit() {
    let server = CaptureServer::always(CannedResponse::empty(200)).await;
    let rv = client(&server)
        .cancel_factory_packages()
        .project_id(PROJECT)
        .body(CancelBody::builder().package_ids(vec!["12".to_string()]))
        .send()
        .await
        .expect("200 with an empty body is Ok");
    assert_eq!(rv.status().as_u16(), 200);
    let () = rv.into_inner();
}

#[tokio::test]
async fn cancel_200_with_a_body_ignores_it() {
    let server = CaptureServer::always(CannedResponse::raw(200, "text/plain", b"not json")).await;
    let rv = client(&server)
        .cancel_factory_packages()
        .project_id(PROJECT)
        .body(CancelBody::builder().package_ids(vec!["12".to_string()]))
        .send()
        .await
        .expect("the body of a bodiless 200 is ignored");
    assert_eq!(rv.status().as_u16(), 200);
}

#[tokio::test]
async fn success_body_that_does_not_decode_is_invalid_response_payload() {
    // `package_id` must be a number in the deploy response.
    let server = CaptureServer::always(CannedResponse::json(
        200,
        r#"{"deploy_package_details":[{"package_id":"not-a-number"}]}"#,
    ))
    .await;
    let err = deploy(&server).await.expect_err("undecodable 200");
    assert!(
        matches!(&err, Error::InvalidResponsePayload(_, e) if e.is_data()),
        "{err:?}"
    );
}

#[tokio::test]
async fn undeclared_status_is_unexpected_response_with_readable_body() {
    let server = CaptureServer::always(CannedResponse::raw(204, "text/plain", b"")).await;
    let err = deploy(&server).await.expect_err("204 is not declared");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(204));
    let Error::UnexpectedResponse(response) = err else {
        panic!("expected Error::UnexpectedResponse, got {err:?}");
    };
    assert_eq!(response.status().as_u16(), 204);
}

#[tokio::test]
async fn invalid_builder_input_is_invalid_request_and_nothing_is_sent() {
    let server = CaptureServer::always(CannedResponse::empty(200)).await;
    // `startup_mode` only accepts 0 or 1.
    let err = client(&server)
        .deploy_factory_packages()
        .project_id(PROJECT)
        .body(
            DeployBody::builder()
                .package_ids(vec!["23".to_string()])
                .startup_mode(2),
        )
        .send()
        .await
        .expect_err("startup_mode 2 is rejected");
    assert!(matches!(&err, Error::InvalidRequest(_)), "{err:?}");

    // A header value that is not a valid HTTP header value.
    let err = client(&server)
        .deploy_factory_packages()
        .project_id(PROJECT)
        .workspace("bad\nvalue")
        .body(DeployBody::builder().package_ids(vec!["23".to_string()]))
        .send()
        .await
        .expect_err("invalid header value");
    assert!(matches!(&err, Error::InvalidRequest(_)), "{err:?}");

    // A missing required path parameter.
    let err = client(&server)
        .list_system_tasks()
        .project_id(PROJECT)
        .send()
        .await
        .expect_err("task_id is required");
    assert!(
        matches!(&err, Error::InvalidRequest(msg) if msg.contains("task_id")),
        "{err:?}"
    );

    assert!(server.requests().is_empty(), "nothing reached the server");
}
