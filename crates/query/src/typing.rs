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
//!   such a call to a function our library replaces is pointed at ours; `x[i]` (DataFusion's
//!   `array_element`) at the library's `subscript`, an error out of range.
//! - Timestamp text may omit the seconds (`TIMESTAMP '2020-08-08 01:00'`, §2.4); DataFusion's
//!   parser needs them.
//! - INTERSECT and EXCEPT (which DataFusion plans as a semi / anti join of the two sides on all
//!   columns, NULLs equal) take the common super type of each column pair (bigint and double →
//!   double), as UNION does; the ALL forms return a row min(m, n) and max(m − n, 0) times
//!   (m, n its multiplicities on the left and right): each side numbers the copies of a row,
//!   and the number joins too.
//! - LIKE: a backslash is an ordinary pattern character in Trino unless `ESCAPE` names it, and
//!   any single character may be the escape; DataFusion escapes with a backslash only. The
//!   pattern is translated into DataFusion's form.
//! - `x [NOT] IN (subquery)` and `EXISTS` wherever DataFusion would answer them two-valued or
//!   not at all: see [`crate::subqueries`].
//! - Lambdas (functions/lambda): a lambda parameter carries the type the planner bound it with,
//!   taken from argument types this typing then changes (`ARRAY[1]` is `array(bigint)` to the
//!   planner): the parameters are bound again after each node is retyped, and once more after
//!   DataFusion's coercion ([`ResolveLambdas`]).
//! - `CAST(ROW(a, b) AS ROW(x T, y U))` names the row's fields by position, as Trino does;
//!   DataFusion casts rows by field name.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::array::{BooleanArray, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::kernels::arity::try_binary;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, Date32Type, FieldRef, Float64Type, Int32Type, Int64Type,
    IntervalMonthDayNanoType, IntervalUnit, TimeUnit, TimestampNanosecondType,
};
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano};
use datafusion::arrow::error::ArrowError;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::NullEquality;
use datafusion::common::{exec_err, DataFusionError};
use datafusion::common::{plan_err, Column, DFSchema, Result, ScalarValue};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::type_coercion::binary::type_union_coercion;
use datafusion::logical_expr::{
    BinaryExpr, Cast, ColumnarValue, Expr, LogicalPlan, LogicalPlanBuilder, Operator,
    ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Values, Volatility,
};
use datafusion::logical_expr::{ExprFunctionExt, ExprSchemable, Join, JoinType};
use datafusion::logical_expr::{Like, TryCast};
use datafusion::optimizer::analyzer::{Analyzer, AnalyzerRule};
use datafusion::optimizer::optimizer::{ApplyOrder, Optimizer};
use datafusion::optimizer::simplify_expressions::SimplifyExpressions;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use std::sync::Arc;

use crate::{subqueries, type_check};

pub fn apply(plan: LogicalPlan, library: &[Arc<ScalarUDF>]) -> Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        if matches!(node, LogicalPlan::Limit(_)) {
            return Ok(Transformed::no(node));
        }
        let node = match node {
            LogicalPlan::Filter(filter) => LogicalPlan::Filter(subqueries::in_filter(filter)?),
            LogicalPlan::Projection(projection) => subqueries::in_projection(projection)?,
            LogicalPlan::Join(join) => intersect_or_except(join)?,
            other => other,
        };
        // Output names stay what the planner made them (`count(Int64(1))`): parents refer to
        // their children's columns by name.
        let names = NamePreserver::new(&node);
        let inputs = datafusion::logical_expr::utils::merge_schema(&node.inputs());
        let node = node.map_expressions(|e| {
            let name = names.save(&e);
            Ok(e.transform_up(|e| timestream_expr(e, library))?
                .transform_data(|e| resolve_lambdas(e, &inputs))?
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
        type_check::check(&node)?;
        Ok(Transformed::yes(node))
    })
    .map(|t| t.data)
}

