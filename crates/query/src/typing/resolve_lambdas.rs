//! Lambda parameters bound again to the types their arguments now have.

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::optimizer::analyzer::AnalyzerRule;

/// The lambda parameters of `e` typed again from its (retyped) arguments: a lambda variable
/// carries its type, which the planner took from the argument types before Timestream's
/// typing changed them (`ARRAY[1, 2]` is an `array(integer)` here, `array(bigint)` there).
pub(super) fn resolve_lambdas(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    if e.exists(|e| Ok(matches!(e, Expr::HigherOrderFunction(_))))? {
        e.resolve_lambda_variables(schema)
    } else {
        Ok(Transformed::no(e))
    }
}

/// Analyzer rule, last: every lambda variable typed again, after type coercion may have cast
/// the arguments its type comes from.
#[derive(Debug, Default)]
pub struct ResolveLambdas;

impl AnalyzerRule for ResolveLambdas {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let schema = datafusion::logical_expr::utils::merge_schema(&node.inputs());
            let node = node.map_expressions(|e| resolve_lambdas(e, &schema))?;
            if node.transformed {
                node.data.recompute_schema().map(Transformed::yes)
            } else {
                Ok(node)
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "timestream_resolve_lambdas"
    }
}
