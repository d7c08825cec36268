//! Trino's type errors, raised on the planned plan before DataFusion's coercion would make the
//! operands fit (timestream-sql.md §3.3): there is no implicit varchar ↔ number or varchar ↔
//! boolean conversion, so `dim = 123` is an error in Timestream where DataFusion would cast the
//! dimension to a number (and answer, or fail on the first non-numeric value at run time).
//! The one extension Timestream has, a varchar meeting a timestamp or date, is accepted.
//!
//! - comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`, `IS [NOT] DISTINCT FROM`) of incomparable
//!   types: `Cannot apply operator: varchar = integer`; `BETWEEN`: `Cannot check if varchar is
//!   BETWEEN integer and integer`; `||` of anything but varchar values or arrays:
//!   `Cannot apply operator: varchar || integer`; `+`/`-` of the two interval types:
//!   `Cannot apply operator: interval year to month + interval day to second` (for literals,
//!   which DataFusion's planner adds up into one value, parse.rs checks the text);
//! - `IN` lists, `CASE` results and `COALESCE` operands without a common type: `IN value and
//!   list items must be the same type: varchar`, `All CASE results must be the same type:
//!   integer`, `All COALESCE operands must be the same type: integer` (the common type of the
//!   items before the one that does not fit, as Trino names it);
//! - a condition that is not boolean: `WHERE clause must evaluate to a boolean: actual type
//!   integer` (`HAVING clause …`), `Left side of logical expression must evaluate to a boolean
//!   (actual: varchar)` (`Right side …`), `Value of logical NOT expression must evaluate to a
//!   boolean (actual: varchar)`;
//! - the arguments of a function taking lambdas, lambda results included (functions/lambda:
//!   `Unexpected parameters (array(integer), function(integer,integer)) for function filter…`).
//!
//! Each error is placed as Trino places it (the comparison's left operand, the item that does not
//! fit, the condition) with `line L:C:` when that expression starts with a column: DataFusion
//! keeps the spans of column references only. The position is in the text DataFusion parsed (the
//! dialect's rewrite); the error mapping translates it to the user's text.

use datafusion::arrow::datatypes::{DataType, IntervalUnit};
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, DataFusionError, Result};
use datafusion::logical_expr::expr::{Between, Case, HigherOrderFunction, InList, ScalarFunction};
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator, ValueOrLambda,
};

use crate::functions::conversion::sql_type::sql_type_name;

/// The kinds of value Trino converts between implicitly; a pair of different kinds meets only
/// where [`common_kind`] says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `unknown` (a bare NULL): fits anything.
    Unknown,
    Text,
    Number,
    Boolean,
    /// timestamp and date (a date widens to a timestamp).
    Instant,
    Time,
    DayToSecond,
    YearToMonth,
    Array,
    Row,
    /// Anything else DataFusion has: not judged here.
    Other,
}

fn kind(t: &DataType) -> Kind {
    match t {
        DataType::Null => Kind::Unknown,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Text,
        DataType::Dictionary(_, v) => kind(v),
        DataType::Boolean => Kind::Boolean,
        t if t.is_numeric() => Kind::Number,
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => Kind::Instant,
        DataType::Time32(_) | DataType::Time64(_) => Kind::Time,
        DataType::Interval(IntervalUnit::YearMonth) => Kind::YearToMonth,
        DataType::Interval(_) | DataType::Duration(_) => Kind::DayToSecond,
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => Kind::Array,
        DataType::Struct(_) => Kind::Row,
        _ => Kind::Other,
    }
}

/// The kind two values meet as, if any: the same kind, anything with `unknown`, and
/// Timestream's varchar → timestamp.
fn common_kind(a: Kind, b: Kind) -> Option<Kind> {
    match (a, b) {
        (Kind::Other, _) | (_, Kind::Other) => Some(Kind::Other),
        (Kind::Unknown, k) | (k, Kind::Unknown) => Some(k),
        (Kind::Text, Kind::Instant) | (Kind::Instant, Kind::Text) => Some(Kind::Instant),
        (a, b) if a == b => Some(a),
        _ => None,
    }
}