fn timestream_expr(e: Expr, library: &[Arc<ScalarUDF>]) -> Result<Transformed<Expr>> {
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

/// The lambda parameters of `e` typed again from its (retyped) arguments: a lambda variable
/// carries its type, which the planner took from the argument types before Timestream's
/// typing changed them (`ARRAY[1, 2]` is an `array(integer)` here, `array(bigint)` there).
fn resolve_lambdas(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    if e.exists(|e| Ok(matches!(e, Expr::HigherOrderFunction(_))))? {
        e.resolve_lambda_variables(schema)
    } else {
        Ok(Transformed::no(e))
    }
}

/// Analyzer rule, last: every lambda variable typed again, after type coercion may have cast
/// the arguments its type comes from.
#[derive(Debug, Default)]
pub struct ResolveLambdas;

impl AnalyzerRule for ResolveLambdas {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let schema = datafusion::logical_expr::utils::merge_schema(&node.inputs());
            let node = node.map_expressions(|e| resolve_lambdas(e, &schema))?;
            if node.transformed {
                node.data.recompute_schema().map(Transformed::yes)
            } else {
                Ok(node)
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "timestream_resolve_lambdas"
    }
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

/// DataFusion's optimizer rules, with expression simplification made NULL-safe: DataFusion folds
/// a conjunction of IN lists on one column, `x IN ('a') AND x IN ('b')` (or `x IN ('a') AND x NOT
/// IN ('a')`, or the disjunction of two NOT IN lists), to a constant FALSE (TRUE), which is
/// NULL for a NULL `x` in Trino, and under NOT the NULL rows then pass. The rule is kept (its
/// constant folding feeds the time-range pruning) but sees every nullable column reference as
/// a distinct expression ([`Tagged`]), so that it combines no two conditions on one nullable
/// column; the references are restored right after.
pub fn optimizer_rules() -> Vec<Arc<dyn OptimizerRule + Send + Sync>> {
    Optimizer::new()
        .rules
        .into_iter()
        .map(|rule| -> Arc<dyn OptimizerRule + Send + Sync> {
            if rule.name() == SimplifyExpressions::new().name() {
                Arc::new(NullSafeSimplify(rule))
            } else {
                rule
            }
        })
        .collect()
}

#[derive(Debug)]
struct NullSafeSimplify(Arc<dyn OptimizerRule + Send + Sync>);

impl OptimizerRule for NullSafeSimplify {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        self.0.apply_order()
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        // Conditions are where the folds bite; other nodes need their column references as
        // such (UNNEST, grouping).
        if !matches!(plan, LogicalPlan::Filter(_) | LogicalPlan::Projection(_)) {
            return self.0.rewrite(plan, config);
        }
        let schema = datafusion::logical_expr::utils::merge_schema(&plan.inputs());
        let tag = Arc::new(ScalarUDF::new_from_impl(Tagged::default()));
        let mut next = 0i64;
        let tagged = plan
            .map_expressions(|e| {
                e.transform_up(|e| match e {
                    Expr::Column(c)
                        if schema
                            .qualified_field_from_column(&c)
                            .map_or(true, |(_, f)| f.is_nullable()) =>
                    {
                        next += 1;
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(
                                tag.clone(),
                                vec![
                                    Expr::Column(c),
                                    Expr::Literal(ScalarValue::Int64(Some(next)), None),
                                ],
                            ),
                        )))
                    }
                    other => Ok(Transformed::no(other)),
                })
            })?
            .data;
        let simplified = self.0.rewrite(tagged, config)?;
        let transformed = simplified.transformed;
        let plan = simplified
            .data
            .map_expressions(|e| {
                e.transform_up(|e| match e {
                    Expr::ScalarFunction(ScalarFunction { func, mut args })
                        if func.name() == TAGGED && !args.is_empty() =>
                    {
                        Ok(Transformed::yes(args.swap_remove(0)))
                    }
                    other => Ok(Transformed::no(other)),
                })
            })?
            .data;
        Ok(Transformed::new_transformed(plan, transformed))
    }
}

const TAGGED: &str = "__timestream_tagged";

/// `__timestream_tagged(x, n)` is `x`, named as `x`: a column reference made distinct from the
/// other references to the same column while expressions are simplified.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Tagged {
    signature: Signature,
}

