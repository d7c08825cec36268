//! One scheduled-query run through the query service over a real engine: `@scheduled_runtime`
//! bound, rows made into records, later runs replacing earlier results, and rows that cannot
//! become records reported without failing the rest.

use std::sync::Arc;

use engine::{Clock, Engine, Scope};
use protocol::operations::create_database::CreateDatabaseInput;
use protocol::operations::create_scheduled_query::CreateScheduledQueryInput;
use protocol::operations::create_table::CreateTableInput;
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::{
    DimensionMapping, ErrorReportConfiguration, ErrorReportEntry, MeasureValueType,
    MultiMeasureAttributeMapping, MultiMeasureMappings, NotificationConfiguration, Record,
    S3Configuration, ScheduleConfiguration, SnsConfiguration, TargetConfiguration,
    TimestreamConfiguration,
};
use query::{Error, QueryService};

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600_000_000_000;
const MINUTE: i64 = 60_000_000_000;

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

async fn setup() -> (Arc<Engine>, QueryService) {
    let clock = Clock::default();
    clock.freeze_at_ns(NOW);
    let engine = Arc::new(Engine::open(None, clock).unwrap());
    engine
        .create_database(
            &scope(),
            CreateDatabaseInput {
                database_name: "d".into(),
                kms_key_id: None,
                tags: vec![],
            },
        )
        .unwrap();
    for table in ["src", "dst"] {
        engine
            .create_table(
                &scope(),
                CreateTableInput {
                    database_name: "d".into(),
                    table_name: table.into(),
                    retention_properties: None,
                    tags: vec![],
                    magnetic_store_write_properties: None,
                    schema: None,
                },
            )
            .unwrap();
    }
    let service = QueryService::new(engine.clone());
    (engine, service)
}

async fn write(engine: &Engine, host: &str, value: f64, time: i64) {
    engine
        .write_records(
            &scope(),
            WriteRecordsInput {
                database_name: "d".into(),
                table_name: "src".into(),
                common_attributes: None,
                records: vec![Record {
                    dimensions: vec![protocol::shapes::Dimension {
                        name: "host".into(),
                        value: host.into(),
                        dimension_value_type: None,
                    }],
                    measure_name: Some("cpu".into()),
                    measure_value: Some(value.to_string()),
                    measure_value_type: Some(MeasureValueType::Double),
                    time: Some(time.to_string()),
                    time_unit: Some(protocol::shapes::TimeUnit::Nanoseconds),
                    ..Default::default()
                }],
            },
        )
        .await
        .unwrap();
}

fn definition(query: &str) -> CreateScheduledQueryInput {
    CreateScheduledQueryInput {
        name: "q".into(),
        query_string: query.into(),
        schedule_configuration: ScheduleConfiguration {
            schedule_expression: "rate(1 hour)".into(),
        },
        notification_configuration: NotificationConfiguration {
            sns_configuration: SnsConfiguration {
                topic_arn: "arn:aws:sns:us-east-1:123456789012:t".into(),
            },
        },
        target_configuration: Some(TargetConfiguration {
            timestream_configuration: TimestreamConfiguration {
                database_name: "d".into(),
                table_name: "dst".into(),
                time_column: "t".into(),
                dimension_mappings: vec![DimensionMapping {
                    name: "host".into(),
                    dimension_value_type: "VARCHAR".into(),
                }],
                multi_measure_mappings: Some(MultiMeasureMappings {
                    target_multi_measure_name: Some("summary".into()),
                    multi_measure_attribute_mappings: vec![MultiMeasureAttributeMapping {
                        source_column: "total".into(),
                        target_multi_measure_attribute_name: Some("sum".into()),
                        measure_value_type: MeasureValueType::Double,
                    }],
                }),
                mixed_measure_mappings: None,
                measure_name_column: None,
            },
        }),
        client_token: None,
        scheduled_query_execution_role_arn: "arn:aws:iam::123456789012:role/r".into(),
        tags: vec![],
        kms_key_id: None,
        error_report_configuration: ErrorReportConfiguration {
            s3_configuration: S3Configuration {
                bucket_name: Some("bucket".into()),
                object_key_prefix: None,
                encryption_option: None,
                kms_key_id: None,
            },
        },
    }
}

