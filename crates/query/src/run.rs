//! Running a query: session per query on the engine clock, table references checked against
//! the catalog with AWS's texts, planning and execution on DataFusion under the 60 s limit,
//! AWS's output names, then the first page.

use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{CatalogProviderList, MemoryCatalogProviderList};
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::DataFusionError;
use datafusion::common::TableReference;
use datafusion::dataframe::DataFrame;
use datafusion::execution::context::{SessionConfig, SessionContext, SessionState};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{AggregateUDF, Expr, LogicalPlan, ScalarUDF, WindowUDF};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    DataType as SqlDataType, Expr as SqlExpr, SelectItem, SetExpr, Statement, TableFactor,
    TimezoneInfo, TypedString, Value as SqlValue, ValueWithSpan,
};
use datafusion::sql::sqlparser::tokenizer::Span;
use engine::{Engine, Scope};
use protocol::operations::cancel_query::{CancelQueryInput, CancelQueryOutput};
use protocol::operations::prepare_query::{
    ParameterMapping, PrepareQueryInput, PrepareQueryOutput, SelectColumn,
};
use protocol::operations::query::{
    QueryInput, QueryInsightsMode, QueryInsightsResponse, QueryOutput, QuerySpatialCoverage,
    QuerySpatialCoverageMax, QueryStatus, QueryTemporalRange, QueryTemporalRangeMax,
};

use crate::cursor::Cursor;
use crate::dialect::{self, line_col, Rewritten};
use crate::limits::{QueryLimits, QueryRuntime};
use crate::provider::{timestamp_type, Scan, ScanLog, TimestreamCatalog};
use crate::registry::{Cancellation, Registry};
use crate::{encode, functions, metadata, parse, read_only, typing, unnest, yielding, Error};

/// AWS meters at least 10 MB per data query.
const MIN_METERED_BYTES: i64 = 10_000_000;

pub struct QueryService {
    pub(crate) engine: Arc<Engine>,
    functions: Vec<Arc<ScalarUDF>>,
    /// Every query's session before its catalog: see [`session_template`].
    template: SessionState,
    registry: Mutex<Registry>,
    /// The last record version a scheduled query run wrote (scheduled_query.rs).
    pub(crate) scheduled_version: AtomicI64,
    pub(crate) limits: QueryLimits,
    runtime: QueryRuntime,
}

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
}

impl Planned {
    /// AWS's names of the result columns, in order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.plan
            .schema()
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                self.columns
                    .as_ref()
                    .and_then(|c| c.get(i))
                    .map_or_else(|| f.name().clone(), |c| c.name.clone())
            })
            .collect()
    }
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

/// A planned query, ready to run or to describe.
pub(crate) struct Planned {
    rewritten: Rewritten,
    state: SessionState,
    pub(crate) plan: LogicalPlan,
    columns: Option<Vec<OutputColumn>>,
    scans: ScanLog,
    /// The query's start time (`now()`), nanoseconds.
    start_ns: i64,
    /// The `@name` parameters bound while planning, as written.
    parameters: Vec<String>,
}

/// Trino's text for a statement nested too deeply to analyse.
pub(crate) const STATEMENT_TOO_LARGE: &str =
    "line 1:1: statement is too large (stack overflow while parsing)";

/// The named parameter scheduled queries bind to their invocation time (a TIMESTAMP).
const SCHEDULED_RUNTIME: &str = "@scheduled_runtime";

impl QueryService {
    pub fn new(engine: Arc<Engine>) -> Self {
        Self::with_limits(engine, QueryLimits::default())
    }

