use std::sync::Arc;

use engine::{Clock, Engine, Scope};
use protocol::operations::create_database::CreateDatabaseInput;
use protocol::operations::create_table::CreateTableInput;
use protocol::operations::query::{Datum, QueryInput, QueryOutput, ScalarType, Type};
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::{Dimension, MeasureValue, MeasureValueType, Record, RetentionProperties};
use query::QueryService;

/// 2026-01-01T00:00:00Z.
const NOW_MS: i64 = 1_767_225_600_000;

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

fn dims(host: &str) -> Vec<Dimension> {
    ["hostname", "region", "service"]
        .iter()
        .zip([host, "us-east-1", "api"])
        .map(|(n, v)| Dimension {
            name: (*n).into(),
            value: v.into(),
            dimension_value_type: None,
        })
        .collect()
}

fn record(host: &str, measure: &str, value: &str, t: MeasureValueType, time_ms: i64) -> Record {
    Record {
        dimensions: dims(host),
        measure_name: Some(measure.into()),
        measure_value: Some(value.into()),
        measure_value_type: Some(t),
        time: Some(time_ms.to_string()),
        ..Default::default()
    }
}

/// The walkthrough's database and table, with cpu samples of two hosts every minute for the
/// last 20 minutes (web-server-02 above 90 in the last 5), plus the multi-measure record.
async fn setup() -> (Arc<Engine>, QueryService) {
    let clock = Clock::default();
    clock.freeze_at_ns(NOW_MS * 1_000_000);
    let engine = Arc::new(Engine::open(None, clock).unwrap());
    engine
        .create_database(
            &scope(),
            CreateDatabaseInput {
                database_name: "monitoring".into(),
                kms_key_id: None,
                tags: vec![],
            },
        )
        .unwrap();
    engine
        .create_table(
            &scope(),
            CreateTableInput {
                database_name: "monitoring".into(),
                table_name: "server_metrics".into(),
                retention_properties: Some(RetentionProperties {
                    memory_store_retention_period_in_hours: 24,
                    magnetic_store_retention_period_in_days: 365,
                }),
                tags: vec![],
                magnetic_store_write_properties: None,
                schema: None,
            },
        )
        .unwrap();
    let mut records = Vec::new();
    for minute in 0..20 {
        let t = NOW_MS - minute * 60_000;
        records.push(record(
            "web-server-01",
            "cpu_usage",
            &format!("{}.5", 50 + minute),
            MeasureValueType::Double,
            t,
        ));
        let hot = if minute < 5 { 95 } else { 40 };
        records.push(record(
            "web-server-02",
            "cpu_usage",
            &format!("{hot}.0"),
            MeasureValueType::Double,
            t,
        ));
    }
    records.push(record(
        "web-server-01",
        "memory_usage_mb",
        "3421",
        MeasureValueType::Bigint,
        NOW_MS,
    ));
    records.push(Record {
        dimensions: dims("web-server-01"),
        measure_name: Some("server_health".into()),
        measure_value_type: Some(MeasureValueType::Multi),
        measure_values: Some(vec![
            MeasureValue {
                name: "cpu_usage".into(),
                value: "72.5".into(),
                r#type: MeasureValueType::Double,
            },
            MeasureValue {
                name: "memory_usage_mb".into(),
                value: "3421".into(),
                r#type: MeasureValueType::Bigint,
            },
        ]),
        time: Some(NOW_MS.to_string()),
        ..Default::default()
    });
    for chunk in records.chunks(100) {
        engine
            .write_records(
                &scope(),
                WriteRecordsInput {
                    database_name: "monitoring".into(),
                    table_name: "server_metrics".into(),
                    common_attributes: None,
                    records: chunk.to_vec(),
                },
            )
            .await
            .unwrap();
    }
    let service = QueryService::new(engine.clone());
    (engine, service)
}

