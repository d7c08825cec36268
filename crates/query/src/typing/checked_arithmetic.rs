//! The analyzer rule that gives arithmetic, comparisons of doubles and casts Trino's semantics
//! once DataFusion has coerced the types.

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::IntervalUnit;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::ExprSchemable;
use datafusion::logical_expr::TryCast;
use datafusion::logical_expr::{BinaryExpr, Cast, Expr, LogicalPlan, Operator, ScalarUDF};
use datafusion::optimizer::analyzer::AnalyzerRule;
use std::sync::Arc;

use super::checked_integer_ops::Checked;
use super::date_arithmetic::DateArithmetic;
use super::ieee_comparison::ieee_comparison;
use super::timestream_cast::{timestream_cast, TimestreamCast};
use super::type_classes::{is_float, is_integer, is_text};

/// Analyzer rule, after DataFusion's type coercion: `+`, `-`, `*` on `integer`/`bigint` raise
/// Trino's overflow error (`integer addition overflow: 2147483647 + 1`) instead of wrapping
/// around as DataFusion's arithmetic does (timestream-sql.md §5.3).
#[derive(Debug, Default)]
pub struct CheckedArithmetic;

impl AnalyzerRule for CheckedArithmetic {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let cast = Arc::new(ScalarUDF::new_from_impl(TimestreamCast::default()));
        let udfs: Vec<Arc<ScalarUDF>> = [Operator::Plus, Operator::Minus, Operator::Multiply]
            .into_iter()
            .map(|op| Arc::new(ScalarUDF::new_from_impl(Checked::new(op))))
            .collect();
        let negation = Arc::new(ScalarUDF::new_from_impl(Checked::negation()));
        let date_plus = Arc::new(ScalarUDF::new_from_impl(DateArithmetic::new(
            Operator::Plus,
        )));
        let date_minus = Arc::new(ScalarUDF::new_from_impl(DateArithmetic::new(
            Operator::Minus,
        )));
        let day_to_second = DataType::Interval(IntervalUnit::MonthDayNano);
        let is_nan = Arc::new(ScalarUDF::new_from_impl(
            crate::functions::math::FloatClass::is_nan(),
        ));
        plan.transform_up_with_subqueries(|node| {
            let schema = datafusion::logical_expr::utils::merge_schema(&node.inputs());
            let names = NamePreserver::new(&node);
            let node = node.map_expressions(|e| {
                let name = names.save(&e);
                let e = e.transform_up(|e| match e {
                    Expr::BinaryExpr(BinaryExpr { left, op, right })
                        if matches!(op, Operator::Plus | Operator::Minus | Operator::Multiply)
                            && matches!(
                                left.get_type(&schema),
                                Ok(DataType::Int32 | DataType::Int64)
                            )
                            && left.get_type(&schema).ok() == right.get_type(&schema).ok() =>
                    {
                        let udf = match op {
                            Operator::Plus => &udfs[0],
                            Operator::Minus => &udfs[1],
                            _ => &udfs[2],
                        };
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(udf.clone(), vec![*left, *right]),
                        )))
                    }
                    // date ± interval day to second: whole days only, checked per value.
                    Expr::BinaryExpr(BinaryExpr { left, op, right })
                        if matches!(op, Operator::Plus | Operator::Minus)
                            && matches!(
                                (left.get_type(&schema), right.get_type(&schema)),
                                (Ok(DataType::Date32), Ok(ref i)) if *i == day_to_second
                            ) =>
                    {
                        let udf = if op == Operator::Plus {
                            &date_plus
                        } else {
                            &date_minus
                        };
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(udf.clone(), vec![*left, *right]),
                        )))
                    }
                    Expr::BinaryExpr(BinaryExpr {
                        left,
                        op: Operator::Plus,
                        right,
                    }) if matches!(
                        (left.get_type(&schema), right.get_type(&schema)),
                        (Ok(ref i), Ok(DataType::Date32)) if *i == day_to_second
                    ) =>
                    {
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(date_plus.clone(), vec![*right, *left]),
                        )))
                    }
                    Expr::Negative(x)
                        if matches!(x.get_type(&schema), Ok(DataType::Int32 | DataType::Int64)) =>
                    {
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(negation.clone(), vec![*x]),
                        )))
                    }
                    Expr::BinaryExpr(BinaryExpr { left, op, right })
                        if matches!(
                            op,
                            Operator::Eq
                                | Operator::NotEq
                                | Operator::Lt
                                | Operator::LtEq
                                | Operator::Gt
                                | Operator::GtEq
                        ) && left.get_type(&schema).ok() == Some(DataType::Float64)
                            && right.get_type(&schema).ok() == Some(DataType::Float64) =>
                    {
                        Ok(Transformed::yes(ieee_comparison(
                            *left, op, *right, &is_nan,
                        )))
                    }
                    Expr::Cast(Cast { expr, field }) => {
                        let from = expr.get_type(&schema)?;
                        Ok(
                            match timestream_cast(*expr, &from, field.data_type(), &cast)? {
                                Ok(e) => Transformed::yes(e),
                                Err(e) => Transformed::no(Expr::Cast(Cast::new_from_field(
                                    Box::new(e),
                                    field,
                                ))),
                            },
                        )
                    }
                    Expr::TryCast(TryCast { expr, field }) => {
                        let from = expr.get_type(&schema)?;
                        match (is_float(&from), is_integer(field.data_type())) {
                            (true, true) => Ok(Transformed::yes(Expr::TryCast(TryCast::new(
                                Box::new(Expr::ScalarFunction(ScalarFunction::new_udf(
                                    cast.clone(),
                                    vec![*expr, Expr::Literal(ScalarValue::Float64(None), None)],
                                ))),
                                field.data_type().clone(),
                            )))),
                            _ if (is_text(&from)
                                || matches!(&from, DataType::Dictionary(_, v) if is_text(v)))
                                && matches!(
                                    field.data_type(),
                                    DataType::Int64 | DataType::Int32 | DataType::Boolean
                                ) =>
                            {
                                Ok(Transformed::yes(Expr::ScalarFunction(
                                    ScalarFunction::new_udf(
                                        cast.clone(),
                                        vec![
                                            *expr,
                                            Expr::Literal(
                                                ScalarValue::try_from(field.data_type())?,
                                                None,
                                            ),
                                            Expr::Literal(ScalarValue::Boolean(Some(true)), None),
                                        ],
                                    ),
                                )))
                            }
                            _ => Ok(Transformed::no(Expr::TryCast(TryCast { expr, field }))),
                        }
                    }
                    other => Ok(Transformed::no(other)),
                })?;
                Ok(e.update_data(|e| name.restore(e)))
            })?;
            if node.transformed {
                node.data.recompute_schema().map(Transformed::yes)
            } else {
                Ok(node)
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "timestream_checked_arithmetic"
    }
}
