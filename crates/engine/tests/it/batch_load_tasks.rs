//! The batch-load catalog: creation against existing tables, the active-task quotas, ClientToken
//! idempotency, the status rules of ResumeBatchLoadTask, progress recorded only while a task is
//! IN_PROGRESS, listing by status with pagination, and persistence across a reopen.

use engine::{BatchLoadPosition, BatchLoadRowError, Engine, Error, RESUMABLE_FOR_NS};
use protocol::operations::create_batch_load_task::CreateBatchLoadTaskInput;
use protocol::shapes::batch_load::{
    BatchLoadProgressReport, BatchLoadStatus, DataModel, DataModelConfiguration,
    DataSourceConfiguration, DataSourceS3Configuration, DimensionMapping,
    MultiMeasureAttributeMapping, MultiMeasureMappings, ReportConfiguration, ReportS3Configuration,
};
use protocol::timestamp::from_nanos;
use protocol::ErrorCode;

use crate::support::{create, engine_at, scope, TableSpec, NOW_MS};

const NOW: i64 = NOW_MS * 1_000_000;

fn input(table: &str) -> CreateBatchLoadTaskInput {
    CreateBatchLoadTaskInput {
        client_token: None,
        data_model_configuration: Some(DataModelConfiguration {
            data_model: Some(DataModel {
                time_column: Some("time".into()),
                time_unit: None,
                dimension_mappings: vec![DimensionMapping {
                    source_column: Some("host".into()),
                    destination_column: None,
                }],
                multi_measure_mappings: Some(MultiMeasureMappings {
                    target_multi_measure_name: Some("metrics".into()),
                    multi_measure_attribute_mappings: vec![MultiMeasureAttributeMapping {
                        source_column: "cpu".into(),
                        target_multi_measure_attribute_name: None,
                        measure_value_type: None,
                    }],
                }),
                mixed_measure_mappings: None,
                measure_name_column: None,
            }),
            data_model_s3_configuration: None,
        }),
        data_source_configuration: DataSourceConfiguration {
            data_source_s3_configuration: DataSourceS3Configuration {
                bucket_name: "source".into(),
                object_key_prefix: Some("in/".into()),
            },
            csv_configuration: None,
            data_format: "CSV".into(),
        },
        report_configuration: ReportConfiguration {
            report_s3_configuration: Some(ReportS3Configuration {
                bucket_name: "reports".into(),
                object_key_prefix: None,
                encryption_option: None,
                kms_key_id: None,
            }),
        },
        target_database_name: "db".into(),
        target_table_name: table.into(),
        record_version: Some(3),
    }
}

fn status(engine: &Engine, id: &str) -> BatchLoadStatus {
    engine
        .describe_batch_load_task(&scope(), id)
        .unwrap()
        .task_status
}

#[test]
fn a_task_is_created_against_an_existing_table_and_described_as_given() {
    let engine = engine_at(None);
    create(&engine, "t", TableSpec::default());
    let id = engine.create_batch_load_task(&scope(), input("t")).unwrap();
    assert!((3..=32).contains(&id.len()), "{id}");
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{id}"
    );
    let d = engine.describe_batch_load_task(&scope(), &id).unwrap();
    assert_eq!(d.task_status, BatchLoadStatus::Created);
    assert_eq!(d.record_version, Some(3));
    assert_eq!(d.target_table_name, "t");
    assert_eq!(d.progress_report, BatchLoadProgressReport::default());
    assert_eq!(d.creation_time, from_nanos(NOW));
    assert_eq!(
        d.data_model_configuration,
        input("t").data_model_configuration
    );
    assert_eq!(d.resumable_until, None);

    let missing_table = engine
        .create_batch_load_task(&scope(), input("nope"))
        .unwrap_err();
    assert!(
        matches!(missing_table, Error::TableNotFound { .. }),
        "{missing_table:?}"
    );
    assert_eq!(missing_table.to_string(), "The table nope does not exist.");
    let mut other_db = input("t");
    other_db.target_database_name = "nodb".into();
    let missing_db = engine
        .create_batch_load_task(&scope(), other_db)
        .unwrap_err();
    assert_eq!(missing_db.to_string(), "The database nodb does not exist.");
    assert_eq!(
        missing_db.to_aws().code,
        ErrorCode::ResourceNotFoundException
    );

    let unknown = engine
        .describe_batch_load_task(&scope(), "ABC123")
        .unwrap_err();
    assert_eq!(unknown.to_aws().code, ErrorCode::ResourceNotFoundException);
    // Another account does not see the task.
    let other = engine::Scope::new("210987654321", "us-east-1");
    assert!(engine.describe_batch_load_task(&other, &id).is_err());
}

