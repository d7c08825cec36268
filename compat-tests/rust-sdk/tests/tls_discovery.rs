//! AWS SDK for Rust with `with_endpoint_discovery_enabled()` against `--tls` (wire-protocol.md §3.3):
//! DescribeEndpoints goes to the configured http URL, the SDK builds `https://<Address>` from the
//! answer (`localhost:PORT` for aws-sdk-rust), and every later call is TLS on the same port.
//! The client trusts the server's generated CA through `SSL_CERT_FILE`: the default HTTPS client
//! (aws-smithy-http-client, rustls) loads its roots once per process with rustls-native-certs,
//! which reads only `SSL_CERT_FILE` when it is set. Hence its own test binary with a single test,
//! and the variable is set before the first client exists.

mod common;

use aws_sdk_timestreamwrite::config::{AsyncSleep, BehaviorVersion, Builder, Region, Sleep};
use aws_sdk_timestreamwrite::operation::describe_database::DescribeDatabaseError;
use common::*;
use std::time::Duration;

/// `with_endpoint_discovery_enabled()` needs a sleep impl on the client config itself
/// (`config::Builder::build()` defaults only the time source).
#[derive(Debug)]
struct TokioSleep;

impl AsyncSleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        Sleep::new(tokio::time::sleep(duration))
    }
}

#[tokio::test]
async fn tls_endpoint_discovery() {
    let dir = TempDir::new("tsl-rust-tls");
    let ca = dir.0.join("ca.pem");
    let ca_arg = ca.to_str().expect("utf-8 temp path").to_owned();
    let server = Server::start_with(&["--tls", "--tls-ca-file", &ca_arg]);
    assert!(
        server.first_line.ends_with(" (TLS on the same port)"),
        "with --tls the startup line ends with ` (TLS on the same port)`: {:?}",
        server.first_line
    );
    // The CA file is written before the server reports it is listening; allow a short grace period.
    for _ in 0..50 {
        if std::fs::metadata(&ca).map(|m| m.len() > 0).unwrap_or(false) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let pem = std::fs::read_to_string(&ca).unwrap_or_else(|e| panic!("--tls-ca-file {}: {e}", ca.display()));
    assert!(pem.contains("-----BEGIN CERTIFICATE-----"), "CA file is not a PEM certificate:\n{pem}");
    std::env::set_var("SSL_CERT_FILE", &ca);
    std::env::remove_var("SSL_CERT_DIR");

    // DescribeEndpoints over plain HTTP to http://localhost:PORT; the server sees Host
    // `localhost:PORT` and must answer Address `localhost:PORT` to aws-sdk-rust.
    let http_url = format!("http://localhost:{}", server.port);
    let log = RequestLog::default();
    let conf = Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(&http_url)
        .sleep_impl(TokioSleep)
        .interceptor(Recorder(log.clone()))
        .build();
    let plain = aws_sdk_timestreamwrite::Client::from_conf(conf);

    let eps = plain.describe_endpoints().send().await.expect("DescribeEndpoints over http");
    assert_eq!(eps.endpoints().len(), 1, "{:?}", eps.endpoints());
    assert_eq!(eps.endpoints()[0].address(), format!("localhost:{}", server.port));
    assert_eq!(eps.endpoints()[0].cache_period_in_minutes(), 1440);

    let (client, _reload) = plain
        .with_endpoint_discovery_enabled()
        .await
        .expect("with_endpoint_discovery_enabled (DescribeEndpoints)");

    let name = unique_name("rs_tls_db");
    let created = client
        .create_database()
        .database_name(&name)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "CreateDatabase via https://localhost:{}: {}\nserver stderr:\n{}",
                server.port,
                aws_sdk_timestreamwrite::error::DisplayErrorContext(&e),
                server.stderr()
            )
        });
    let db = created.database().expect("Database");
    assert_eq!(db.arn(), Some(format!("arn:aws:timestream:{REGION}:{ACCOUNT_ID}:database/{name}").as_str()));
    assert_eq!(db.table_count(), 0);

    let described = client.describe_database().database_name(&name).send().await.expect("DescribeDatabase over TLS");
    assert_eq!(described.database().and_then(|d| d.arn()), db.arn());

    let missing = unique_name("rs_tls_missing");
    let err = client
        .describe_database()
        .database_name(&missing)
        .send()
        .await
        .expect_err("missing database over TLS");
    match err.into_service_error() {
        DescribeDatabaseError::ResourceNotFoundException(e) => {
            assert_eq!(e.message(), Some(format!("The database {missing} does not exist.").as_str()));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }

    // What actually went over the wire: two DescribeEndpoints over http (ours + the discovery's),
    // then everything else over https://localhost:PORT.
    let sent = log.sent();
    let https_prefix = format!("https://localhost:{}", server.port);
    let targets: Vec<&str> = sent.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(
        targets,
        vec![
            DESCRIBE_ENDPOINTS,
            DESCRIBE_ENDPOINTS,
            "Timestream_20181101.CreateDatabase",
            "Timestream_20181101.DescribeDatabase",
            "Timestream_20181101.DescribeDatabase",
        ]
    );
    for s in &sent {
        if s.target == DESCRIBE_ENDPOINTS {
            assert!(s.uri.starts_with(&http_url), "DescribeEndpoints to {}", s.uri);
        } else {
            assert!(s.uri.starts_with(&https_prefix), "{} sent to {} instead of {https_prefix}", s.target, s.uri);
        }
    }
}
