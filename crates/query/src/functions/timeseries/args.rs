//! What the scalar time-series functions share: typing of their arguments (a series, requested
//! times, an interval, a constant), reading a batch's arguments without repeating a scalar per
//! row, reading a numeric series as `f64` and building a result series.
//!
//! Argument types are named the Trino way in "Unexpected parameters" errors (`sql_type_name`:
//! `timeseries(double)`, `array(timestamp)`, `interval year to month`). A series of bigint
//! values is accepted wherever a double series is (Trino coerces bigint to double); its values
//! are read as doubles.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, ListArray, TimestampNanosecondArray,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType,
    DurationSecondType, Field, IntervalDayTimeType, IntervalMonthDayNanoType, IntervalUnit,
    TimeUnit, TimestampNanosecondType,
};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};

use super::{points, timeseries_array, timeseries_type, value_type};

pub(super) const TIMESTAMP: DataType = DataType::Timestamp(TimeUnit::Nanosecond, None);
const NANOS_PER_MILLI: i64 = 1_000_000;
const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// Whether a series' value type is a number (bigint or double, or any other width).
pub(super) fn is_number(dt: &DataType) -> bool {
    crate::functions::aggregate::numeric_type(dt).is_some() && !matches!(dt, DataType::Null)
}

/// A series argument: itself when it is a `timeseries` (of numbers only, if `numeric`), a
/// `timeseries(double)` for an untyped NULL.
pub(super) fn series_arg(dt: &DataType, numeric: bool) -> Option<DataType> {
    match dt {
        DataType::Null => Some(timeseries_type(DataType::Float64)),
        _ => match value_type(dt) {
            Some(v) if !numeric || is_number(v) => Some(dt.clone()),
            _ => None,
        },
    }
}

/// A `timestamp` argument: any timestamp, an untyped NULL, or varchar (read as a timestamp, as
/// the guide's examples pass string literals where timestamps are expected).
pub(super) fn timestamp_arg(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::Timestamp(_, _)
        | DataType::Null
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View => Some(TIMESTAMP),
        DataType::Dictionary(_, v) if v.is_string() => Some(TIMESTAMP),
        _ => None,
    }
}

/// The `array(timestamp)` type the interpolation functions read requested times as.
pub(super) fn timestamps_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(TIMESTAMP, true)))
}

/// An `array(timestamp)` argument: any list of timestamps (or of NULLs: `ARRAY[]`).
pub(super) fn timestamps_arg(dt: &DataType) -> Option<DataType> {
    let element = match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => f,
        _ => return None,
    };
    match element.data_type() {
        DataType::Timestamp(_, _) | DataType::Null => Some(timestamps_type()),
        _ => None,
    }
}

/// An `interval day to second` argument (an untyped NULL included); `interval year to month`
/// is refused.
pub(super) fn interval_arg(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::Interval(IntervalUnit::YearMonth) => None,
        DataType::Interval(_) | DataType::Duration(_) => Some(dt.clone()),
        DataType::Null => Some(DataType::Interval(IntervalUnit::MonthDayNano)),
        _ => None,
    }
}

/// A `double` argument: any number or an untyped NULL.
pub(super) fn double_arg(dt: &DataType) -> Option<DataType> {
    (matches!(dt, DataType::Null) || is_number(dt)).then_some(DataType::Float64)
}

/// One argument of a batch: its values, and whether it was a scalar (then its only row stands
/// for every row, so a literal series is read once, not copied per row).
pub(super) struct Arg {
    pub array: ArrayRef,
    scalar: bool,
}

impl Arg {
    /// The argument's row for row `i` of the batch.
    pub fn row(&self, i: usize) -> usize {
        if self.scalar {
            0
        } else {
            i
        }
    }

    pub fn is_null(&self, i: usize) -> bool {
        self.array.is_null(self.row(i))
    }
}

