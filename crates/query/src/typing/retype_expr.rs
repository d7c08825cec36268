//! The per-expression part of the retyping pass: literals, the calls the planner makes itself,
//! LIKE patterns, timestamp text and row casts given Timestream's types and meaning.

use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano};
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{Cast, Expr, ScalarUDF};
use std::sync::Arc;

use super::trino_like::trino_like;

/// `e` (one node, its children already done) with Timestream's type or meaning, if they differ.
pub(super) fn timestream_expr(e: Expr, library: &[Arc<ScalarUDF>]) -> Result<Transformed<Expr>> {
    Ok(match e {
        // `x[i]`: the library's subscript, an error out of range.
        Expr::ScalarFunction(ScalarFunction { func, args }) if func.name() == "array_element" => {
            Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(
                Arc::new(ScalarUDF::new_from_impl(
                    crate::functions::array::subscript::Subscript::new(),
                )),
                args,
            )))
        }
        // try(…): its casts become TRY_CASTs before DataFusion's constant folding would raise
        // the error of a literal's cast at planning.
        Expr::ScalarFunction(ScalarFunction { func, args }) if func.name() == "try" => {
            let args = args
                .into_iter()
                .map(crate::functions::conditional::shield_literal_casts)
                .collect::<Result<Vec<_>>>()?;
            let func = library
                .iter()
                .find(|f| f.name() == "try")
                .cloned()
                .unwrap_or(func);
            Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(func, args)))
        }
        Expr::ScalarFunction(ScalarFunction { func, args }) => {
            match library.iter().find(|f| f.name() == func.name()) {
                Some(ours) if **ours != *func => Transformed::yes(Expr::ScalarFunction(
                    ScalarFunction::new_udf(ours.clone(), args),
                )),
                _ => Transformed::no(Expr::ScalarFunction(ScalarFunction { func, args })),
            }
        }
        Expr::Like(like) if !like.case_insensitive => trino_like(like)?,
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
        // CAST(ROW(…) AS ROW(name type, …)): Trino names the row's fields by position (how a
        // reduce state gets its names); DataFusion casts structs by field name.
        Expr::Cast(Cast { expr, field }) if matches!(field.data_type(), DataType::Struct(_)) => {
            match name_row_fields(*expr, field.data_type()) {
                Ok(named) => {
                    Transformed::yes(Expr::Cast(Cast::new_from_field(Box::new(named), field)))
                }
                Err(other) => {
                    Transformed::no(Expr::Cast(Cast::new_from_field(Box::new(other), field)))
                }
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

/// A row constructor `ROW(a, b)` cast to a row type of as many fields: `named_struct` with
/// the target's field names, inner rows likewise (`Ok`); any other expression back (`Err`).
fn name_row_fields(expr: Expr, target: &DataType) -> std::result::Result<Expr, Expr> {
    let DataType::Struct(fields) = target else {
        return Err(expr);
    };
    match expr {
        // `ROW(…)` calls `struct` by an alias, which the planner keeps as the column name.
        Expr::Alias(alias) => name_row_fields(*alias.expr, target),
        Expr::ScalarFunction(ScalarFunction { func, args })
            if func.name() == "struct" && args.len() == fields.len() =>
        {
            let pairs = fields.iter().zip(args).flat_map(|(f, arg)| {
                let arg = name_row_fields(arg, f.data_type()).unwrap_or_else(|e| e);
                [
                    Expr::Literal(ScalarValue::Utf8(Some(f.name().clone())), None),
                    arg,
                ]
            });
            Ok(Expr::ScalarFunction(ScalarFunction::new_udf(
                datafusion::functions::core::named_struct(),
                pairs.collect(),
            )))
        }
        other => Err(other),
    }
}

/// `YYYY-MM-DD HH:MM` → `YYYY-MM-DD HH:MM:00`; other text unchanged.
pub(crate) fn complete_timestamp_text(text: String) -> String {
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