    pub fn with_limits(engine: Arc<Engine>, limits: QueryLimits) -> Self {
        let functions = functions::scalar_functions();
        Self {
            engine,
            template: session_template(
                &functions,
                &functions::aggregate_functions(),
                &functions::window_functions(),
                limits.memory_bytes,
            ),
            functions,
            registry: Mutex::new(Registry::new(&limits)),
            scheduled_version: AtomicI64::new(0),
            runtime: QueryRuntime::new(limits.threads),
            limits,
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The Query operation: a new run, the repeated first page of a `ClientToken`, or the next
    /// page of an earlier run.
    pub async fn query(&self, scope: &Scope, input: QueryInput) -> Result<QueryOutput, Error> {
        let max_rows = input.max_rows.and_then(|n| usize::try_from(n).ok());
        let mut cursor = match &input.next_token {
            Some(token) => self
                .registry()
                .take_cursor(token, scope, &input.query_string)?,
            None => {
                if let Some(client_token) = &input.client_token {
                    if let Some(output) = self.registry().replay(client_token, scope, &input)? {
                        return Ok(output);
                    }
                }
                let query_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
                let insights = input
                    .query_insights
                    .as_ref()
                    .is_some_and(|q| q.mode == QueryInsightsMode::EnabledWithRateControl);
                let cancelled = self.registry().start(&query_id, scope);
                let timeout = self.limits.timeout;
                let run = tokio::time::timeout(
                    timeout,
                    self.run(scope, &input.query_string, &query_id, insights),
                );
                let outcome = tokio::select! {
                    ran = run => ran.unwrap_or(Err(Error::Timeout(timeout.as_secs()))),
                    () = cancelled.notified() => Err(Error::CancelledWhileRunning(query_id.clone())),
                };
                self.registry().finish(&query_id);
                outcome?
            }
        };
        let (rows, more) = cursor.page(max_rows);
        let token = more.then(|| uuid::Uuid::new_v4().simple().to_string());
        let output = cursor.output(rows, token.clone());
        let mut registry = self.registry();
        if let Some(token) = token {
            registry.insert_cursor(token, cursor);
        }
        if let (None, Some(client_token)) = (&input.next_token, &input.client_token) {
            registry.remember(client_token.clone(), scope, &input, &output);
        }
        Ok(output)
    }

    /// The CancelQuery operation, for a running query or one with pages left.
    pub fn cancel(
        &self,
        scope: &Scope,
        input: CancelQueryInput,
    ) -> Result<CancelQueryOutput, Error> {
        Ok(match self.registry().cancel(&input.query_id, scope)? {
            Cancellation::Cancelled => CancelQueryOutput::default(),
            Cancellation::AlreadyCancelled => CancelQueryOutput {
                cancellation_message: Some(format!(
                    "Query {} has already been cancelled.",
                    input.query_id
                )),
            },
        })
    }

    /// The PrepareQuery operation (`ValidateOnly`): the query is analysed as Query would, and
    /// its result columns described without running it.
    pub async fn prepare(
        &self,
        scope: &Scope,
        input: PrepareQueryInput,
    ) -> Result<PrepareQueryOutput, Error> {
        if input.validate_only != Some(true) {
            return Err(Error::Validation(
                "PrepareQuery is only supported with ValidateOnly set to true".into(),
            ));
        }
        let query = &input.query_string;
        let mut parameters = Vec::new();
        let columns = if let Some(statement) = metadata::parse(query) {
            let batch = metadata::run(&self.engine, scope, &statement?)?;
            batch
                .schema()
                .fields()
                .iter()
                .map(|f| SelectColumn {
                    name: f.name().clone(),
                    r#type: encode::column_type(f.data_type()),
                    database_name: None,
                    table_name: None,
                    aliased: false,
                })
                .collect()
        } else {
            // Analysed as a scheduled run at this instant would be.
            let planned = self
                .plan(scope, query, Some(self.engine.clock().now_ns()))
                .await?;
            parameters = planned
                .parameters
                .iter()
                .map(|name| ParameterMapping {
                    name: name.clone(),
                    r#type: encode::column_type(&timestamp_type()),
                })
                .collect();
            let schema = planned.plan.schema().as_arrow().clone();
            schema
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let column = planned.columns.as_ref().and_then(|c| c.get(i));
                    let source = column.and_then(|c| c.source.clone()).or_else(|| {
                        planned
                            .columns
                            .is_none()
                            .then(|| single_table(&planned.plan))
                            .flatten()
                    });
                    SelectColumn {
                        name: column.map_or_else(|| f.name().clone(), |c| c.name.clone()),
                        r#type: encode::column_type(f.data_type()),
                        database_name: source.as_ref().map(|s| s.0.clone()),
                        table_name: source.map(|s| s.1),
                        aliased: column.is_some_and(|c| c.aliased),
                    }
                })
                .collect()
        };
        Ok(PrepareQueryOutput {
            query_string: input.query_string,
            columns,
            parameters,
        })
    }

