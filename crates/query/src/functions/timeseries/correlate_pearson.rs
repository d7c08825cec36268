//! `correlate_pearson(timeseries, timeseries) → double` (timestream-functions.md §12.6):
//! Pearson's correlation coefficient r of the two series' values, in −1.0 … 1.0.
//!
//! Both series hold numbers (bigint or double) and **must have the same timestamps** (typically
//! both interpolated over one `SEQUENCE`): otherwise a QueryExecutionException, `correlate_pearson:
//! the two time series must have the same timestamps`. r is undefined — NULL (not NaN) — when
//! either series is constant or has fewer than two points; a NaN value gives NaN. Any NULL
//! argument gives NULL. A pair of points where either value is NULL (which
//! `create_time_series` never makes) is left out.
//!
//! Guide example: two `INTERPOLATE_LINEAR(CREATE_TIME_SERIES(time, measure_value::double),
//! SEQUENCE(min(time), max(time), 10m))` CTEs over the same host, then `SELECT
//! correlate_pearson(cte_1.result, cte_2.result) AS result FROM cte_1, cte_2`: a series against
//! itself gives `1.0`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{batch, finish, series_arg, Series};
use super::correlate_spearman::ranks;
use crate::functions::conversion::args::unexpected;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CorrelatePearson {
    signature: Signature,
}

impl CorrelatePearson {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CorrelatePearson {
    fn name(&self) -> &str {
        "correlate_pearson"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_types(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        correlate(self.name(), false, args)
    }
}

/// `name(timeseries(double), timeseries(double))`'s argument types.
pub(super) fn coerce_types(name: &str, args: &[DataType]) -> Result<Vec<DataType>> {
    let coerced = match args {
        [a, b] => series_arg(a, true).zip(series_arg(b, true)),
        _ => None,
    };
    match coerced {
        Some((a, b)) => Ok(vec![a, b]),
        None => unexpected(
            name,
            args,
            &format!("{name}(timeseries(double), timeseries(double))"),
        ),
    }
}

/// The correlation of every row's two series: Pearson's r of the values, or of their ranks.
pub(super) fn correlate(
    name: &str,
    by_rank: bool,
    args: ScalarFunctionArgs,
) -> Result<ColumnarValue> {
    let (args, rows, all_scalar) = batch(&args)?;
    let [a, b] = args.as_slice() else {
        return exec_err!("{name} takes two arguments");
    };
    let (pa, pb) = (Series::new(a)?, Series::new(b)?);
    let (va, vb) = (pa.doubles()?, pb.doubles()?);
    let (mut xs, mut ys, mut order, mut rx, mut ry) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        if a.is_null(i) || b.is_null(i) {
            out.push(None);
            continue;
        }
        let (ra, rb) = (pa.range(a.row(i)), pb.range(b.row(i)));
        if pa.times[ra.0..ra.1] != pb.times[rb.0..rb.1] {
            return exec_err!("{name}: the two time series must have the same timestamps");
        }
        xs.clear();
        ys.clear();
        for (j, k) in (ra.0..ra.1).zip(rb.0..rb.1) {
            if va.is_valid(j) && vb.is_valid(k) {
                xs.push(va.value(j));
                ys.push(vb.value(k));
            }
        }
        out.push(if by_rank {
            ranks(&xs, &mut order, &mut rx);
            ranks(&ys, &mut order, &mut ry);
            pearson(&rx, &ry)
        } else {
            pearson(&xs, &ys)
        });
    }
    finish(Arc::new(Float64Array::from(out)), all_scalar)
}

/// Pearson's r of `x` and `y` (as long as each other), computed about the means; None with
/// fewer than two pairs or when either side is constant. Each side is first scaled by a power
/// of two (exactly) to about 1, so that no sum overflows or underflows.
pub(super) fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let (x, y) = (&x[..n], &y[..n]);
    let (kx, ky) = (unit_scale(x), unit_scale(y));
    let mean = |v: &[f64], k: f64| v.iter().map(|a| a * k).sum::<f64>() / n as f64;
    let (mx, my) = (mean(x, kx), mean(y, ky));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a * kx - mx, b * ky - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    // √(sxx·syy), not √sxx·√syy: r of a series with itself is then exactly 1.
    let r = sxy / (sxx * syy).sqrt();
    Some(if r.is_nan() { r } else { r.clamp(-1.0, 1.0) })
}

/// The power of two that brings the largest magnitude of `v` into [1, 2) (1 for none).
fn unit_scale(v: &[f64]) -> f64 {
    let max = v.iter().fold(0.0f64, |m, a| m.max(a.abs()));
    if max == 0.0 || !max.is_finite() {
        return 1.0;
    }
    let exponent = (max.log2().floor() as i32).clamp(-1022, 1023);
    2f64.powi(-exponent)
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{bigints, call, doubles, read_doubles};

    const S: &[(i64, f64)] = &[(0, 1.0), (10, 3.0), (30, 2.0)];
    const R: &[(i64, f64)] = &[(0, 2.0), (10, 3.0), (30, 1.0)];

    #[test]
    fn a_series_with_itself_and_reversed() {
        let f = CorrelatePearson::new();
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(doubles(&[Some(S), Some(S), None])),
                ColumnarValue::Array(doubles(&[Some(S), Some(R), Some(R)])),
            ],
            3,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![Some(1.0), Some(0.5), None]);
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(bigints(&[Some(&[(0, 1), (1, 2), (2, 3)])])),
                ColumnarValue::Array(doubles(&[Some(&[(0, 3.0), (1, 2.0), (2, 1.0)])])),
            ],
            1,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![Some(-1.0)]);
    }

    #[test]
    fn constant_or_short_is_null() {
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0], &[2.0]), None);
        assert_eq!(pearson(&[], &[]), None);
        assert!(pearson(&[1.0, f64::NAN], &[1.0, 2.0]).is_some_and(f64::is_nan));
        assert_eq!(pearson(&[1e300, -1e300], &[1e300, -1e300]), Some(1.0));
        assert_eq!(pearson(&[1e-300, -1e-300], &[-1e-300, 1e-300]), Some(-1.0));
    }

    #[test]
    fn different_timestamps_are_an_error() {
        let e = call(
            &CorrelatePearson::new(),
            vec![
                ColumnarValue::Array(doubles(&[Some(S)])),
                ColumnarValue::Array(doubles(&[Some(&[(0, 1.0), (10, 3.0)])])),
            ],
            1,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("correlate_pearson: the two time series must have the same timestamps"));
    }
}
