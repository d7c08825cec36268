//! `x [NOT] IN (subquery)` and `[NOT] EXISTS (subquery)` with Trino's answers wherever they
//! stand (timestream-sql.md §5).
//!
//! `x IN (S)` is three-valued in Trino: TRUE when a value `y` of S equals `x`; otherwise NULL
//! when S has rows and `x` or one of them is NULL; otherwise FALSE. DataFusion plans predicate
//! subqueries only in a filter, as joins: exact as a condition joined to the others by AND (a
//! semi join, a null-aware anti join for NOT IN) and, for IN and EXISTS, under AND/OR (a mark
//! join, which answers FALSE where Trino answers NULL: the same to a filter). Anywhere else —
//! under NOT, in CASE or a comparison, in the select list — it answers FALSE for NULL or cannot
//! run the plan at all. There the subquery becomes counts that DataFusion decorrelates into
//! joins (scalar subqueries):
//!
//! ```text
//! x IN (S)   →  CASE WHEN (SELECT count(*) FROM S WHERE y = x) > 0 THEN TRUE
//!                    WHEN (SELECT count(*) FROM S) > 0
//!                         AND (x IS NULL OR (SELECT count(*) FROM S WHERE y IS NULL) > 0) THEN NULL
//!                    ELSE FALSE END
//! EXISTS (S) →  CASE WHEN (SELECT count(*) FROM S) > 0 THEN TRUE ELSE FALSE END
//! ```
//!
//! (a correlated count over no rows may come back NULL rather than 0; each count is only ever
//! tested with `> 0`, so NULL and 0 answer alike). A correlated `x NOT IN (SELECT y …)`
//! condition, whose null-aware join DataFusion cannot run, becomes `NOT EXISTS (SELECT … WHERE
//! y = x OR y IS NULL OR x IS NULL)`, true exactly when the NOT IN is. A correlation DataFusion
//! cannot decorrelate (other than by equality) stays an error.

use std::ops::Not;
use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, Result, ScalarValue};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::expr::{Exists, InSubquery};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::utils::{conjunction, split_conjunction_owned};
use datafusion::logical_expr::{
    lit, when, BinaryExpr, Expr, Filter, LogicalPlan, LogicalPlanBuilder, Operator, Projection,
    Subquery,
};

/// Where a predicate subquery stands, for its three-valued answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A condition of a filter joined to the others by AND.
    Conjunct,
    /// Under AND/OR only, in a filter: FALSE and NULL filter alike.
    Monotone,
    /// Anywhere else (NOT, CASE, comparisons, the select list…): FALSE and NULL differ.
    Other,
}

/// The predicate subqueries of a filter's condition, each where DataFusion answers it exactly.
pub fn in_filter(filter: Filter) -> Result<Filter> {
    let schema = filter.input.schema().clone();
    let mut conditions = Vec::new();
    for condition in split_conjunction_owned(filter.predicate.clone()) {
        let condition = match condition {
            Expr::Not(inner) => match *inner {
                Expr::InSubquery(InSubquery {
                    expr,
                    subquery,
                    negated: false,
                }) => Expr::InSubquery(InSubquery::new(expr, subquery, true)),
                other => Expr::Not(Box::new(other)),
            },
            other => other,
        };
        let condition = match condition {
            Expr::InSubquery(InSubquery {
                expr,
                subquery,
                negated: true,
            }) if !subquery.outer_ref_columns.is_empty() => not_exists(*expr, subquery, &schema)?,
            other => other,
        };
        conditions.push(placed(condition, Place::Conjunct, &schema)?);
    }
    match conjunction(conditions) {
        Some(predicate) if predicate != filter.predicate => {
            Filter::try_new(predicate, filter.input)
        }
        _ => Ok(filter),
    }
}

