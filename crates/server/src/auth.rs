//! Who is calling, and in which region: SigV4 per `--auth` (wire-protocol.md §2), with the
//! ±15 min skew window on the engine clock (or on the system clock, see below).
//!
//! - `strict`: the header must parse with a valid credential scope (a plausible region, service
//!   `timestream`, `aws4_request`), the date (`X-Amz-Date`, else `Date`) must be the scope's day
//!   and within the window, the key must be configured, `host` and `x-amz-target` must be
//!   signed and the HMAC must match ([`sigv4::verify`]).
//! - `lenient`: the same for configured keys; any other key is accepted once the header, the
//!   scope (region included, so a bad region never creates state of its own) and the date pass.
//! - `off`: nothing is checked; the region comes from a well-formed scope, else — no header, a
//!   garbled one, or an implausible region — from `--region`.

use http::request::Parts;
use protocol::sigv4::{self, Authorization};
use protocol::AwsError;

use crate::config::AuthMode;
use crate::state::AppState;
use engine::Scope;

pub struct Identity {
    pub scope: Scope,
}

pub fn authenticate(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Identity, AwsError> {
    let header = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    if state.auth == AuthMode::Off {
        // `parse` refuses an implausible region, so such a header falls back to `--region`.
        let region = header
            .and_then(|h| Authorization::parse(h).ok())
            .map(|a| a.region)
            .unwrap_or_else(|| state.default_region.clone());
        return Ok(Identity {
            scope: Scope::new(state.account_id.clone(), region),
        });
    }
    let header = header.ok_or(sigv4::Error::Missing)?;
    let auth = Authorization::parse(header)?;
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let req = sigv4::Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or_default(),
        headers: &headers,
        body,
    };
    // The skew window is measured on the engine clock, so clients that correct their clock from
    // our `Date` header (JS v3, Rust) keep working when a test moves it; a client that signs
    // with the system clock (boto3) is accepted too, so moving the engine clock never locks it
    // out.
    let amz_date = sigv4::check_date(&auth, &req, now)
        .or_else(|e| sigv4::check_date(&auth, &req, chrono::Utc::now()).map_err(|_| e))?;
    let account = match state.credentials.get(&auth.access_key) {
        Some(credential) => {
            sigv4::verify(&auth, &req, &amz_date, &credential.secret)?;
            credential.account.clone()
        }
        None if state.auth == AuthMode::Strict => return Err(sigv4::Error::UnknownAccessKey.into()),
        None => None,
    };
    Ok(Identity {
        scope: Scope::new(
            account.unwrap_or_else(|| state.account_id.clone()),
            auth.region,
        ),
    })
}
