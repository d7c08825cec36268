//! Comparisons of doubles by IEEE's NaN rules.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, ScalarUDF};
use std::sync::Arc;

/// A comparison of doubles with IEEE's (and Trino's) NaN rules: NaN equals nothing, itself
/// included, and is neither less nor greater than anything; DataFusion compares floats by their
/// total order (NaN = NaN, NaN above everything). ORDER BY, GROUP BY and DISTINCT keep the total
/// order, as Trino's do.
pub(super) fn ieee_comparison(
    left: Expr,
    op: Operator,
    right: Expr,
    is_nan: &Arc<ScalarUDF>,
) -> Expr {
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
