//! The AST pass: the parsed statement rewritten where Timestream's meaning differs from
//! DataFusion's.

use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    visit_expressions_mut, DateTimeField, Expr as SqlExpr, Interval, Value, VisitMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use std::ops::ControlFlow;

use super::distinct_from_precedence::{distinct_from_precedence, is_and_or};
use super::lambdas::Lambdas;
use super::quantified::quantified;
use super::row_values::RowValues;
use super::select_names::UniqueSelectNames;
use super::single_row::single_row;

/// Rewrites of the parsed statement, for what Timestream accepts and DataFusion does not plan:
/// - quantified comparisons `x op ANY|SOME|ALL (subquery)` become a scalar subquery with
///   Trino's three-valued result (true / false, NULL when no comparison decides and one was
///   NULL; ANY of no rows is false, ALL of no rows is true); with a column on the left, the
///   subquery's extremes decide in uncorrelated subqueries (`= ANY` / `<> ALL` become IN /
///   NOT IN);
/// - `a IS [NOT] DISTINCT FROM b AND c` is `(a IS [NOT] DISTINCT FROM b) AND c`;
/// - a scalar subquery without an aggregate answers its one value through an aggregate (see
///   [`single_row`]), which DataFusion can decorrelate;
/// - select items get unique names, as DataFusion requires: an unnamed expression is named
///   `_col<N>` as Timestream names it, a repeated name gets a hidden suffix (the result columns
///   keep the user's names, taken before this rewrite);
/// - the bare keywords `localtime` and `localtimestamp` are `current_time()` and
///   `current_timestamp()` (everything is UTC);
/// - a zero year-to-month interval is typed as one (see [`ZERO_YEAR_TO_MONTH`]);
/// - VALUES items that are row constructors are rows of their fields (see `RowValues`), and an
///   output alias named like a qualified input column in ORDER BY is renamed (see
///   `order_by_input_columns`);
/// - the lambda marker calls of [`rewrite`] become lambda expressions (see `Lambdas`).
pub fn rewrite_statement(statement: &mut DfStatement) {
    let DfStatement::Statement(statement) = statement else {
        return;
    };
    let _ = statement.visit(&mut RowValues);
    let _ = statement.visit(&mut UniqueSelectNames::default());
    let _ = visit_expressions_mut(statement.as_mut(), |expr| {
        let replacement = match expr {
            SqlExpr::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => quantified(left, compare_op, right, false),
            SqlExpr::AllOp {
                left,
                compare_op,
                right,
            } => quantified(left, compare_op, right, true),
            SqlExpr::Interval(interval) if is_zero_year_to_month(interval) => {
                Parser::new(&GenericDialect {})
                    .try_with_sql(ZERO_YEAR_TO_MONTH)
                    .and_then(|mut p| p.parse_expr())
                    .ok()
            }
            SqlExpr::IsDistinctFrom(_, right) | SqlExpr::IsNotDistinctFrom(_, right)
                if is_and_or(right) =>
            {
                Some(distinct_from_precedence(expr.clone()))
            }
            // sqlparser reads these keywords as calls without arguments.
            SqlExpr::Function(f) => {
                let function = match f.name.to_string().to_ascii_lowercase().as_str() {
                    "localtime" => "current_time()",
                    "localtimestamp" => "current_timestamp()",
                    _ => return ControlFlow::Continue(()),
                };
                Parser::new(&GenericDialect {})
                    .try_with_sql(function)
                    .and_then(|mut p| p.parse_expr())
                    .ok()
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            *expr = replacement;
        }
        ControlFlow::<()>::Continue(())
    });
    // After the quantified comparisons, whose subqueries are not scalar ones.
    let _ = visit_expressions_mut(statement.as_mut(), |expr| {
        if let SqlExpr::Subquery(query) = expr {
            if let Some(replacement) = single_row(query) {
                *expr = replacement;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    // Last: the rewrites above print expressions and parse them again, which a lambda
    // expression does not survive (GenericDialect has no lambda syntax).
    let _ = statement.visit(&mut Lambdas::default());
}

/// DataFusion plans every interval literal as one month-day-nanosecond value, which Timestream's
/// typing (typing/retype_expr.rs) makes an `interval year to month` when it is a whole number of months; a
/// zero cannot be told from a zero day-to-second interval there, so `INTERVAL '0' YEAR` (or
/// `0month`) becomes an Arrow year-month zero here.
const ZERO_YEAR_TO_MONTH: &str = "arrow_cast('0 months', 'Interval(YearMonth)')";

/// `INTERVAL '0' YEAR`, `INTERVAL '0' MONTH`.
fn is_zero_year_to_month(interval: &Interval) -> bool {
    let year_or_month = matches!(
        interval.leading_field,
        Some(
            DateTimeField::Year
                | DateTimeField::Years
                | DateTimeField::Month
                | DateTimeField::Months
        )
    );
    let zero = matches!(
        interval.value.as_ref(),
        SqlExpr::Value(v) if matches!(&v.value, Value::SingleQuotedString(t) if t.trim().parse::<i64>() == Ok(0))
    );
    year_or_month && interval.last_field.is_none() && zero
}