/// Checks the expressions of one plan node (whose inputs are already checked).
pub fn check(node: &LogicalPlan) -> Result<()> {
    let schema = merge_schema(&node.inputs());
    // Operands first: a condition's own type cannot be derived when its operands do not fit.
    let mut error = Ok(());
    node.apply_expressions(|e| {
        e.apply(|e| match check_expr(e, &schema) {
            Ok(()) => Ok(TreeNodeRecursion::Continue),
            Err(e) => {
                error = Err(e);
                Ok(TreeNodeRecursion::Stop)
            }
        })
    })?;
    error?;
    if let LogicalPlan::Filter(filter) = node {
        let clause = match filter.input.as_ref() {
            LogicalPlan::Aggregate(_) => "HAVING",
            _ => "WHERE",
        };
        let t = filter.predicate.get_type(&schema)?;
        if !is_boolean(&t) {
            return Err(at(
                &filter.predicate,
                format!(
                    "{clause} clause must evaluate to a boolean: actual type {}",
                    sql_type_name(&t)
                ),
            ));
        }
    }
    Ok(())
}

fn is_boolean(t: &DataType) -> bool {
    matches!(kind(t), Kind::Boolean | Kind::Unknown | Kind::Other)
}

fn check_expr(e: &Expr, schema: &DFSchema) -> Result<()> {
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (l, r) = (left.get_type(schema)?, right.get_type(schema)?);
            match op {
                Operator::Eq
                | Operator::NotEq
                | Operator::Lt
                | Operator::LtEq
                | Operator::Gt
                | Operator::GtEq
                | Operator::IsDistinctFrom
                | Operator::IsNotDistinctFrom
                    if common_kind(kind(&l), kind(&r)).is_none() =>
                {
                    Err(at(
                        left,
                        format!(
                            "Cannot apply operator: {} {op} {}",
                            sql_type_name(&l),
                            sql_type_name(&r)
                        ),
                    ))
                }
                // The two interval types do not mix (DataFusion would add the months and the
                // days into one value).
                Operator::Plus | Operator::Minus
                    if matches!(
                        (kind(&l), kind(&r)),
                        (Kind::YearToMonth, Kind::DayToSecond)
                            | (Kind::DayToSecond, Kind::YearToMonth)
                    ) =>
                {
                    Err(at(
                        left,
                        format!(
                            "Cannot apply operator: {} {op} {}",
                            sql_type_name(&l),
                            sql_type_name(&r)
                        ),
                    ))
                }
                Operator::And | Operator::Or => {
                    for (side, operand, t) in [("Left", left, &l), ("Right", right, &r)] {
                        if !is_boolean(t) {
                            return Err(at(
                                operand,
                                format!(
                                    "{side} side of logical expression must evaluate to a \
                                     boolean (actual: {})",
                                    sql_type_name(t)
                                ),
                            ));
                        }
                    }
                    Ok(())
                }
                Operator::StringConcat => {
                    let textual = |t: &DataType| matches!(kind(t), Kind::Text | Kind::Unknown);
                    let array = |t: &DataType| kind(t) == Kind::Array;
                    if array(&l) || array(&r) || textual(&l) && textual(&r) {
                        Ok(())
                    } else {
                        Err(at(
                            left,
                            format!(
                                "Cannot apply operator: {} || {}",
                                sql_type_name(&l),
                                sql_type_name(&r)
                            ),
                        ))
                    }
                }
                _ => Ok(()),
            }
        }
        Expr::Not(x) => {
            let t = x.get_type(schema)?;
            if is_boolean(&t) {
                Ok(())
            } else {
                Err(at(
                    x,
                    format!(
                        "Value of logical NOT expression must evaluate to a boolean (actual: {})",
                        sql_type_name(&t)
                    ),
                ))
            }
        }
        Expr::Between(Between {
            expr, low, high, ..
        }) => {
            let (v, lo, hi) = (
                expr.get_type(schema)?,
                low.get_type(schema)?,
                high.get_type(schema)?,
            );
            let fits = |b: &DataType| common_kind(kind(&v), kind(b)).is_some();
            if fits(&lo) && fits(&hi) {
                Ok(())
            } else {
                Err(at(
                    expr,
                    format!(
                        "Cannot check if {} is BETWEEN {} and {}",
                        sql_type_name(&v),
                        sql_type_name(&lo),
                        sql_type_name(&hi)
                    ),
                ))
            }
        }
        Expr::InList(InList { expr, list, .. }) => same_kind(
            std::iter::once(expr.as_ref()).chain(list),
            schema,
            "IN value and list items",
        ),
        Expr::Case(Case {
            when_then_expr,
            else_expr,
            ..
        }) => same_kind(
            when_then_expr
                .iter()
                .map(|(_, then)| then.as_ref())
                .chain(else_expr.as_deref()),
            schema,
            "All CASE results",
        ),
        Expr::ScalarFunction(ScalarFunction { func, args }) if func.name() == "coalesce" => {
            same_kind(args.iter(), schema, "All COALESCE operands")
        }
        // A function taking lambdas: its argument types, the lambdas' result types included
        // (functions/lambda); the planner bound the lambdas with the types it saw, before
        // Timestream's typing (an integer literal is `bigint` there).
        Expr::HigherOrderFunction(HigherOrderFunction { func, args }) => {
            let types = args
                .iter()
                .map(|a| match a {
                    Expr::Lambda(lambda) => lambda.body.get_type(schema).map(ValueOrLambda::Lambda),
                    value => value.get_type(schema).map(ValueOrLambda::Value),
                })
                .collect::<Result<Vec<_>>>()?;
            crate::functions::lambda::check_call(func.name(), &types)
        }
        _ => Ok(()),
    }
}

