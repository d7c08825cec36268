//! HTTP in, HTTP out: every response, success or error, carries `x-amzn-RequestId`, `Date` and
//! the awsJson1.0 content type; no failure drops a connection or becomes a bare 500.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE, DATE};
use hyper::{Method, Request, Response, StatusCode};
use protocol::{AwsError, ErrorCode};
use tracing::Instrument;

use crate::state::{AppState, RequestContext};
use crate::{admin, auth, dispatch, request_id, ADMIN_PREFIX};

pub const CONTENT_TYPE_JSON: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "Timestream_20181101.";
/// Larger than any valid request (a 256 KiB query, or 100 records of 2 KiB, JSON-escaped).
const MAX_BODY: usize = 8 * 1024 * 1024;

pub type HttpResponse = Response<Full<Bytes>>;

pub async fn handle(
    state: Arc<AppState>,
    req: Request<Incoming>,
    over_tls: bool,
) -> Result<HttpResponse, Infallible> {
    let request_id = request_id::new();
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let span = tracing::debug_span!("request", id = %request_id, target = %target);
    let now = state.engine.clock().now();
    let mut response = async {
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                return error_response(&AwsError::serialization(
                    "The request body could not be read or is larger than 8 MiB.",
                ))
            }
        };
        if parts.uri.path().starts_with(ADMIN_PREFIX) {
            return admin::handle(
                &state,
                &parts.method,
                parts.uri.path(),
                parts.uri.query().unwrap_or_default(),
                &body,
            )
            .await;
        }
        let started = std::time::Instant::now();
        let result = aws_request(state.clone(), &parts, &body, &target, over_tls, now).await;
        if let Some(operation) = model_operation(&target) {
            state.stats.record(operation, started.elapsed());
        }
        match result {
            Ok(bytes) => json_response(StatusCode::OK, bytes),
            Err(e) => {
                tracing::debug!(code = e.code.name(), message = %e.message, "error");
                error_response(&e)
            }
        }
    }
    .instrument(span)
    .await;
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert("x-amzn-RequestId", v);
    }
    if let Ok(v) = HeaderValue::from_str(&now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()) {
        headers.insert(DATE, v);
    }
    Ok(response)
}

async fn aws_request(
    state: Arc<AppState>,
    parts: &http::request::Parts,
    body: &[u8],
    target: &str,

    over_tls: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, AwsError> {
    if parts.method != Method::POST || parts.uri.path() != "/" {
        return Err(AwsError::new(
            ErrorCode::UnknownOperationException,
            format!(
                "No operation is served at {} {}; AWS operations are POST /.",
                parts.method,
                parts.uri.path()
            ),
        ));
    }
    let identity = auth::authenticate(&state, parts, body, now)?;
    let operation = target.strip_prefix(TARGET_PREFIX).unwrap_or_default();
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let ctx = RequestContext {
        scope: identity.scope,
        host: header("host"),
        user_agent: header("user-agent"),
        tls: over_tls,
        state,
    };
    dispatch::dispatch(&ctx, operation, target, body).await
}

/// The operation's name as `'static` when the target names one of the models' operations.
fn model_operation(target: &str) -> Option<&'static str> {
    static NAMES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(protocol::model::all_operations);
    let name = target.strip_prefix(TARGET_PREFIX)?;
    NAMES.iter().find(|n| **n == name).copied()
}

pub fn json_response(status: StatusCode, body: Vec<u8>) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
    response
}

pub fn error_response(e: &AwsError) -> HttpResponse {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(status, e.to_body())
}
