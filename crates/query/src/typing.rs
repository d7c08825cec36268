//! Timestream's typing rules where DataFusion's planner types differently, applied to the
//! planned (not yet analyzed) logical plan, so that DataFusion's own type coercion then works
//! from Timestream's types.
//!
//! - An integer literal that fits in 32 bits is an `integer` (timestream-sql.md §2.2: `SELECT 1`
//!   answers `INTEGER`); DataFusion plans every integer literal as `Int64`. `LIMIT`/`OFFSET`
//!   counts keep DataFusion's type.
//! - Timestream has two interval types; DataFusion plans every interval literal as one
//!   month-day-nanosecond interval. A literal of whole months (`INTERVAL '3' YEAR`) becomes an
//!   `interval year to month` (Arrow `Interval(YearMonth)`), so that results say
//!   `INTERVAL_YEAR_TO_MONTH` and render `3-0`.
//! - DataFusion's planner calls some functions itself, not through the function registry
//!   (`EXTRACT(f FROM x)` → `date_part`, `SUBSTRING(x FROM n)` → `substr`, `TRIM(…)` → `btrim`…):
//!   such a call to a function our library replaces is pointed at ours.
//! - Timestamp text may omit the seconds (`TIMESTAMP '2020-08-08 01:00'`, §2.4); DataFusion's
//!   parser needs them.

use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{Cast, Expr, LogicalPlan, LogicalPlanBuilder, ScalarUDF, Values};
use std::sync::Arc;

pub fn apply(plan: LogicalPlan, library: &[Arc<ScalarUDF>]) -> Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        if matches!(node, LogicalPlan::Limit(_)) {
            return Ok(Transformed::no(node));
        }
        // Output names stay what the planner made them (`count(Int64(1))`): parents refer to
        // their children's columns by name.
        let names = NamePreserver::new(&node);
        let node = node.map_expressions(|e| {
            let name = names.save(&e);
            Ok(e.transform_up(|e| timestream_expr(e, library))?
                .update_data(|e| name.restore(e)))
        })?;
        // Every node is re-derived: a parent's schema depends on its children's types even when
        // its own expressions did not change.
        let node = match node.data {
            LogicalPlan::Values(Values { values, .. }) if node.transformed => {
                LogicalPlanBuilder::values(values)?.build()?
            }
            other => other.recompute_schema()?,
        };
        Ok(Transformed::yes(node))
    })
    .map(|t| t.data)
}

fn timestream_expr(e: Expr, library: &[Arc<ScalarUDF>]) -> Result<Transformed<Expr>> {
    Ok(match e {
        Expr::ScalarFunction(ScalarFunction { func, args }) => {
            match library.iter().find(|f| f.name() == func.name()) {
                Some(ours) if **ours != *func => Transformed::yes(Expr::ScalarFunction(
                    ScalarFunction::new_udf(ours.clone(), args),
                )),
                _ => Transformed::no(Expr::ScalarFunction(ScalarFunction { func, args })),
            }
        }
        Expr::Literal(
            ScalarValue::IntervalMonthDayNano(Some(IntervalMonthDayNano {
                months,
                days: 0,
                nanoseconds: 0,
            })),
            metadata,
        ) if months != 0 => Transformed::yes(Expr::Literal(
            ScalarValue::IntervalYearMonth(Some(months)),
            metadata,
        )),
        Expr::Cast(Cast { expr, field })
            if matches!(field.data_type(), DataType::Timestamp(_, _)) =>
        {
            match *expr {
                Expr::Literal(ScalarValue::Utf8(Some(text)), metadata) => {
                    let text = complete_timestamp_text(text);
                    Transformed::yes(Expr::Cast(Cast::new_from_field(
                        Box::new(Expr::Literal(ScalarValue::Utf8(Some(text)), metadata)),
                        field,
                    )))
                }
                other => Transformed::no(Expr::Cast(Cast::new_from_field(Box::new(other), field))),
            }
        }
        Expr::Literal(ScalarValue::Int64(Some(v)), metadata) => match i32::try_from(v) {
            Ok(v) => Transformed::yes(Expr::Literal(ScalarValue::Int32(Some(v)), metadata)),
            Err(_) => Transformed::no(Expr::Literal(ScalarValue::Int64(Some(v)), metadata)),
        },
        // The planner types the NULLs of a VALUES list like its other rows.
        Expr::Literal(ScalarValue::Int64(None), metadata) => {
            Transformed::yes(Expr::Literal(ScalarValue::Int32(None), metadata))
        }
        other => Transformed::no(other),
    })
}

/// `YYYY-MM-DD HH:MM` → `YYYY-MM-DD HH:MM:00`; other text unchanged.
fn complete_timestamp_text(text: String) -> String {
    let b = text.as_bytes();
    let hh_mm = b.len() == 16
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && [11, 12, 14, 15].iter().all(|&i| b[i].is_ascii_digit());
    if hh_mm {
        format!("{text}:00")
    } else {
        text
    }
}
