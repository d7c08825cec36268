//! Aggregate functions (timestream-functions.md §10). Aggregates DataFusion has with the same
//! semantics (`array_agg`, `avg`, `bool_and`, `bool_or`, `count`, `corr`, `covar_*`,
//! `regr_intercept`, `regr_slope`, `stddev*`, `var_pop`, `var_samp`, `min`/`max` of one argument)
//! are DataFusion's own and are not listed here; the ones below are missing from DataFusion or
//! differ from Timestream (return types, overflow, exactness, extra forms).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::AccumulatorArgs;
use datafusion::logical_expr::AggregateUDF;
use datafusion::physical_plan::expressions::Literal;

mod approx_distinct;
mod approx_percentile;
mod arbitrary;
mod bitwise;
mod bitwise_and_agg;
mod bitwise_or_agg;
mod by;
mod count_if;
mod distinct;
mod every;
mod geometric_mean;
mod kurtosis;
mod max_by;
mod max_min_n;
mod min_by;
mod moments;
mod skewness;
mod sliding;
mod sum;
mod variance;

pub fn functions() -> Vec<Arc<AggregateUDF>> {
    vec![
        Arc::new(AggregateUDF::from(approx_distinct::ApproxDistinct::new())),
        Arc::new(AggregateUDF::from(
            approx_percentile::ApproxPercentile::new(),
        )),
        arbitrary::udaf(),
        Arc::new(AggregateUDF::from(bitwise_and_agg::bitwise_and_agg())),
        Arc::new(AggregateUDF::from(bitwise_or_agg::bitwise_or_agg())),
        Arc::new(AggregateUDF::from(count_if::CountIf::new())),
        every::udaf(),
        Arc::new(AggregateUDF::from(geometric_mean::GeometricMean::new())),
        Arc::new(AggregateUDF::from(kurtosis::kurtosis())),
        Arc::new(AggregateUDF::from(max_by::max_by())),
        Arc::new(AggregateUDF::from(max_min_n::max())),
        Arc::new(AggregateUDF::from(min_by::min_by())),
        Arc::new(AggregateUDF::from(max_min_n::min())),
        Arc::new(AggregateUDF::from(skewness::skewness())),
        Arc::new(AggregateUDF::from(sum::Sum::new())),
        variance::udaf(),
    ]
}

/// The value of argument `i` when it is a constant (a literal once the plan is simplified).
pub(crate) fn constant_arg(args: &AccumulatorArgs, i: usize) -> Option<ScalarValue> {
    args.exprs
        .get(i)?
        .downcast_ref::<Literal>()
        .map(|l| l.value().clone())
}

/// A dimension column is dictionary-encoded: aggregates see its values.
pub(crate) fn value_type(dt: &DataType) -> DataType {
    match dt {
        DataType::Dictionary(_, v) => v.as_ref().clone(),
        other => other.clone(),
    }
}

/// Timestream's name of a type, for "Unexpected parameters" messages.
pub(crate) fn type_name(dt: &DataType) -> String {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "varchar".into(),
        DataType::Dictionary(_, v) => type_name(v),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            "integer".into()
        }
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint".into(),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => "double".into(),
        DataType::Timestamp(_, _) => "timestamp".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Time32(_) | DataType::Time64(_) => "time".into(),
        DataType::Interval(datafusion::arrow::datatypes::IntervalUnit::YearMonth) => {
            "interval year to month".into()
        }
        DataType::Interval(_) | DataType::Duration(_) => "interval day to second".into(),
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            format!("array({})", type_name(f.data_type()))
        }
        DataType::Struct(fields) => format!(
            "row({})",
            fields
                .iter()
                .map(|f| type_name(f.data_type()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        DataType::Null => "unknown".into(),
        other => other.to_string(),
    }
}

/// `(t1, t2)` as Trino lists argument types in "Unexpected parameters" messages.
pub(crate) fn type_list(types: &[DataType]) -> String {
    types.iter().map(type_name).collect::<Vec<_>>().join(", ")
}

/// Integer types widen to bigint, floating types to double (Trino has bigint and double
/// overloads only); `None` for anything else.
pub(crate) fn numeric_type(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Null => Some(DataType::Int64),
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => Some(DataType::Float64),
        DataType::Dictionary(_, v) => numeric_type(v),
        _ => None,
    }
}

/// The scalar values of one list-typed state row (`[]` for a NULL row).
pub(crate) fn list_values(lists: &ArrayRef, row: usize) -> Result<Vec<ScalarValue>> {
    let lists = lists.as_list::<i32>();
    if lists.is_null(row) {
        return Ok(Vec::new());
    }
    let values = lists.value(row);
    (0..values.len())
        .map(|i| ScalarValue::try_from_array(&values, i))
        .collect()
}

/// A list scalar of `values` whose elements are `dt`.
pub(crate) fn list_scalar(values: &[ScalarValue], dt: &DataType) -> ScalarValue {
    ScalarValue::List(ScalarValue::new_list_nullable(values, dt))
}
