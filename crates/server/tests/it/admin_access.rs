//! Who may use the admin API (open on loopback, a token once configured, refused on other
//! listeners without one), and clock changes that would overflow.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{call, TestServer};

async fn admin(
    base: &str,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value) {
    let mut req = Client::new()
        .request(method, format!("{base}/_timestream_local/{path}"))
        .body(body.to_owned());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The server's URL by its loopback address, whatever it listens on.
fn loopback_url(server: &TestServer) -> String {
    let port = server.url.rsplit(':').next().unwrap();
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn admin_is_open_on_loopback_without_a_token() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    let (status, body) = admin(&server.url, Method::GET, "state", &[], "").await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = admin(&server.url, Method::POST, "reset", &[], "").await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test]
async fn a_configured_token_is_required_on_loopback_too() {
    let server = TestServer::with_args(&["--auth", "off", "--admin-token", "s3cret"]).await;
    let (status, body) = admin(&server.url, Method::GET, "state", &[], "").await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("--admin-token"),
        "{body}"
    );
    for wrong in [
        ("authorization", "Bearer s3cre"),
        ("authorization", "Bearer s3cret2"),
        ("authorization", "Basic s3cret"),
        ("x-timestream-local-admin-token", "S3CRET"),
    ] {
        let (status, body) = admin(&server.url, Method::POST, "reset", &[wrong], "{}").await;
        assert_eq!(status, 401, "{wrong:?}: {body}");
    }
    for right in [
        ("authorization", "Bearer s3cret"),
        ("authorization", "bearer s3cret"),
        ("x-timestream-local-admin-token", "s3cret"),
    ] {
        let (status, body) = admin(&server.url, Method::GET, "state", &[right], "").await;
        assert_eq!(status, 200, "{right:?}: {body}");
    }
    // Health tells no data, only the engine's state: health checks call it without a token.
    let (status, body) = admin(&server.url, Method::GET, "health", &[], "").await;
    assert_eq!((status, &body["status"]), (StatusCode::OK, &json!("ok")));
    // The AWS API is not affected.
    assert_eq!(
        call(&server.url, "ListDatabases", "{}", None).await.status,
        200
    );
    server.stop().await;
}

#[tokio::test]
async fn admin_is_refused_on_a_non_loopback_listener_without_a_token() {
    let server = TestServer::with_args(&["--auth", "off", "--host", "0.0.0.0"]).await;
    let url = loopback_url(&server);
    for (method, path) in [
        (Method::GET, "state"),
        (Method::POST, "reset"),
        (Method::POST, "clock"),
        (Method::GET, "nothing-here"),
    ] {
        let (status, body) = admin(&url, method, path, &[], "{}").await;
        assert_eq!(status, 403, "{path}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("--admin-token") && message.contains("0.0.0.0"),
            "{message}"
        );
    }
    let (status, _) = admin(&url, Method::GET, "health", &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(call(&url, "ListDatabases", "{}", None).await.status, 200);
    server.stop().await;

    let server =
        TestServer::with_args(&["--auth", "off", "--host", "0.0.0.0", "--admin-token", "tok"])
            .await;
    let url = loopback_url(&server);
    let (status, _) = admin(&url, Method::GET, "state", &[], "").await;
    assert_eq!(status, 401);
    let token = [("authorization", "Bearer tok")];
    let (status, body) = admin(&url, Method::GET, "state", &token, "").await;
    assert_eq!(status, 200, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn clock_changes_out_of_range_answer_400_and_change_nothing() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    let set = |body: String| {
        let url = server.url.clone();
        async move { admin(&url, Method::POST, "clock", &[], &body).await }
    };
    let start: i64 = 1_700_000_000_000_000_000;
    let (status, _) = set(format!(r#"{{"at_ns": {start}}}"#)).await;
    assert_eq!(status, 200);
    let (max, min) = (i64::MAX, i64::MIN);
    for change in [
        format!(r#"{{"advance_ns": {max}}}"#),
        format!(r#"{{"advance_ns": {min}}}"#),
        format!(r#"{{"offset_ns": {max}}}"#),
        format!(r#"{{"offset_ns": {min}}}"#),
        format!(r#"{{"at_ns": {max}}}"#),
        format!(r#"{{"at_ns": {min}}}"#),
        r#"{"at_ns": -1}"#.to_owned(),
        r#"{"at_ns": 9214646400000000001}"#.to_owned(),
        format!(r#"{{"freeze": false, "advance_ns": {max}}}"#),
        format!(r#"{{"freeze": false, "offset_ns": {min}}}"#),
        format!(r#"{{"freeze": true, "advance_ns": {min}}}"#),
        format!(r#"{{"at_ns": 1, "advance_ns": {max}}}"#),
    ] {
        let (status, body) = set(change.clone()).await;
        assert_eq!(status, 400, "{change}: {body}");
        assert!(
            body["Message"].as_str().unwrap().contains("outside"),
            "{change}: {body}"
        );
        let (_, clock) = admin(&server.url, Method::GET, "clock", &[], "").await;
        assert_eq!(clock["now_ns"], start, "{change} moved the clock: {clock}");
        assert_eq!(clock["frozen"], true);
    }
    // Beyond i64: not a clock change at all.
    let (status, body) = set(r#"{"advance_ns": 1e30}"#.to_owned()).await;
    assert_eq!(status, 400, "{body}");
    // Still alive and correct: the bounds themselves, then ordinary moves.
    let (status, body) = set(r#"{"at_ns": 9214646400000000000}"#.to_owned()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["now"], "2262-01-01T00:00:00.000000000Z");
    let (status, body) = set(r#"{"at_ns": 0}"#.to_owned()).await;
    assert_eq!((status, &body["now_ns"]), (StatusCode::OK, &json!(0)));
    let (status, body) = set(format!(
        r#"{{"at_ns": {start}, "advance_ns": 3600000000000}}"#
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["now_ns"], start + 3_600_000_000_000);
    let (status, body) = set(r#"{"freeze": false}"#.to_owned()).await;
    assert_eq!((status, &body["frozen"]), (StatusCode::OK, &json!(false)));
    let created = call(
        &server.url,
        "CreateDatabase",
        r#"{"DatabaseName":"after"}"#,
        None,
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    server.stop().await;
}
