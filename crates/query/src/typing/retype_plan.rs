//! The pass over the planned plan that gives it Timestream's types (see the module docs):
//! each node's expressions retyped bottom-up, its schema derived again and checked.

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder, ScalarUDF, Values};
use std::sync::Arc;

use super::intersect_except::intersect_or_except;
use super::resolve_lambdas::resolve_lambdas;
use super::retype_expr::timestream_expr;
use crate::{subqueries, type_check};

pub fn apply(plan: LogicalPlan, library: &[Arc<ScalarUDF>]) -> Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        if matches!(node, LogicalPlan::Limit(_)) {
            return Ok(Transformed::no(node));
        }
        let node = match node {
            LogicalPlan::Filter(filter) => LogicalPlan::Filter(subqueries::in_filter(filter)?),
            LogicalPlan::Projection(projection) => subqueries::in_projection(projection)?,
            LogicalPlan::Join(join) => intersect_or_except(join)?,
            other => other,
        };
        // Output names stay what the planner made them (`count(Int64(1))`): parents refer to
        // their children's columns by name.
        let names = NamePreserver::new(&node);
        let inputs = datafusion::logical_expr::utils::merge_schema(&node.inputs());
        let node = node.map_expressions(|e| {
            let name = names.save(&e);
            Ok(e.transform_up(|e| timestream_expr(e, library))?
                .transform_data(|e| resolve_lambdas(e, &inputs))?
                .update_data(|e| name.restore(e)))
        })?;
        // Every node is re-derived: a parent's schema depends on its children's types even when
        // its own expressions did not change.
        let node = match node.data {
            LogicalPlan::Values(Values { values, .. }) if node.transformed => {
                LogicalPlanBuilder::values(values)?.build()?
            }
            other => other.recompute_schema()?,
        };
        type_check::check(&node)?;
        Ok(Transformed::yes(node))
    })
    .map(|t| t.data)
}
