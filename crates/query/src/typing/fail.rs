//! The function that raises a query's error when evaluated.

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

/// `__timestream_fail(message)`: raises `message` (a QueryExecutionException) when evaluated;
/// the error branch of a rewritten scalar subquery ([`crate::dialect`]'s single-row check).
/// Volatile, so that constant folding never evaluates it at planning.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Fail {
    signature: Signature,
}

impl Default for Fail {
    fn default() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Volatile),
        }
    }
}

impl ScalarUDFImpl for Fail {
    fn name(&self) -> &str {
        crate::dialect::SINGLE_ROW_ERROR
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Null)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.number_rows == 0 {
            return Ok(ColumnarValue::Scalar(ScalarValue::Null));
        }
        match args.args.first() {
            Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(m)))) => exec_err!("{m}"),
            _ => exec_err!("failed"),
        }
    }
}
