//! Lambda parameters bound again to the types their arguments now have.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::array::{BooleanArray, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::kernels::arity::try_binary;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, Date32Type, FieldRef, Float64Type, Int32Type, Int64Type,
    IntervalMonthDayNanoType, IntervalUnit, TimeUnit, TimestampNanosecondType,
};
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano};
use datafusion::arrow::error::ArrowError;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::NullEquality;
use datafusion::common::{exec_err, DataFusionError};
use datafusion::common::{plan_err, Column, DFSchema, Result, ScalarValue};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::type_coercion::binary::type_union_coercion;
use datafusion::logical_expr::{
    BinaryExpr, Cast, ColumnarValue, Expr, LogicalPlan, LogicalPlanBuilder, Operator,
    ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Values, Volatility,
};
use datafusion::logical_expr::{ExprFunctionExt, ExprSchemable, Join, JoinType};
use datafusion::logical_expr::{Like, TryCast};
use datafusion::optimizer::analyzer::{Analyzer, AnalyzerRule};
use datafusion::optimizer::optimizer::{ApplyOrder, Optimizer};
use datafusion::optimizer::simplify_expressions::SimplifyExpressions;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use std::sync::Arc;

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
