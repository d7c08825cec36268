//! The DataFusion session a query runs in: one template for every query (Trino's identifier
//! and NULL-ordering rules, our rules and functions, the memory pool), and per query its own
//! catalog of the caller's databases and the engine clock.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::catalog::{CatalogProviderList, MemoryCatalogProviderList};
use datafusion::common::tree_node::TreeNode;
use datafusion::execution::context::{SessionConfig, SessionContext, SessionState};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{AggregateUDF, Expr, LogicalPlan, ScalarUDF, WindowUDF};

use crate::provider::{ResolvedTables, ScanLog, TimestreamCatalog};
use crate::{functions, typing, unnest, yielding};

use super::QueryService;

impl QueryService {
    /// A DataFusion session for one query: the template with a catalog list of its own (the
    /// tables the query resolved, the query's scan log) and the engine clock as the query start
    /// time. Cloning the template copies maps of shared functions; registering ~500 functions
    /// per query cost more than the rest of a small query's planning.
    pub(super) fn session(&self, tables: Arc<ResolvedTables>, scans: ScanLog) -> SessionState {
        let mut state = self.template.clone();
        let catalogs = MemoryCatalogProviderList::new();
        catalogs.register_catalog(
            "datafusion".into(),
            Arc::new(TimestreamCatalog {
                engine: self.engine.clone(),
                tables,
                scans,
            }),
        );
        state.register_catalog_list(Arc::new(catalogs));
        state.execution_props_mut().query_execution_start_time = Some(self.engine.clock().now());
        state
    }
}

/// Whether any expression of `plan` has a lambda.
pub(super) fn has_lambdas(plan: &LogicalPlan) -> bool {
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
pub(super) fn without_projection_collapse(state: SessionState) -> SessionState {
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
pub(super) fn session_template(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The dialect's AST pass tells aggregates by name before planning: every aggregate a
    /// session has, under every name it answers to, must be one it recognises.
    #[test]
    fn every_registered_aggregate_is_recognised_by_the_dialect() {
        let template = session_template(
            &functions::scalar_functions(),
            &functions::aggregate_functions(),
            &functions::window_functions(),
            1 << 20,
        );
        let unrecognised: Vec<&String> = template
            .aggregate_functions()
            .keys()
            .filter(|name| !crate::dialect::is_aggregate(&name.to_ascii_lowercase()))
            .collect();
        assert!(unrecognised.is_empty(), "{unrecognised:?}");
    }
}