impl Default for Tagged {
    fn default() -> Self {
        Self {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Tagged {
    fn name(&self) -> &str {
        TAGGED
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(args.arg_fields[0].clone())
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(args[0].schema_name().to_string())
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(format!("{}", args[0]))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(args.args[0].clone())
    }
}

/// Analyzer rule, after DataFusion's type coercion: `+`, `-`, `*` on `integer`/`bigint` raise
/// Trino's overflow error (`integer addition overflow: 2147483647 + 1`) instead of wrapping
/// around as DataFusion's arithmetic does (timestream-sql.md §5.3).
#[derive(Debug, Default)]
pub struct CheckedArithmetic;

impl AnalyzerRule for CheckedArithmetic {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let cast = Arc::new(ScalarUDF::new_from_impl(TimestreamCast::default()));
        let udfs: Vec<Arc<ScalarUDF>> = [Operator::Plus, Operator::Minus, Operator::Multiply]
            .into_iter()
            .map(|op| Arc::new(ScalarUDF::new_from_impl(Checked::new(op))))
            .collect();
        let negation = Arc::new(ScalarUDF::new_from_impl(Checked::negation()));
        let date_plus = Arc::new(ScalarUDF::new_from_impl(DateArithmetic::new(
            Operator::Plus,
        )));
        let date_minus = Arc::new(ScalarUDF::new_from_impl(DateArithmetic::new(
            Operator::Minus,
        )));
        let day_to_second = DataType::Interval(IntervalUnit::MonthDayNano);
        let is_nan = Arc::new(ScalarUDF::new_from_impl(
            crate::functions::math::FloatClass::is_nan(),
        ));
        plan.transform_up_with_subqueries(|node| {
            let schema = datafusion::logical_expr::utils::merge_schema(&node.inputs());
            let names = NamePreserver::new(&node);
            let node = node.map_expressions(|e| {
                let name = names.save(&e);
                let e = e.transform_up(|e| match e {
                    Expr::BinaryExpr(BinaryExpr { left, op, right })
                        if matches!(op, Operator::Plus | Operator::Minus | Operator::Multiply)
                            && matches!(
                                left.get_type(&schema),
                                Ok(DataType::Int32 | DataType::Int64)
                            )
                            && left.get_type(&schema).ok() == right.get_type(&schema).ok() =>
                    {
                        let udf = match op {
                            Operator::Plus => &udfs[0],
                            Operator::Minus => &udfs[1],
                            _ => &udfs[2],
                        };
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(udf.clone(), vec![*left, *right]),
                        )))
                    }
                    // date ± interval day to second: whole days only, checked per value.
                    Expr::BinaryExpr(BinaryExpr { left, op, right })
                        if matches!(op, Operator::Plus | Operator::Minus)
                            && matches!(
                                (left.get_type(&schema), right.get_type(&schema)),
                                (Ok(DataType::Date32), Ok(ref i)) if *i == day_to_second
                            ) =>
                    {
                        let udf = if op == Operator::Plus {
                            &date_plus
                        } else {
                            &date_minus
                        };
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(udf.clone(), vec![*left, *right]),
                        )))
                    }
                    Expr::BinaryExpr(BinaryExpr {
                        left,
                        op: Operator::Plus,
                        right,
                    }) if matches!(
                        (left.get_type(&schema), right.get_type(&schema)),
                        (Ok(ref i), Ok(DataType::Date32)) if *i == day_to_second
                    ) =>
                    {
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(date_plus.clone(), vec![*right, *left]),
                        )))
                    }
                    Expr::Negative(x)
                        if matches!(x.get_type(&schema), Ok(DataType::Int32 | DataType::Int64)) =>
                    {
                        Ok(Transformed::yes(Expr::ScalarFunction(
                            ScalarFunction::new_udf(negation.clone(), vec![*x]),
                        )))
                    }
                    Expr::BinaryExpr(BinaryExpr { left, op, right })
                        if matches!(
                            op,
                            Operator::Eq
                                | Operator::NotEq
                                | Operator::Lt
                                | Operator::LtEq
                                | Operator::Gt
                                | Operator::GtEq
                        ) && left.get_type(&schema).ok() == Some(DataType::Float64)
                            && right.get_type(&schema).ok() == Some(DataType::Float64) =>
                    {
                        Ok(Transformed::yes(ieee_comparison(
                            *left, op, *right, &is_nan,
                        )))
                    }
                    Expr::Cast(Cast { expr, field }) => {
                        let from = expr.get_type(&schema)?;
                        Ok(
                            match timestream_cast(*expr, &from, field.data_type(), &cast)? {
                                Ok(e) => Transformed::yes(e),
                                Err(e) => Transformed::no(Expr::Cast(Cast::new_from_field(
                                    Box::new(e),
                                    field,
                                ))),
                            },
                        )
                    }
                    Expr::TryCast(TryCast { expr, field }) => {
                        let from = expr.get_type(&schema)?;
                        match (is_float(&from), is_integer(field.data_type())) {
                            (true, true) => Ok(Transformed::yes(Expr::TryCast(TryCast::new(
                                Box::new(Expr::ScalarFunction(ScalarFunction::new_udf(
                                    cast.clone(),
                                    vec![*expr, Expr::Literal(ScalarValue::Float64(None), None)],
                                ))),
                                field.data_type().clone(),
                            )))),
                            _ if (is_text(&from)
                                || matches!(&from, DataType::Dictionary(_, v) if is_text(v)))
                                && matches!(
                                    field.data_type(),
                                    DataType::Int64 | DataType::Int32 | DataType::Boolean
                                ) =>
                            {
                                Ok(Transformed::yes(Expr::ScalarFunction(
                                    ScalarFunction::new_udf(
                                        cast.clone(),
                                        vec![
                                            *expr,
                                            Expr::Literal(
                                                ScalarValue::try_from(field.data_type())?,
                                                None,
                                            ),
                                            Expr::Literal(ScalarValue::Boolean(Some(true)), None),
                                        ],
                                    ),
                                )))
                            }
                            _ => Ok(Transformed::no(Expr::TryCast(TryCast { expr, field }))),
                        }
                    }
                    other => Ok(Transformed::no(other)),
                })?;
                Ok(e.update_data(|e| name.restore(e)))
            })?;
            if node.transformed {
                node.data.recompute_schema().map(Transformed::yes)
            } else {
                Ok(node)
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "timestream_checked_arithmetic"
    }
}

