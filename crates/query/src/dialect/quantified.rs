//! `x op ANY/ALL (subquery)` with Trino's NULL semantics.

use datafusion::sql::sqlparser::ast::{visit_expressions, BinaryOperator, Expr as SqlExpr};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::ops::ControlFlow;

pub(super) fn quantified(
    left: &SqlExpr,
    op: &BinaryOperator,
    right: &SqlExpr,
    all: bool,
) -> Option<SqlExpr> {
    let SqlExpr::Subquery(query) = right else {
        return None;
    };
    let mut has_column = false;
    let _ = visit_expressions(left, |e| {
        if matches!(e, SqlExpr::Identifier(_) | SqlExpr::CompoundIdentifier(_)) {
            has_column = true;
        }
        ControlFlow::<()>::Continue(())
    });
    let compare = format!("({left}) {op} __quantified.__v");
    let text = if has_column {
        // The comparison inside the subquery would correlate it with the outer row, which
        // DataFusion cannot run as an aggregated scalar subquery: the subquery's extremes
        // decide instead (uncorrelated), or an IN / NOT IN for `= ANY` / `<> ALL`.
        let x = format!("({left})");
        let of =
            |aggregate: &str| format!("(SELECT {aggregate} FROM ({query}) AS __quantified(__v))");
        let (rows, values) = (of("count(*)"), of("count(__v)"));
        let (low, high) = (of("min(__v)"), of("max(__v)"));
        let decides = |least: bool| match op {
            BinaryOperator::Lt | BinaryOperator::LtEq => {
                Some(format!("{x} {op} {}", if least { &low } else { &high }))
            }
            BinaryOperator::Gt | BinaryOperator::GtEq => {
                Some(format!("{x} {op} {}", if least { &high } else { &low }))
            }
            BinaryOperator::Eq => Some(format!("({x} = {low} AND {x} = {high})")),
            BinaryOperator::NotEq => Some(format!("({x} <> {low} OR {x} <> {high})")),
            _ => None,
        };
        match (op, all) {
            (BinaryOperator::Eq, false) => format!("{x} IN ({query})"),
            (BinaryOperator::NotEq, true) => format!("{x} NOT IN ({query})"),
            // x op ALL: false as soon as the most demanding value fails the comparison
            (_, true) => format!(
                "(CASE WHEN {rows} = 0 THEN true WHEN {x} IS NULL THEN NULL \
                 WHEN NOT ({}) THEN false WHEN {values} < {rows} THEN NULL ELSE true END)",
                decides(true)?
            ),
            // x op ANY: true as soon as the most lenient value passes it
            (_, false) => format!(
                "(CASE WHEN {rows} = 0 THEN false WHEN {x} IS NULL THEN NULL \
                 WHEN {} THEN true WHEN {values} < {rows} THEN NULL ELSE false END)",
                decides(false)?
            ),
        }
    } else if all {
        format!(
            "(SELECT CASE WHEN bool_or(NOT ({compare})) THEN false \
             WHEN count(*) > count({compare}) THEN NULL ELSE true END \
             FROM ({query}) AS __quantified(__v))"
        )
    } else {
        format!(
            "(SELECT CASE WHEN bool_or({compare}) THEN true \
             WHEN count(*) > count({compare}) THEN NULL ELSE false END \
             FROM ({query}) AS __quantified(__v))"
        )
    };
    Parser::new(&GenericDialect {})
        .try_with_sql(&text)
        .and_then(|mut p| p.parse_expr())
        .ok()
}