    /// A DataFusion session for one query of `scope`: the template with a catalog list of its
    /// own (the caller's databases, the query's scan log) and the engine clock as the query
    /// start time. Cloning the template copies maps of shared functions; registering ~500
    /// functions per query cost more than the rest of a small query's planning.
    fn session(&self, scope: &Scope, scans: ScanLog) -> SessionState {
        let mut state = self.template.clone();
        let catalogs = MemoryCatalogProviderList::new();
        catalogs.register_catalog(
            "datafusion".into(),
            Arc::new(TimestreamCatalog {
                engine: self.engine.clone(),
                scope: scope.clone(),
                scans,
            }),
        );
        state.register_catalog_list(Arc::new(catalogs));
        state.execution_props_mut().query_execution_start_time = Some(self.engine.clock().now());
        state
    }

    /// Parses, checks and plans `query`; `@scheduled_runtime` is bound to `scheduled_runtime`
    /// (nanoseconds) when given, and an error otherwise, as is every other parameter.
    pub(crate) async fn plan(
        &self,
        scope: &Scope,
        query: &str,
        scheduled_runtime: Option<i64>,
    ) -> Result<Planned, Error> {
        let rewritten = dialect::rewrite(query.trim_end().trim_end_matches(';'));
        let df_error = |e| Error::from_datafusion(e, query, &rewritten);
        let scans = ScanLog::default();
        let state = self.session(scope, scans.clone());
        let recursion_limit = state.config_options().sql_parser.recursion_limit.get();
        let mut statement = parse::statement(&rewritten.sql, recursion_limit).map_err(df_error)?;
        read_only::check_statement(&statement, query)?;
        if dialect::too_deep(&statement) {
            return Err(Error::Validation(STATEMENT_TOO_LARGE.into()));
        }
        self.check_tables(
            scope,
            &state
                .resolve_table_references(&statement)
                .map_err(df_error)?,
            query,
            &rewritten,
        )?;
        let columns = output_columns(&statement, |db, table| {
            self.engine
                .table_columns(scope, db, table)
                .map(|c| c.into_iter().map(|(name, _)| name).collect())
                .unwrap_or_default()
        });
        let parameters = bind_parameters(&mut statement, scheduled_runtime, query, &rewritten)?;
        dialect::check_lambdas(&statement, &rewritten.sql).map_err(df_error)?;
        dialect::rewrite_statement(&mut statement);
        let plan = state.statement_to_plan(statement).await.map_err(df_error)?;
        read_only::check_plan(&plan, query)?;
        let plan = unnest::decorrelate(plan).map_err(df_error)?;
        let plan = typing::apply(plan, &self.functions).map_err(df_error)?;
        // Analyzed now (DataFusion would do it when running): the result types are the coerced
        // ones (a CASE or UNION of bigint and double is double).
        let plan = state
            .analyzer()
            .execute_and_check(plan, state.config_options(), |_, _| {})
            .map_err(df_error)?;
        let start_ns = state
            .execution_props()
            .query_execution_start_time
            .and_then(|t| t.timestamp_nanos_opt())
            .unwrap_or_else(|| self.engine.clock().now_ns());
        Ok(Planned {
            start_ns,
            rewritten,
            state,
            plan,
            columns,
            scans,
            parameters,
        })
    }

    async fn run(
        &self,
        scope: &Scope,
        query: &str,
        query_id: &str,
        insights: bool,
    ) -> Result<Cursor, Error> {
        let executed = self.execute(scope, query, None).await?;
        let status = QueryStatus {
            progress_percentage: 100.0,
            cumulative_bytes_scanned: executed.bytes_scanned(),
            cumulative_bytes_metered: executed.bytes_metered(),
        };
        let mut cursor = new_cursor(
            scope,
            query,
            query_id,
            &executed.schema,
            Some(executed.names),
            executed.batches,
        );
        cursor.status = status;
        cursor.insights = insights
            .then(|| self.insights(scope, &executed.scans, &cursor.batches, executed.start_ns));
        Ok(cursor)
    }

