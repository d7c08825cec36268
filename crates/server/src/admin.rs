//! The admin API (ours, not AWS's), under [`crate::ADMIN_PREFIX`]; unauthenticated, local only:
//!
//! | request | answer |
//! |---|---|
//! | `GET health` | `{"status":"ok"}` |
//! | `POST reset` | wipes every resource of every account and region; `{}` |
//! | `GET state` | `{"scopes":[{"account","region","databases","tables"}], "clock":{…}}` |
//! | `GET records?database=D&table=T[&region=R][&account=A]` | every record of the table, both tiers |
//! | `POST maintenance` | runs tiering and expiry now |
//! | `GET stats` | server-side latency per operation: `{"Op":{"count","p50_us","p99_us","max_us"}}` |
//! | `POST stats/reset` | clears those figures |
//! | `GET clock` | `{"now_ns", "now", "frozen", "offset_ns"}` |
//! | `POST clock` | body: any of `{"freeze": bool, "at_ns": n, "advance_ns": n, "offset_ns": n}`; then runs tiering and expiry, and every scheduled-query invocation due, at the new time |
//! | `GET scheduled-queries` | every scheduled query of every scope: state, pending invocation, recent runs (newest first), notifications sent |

use hyper::{Method, StatusCode};
use protocol::AwsError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{error_response, json_response, HttpResponse};
use crate::state::AppState;
use crate::ADMIN_PREFIX;

pub async fn handle(
    state: &AppState,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
) -> HttpResponse {
    let route = path
        .strip_prefix(ADMIN_PREFIX)
        .unwrap_or_default()
        .trim_end_matches('/');
    let result = match (method, route) {
        (&Method::GET, "records") => records(state, query),
        (&Method::POST, "maintenance") => state
            .engine
            .run_maintenance()
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .map_err(AwsError::from),
        (&Method::GET, "health") => Ok(json!({"status": "ok"})),
        (&Method::POST, "reset") => state
            .engine
            .reset()
            .map(|()| {
                state.scheduler.notifier.clear();
                state.scheduler.wake();
                json!({})
            })
            .map_err(AwsError::from),
        (&Method::GET, "scheduled-queries") => scheduled_queries(state),
        (&Method::GET, "state") => state
            .engine
            .state_summary()
            .map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                let (records, bytes) = state.engine.memory_tier_usage();
                v["memory_tier"] = json!({"records": records, "bytes": bytes});
                v["clock"] = clock_json(state);
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
        (&Method::GET, "clock") => Ok(clock_json(state)),
        (&Method::POST, "clock") => match set_clock(state, body) {
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

fn set_clock(state: &AppState, body: &[u8]) -> Result<Value, AwsError> {
    let change: ClockChange = serde_json::from_slice(body)
        .map_err(|e| AwsError::serialization(format!("clock change is not valid: {e}")))?;
    let clock = state.engine.clock();
    if let Some(offset) = change.offset_ns {
        clock.set_offset_ns(offset);
    }
    match (change.freeze, change.at_ns) {
        (_, Some(at)) => clock.freeze_at_ns(at),
        (Some(true), None) => clock.freeze_at_ns(clock.now_ns()),
        (Some(false), None) => clock.unfreeze(),
        (None, None) => {}
    }
    if let Some(delta) = change.advance_ns {
        clock.advance_ns(delta);
    }
    state.engine.run_maintenance()?;
    Ok(clock_json(state))
}

fn records(state: &AppState, query: &str) -> Result<Value, AwsError> {
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| percent_decode(v))
    };
    let (Some(database), Some(table)) = (param("database"), param("table")) else {
        return Err(AwsError::validation("records needs ?database=D&table=T"));
    };
    let scope = engine::Scope::new(
        param("account").unwrap_or_else(|| state.account_id.clone()),
        param("region").unwrap_or_else(|| state.default_region.clone()),
    );
    let records: Vec<engine::RecordView> = state
        .engine
        .scan(&scope, &database, &table)?
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

fn scheduled_queries(state: &AppState) -> Result<Value, AwsError> {
    let queries = state.engine.all_scheduled_queries()?;
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
