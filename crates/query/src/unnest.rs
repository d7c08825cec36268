//! `UNNEST` as Trino and Timestream have it (timestream-functions.md §12.2, timestream-sql.md):
//! one row per element, an array of rows (and a `timeseries`, whose points are `{time, value}`
//! rows) expanded into one column per field — `CROSS JOIN UNNEST(series)` gives `time` and
//! `value`, `AS t(a, b)` renames them —, several arrays side by side (the shorter padded with
//! NULLs), `WITH ORDINALITY` numbering the elements from 1, and an empty or NULL array giving no
//! row (the outer row disappears from `CROSS JOIN UNNEST`).
//!
//! DataFusion 55 yields a row element as one struct column and cannot run `CROSS JOIN
//! UNNEST(column)` at all (its lateral subquery keeps outer references the physical planner
//! rejects). Two pieces fix that:
//! - [`UnnestPlanner`], a relation planner: the `UNNEST` table factor becomes
//!   `Projection(columns) ← Unnest ← Projection(arrays) ← one empty row`, with the columns and
//!   names above, so the rest of the query is planned against the right schema;
//! - [`decorrelate`]: a join of a relation with such a plan that refers to the relation's columns
//!   (DataFusion wraps it in a lateral `Subquery`) becomes the same unnest over the relation
//!   itself: `Projection(left, columns) ← Unnest ← Projection(left, arrays) ← left`.

use std::sync::atomic::{AtomicUsize, Ordering};

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{
    not_impl_err, plan_err, Column, DFSchema, NullHandling, Result, ScalarValue, UnnestOptions,
};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::planner::{
    PlannedRelation, RelationPlanner, RelationPlannerContext, RelationPlanning,
};
use datafusion::logical_expr::{
    col, lit, Expr, ExprSchemable, JoinType, LogicalPlan, LogicalPlanBuilder, Projection,
    SubqueryAlias,
};
use datafusion::sql::sqlparser::ast::{TableAlias, TableFactor};

use datafusion::arrow::datatypes::DataType;

/// Names of the unnested arrays inside a plan, unique per process.
static NEXT: AtomicUsize = AtomicUsize::new(0);
const PREFIX: &str = "__unnest_";

#[derive(Debug)]
pub struct UnnestPlanner;

impl RelationPlanner for UnnestPlanner {
    fn plan_relation(
        &self,
        relation: TableFactor,
        context: &mut dyn RelationPlannerContext,
    ) -> Result<RelationPlanning> {
        let TableFactor::UNNEST {
            alias,
            array_exprs,
            with_offset,
            with_offset_alias: _,
            with_ordinality,
        } = relation
        else {
            return Ok(RelationPlanning::Original(Box::new(relation)));
        };
        if with_offset {
            return not_impl_err!("UNNEST WITH OFFSET is not supported");
        }
        if array_exprs.is_empty() {
            return plan_err!("UNNEST must have at least one argument");
        }
        let empty = DFSchema::empty();
        let mut arrays = Vec::new();
        for sql in array_exprs {
            let expr = context.sql_expr_to_logical_expr(sql, &empty)?;
            let element = match expr.get_type(&empty)? {
                DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                    f.data_type().clone()
                }
                DataType::Null => DataType::Null,
                other => {
                    return plan_err!(
                        "Cannot unnest type: {}",
                        crate::functions::conversion::sql_type::sql_type_name(&other)
                    )
                }
            };
            arrays.push((expr, element));
        }
        if with_ordinality {
            // A second array beside the first: 1 … its cardinality.
            let Some(sequence) = context.context_provider().get_function_meta("sequence") else {
                return plan_err!("UNNEST WITH ORDINALITY needs the sequence function");
            };
            let Some(cardinality) = context.context_provider().get_function_meta("cardinality")
            else {
                return plan_err!("UNNEST WITH ORDINALITY needs the cardinality function");
            };
            let longest = arrays
                .iter()
                .map(|(e, _)| {
                    Expr::ScalarFunction(ScalarFunction::new_udf(
                        cardinality.clone(),
                        vec![e.clone()],
                    ))
                })
                .reduce(|a, b| {
                    Expr::ScalarFunction(ScalarFunction::new_udf(
                        context
                            .context_provider()
                            .get_function_meta("greatest")
                            .unwrap_or_else(|| cardinality.clone()),
                        vec![a, b],
                    ))
                })
                .unwrap_or_else(|| lit(0i64));
            let numbers =
                Expr::ScalarFunction(ScalarFunction::new_udf(sequence, vec![lit(1i64), longest]));
            arrays.push((numbers, DataType::Int64));
        }

        let names: Vec<String> = arrays
            .iter()
            .map(|_| format!("{PREFIX}{}", NEXT.fetch_add(1, Ordering::Relaxed)))
            .collect();
        let aliases: Vec<String> = alias
            .as_ref()
            .map(|a| a.columns.iter().map(|c| c.name.value.clone()).collect())
            .unwrap_or_default();
        let mut columns = Vec::new();
        for ((_, element), name) in arrays.iter().zip(&names) {
            match element {
                DataType::Struct(fields) => {
                    for f in fields {
                        columns.push((
                            get_field(col(name.as_str()), f.name().as_str()),
                            f.name().clone(),
                        ));
                    }
                }
                _ => {
                    let default = if with_ordinality && Some(name) == names.last() {
                        "ordinality".to_owned()
                    } else {
                        format!("_col{}", columns.len())
                    };
                    columns.push((col(name.as_str()), default));
                }
            }
        }
        if !aliases.is_empty() && aliases.len() != columns.len() {
            return plan_err!(
                "Column alias list has {} entries but relation has {} columns",
                aliases.len(),
                columns.len()
            );
        }
        let outputs: Vec<Expr> = columns
            .into_iter()
            .enumerate()
            .map(|(i, (expr, default))| expr.alias(aliases.get(i).cloned().unwrap_or(default)))
            .collect();