/// A comparison of doubles with IEEE's (and Trino's) NaN rules: NaN equals nothing, itself
/// included, and is neither less nor greater than anything; DataFusion compares floats by their
/// total order (NaN = NaN, NaN above everything). ORDER BY, GROUP BY and DISTINCT keep the total
/// order, as Trino's do.
fn ieee_comparison(left: Expr, op: Operator, right: Expr, is_nan: &Arc<ScalarUDF>) -> Expr {
    let compared = Expr::BinaryExpr(BinaryExpr::new(
        Box::new(left.clone()),
        op,
        Box::new(right.clone()),
    ));
    // A literal that is a number is never NaN: only the other side needs the test.
    let may_be_nan = |e: &Expr| match e {
        Expr::Literal(ScalarValue::Float64(v), _) => v.is_some_and(f64::is_nan),
        _ => true,
    };
    let Some(either_nan) = [left, right]
        .into_iter()
        .filter(may_be_nan)
        .map(|e| Expr::ScalarFunction(ScalarFunction::new_udf(is_nan.clone(), vec![e])))
        .reduce(Expr::or)
    else {
        return compared;
    };
    let boolean = |b: Option<bool>| Box::new(Expr::Literal(ScalarValue::Boolean(b), None));
    // NULL compared with NaN is NULL, as with anything else.
    Expr::Case(datafusion::logical_expr::Case::new(
        None,
        vec![
            (Box::new(compared.clone().is_null()), boolean(None)),
            (Box::new(either_nan), boolean(Some(op == Operator::NotEq))),
        ],
        Some(Box::new(compared)),
    ))
}

/// `a + b`, `a - b`, `a * b` and `-a` on integers of one type, failing on overflow. Named as the
/// operator expression it replaces, so that plans keep their column names.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Checked {
    /// `None`: negation.
    op: Option<Operator>,
    name: String,
    signature: Signature,
}

impl Checked {
    fn new(op: Operator) -> Self {
        Self {
            name: format!("__timestream_checked_{}", Self::word(Some(op))),
            op: Some(op),
            signature: Signature::any(2, Volatility::Immutable),
        }
    }

    fn negation() -> Self {
        Self {
            name: format!("__timestream_checked_{}", Self::word(None)),
            op: None,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }

    fn word(op: Option<Operator>) -> &'static str {
        match op {
            None => "negation",
            Some(Operator::Plus) => "addition",
            Some(Operator::Minus) => "subtraction",
            Some(_) => "multiplication",
        }
    }

