//! The network front's limits (issue 17): header, idle and body timeouts, the declared body
//! cap, the cap on connections, SigV4 checks made before the body is read, and shutdown with a
//! request stuck in flight. Raw TCP where a client library would not misbehave on purpose.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{call, TestServer};

/// A server with `--auth off` and the given extra flags.
async fn server(args: &[&str]) -> TestServer {
    let mut all = vec!["--auth", "off"];
    all.extend_from_slice(args);
    TestServer::with_args(&all).await
}

async fn connect(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the peer closes; `None` when it is still open after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let reading = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, reading).await.ok()?;
    Some(got)
}

/// Reads one response with a `Content-Length` body, leaving the connection open.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before a whole response: {got:?}");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
    }
}

/// A normal request answered within 2 s, with the right answer.
async fn assert_serving(server: &TestServer) {
    let reply = tokio::time::timeout(
        Duration::from_secs(2),
        call(&server.url, "ListDatabases", "{}", None),
    )
    .await
    .expect("a normal request is answered within 2 s");
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["Databases"], serde_json::json!([]));
}

const HEALTH: &[u8] = b"GET /_timestream_local/health HTTP/1.1\r\nHost: t\r\n\r\n";

#[tokio::test]
async fn half_sent_request_is_closed_within_the_header_timeout() {
    let server = server(&["--header-timeout-ms", "500"]).await;
    let mut slow = connect(&server).await;
    slow.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nX-Amz-Tar")
        .await
        .unwrap();
    let sent = Instant::now();
    assert_serving(&server).await;
    let answer = read_until_closed(&mut slow, Duration::from_secs(3))
        .await
        .expect("the half-sent request's connection is closed");
    let after = sent.elapsed();
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
    assert!(
        after >= Duration::from_millis(400) && after < Duration::from_secs(2),
        "closed after {after:?}"
    );
    // A new connection that sends nothing is held to the same limit.
    let mut silent = connect(&server).await;
    assert!(read_until_closed(&mut silent, Duration::from_secs(3))
        .await
        .is_some());
    assert_serving(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let server = server(&["--header-timeout-ms", "5000", "--idle-timeout-ms", "600"]).await;
    let mut conn = connect(&server).await;
    conn.write_all(HEALTH).await.unwrap();
    assert!(read_response(&mut conn).await.starts_with("HTTP/1.1 200"));
    let answered = Instant::now();
    assert!(read_until_closed(&mut conn, Duration::from_secs(3))
        .await
        .is_some());
    let after = answered.elapsed();
    assert!(
        after >= Duration::from_millis(500) && after < Duration::from_secs(3),
        "closed after {after:?}"
    );
    assert_serving(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn idle_time_is_not_held_to_the_header_timeout() {
    // hyper's own header timer runs while a kept-alive connection waits: not ours.
    let server = server(&["--header-timeout-ms", "300", "--idle-timeout-ms", "5000"]).await;
    let mut conn = connect(&server).await;
    conn.write_all(HEALTH).await.unwrap();
    assert!(read_response(&mut conn).await.starts_with("HTTP/1.1 200"));
    tokio::time::sleep(Duration::from_millis(900)).await;
    conn.write_all(HEALTH).await.unwrap();
    assert!(read_response(&mut conn).await.starts_with("HTTP/1.1 200"));
    // Once a request has begun, its head is held to the header timeout again.
    conn.write_all(b"GET /_timestream_local/health HTTP/1.1\r\n")
        .await
        .unwrap();
    let begun = Instant::now();
    assert!(read_until_closed(&mut conn, Duration::from_secs(3))
        .await
        .is_some());
    assert!(
        begun.elapsed() < Duration::from_secs(2),
        "{:?}",
        begun.elapsed()
    );
    server.stop().await;
}

#[tokio::test]
async fn ten_gigabyte_content_length_is_refused_at_once() {
    let server = server(&[]).await;
    let mut conn = connect(&server).await;
    let started = Instant::now();
    conn.write_all(
        b"POST / HTTP/1.1\r\nHost: t\r\nX-Amz-Target: Timestream_20181101.ListDatabases\r\n\
          Content-Type: application/x-amz-json-1.0\r\nContent-Length: 10737418240\r\n\r\n",
    )
    .await
    .unwrap();
    let answer = read_until_closed(&mut conn, Duration::from_secs(1))
        .await
        .expect("answered and closed within 1 s");
    assert!(started.elapsed() < Duration::from_secs(1));
    let text = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(text.starts_with("http/1.1 400"), "{text}");
    assert!(text.contains("connection: close"), "{text}");
    assert!(text.contains("serializationexception"), "{text}");
    assert!(text.contains("larger than 8 mib"), "{text}");
    assert_serving(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn body_that_stops_arriving_is_answered_and_closed() {
    let server = server(&["--body-timeout-ms", "500"]).await;
    let mut conn = connect(&server).await;
    conn.write_all(
        b"POST / HTTP/1.1\r\nHost: t\r\nX-Amz-Target: Timestream_20181101.ListDatabases\r\n\
          Content-Length: 100\r\n\r\n{\"MaxResults\":",
    )
    .await
    .unwrap();
    let sent = Instant::now();
    assert_serving(&server).await;
    let answer = read_until_closed(&mut conn, Duration::from_secs(3))
        .await
        .expect("answered and closed");
    assert!(sent.elapsed() >= Duration::from_millis(400));
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(
        text.contains("The request body did not arrive within 0.5 s."),
        "{text}"
    );
    assert_serving(&server).await;
    server.stop().await;
}

/// Headers of a 1 MB request whose body is never sent.
fn unsent_body(authorization: Option<&str>) -> Vec<u8> {
    let mut head = String::from(
        "POST / HTTP/1.1\r\nHost: t\r\nX-Amz-Target: Timestream_20181101.ListDatabases\r\n\
         X-Amz-Date: 20250101T000000Z\r\nContent-Length: 1000000\r\n",
    );
    if let Some(auth) = authorization {
        head.push_str(&format!("Authorization: {auth}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

#[tokio::test]
async fn requests_refused_by_sigv4_are_refused_before_their_body() {
    let lenient = TestServer::with_args(&[]).await;
    let strict = TestServer::with_args(&["--auth", "strict", "--credentials", "AKIDKNOWN:s"]).await;
    let well_formed = "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20250101/us-east-1/timestream/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000";
    for (server, authorization, code) in [
        (&lenient, None, "MissingAuthenticationTokenException"),
        (
            &lenient,
            Some("AWS4-HMAC-SHA256 garbage"),
            "IncompleteSignatureException",
        ),
        (&strict, None, "MissingAuthenticationTokenException"),
        (&strict, Some(well_formed), "UnrecognizedClientException"),
    ] {
        let mut conn = connect(server).await;
        conn.write_all(&unsent_body(authorization)).await.unwrap();
        let answer = read_until_closed(&mut conn, Duration::from_secs(1))
            .await
            .unwrap_or_else(|| panic!("{code}: no answer within 1 s"));
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 400"), "{text}");
        assert!(text.contains(&format!("#{code}\"")), "{code}: {text}");
    }
    // Lenient mode accepts unknown keys: that request waits for its body as before.
    let mut conn = connect(&lenient).await;
    conn.write_all(&unsent_body(Some(well_formed)))
        .await
        .unwrap();
    assert!(read_until_closed(&mut conn, Duration::from_millis(500))
        .await
        .is_none());
    drop(conn);
    lenient.stop().await;
    strict.stop().await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_slot() {
    let server = server(&["--max-connections", "2"]).await;
    let first = connect(&server).await;
    let _second = connect(&server).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = tokio::spawn({
        let url = server.url.clone();
        async move {
            let started = Instant::now();
            let reply = call(&url, "ListDatabases", "{}", None).await;
            (reply.status, started.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!waiting.is_finished(), "a third connection was served");
    drop(first);
    let (status, waited) = tokio::time::timeout(Duration::from_secs(2), waiting)
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert_eq!(status, 200);
    assert!(waited >= Duration::from_millis(800), "{waited:?}");
    server.stop().await;
}

#[tokio::test]
async fn shutdown_returns_within_the_drain_period_when_a_request_is_stuck() {
    let server = server(&["--drain-timeout-ms", "500", "--body-timeout-ms", "60000"]).await;
    let mut stuck = connect(&server).await;
    stuck
        .write_all(
            b"POST / HTTP/1.1\r\nHost: t\r\nX-Amz-Target: Timestream_20181101.ListDatabases\r\n\
              Content-Length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), server.stop())
        .await
        .expect("the server stops within the drain period");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400),
        "did not drain: {took:?}"
    );
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_held_to_the_header_timeout() {
    let server = server(&["--tls", "--header-timeout-ms", "500"]).await;
    // The first byte of a TLS handshake record, and nothing more.
    let mut stalled = connect(&server).await;
    stalled.write_all(&[0x16]).await.unwrap();
    let mut silent = connect(&server).await;
    let started = Instant::now();
    assert_serving(&server).await;
    for conn in [&mut stalled, &mut silent] {
        assert!(read_until_closed(conn, Duration::from_secs(3))
            .await
            .is_some());
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(2),
        "{took:?}"
    );
    server.stop().await;
}
