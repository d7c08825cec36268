//! What scheduled queries need of the query engine (wire-protocol.md §5.6): the checks
//! CreateScheduledQuery makes, and one run — the query with `@scheduled_runtime` bound to the
//! invocation time, its rows made into records by the target configuration ([`target`]) and
//! written through the ordinary WriteRecords path, so the target table's rules and rejections
//! apply. The scheduler (server) decides when to run, records the run and writes the report.
//!
//! Failures follow the developer guide ("Scheduled query error reports"): a run whose query no
//! longer analyses, or whose target table is gone, is *non-recoverable* (AWS disables the query
//! and writes no report); a query that fails while running, rows that cannot be made into
//! records and records the target rejects are *recoverable* and reported.
//!
//! Each run writes its records with a version above every earlier run's (the time of the run
//! in milliseconds, kept increasing), so a later run's result replaces an earlier one's for the
//! same record — a re-run or an overlapping window updates the derived table instead of being
//! rejected as a conflicting duplicate (our choice; AWS does not document the version it uses).

mod target;

use std::sync::atomic::Ordering;
use std::time::Instant;

use datafusion::arrow::datatypes::DataType;
use engine::Scope;
use protocol::operations::create_scheduled_query::CreateScheduledQueryInput;
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::{
    ErrorReportDimension, ErrorReportEntry, ErrorReportMeasure, ErrorReportRecord, ExecutionStats,
    Record, ScheduledQueryInsightsResponse,
};

use crate::{Error, QueryService};
pub use target::Target;

/// Records per WriteRecords request, as AWS's API caps it.
const WRITE_BATCH: usize = 100;

/// The outcome of one run, before the scheduler records it.
#[derive(Debug, Clone, Default)]
pub struct ScheduledRun {
    pub stats: ExecutionStats,
    pub insights: Option<ScheduledQueryInsightsResponse>,
    /// Why the run failed, if it did (the run summary's `FailureReason`).
    pub failure: Option<String>,
    /// The failure is non-recoverable: the query should be disabled, no report written.
    pub non_recoverable: bool,
    /// The error report's entries (recoverable failures).
    pub errors: Vec<ErrorReportEntry>,
}

impl QueryService {
    /// CreateScheduledQuery's checks that need the query engine: the query analyses as
    /// PrepareQuery would (`@scheduled_runtime` bound to now), and with a target configuration
    /// the target table exists and the mapping names result columns of fitting types.
    pub async fn check_scheduled_query(
        &self,
        scope: &Scope,
        input: &CreateScheduledQueryInput,
    ) -> Result<(), Error> {
        let now = self.engine.clock().now_ns();
        let (names, types) = self.result_columns(scope, &input.query_string, now).await?;
        if let Some(target) = &input.target_configuration {
            let t = &target.timestream_configuration;
            if self
                .engine
                .describe_table(scope, &t.database_name, &t.table_name)
                .is_err()
            {
                return Err(Error::Validation(format!(
                    "The target table {}.{} does not exist.",
                    t.database_name, t.table_name
                )));
            }
            Target::bind(t, &names, &types).map_err(Error::Validation)?;
        }
        Ok(())
    }