/// The arguments of a call, the number of rows to compute, and whether every argument was a
/// scalar (then one row is computed and the result is a scalar, see [`finish`]).
pub(super) fn batch(args: &ScalarFunctionArgs) -> Result<(Vec<Arg>, usize, bool)> {
    let all_scalar = args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let rows = if all_scalar { 1 } else { args.number_rows };
    let args = args
        .args
        .iter()
        .map(|a| {
            Ok(match a {
                ColumnarValue::Array(array) => Arg {
                    array: array.clone(),
                    scalar: false,
                },
                ColumnarValue::Scalar(s) => Arg {
                    array: s.to_array_of_size(1)?,
                    scalar: true,
                },
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((args, rows, all_scalar))
}

/// The result column, or its only value when every argument was a scalar.
pub(super) fn finish(result: ArrayRef, all_scalar: bool) -> Result<ColumnarValue> {
    if all_scalar && result.len() == 1 {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &result, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(result))
    }
}

/// A series argument read for computing: its rows, all points' times (ns) and values.
pub(super) struct Series<'a> {
    list: &'a ListArray,
    pub times: &'a [i64],
    pub values: &'a ArrayRef,
}

impl<'a> Series<'a> {
    pub fn new(arg: &'a Arg) -> Result<Self> {
        let (list, times, values) = points(arg.array.as_ref())?;
        Ok(Self {
            list,
            times,
            values,
        })
    }

    /// The `[start, end)` range of row `row`'s points (a row of the argument, see [`Arg::row`]).
    pub fn range(&self, row: usize) -> (usize, usize) {
        let offsets = self.list.value_offsets();
        (offsets[row] as usize, offsets[row + 1] as usize)
    }

    /// All points' values as doubles (a bigint series is widened).
    pub fn doubles(&self) -> Result<Float64Array> {
        Ok(cast(self.values, &DataType::Float64)?
            .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
            .clone())
    }
}

/// The numeric points of `[start, end)` that have a value, as (time, value).
pub(super) fn valid_points<'a>(
    times: &'a [i64],
    values: &'a Float64Array,
    (start, end): (usize, usize),
) -> impl Iterator<Item = (i64, f64)> + 'a {
    let all_valid = values.null_count() == 0;
    let raw = values.values();
    (start..end)
        .filter(move |&k| all_valid || values.is_valid(k))
        .map(move |k| (times[k], raw[k]))
}

/// The requested times of an `array(timestamp)` argument: its rows and all elements (ns).
pub(super) fn timestamp_list(array: &ArrayRef) -> Result<(&ListArray, &TimestampNanosecondArray)> {
    let Some(list) = array.as_list_opt::<i32>() else {
        return exec_err!("expected an array of timestamps, got {}", array.data_type());
    };
    let Some(times) = list.values().as_primitive_opt::<TimestampNanosecondType>() else {
        return exec_err!("expected an array of timestamps, got {}", array.data_type());
    };
    Ok((list, times))
}

/// A timestamp argument's values (ns), NULLs kept.
pub(super) fn timestamps(array: &ArrayRef) -> Result<TimestampNanosecondArray> {
    Ok(cast(array, &TIMESTAMP)?
        .as_primitive::<TimestampNanosecondType>()
        .clone())
}

/// Row `row` of an interval argument as its length in ns (None when NULL). An interval with
/// months (`INTERVAL '1' MONTH` mixed with days) has no fixed length: an error, as is a length
/// of zero or less.
pub(super) fn interval_nanos(name: &str, array: &ArrayRef, row: usize) -> Result<Option<i64>> {
    if array.is_null(row) {
        return Ok(None);
    }
    let nanos = match array.data_type() {
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>().value(row);
            if v.months != 0 {
                return exec_err!(
                    "{name}: the interval must be a day to second interval, not one of months"
                );
            }
            i64::from(v.days)
                .checked_mul(NANOS_PER_DAY)
                .and_then(|d| d.checked_add(v.nanoseconds))
        }
        DataType::Interval(IntervalUnit::DayTime) => {
            let v = array.as_primitive::<IntervalDayTimeType>().value(row);
            i64::from(v.days)
                .checked_mul(NANOS_PER_DAY)
                .and_then(|d| d.checked_add(i64::from(v.milliseconds) * NANOS_PER_MILLI))
        }
        DataType::Duration(unit) => {
            let (value, scale) = match unit {
                TimeUnit::Second => (
                    array.as_primitive::<DurationSecondType>().value(row),
                    1_000_000_000,
                ),
                TimeUnit::Millisecond => (
                    array.as_primitive::<DurationMillisecondType>().value(row),
                    1_000_000,
                ),
                TimeUnit::Microsecond => (
                    array.as_primitive::<DurationMicrosecondType>().value(row),
                    1_000,
                ),
                TimeUnit::Nanosecond => {
                    (array.as_primitive::<DurationNanosecondType>().value(row), 1)
                }
            };
            value.checked_mul(scale)
        }
        other => return exec_err!("{name}: expected an interval, got {other}"),
    };
    match nanos {
        Some(n) if n > 0 => Ok(Some(n)),
        Some(_) => exec_err!("{name}: the interval must be greater than zero"),
        None => exec_err!("{name}: the interval is too large"),
    }
}

/// Builds a column of series row by row: each row's points (time and a payload `V`, a value or
/// the index of one), then the row closed as a series or NULL.
pub(super) struct SeriesBuilder<V> {
    offsets: Vec<i32>,
    pub times: Vec<i64>,
    pub values: Vec<V>,
    valid: Vec<bool>,
}

