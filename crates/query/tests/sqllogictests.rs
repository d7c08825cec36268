//! Runs the `.slt` files of `tests/slt/` against the query crate in process: a fresh in-memory
//! engine per file, clock frozen at 2026-01-01 00:00:00 UTC. Rows are rendered from AWS's
//! `Datum` encoding, column types are checked against `ColumnInfo`, errors read
//! `<ErrorType>: <message>` exactly as a client would see them.
//!
//! `cargo test -p timestream-local-query --test sqllogictests [-- <file filter>] [--complete]`
//! (`--complete` rewrites the expected output of the selected files from what we answer now).
//!
//! Timestream SQL has no DDL or INSERT, so the driver understands three harness statements:
//! - `CREATE TABLE db.t [<CreateTable JSON members>]`: creates the database if needed and the
//!   table; retention defaults to the maximum (8766 h memory, 73000 d magnetic) so that records
//!   of any test time are accepted.
//! - `WRITE db.t <JSON>`: a WriteRecords request; the JSON is its `Records` array, or an object
//!   with `Records` and `CommonAttributes`. Any rejection fails the statement.
//! - `SET CLOCK '<RFC 3339 instant>'`: freezes the engine clock there (tiering runs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

extern crate timestream_local_query as query;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use engine::{Clock, Engine, Scope};
use protocol::operations::create_database::CreateDatabaseInput;
use protocol::operations::create_table::CreateTableInput;
use protocol::operations::query::{Datum, QueryInput, ScalarType, Type};
use protocol::operations::write_records::WriteRecordsInput;
use protocol::AwsError;
use query::QueryService;
use serde_json::{json, Value};
use sqllogictest::{strict_column_validator, AsyncDB, ColumnType, DBOutput, Runner};

/// 2026-01-01T00:00:00Z, the clock of every file until it says otherwise.
const START_NS: i64 = 1_767_225_600_000_000_000;

/// Column types by letter, one per Timestream type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TsType {
    Varchar,
    Integer,
    Bigint,
    Double,
    Boolean,
    Timestamp,
    Date,
    Time,
    IntervalDayToSecond,
    IntervalYearToMonth,
    Array,
    Row,
    TimeSeries,
    Unknown,
}

const LETTERS: [(char, TsType); 14] = [
    ('T', TsType::Varchar),
    ('I', TsType::Integer),
    ('L', TsType::Bigint),
    ('R', TsType::Double),
    ('B', TsType::Boolean),
    ('P', TsType::Timestamp),
    ('D', TsType::Date),
    ('C', TsType::Time),
    ('N', TsType::IntervalDayToSecond),
    ('Y', TsType::IntervalYearToMonth),
    ('A', TsType::Array),
    ('W', TsType::Row),
    ('S', TsType::TimeSeries),
    ('U', TsType::Unknown),
];

impl ColumnType for TsType {
    fn from_char(value: char) -> Option<Self> {
        LETTERS
            .iter()
            .find(|(c, _)| *c == value)
            .map(|(_, t)| t.clone())
    }

    fn to_char(&self) -> char {
        LETTERS
            .iter()
            .find(|(_, t)| t == self)
            .map_or('?', |(c, _)| *c)
    }
}

impl From<&Type> for TsType {
    fn from(t: &Type) -> Self {
        match t {
            Type::ScalarType(s) => match s {
                ScalarType::Varchar => Self::Varchar,
                ScalarType::Integer => Self::Integer,
                ScalarType::Bigint => Self::Bigint,
                ScalarType::Double => Self::Double,
                ScalarType::Boolean => Self::Boolean,
                ScalarType::Timestamp => Self::Timestamp,
                ScalarType::Date => Self::Date,
                ScalarType::Time => Self::Time,
                ScalarType::IntervalDayToSecond => Self::IntervalDayToSecond,
                ScalarType::IntervalYearToMonth => Self::IntervalYearToMonth,
                ScalarType::Unknown => Self::Unknown,
            },
            Type::ArrayColumnInfo(_) => Self::Array,
            Type::RowColumnInfo(_) => Self::Row,
            Type::TimeSeriesMeasureValueColumnInfo(_) => Self::TimeSeries,
        }
    }
}

