use chrono::{TimeDelta, Utc};

use crate::support::{call, call_at, TestServer};

const BODY: &str = r#"{"DatabaseName":"nope"}"#;

#[tokio::test]
async fn strict_mode_accepts_only_configured_keys_with_the_right_secret() {
    let server =
        TestServer::with_args(&["--auth", "strict", "--credentials", "AKIDSTRICT:s3cret"]).await;
    let ok = call(
        &server.url,
        "DescribeDatabase",
        BODY,
        Some(("AKIDSTRICT", "s3cret")),
    )
    .await;
    assert_eq!(ok.error_code(), "ResourceNotFoundException");
    let wrong = call(
        &server.url,
        "DescribeDatabase",
        BODY,
        Some(("AKIDSTRICT", "other")),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.error_code()),
        (400, "InvalidSignatureException")
    );
    let unknown = call(
        &server.url,
        "DescribeDatabase",
        BODY,
        Some(("AKIDOTHER", "x")),
    )
    .await;
    assert_eq!(unknown.error_code(), "UnrecognizedClientException");
    assert_eq!(
        unknown.message(),
        "The security token included in the request is invalid."
    );
    let none = call(&server.url, "DescribeDatabase", BODY, None).await;
    assert_eq!(none.error_code(), "MissingAuthenticationTokenException");
    server.stop().await;
}

#[tokio::test]
async fn lenient_mode_accepts_any_key_but_verifies_configured_ones() {
    let server = TestServer::with_args(&["--credentials", "AKIDKNOWN:right"]).await;
    let any = call(
        &server.url,
        "ListDatabases",
        "{}",
        Some(("ANYKEY", "whatever")),
    )
    .await;
    assert_eq!(any.status, 200);
    let bad = call(
        &server.url,
        "ListDatabases",
        "{}",
        Some(("AKIDKNOWN", "wrong")),
    )
    .await;
    assert_eq!(bad.error_code(), "InvalidSignatureException");
    server.stop().await;
}

#[tokio::test]
async fn skew_is_fifteen_minutes_on_the_engine_clock() {
    let server = TestServer::with_args(&[]).await;
    let old = call_at(
        &server.url,
        "ListDatabases",
        "{}",
        Some(("K", "s")),
        Utc::now() - TimeDelta::minutes(20),
    )
    .await;
    assert_eq!(old.error_code(), "InvalidSignatureException");
    assert!(
        old.message().starts_with("Signature expired: "),
        "{}",
        old.message()
    );
    let ahead = call_at(
        &server.url,
        "ListDatabases",
        "{}",
        Some(("K", "s")),
        Utc::now() + TimeDelta::minutes(20),
    )
    .await;
    assert!(
        ahead.message().starts_with("Signature not yet current: "),
        "{}",
        ahead.message()
    );
    // Move the engine clock 20 minutes ahead: a request signed "now + 20 min" becomes current.
    let moved = reqwest::Client::new()
        .post(format!("{}/_timestream_local/clock", server.url))
        .body(r#"{"offset_ns": 1200000000000}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let now_ok = call_at(
        &server.url,
        "ListDatabases",
        "{}",
        Some(("K", "s")),
        Utc::now() + TimeDelta::minutes(20),
    )
    .await;
    assert_eq!(now_ok.status, 200, "{:?}", now_ok.body);
    server.stop().await;
}

#[tokio::test]
async fn garbled_authorization_is_incomplete_signature() {
    let server = TestServer::with_args(&[]).await;
    let reply = reqwest::Client::new()
        .post(format!("{}/", server.url))
        .header("x-amz-target", "Timestream_20181101.ListDatabases")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=garbage")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(
        body["__type"],
        "com.amazon.coral.service#IncompleteSignatureException"
    );
    server.stop().await;
}
