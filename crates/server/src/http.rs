//! HTTP in, HTTP out: every response, success or error, carries `x-amzn-RequestId`, `Date` and
//! the awsJson1.0 content type; no failure becomes a bare 500, and none drops a connection
//! without an answer: a request refused before its body was read (too large, unauthenticated,
//! too slow) is answered with `Connection: close`.

use std::convert::Infallible;
use std::sync::Arc;

use http::request::Parts;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Bytes, Incoming};
use hyper::header::{HeaderValue, AUTHORIZATION, CONNECTION, DATE};
use hyper::{Method, Request, StatusCode};
use protocol::sigv4::{self, Authorization};
use protocol::{AwsError, ErrorCode};
use tracing::Instrument;

use crate::admin::AdminAccess;
use crate::config::{AuthMode, Limits};
use crate::dispatch::TARGET_PREFIX;
use crate::response::{error_response, json_response, HttpResponse};
use crate::state::{AppState, RequestContext};
use crate::stats::Source;
use crate::{admin, auth, console, dispatch, request_id, ADMIN_PREFIX};

/// A body declared at most this long is read before the strict-mode key check, so that check
/// keeps its place after the date check of [`auth::authenticate`]; a longer or chunked one is
/// refused first when its key is not configured.
const SMALL_BODY: u64 = 64 * 1024;

/// What the network front enforces on every request before a handler sees it.
pub struct Front {
    pub limits: Limits,
    pub admin: AdminAccess,
}

/// Answers one request. Before the body is read: the admin token (admin paths), the route
/// (`POST /`), the declared `Content-Length` against the body cap, and the parts of SigV4 that
/// need no body ([`precheck_authorization`]); a refusal then closes the connection, as the
/// body was not read. The body must arrive within the body timeout and stay under the cap;
/// then the request is authenticated in full and dispatched.
pub async fn handle(
    state: Arc<AppState>,
    front: Arc<Front>,
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
        if let Some(page) = console::serve(&parts) {
            return page;
        }
        let admin_path = parts.uri.path().starts_with(ADMIN_PREFIX);
        let started = std::time::Instant::now();
        let refused = if admin_path {
            match front
                .admin
                .check(&parts.method, parts.uri.path(), &parts.headers)
            {
                Err(refusal) => Some(refusal.into_response()),
                Ok(()) => check_declared_length(&body, &front.limits)
                    .err()
                    .map(|e| error_response(&e)),
            }
        } else {
            admit_aws(&state, &parts, &body, &front.limits).err().map(|e| {
                tracing::debug!(code = e.code.name(), message = %e.message, "refused before the body");
                if let Some(operation) = model_operation(&target) {
                    state
                        .stats
                        .record(operation, Source::Api, started.elapsed(), Some(&e));
                }
                error_response(&e)
            })
        };
        if let Some(mut refused) = refused {
            if !body.is_end_stream() {
                refused
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            return refused;
        }
        let body = match read_body(body, &front.limits).await {
            Ok(body) => body,
            Err(e) => {
                tracing::debug!(message = %e.message, "body not read");
                let mut response = error_response(&e);
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
                return response;
            }
        };
        if admin_path {
            return admin::handle(&state, &parts, &body, over_tls).await;
        }
        // Latency from here: the body's transfer time is the client's.
        let started = std::time::Instant::now();
        let result = aws_request(state.clone(), &parts, &body, &target, over_tls, now).await;
        if let Some(operation) = model_operation(&target) {
            let error = result.as_ref().err();
            state
                .stats
                .record(operation, Source::Api, started.elapsed(), error);
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

/// The checks an AWS request must pass before its body is read.
fn admit_aws(
    state: &AppState,
    parts: &Parts,
    body: &Incoming,
    limits: &Limits,
) -> Result<(), AwsError> {
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
    check_declared_length(body, limits)?;
    let small = body.size_hint().upper().is_some_and(|n| n <= SMALL_BODY);
    precheck_authorization(state, parts, !small)
}

/// Refuses a body whose declared `Content-Length` exceeds the cap, without waiting for it.
fn check_declared_length(body: &Incoming, limits: &Limits) -> Result<(), AwsError> {
    let declared = body.size_hint().lower();
    match usize::try_from(declared) {
        Ok(n) if n <= limits.max_body => Ok(()),
        _ => Err(too_large(limits)),
    }
}

fn too_large(limits: &Limits) -> AwsError {
    AwsError::serialization(format!(
        "The request body could not be read or is larger than {} MiB.",
        limits.max_body / (1024 * 1024)
    ))
}

/// The parts of [`auth::authenticate`] that need no body, checked before the body is read so
/// that a request refused anyway is not buffered first (up to the 8 MiB cap), with the answers
/// `authenticate` gives: with `--auth lenient` or `strict`, a missing `Authorization` header
/// (MissingAuthenticationTokenException) or one that does not parse (IncompleteSignature…);
/// with `strict` and `check_key`, an access key that is not configured
/// (UnrecognizedClientException). The date, scope and signature are checked by
/// `authenticate` once the body is in.
fn precheck_authorization(
    state: &AppState,
    parts: &Parts,
    check_key: bool,
) -> Result<(), AwsError> {
    if state.auth == AuthMode::Off {
        return Ok(());
    }
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(sigv4::Error::Missing)?;
    let parsed = Authorization::parse(header)?;
    if check_key
        && state.auth == AuthMode::Strict
        && !state.credentials.contains_key(&parsed.access_key)
    {
        return Err(sigv4::Error::UnknownAccessKey.into());
    }
    Ok(())
}

/// Reads the whole body: at most `limits.max_body` bytes, within `limits.body_timeout`.
async fn read_body(body: Incoming, limits: &Limits) -> Result<Bytes, AwsError> {
    let collect = Limited::new(body, limits.max_body).collect();
    match tokio::time::timeout(limits.body_timeout, collect).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(_)) => Err(too_large(limits)),
        Err(_) => Err(AwsError::serialization(format!(
            "The request body did not arrive within {} s.",
            limits.body_timeout.as_secs_f64()
        ))),
    }
}

async fn aws_request(
    state: Arc<AppState>,
    parts: &http::request::Parts,
    body: &[u8],
    target: &str,
    over_tls: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<u8>, AwsError> {
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
    dispatch::operation_name(target.strip_prefix(TARGET_PREFIX)?)
}