    fn negate<T>(a: &ArrayRef, type_name: &str) -> Result<ArrayRef>
    where
        T: ArrowPrimitiveType,
        T::Native: std::fmt::Display + CheckedOps,
    {
        let result: PrimitiveArray<T> = a
            .as_primitive::<T>()
            .try_unary(|x| {
                x.checked_neg_().ok_or_else(|| {
                    ArrowError::ComputeError(format!("{type_name} negation overflow: -({x})"))
                })
            })
            .map_err(|e| match e {
                ArrowError::ComputeError(m) => DataFusionError::Execution(m),
                other => DataFusionError::ArrowError(Box::new(other), None),
            })?;
        Ok(Arc::new(result))
    }

    fn apply<T>(op: Operator, a: &ArrayRef, b: &ArrayRef, type_name: &str) -> Result<ArrayRef>
    where
        T: ArrowPrimitiveType,
        T::Native: std::fmt::Display + CheckedOps,
    {
        let (a, b) = (a.as_primitive::<T>(), b.as_primitive::<T>());
        let result: PrimitiveArray<T> = try_binary(a, b, |x, y| {
            let r = match op {
                Operator::Plus => x.checked_add_(y),
                Operator::Minus => x.checked_sub_(y),
                _ => x.checked_mul_(y),
            };
            r.ok_or_else(|| {
                ArrowError::ComputeError(format!(
                    "{type_name} {} overflow: {x} {op} {y}",
                    Self::word(Some(op))
                ))
            })
        })
        .map_err(|e| match e {
            ArrowError::ComputeError(m) => DataFusionError::Execution(m),
            other => DataFusionError::ArrowError(Box::new(other), None),
        })?;
        Ok(Arc::new(result))
    }
}

/// `date ± interval day to second` (and `interval + date`) as Trino computes it: the interval
/// must be whole days (`Cannot add hour, minutes or seconds to a date`, `Cannot subtract hour,
/// minutes or seconds from a date`, Trino's `DateTimeOperators`, at run time), the result a
/// date; DataFusion drops the part of a day instead. Named as the operator expression it
/// replaces.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DateArithmetic {
    op: Operator,
    name: String,
    signature: Signature,
}

const DAY_NS: i128 = 86_400_000_000_000;

impl DateArithmetic {
    fn new(op: Operator) -> Self {
        Self {
            name: format!("__timestream_date_{}", Checked::word(Some(op))),
            op,
            signature: Signature::any(2, Volatility::Immutable),
        }
    }

    /// `date` (days since the epoch) moved by `interval`.
    fn apply(&self, date: i32, interval: IntervalMonthDayNano) -> Result<i32> {
        let sign = if self.op == Operator::Plus { 1 } else { -1 };
        let span = i128::from(interval.days) * DAY_NS + i128::from(interval.nanoseconds);
        if span % DAY_NS != 0 {
            return if sign > 0 {
                exec_err!("Cannot add hour, minutes or seconds to a date")
            } else {
                exec_err!("Cannot subtract hour, minutes or seconds from a date")
            };
        }
        let mut days = i128::from(date);
        if interval.months != 0 {
            // Only DataFusion's own spellings (`INTERVAL '1 month 2 days'`) mix the two.
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1);
            let moved = epoch
                .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(date))))
                .and_then(|d| {
                    let months = chrono::Months::new(interval.months.unsigned_abs());
                    if (interval.months > 0) == (sign > 0) {
                        d.checked_add_months(months)
                    } else {
                        d.checked_sub_months(months)
                    }
                });
            match (moved, epoch) {
                (Some(d), Some(e)) => days = i128::from((d - e).num_days()),
                _ => return exec_err!("Date out of range"),
            }
        }
        match i32::try_from(days + sign * (span / DAY_NS)) {
            Ok(d) => Ok(d),
            Err(_) => exec_err!("Date out of range"),
        }
    }
}