/// The predicate subqueries of a select list, which DataFusion cannot run as they are.
pub fn in_projection(projection: Projection) -> Result<LogicalPlan> {
    let has_subquery = projection.expr.iter().any(|e| {
        e.exists(|e| Ok(matches!(e, Expr::InSubquery(_) | Expr::Exists(_))))
            .unwrap_or(false)
    });
    if !has_subquery {
        return Ok(LogicalPlan::Projection(projection));
    }
    let schema = projection.input.schema().clone();
    let names = NamePreserver::new_for_projection();
    let expr = projection
        .expr
        .into_iter()
        .map(|e| {
            let name = names.save(&e);
            Ok(name.restore(placed(e, Place::Other, &schema)?))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(LogicalPlan::Projection(Projection::try_new(
        expr,
        projection.input,
    )?))
}

/// `e` with each predicate subquery in it either kept (where DataFusion's joins answer it
/// exactly) or turned into counts. `outer` is the schema the expression reads.
fn placed(e: Expr, place: Place, outer: &DFSchema) -> Result<Expr> {
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(op, Operator::And | Operator::Or) =>
        {
            let inner = match (place, op) {
                (Place::Other, _) => Place::Other,
                (Place::Conjunct, Operator::And) => Place::Conjunct,
                _ => Place::Monotone,
            };
            Ok(Expr::BinaryExpr(BinaryExpr::new(
                Box::new(placed(*left, inner, outer)?),
                op,
                Box::new(placed(*right, inner, outer)?),
            )))
        }
        Expr::InSubquery(InSubquery {
            expr,
            subquery,
            negated,
        }) => {
            let x = placed(*expr, Place::Other, outer)?;
            let exact = if negated {
                place == Place::Conjunct
            } else {
                place != Place::Other
            };
            if exact {
                return Ok(Expr::InSubquery(InSubquery::new(
                    Box::new(x),
                    subquery,
                    negated,
                )));
            }
            let answer = in_as_counts(x, &subquery, outer)?;
            Ok(if negated { answer.not() } else { answer })
        }
        Expr::Exists(Exists { subquery, negated }) if place == Place::Other => {
            let any = when(
                count_rows(&subquery, None, subquery.outer_ref_columns.clone())?.gt(lit(0i64)),
                lit(true),
            )
            .otherwise(lit(false))?;
            Ok(if negated { any.not() } else { any })
        }
        other => other
            .map_children(|child| placed(child, Place::Other, outer).map(Transformed::yes))
            .map(|t| t.data),
    }
}

/// `x IN (S)` as counts over S (see the module's documentation).
fn in_as_counts(x: Expr, subquery: &Subquery, outer: &DFSchema) -> Result<Expr> {
    let (_, y) = renamed(subquery)?;
    let mut correlated = subquery.outer_ref_columns.clone();
    let outer_x = outer_reference(x.clone(), outer, &mut correlated)?;
    let matching = count_rows(subquery, Some(y.clone().eq(outer_x)), correlated)?;
    let rows = count_rows(subquery, None, subquery.outer_ref_columns.clone())?;
    let nulls = count_rows(
        subquery,
        Some(y.is_null()),
        subquery.outer_ref_columns.clone(),
    )?;
    let unknown = rows.gt(lit(0i64)).and(x.is_null().or(nulls.gt(lit(0i64))));
    when(matching.gt(lit(0i64)), lit(true))
        .when(unknown, lit(ScalarValue::Boolean(None)))
        .otherwise(lit(false))
}

/// `(SELECT count(*) FROM S [WHERE condition])`.
fn count_rows(
    subquery: &Subquery,
    condition: Option<Expr>,
    outer_ref_columns: Vec<Expr>,
) -> Result<Expr> {
    let (mut plan, _) = renamed(subquery)?;
    if let Some(condition) = condition {
        plan = plan.filter(condition)?;
    }
    let plan = plan
        .aggregate(Vec::<Expr>::new(), vec![count(lit(1i64))])?
        .build()?;
    Ok(Expr::ScalarSubquery(Subquery {
        subquery: Arc::new(plan),
        outer_ref_columns,
        spans: subquery.spans.clone(),
    }))
}

/// The name the subquery's column goes by where a condition is added to its rows: its own
/// tables may bear the outer query's names (`h IN (SELECT h FROM d.m …)` inside `FROM d.m`),
/// and the condition compares its column with the outer one.
const VALUE: &str = "__subquery_value";

/// The subquery with its (only) column renamed [`VALUE`], and that column.
fn renamed(subquery: &Subquery) -> Result<(LogicalPlanBuilder, Expr)> {
    let (qualifier, field) = subquery.subquery.schema().qualified_field(0);
    let y = Expr::Column(Column::new(qualifier.cloned(), field.name()));
    let plan = LogicalPlanBuilder::from(subquery.subquery.as_ref().clone())
        .project(vec![y.alias(VALUE)])?;
    Ok((plan, Expr::Column(Column::new_unqualified(VALUE))))
}

/// `x` as seen from inside a subquery: its columns (of `outer`) become outer references, added
/// to `outer_ref_columns`.
fn outer_reference(x: Expr, outer: &DFSchema, outer_ref_columns: &mut Vec<Expr>) -> Result<Expr> {
    let x = x
        .transform(|e| match e {
            Expr::Column(c) => {
                let (_, field) = outer.qualified_field_from_column(&c)?;
                let field = field.clone();
                Ok(Transformed::yes(Expr::OuterReferenceColumn(field, c)))
            }
            other => Ok(Transformed::no(other)),
        })?
        .data;
    x.apply(|e| {
        if matches!(e, Expr::OuterReferenceColumn(..)) && !outer_ref_columns.contains(e) {
            outer_ref_columns.push(e.clone());
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(x)
}

/// `x NOT IN (SELECT y …)` (correlated) → `NOT EXISTS (SELECT … WHERE y = x OR y IS NULL OR
/// x IS NULL)`: as a filter condition, both are true exactly when no `y` matches and neither
/// `x` nor a `y` is NULL (or the subquery has no rows).
fn not_exists(x: Expr, subquery: Subquery, outer: &DFSchema) -> Result<Expr> {
    let (plan, y) = renamed(&subquery)?;
    let mut outer_ref_columns = subquery.outer_ref_columns.clone();
    let x = outer_reference(x, outer, &mut outer_ref_columns)?;
    let matches = y.clone().eq(x.clone()).or(y.is_null()).or(x.is_null());
    let plan = plan.filter(matches)?.build()?;
    Ok(Expr::Exists(Exists::new(
        Subquery {
            subquery: Arc::new(plan),
            outer_ref_columns,
            spans: subquery.spans,
        },
        true,
    )))
}
