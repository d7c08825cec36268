//! The web console (README "Console"): its page and files, embedded in the binary and served
//! to a browser's `GET /` (the AWS API stays `POST /`), and the one way it calls the AWS API:
//! `POST /_timestream_local/aws/<Operation>` with the operation's JSON input, answered exactly
//! as a signed AWS request is (same dispatch, validation, handlers and error shapes), in the
//! server's account and the region the query string names. That route is part of the admin
//! API, so the admin API's access rule (token or loopback) covers it.
//!
//! The front end's sources are under `console/` at the repository's root; `scripts/build-console`
//! writes `console/dist/`, which is committed, so building the server never needs Node.js.

use http::request::Parts;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Response, StatusCode};
use protocol::{AwsError, ErrorCode};

use crate::dispatch::{self, TARGET_PREFIX};
use crate::response::{error_response, json_response, HttpResponse};
use crate::state::{AppState, RequestContext};
use crate::stats::Source;
use crate::ADMIN_PREFIX;

/// Where the console's files are served (the page itself is `GET /`).
const FILES: &str = "/_timestream_local/console/";

struct File {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const INDEX: File = File {
    name: "index.html",
    content_type: "text/html; charset=utf-8",
    body: include_bytes!("../../../console/dist/index.html"),
};

const ASSETS: [File; 2] = [
    File {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../console/dist/app.js"),
    },
    File {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../console/dist/app.css"),
    },
];

/// Everything the page loads comes from this server; nothing is fetched from elsewhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The console's page or one of its files when the request asks for one: a `GET`/`HEAD /`
/// whose `Accept` names HTML (what a browser sends), or a file under [`FILES`]. These carry no
/// data, so they are served to anyone who can connect, as `GET health` is.
pub fn serve(parts: &Parts) -> Option<HttpResponse> {
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return None;
    }
    let path = parts.uri.path();
    let file = if path == "/" {
        let accepts_html = parts
            .headers
            .get_all(ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("text/html"));
        accepts_html.then_some(&INDEX)?
    } else {
        let name = path.strip_prefix(FILES)?;
        match ASSETS.iter().find(|f| f.name == name) {
            Some(file) => file,
            None => return Some(not_found(path)),
        }
    };
    let body = if parts.method == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from_static(file.body)
    };
    let mut response = Response::new(Full::new(body));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    // The binary is the version: a browser revalidates rather than keep an older console.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Some(response)
}

fn not_found(path: &str) -> HttpResponse {
    json_response(
        StatusCode::NOT_FOUND,
        serde_json::json!({ "message": format!("The console has no file {path}.") })
            .to_string()
            .into_bytes(),
    )
}

/// The operation an admin route `aws/<Operation>` names.
pub fn aws_route(route: &str) -> Option<&str> {
    route.strip_prefix("aws/").filter(|op| !op.contains('/'))
}

/// `POST aws/<Operation>?region=R`: the operation run as the server's account in region `R`
/// (the default region without one), through the same dispatch as a signed request.
///
/// The body must be declared JSON (`application/json` or awsJson1.0's type): a browser sends
/// such a request from another site only after a CORS preflight, which this server never
/// grants, so no other web page can make a visitor's browser call it.
pub async fn call(
    state: &std::sync::Arc<AppState>,
    parts: &Parts,
    operation: &str,
    region: Option<String>,
    body: &[u8],
    over_tls: bool,
) -> HttpResponse {
    let started = std::time::Instant::now();
    let Some(operation) = dispatch::operation_name(operation) else {
        return error_response(&AwsError::new(
            ErrorCode::UnknownOperationException,
            format!("The operation {TARGET_PREFIX}{operation} is not recognized."),
        ));
    };
    let declared_json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json")
                || v.eq_ignore_ascii_case(crate::response::CONTENT_TYPE_JSON)
        });
    let result = if declared_json {
        let ctx = RequestContext {
            scope: engine::Scope::new(
                state.account_id.clone(),
                region.unwrap_or_else(|| state.default_region.clone()),
            ),
            host: parts
                .headers
                .get(hyper::header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            user_agent: "timestream-local-console".to_owned(),
            tls: over_tls,
            state: state.clone(),
        };
        let target = format!("{TARGET_PREFIX}{operation}");
        dispatch::dispatch(&ctx, operation, &target, body).await
    } else {
        Err(AwsError::serialization(format!(
            "{ADMIN_PREFIX}aws/{operation} takes a JSON body: send Content-Type: application/json."
        )))
    };
    state.stats.record(
        operation,
        Source::Console,
        started.elapsed(),
        result.as_ref().err(),
    );
    match result {
        Ok(bytes) => json_response(StatusCode::OK, bytes),
        Err(e) => error_response(&e),
    }
}