impl ScalarUDFImpl for DateArithmetic {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match args {
            [a, b] => format!("{} {} {}", a.schema_name(), self.op, b.schema_name()),
            _ => self.name.clone(),
        })
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match args {
            [a, b] => format!("{a} {} {b}", self.op),
            _ => self.name.clone(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (Some(dates), Some(intervals)) = (arrays.first(), arrays.get(1)) else {
            return exec_err!("{} takes a date and an interval", self.name);
        };
        let dates = dates.as_primitive::<Date32Type>();
        let intervals = intervals.as_primitive::<IntervalMonthDayNanoType>();
        let result = dates
            .iter()
            .zip(intervals.iter())
            .map(|(d, i)| match (d, i) {
                (Some(d), Some(i)) => self.apply(d, i).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<PrimitiveArray<Date32Type>>>()?;
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(Arc::new(result)))
        }
    }
}

/// Checked integer operations of the native types.
trait CheckedOps: Sized {
    fn checked_add_(self, other: Self) -> Option<Self>;
    fn checked_sub_(self, other: Self) -> Option<Self>;
    fn checked_mul_(self, other: Self) -> Option<Self>;
    fn checked_neg_(self) -> Option<Self>;
}

macro_rules! checked_ops {
    ($($t:ty),*) => {$(
        impl CheckedOps for $t {
            fn checked_add_(self, other: Self) -> Option<Self> { self.checked_add(other) }
            fn checked_sub_(self, other: Self) -> Option<Self> { self.checked_sub(other) }
            fn checked_mul_(self, other: Self) -> Option<Self> { self.checked_mul(other) }
            fn checked_neg_(self) -> Option<Self> { self.checked_neg() }
        }
    )*};
}
checked_ops!(i32, i64);

impl ScalarUDFImpl for Checked {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match (self.op, args) {
            (Some(op), [a, b]) => format!("{} {op} {}", a.schema_name(), b.schema_name()),
            (_, [a, ..]) => format!("(- {})", a.schema_name()),
            _ => self.name.clone(),
        })
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match (self.op, args) {
            (Some(op), [a, b]) => format!("{a} {op} {b}"),
            (_, [a, ..]) => format!("(- {a})"),
            _ => self.name.clone(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let result = match (arrays[0].data_type(), self.op, arrays.get(1)) {
            (DataType::Int32, None, _) => Self::negate::<Int32Type>(&arrays[0], "integer")?,
            (DataType::Int64, None, _) => Self::negate::<Int64Type>(&arrays[0], "bigint")?,
            (DataType::Int32, Some(op), Some(b)) => {
                Self::apply::<Int32Type>(op, &arrays[0], b, "integer")?
            }
            (DataType::Int64, Some(op), Some(b)) => {
                Self::apply::<Int64Type>(op, &arrays[0], b, "bigint")?
            }
            (other, _, _) => return exec_err!("{} of {other}", Self::word(self.op)),
        };
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(result))
        }
    }
}

/// DataFusion's analyzer rules, then [`CheckedArithmetic`] (on coerced types).
pub fn analyzer_rules() -> Vec<Arc<dyn AnalyzerRule + Send + Sync>> {
    let mut rules = Analyzer::new().rules;
    rules.push(Arc::new(CheckedArithmetic));
    rules.push(Arc::new(ResolveLambdas));
    rules
}

/// INTERSECT / EXCEPT as DataFusion's builder plans them: a LeftSemi / LeftAnti join on every
/// column pair (by name, NULLs equal), the left side made DISTINCT unless ALL. Such a join,
/// recognized by this shape (the planner makes no other semi/anti joins; those of subqueries
/// come later from the optimizer), gets the column types of a UNION and, for ALL, the numbered
/// copies.
fn intersect_or_except(join: Join) -> Result<LogicalPlan> {
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

fn is_float(t: &DataType) -> bool {
    matches!(t, DataType::Float64 | DataType::Float32)
}

fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int64 | DataType::Int32 | DataType::Int16 | DataType::Int8
    )
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8)
}

