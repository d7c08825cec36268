//! `integral_trapezoidal(timeseries [, interval]) → double` (timestream-functions.md §12.5): the
//! area under the series by the trapezoidal rule, expressed per `interval`:
//! `Σ (v[i−1] + v[i]) / 2 · (t[i] − t[i−1]) / interval`. The interval defaults to `1s`.
//!
//! The series holds numbers (bigint or double); the interval is an `interval day to second`
//! (`interval year to month`: ValidationException; holding months or not positive:
//! QueryExecutionException). A series of one point has no area: `0.0`; an empty series (or one
//! whose points all lack a value) and any NULL argument give NULL. Points sharing a time add a
//! trapezoid of width 0, i.e. nothing; points with a NULL value are skipped.
//!
//! Guide example: `SELECT INTEGRAL_TRAPEZOIDAL(CREATE_TIME_SERIES(time, measure_value::double),
//! 5m) AS result FROM sample.DevOps WHERE measure_name = 'request' AND hostname = 'host-Hovjv'
//! AND time > ago (1h) GROUP BY hostname, measure_name`. Worked example: the series
//! (00:00:00, 1.0), (00:00:10, 3.0), (00:00:30, 2.0) gives `70.0` (per second) and
//! `1.1666666666666667` per `1m`.

use std::sync::Arc;

use datafusion::arrow::array::Float64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{
    batch, finish, interval_arg, interval_nanos, series_arg, span, valid_points, Series,
};
use crate::functions::conversion::args::unexpected;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IntegralTrapezoidal {
    signature: Signature,
}

impl IntegralTrapezoidal {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for IntegralTrapezoidal {
    fn name(&self) -> &str {
        "integral_trapezoidal"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let coerced = match arg_types {
            [s] => series_arg(s, true).map(|s| vec![s]),
            [s, i] => series_arg(s, true)
                .zip(interval_arg(i))
                .map(|(s, i)| vec![s, i]),
            _ => None,
        };
        match coerced {
            Some(c) => Ok(c),
            None => unexpected(
                self.name(),
                arg_types,
                "integral_trapezoidal(timeseries(double)), \
                 integral_trapezoidal(timeseries(double), interval day to second)",
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (args, rows, all_scalar) = batch(&args)?;
        let (series, interval) = match args.as_slice() {
            [series] => (series, None),
            [series, interval] => (series, Some(interval)),
            _ => return exec_err!("integral_trapezoidal takes one or two arguments"),
        };
        let points = Series::new(series)?;
        let values = points.doubles()?;
        let mut out = Vec::with_capacity(rows);
        for i in 0..rows {
            if series.is_null(i) {
                out.push(None);
                continue;
            }
            let per = match interval {
                Some(a) => interval_nanos(self.name(), &a.array, a.row(i))?,
                None => Some(NANOS_PER_SECOND),
            };
            let Some(per) = per else {
                out.push(None);
                continue;
            };
            out.push(
                area(valid_points(
                    points.times,
                    &values,
                    points.range(series.row(i)),
                ))
                .map(|a| a / per as f64),
            );
        }
        finish(Arc::new(Float64Array::from(out)), all_scalar)
    }
}

/// The trapezoidal area (value · ns) of the points; None without points.
fn area(mut points: impl Iterator<Item = (i64, f64)>) -> Option<f64> {
    let (mut t0, mut v0) = points.next()?;
    let mut sum = 0.0;
    for (t, v) in points {
        sum += (v0 + v) / 2.0 * span(t0, t);
        (t0, v0) = (t, v);
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::IntervalMonthDayNano;
    use datafusion::common::ScalarValue;
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{bigints, call, doubles, read_doubles, SEC};

    const S: &[(i64, f64)] = &[(0, 1.0), (10, 3.0), (30, 2.0)];

    #[test]
    fn worked_example() {
        let f = IntegralTrapezoidal::new();
        let out = call(&f, vec![ColumnarValue::Array(doubles(&[Some(S)]))], 1).unwrap();
        assert_eq!(read_doubles(&out), vec![Some(70.0)]);
        let minute = ColumnarValue::Scalar(ScalarValue::IntervalMonthDayNano(Some(
            IntervalMonthDayNano::new(0, 0, 60 * SEC),
        )));
        let out = call(
            &f,
            vec![ColumnarValue::Array(doubles(&[Some(S)])), minute],
            1,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![Some(1.1666666666666667)]);
    }

    #[test]
    fn one_point_is_zero_and_none_is_null() {
        let f = IntegralTrapezoidal::new();
        let series = bigints(&[
            Some(&[(0, 4)]),
            Some(&[]),
            None,
            Some(&[(0, 2), (0, 8), (5, 8)]),
        ]);
        let out = call(&f, vec![ColumnarValue::Array(series)], 4).unwrap();
        assert_eq!(read_doubles(&out), vec![Some(0.0), None, None, Some(40.0)]);
    }
}
