//! INTERSECT and EXCEPT [ALL] with UNION's column types and Trino's multiplicities.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::NullEquality;
use datafusion::common::{Column, Result};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::type_coercion::binary::type_union_coercion;
use datafusion::logical_expr::{Cast, Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::logical_expr::{ExprFunctionExt, Join, JoinType};

/// INTERSECT / EXCEPT as DataFusion's builder plans them: a LeftSemi / LeftAnti join on every
/// column pair (by name, NULLs equal), the left side made DISTINCT unless ALL. Such a join,
/// recognized by this shape (the planner makes no other semi/anti joins; those of subqueries
/// come later from the optimizer), gets the column types of a UNION and, for ALL, the numbered
/// copies.
pub(super) fn intersect_or_except(join: Join) -> Result<LogicalPlan> {
    let left_fields = join.left.schema().fields().len();
    let set_operation = matches!(join.join_type, JoinType::LeftSemi | JoinType::LeftAnti)
        && join.null_equality == NullEquality::NullEqualsNull
        && join.filter.is_none()
        && join.on.len() == left_fields
        && join.right.schema().fields().len() == left_fields
        && join.on.iter().enumerate().all(|(i, (l, r))| {
            matches!(l, Expr::Column(c) if c.name == *join.left.schema().field(i).name())
                && matches!(r, Expr::Column(c) if c.name == *join.right.schema().field(i).name())
        });
    if !set_operation {
        return Ok(LogicalPlan::Join(join));
    }
    let all = !matches!(join.left.as_ref(), LogicalPlan::Distinct(_));
    let types: Vec<DataType> = join
        .left
        .schema()
        .fields()
        .iter()
        .zip(join.right.schema().fields().iter())
        .map(|(l, r)| {
            if l.data_type() == r.data_type() {
                l.data_type().clone()
            } else {
                type_union_coercion(l.data_type(), r.data_type())
                    .unwrap_or_else(|| l.data_type().clone())
            }
        })
        .collect();
    let side = |plan: &LogicalPlan, rn: &str| -> Result<LogicalPlan> {
        let schema = plan.schema();
        let mut builder = LogicalPlanBuilder::from(plan.clone());
        if schema
            .fields()
            .iter()
            .zip(&types)
            .any(|(f, t)| f.data_type() != t)
        {
            let columns = schema.iter().zip(&types).map(|((q, f), t)| {
                let column = Expr::Column(Column::new(q.cloned(), f.name()));
                if f.data_type() == t {
                    column
                } else {
                    Expr::Cast(Cast::new(Box::new(column), t.clone()))
                        .alias_qualified(q.cloned(), f.name())
                }
            });
            builder = builder.project(columns)?;
        }
        if all {
            let partition: Vec<Expr> = schema
                .iter()
                .map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())))
                .collect();
            let number = row_number().partition_by(partition).build()?.alias(rn);
            builder = builder.window(vec![number])?;
        }
        builder.build()
    };
    let left = side(&join.left, "__left_copy")?;
    let right = side(&join.right, "__right_copy")?;
    let mut keys: (Vec<Column>, Vec<Column>) = join
        .on
        .iter()
        .map(|(l, r)| match (l, r) {
            (Expr::Column(l), Expr::Column(r)) => {
                (Column::from_name(&l.name), Column::from_name(&r.name))
            }
            _ => (Column::from_name(""), Column::from_name("")),
        })
        .unzip();
    if all {
        keys.0.push(Column::from_name("__left_copy"));
        keys.1.push(Column::from_name("__right_copy"));
    }
    let output: Vec<Expr> = left
        .schema()
        .iter()
        .take(left_fields)
        .map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())))
        .collect();
    LogicalPlanBuilder::from(left)
        .join_detailed(
            right,
            join.join_type,
            keys,
            None,
            NullEquality::NullEqualsNull,
        )?
        .project(output)?
        .build()
}