/// A CAST whose Trino semantics differ from Arrow's (docs/functions/conversion.md), as a call of
/// [`TimestreamCast`] (`Ok`), or the operand back when Arrow's cast is Trino's (`Err`):
/// - double → integer rounds half away from zero (Arrow truncates);
/// - double → varchar is Java's `Double.toString` (`1.0E7`);
/// - timestamp → varchar is `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`;
/// - integer → timestamp is not a cast Trino has (Arrow reads seconds): an error;
/// - varchar → integer/bigint takes only the digits (Arrow trims spaces): `' 12 '` is an error,
///   worded as Trino's (`Cannot cast 'abc' to BIGINT`);
/// - varchar → boolean takes `true`, `false`, `t`, `f`, `1`, `0` in any case and nothing else
///   (Arrow also takes `yes`, `on`, …): `Cannot cast 'yes' to BOOLEAN` (Trino's
///   `VarcharOperators.castToBoolean`).
fn timestream_cast(
    expr: Expr,
    from: &DataType,
    to: &DataType,
    cast: &Arc<ScalarUDF>,
) -> Result<std::result::Result<Expr, Expr>> {
    let timestamp = matches!(from, DataType::Timestamp(TimeUnit::Nanosecond, None));
    if is_integer(from) && matches!(to, DataType::Timestamp(_, _)) {
        return plan_err!(
            "Cannot cast {} to timestamp",
            if *from == DataType::Int32 {
                "integer"
            } else {
                "bigint"
            }
        );
    }
    let text = is_text(from) || matches!(from, DataType::Dictionary(_, v) if is_text(v));
    // Text parsed by Trino's rules: the call is the cast.
    let integer_of_text =
        text && matches!(to, DataType::Int64 | DataType::Int32 | DataType::Boolean);
    if !(is_float(from) && (is_integer(to) || is_text(to))
        || timestamp && is_text(to)
        || integer_of_text)
    {
        return Ok(Err(expr));
    }
    let target = if integer_of_text {
        ScalarValue::try_from(to)?
    } else if is_integer(to) {
        ScalarValue::Float64(None)
    } else {
        ScalarValue::Utf8(None)
    };
    let to = if integer_of_text { &DataType::Utf8 } else { to };
    let call = Expr::ScalarFunction(ScalarFunction::new_udf(
        cast.clone(),
        vec![expr, Expr::Literal(target, None)],
    ));
    Ok(Ok(if matches!(to, DataType::Utf8) {
        call
    } else {
        Expr::Cast(Cast::new(Box::new(call), to.clone()))
    }))
}

/// `__timestream_cast(x, NULL::double)`: a double rounded half away from zero (still a double;
/// Arrow's cast then range-checks it into the integer type). `__timestream_cast(x,
/// NULL::varchar)`: a double or timestamp as Timestream's text. `__timestream_cast(text,
/// NULL::bigint)` (or integer): the text's number, an error if it is not one (NULL with a third
/// argument, for TRY_CAST); `__timestream_cast(text, NULL::boolean)` likewise the text's truth
/// value. Named as its operand, as DataFusion names a CAST.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TimestreamCast {
    signature: Signature,
}

impl Default for TimestreamCast {
    fn default() -> Self {
        Self {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TimestreamCast {
    fn name(&self) -> &str {
        "__timestream_cast"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[1].clone())
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(args[0].schema_name().to_string())
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(format!("CAST({})", args[0]))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let value = args.args[0].to_array(args.number_rows)?;
        let result: ArrayRef = match (value.data_type(), args.args[1].data_type()) {
            (DataType::Float64 | DataType::Float32, DataType::Float64) => {
                let value = datafusion::arrow::compute::cast(&value, &DataType::Float64)?;
                let rounded: Float64Array = value
                    .as_primitive::<Float64Type>()
                    .unary(|d: f64| d.round());
                Arc::new(rounded)
            }
            (DataType::Float64 | DataType::Float32, _) => {
                let value = datafusion::arrow::compute::cast(&value, &DataType::Float64)?;
                let text: StringArray = value
                    .as_primitive::<Float64Type>()
                    .iter()
                    .map(|d| d.map(crate::encode::format_double))
                    .collect();
                Arc::new(text)
            }
            (DataType::Timestamp(TimeUnit::Nanosecond, None), _) => {
                let text: StringArray = value
                    .as_primitive::<TimestampNanosecondType>()
                    .iter()
                    .map(|t| t.map(crate::encode::format_timestamp))
                    .collect();
                Arc::new(text)
            }
            (_, DataType::Int64 | DataType::Int32) => {
                let wide = args.args[1].data_type() == DataType::Int64;
                let lenient = args.args.len() > 2;
                let value = datafusion::arrow::compute::cast(&value, &DataType::Utf8)?;
                let parse = |t: &str| -> Result<Option<i64>> {
                    let parsed = if wide {
                        t.parse::<i64>().ok()
                    } else {
                        t.parse::<i32>().ok().map(i64::from)
                    };
                    match parsed {
                        Some(v) => Ok(Some(v)),
                        None if lenient => Ok(None),
                        None => exec_err!(
                            "Cannot cast '{t}' to {}",
                            if wide { "BIGINT" } else { "INTEGER" }
                        ),
                    }
                };
                let numbers = value
                    .as_string::<i32>()
                    .iter()
                    .map(|t| t.map(parse).transpose().map(Option::flatten))
                    .collect::<Result<Int64Array>>()?;
                datafusion::arrow::compute::cast(&numbers, &args.args[1].data_type())?
            }
            (_, DataType::Boolean) => {
                let lenient = args.args.len() > 2;
                let value = datafusion::arrow::compute::cast(&value, &DataType::Utf8)?;
                let truths = value
                    .as_string::<i32>()
                    .iter()
                    .map(|t| match t.map(trino_boolean) {
                        Some(None) if !lenient => {
                            exec_err!("Cannot cast '{}' to BOOLEAN", t.unwrap_or_default())
                        }
                        other => Ok(other.flatten()),
                    })
                    .collect::<Result<BooleanArray>>()?;
                Arc::new(truths)
            }
            (other, _) => return exec_err!("__timestream_cast of {other}"),
        };
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(result))
        }
    }
}