impl<V> SeriesBuilder<V> {
    /// A builder of `rows` series holding about `points` points in all (room for at most
    /// 2^24 is made ahead).
    pub fn new(rows: usize, points: usize) -> Self {
        let points = points.min(1 << 24);
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Self {
            offsets,
            times: Vec::with_capacity(points),
            values: Vec::with_capacity(points),
            valid: Vec::with_capacity(rows),
        }
    }

    pub fn push(&mut self, time: i64, value: V) {
        self.times.push(time);
        self.values.push(value);
    }

    /// Ends the current row: a series of the points pushed since the last row, or NULL.
    pub fn end_row(&mut self, valid: bool) -> Result<()> {
        let Ok(end) = i32::try_from(self.times.len()) else {
            return exec_err!("a result holds more than 2^31 time series points");
        };
        self.offsets.push(end);
        self.valid.push(valid);
        Ok(())
    }

    /// The column, with the points' values made into an array by `values`.
    pub fn finish(self, values: impl FnOnce(Vec<V>) -> Result<ArrayRef>) -> Result<ArrayRef> {
        let nulls = NullBuffer::from(self.valid);
        timeseries_array(
            OffsetBuffer::new(ScalarBuffer::from(self.offsets)),
            Arc::new(TimestampNanosecondArray::from(self.times)),
            values(self.values)?,
            (nulls.null_count() > 0).then_some(nulls),
        )
    }
}

impl SeriesBuilder<f64> {
    /// The column of a series of doubles.
    pub fn finish_doubles(self) -> Result<ArrayRef> {
        self.finish(|v| Ok(Arc::new(Float64Array::from(v)) as ArrayRef))
    }
}

