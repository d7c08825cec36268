//! Time-series functions and the `timeseries` type (timestream-functions.md §12).
//!
//! A `timeseries(T)` is an Arrow `List` whose element field is named [`POINT`] and holds
//! `Struct { time: Timestamp(ns) not null, value: T }`, points in ascending time order; `T` is
//! bigint, boolean, double or varchar. The element field's name is what tells a time series from
//! an ordinary `array(row(time timestamp, value T))`: results encode the former as
//! `TimeSeriesValue` with a `TimeSeriesMeasureValueColumnInfo` type. Anything that builds a
//! series goes through [`timeseries_type`] / [`timeseries_array`]; anything that reads one
//! through [`value_type`] / [`points`].
//!
//! Lambdas read a point as `x.time` / `x.value` (struct field access) and `UNNEST` expands it
//! into the columns `time` and `value` (unnest.rs).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray, StructArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit, TimestampNanosecondType};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};

mod args;
mod correlate_pearson;
mod correlate_spearman;
mod create_time_series;
mod derivative_linear;
mod integral_trapezoidal;
mod interpolate_fill;
mod interpolate_linear;
mod interpolate_locf;
mod interpolate_spline_cubic;
mod interpolation;
mod non_negative_derivative_linear;

/// The element field name of a time series' list type.
pub const POINT: &str = "timeseries_point";
/// The point struct's fields.
pub const TIME: &str = "time";
pub const VALUE: &str = "value";

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(interpolate_linear::InterpolateLinear::new())),
        Arc::new(ScalarUDF::from(
            interpolate_spline_cubic::InterpolateSplineCubic::new(),
        )),
        Arc::new(ScalarUDF::from(interpolate_locf::InterpolateLocf::new())),
        Arc::new(ScalarUDF::from(interpolate_fill::InterpolateFill::new())),
        Arc::new(ScalarUDF::from(derivative_linear::DerivativeLinear::new())),
        Arc::new(ScalarUDF::from(
            non_negative_derivative_linear::NonNegativeDerivativeLinear::new(),
        )),
        Arc::new(ScalarUDF::from(
            integral_trapezoidal::IntegralTrapezoidal::new(),
        )),
        Arc::new(ScalarUDF::from(correlate_pearson::CorrelatePearson::new())),
        Arc::new(ScalarUDF::from(correlate_spearman::CorrelateSpearman::new())),
    ]
}

pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    vec![Arc::new(AggregateUDF::from(
        create_time_series::CreateTimeSeries::new(),
    ))]
}

/// The fields of a point of a series of `value` values.
pub fn point_fields(value: DataType) -> Fields {
    Fields::from(vec![
        Field::new(TIME, DataType::Timestamp(TimeUnit::Nanosecond, None), false),
        Field::new(VALUE, value, true),
    ])
}

/// `timeseries(value)`.
pub fn timeseries_type(value: DataType) -> DataType {
    DataType::List(Arc::new(Field::new(
        POINT,
        DataType::Struct(point_fields(value)),
        false,
    )))
}

/// The value type `T` of a `timeseries(T)`; None for any other type.
pub fn value_type(dt: &DataType) -> Option<&DataType> {
    let DataType::List(point) = dt else {
        return None;
    };
    if point.name() != POINT {
        return None;
    }
    match point.data_type() {
        DataType::Struct(fields) if fields.len() == 2 && fields[1].name() == VALUE => {
            Some(fields[1].data_type())
        }
        _ => None,
    }
}

/// One series per row from `offsets` (one more than the rows) over all points' `times` and
/// `values`; `nulls`: the rows that are NULL (no series).
pub fn timeseries_array(
    offsets: OffsetBuffer<i32>,
    times: ArrayRef,
    values: ArrayRef,
    nulls: Option<datafusion::arrow::buffer::NullBuffer>,
) -> Result<ArrayRef> {
    let fields = point_fields(values.data_type().clone());
    let points = StructArray::try_new(fields.clone(), vec![times, values], None)?;
    let field = Arc::new(Field::new(POINT, DataType::Struct(fields), false));
    Ok(Arc::new(ListArray::try_new(
        field,
        offsets,
        Arc::new(points),
        nulls,
    )?))
}

/// The series of a `timeseries` array: the list, its points' times (ns) and values.
pub fn points(array: &dyn Array) -> Result<(&ListArray, &[i64], &ArrayRef)> {
    let Some(list) = array.as_list_opt::<i32>() else {
        return exec_err!("expected a timeseries, got {}", array.data_type());
    };
    let Some(points) = list.values().as_struct_opt() else {
        return exec_err!("expected a timeseries, got {}", array.data_type());
    };
    let [time, value] = points.columns() else {
        return exec_err!("expected a timeseries, got {}", array.data_type());
    };
    let Some(times) = time.as_primitive_opt::<TimestampNanosecondType>() else {
        return exec_err!("expected a timeseries, got {}", array.data_type());
    };
    Ok((list, times.values().as_ref(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_told_apart_from_an_array_of_rows() {
        let ts = timeseries_type(DataType::Float64);
        assert_eq!(value_type(&ts), Some(&DataType::Float64));
        let rows = DataType::List(Arc::new(Field::new_list_field(
            DataType::Struct(point_fields(DataType::Float64)),
            true,
        )));
        assert_eq!(value_type(&rows), None);
        assert_eq!(value_type(&DataType::Float64), None);
    }
}
