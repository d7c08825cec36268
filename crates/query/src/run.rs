//! Running a query: session per query on the engine clock, table references checked against
//! the catalog with AWS's texts, planning and execution on DataFusion under the 60 s limit,
//! AWS's output names, then the first page.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::TableReference;
use datafusion::dataframe::DataFrame;
use datafusion::execution::context::{SessionConfig, SessionContext};
use datafusion::logical_expr::{AggregateUDF, ScalarUDF, WindowUDF};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{Expr as SqlExpr, SelectItem, SetExpr, Statement};
use engine::{Engine, Scope};
use protocol::operations::query::{QueryInput, QueryOutput, QueryStatus};

use crate::cursor::{Cursor, Cursors};
use crate::dialect::{self, line_col, Rewritten};
use crate::provider::TimestreamCatalog;
use crate::{encode, functions, metadata, typing, Error};

/// AWS cuts a synchronous Query call off after 60 s.
const QUERY_TIMEOUT: Duration = Duration::from_secs(60);
/// AWS meters at least 10 MB per data query.
const MIN_METERED_BYTES: i64 = 10_000_000;

pub struct QueryService {
    engine: Arc<Engine>,
    functions: Vec<Arc<ScalarUDF>>,
    aggregates: Vec<Arc<AggregateUDF>>,
    windows: Vec<Arc<WindowUDF>>,
    cursors: Mutex<Cursors>,
}

impl QueryService {
    pub fn new(engine: Arc<Engine>) -> Self {
        Self {
            engine,
            functions: functions::scalar_functions(),
            aggregates: functions::aggregate_functions(),
            windows: functions::window_functions(),
            cursors: Mutex::default(),
        }
    }

    fn cursors(&self) -> std::sync::MutexGuard<'_, Cursors> {
        self.cursors.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The Query operation: a new run, or the next page of an earlier one.
    pub async fn query(&self, scope: &Scope, input: QueryInput) -> Result<QueryOutput, Error> {
        let max_rows = input.max_rows.and_then(|n| usize::try_from(n).ok());
        let mut cursor = match &input.next_token {
            Some(token) => self
                .cursors()
                .take(token, scope, &input.query_string)
                .ok_or(Error::InvalidToken)?,
            None => {
                let run = self.run(scope, &input.query_string);
                tokio::time::timeout(QUERY_TIMEOUT, run)
                    .await
                    .map_err(|_| Error::Timeout(QUERY_TIMEOUT.as_secs()))??
            }
        };
        let (rows, more) = cursor.page(max_rows);
        let token = more.then(|| uuid::Uuid::new_v4().simple().to_string());
        let output = cursor.output(rows, token.clone());
        if let Some(token) = token {
            self.cursors().insert(token, cursor);
        }
        Ok(output)
    }

    async fn run(&self, scope: &Scope, query: &str) -> Result<Cursor, Error> {
        if let Some(statement) = metadata::parse(query) {
            let batch = metadata::run(&self.engine, scope, &statement?)?;
            // Metadata statements scan and meter nothing (timestream-sql.md §7.1).
            let status = QueryStatus {
                progress_percentage: 100.0,
                cumulative_bytes_scanned: 0,
                cumulative_bytes_metered: 0,
            };
            return Ok(new_cursor(
                scope,
                query,
                &batch.schema(),
                None,
                vec![batch],
                status,
            ));
        }
        let rewritten = dialect::rewrite(query.trim_end().trim_end_matches(';'));
        let df_error = |e| Error::from_datafusion(e, query, &rewritten);

        let mut config = SessionConfig::new()
            .with_information_schema(false)
            .with_create_default_catalog_and_schema(false)
            .with_target_partitions(2);
        config.options_mut().sql_parser.enable_ident_normalization = false;
        // Trino sorts NULLs last in both directions.
        config.options_mut().sql_parser.default_null_ordering = "nulls_last".into();
        let ctx = SessionContext::new_with_config(config);
        ctx.register_catalog(
            "datafusion",
            Arc::new(TimestreamCatalog {
                engine: self.engine.clone(),
                scope: scope.clone(),
            }),
        );
        for f in &self.functions {
            ctx.register_udf(f.as_ref().clone());
        }
        for f in &self.aggregates {
            ctx.register_udaf(f.as_ref().clone());
        }
        for f in &self.windows {
            ctx.register_udwf(f.as_ref().clone());
        }
        let mut state = ctx.state();
        state.execution_props_mut().query_execution_start_time = Some(self.engine.clock().now());

        let statement = state
            .sql_to_statement(&rewritten.sql, &datafusion::config::Dialect::Generic)
            .map_err(df_error)?;
        self.check_tables(
            scope,
            &state
                .resolve_table_references(&statement)
                .map_err(df_error)?,
            query,
            &rewritten,
        )?;
        let names = output_names(&statement);
        let plan = state.statement_to_plan(statement).await.map_err(df_error)?;
        let plan = typing::apply(plan).map_err(df_error)?;
        let frame = DataFrame::new(state, plan);
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let started = Instant::now();
        let batches = frame.collect().await.map_err(df_error)?;
        tracing::debug!(elapsed = ?started.elapsed(), rows = batches.iter().map(|b| b.num_rows()).sum::<usize>(), "query ran");

        let scanned: i64 = batches
            .iter()
            .map(|b| b.get_array_memory_size() as i64)
            .sum();
        let status = QueryStatus {
            progress_percentage: 100.0,
            cumulative_bytes_scanned: scanned,
            cumulative_bytes_metered: scanned.max(MIN_METERED_BYTES),
        };
        Ok(new_cursor(scope, query, &schema, names, batches, status))
    }

