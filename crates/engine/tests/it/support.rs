use engine::{Clock, Engine, Error, Scope, StoredRecord};
use protocol::operations::create_database::CreateDatabaseInput;
use protocol::operations::create_table::CreateTableInput;
use protocol::operations::write_records::{RecordsIngested, RejectedRecord, WriteRecordsInput};
use protocol::shapes::{
    Dimension, MagneticStoreWriteProperties, MeasureValue, MeasureValueType, Record,
    RetentionProperties, Schema,
};

/// 2026-01-01T00:00:00Z.
pub const NOW_MS: i64 = 1_767_225_600_000;
pub const HOUR_MS: i64 = 3_600_000;

pub fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

pub fn engine_at(data_dir: Option<&std::path::Path>) -> Engine {
    let clock = Clock::default();
    clock.freeze_at_ns(NOW_MS * 1_000_000);
    Engine::open(data_dir, clock).unwrap()
}

pub struct TableSpec {
    pub memory_hours: i64,
    pub magnetic_days: i64,
    pub magnetic_writes: bool,
    pub schema: Option<Schema>,
}

impl Default for TableSpec {
    fn default() -> Self {
        Self {
            memory_hours: 24,
            magnetic_days: 365,
            magnetic_writes: false,
            schema: None,
        }
    }
}

pub fn create(engine: &Engine, table: &str, spec: TableSpec) {
    let _ = engine.create_database(
        &scope(),
        CreateDatabaseInput {
            database_name: "db".into(),
            kms_key_id: None,
            tags: vec![],
        },
    );
    engine
        .create_table(
            &scope(),
            CreateTableInput {
                database_name: "db".into(),
                table_name: table.into(),
                retention_properties: Some(RetentionProperties {
                    memory_store_retention_period_in_hours: spec.memory_hours,
                    magnetic_store_retention_period_in_days: spec.magnetic_days,
                }),
                tags: vec![],
                magnetic_store_write_properties: Some(MagneticStoreWriteProperties {
                    enable_magnetic_store_writes: spec.magnetic_writes,
                    magnetic_store_rejected_data_location: None,
                }),
                schema: spec.schema,
            },
        )
        .unwrap();
}

pub fn dim(name: &str, value: &str) -> Dimension {
    Dimension {
        name: name.into(),
        value: value.into(),
        dimension_value_type: None,
    }
}

pub fn double(host: &str, measure: &str, value: &str, time_ms: i64) -> Record {
    Record {
        dimensions: vec![dim("host", host)],
        measure_name: Some(measure.into()),
        measure_value: Some(value.into()),
        measure_value_type: Some(MeasureValueType::Double),
        time: Some(time_ms.to_string()),
        ..Default::default()
    }
}

pub fn multi(
    host: &str,
    measure: &str,
    attrs: &[(&str, &str, MeasureValueType)],
    time_ms: i64,
) -> Record {
    Record {
        dimensions: vec![dim("host", host)],
        measure_name: Some(measure.into()),
        measure_value_type: Some(MeasureValueType::Multi),
        measure_values: Some(
            attrs
                .iter()
                .map(|(n, v, t)| MeasureValue {
                    name: (*n).into(),
                    value: (*v).into(),
                    r#type: *t,
                })
                .collect(),
        ),
        time: Some(time_ms.to_string()),
        ..Default::default()
    }
}

pub fn input(table: &str, records: Vec<Record>) -> WriteRecordsInput {
    WriteRecordsInput {
        database_name: "db".into(),
        table_name: table.into(),
        common_attributes: None,
        records,
    }
}

pub async fn write(
    engine: &Engine,
    table: &str,
    records: Vec<Record>,
) -> Result<RecordsIngested, Error> {
    engine
        .write_records(&scope(), input(table, records))
        .await
        .map(|o| o.ingested)
}

pub async fn rejected(engine: &Engine, table: &str, records: Vec<Record>) -> Vec<RejectedRecord> {
    match write(engine, table, records).await {
        Err(Error::RejectedRecords(r)) => r,
        other => panic!("expected RejectedRecords, got {other:?}"),
    }
}

pub fn scan(engine: &Engine, table: &str) -> Vec<StoredRecord> {
    engine.scan(&scope(), "db", table).unwrap()
}

pub fn ingested(total: i32, memory: i32, magnetic: i32) -> RecordsIngested {
    RecordsIngested {
        total,
        memory_store: memory,
        magnetic_store: magnetic,
    }
}
