//! Scalar subqueries that must return at most one row, checked at run time.

use datafusion::sql::sqlparser::ast::{
    visit_expressions, Expr as SqlExpr, GroupByExpr, Query, SelectItem, SetExpr,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::ops::ControlFlow;

use super::aggregate_names::is_aggregate;

/// A scalar subquery that is not aggregated, `(SELECT h.cores FROM t h WHERE h.k = m.k)`:
/// DataFusion plans a correlated one only when it is aggregated. It becomes `(SELECT CASE WHEN
/// count(*) > 1 THEN <error> ELSE max(e) END …)`, the one value or NULL, and Trino's error when a
/// row gets more than one value.
pub(super) fn single_row(query: &Query) -> Option<SqlExpr> {
    if query.limit_clause.is_some() || query.fetch.is_some() || query.order_by.is_some() {
        return None;
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
    if grouped || select.having.is_some() || select.distinct.is_some() || select.from.is_empty() {
        return None;
    }
    let [item] = select.projection.as_slice() else {
        return None;
    };
    let (expr, alias) = match item {
        SelectItem::UnnamedExpr(e) => (e, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias)),
        _ => return None,
    };
    let mut aggregated = false;
    let _ = visit_expressions(expr, |e| {
        if let SqlExpr::Function(f) = e {
            let name = f
                .name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.to_ascii_lowercase())
                .unwrap_or_default();
            if f.over.is_some() || f.filter.is_some() || is_aggregate(&name) {
                aggregated = true;
            }
        }
        if matches!(e, SqlExpr::Subquery(_)) {
            aggregated = true;
        }
        ControlFlow::<()>::Continue(())
    });
    if aggregated {
        return None;
    }
    let mut query = query.clone();
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let single = Parser::new(&GenericDialect {})
        .try_with_sql(&format!(
            "CASE WHEN count(*) > 1 THEN {SINGLE_ROW_ERROR}('Scalar sub-query has returned \
             multiple rows') ELSE max({expr}) END"
        ))
        .and_then(|mut p| p.parse_expr())
        .ok()?;
    select.projection = vec![match alias {
        Some(alias) => SelectItem::ExprWithAlias {
            expr: single,
            alias: alias.clone(),
        },
        None => SelectItem::UnnamedExpr(single),
    }];
    Some(SqlExpr::Subquery(Box::new(query)))
}

/// The function [`single_row`] calls for a second row: an error with its argument as message.
pub const SINGLE_ROW_ERROR: &str = "__timestream_fail";
