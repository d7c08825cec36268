//! Comparisons of doubles by IEEE's NaN rules.

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

/// A comparison of doubles with IEEE's (and Trino's) NaN rules: NaN equals nothing, itself
/// included, and is neither less nor greater than anything; DataFusion compares floats by their
/// total order (NaN = NaN, NaN above everything). ORDER BY, GROUP BY and DISTINCT keep the total
/// order, as Trino's do.
pub(super) fn ieee_comparison(left: Expr, op: Operator, right: Expr, is_nan: &Arc<ScalarUDF>) -> Expr {
    let compared = Expr::BinaryExpr(BinaryExpr::new(
        Box::new(left.clone()),
        op,
        Box::new(right.clone()),
    ));
    // A literal that is a number is never NaN: only the other side needs the test.
    let may_be_nan = |e: &Expr| match e {
        Expr::Literal(ScalarValue::Float64(v), _) => v.is_some_and(f64::is_nan),
        _ => true,
    };
    let Some(either_nan) = [left, right]
        .into_iter()
        .filter(may_be_nan)
        .map(|e| Expr::ScalarFunction(ScalarFunction::new_udf(is_nan.clone(), vec![e])))
        .reduce(Expr::or)
    else {
        return compared;
    };
    let boolean = |b: Option<bool>| Box::new(Expr::Literal(ScalarValue::Boolean(b), None));
    // NULL compared with NaN is NULL, as with anything else.
    Expr::Case(datafusion::logical_expr::Case::new(
        None,
        vec![
            (Box::new(compared.clone().is_null()), boolean(None)),
            (Box::new(either_nan), boolean(Some(op == Operator::NotEq))),
        ],
        Some(Box::new(compared)),
    ))
}
