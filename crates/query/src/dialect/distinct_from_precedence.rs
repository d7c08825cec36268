//! `IS [NOT] DISTINCT FROM` given Trino's precedence over AND and OR.

use datafusion::sql::sqlparser::ast::{BinaryOperator, Expr as SqlExpr};

pub(super) fn is_and_or(expr: &SqlExpr) -> bool {
    matches!(
        expr,
        SqlExpr::BinaryOp {
            op: BinaryOperator::And | BinaryOperator::Or,
            ..
        }
    )
}

/// sqlparser reads the right operand of `IS [NOT] DISTINCT FROM` as a whole expression, so
/// `a IS DISTINCT FROM b AND c` comes out as `a IS DISTINCT FROM (b AND c)`; it is a comparison
/// and binds tighter than AND/OR (Trino): `(a IS DISTINCT FROM b) AND c`. The comparison moves
/// down to the leftmost operand of the AND/OR chain.
pub(super) fn distinct_from_precedence(expr: SqlExpr) -> SqlExpr {
    let (left, right, negated) = match expr {
        SqlExpr::IsDistinctFrom(l, r) => (l, r, false),
        SqlExpr::IsNotDistinctFrom(l, r) => (l, r, true),
        other => return other,
    };
    match *right {
        SqlExpr::BinaryOp {
            left: first,
            op: op @ (BinaryOperator::And | BinaryOperator::Or),
            right: rest,
        } => {
            let compared = if negated {
                SqlExpr::IsNotDistinctFrom(left, first)
            } else {
                SqlExpr::IsDistinctFrom(left, first)
            };
            SqlExpr::BinaryOp {
                left: Box::new(distinct_from_precedence(compared)),
                op,
                right: rest,
            }
        }
        other if negated => SqlExpr::IsNotDistinctFrom(left, Box::new(other)),
        other => SqlExpr::IsDistinctFrom(left, Box::new(other)),
    }
}
