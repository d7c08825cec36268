//! Every query sees the databases of its own (account, region) only, also when queries of
//! several scopes run at once: each query's session has a catalog of its own.

use std::sync::Arc;

use engine::{Clock, Engine, Scope};
use protocol::operations::create_database::CreateDatabaseInput;
use protocol::operations::create_table::CreateTableInput;
use protocol::operations::query::{Datum, QueryInput};
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::{Dimension, MeasureValueType, Record};
use query::QueryService;

/// 2026-01-01T00:00:00Z.
const NOW_MS: i64 = 1_767_225_600_000;

async fn table_with_value(engine: &Engine, scope: &Scope, value: &str) {
    engine
        .create_database(
            scope,
            CreateDatabaseInput {
                database_name: "d".into(),
                kms_key_id: None,
                tags: vec![],
            },
        )
        .unwrap();
    engine
        .create_table(
            scope,
            CreateTableInput {
                database_name: "d".into(),
                table_name: "t".into(),
                retention_properties: None,
                tags: vec![],
                magnetic_store_write_properties: None,
                schema: None,
            },
        )
        .unwrap();
    engine
        .write_records(
            scope,
            WriteRecordsInput {
                database_name: "d".into(),
                table_name: "t".into(),
                common_attributes: None,
                records: vec![Record {
                    dimensions: vec![Dimension {
                        name: "host".into(),
                        value: "h".into(),
                        dimension_value_type: None,
                    }],
                    measure_name: Some("m".into()),
                    measure_value: Some(value.into()),
                    measure_value_type: Some(MeasureValueType::Double),
                    time: Some(NOW_MS.to_string()),
                    ..Default::default()
                }],
            },
        )
        .await
        .unwrap();
}

async fn value(service: &QueryService, scope: &Scope) -> Result<String, String> {
    let out = service
        .query(
            scope,
            QueryInput {
                query_string: "SELECT measure_value::double FROM d.t".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    match out.rows.first().and_then(|r| r.data.first()) {
        Some(Datum::ScalarValue(v)) => Ok(v.clone()),
        other => Err(format!("unexpected result {other:?}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_see_only_their_scope() {
    let clock = Clock::default();
    clock.freeze_at_ns(NOW_MS * 1_000_000);
    let engine = Arc::new(Engine::open(None, clock).unwrap());
    let scopes = [
        (Scope::new("111111111111", "us-east-1"), "1.0"),
        (Scope::new("111111111111", "eu-west-1"), "2.0"),
        (Scope::new("222222222222", "us-east-1"), "3.0"),
    ];
    for (scope, v) in &scopes {
        table_with_value(&engine, scope, v).await;
    }
    let service = Arc::new(QueryService::new(engine));
    let mut runs = Vec::new();
    for round in 0..10 {
        for (scope, expected) in scopes.iter().cycle().skip(round % 3).take(3) {
            let (service, scope, expected) = (service.clone(), scope.clone(), *expected);
            runs.push(tokio::spawn(async move {
                assert_eq!(value(&service, &scope).await.as_deref(), Ok(expected));
            }));
        }
    }
    for run in runs {
        run.await.unwrap();
    }
    let elsewhere = value(&service, &Scope::new("333333333333", "us-east-1")).await;
    assert!(
        elsewhere
            .as_ref()
            .is_err_and(|e| e.starts_with("Requested database 'd' not found")),
        "{elsewhere:?}"
    );
}
