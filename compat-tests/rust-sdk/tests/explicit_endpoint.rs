//! AWS SDK for Rust with an explicit `endpoint_url` on `config::Builder` (wire-protocol.md §3.3):
//! no `with_endpoint_discovery_enabled()`, so DescribeEndpoints is never called and every request
//! goes straight to the URL. Each test spawns its own server (fresh in-memory store).

mod common;

use aws_sdk_timestreamquery::types::QueryPricingModel;
use aws_sdk_timestreamwrite::error::ProvideErrorMetadata;
use aws_sdk_timestreamwrite::operation::create_database::CreateDatabaseError;
use aws_sdk_timestreamwrite::operation::delete_database::DeleteDatabaseError;
use aws_sdk_timestreamwrite::operation::describe_database::DescribeDatabaseError;
use aws_sdk_timestreamwrite::types::{TableStatus, Tag};
use common::*;
use std::collections::BTreeMap;

fn db_arn(name: &str) -> String {
    format!("arn:aws:timestream:{REGION}:{ACCOUNT_ID}:database/{name}")
}

/// All requests went to the configured URL; none was DescribeEndpoints.
fn assert_no_discovery(server: &Server, log: &RequestLog) {
    let sent = log.sent();
    assert!(!sent.is_empty(), "recorder saw no request");
    for s in &sent {
        assert_ne!(s.target, DESCRIBE_ENDPOINTS, "explicit endpoint_url must not trigger discovery");
        assert!(s.uri.starts_with(&server.url), "request to {} instead of {}", s.uri, server.url);
    }
}

#[tokio::test]
async fn startup_line() {
    let server = Server::start();
    assert!(
        server.first_line.starts_with("timestream-local listening on http://127.0.0.1:"),
        "first line: {:?}",
        server.first_line
    );
    assert_eq!(server.url, format!("http://127.0.0.1:{}", server.port));
    assert_ne!(server.port, 0);
}

#[tokio::test]
async fn create_database() {
    let server = Server::start();
    let (client, log) = write_client(&server.url);
    let name = unique_name("rs_create_db");

    let out = client.create_database().database_name(&name).send().await.expect("CreateDatabase");
    let db = out.database().expect("CreateDatabase returned no Database");
    assert_eq!(db.database_name(), Some(name.as_str()));
    let arn = db.arn().expect("Arn");
    assert!(arn.ends_with(&format!(":database/{name}")), "Arn {arn}");
    assert_eq!(arn, db_arn(&name));
    assert_eq!(db.table_count(), 0);
    let created = db.creation_time().expect("CreationTime");
    let now = aws_sdk_timestreamwrite::primitives::DateTime::from(std::time::SystemTime::now());
    assert!((now.secs() - created.secs()).abs() < 300, "CreationTime {created} is not now ({now})");

    let described = client.describe_database().database_name(&name).send().await.expect("DescribeDatabase");
    let d = described.database().expect("Database");
    assert_eq!(d.arn(), Some(arn));
    assert_eq!(d.table_count(), 0);
    assert_no_discovery(&server, &log);
}

#[tokio::test]
async fn create_table() {
    let server = Server::start();
    let (client, log) = write_client(&server.url);
    let db = unique_name("rs_create_table_db");
    let table = unique_name("rs_tbl");
    client.create_database().database_name(&db).send().await.expect("CreateDatabase");

    let out = client
        .create_table()
        .database_name(&db)
        .table_name(&table)
        .send()
        .await
        .expect("CreateTable");
    let t = out.table().expect("CreateTable returned no Table");
    assert_eq!(t.table_name(), Some(table.as_str()));
    assert_eq!(t.database_name(), Some(db.as_str()));
    assert_eq!(
        t.arn(),
        Some(format!("arn:aws:timestream:{REGION}:{ACCOUNT_ID}:database/{db}/table/{table}").as_str())
    );
    assert_eq!(t.table_status(), Some(&TableStatus::Active));
    let r = t.retention_properties().expect("RetentionProperties");
    assert_eq!(r.memory_store_retention_period_in_hours(), 6);
    assert_eq!(r.magnetic_store_retention_period_in_days(), 73000);
    let m = t.magnetic_store_write_properties().expect("MagneticStoreWriteProperties");
    assert!(!m.enable_magnetic_store_writes());

    let d = client.describe_database().database_name(&db).send().await.expect("DescribeDatabase");
    assert_eq!(d.database().expect("Database").table_count(), 1, "TableCount after one CreateTable");
    assert_no_discovery(&server, &log);
}