    /// Runs `query` to completion (a metadata statement or a planned query), `@scheduled_runtime`
    /// bound to `scheduled_runtime` when given.
    pub(crate) async fn execute(
        &self,
        scope: &Scope,
        query: &str,
        scheduled_runtime: Option<i64>,
    ) -> Result<Executed, Error> {
        if let Some(statement) = metadata::parse(query) {
            let batch = metadata::run(&self.engine, scope, &statement?)?;
            let schema = batch.schema();
            return Ok(Executed {
                names: schema.fields().iter().map(|f| f.name().clone()).collect(),
                schema,
                batches: vec![batch],
                scans: Vec::new(),
                start_ns: self.engine.clock().now_ns(),
                metadata: true,
            });
        }
        let planned = self.plan(scope, query, scheduled_runtime).await?;
        let names = planned.names();
        let rewritten = planned.rewritten;
        let state = if has_lambdas(&planned.plan) {
            without_projection_collapse(planned.state)
        } else {
            planned.state
        };
        let frame = DataFrame::new(state, planned.plan);
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let started = Instant::now();
        let batches =
            self.runtime
                .run(frame.collect())
                .await?
                .map_err(|e| match e.find_root() {
                    DataFusionError::ResourcesExhausted(_) => Error::Execution(format!(
                        "Query exceeded per-node memory limit of {}MB",
                        self.limits.memory_bytes >> 20
                    )),
                    _ => Error::from_datafusion(e, query, &rewritten),
                })?;
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
        })
    }

    /// QueryInsights of a finished run: the tables it read, the widest time range one of them
    /// was read over (an open side counts from the table's retention floor / up to now), and
    /// the output's size. Every series of a table is read (no spatial pruning), so spatial
    /// coverage is 1 for each table read.
    pub(crate) fn insights(
        &self,
        scope: &Scope,
        scans: &[Scan],
        batches: &[RecordBatch],
        now: i64,
    ) -> QueryInsightsResponse {
        let widest = scans
            .iter()
            .map(|s| {
                let floor = self
                    .engine
                    .describe_table(scope, &s.database, &s.table)
                    .ok()
                    .map(|t| t.retention_properties)
                    .map_or(0, |r| {
                        now.saturating_sub(
                            r.memory_store_retention_period_in_hours * 3_600_000_000_000
                                + r.magnetic_store_retention_period_in_days * 86_400_000_000_000,
                        )
                    });
                let range = s
                    .upper
                    .unwrap_or(now)
                    .min(now)
                    .saturating_sub(s.lower.unwrap_or(floor).max(floor))
                    .max(0);
                (range, s)
            })
            .max_by_key(|(range, _)| *range);
        let output_rows = batches.iter().map(|b| b.num_rows() as i64).sum();
        let output_bytes = batches
            .iter()
            .map(|b| b.get_array_memory_size() as i64)
            .sum();
        let mut tables: Vec<(&str, &str)> = scans
            .iter()
            .map(|s| (s.database.as_str(), s.table.as_str()))
            .collect();
        tables.sort_unstable();
        tables.dedup();
        QueryInsightsResponse {
            query_spatial_coverage: widest.map(|(_, s)| QuerySpatialCoverage {
                max: QuerySpatialCoverageMax {
                    value: 1.0,
                    table_arn: scope.table_arn(&s.database, &s.table),
                    partition_key: vec!["measure_name".into()],
                },
            }),
            query_temporal_range: widest.map(|(range, s)| QueryTemporalRange {
                max: QueryTemporalRangeMax {
                    value: range,
                    table_arn: scope.table_arn(&s.database, &s.table),
                },
            }),
            query_table_count: tables.len() as i64,
            output_rows,
            output_bytes,
        }
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

/// Whether any expression of `plan` has a lambda.
fn has_lambdas(plan: &LogicalPlan) -> bool {
    plan.exists(|node| {
        Ok(node.expressions().iter().any(|e| {
            e.exists(|e| Ok(matches!(e, Expr::HigherOrderFunction(_))))
                .unwrap_or(false)
        }))
    })
    .unwrap_or(false)
}

/// `state` without DataFusion's ProjectionPushdown. In DataFusion 55 it collapses a projection
/// into the one below by rewriting every column reference of the upper one, lambda bodies
/// included, where a column refers to the lambda's own parameters and captures: `reduce(ts, 0,
/// (s, x) -> s + 1, s -> s)` over a CTE column then evaluates with the wrong variables
/// (`Field of physical LambdaVariable … doesn't match`). Only queries with lambdas lose it.
fn without_projection_collapse(state: SessionState) -> SessionState {
    let rules = state
        .physical_optimizers()
        .iter()
        .filter(|r| r.name() != "ProjectionPushdown")
        .cloned()
        .collect();
    SessionStateBuilder::new_from_existing(state)
        .with_physical_optimizer_rules(rules)
        .build()
}

/// The session every query starts from: Trino's identifier and NULL-ordering rules, our
/// optimizer and analyzer rules, DataFusion's functions overridden by the library's (registered
/// after them, under their names and aliases).
fn session_template(
    functions: &[Arc<ScalarUDF>],
    aggregates: &[Arc<AggregateUDF>],
    windows: &[Arc<WindowUDF>],
    memory_bytes: usize,
) -> SessionState {
    // Deeper nesting than sqlparser's default of 50 (Trino has no fixed limit); the parser grows
    // its stack as it recurses.
    let mut config = SessionConfig::new()
        .with_information_schema(false)
        .with_create_default_catalog_and_schema(false)
        .with_target_partitions(2)
        .set_usize("datafusion.sql_parser.recursion_limit", 1000);
    config.options_mut().sql_parser.enable_ident_normalization = false;
    // Column references keep their place in the text, for the `line L:C:` of type errors.
    config.options_mut().sql_parser.collect_spans = true;
    // Trino sorts NULLs last in both directions.
    config.options_mut().sql_parser.default_null_ordering = "nulls_last".into();
    // One pool for every running query (the template's runtime is shared by every session).
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(memory_bytes, 1.0)
        .build_arc()
        .unwrap_or_default();
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        // Nothing that reads or writes files or URLs (read_only.rs): no CREATE EXTERNAL TABLE
        // factories, no COPY formats, no table functions (Timestream has none).
        .with_table_factories(HashMap::new())
        .with_file_formats(Vec::new())
        .with_table_functions(HashMap::new())
        // Timestream's lambda functions replace DataFusion's (array_transform & co.).
        .with_higher_order_functions(functions::higher_order_functions())
        .with_relation_planners(vec![Arc::new(unnest::UnnestPlanner)])
        .with_optimizer_rules(typing::optimizer_rules())
        .with_physical_optimizer_rule(Arc::new(yielding::YieldEverywhere))
        .with_analyzer_rules(typing::analyzer_rules())
        .build();
    let ctx = SessionContext::new_with_state(state);
    for f in functions {
        ctx.register_udf(f.as_ref().clone());
    }
    ctx.register_udf(ScalarUDF::new_from_impl(typing::Fail::default()));
    for f in aggregates {
        ctx.register_udaf(f.as_ref().clone());
    }
    for f in windows {
        ctx.register_udwf(f.as_ref().clone());
    }
    ctx.state()
}

/// Binds `@scheduled_runtime` in `statement` to `scheduled_runtime` (a TIMESTAMP literal) and
/// returns the parameters bound. Any other parameter is an error with its position in `query`:
/// Timestream rejects positional `?` (timestream-sql.md §2.7) and binds no other name.
fn bind_parameters(
    statement: &mut DfStatement,
    scheduled_runtime: Option<i64>,
    query: &str,
    rewritten: &Rewritten,
) -> Result<Vec<String>, Error> {
    let parameters = dialect::parameters(statement);
    let position = |p: &dialect::Parameter| rewritten.original_line_col(query, p.line, p.column);
    let positional = parameters.iter().filter(|p| p.name == "?").count();
    if let Some(first) = parameters.iter().find(|p| p.name == "?") {
        let (l, c) = position(first);
        return Err(Error::Validation(format!(
            "line {l}:{c}: Incorrect number of parameters: expected {positional} but found 0"
        )));
    }
    for p in &parameters {
        let (l, c) = position(p);
        if !p.name.eq_ignore_ascii_case(SCHEDULED_RUNTIME) {
            return Err(Error::Validation(format!(
                "line {l}:{c}: Unknown parameter {}: the only query parameter is {SCHEDULED_RUNTIME}",
                p.name
            )));
        }
        if scheduled_runtime.is_none() {
            return Err(Error::Validation(format!(
                "line {l}:{c}: {SCHEDULED_RUNTIME} is bound only when a scheduled query runs"
            )));
        }
    }
    if let Some(ns) = scheduled_runtime {
        let literal = SqlExpr::TypedString(TypedString {
            data_type: SqlDataType::Timestamp(None, TimezoneInfo::None),
            value: ValueWithSpan {
                value: SqlValue::SingleQuotedString(encode::format_timestamp(ns)),
                span: Span::empty(),
            },
            uses_odbc_syntax: false,
        });
        dialect::bind_parameters(statement, |name| {
            name.eq_ignore_ascii_case(SCHEDULED_RUNTIME)
                .then(|| literal.clone())
        });
    }
    Ok(parameters.into_iter().map(|p| p.name).collect())
}

/// A finished run's cursor: `ColumnInfo` from the schema, named by `names` where given.
fn new_cursor(
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

/// A result column as the select list names it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OutputColumn {
    name: String,
    aliased: bool,
    /// (database, table) when the item is a plain column reference.
    source: Option<(String, String)>,
}

/// AWS's result column names (timestream-sql.md §7.5): the alias, the column name of a column
/// reference, else `_col<N>` by position; with the table a column reference reads. `None` when
/// the select list has a wildcard (the planner's names are then the table's column names).
/// `columns_of` lists a table's columns, to find the table of an unqualified column.
fn output_columns(
    statement: &DfStatement,
    columns_of: impl Fn(&str, &str) -> Vec<String>,
) -> Option<Vec<OutputColumn>> {
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
    // Tables of the FROM clause by the name a column reference qualifies them with.
    let mut tables: Vec<(String, (String, String))> = Vec::new();
    for from in &select.from {
        for factor in std::iter::once(&from.relation).chain(from.joins.iter().map(|j| &j.relation))
        {
            if let TableFactor::Table { name, alias, .. } = factor {
                let parts: Vec<String> = name
                    .0
                    .iter()
                    .filter_map(|p| p.as_ident().map(|i| i.value.clone()))
                    .collect();
                if let [db, table] = parts.as_slice() {
                    let qualifier = alias
                        .as_ref()
                        .map_or(table.clone(), |a| a.name.value.clone());
                    tables.push((qualifier, (db.clone(), table.clone())));
                }
            }
        }
    }
    let source_of = |expr: &SqlExpr| -> Option<(String, String)> {
        match expr {
            SqlExpr::Identifier(id) => {
                let mut having = tables.iter().filter(|(_, (db, t))| {
                    id.value == "measure_name"
                        || id.value == "time"
                        || columns_of(db, t).contains(&id.value)
                });
                match (having.next(), having.next()) {
                    (Some((_, source)), None) => Some(source.clone()),
                    _ => None,
                }
            }
            SqlExpr::CompoundIdentifier(ids) if ids.len() >= 2 => {
                let qualifier = &ids[ids.len() - 2].value;
                tables
                    .iter()
                    .find(|(q, _)| q == qualifier)
                    .map(|(_, source)| source.clone())
            }
            _ => None,
        }
    };
    select
        .projection
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            SelectItem::ExprWithAlias { expr, alias } => Some(OutputColumn {
                name: alias.value.clone(),
                aliased: true,
                source: source_of(expr),
            }),
            SelectItem::UnnamedExpr(expr @ SqlExpr::Identifier(id)) => Some(OutputColumn {
                name: id.value.clone(),
                aliased: false,
                source: source_of(expr),
            }),
            SelectItem::UnnamedExpr(expr @ SqlExpr::CompoundIdentifier(ids)) => {
                ids.last().map(|id| OutputColumn {
                    name: id.value.clone(),
                    aliased: false,
                    source: source_of(expr),
                })
            }
            SelectItem::UnnamedExpr(_) => Some(OutputColumn {
                name: format!("_col{i}"),
                aliased: false,
                source: None,
            }),
            _ => None,
        })
        .collect()
}

/// The one table a plan reads, if it reads exactly one.
fn single_table(plan: &LogicalPlan) -> Option<(String, String)> {
    let mut tables = Vec::new();
    let _ = plan.apply(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            if let TableReference::Partial { schema, table } = &scan.table_name {
                tables.push((schema.to_string(), table.to_string()));
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    tables.dedup();
    match tables.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}