    /// Runs `definition` once "as if" at `invocation_ns`, writing its rows to the target table.
    pub async fn run_scheduled_query(
        &self,
        scope: &Scope,
        definition: &CreateScheduledQueryInput,
        invocation_ns: i64,
        insights: bool,
    ) -> ScheduledRun {
        let started = Instant::now();
        let mut run = ScheduledRun::default();
        let query = &definition.query_string;
        let timeout = self.limits.timeout;
        let executed =
            tokio::time::timeout(timeout, self.execute(scope, query, Some(invocation_ns)))
                .await
                .unwrap_or(Err(Error::Timeout(timeout.as_secs())));
        // A scheduled query writes a table; an UNLOAD writes S3 (and answers no rows to map).
        let executed = executed.and_then(|e| match e.unload {
            Some(_) => Err(Error::Validation(
                "UNLOAD cannot be used in a scheduled query".into(),
            )),
            None => Ok(e),
        });
        let executed = match executed {
            Ok(executed) => executed,
            Err(e) => {
                let reason = e.to_string();
                run.non_recoverable = matches!(
                    e,
                    Error::Validation(_)
                        | Error::Engine(
                            engine::Error::TableNotFound { .. }
                                | engine::Error::DatabaseNotFound(_)
                        )
                );
                if !run.non_recoverable {
                    run.errors.push(ErrorReportEntry::General {
                        reason: reason.clone(),
                    });
                }
                run.failure = Some(reason);
                run.stats.execution_time_in_millis = millis(started);
                return run;
            }
        };
        run.stats.query_result_rows = executed.batches.iter().map(|b| b.num_rows() as i64).sum();
        run.stats.cumulative_bytes_scanned = executed.bytes_scanned();
        run.stats.bytes_metered = executed.bytes_metered();
        if insights {
            let i = self.insights(scope, &executed.scans, &executed.batches, executed.start_ns);
            run.insights = Some(ScheduledQueryInsightsResponse {
                query_spatial_coverage: i.query_spatial_coverage,
                query_temporal_range: i.query_temporal_range,
                query_table_count: i.query_table_count,
                output_rows: i.output_rows,
                output_bytes: i.output_bytes,
            });
        }
        if let Some(config) = &definition.target_configuration {
            let config = &config.timestream_configuration;
            let types: Vec<DataType> = executed
                .schema
                .fields()
                .iter()
                .map(|f| f.data_type().clone())
                .collect();
            match Target::bind(config, &executed.names, &types) {
                Ok(target) => {
                    let version = self.next_write_version();
                    let mut records = Vec::new();
                    for batch in &executed.batches {
                        for row in 0..batch.num_rows() {
                            match target.records(batch.columns(), row, version) {
                                Ok(r) => records.extend(r),
                                Err(reason) => run.errors.push(ErrorReportEntry::DataParsing {
                                    reason,
                                    raw_line: raw_line(&executed.names, batch.columns(), row),
                                }),
                            }
                        }
                    }
                    self.write_target(
                        scope,
                        &config.database_name,
                        &config.table_name,
                        records,
                        &mut run,
                    )
                    .await;
                }
                Err(reason) => {
                    run.non_recoverable = true;
                    run.failure = Some(reason);
                }
            }
        }
        if run.failure.is_none() && !run.errors.is_empty() {
            let rows = run.errors.len();
            run.failure = Some(format!(
                "{rows} error{} occurred while ingesting the query results into the target table; \
                 see the error report.",
                if rows == 1 { "" } else { "s" }
            ));
        }
        run.stats.execution_time_in_millis = millis(started);
        run
    }

    /// The names and types of the result columns of `query` analysed as a run at `at_ns`.
    async fn result_columns(
        &self,
        scope: &Scope,
        query: &str,
        at_ns: i64,
    ) -> Result<(Vec<String>, Vec<DataType>), Error> {
        let planned = self.plan(scope, query, Some(at_ns)).await?;
        let types = planned
            .plan
            .schema()
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        Ok((planned.names(), types))
    }

