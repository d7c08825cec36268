//! The admin API (ours, not AWS's), under [`crate::ADMIN_PREFIX`]:
//!
//! | request | answer |
//! |---|---|
//! | `GET health` | the engine's health (`ok`, `degraded` with reasons: 200; `unhealthy`: 503) |
//! | `POST reset` | wipes every resource of every account and region; `{}` |
//! | `GET state` | `{"scopes":[{"account","region","databases","tables"}], "clock":{…}}` |
//! | `GET records?database=D&table=T[&region=R][&account=A]` | every record of the table, both tiers |
//! | `POST maintenance` | runs tiering and expiry now |
//! | `GET stats` | server-side latency per operation: `{"Op":{"count","p50_us","p99_us","max_us"}}` |
//! | `POST stats/reset` | clears those figures |
//! | `GET clock` | `{"now_ns", "now", "frozen", "offset_ns"}` |
//! | `POST clock` | body: any of `{"freeze": bool, "at_ns": n, "advance_ns": n, "offset_ns": n}`; then runs tiering and expiry, and every scheduled-query invocation due, at the new time; a change that would leave 1970..2262 is refused (400) and changes nothing |
//! | `GET scheduled-queries` | every scheduled query of every scope: state, pending invocation, recent runs (newest first), notifications sent |
//! | `GET activity[?after=SEQ]` | `{"ingest": {"accepted_total", "rejected_total", "seconds": [{"second", "accepted", "rejected"}], "rejections": [{"at_ms", "database", "table", "record_index", "reason"}]}, "requests": [{"seq", "at_ms", "operation", "source", "status", "error", "message", "latency_us"}], "next_seq"}`: the last 120 s of ingestion, the last 200 rejected records, the AWS requests logged after `SEQ` (the last 500) |
//! | `GET queries` | the queries running now: `{"queries": [{"query_id", "account", "region", "query_string", "client_token", "elapsed_ms"}]}` |
//! | `GET table-usage?database=D&table=T[&region=R][&account=A]` | `{"memory_records", "magnetic_records"}` |
//! | `GET s3-object?url=s3://B/K` | `{"url", "size", "text"}`: the object's first MiB as text (error reports) |
//! | `POST aws/<Operation>[?region=R]` | the AWS operation, as the server's account (the console's way in: [`console::call`]) |
//!
//! Who may call it ([`AdminAccess`]): with `--admin-token` configured, requests carrying that
//! token (`Authorization: Bearer TOKEN` or `x-timestream-local-admin-token: TOKEN`), on any
//! address; without one, anyone when the server listens on a loopback address, nobody (403)
//! otherwise. `GET health` is always open: it tells the engine's state and fault reasons, never
//! data, and container health checks call it. A browser's request from a page of another
//! origin is refused (403), and so, with open access, is a `Host` that is not a loopback name
//! (DNS rebinding): the console's pages are this server's own.

use std::sync::Arc;

use http::request::Parts;
use hyper::header::{HeaderMap, HeaderValue, AUTHORIZATION, HOST, ORIGIN, WWW_AUTHENTICATE};
use hyper::{Method, StatusCode};
use protocol::AwsError;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::response::{error_response, json_response, HttpResponse};
use crate::state::AppState;
use crate::{console, ADMIN_PREFIX};

/// Header carrying the admin token, for clients that keep `Authorization` for something else.
pub const TOKEN_HEADER: &str = "x-timestream-local-admin-token";

/// Who may use the admin API, decided once at start-up (module docs).
#[derive(Clone)]
pub enum AdminAccess {
    /// No token configured, loopback listener: anyone who can connect is local.
    Open,
    /// A token is configured: its SHA-256, compared in constant time.
    Token([u8; 32]),
    /// No token configured and the listener is reachable from elsewhere.
    Disabled { listen: String },
}

impl AdminAccess {
    pub fn new(token: Option<&str>, listen: std::net::SocketAddr) -> Self {
        match token {
            Some(token) => Self::Token(Sha256::digest(token.as_bytes()).into()),
            None if listen.ip().to_canonical().is_loopback() => Self::Open,
            None => Self::Disabled {
                listen: listen.to_string(),
            },
        }
    }