    /// Every table a query names must exist: AWS's texts, with the position of the reference.
    fn check_tables(
        &self,
        scope: &Scope,
        refs: &[TableReference],
        query: &str,
        rewritten: &Rewritten,
    ) -> Result<(), Error> {
        for r in refs {
            let at = |needle: &str| {
                let offset = rewritten
                    .sql
                    .find(needle)
                    .map_or(0, |o| rewritten.original_offset(o));
                let (l, c) = line_col(query, offset);
                format!("line {l}:{c}")
            };
            match r {
                TableReference::Partial { schema, table } => {
                    let identifier = format!("{schema}.{table}");
                    if self.engine.describe_database(scope, schema).is_err() {
                        return Err(Error::Validation(format!(
                            "Requested database '{schema}' not found for identifier '{identifier}' at {}",
                            at(schema)
                        )));
                    }
                    if self.engine.describe_table(scope, schema, table).is_err() {
                        return Err(Error::Validation(format!(
                            "Requested table '{table}' not found for identifier '{identifier}' at {}",
                            at(table)
                        )));
                    }
                }
                TableReference::Bare { table } => {
                    return Err(Error::Validation(format!(
                        "{}: Table '{table}' does not exist. Qualify tables with their database: database.table",
                        at(table)
                    )))
                }
                TableReference::Full { catalog, .. } => {
                    return Err(Error::Validation(format!("{}: Catalog '{catalog}' does not exist", at(catalog))))
                }
            }
        }
        Ok(())
    }
}

/// A finished run's cursor: `ColumnInfo` from the schema, named by `names` where given.
fn new_cursor(
    scope: &Scope,
    query: &str,
    schema: &SchemaRef,
    names: Option<Vec<String>>,
    batches: Vec<RecordBatch>,
    status: QueryStatus,
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
        query_id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
        columns,
        batches,
        batch: 0,
        row: 0,
        status,
        created: Instant::now(),
    }
}

/// AWS's result column names (timestream-sql.md §7.5): the alias, the column name of a column
/// reference, else `_col<N>` by position. `None` when the select list has a wildcard (the
/// planner's names are then the table's column names already).
fn output_names(statement: &DfStatement) -> Option<Vec<String>> {
    let DfStatement::Statement(stmt) = statement else {
        return None;
    };
    let Statement::Query(query) = stmt.as_ref() else {
        return None;
    };
    let mut body = query.body.as_ref();
    while let SetExpr::SetOperation { left, .. } = body {
        body = left.as_ref();
    }
    let SetExpr::Select(select) = body else {
        return None;
    };
    select
        .projection
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
            SelectItem::UnnamedExpr(SqlExpr::Identifier(id)) => Some(id.value.clone()),
            SelectItem::UnnamedExpr(SqlExpr::CompoundIdentifier(ids)) => {
                ids.last().map(|id| id.value.clone())
            }
            SelectItem::UnnamedExpr(_) => Some(format!("_col{i}")),
            _ => None,
        })
        .collect()
}
