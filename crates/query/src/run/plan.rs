//! From query text to a logical plan: parse, the read-only check, the tables named resolved
//! once (on a blocking thread) and the references checked against that with AWS's texts,
//! parameters bound, planned by DataFusion over the resolved tables.

use std::sync::Arc;

use datafusion::common::TableReference;
use datafusion::execution::context::SessionState;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    DataType as SqlDataType, Expr as SqlExpr, TimezoneInfo, TypedString, Value as SqlValue,
    ValueWithSpan,
};
use datafusion::sql::sqlparser::tokenizer::Span;
use engine::Scope;

use crate::dialect::{self, line_col, Rewritten};
use crate::provider::{Resolution, ResolvedTables, ScanLog};
use crate::{encode, parse, read_only, typing, unload, unnest, Error};

use super::naming::{output_columns, OutputColumn};
use super::QueryService;

/// A planned query, ready to run or to describe.
pub(crate) struct Planned {
    pub(super) rewritten: Rewritten,
    pub(super) state: SessionState,
    pub(crate) plan: LogicalPlan,
    pub(super) columns: Option<Vec<OutputColumn>>,
    pub(super) scans: ScanLog,
    /// The query's start time (`now()`), nanoseconds.
    pub(super) start_ns: i64,
    /// The `@name` parameters bound while planning, as written.
    pub(super) parameters: Vec<String>,
    /// Where an UNLOAD writes the rows (the plan is its SELECT).
    pub(super) unload: Option<unload::Options>,
}

/// Trino's text for a statement nested too deeply to analyse.
pub(crate) const STATEMENT_TOO_LARGE: &str =
    "line 1:1: statement is too large (stack overflow while parsing)";

/// The named parameter scheduled queries bind to their invocation time (a TIMESTAMP).
pub(super) const SCHEDULED_RUNTIME: &str = "@scheduled_runtime";

impl QueryService {
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
        // The template's settings are every session's.
        let recursion_limit = self
            .template
            .config_options()
            .sql_parser
            .recursion_limit
            .get();
        let mut statement = parse::statement(&rewritten.sql, recursion_limit).map_err(df_error)?;
        let unload = unload::take(&mut statement)?;
        read_only::check_statement(&statement, query)?;
        let references = self
            .template
            .resolve_table_references(&statement)
            .map_err(df_error)?;
        let tables = Arc::new(ResolvedTables::resolve(&self.engine, scope, &references).await?);
        check_tables(&references, &tables, query, &rewritten)?;
        let state = self.session(tables.clone(), scans.clone());
        let columns = output_columns(&statement, |db, table| {
            tables
                .table(db, table)
                .map(|t| t.columns.iter().map(|(name, _)| name.clone()).collect())
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
            unload,
        })
    }
}

/// Every table a query names must exist (as `tables` resolved them): AWS's texts, with the
/// position of the reference.
pub(super) fn check_tables(
    refs: &[TableReference],
    tables: &ResolvedTables,
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
                match tables.get(schema, table) {
                    Some(Resolution::Table(_)) => {}
                    Some(Resolution::NoDatabase) => {
                        return Err(Error::Validation(format!(
                            "Requested database '{schema}' not found for identifier '{identifier}' at {}",
                            at(schema)
                        )))
                    }
                    Some(Resolution::NoTable) | None => {
                        return Err(Error::Validation(format!(
                            "Requested table '{table}' not found for identifier '{identifier}' at {}",
                            at(table)
                        )))
                    }
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

/// Binds `@scheduled_runtime` in `statement` to `scheduled_runtime` (a TIMESTAMP literal) and
/// returns the parameters bound. Any other parameter is an error with its position in `query`:
/// Timestream rejects positional `?` (timestream-sql.md §2.7) and binds no other name.
pub(super) fn bind_parameters(
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