/// An error as a client sees it: the AWS error type, then the message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct DriverError(String);

impl From<AwsError> for DriverError {
    fn from(e: AwsError) -> Self {
        Self(format!("{}: {}", e.code.name(), e.message))
    }
}

impl From<engine::Error> for DriverError {
    fn from(e: engine::Error) -> Self {
        e.to_aws().into()
    }
}

impl From<query::Error> for DriverError {
    fn from(e: query::Error) -> Self {
        e.to_aws().into()
    }
}

fn harness_error(message: impl std::fmt::Display) -> DriverError {
    DriverError(format!("harness: {message}"))
}

struct Driver {
    engine: Arc<Engine>,
    service: QueryService,
    scope: Scope,
}

impl Driver {
    fn new() -> Result<Self, DriverError> {
        let clock = Clock::default();
        clock.freeze_at_ns(START_NS);
        let engine = Arc::new(Engine::open(None, clock)?);
        Ok(Self {
            service: QueryService::new(engine.clone()),
            engine,
            scope: Scope::new("123456789012", "us-east-1"),
        })
    }

    /// The harness statements; `None` when `sql` is a query.
    async fn harness(&self, sql: &str) -> Option<Result<(), DriverError>> {
        let (verb, rest) = split_word(sql);
        Some(match verb.to_ascii_uppercase().as_str() {
            "CREATE" => {
                let (noun, rest) = split_word(rest);
                if !noun.eq_ignore_ascii_case("TABLE") {
                    return None;
                }
                self.create_table(rest)
            }
            "WRITE" => self.write(rest).await,
            "SET" => {
                let (noun, rest) = split_word(rest);
                if !noun.eq_ignore_ascii_case("CLOCK") {
                    return None;
                }
                self.set_clock(rest)
            }
            _ => return None,
        })
    }

    fn create_table(&self, rest: &str) -> Result<(), DriverError> {
        let (name, members) = split_word(rest);
        let (database, table) = table_name(name)?;
        let mut body = json!({
            "DatabaseName": database,
            "TableName": table,
            "RetentionProperties": {
                "MemoryStoreRetentionPeriodInHours": 8766,
                "MagneticStoreRetentionPeriodInDays": 73000,
            },
        });
        merge(&mut body, members)?;
        if self
            .engine
            .describe_database(&self.scope, database)
            .is_err()
        {
            self.engine.create_database(
                &self.scope,
                CreateDatabaseInput {
                    database_name: database.into(),
                    kms_key_id: None,
                    tags: vec![],
                },
            )?;
        }
        let input: CreateTableInput = serde_json::from_value(body).map_err(harness_error)?;
        self.engine.create_table(&self.scope, input)?;
        Ok(())
    }

    async fn write(&self, rest: &str) -> Result<(), DriverError> {
        let (name, records) = split_word(rest);
        let (database, table) = table_name(name)?;
        let mut body = json!({ "DatabaseName": database, "TableName": table });
        let records: Value = serde_json::from_str(records).map_err(harness_error)?;
        match records {
            Value::Array(_) => body["Records"] = records,
            other => merge(&mut body, &other.to_string())?,
        }
        let input: WriteRecordsInput = serde_json::from_value(body).map_err(harness_error)?;
        self.engine.write_records(&self.scope, input).await?;
        Ok(())
    }

    fn set_clock(&self, rest: &str) -> Result<(), DriverError> {
        let at = rest.trim().trim_matches('\'');
        let at = chrono::DateTime::parse_from_rfc3339(at).map_err(harness_error)?;
        let ns = at
            .timestamp_nanos_opt()
            .ok_or_else(|| harness_error("instant out of range"))?;
        self.engine.clock().freeze_at_ns(ns);
        self.engine.run_maintenance()?;
        Ok(())
    }
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (&s[..end], &s[end..])
}