    /// `Ok` when the request may proceed, else why not (checked before its body is read).
    pub fn check(&self, method: &Method, path: &str, headers: &HeaderMap) -> Result<(), Refusal> {
        if method == Method::GET && route(path) == "health" {
            return Ok(());
        }
        same_origin(headers)?;
        match self {
            Self::Open => loopback_host(headers),
            Self::Token(expected) => match presented_token(headers) {
                Some(token) if same_digest(&Sha256::digest(token.as_bytes()).into(), expected) => {
                    Ok(())
                }
                Some(_) => Err(Refusal::Unauthorized(
                    "The admin token is not the one configured (--admin-token).",
                )),
                None => Err(Refusal::Unauthorized(
                    "The admin API needs the token configured with --admin-token: send 'Authorization: Bearer TOKEN' or 'x-timestream-local-admin-token: TOKEN'.",
                )),
            },
            Self::Disabled { listen } => Err(Refusal::Disabled(format!(
                "The admin API is disabled: this server listens on {listen}, which is not a loopback address, and no admin token is configured. Start it with --admin-token TOKEN (or TIMESTREAM_LOCAL_ADMIN_TOKEN=TOKEN) and send 'Authorization: Bearer TOKEN' or 'x-timestream-local-admin-token: TOKEN', or listen on 127.0.0.1."
            ))),
        }
    }
}

/// A browser tells where the page that made a request came from (`Origin`, on every POST and on
/// cross-origin fetches); a page of another site must not reach the admin API through its
/// visitor's browser (the console is served by this server, so its requests are same-origin).
/// Clients that are not browsers send no `Origin` and are not concerned.
fn same_origin(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(());
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, authority)| authority);
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(Refusal::Forbidden(format!(
            "The admin API answers pages of this server only; this request came from a page of {}.",
            origin.to_str().unwrap_or("another origin")
        ))),
    }
}

/// With open access (a loopback listener, no token), the request must also name a loopback
/// host: a site whose name an attacker resolves to 127.0.0.1 (DNS rebinding) is same-origin
/// for the browser, but its `Host` is that name.
fn loopback_host(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(Refusal::Forbidden(format!(
            "Without --admin-token the admin API answers requests to a loopback name (localhost, 127.0.0.1, [::1]) only, not {host}."
        )))
    }
}

/// Why an admin request is refused.
#[derive(Debug)]
pub enum Refusal {
    /// 401: a token is configured and the request did not carry it.
    Unauthorized(&'static str),
    /// 403: no token configured on a listener reachable from elsewhere.
    Disabled(String),
    /// 403: a page of another site, or a name that is not loopback while access is open.
    Forbidden(String),
}

impl Refusal {
    /// `{"message": …}` with 401 (and a `WWW-Authenticate` challenge) or 403.
    pub fn into_response(self) -> HttpResponse {
        let (status, message) = match &self {
            Self::Unauthorized(message) => (StatusCode::UNAUTHORIZED, *message),
            Self::Disabled(message) | Self::Forbidden(message) => {
                (StatusCode::FORBIDDEN, message.as_str())
            }
        };
        let mut response = json_response(
            status,
            json!({ "message": message }).to_string().into_bytes(),
        );
        if let Self::Unauthorized(_) = self {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"timestream-local admin\""),
            );
        }
        response
    }
}

/// The token of `Authorization: Bearer TOKEN`, else of the dedicated header.
fn presented_token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get_all(AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    bearer.or_else(|| headers.get(TOKEN_HEADER)?.to_str().ok().map(str::trim))
}

