//! A planned query run to completion on the query threads, and what it read.

use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::DataFusionError;
use datafusion::dataframe::DataFrame;
use engine::Scope;
use protocol::operations::query::QueryStatus;

use crate::cursor::Cursor;
use crate::provider::Scan;
use crate::{encode, metadata, unload, Error};

use super::session::{has_lambdas, without_projection_collapse};
use super::QueryService;

/// AWS meters at least 10 MB per data query.
pub(super) const MIN_METERED_BYTES: i64 = 10_000_000;

/// A query run to completion: its result and what it read.
pub(crate) struct Executed {
    pub schema: SchemaRef,
    /// AWS's names of the result columns, in order.
    pub names: Vec<String>,
    pub batches: Vec<RecordBatch>,
    pub scans: Vec<Scan>,
    /// The query's start time (`now()`), nanoseconds.
    pub start_ns: i64,
    /// A metadata statement (SHOW, DESCRIBE): it scans and meters nothing (timestream-sql.md
    /// §7.1).
    pub metadata: bool,
    /// An UNLOAD's target: the rows go there, not into the answer.
    pub unload: Option<unload::Options>,
}

impl Executed {
    pub fn bytes_scanned(&self) -> i64 {
        self.scans.iter().map(|s| s.bytes as i64).sum()
    }

    pub fn bytes_metered(&self) -> i64 {
        if self.metadata {
            0
        } else {
            self.bytes_scanned().max(MIN_METERED_BYTES)
        }
    }
}

impl QueryService {
    /// Runs `query` to completion (a metadata statement or a planned query), `@scheduled_runtime`
    /// bound to `scheduled_runtime` when given.
    pub(crate) async fn execute(
        &self,
        scope: &Scope,
        query: &str,
        scheduled_runtime: Option<i64>,
    ) -> Result<Executed, Error> {
        if let Some(statement) = metadata::parse(query) {
            let batch = metadata::run_blocking(&self.engine, scope, statement?).await?;
            let schema = batch.schema();
            return Ok(Executed {
                names: schema.fields().iter().map(|f| f.name().clone()).collect(),
                schema,
                batches: vec![batch],
                scans: Vec::new(),
                start_ns: self.engine.clock().now_ns(),
                metadata: true,
                unload: None,
            });
        }
        let planned = self.plan(scope, query, scheduled_runtime).await?;
        let names = planned.names();
        let unload = planned.unload;
        let rewritten = planned.rewritten;
        let state = if has_lambdas(&planned.plan) {
            without_projection_collapse(planned.state)
        } else {
            planned.state
        };
        let frame = DataFrame::new(state, planned.plan);
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let started = Instant::now();
        // Partitions concatenated in order, not interleaved as they finish: `SELECT 12.0 UNION
        // ALL SELECT 13.5` answers in the order written, as Trino's documented examples do.
        let partitions = self
            .runtime
            .run(frame.collect_partitioned())
            .await?
            .map_err(|e| match e.find_root() {
                DataFusionError::ResourcesExhausted(_) => Error::Execution(format!(
                    "Query exceeded per-node memory limit of {}MB",
                    self.limits.memory_bytes >> 20
                )),
                _ => Error::from_datafusion(e, query, &rewritten),
            })?;
        let batches: Vec<RecordBatch> = partitions.into_iter().flatten().collect();
        tracing::debug!(elapsed = ?started.elapsed(), rows = batches.iter().map(|b| b.num_rows()).sum::<usize>(), "query ran");
        let scans = planned
            .scans
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Ok(Executed {
            schema,
            names,
            batches,
            scans,
            start_ns: planned.start_ns,
            metadata: false,
            unload,
        })
    }
}

/// A finished run's cursor: `ColumnInfo` from the schema, named by `names` where given.
pub(super) fn new_cursor(
    scope: &Scope,
    query: &str,
    query_id: &str,
    schema: &SchemaRef,
    names: Option<Vec<String>>,
    batches: Vec<RecordBatch>,
) -> Cursor {
    let columns = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = names
                .as_ref()
                .and_then(|n| n.get(i).cloned())
                .unwrap_or_else(|| f.name().clone());
            encode::column_info(&name, f.data_type())
        })
        .collect();
    Cursor {
        scope: scope.clone(),
        query_string: query.to_owned(),
        query_id: query_id.to_owned(),
        columns,
        batches,
        batch: 0,
        row: 0,
        status: QueryStatus {
            progress_percentage: 100.0,
            cumulative_bytes_scanned: 0,
            cumulative_bytes_metered: 0,
        },
        insights: None,
        created: Instant::now(),
    }
}