fn table_name(name: &str) -> Result<(&str, &str), DriverError> {
    name.split_once('.')
        .ok_or_else(|| harness_error(format!("expected database.table, found {name:?}")))
}

/// Merges the members of the JSON object `members` (if any) into `body`.
fn merge(body: &mut Value, members: &str) -> Result<(), DriverError> {
    if members.trim().is_empty() {
        return Ok(());
    }
    let Value::Object(members) = serde_json::from_str(members).map_err(harness_error)? else {
        return Err(harness_error("expected a JSON object"));
    };
    for (k, v) in members {
        body[k] = v;
    }
    Ok(())
}

/// A value as the `.slt` files spell it: scalars as AWS sends them, `NULL`, `[a, b]` for arrays,
/// `{a, b}` for rows, `(empty)` for the empty string.
fn render(datum: &Datum) -> String {
    match datum {
        Datum::ScalarValue(s) if s.is_empty() => "(empty)".into(),
        Datum::ScalarValue(s) => s.clone(),
        Datum::NullValue(_) => "NULL".into(),
        Datum::ArrayValue(items) => {
            format!(
                "[{}]",
                items.iter().map(render).collect::<Vec<_>>().join(", ")
            )
        }
        Datum::RowValue(row) => format!(
            "{{{}}}",
            row.data.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        Datum::TimeSeriesValue(points) => format!(
            "[{}]",
            points
                .iter()
                .map(|p| format!("({}, {})", p.time, render(&p.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[async_trait]
impl AsyncDB for Driver {
    type Error = DriverError;
    type ColumnType = TsType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<TsType>, DriverError> {
        if let Some(done) = self.harness(sql).await {
            return done.map(|()| DBOutput::StatementComplete(0));
        }
        let mut input = QueryInput {
            query_string: sql.to_owned(),
            ..Default::default()
        };
        let mut types = None;
        let mut rows = Vec::new();
        loop {
            let page = self.service.query(&self.scope, input.clone()).await?;
            types.get_or_insert_with(|| {
                page.column_info
                    .iter()
                    .map(|c| TsType::from(&c.r#type))
                    .collect()
            });
            rows.extend(
                page.rows
                    .iter()
                    .map(|r| r.data.iter().map(render).collect::<Vec<_>>()),
            );
            match page.next_token {
                Some(token) => input.next_token = Some(token),
                None => break,
            }
        }
        Ok(DBOutput::Rows {
            types: types.unwrap_or_default(),
            rows,
        })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "timestream-local"
    }

    async fn sleep(dur: std::time::Duration) {
        tokio::time::sleep(dur).await;
    }
}

fn slt_files(filter: Option<&str>) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .filter(|p| filter.is_none_or(|f| p.to_string_lossy().contains(f)))
        .collect();
    files.sort();
    files
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let complete = args.iter().any(|a| a == "--complete");
    // libtest flags that cargo passes through are not file filters.
    let filter = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    let mut failures = 0;
    let files = slt_files(filter);
    for file in &files {
        let mut runner = Runner::new(|| async { Driver::new() });
        runner.with_column_validator(strict_column_validator);
        let name = file.file_name().unwrap().to_string_lossy();
        if complete {
            runner
                .update_test_file(
                    file,
                    " ",
                    sqllogictest::default_validator,
                    sqllogictest::default_normalizer,
                    strict_column_validator,
                )
                .await
                .unwrap();
            println!("completed {name}");
        } else {
            // Every record runs, so that one failure does not hide the next.
            let records = sqllogictest::parse_file(file).unwrap();
            let mut failed = 0;
            for record in records {
                if let Err(e) = runner.run_async(record).await {
                    failed += 1;
                    println!("FAILED {}\n", e.display(true));
                }
            }
            println!("{} {name}", if failed == 0 { "ok" } else { "FAILED" });
            failures += failed;
        }
    }
    println!("{} files, {failures} failed cases", files.len());
    if failures > 0 {
        std::process::exit(1);
    }
}
