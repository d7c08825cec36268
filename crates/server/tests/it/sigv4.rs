use chrono::{TimeDelta, Utc};
use protocol::sigv4::{self, Authorization};
use serde_json::Value;
use sha2::{Digest, Sha256};

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

/// How [`signed_call`] dates, hashes and signs a request.
struct Signing<'a> {
    region: &'a str,
    /// Which of the sent headers go into `SignedHeaders`.
    signed: &'a [&'a str],
    /// `Date` (RFC 1123) instead of `X-Amz-Date`.
    date_header: bool,
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD`, signed as the payload hash.
    unsigned_payload: bool,
}

const ALL: &[&str] = &["content-type", "host", "x-amz-date", "x-amz-target"];

impl Default for Signing<'_> {
    fn default() -> Self {
        Self {
            region: "us-east-1",
            signed: ALL,
            date_header: false,
            unsigned_payload: false,
        }
    }
}

/// Signs `body` with `AKIDSTRICT:s3cret` as `how` says and sends `send` (the signed body unless
/// tampering); returns (status, `__type` short name, message, body).
async fn signed_call(
    url: &str,
    operation: &str,
    body: &str,
    send: &str,
    how: Signing<'_>,
) -> (u16, String, String, Value) {
    let now = Utc::now();
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut headers = vec![
        (
            "content-type".to_owned(),
            "application/x-amz-json-1.0".to_owned(),
        ),
        (
            "host".to_owned(),
            url.trim_start_matches("http://").to_owned(),
        ),
        (
            "x-amz-target".to_owned(),
            format!("Timestream_20181101.{operation}"),
        ),
    ];
    if how.date_header {
        headers.push((
            "date".to_owned(),
            now.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ));
    } else {
        headers.push(("x-amz-date".to_owned(), amz_date.clone()));
    }
    let payload_hash = if how.unsigned_payload {
        headers.push((
            "x-amz-content-sha256".to_owned(),
            sigv4::UNSIGNED_PAYLOAD.to_owned(),
        ));
        sigv4::UNSIGNED_PAYLOAD.to_owned()
    } else {
        hex::encode(Sha256::digest(body.as_bytes()))
    };
    let auth = Authorization {
        access_key: "AKIDSTRICT".to_owned(),
        date: amz_date[..8].to_owned(),
        region: how.region.to_owned(),
        service: "timestream".to_owned(),
        signed_headers: how.signed.iter().map(|h| (*h).to_owned()).collect(),
        signature: String::new(),
    };
    let request = sigv4::Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let sig = sigv4::signature(&auth, &request, &amz_date, "s3cret", &payload_hash).unwrap();
    let mut req = reqwest::Client::new()
        .post(format!("{url}/"))
        .body(send.to_owned());
    for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
        req = req.header(name, value);
    }
    let reply = req
        .header(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDSTRICT/{}/{}/timestream/aws4_request, SignedHeaders={}, Signature={sig}",
                &amz_date[..8],
                how.region,
                how.signed.join(";")
            ),
        )
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    let body: Value = reply.json().await.unwrap_or(Value::Null);
    let code = body["__type"]
        .as_str()
        .unwrap_or_default()
        .rsplit('#')
        .next()
        .unwrap_or_default()
        .to_owned();
    let message = body["Message"].as_str().unwrap_or_default().to_owned();
    (status, code, message, body)
}

#[tokio::test]
async fn host_and_target_must_be_signed() {
    let server =
        TestServer::with_args(&["--auth", "strict", "--credentials", "AKIDSTRICT:s3cret"]).await;
    let ok = signed_call(&server.url, "ListDatabases", "{}", "{}", Signing::default()).await;
    assert_eq!(ok.0, 200, "{ok:?}");
    let no_host = Signing {
        signed: &["content-type", "x-amz-date", "x-amz-target"],
        ..Signing::default()
    };
    let (status, code, message, _) =
        signed_call(&server.url, "ListDatabases", "{}", "{}", no_host).await;
    assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
    assert_eq!(
        message,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );
    let no_target = Signing {
        signed: &["content-type", "host", "x-amz-date"],
        ..Signing::default()
    };
    let (_, code, message, _) =
        signed_call(&server.url, "ListDatabases", "{}", "{}", no_target).await;
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
    );
    server.stop().await;
}

#[tokio::test]
async fn date_header_and_unsigned_payload_verify() {
    let server =
        TestServer::with_args(&["--auth", "strict", "--credentials", "AKIDSTRICT:s3cret"]).await;
    let with_date = Signing {
        signed: &["content-type", "date", "host", "x-amz-target"],
        date_header: true,
        ..Signing::default()
    };
    let reply = signed_call(&server.url, "ListDatabases", "{}", "{}", with_date).await;
    assert_eq!(reply.0, 200, "{reply:?}");
    let unsigned = Signing {
        signed: &[
            "content-type",
            "host",
            "x-amz-content-sha256",
            "x-amz-date",
            "x-amz-target",
        ],
        unsigned_payload: true,
        ..Signing::default()
    };
    let body = r#"{"DatabaseName":"unsigned_db"}"#;
    let reply = signed_call(&server.url, "CreateDatabase", body, body, unsigned).await;
    assert_eq!(reply.0, 200, "{reply:?}");
    server.stop().await;
}

#[tokio::test]
async fn implausible_regions_are_refused_or_ignored() {
    for args in [
        &["--auth", "strict", "--credentials", "AKIDSTRICT:s3cret"][..],
        &["--credentials", "AKIDOTHER:x"][..],
    ] {
        let server = TestServer::with_args(args).await;
        for region in ["", "nowhere", "US-EAST-1", "us-east-1-evil"] {
            let how = Signing {
                region,
                ..Signing::default()
            };
            let (status, code, message, _) =
                signed_call(&server.url, "ListDatabases", "{}", "{}", how).await;
            assert_eq!((status, code.as_str()), (400, "InvalidSignatureException"));
            assert_eq!(
                message,
                format!("Credential should be scoped to a valid region, not '{region}'. ")
            );
        }
        let how = Signing {
            region: "us-gov-west-1",
            ..Signing::default()
        };
        let reply = signed_call(&server.url, "ListDatabases", "{}", "{}", how).await;
        assert_eq!(reply.0, 200, "{reply:?}");
        server.stop().await;
    }
    // --auth off: a bad scope falls back to --region instead of creating state of its own.
    let server = TestServer::with_args(&["--auth", "off", "--region", "eu-west-1"]).await;
    let how = Signing {
        region: "not-a-region",
        ..Signing::default()
    };
    let body = r#"{"DatabaseName":"off_db"}"#;
    let (status, _, _, reply) = signed_call(&server.url, "CreateDatabase", body, body, how).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply["Database"]["Arn"],
        "arn:aws:timestream:eu-west-1:123456789012:database/off_db"
    );
    server.stop().await;
}
