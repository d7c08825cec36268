//! AWS SDK for Rust with the endpoint only in `AWS_ENDPOINT_URL_TIMESTREAM_{WRITE,QUERY}`, loaded by
//! `aws_config::defaults(BehaviorVersion::latest()).load()` (wire-protocol.md §3.3): no discovery,
//! calls go straight to the env URL. Own test binary with a single test, because it sets process
//! environment variables.

mod common;

use aws_config::BehaviorVersion;
use aws_sdk_timestreamquery::types::QueryPricingModel;
use aws_sdk_timestreamwrite::operation::describe_database::DescribeDatabaseError;
use common::*;

#[tokio::test]
async fn env_var_endpoint() {
    let server = Server::start();
    let scratch = TempDir::new("tsl-rust-env");
    let missing_file = scratch.0.join("does-not-exist");

    // Only the service-specific endpoint variables point at the server; nothing else interferes.
    for k in [
        "AWS_ENDPOINT_URL",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_PROFILE",
        "AWS_ENABLE_ENDPOINT_DISCOVERY",
        "AWS_ENDPOINT_DISCOVERY_ENABLED",
    ] {
        std::env::remove_var(k);
    }
    std::env::set_var("AWS_CONFIG_FILE", &missing_file);
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &missing_file);
    std::env::set_var("AWS_ENDPOINT_URL_TIMESTREAM_WRITE", &server.url);
    std::env::set_var("AWS_ENDPOINT_URL_TIMESTREAM_QUERY", &server.url);
    std::env::set_var("AWS_REGION", REGION);
    std::env::set_var("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
    std::env::set_var("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
    std::env::remove_var("AWS_SESSION_TOKEN");

    let sdk_config = aws_config::defaults(BehaviorVersion::latest()).load().await;

    // --- write ---
    let wlog = RequestLog::default();
    let write = aws_sdk_timestreamwrite::Client::from_conf(
        aws_sdk_timestreamwrite::config::Builder::from(&sdk_config)
            .interceptor(Recorder(wlog.clone()))
            .build(),
    );
    let name = unique_name("rs_env_db");
    let created = write.create_database().database_name(&name).send().await.expect("CreateDatabase");
    let db = created.database().expect("Database");
    assert_eq!(db.arn(), Some(format!("arn:aws:timestream:{REGION}:{ACCOUNT_ID}:database/{name}").as_str()));
    assert_eq!(db.table_count(), 0);

    let described = write.describe_database().database_name(&name).send().await.expect("DescribeDatabase");
    assert_eq!(described.database().and_then(|d| d.database_name()), Some(name.as_str()));

    let missing = unique_name("rs_env_missing");
    let err = write
        .describe_database()
        .database_name(&missing)
        .send()
        .await
        .expect_err("missing database");
    match err.into_service_error() {
        DescribeDatabaseError::ResourceNotFoundException(e) => {
            assert_eq!(e.message(), Some(format!("The database {missing} does not exist.").as_str()));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }

    assert_eq!(
        wlog.targets(),
        vec![
            "Timestream_20181101.CreateDatabase".to_owned(),
            "Timestream_20181101.DescribeDatabase".to_owned(),
            "Timestream_20181101.DescribeDatabase".to_owned(),
        ],
        "no DescribeEndpoints: the Rust SDK never discovers on its own"
    );
    for s in wlog.sent() {
        assert!(s.uri.starts_with(&server.url), "request to {} instead of {}", s.uri, server.url);
    }

    // --- query (Client::new, the plain way) ---
    let qlog = RequestLog::default();
    let query = aws_sdk_timestreamquery::Client::from_conf(
        aws_sdk_timestreamquery::config::Builder::from(&sdk_config)
            .interceptor(Recorder(qlog.clone()))
            .build(),
    );
    let settings = query.describe_account_settings().send().await.expect("DescribeAccountSettings");
    assert!(
        matches!(
            settings.query_pricing_model(),
            Some(QueryPricingModel::BytesScanned) | Some(QueryPricingModel::ComputeUnits)
        ),
        "QueryPricingModel {:?}",
        settings.query_pricing_model()
    );
    assert_eq!(qlog.targets(), vec!["Timestream_20181101.DescribeAccountSettings".to_owned()]);
    assert!(qlog.sent()[0].uri.starts_with(&server.url));

    let plain = aws_sdk_timestreamwrite::Client::new(&sdk_config);
    let again = plain.describe_database().database_name(&name).send().await.expect("Client::new DescribeDatabase");
    assert_eq!(again.database().and_then(|d| d.arn()), db.arn());
}