/// Equality of two digests in time independent of where they differ.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// `batch-load-tasks/<TaskId>/stop`: stops an active batch load task where it is
/// (PROGRESS_STOPPED, resumable), as AWS stops a task it cannot continue.
fn batch_load_task_to_stop(route: &str) -> Option<&str> {
    route
        .strip_prefix("batch-load-tasks/")?
        .strip_suffix("/stop")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

fn route(path: &str) -> &str {
    path.strip_prefix(ADMIN_PREFIX)
        .unwrap_or_default()
        .trim_end_matches('/')
}

pub async fn handle(
    state: &Arc<AppState>,
    parts: &Parts,
    body: &[u8],
    over_tls: bool,
) -> HttpResponse {
    let (method, path) = (&parts.method, parts.uri.path());
    let query = parts.uri.query().unwrap_or_default();
    let result = match (method, route(path)) {
        (&Method::POST, route) if console::aws_route(route).is_some() => {
            let operation = console::aws_route(route).unwrap_or_default();
            let region = query_param(query, "region");
            return console::call(state, parts, operation, region, body, over_tls).await;
        }
        (&Method::GET, "activity") => Ok(activity(state, query)),
        (&Method::GET, "queries") => Ok(json!({ "queries": state.query.running() })),
        (&Method::GET, "table-usage") => table_usage(state, query).await,
        (&Method::GET, "s3-object") => s3_object(state, query).await,
        (&Method::GET, "records") => records(state, query).await,
        (&Method::POST, "maintenance") => state
            .engine_call(|engine| engine.run_maintenance())
            .await
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .map_err(AwsError::from),
        (&Method::GET, "health") => {
            // Degraded (a full disk, a failed checkpoint, a restarted writer) still serves;
            // unhealthy (writes fail until a restart) is a 503, so health checks see it.
            let health = state.engine.health();
            let status = if health.status == engine::HealthStatus::Unhealthy {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            };
            let body = serde_json::to_value(&health).unwrap_or_default();
            return json_response(status, body.to_string().into_bytes());
        }
        (&Method::POST, "reset") => state
            .engine_call(|engine| engine.reset())
            .await
            .map(|()| {
                state.scheduler.notifier.clear();
                state.scheduler.wake();
                json!({})
            })
            .map_err(AwsError::from),
        (&Method::GET, "scheduled-queries") => scheduled_queries(state).await,
        (&Method::GET, "state") => state
            .engine_call(|engine| {
                let summary = engine.state_summary()?;
                Ok((summary, engine.memory_tier_usage(), engine.health()))
            })
            .await
            .map(|(s, (records, bytes), health)| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["memory_tier"] = json!({"records": records, "bytes": bytes});
                v["clock"] = clock_json(state);
                v["health"] = serde_json::to_value(health).unwrap_or_default();
                v
            })
            .map_err(AwsError::from),
        (&Method::GET, "stats") => {
            Ok(serde_json::to_value(state.stats.snapshot()).unwrap_or_default())
        }
        (&Method::POST, "stats/reset") => {
            state.stats.clear();
            Ok(json!({}))
        }
        (&Method::POST, route) if batch_load_task_to_stop(route).is_some() => {
            let id = batch_load_task_to_stop(route)
                .unwrap_or_default()
                .to_owned();
            state
                .engine_call(move |engine| {
                    engine.stop_batch_load_task(&id, "The task was stopped through the admin API.")
                })
                .await
                .map(|stopped| json!({ "stopped": stopped }))
                .map_err(AwsError::from)
        }
        (&Method::GET, "clock") => Ok(clock_json(state)),
        (&Method::POST, "clock") => match set_clock(state, body).await {
            Ok(clock) => {
                // Every scheduled-query invocation the move made due has run when this answers.
                state.scheduler.catch_up().await;
                Ok(clock)
            }
            Err(e) => Err(e),
        },
        _ => {
            return json_response(
                StatusCode::NOT_FOUND,
                json!({"message": format!("no admin endpoint {method} {path}")})
                    .to_string()
                    .into_bytes(),
            )
        }
    };
    match result {
        Ok(v) => json_response(StatusCode::OK, v.to_string().into_bytes()),
        Err(e) => error_response(&e),
    }
}

#[derive(Deserialize)]
struct ClockChange {
    freeze: Option<bool>,
    at_ns: Option<i64>,
    advance_ns: Option<i64>,
    offset_ns: Option<i64>,
}

/// Applies a clock change all or nothing; one that would leave the clock's range (or overflow)
/// answers 400 and leaves the clock as it was.
async fn set_clock(state: &AppState, body: &[u8]) -> Result<Value, AwsError> {
    let change: ClockChange = serde_json::from_slice(body)
        .map_err(|e| AwsError::serialization(format!("clock change is not valid: {e}")))?;
    state
        .engine
        .clock()
        .checked_apply(&engine::ClockChange {
            offset_ns: change.offset_ns,
            freeze: change.freeze,
            at_ns: change.at_ns,
            advance_ns: change.advance_ns,
        })
        .map_err(|e| AwsError::validation(format!("clock change refused: {e}")))?;
    state.engine_call(|engine| engine.run_maintenance()).await?;
    Ok(clock_json(state))
}