#[tokio::test]
async fn describe_database_not_found() {
    let server = Server::start();
    let (client, _log) = write_client(&server.url);
    let name = unique_name("rs_missing");

    let err = client
        .describe_database()
        .database_name(&name)
        .send()
        .await
        .expect_err("DescribeDatabase of a missing database must fail");
    assert_eq!(http_status(&err), Some(404));
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
    match err.into_service_error() {
        DescribeDatabaseError::ResourceNotFoundException(e) => {
            assert_eq!(e.message(), Some(format!("The database {name} does not exist.").as_str()));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}

#[tokio::test]
async fn create_database_conflict() {
    let server = Server::start();
    let (client, _log) = write_client(&server.url);
    let name = unique_name("rs_conflict");
    client.create_database().database_name(&name).send().await.expect("first CreateDatabase");

    let err = client
        .create_database()
        .database_name(&name)
        .send()
        .await
        .expect_err("second CreateDatabase must fail");
    assert_eq!(http_status(&err), Some(409));
    match err.into_service_error() {
        CreateDatabaseError::ConflictException(e) => {
            assert_eq!(e.message(), format!("The database {name} already exists."));
        }
        other => panic!("expected ConflictException, got {other:?}"),
    }
}

#[tokio::test]
async fn list_databases_pagination() {
    let server = Server::start();
    let (client, log) = write_client(&server.url);
    let prefix = unique_name("rs_page");
    let mut created = Vec::new();
    for i in 0..25 {
        let name = format!("{prefix}_{i:02}");
        client.create_database().database_name(&name).send().await.expect("CreateDatabase");
        created.push(name);
    }

    let mut pages = client.list_databases().max_results(10).into_paginator().send();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut page_sizes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("ListDatabases page");
        assert!(page_sizes.len() < 100, "paginator does not terminate");
        if let Some(token) = page.next_token() {
            assert!(!token.is_empty(), "an empty NextToken must be omitted");
        }
        let dbs = page.databases();
        page_sizes.push(dbs.len());
        assert!(dbs.len() <= 10, "page with {} databases at MaxResults 10", dbs.len());
        for db in dbs {
            *seen.entry(db.database_name().expect("DatabaseName").to_owned()).or_default() += 1;
        }
    }
    let dupes: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
    assert!(dupes.is_empty(), "listed more than once: {dupes:?}");
    let mine: Vec<String> = seen.keys().filter(|n| n.starts_with(&format!("{prefix}_"))).cloned().collect();
    created.sort();
    assert_eq!(mine, created, "each of the 25 databases must be listed exactly once");
    assert_eq!(seen.len(), 25, "fresh server: only our 25 databases");
    assert!(page_sizes.len() >= 3, "25 databases at MaxResults 10 need >= 3 pages, got {page_sizes:?}");
    // Every ListDatabases request carried MaxResults 10 through the paginator; no discovery.
    assert_eq!(
        log.targets().iter().filter(|t| *t == "Timestream_20181101.ListDatabases").count(),
        page_sizes.len()
    );
    assert_no_discovery(&server, &log);
}

#[tokio::test]
async fn delete_database_not_empty() {
    let server = Server::start();
    let (client, _log) = write_client(&server.url);
    let db = unique_name("rs_not_empty");
    let table = unique_name("rs_tbl");
    client.create_database().database_name(&db).send().await.expect("CreateDatabase");
    client.create_table().database_name(&db).table_name(&table).send().await.expect("CreateTable");

    let err = client
        .delete_database()
        .database_name(&db)
        .send()
        .await
        .expect_err("DeleteDatabase with a table must fail");
    assert_eq!(http_status(&err), Some(400));
    match err.into_service_error() {
        DeleteDatabaseError::ValidationException(e) => {
            assert_eq!(
                e.message(),
                format!("Cannot delete database {db} because it still has tables. Delete the tables first.")
            );
        }
        other => panic!("expected ValidationException, got {other:?}"),
    }

    let still = client.describe_database().database_name(&db).send().await.expect("still there");
    assert_eq!(still.database().expect("Database").table_count(), 1);
    client.delete_table().database_name(&db).table_name(&table).send().await.expect("DeleteTable");
    client.delete_database().database_name(&db).send().await.expect("DeleteDatabase after DeleteTable");
    let gone = client
        .describe_database()
        .database_name(&db)
        .send()
        .await
        .expect_err("deleted database must be gone");
    assert!(
        matches!(gone.into_service_error(), DescribeDatabaseError::ResourceNotFoundException(_)),
        "after delete"
    );
}

#[tokio::test]
async fn describe_account_settings() {
    let server = Server::start();
    let (client, log) = query_client(&server.url);
    let out = client.describe_account_settings().send().await.expect("DescribeAccountSettings");
    assert!(
        matches!(
            out.query_pricing_model(),
            Some(QueryPricingModel::BytesScanned) | Some(QueryPricingModel::ComputeUnits)
        ),
        "QueryPricingModel {:?}",
        out.query_pricing_model()
    );
    assert_eq!(log.targets(), vec!["Timestream_20181101.DescribeAccountSettings".to_owned()]);
    assert!(log.sent()[0].uri.starts_with(&server.url));
}

#[tokio::test]
async fn tag_round_trip() {
    let server = Server::start();
    let (write, _wlog) = write_client(&server.url);
    let (query, qlog) = query_client(&server.url);
    let name = unique_name("rs_tags");

    let created = write
        .create_database()
        .database_name(&name)
        .tags(Tag::builder().key("env").value("test").build().expect("tag"))
        .send()
        .await
        .expect("CreateDatabase with tags");
    let arn = created.database().and_then(|d| d.arn()).expect("Arn").to_owned();
    write
        .tag_resource()
        .resource_arn(&arn)
        .tags(Tag::builder().key("team").value("tsl").build().expect("tag"))
        .tags(Tag::builder().key("env").value("dev").build().expect("tag"))
        .send()
        .await
        .expect("TagResource");

    let out = query.list_tags_for_resource().resource_arn(&arn).send().await.expect("query ListTagsForResource");
    let tags: BTreeMap<&str, &str> = out.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(
        tags,
        BTreeMap::from([("env", "dev"), ("team", "tsl")]),
        "create-time tag, overwritten value, added tag"
    );
    assert_eq!(out.tags().len(), 2);
    assert_eq!(qlog.targets(), vec!["Timestream_20181101.ListTagsForResource".to_owned()]);
}

#[tokio::test]
async fn describe_endpoints_address_for_rust() {
    // compat-tests/README.md: User-Agent aws-sdk-rust -> `HOST:PORT`; CachePeriodInMinutes 1440.
    let server = Server::start();
    let (client, _log) = write_client(&server.url);
    let out = client.describe_endpoints().send().await.expect("DescribeEndpoints");
    assert_eq!(out.endpoints().len(), 1, "{:?}", out.endpoints());
    let ep = &out.endpoints()[0];
    assert_eq!(ep.address(), format!("127.0.0.1:{}", server.port));
    assert_eq!(ep.cache_period_in_minutes(), 1440);
}
