//! `derivative_linear(timeseries, interval) → timeseries(double)` (timestream-functions.md §12.4):
//! the rate of change of the series per `interval`, between each point and the one before:
//! `(v[i] − v[i−1]) · interval / (t[i] − t[i−1])`, emitted at `t[i]`. A series of n points gives
//! n − 1 points (none for one point or an empty series).
//!
//! The series holds numbers (bigint or double); the interval is an `interval day to second`
//! (`1s`, `5m`, `INTERVAL '1' HOUR`): an `interval year to month` is a ValidationException, an
//! interval holding months, or of zero or negative length, a QueryExecutionException. Two
//! consecutive points with the same time (duplicates, which `create_time_series` keeps) have no
//! rate: that pair is skipped, and the later point is the next pair's predecessor. Points with
//! a NULL value (never made by `create_time_series`) are skipped. A NULL argument gives NULL.
//!
//! Guide example: `SELECT DERIVATIVE_LINEAR(CREATE_TIME_SERIES(time, measure_value::double), 5m)
//! AS result FROM "sampleDB".DevOps WHERE measure_name = 'cpu_utilization' AND hostname =
//! 'host-Hovjv' and time > ago(1h) GROUP BY hostname, measure_name`. Worked example: the series
//! (00:00:00, 1.0), (00:00:10, 3.0), (00:00:30, 2.0) per `1s` gives (00:00:10, 0.2),
//! (00:00:30, −0.05); per `1m` 12.0, −3.0.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{
    batch, finish, interval_arg, interval_nanos, series_arg, span, valid_points, Series,
    SeriesBuilder,
};
use super::timeseries_type;
use crate::functions::conversion::args::unexpected;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DerivativeLinear {
    signature: Signature,
}

impl DerivativeLinear {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for DerivativeLinear {
    fn name(&self) -> &str {
        "derivative_linear"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_types(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(timeseries_type(DataType::Float64))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        derivatives(self.name(), false, args)
    }
}

/// `name(timeseries(double), interval day to second)`'s argument types.
pub(super) fn coerce_types(name: &str, args: &[DataType]) -> Result<Vec<DataType>> {
    let coerced = match args {
        [s, i] => series_arg(s, true).zip(interval_arg(i)),
        _ => None,
    };
    match coerced {
        Some((s, i)) => Ok(vec![s, i]),
        None => unexpected(
            name,
            args,
            &format!("{name}(timeseries(double), interval day to second)"),
        ),
    }
}

/// The derivative series of every row; `non_negative` leaves out the negative rates.
pub(super) fn derivatives(
    name: &str,
    non_negative: bool,
    args: ScalarFunctionArgs,
) -> Result<ColumnarValue> {
    let (args, rows, all_scalar) = batch(&args)?;
    let [series, interval] = args.as_slice() else {
        return exec_err!("{name} takes two arguments");
    };
    let points = Series::new(series)?;
    let values = points.doubles()?;
    // At most one point per point of the series.
    let most = if series.array.len() == 1 {
        points.times.len().saturating_mul(rows)
    } else {
        points.times.len()
    };
    let mut out = SeriesBuilder::new(rows, most);
    for i in 0..rows {
        if series.is_null(i) {
            out.end_row(false)?;
            continue;
        }
        let Some(per) = interval_nanos(name, &interval.array, interval.row(i))? else {
            out.end_row(false)?;
            continue;
        };
        let per = per as f64;
        let mut previous: Option<(i64, f64)> = None;
        for (t, v) in valid_points(points.times, &values, points.range(series.row(i))) {
            if let Some((t0, v0)) = previous.filter(|&(t0, _)| t0 != t) {
                let rate = (v - v0) * per / span(t0, t);
                if !(non_negative && rate < 0.0) {
                    out.push(t, rate);
                }
            }
            previous = Some((t, v));
        }
        out.end_row(true)?;
    }
    finish(out.finish_doubles()?, all_scalar)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::IntervalMonthDayNano;
    use datafusion::common::ScalarValue;
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{bigints, call, doubles, read, SEC};

    const S: &[(i64, f64)] = &[(0, 1.0), (10, 3.0), (30, 2.0)];

    fn every(seconds: i64, months: i32) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::IntervalMonthDayNano(Some(
            IntervalMonthDayNano::new(months, 0, seconds * SEC),
        )))
    }

    #[test]
    fn worked_example() {
        let f = DerivativeLinear::new();
        let out = call(
            &f,
            vec![ColumnarValue::Array(doubles(&[Some(S)])), every(1, 0)],
            1,
        );
        assert_eq!(
            read(&out.unwrap()),
            vec![Some(vec![(10, 0.2), (30, -0.05)])]
        );
        let out = call(
            &f,
            vec![ColumnarValue::Array(doubles(&[Some(S)])), every(60, 0)],
            1,
        );
        assert_eq!(
            read(&out.unwrap()),
            vec![Some(vec![(10, 12.0), (30, -3.0)])]
        );
    }

    #[test]
    fn short_series_duplicates_and_nulls() {
        let f = DerivativeLinear::new();
        let series = bigints(&[
            Some(&[(0, 5)]),
            Some(&[]),
            None,
            Some(&[(0, 1), (10, 2), (10, 4), (20, 4)]),
        ]);
        let out = call(&f, vec![ColumnarValue::Array(series), every(10, 0)], 4).unwrap();
        assert_eq!(
            read(&out),
            vec![
                Some(vec![]),
                Some(vec![]),
                None,
                Some(vec![(10, 1.0), (20, 0.0)])
            ]
        );
    }

    #[test]
    fn an_interval_of_months_or_not_positive_is_an_error() {
        let f = DerivativeLinear::new();
        let s = || ColumnarValue::Array(doubles(&[Some(S)]));
        let e = call(&f, vec![s(), every(0, 1)], 1).unwrap_err().to_string();
        assert!(e.contains("day to second interval"), "{e}");
        let e = call(&f, vec![s(), every(0, 0)], 1).unwrap_err().to_string();
        assert!(e.contains("greater than zero"), "{e}");
        let e = call(&f, vec![s(), every(-1, 0)], 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("greater than zero"), "{e}");
    }
}