/// The decoded value of `name` in a query string.
fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
}

/// `?database=D&table=T[&region=R][&account=A]`: the table and its scope.
fn table_param(
    state: &AppState,
    query: &str,
    endpoint: &str,
) -> Result<(engine::Scope, String, String), AwsError> {
    let param = |name: &str| query_param(query, name);
    let (Some(database), Some(table)) = (param("database"), param("table")) else {
        return Err(AwsError::validation(format!(
            "{endpoint} needs ?database=D&table=T"
        )));
    };
    let scope = engine::Scope::new(
        param("account").unwrap_or_else(|| state.account_id.clone()),
        param("region").unwrap_or_else(|| state.default_region.clone()),
    );
    Ok((scope, database, table))
}

/// `GET activity[?after=SEQ]`: recent ingestion (records/s, rejections) and the AWS requests
/// logged after `SEQ` (all kept without it).
fn activity(state: &AppState, query: &str) -> Value {
    let after = query_param(query, "after").and_then(|s| s.parse().ok());
    json!({
        "ingest": state.engine.ingest_activity(),
        "requests": state.stats.requests_after(after),
        "next_seq": state.stats.next_seq(),
    })
}

/// `GET table-usage?database=D&table=T`: the table's record count per tier.
async fn table_usage(state: &AppState, query: &str) -> Result<Value, AwsError> {
    let (scope, database, table) = table_param(state, query, "table-usage")?;
    let usage = state
        .engine_call(move |engine| engine.table_usage(&scope, &database, &table))
        .await?;
    Ok(serde_json::to_value(usage).unwrap_or_default())
}

/// Objects larger than this are cut (the console shows error reports, which are small).
const S3_OBJECT_SHOWN: usize = 1024 * 1024;

/// `GET s3-object?url=s3://bucket/key`: an object's text (its first MiB), so the console can
/// show a scheduled query's error report wherever `--s3-dir`/`--s3-endpoint-url` keeps it.
async fn s3_object(state: &AppState, query: &str) -> Result<Value, AwsError> {
    let url = query_param(query, "url")
        .ok_or_else(|| AwsError::validation("s3-object needs ?url=s3://bucket/key"))?;
    let read = async {
        let (bucket, key) = s3::parse_url(&url)?;
        state.s3.bucket(&bucket).await?.get(&key).await
    };
    let bytes = read
        .await
        .map_err(|e| AwsError::validation(format!("cannot read {url}: {e}")))?;
    let shown = &bytes[..bytes.len().min(S3_OBJECT_SHOWN)];
    Ok(json!({
        "url": url,
        "size": bytes.len(),
        "text": String::from_utf8_lossy(shown),
    }))
}

async fn records(state: &AppState, query: &str) -> Result<Value, AwsError> {
    let (scope, database, table) = table_param(state, query, "records")?;
    let records: Vec<engine::RecordView> = state
        .engine_call(move |engine| engine.scan(&scope, &database, &table))
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(json!({ "records": records }))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn clock_json(state: &AppState) -> Value {
    let clock = state.engine.clock();
    let now = clock.now();
    json!({
        "now_ns": clock.now_ns(),
        "now": now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        "frozen": clock.is_frozen(),
        "offset_ns": clock.offset_ns(),
    })
}

async fn scheduled_queries(state: &AppState) -> Result<Value, AwsError> {
    let queries = state
        .engine_call(|engine| engine.all_scheduled_queries())
        .await?;
    let ns = |t: Option<i64>| {
        t.map(|t| chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(t).to_rfc3339())
    };
    Ok(json!({
        "scheduled_queries": queries
            .into_iter()
            .map(|(q, runs)| {
                json!({
                    "arn": q.arn,
                    "account": q.scope.account,
                    "region": q.scope.region,
                    "name": q.definition.name,
                    "state": q.state.as_str(),
                    "schedule_expression": q.definition.schedule_configuration.schedule_expression,
                    "next_invocation": ns(q.next_ns),
                    "previous_invocation": ns(q.previous_ns),
                    "runs": runs,
                    "notifications": state.scheduler.notifier.history(&q.arn),
                })
            })
            .collect::<Vec<_>>(),
    }))
}
