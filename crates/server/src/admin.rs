//! The admin API (ours, not AWS's), under [`crate::ADMIN_PREFIX`]; unauthenticated, local only:
//!
//! | request | answer |
//! |---|---|
//! | `GET health` | `{"status":"ok"}` |
//! | `POST reset` | wipes every resource of every account and region; `{}` |
//! | `GET state` | `{"scopes":[{"account","region","databases","tables"}], "clock":{…}}` |
//! | `GET stats` | server-side latency per operation: `{"Op":{"count","p50_us","p99_us","max_us"}}` |
//! | `POST stats/reset` | clears those figures |
//! | `GET clock` | `{"now_ns", "now", "frozen", "offset_ns"}` |
//! | `POST clock` | body: any of `{"freeze": bool, "at_ns": n, "advance_ns": n, "offset_ns": n}` |

use hyper::{Method, StatusCode};
use protocol::AwsError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{error_response, json_response, HttpResponse};
use crate::state::AppState;
use crate::ADMIN_PREFIX;

pub fn handle(state: &AppState, method: &Method, path: &str, body: &[u8]) -> HttpResponse {
    let route = path
        .strip_prefix(ADMIN_PREFIX)
        .unwrap_or_default()
        .trim_end_matches('/');
    let result = match (method, route) {
        (&Method::GET, "health") => Ok(json!({"status": "ok"})),
        (&Method::POST, "reset") => state
            .engine
            .reset()
            .map(|()| json!({}))
            .map_err(AwsError::from),
        (&Method::GET, "state") => state
            .engine
            .state_summary()
            .map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
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
        (&Method::POST, "clock") => set_clock(state, body),
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
    Ok(clock_json(state))
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