/// The truth value of `text` as Trino casts it: `true`/`t`/`1`, `false`/`f`/`0`, any case, no
/// spaces.
fn trino_boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" => Some(true),
        "false" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// Trino's LIKE pattern (escape character `escape`, if any) in DataFusion's form, where a
/// backslash always escapes the next character.
fn like_pattern(pattern: &str, escape: Option<char>) -> Result<String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(next @ ('%' | '_')) => {
                    out.push('\\');
                    out.push(next);
                }
                Some(next) if Some(next) == escape => {
                    if next == '\\' {
                        out.push('\\');
                    }
                    out.push(next);
                }
                _ => {
                    return exec_err!(
                        "Escape character must be followed by '%', '_' or the escape character"
                    )
                }
            }
        } else {
            if c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    Ok(out)
}

fn trino_like(like: Like) -> Result<Transformed<Expr>> {
    let Like {
        negated,
        expr,
        pattern,
        escape_char,
        case_insensitive,
    } = like;
    let pattern = match *pattern {
        Expr::Literal(ScalarValue::Utf8(Some(text)), metadata) => Expr::Literal(
            ScalarValue::Utf8(Some(like_pattern(&text, escape_char)?)),
            metadata,
        ),
        other if escape_char.is_none() => Expr::ScalarFunction(ScalarFunction::new_udf(
            datafusion::functions::string::replace(),
            vec![
                other,
                Expr::Literal(ScalarValue::Utf8(Some("\\".into())), None),
                Expr::Literal(ScalarValue::Utf8(Some("\\\\".into())), None),
            ],
        )),
        other => {
            return Ok(Transformed::no(Expr::Like(Like::new(
                negated,
                expr,
                Box::new(other),
                escape_char,
                case_insensitive,
            ))))
        }
    };
    Ok(Transformed::yes(Expr::Like(Like::new(
        negated,
        expr,
        Box::new(pattern),
        None,
        case_insensitive,
    ))))
}

/// `__timestream_fail(message)`: raises `message` (a QueryExecutionException) when evaluated;
/// the error branch of a rewritten scalar subquery ([`crate::dialect`]'s single-row check).
/// Volatile, so that constant folding never evaluates it at planning.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Fail {
    signature: Signature,
}

impl Default for Fail {
    fn default() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Volatile),
        }
    }
}

impl ScalarUDFImpl for Fail {
    fn name(&self) -> &str {
        crate::dialect::SINGLE_ROW_ERROR
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Null)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.number_rows == 0 {
            return Ok(ColumnarValue::Scalar(ScalarValue::Null));
        }
        match args.args.first() {
            Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(m)))) => exec_err!("{m}"),
            _ => exec_err!("failed"),
        }
    }
}
