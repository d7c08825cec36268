//! DataFusion's expression simplification kept from folding two conditions on one nullable
//! column into a constant (see [`super::optimizer_rules`]).

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::FieldRef;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use std::sync::Arc;

#[derive(Debug)]
pub(super) struct NullSafeSimplify(pub(super) Arc<dyn OptimizerRule + Send + Sync>);

impl OptimizerRule for NullSafeSimplify {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        self.0.apply_order()
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        // Conditions are where the folds bite; other nodes need their column references as
        // such (UNNEST, grouping).
        if !matches!(plan, LogicalPlan::Filter(_) | LogicalPlan::Projection(_)) {
            return self.0.rewrite(plan, config);
        }
        let schema = datafusion::logical_expr::utils::merge_schema(&plan.inputs());
        let tag = Arc::new(ScalarUDF::new_from_impl(Tagged::default()));
        let mut next = 0i64;
        let tagged = plan
            .map_expressions(|e| {
                e.transform_up(|e| match e {
                    Expr::Column(c)
                        if schema
                            .qualified_field_from_column(&c)
                            .map_or(true, |(_, f)| f.is_nullable()) =>
                    {
                        next += 1;
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(
                                tag.clone(),
                                vec![
                                    Expr::Column(c),
                                    Expr::Literal(ScalarValue::Int64(Some(next)), None),
                                ],
                            ),
                        )))
                    }
                    other => Ok(Transformed::no(other)),
                })
            })?
            .data;
        let simplified = self.0.rewrite(tagged, config)?;
        let transformed = simplified.transformed;
        let plan = simplified
            .data
            .map_expressions(|e| {
                e.transform_up(|e| match e {
                    Expr::ScalarFunction(ScalarFunction { func, mut args })
                        if func.name() == TAGGED && !args.is_empty() =>
                    {
                        Ok(Transformed::yes(args.swap_remove(0)))
                    }
                    other => Ok(Transformed::no(other)),
                })
            })?
            .data;
        Ok(Transformed::new_transformed(plan, transformed))
    }
}

const TAGGED: &str = "__timestream_tagged";

/// `__timestream_tagged(x, n)` is `x`, named as `x`: a column reference made distinct from the
/// other references to the same column while expressions are simplified.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Tagged {
    signature: Signature,
}

impl Default for Tagged {
    fn default() -> Self {
        Self {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Tagged {
    fn name(&self) -> &str {
        TAGGED
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(args.arg_fields[0].clone())
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(args[0].schema_name().to_string())
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(format!("{}", args[0]))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(args.args[0].clone())
    }
}