#[test]
fn five_active_tasks_per_table_and_ten_per_account() {
    let engine = engine_at(None);
    for t in ["a", "b", "c"] {
        create(&engine, t, TableSpec::default());
    }
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(engine.create_batch_load_task(&scope(), input("a")).unwrap());
    }
    let e = engine
        .create_batch_load_task(&scope(), input("a"))
        .unwrap_err();
    assert_eq!(e.to_aws().code, ErrorCode::ServiceQuotaExceededException);
    assert!(e.to_string().contains("5 active batch load tasks"), "{e}");
    for _ in 0..5 {
        engine.create_batch_load_task(&scope(), input("b")).unwrap();
    }
    let e = engine
        .create_batch_load_task(&scope(), input("c"))
        .unwrap_err();
    assert_eq!(e.to_aws().code, ErrorCode::ServiceQuotaExceededException);
    assert!(e.to_string().contains("10 active batch load tasks"), "{e}");

    // A finished task frees its place; a stopped one too (it is not running).
    engine.start_batch_load_task(&ids[0]).unwrap().unwrap();
    assert!(engine
        .finish_batch_load_task(&ids[0], BatchLoadStatus::Succeeded, None)
        .unwrap());
    engine.create_batch_load_task(&scope(), input("c")).unwrap();
    assert!(engine.create_batch_load_task(&scope(), input("c")).is_err());
    assert!(engine.stop_batch_load_task(&ids[1], "stopped").unwrap());
    engine.create_batch_load_task(&scope(), input("a")).unwrap();
}

#[test]
fn the_same_client_token_and_request_give_the_same_task() {
    let engine = engine_at(None);
    create(&engine, "t", TableSpec::default());
    let with_token = |table: &str| CreateBatchLoadTaskInput {
        client_token: Some("token-1".into()),
        ..input(table)
    };
    let first = engine
        .create_batch_load_task(&scope(), with_token("t"))
        .unwrap();
    let again = engine
        .create_batch_load_task(&scope(), with_token("t"))
        .unwrap();
    assert_eq!(first, again);
    let mut changed = with_token("t");
    changed.record_version = Some(9);
    let other = engine.create_batch_load_task(&scope(), changed).unwrap();
    assert_ne!(first, other);
    let (tasks, _) = engine
        .list_batch_load_tasks(&scope(), None, None, None)
        .unwrap();
    assert_eq!(tasks.len(), 2);
}

#[test]
fn only_a_stopped_task_within_its_resumable_time_can_be_resumed() {
    let engine = engine_at(None);
    create(&engine, "t", TableSpec::default());
    let id = engine.create_batch_load_task(&scope(), input("t")).unwrap();
    let e = engine.resume_batch_load_task(&scope(), &id).unwrap_err();
    assert_eq!(e.to_aws().code, ErrorCode::ValidationException);
    assert!(e.to_string().contains("its status is CREATED"), "{e}");
    let e = engine
        .resume_batch_load_task(&scope(), "NOSUCHTASK")
        .unwrap_err();
    assert_eq!(e.to_aws().code, ErrorCode::ResourceNotFoundException);

    engine.start_batch_load_task(&id).unwrap().unwrap();
    assert_eq!(status(&engine, &id), BatchLoadStatus::InProgress);
    assert!(engine
        .finish_batch_load_task(&id, BatchLoadStatus::ProgressStopped, Some("throttled"))
        .unwrap());
    let d = engine.describe_batch_load_task(&scope(), &id).unwrap();
    assert_eq!(d.task_status, BatchLoadStatus::ProgressStopped);
    assert_eq!(d.error_message.as_deref(), Some("throttled"));
    assert_eq!(d.resumable_until, Some(from_nanos(NOW + RESUMABLE_FOR_NS)));

    engine.resume_batch_load_task(&scope(), &id).unwrap();
    let d = engine.describe_batch_load_task(&scope(), &id).unwrap();
    assert_eq!(d.task_status, BatchLoadStatus::PendingResume);
    assert_eq!(d.error_message, None);
    let again = engine.resume_batch_load_task(&scope(), &id).unwrap_err();
    assert!(again.to_string().contains("PENDING_RESUME"), "{again}");
    let runnable: Vec<String> = engine
        .runnable_batch_load_tasks()
        .unwrap()
        .into_iter()
        .map(|t| t.task_id)
        .collect();
    assert_eq!(runnable, std::slice::from_ref(&id));

    // Stopped again, then resumed too late.
    engine.start_batch_load_task(&id).unwrap().unwrap();
    engine
        .finish_batch_load_task(&id, BatchLoadStatus::ProgressStopped, Some("again"))
        .unwrap();
    engine.clock().advance_ns(RESUMABLE_FOR_NS + 1);
    let late = engine.resume_batch_load_task(&scope(), &id).unwrap_err();
    assert_eq!(late.to_aws().code, ErrorCode::ValidationException);
    assert!(late.to_string().contains("resumable until"), "{late}");

    // A finished task can neither start nor be resumed.
    let done = engine.create_batch_load_task(&scope(), input("t")).unwrap();
    engine.start_batch_load_task(&done).unwrap().unwrap();
    engine
        .finish_batch_load_task(&done, BatchLoadStatus::Failed, Some("bad rows"))
        .unwrap();
    assert!(engine.start_batch_load_task(&done).unwrap().is_none());
    assert!(engine.resume_batch_load_task(&scope(), &done).is_err());
    assert!(!engine
        .finish_batch_load_task(&done, BatchLoadStatus::Succeeded, None)
        .unwrap());
    assert_eq!(status(&engine, &done), BatchLoadStatus::Failed);
}

