//! The one shape of every answer this server gives: a complete body, the awsJson1.0 content
//! type for JSON (AWS's answers and the admin API's alike).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use protocol::AwsError;

pub const CONTENT_TYPE_JSON: &str = "application/x-amz-json-1.0";

pub type HttpResponse = Response<Full<Bytes>>;

pub fn json_response(status: StatusCode, body: Vec<u8>) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
    response
}

/// AWS's error body (`__type`, `message`) with the error's status.
pub fn error_response(e: &AwsError) -> HttpResponse {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(status, e.to_body())
}