    /// Writes `records` in WriteRecords-sized batches, counting what was ingested and
    /// reporting what was rejected (grouped by reason, in first-seen order).
    async fn write_target(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
        records: Vec<Record>,
        run: &mut ScheduledRun,
    ) {
        let mut rejected: Vec<(String, Vec<ErrorReportRecord>)> = Vec::new();
        let mut reject = |reason: String, record: &Record| {
            let entry = report_record(record);
            match rejected.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, records)) => records.push(entry),
                None => rejected.push((reason, vec![entry])),
            }
        };
        for chunk in records.chunks(WRITE_BATCH) {
            let input = WriteRecordsInput {
                database_name: database.to_owned(),
                table_name: table.to_owned(),
                common_attributes: None,
                records: chunk.to_vec(),
            };
            match self.engine.write_records_partially(scope, input).await {
                Ok(outcome) => {
                    run.stats.records_ingested += i64::from(outcome.ingested.total);
                    let mut refused = vec![false; chunk.len()];
                    for r in outcome.rejected {
                        let i = usize::try_from(r.record_index).unwrap_or(usize::MAX);
                        if let Some(record) = chunk.get(i) {
                            refused[i] = true;
                            reject(r.reason, record);
                        }
                    }
                    run.stats.data_writes += chunk
                        .iter()
                        .zip(refused)
                        .filter(|(_, refused)| !refused)
                        .map(|(r, _)| record_bytes(r))
                        .sum::<i64>();
                }
                Err(
                    e @ (engine::Error::TableNotFound { .. } | engine::Error::DatabaseNotFound(_)),
                ) => {
                    run.non_recoverable = true;
                    run.failure = Some(e.to_string());
                    return;
                }
                // A request-level refusal (e.g. the same dimension twice) refuses each record.
                Err(engine::Error::InvalidWrite(reason)) => {
                    for record in chunk {
                        reject(reason.clone(), record);
                    }
                }
                Err(e) => {
                    run.errors.push(ErrorReportEntry::General {
                        reason: e.to_string(),
                    });
                }
            }
        }
        run.errors.extend(
            rejected
                .into_iter()
                .map(|(reason, records)| ErrorReportEntry::RecordsIngestion { reason, records }),
        );
    }

    /// A version above every earlier run's: the engine clock in milliseconds, kept increasing.
    fn next_write_version(&self) -> i64 {
        let now_ms = self.engine.clock().now_ns().div_euclid(1_000_000).max(1);
        let previous = self
            .scheduled_version
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |last| {
                Some(now_ms.max(last + 1))
            })
            .unwrap_or(0);
        now_ms.max(previous + 1)
    }
}

fn millis(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// A result row as `name=value, …` for a data parsing error.
fn raw_line(
    names: &[String],
    columns: &[datafusion::arrow::array::ArrayRef],
    row: usize,
) -> String {
    names
        .iter()
        .zip(columns)
        .map(|(name, column)| {
            let value = match crate::encode::datum(column.as_ref(), row) {
                protocol::operations::query::Datum::ScalarValue(s) => s,
                protocol::operations::query::Datum::NullValue(_) => "NULL".to_owned(),
                other => serde_json::to_string(&other).unwrap_or_default(),
            };
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn report_record(r: &Record) -> ErrorReportRecord {
    let multi = r.measure_values.as_ref();
    ErrorReportRecord {
        dimensions: r
            .dimensions
            .iter()
            .map(|d| ErrorReportDimension {
                name: d.name.clone(),
                value: d.value.clone(),
                dimension_value_type: "VARCHAR".into(),
            })
            .collect(),
        measure_name: multi.is_none().then(|| r.measure_name.clone()).flatten(),
        measure_value: r.measure_value.clone(),
        measure_value_type: r.measure_value_type,
        multi_measure_name: multi.and(r.measure_name.clone()),
        multi_measure_attributes: multi
            .map(|values| {
                values
                    .iter()
                    .map(|v| ErrorReportMeasure {
                        name: v.name.clone(),
                        value: v.value.clone(),
                        r#type: v.r#type,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        time: r.time.clone().unwrap_or_default(),
        time_unit: "NANOSECONDS".into(),
    }
}

/// A record's size as DataWrites counts it: its dimensions, names, values and 8 bytes of time.
fn record_bytes(r: &Record) -> i64 {
    let dims: usize = r
        .dimensions
        .iter()
        .map(|d| d.name.len() + d.value.len())
        .sum();
    let values: usize = r.measure_value.as_ref().map_or(0, String::len)
        + r.measure_values
            .as_ref()
            .map_or(0, |v| v.iter().map(|m| m.name.len() + m.value.len()).sum());
    (dims + values + r.measure_name.as_ref().map_or(0, String::len) + 8) as i64
}