/// The target's records as (host, time, sum).
fn target(engine: &Engine) -> Vec<(String, i64, String)> {
    engine
        .scan(&scope(), "d", "dst")
        .unwrap()
        .into_iter()
        .map(|r| {
            let view = engine::RecordView::from(r);
            (
                view.dimensions[0].1.clone(),
                view.time_ns,
                view.measures["sum"]["DOUBLE"].to_string(),
            )
        })
        .collect()
}

const SUM_BEFORE_RUNTIME: &str =
    "SELECT host, bin(time, 1h) AS t, sum(measure_value::double) AS total \
     FROM d.src WHERE time <= @scheduled_runtime GROUP BY host, bin(time, 1h)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_run_sees_its_own_runtime_and_later_runs_replace_results() {
    let (engine, service) = setup().await;
    write(&engine, "a", 1.0, NOW - 50 * MINUTE).await;
    write(&engine, "a", 2.0, NOW - 20 * MINUTE).await;
    let def = definition(SUM_BEFORE_RUNTIME);
    service.check_scheduled_query(&scope(), &def).await.unwrap();

    // As if at 23:30: only the first sample is in.
    let run = service
        .run_scheduled_query(&scope(), &def, NOW - 30 * MINUTE, false)
        .await;
    assert_eq!(run.failure, None, "{run:?}");
    assert_eq!(run.stats.query_result_rows, 1);
    assert_eq!(run.stats.records_ingested, 1);
    assert_eq!(
        target(&engine),
        [("a".into(), NOW - 60 * MINUTE, "1.0".into())]
    );

    // As if at midnight: the same hour now sums both, and replaces the earlier result.
    let run = service
        .run_scheduled_query(&scope(), &def, NOW, false)
        .await;
    assert_eq!(run.failure, None, "{run:?}");
    assert!(run.errors.is_empty(), "{run:?}");
    assert_eq!(
        target(&engine),
        [("a".into(), NOW - 60 * MINUTE, "3.0".into())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_without_a_time_are_reported_and_the_others_written() {
    let (engine, service) = setup().await;
    write(&engine, "a", 1.0, NOW - 50 * MINUTE).await;
    write(&engine, "b", 2.0, NOW - 50 * MINUTE).await;
    let def = definition(
        "SELECT host, CASE WHEN host = 'a' THEN bin(time, 1h) END AS t, \
         measure_value::double AS total FROM d.src WHERE time < @scheduled_runtime",
    );
    let run = service
        .run_scheduled_query(&scope(), &def, NOW, false)
        .await;
    assert!(!run.non_recoverable);
    assert_eq!(run.stats.records_ingested, 1);
    assert_eq!(
        run.errors,
        [ErrorReportEntry::DataParsing {
            reason: "The value of the TimeColumn 't' is NULL.".into(),
            raw_line: "host=b, t=NULL, total=2.0".into(),
        }]
    );
    assert!(run
        .failure
        .is_some_and(|f| f.starts_with("1 error occurred")));
    assert_eq!(target(&engine).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_and_non_recoverable_failures() {
    let (engine, service) = setup().await;
    write(&engine, "a", 1.0, NOW - 50 * MINUTE).await;
    // Without @scheduled_runtime the query is fine too; it is reserved, not required.
    let mut def = definition(
        "SELECT host, bin(time, 1h) AS t, sum(measure_value::double) AS total FROM d.src \
         GROUP BY host, bin(time, 1h)",
    );
    service.check_scheduled_query(&scope(), &def).await.unwrap();
    if let Some(t) = def.target_configuration.as_mut() {
        t.timestream_configuration.dimension_mappings[0].name = "total".into();
    }
    let e = service.check_scheduled_query(&scope(), &def).await;
    assert!(
        matches!(&e, Err(Error::Validation(m)) if m == "The dimension 'total' must be of type VARCHAR, not DOUBLE."),
        "{e:?}"
    );
    // The source table is gone: the query no longer analyses.
    engine.delete_table(&scope(), "d", "src").unwrap();
    let run = service
        .run_scheduled_query(&scope(), &definition(SUM_BEFORE_RUNTIME), NOW, false)
        .await;
    assert!(run.non_recoverable);
    assert!(run.errors.is_empty());
    assert_eq!(
        run.failure.as_deref(),
        Some("Requested table 'src' not found for identifier 'd.src' at line 1:77")
    );
}