/// Trino's single-type rule for `what`: each item must meet the common type of those before
/// it; the error names that type.
fn same_kind<'a>(
    items: impl Iterator<Item = &'a Expr>,
    schema: &DFSchema,
    what: &str,
) -> Result<()> {
    let mut common: Option<(Kind, DataType)> = None;
    for item in items {
        let t = item.get_type(schema)?;
        let k = kind(&t);
        common = match common {
            None => Some((k, t)),
            Some((so_far, so_far_type)) => match common_kind(so_far, k) {
                Some(joined) if joined != so_far || wider(&t, &so_far_type) => Some((joined, t)),
                Some(_) => Some((so_far, so_far_type)),
                None => {
                    return Err(at(
                        item,
                        format!(
                            "{what} must be the same type: {}",
                            sql_type_name(&so_far_type)
                        ),
                    ));
                }
            },
        };
    }
    Ok(())
}

/// Whether number `a` is wider than number `b` (integer < bigint < double), for naming the
/// common type so far.
fn wider(a: &DataType, b: &DataType) -> bool {
    let rank = |t: &DataType| match t {
        t if t.is_floating() => 3,
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 | DataType::Decimal128(..) => 2,
        t if t.is_integer() => 1,
        _ => 0,
    };
    rank(a) > rank(b)
}

/// A type error at `e`: `line L:C: message` when `e` starts with a column reference or a lambda
/// parameter (their spans in the parsed text), else the message alone.
fn at(e: &Expr, message: String) -> DataFusionError {
    let start = |e: &Expr| -> Option<(u64, u64)> {
        let mut e = e;
        loop {
            match e {
                Expr::Column(c) => {
                    return c.spans().first().map(|s| (s.start.line, s.start.column));
                }
                // A lambda parameter, and `x.value` on one (or on a column).
                Expr::LambdaVariable(v) => {
                    return v.spans.first().map(|s| (s.start.line, s.start.column));
                }
                Expr::ScalarFunction(ScalarFunction { func, args })
                    if func.name() == "get_field" =>
                {
                    e = args.first()?;
                }
                Expr::BinaryExpr(BinaryExpr { left, .. }) => e = left,
                _ => return None,
            }
        }
    };
    match start(e) {
        Some((line, column)) if line > 0 => {
            DataFusionError::Plan(format!("line {line}:{column}: {message}"))
        }
        _ => DataFusionError::Plan(message),
    }
}