        let inputs: Vec<Expr> = arrays
            .into_iter()
            .zip(&names)
            .map(|((expr, _), name)| expr.alias(name))
            .collect();
        let plan = LogicalPlanBuilder::empty(true)
            .project(inputs)?
            .unnest_columns_with_options(
                names
                    .iter()
                    .map(|n| Column::from_name(n.as_str()))
                    .collect(),
                drop_empty(),
            )?
            .project(outputs)?
            .build()?;
        let alias = alias.map(|a| TableAlias {
            columns: vec![],
            ..a
        });
        Ok(RelationPlanning::Planned(Box::new(PlannedRelation::new(
            plan, alias,
        ))))
    }
}

fn drop_empty() -> UnnestOptions {
    UnnestOptions {
        null_handling: NullHandling::Drop,
        ..Default::default()
    }
}

/// Rewrites every lateral join with an unnest of [`UnnestPlanner`] into an unnest over the
/// join's left side (see the module documentation).
pub fn decorrelate(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up(|node| {
        let LogicalPlan::Join(join) = &node else {
            return Ok(Transformed::no(node));
        };
        let (alias, subquery) = match join.right.as_ref() {
            LogicalPlan::SubqueryAlias(SubqueryAlias { input, alias, .. }) => {
                match input.as_ref() {
                    LogicalPlan::Subquery(s) => (Some(alias.clone()), s),
                    _ => return Ok(Transformed::no(node)),
                }
            }
            LogicalPlan::Subquery(s) => (None, s),
            _ => return Ok(Transformed::no(node)),
        };
        let Some((outputs, unnest_inputs)) = unnest_parts(&subquery.subquery) else {
            return Ok(Transformed::no(node));
        };
        let keep_outer = match join.join_type {
            JoinType::Inner => false,
            JoinType::Left => true,
            _ => return not_impl_err!("UNNEST is only supported in CROSS JOIN and LEFT JOIN"),
        };
        let always = |f: &Expr| matches!(f, Expr::Literal(ScalarValue::Boolean(Some(true)), _));
        if !join.on.is_empty() || join.filter.as_ref().is_some_and(|f| !always(f)) {
            return not_impl_err!("A join with UNNEST cannot have a join condition");
        }
        let left = join.left.as_ref().clone();
        let left_columns: Vec<Expr> = left
            .schema()
            .columns()
            .into_iter()
            .map(Expr::Column)
            .collect();
        let mut first = left_columns.clone();
        let mut names = Vec::new();
        for input in unnest_inputs {
            let Expr::Alias(a) = input else {
                return Ok(Transformed::no(node));
            };
            names.push(Column::from_name(a.name.as_str()));
            first.push(strip_outer_references(a.expr.as_ref().clone())?.alias(a.name.clone()));
        }
        let options = if keep_outer {
            UnnestOptions {
                null_handling: NullHandling::PreserveAndExpandEmpty,
                ..Default::default()
            }
        } else {
            drop_empty()
        };
        let mut last = left_columns;
        for output in outputs {
            last.push(match (output, &alias) {
                (Expr::Alias(a), Some(t)) => a
                    .expr
                    .as_ref()
                    .clone()
                    .alias_qualified(Some(t.clone()), a.name.clone()),
                (e, _) => e.clone(),
            });
        }
        let plan = LogicalPlanBuilder::from(left)
            .project(first)?
            .unnest_columns_with_options(names, options)?
            .project(last)?
            .build()?;
        Ok(Transformed::yes(plan))
    })
    .map(|t| t.data)
}

/// The output expressions and the array expressions of an unnest planned by [`UnnestPlanner`].
fn unnest_parts(plan: &LogicalPlan) -> Option<(&[Expr], &[Expr])> {
    let LogicalPlan::Projection(Projection {
        expr: outputs,
        input,
        ..
    }) = plan
    else {
        return None;
    };
    let LogicalPlan::Unnest(unnest) = input.as_ref() else {
        return None;
    };
    let LogicalPlan::Projection(Projection {
        expr: inputs,
        input,
        ..
    }) = unnest.input.as_ref()
    else {
        return None;
    };
    let LogicalPlan::EmptyRelation(_) = input.as_ref() else {
        return None;
    };
    let ours = inputs
        .iter()
        .all(|e| matches!(e, Expr::Alias(a) if a.name.starts_with(PREFIX)));
    ours.then_some((outputs.as_slice(), inputs.as_slice()))
}

fn strip_outer_references(expr: Expr) -> Result<Expr> {
    expr.transform(|e| match e {
        Expr::OuterReferenceColumn(_, column) => Ok(Transformed::yes(Expr::Column(column))),
        other => Ok(Transformed::no(other)),
    })
    .map(|t| t.data)
}