/// `b − a` in ns as a double, exact before the rounding: in i64 when it fits, else in i128
/// (times at both ends of the timestamp range are further apart than an i64 holds).
pub(super) fn span(a: i64, b: i64) -> f64 {
    match b.checked_sub(a) {
        Some(d) => d as f64,
        None => (i128::from(b) - i128::from(a)) as f64,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{
        DurationMillisecondArray, IntervalDayTimeArray, IntervalMonthDayNanoArray,
    };
    use datafusion::arrow::datatypes::{IntervalDayTime, IntervalMonthDayNano};

    use super::*;

    #[test]
    fn intervals_of_every_kind_in_nanoseconds() {
        let day_time: ArrayRef = Arc::new(IntervalDayTimeArray::from(vec![
            Some(IntervalDayTime::new(1, 500)),
            None,
        ]));
        assert_eq!(
            interval_nanos("f", &day_time, 0).unwrap(),
            Some(NANOS_PER_DAY + 500 * NANOS_PER_MILLI)
        );
        assert_eq!(interval_nanos("f", &day_time, 1).unwrap(), None);
        let duration: ArrayRef = Arc::new(DurationMillisecondArray::from(vec![1_500, i64::MAX]));
        assert_eq!(
            interval_nanos("f", &duration, 0).unwrap(),
            Some(1_500_000_000)
        );
        let e = interval_nanos("f", &duration, 1).unwrap_err().to_string();
        assert!(e.contains("f: the interval is too large"), "{e}");
        let huge: ArrayRef = Arc::new(IntervalMonthDayNanoArray::from(vec![
            IntervalMonthDayNano::new(0, i32::MAX, i64::MAX),
        ]));
        assert!(interval_nanos("f", &huge, 0).is_err());
    }

    #[test]
    fn argument_types() {
        let series = timeseries_type(DataType::Int64);
        assert_eq!(series_arg(&series, true), Some(series.clone()));
        assert_eq!(series_arg(&timeseries_type(DataType::Utf8), true), None);
        assert!(series_arg(&timeseries_type(DataType::Utf8), false).is_some());
        assert_eq!(
            series_arg(&DataType::Null, true),
            Some(timeseries_type(DataType::Float64))
        );
        assert_eq!(
            interval_arg(&DataType::Interval(IntervalUnit::YearMonth)),
            None
        );
        let millis = DataType::List(Arc::new(Field::new_list_field(
            DataType::Timestamp(TimeUnit::Millisecond, None),
            true,
        )));
        assert_eq!(timestamps_arg(&millis), Some(timestamps_type()));
        assert_eq!(timestamp_arg(&DataType::Utf8), Some(TIMESTAMP));
        assert_eq!(double_arg(&DataType::Int32), Some(DataType::Float64));
        assert_eq!(double_arg(&DataType::Utf8), None);
    }

    #[test]
    fn span_holds_the_whole_timestamp_range() {
        assert_eq!(span(i64::MIN, i64::MAX), 2f64.powi(64));
        assert_eq!(span(10, 4), -6.0);
    }
}

#[cfg(test)]
pub(super) mod testing {
    //! Building arguments and calling a function in unit tests.

    use std::sync::Arc;

    use datafusion::arrow::array::{
        Array, ArrayRef, AsArray, Float64Array, Int64Array, ListArray, TimestampNanosecondArray,
    };
    use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
    use datafusion::arrow::datatypes::{DataType, Field, Float64Type};
    use datafusion::common::config::ConfigOptions;
    use datafusion::common::{Result, ScalarValue};
    use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl};

    use super::timestamps_type;
    use crate::functions::timeseries::{points, timeseries_array};

    pub const SEC: i64 = 1_000_000_000;

    /// A column of series, one per row (None: NULL), points (seconds, value), values made an
    /// array by `values`.
    fn column<V: Copy>(
        rows: &[Option<&[(i64, V)]>],
        values: impl FnOnce(Vec<V>) -> ArrayRef,
    ) -> ArrayRef {
        let mut times = Vec::new();
        let mut vals = Vec::new();
        let mut lengths = Vec::new();
        for row in rows {
            let points = row.unwrap_or(&[]);
            lengths.push(points.len());
            for &(t, v) in points {
                times.push(t * SEC);
                vals.push(v);
            }
        }
        let nulls = NullBuffer::from(rows.iter().map(Option::is_some).collect::<Vec<_>>());
        timeseries_array(
            OffsetBuffer::from_lengths(lengths),
            Arc::new(TimestampNanosecondArray::from(times)),
            values(vals),
            Some(nulls),
        )
        .unwrap()
    }

    pub fn doubles(rows: &[Option<&[(i64, f64)]>]) -> ArrayRef {
        column(rows, |v| Arc::new(Float64Array::from(v)))
    }

    pub fn bigints(rows: &[Option<&[(i64, i64)]>]) -> ArrayRef {
        column(rows, |v| Arc::new(Int64Array::from(v)))
    }

    /// A column of `array(timestamp)`, times in seconds.
    pub fn grid(rows: &[Option<&[i64]>]) -> ArrayRef {
        let mut times = Vec::new();
        let mut lengths = Vec::new();
        for row in rows {
            let row = row.unwrap_or(&[]);
            lengths.push(row.len());
            times.extend(row.iter().map(|t| t * SEC));
        }
        let DataType::List(field) = timestamps_type() else {
            unreachable!()
        };
        Arc::new(ListArray::new(
            field,
            OffsetBuffer::from_lengths(lengths),
            Arc::new(TimestampNanosecondArray::from(times)),
            Some(NullBuffer::from(
                rows.iter().map(Option::is_some).collect::<Vec<_>>(),
            )),
        ))
    }

    pub fn at(seconds: i64) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::TimestampNanosecond(Some(seconds * SEC), None))
    }

    /// Calls `f` on `args` (coerced types are the arguments' own) over `rows` rows.
    pub fn call(
        f: &dyn ScalarUDFImpl,
        args: Vec<ColumnarValue>,
        rows: usize,
    ) -> Result<ColumnarValue> {
        let types: Vec<DataType> = args.iter().map(|a| a.data_type()).collect();
        let coerced = f.coerce_types(&types)?;
        assert_eq!(coerced, types, "tests pass arguments of the coerced types");
        let return_type = f.return_type(&types)?;
        f.invoke_with_args(ScalarFunctionArgs {
            arg_fields: types
                .iter()
                .map(|t| Arc::new(Field::new("a", t.clone(), true)))
                .collect(),
            args,
            number_rows: rows,
            return_field: Arc::new(Field::new("r", return_type, true)),
            config_options: Arc::new(ConfigOptions::default()),
        })
    }

    /// The points (seconds, value) of each row of a double series result (None: NULL).
    pub fn read(result: &ColumnarValue) -> Vec<Option<Vec<(i64, f64)>>> {
        let array = result.to_array(1).unwrap();
        let (list, times, values) = points(array.as_ref()).unwrap();
        let values = values.as_primitive::<Float64Type>();
        (0..list.len())
            .map(|row| {
                list.is_valid(row).then(|| {
                    let offsets = list.value_offsets();
                    (offsets[row] as usize..offsets[row + 1] as usize)
                        .map(|k| (times[k] / SEC, values.value(k)))
                        .collect()
                })
            })
            .collect()
    }

    /// The doubles of a scalar-form result, one per row.
    pub fn read_doubles(result: &ColumnarValue) -> Vec<Option<f64>> {
        let array = result.to_array(1).unwrap();
        array.as_primitive::<Float64Type>().iter().collect()
    }
}
