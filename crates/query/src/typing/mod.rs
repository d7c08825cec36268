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
//!
//! [`apply`] (retype_plan.rs, per expression retype_expr.rs) runs on the planned plan; the
//! analyzer rules [`CheckedArithmetic`] and [`ResolveLambdas`] and the optimizer rule
//! [`NullSafeSimplify`] each have a file named after them, as do the functions they call
//! (`timestream_cast`, `checked_integer_ops`, `date_arithmetic`, `ieee_comparison`, `trino_like`,
//! `intersect_except`, `fail`); type_classes.rs says which family an Arrow type belongs to.

mod checked_arithmetic;
mod checked_integer_ops;
mod date_arithmetic;
mod fail;
mod ieee_comparison;
mod intersect_except;
mod null_safe_simplify;
mod resolve_lambdas;
mod retype_expr;
mod retype_plan;
mod timestream_cast;
mod trino_like;
mod type_classes;

use checked_arithmetic::CheckedArithmetic;
use datafusion::optimizer::analyzer::{Analyzer, AnalyzerRule};
use datafusion::optimizer::optimizer::Optimizer;
use datafusion::optimizer::simplify_expressions::SimplifyExpressions;
use datafusion::optimizer::OptimizerRule;
use null_safe_simplify::NullSafeSimplify;
use resolve_lambdas::ResolveLambdas;
use std::sync::Arc;

pub use fail::Fail;
pub(crate) use retype_expr::complete_timestamp_text;
pub use retype_plan::apply;

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

/// DataFusion's analyzer rules, then [`CheckedArithmetic`] (on coerced types).
pub fn analyzer_rules() -> Vec<Arc<dyn AnalyzerRule + Send + Sync>> {
    let mut rules = Analyzer::new().rules;
    rules.push(Arc::new(CheckedArithmetic));
    rules.push(Arc::new(ResolveLambdas));
    rules
}