#[test]
fn progress_is_recorded_only_while_in_progress_and_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_at(Some(dir.path()));
    create(&engine, "t", TableSpec::default());
    let id = engine.create_batch_load_task(&scope(), input("t")).unwrap();
    let delta = BatchLoadProgressReport {
        records_processed: 10,
        records_ingested: 8,
        parse_failures: 1,
        record_ingestion_failures: 1,
        file_failures: 0,
        bytes_metered: 300,
    };
    let position = BatchLoadPosition {
        file_key: Some("in/a.csv".into()),
        rows: 10,
    };
    let errors = vec![
        BatchLoadRowError {
            file: "in/a.csv".into(),
            line: 4,
            reason: "bad".into(),
        },
        BatchLoadRowError {
            file: "in/a.csv".into(),
            line: 7,
            reason: "rejected".into(),
        },
    ];
    // Not started: nothing is recorded.
    assert!(!engine
        .record_batch_load_progress(&id, &position, &delta, &errors)
        .unwrap());
    engine.start_batch_load_task(&id).unwrap().unwrap();
    assert!(engine
        .record_batch_load_progress(&id, &position, &delta, &errors)
        .unwrap());
    let next = BatchLoadPosition {
        file_key: Some("in/b.csv".into()),
        rows: 2,
    };
    assert!(engine
        .record_batch_load_progress(&id, &next, &delta, &errors[..1])
        .unwrap());
    drop(engine);

    let engine = engine_at(Some(dir.path()));
    let t = engine.batch_load_task(&id).unwrap();
    assert_eq!(t.status, BatchLoadStatus::InProgress);
    assert_eq!(t.position, next);
    assert_eq!(t.progress.records_processed, 20);
    assert_eq!(t.progress.records_ingested, 16);
    assert_eq!(t.progress.bytes_metered, 600);
    assert_eq!(engine.batch_load_task_errors(&id).unwrap().len(), 3);
    // An IN_PROGRESS task is runnable again after the restart.
    assert_eq!(engine.runnable_batch_load_tasks().unwrap().len(), 1);

    // Stopped from outside: the runner's next progress is refused.
    assert!(engine
        .stop_batch_load_task(&id, "stopped by the admin API")
        .unwrap());
    assert!(!engine
        .record_batch_load_progress(&id, &next, &delta, &[])
        .unwrap());
    assert_eq!(
        engine
            .batch_load_task(&id)
            .unwrap()
            .progress
            .records_processed,
        20
    );
}

#[test]
fn list_filters_by_status_and_pages_newest_first() {
    let engine = engine_at(None);
    create(&engine, "t", TableSpec::default());
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(engine.create_batch_load_task(&scope(), input("t")).unwrap());
        engine.clock().advance_ns(1_000_000_000);
    }
    for id in &ids[..3] {
        engine.start_batch_load_task(id).unwrap();
        engine
            .finish_batch_load_task(id, BatchLoadStatus::Succeeded, None)
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let (page, next) = engine
            .list_batch_load_tasks(
                &scope(),
                Some(BatchLoadStatus::Succeeded),
                Some(2),
                token.as_deref(),
            )
            .unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.into_iter().map(|t| {
            assert_eq!(t.task_status, BatchLoadStatus::Succeeded);
            t.task_id
        }));
        match next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let expected: Vec<String> = ids[..3].iter().rev().cloned().collect();
    assert_eq!(seen, expected);
    let (created, next) = engine
        .list_batch_load_tasks(&scope(), Some(BatchLoadStatus::Created), None, None)
        .unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(next, None);
    let bad = engine
        .list_batch_load_tasks(&scope(), None, None, Some("garbage"))
        .unwrap_err();
    assert_eq!(bad.to_aws().code, ErrorCode::ValidationException);
}