async fn run(service: &QueryService, sql: &str) -> QueryOutput {
    service
        .query(
            &scope(),
            QueryInput {
                query_string: sql.into(),
                client_token: None,
                next_token: None,
                max_rows: None,
                query_insights: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn scalars(out: &QueryOutput) -> Vec<Vec<String>> {
    out.rows
        .iter()
        .map(|r| {
            r.data
                .iter()
                .map(|d| match d {
                    Datum::ScalarValue(s) => s.clone(),
                    Datum::NullValue(_) => "NULL".into(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

fn names(out: &QueryOutput) -> Vec<String> {
    out.column_info
        .iter()
        .map(|c| c.name.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn latest_cpu_per_server() {
    let (_, s) = setup().await;
    let out = run(
        &s,
        "SELECT hostname, measure_value::double AS cpu_usage, time
         FROM monitoring.server_metrics
         WHERE measure_name = 'cpu_usage' AND time > ago(1h)
         ORDER BY time DESC",
    )
    .await;
    assert_eq!(names(&out), ["hostname", "cpu_usage", "time"]);
    assert_eq!(
        out.column_info[2].r#type,
        Type::ScalarType(ScalarType::Timestamp)
    );
    assert_eq!(out.rows.len(), 40);
    let first = &scalars(&out)[0];
    assert_eq!(first[2], "2026-01-01 00:00:00.000000000");
}

#[tokio::test]
async fn five_minute_buckets() {
    let (_, s) = setup().await;
    let out = run(
        &s,
        "SELECT hostname,
               bin(time, 5m) AS five_min_bucket,
               AVG(measure_value::double) AS avg_cpu,
               MAX(measure_value::double) AS max_cpu
         FROM monitoring.server_metrics
         WHERE measure_name = 'cpu_usage' AND time > ago(1h)
         GROUP BY hostname, bin(time, 5m)
         ORDER BY five_min_bucket DESC, hostname",
    )
    .await;
    let rows = scalars(&out);
    // Minute 0 is alone in the bucket starting at NOW; minutes 1-5 fall in NOW-5m.
    assert_eq!(
        rows[0],
        [
            "web-server-01",
            "2026-01-01 00:00:00.000000000",
            "50.5",
            "50.5"
        ]
    );
    assert_eq!(
        rows[2],
        [
            "web-server-01",
            "2025-12-31 23:55:00.000000000",
            "53.5",
            "55.5"
        ]
    );
    assert_eq!(
        rows[3][2], "84.0",
        "web-server-02: four minutes at 95 and one at 40"
    );
}

#[tokio::test]
async fn hot_servers_in_the_last_fifteen_minutes() {
    let (_, s) = setup().await;
    let out = run(
        &s,
        "SELECT DISTINCT hostname FROM monitoring.server_metrics
         WHERE measure_name = 'cpu_usage' AND measure_value::double > 90.0 AND time > ago(15m)",
    )
    .await;
    assert_eq!(scalars(&out), [["web-server-02"]]);
}

#[tokio::test]
async fn change_from_previous_with_lag() {
    let (_, s) = setup().await;
    let out = run(
        &s,
        "SELECT hostname, time, measure_value::double AS current_value,
                measure_value::double - LAG(measure_value::double) OVER (PARTITION BY hostname ORDER BY time) AS change_from_previous
         FROM monitoring.server_metrics
         WHERE measure_name = 'cpu_usage' AND time > ago(1h)
         ORDER BY hostname, time",
    )
    .await;
    let rows = scalars(&out);
    assert_eq!(rows[0][3], "NULL");
    assert_eq!(rows[1][3], "-1.0");
}

#[tokio::test]
async fn select_star_follows_aws_column_order_and_nulls() {
    let (_, s) = setup().await;
    let out = run(
        &s,
        "SELECT * FROM monitoring.server_metrics WHERE measure_name = 'server_health'",
    )
    .await;
    assert_eq!(
        names(&out),
        [
            "hostname",
            "region",
            "service",
            "measure_name",
            "time",
            "measure_value::double",
            "measure_value::bigint",
            "cpu_usage",
            "memory_usage_mb"
        ]
    );
    assert_eq!(
        scalars(&out),
        [[
            "web-server-01",
            "us-east-1",
            "api",
            "server_health",
            "2026-01-01 00:00:00.000000000",
            "NULL",
            "NULL",
            "72.5",
            "3421"
        ]]
    );
}

#[tokio::test]
async fn expressions_are_named_by_position() {
    let (_, s) = setup().await;
    let out = run(&s, "SELECT count(*), hostname FROM monitoring.server_metrics GROUP BY hostname ORDER BY hostname").await;
    assert_eq!(names(&out), ["_col0", "hostname"]);
    assert_eq!(
        scalars(&out),
        [["22", "web-server-01"], ["20", "web-server-02"]]
    );
    // Duplicate names are legal (observed ODBC test).
    let out = run(
        &s,
        "SELECT time AS firstTime, time, time, max(time), max(time) FROM monitoring.server_metrics GROUP BY time LIMIT 1",
    )
    .await;
    assert_eq!(names(&out), ["firstTime", "time", "time", "_col3", "_col4"]);
}

#[tokio::test]
async fn pagination_returns_every_row_once() {
    let (_, s) = setup().await;
    let sql =
        "SELECT time FROM monitoring.server_metrics WHERE measure_name = 'cpu_usage' ORDER BY time";
    let mut token = None;
    let mut rows = 0;
    let mut pages = 0;
    loop {
        let out = s
            .query(
                &scope(),
                QueryInput {
                    query_string: sql.into(),
                    client_token: None,
                    next_token: token.clone(),
                    max_rows: Some(15),
                    query_insights: None,
                },
            )
            .await
            .unwrap();
        assert!(out.rows.len() <= 15);
        assert_eq!(out.column_info.len(), 1, "every page carries ColumnInfo");
        rows += out.rows.len();
        pages += 1;
        match out.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!((rows, pages), (40, 3));
    let reused = s
        .query(
            &scope(),
            QueryInput {
                query_string: sql.into(),
                client_token: None,
                next_token: token,
                max_rows: Some(15),
                query_insights: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(reused.to_string(), "Invalid pagination token");
}

#[tokio::test]
async fn errors_in_aws_form() {
    let (_, s) = setup().await;
    let err = |sql: &str| {
        let sql = sql.to_owned();
        let s = &s;
        async move {
            s.query(
                &scope(),
                QueryInput {
                    query_string: sql,
                    client_token: None,
                    next_token: None,
                    max_rows: None,
                    query_insights: None,
                },
            )
            .await
            .unwrap_err()
            .to_aws()
        }
    };
    let e = err("SELECT * FROM \"abc\".\"sampleDB\" LIMIT 10").await;
    assert_eq!(
        e.message,
        "Requested database 'abc' not found for identifier 'abc.sampleDB' at line 1:16"
    );
    let e = err("SELECT vehicleName FROM monitoring.server_metrics").await;
    assert_eq!(e.message, "line 1:8: Column 'vehicleName' does not exist");
    assert_eq!(e.code.name(), "ValidationException");
    let e = err("SELECT 1 / 0").await;
    assert_eq!(e.code.name(), "QueryExecutionException");
}

#[tokio::test]
async fn now_and_ago_follow_the_engine_clock() {
    let (engine, s) = setup().await;
    let out = run(&s, "SELECT now(), ago(1d)").await;
    assert_eq!(
        scalars(&out),
        [[
            "2026-01-01 00:00:00.000000000",
            "2025-12-31 00:00:00.000000000"
        ]]
    );
    engine.clock().advance_ns(3_600_000_000_000);
    assert_eq!(
        scalars(&run(&s, "SELECT now()").await),
        [["2026-01-01 01:00:00.000000000"]]
    );
}
