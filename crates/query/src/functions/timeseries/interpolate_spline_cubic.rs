//! `interpolate_spline_cubic` (timestream-functions.md §12.3): fills a requested time with the
//! cubic spline through all samples, a double.
//!
//! - `interpolate_spline_cubic(timeseries, array(timestamp)) → timeseries(double)`;
//! - `interpolate_spline_cubic(timeseries, timestamp) → double`.
//!
//! The spline is the **natural** cubic spline (second derivative 0 at both ends; AWS does not
//! name its boundary conditions), on nanosecond times; through two samples it is the straight
//! line. The series holds numbers (bigint or double). Edges as `interpolate_linear`: a
//! requested time on a sample takes its value, none before the first or after the last sample
//! (the scalar form: NULL), an empty series gives an empty series; of samples sharing a time the
//! last one counts (interpolation.rs); any NULL argument gives NULL.
//!
//! Guide example (no printed result): AWS's sample apps call
//! `INTERPOLATE_SPLINE_CUBIC(CREATE_TIME_SERIES(…), SEQUENCE(…, 15s))`. Worked example: the
//! series (00:00:00, 1.0), (00:00:10, 3.0), (00:00:30, 2.0) on the grid 00, 10, 20, 30 s gives
//! 1.0, 3.0, 3.125, 2.0.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::span;
use super::interpolation::Method;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct InterpolateSplineCubic {
    signature: Signature,
}

impl InterpolateSplineCubic {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for InterpolateSplineCubic {
    fn name(&self) -> &str {
        Method::SplineCubic.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Method::SplineCubic.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Method::SplineCubic.return_type(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Method::SplineCubic.invoke(args)
    }
}

/// The natural cubic spline through one series' samples, its buffers reused from row to row.
/// On segment `k` (`x[k] ≤ t ≤ x[k+1]`, `h = x[k+1] − x[k]`, `u = (t − x[k]) / h`):
/// `S(t) = (1 − u)·y[k] + u·y[k+1] + h²/6 · (((1 − u)³ − (1 − u))·m[k] + (u³ − u)·m[k+1])`, with
/// `m` the second derivatives, `m[0] = m[n−1] = 0`.
#[derive(Debug, Default)]
pub(super) struct Spline {
    fitted: bool,
    y: Vec<f64>,
    h: Vec<f64>,
    m: Vec<f64>,
    /// The tridiagonal solve's modified upper diagonal.
    c: Vec<f64>,
}

impl Spline {
    /// Forgets the last fit (a new row).
    pub fn clear(&mut self) {
        self.fitted = false;
    }

    pub fn is_fitted(&self) -> bool {
        self.fitted
    }

    /// Fits the spline through `(x[k], y(k))`, `x` ascending and distinct (ns). O(n).
    pub fn fit(&mut self, x: &[i64], y: impl Fn(usize) -> f64) {
        let n = x.len();
        self.y.clear();
        self.y.extend((0..n).map(y));
        self.h.clear();
        self.h.extend(x.windows(2).map(|w| span(w[0], w[1])));
        self.m.clear();
        self.m.resize(n, 0.0);
        self.c.clear();
        self.c.resize(n, 0.0);
        self.fitted = true;
        // Rows 1 ..= n−2 of h[i−1]·m[i−1] + 2(h[i−1] + h[i])·m[i] + h[i]·m[i+1]
        // = 6·((y[i+1] − y[i]) / h[i] − (y[i] − y[i−1]) / h[i−1]), solved by Thomas' algorithm
        // (the matrix is diagonally dominant): elimination downwards keeps the modified upper
        // diagonal in `c` and right-hand side in `m`, m[0] = c[0] = 0 being the natural end.
        let (h, y) = (&self.h, &self.y);
        for i in 1..n.saturating_sub(1) {
            let slope = |j: usize| (y[j + 1] - y[j]) / h[j];
            let rhs = 6.0 * (slope(i) - slope(i - 1));
            let pivot = 2.0 * (h[i - 1] + h[i]) - h[i - 1] * self.c[i - 1];
            self.c[i] = h[i] / pivot;
            self.m[i] = (rhs - h[i - 1] * self.m[i - 1]) / pivot;
        }
        // Back substitution; m[n−1] = 0, so m[n−2] is already solved.
        for i in (1..n.saturating_sub(2)).rev() {
            self.m[i] -= self.c[i] * self.m[i + 1];
        }
    }

    /// The spline at `t` on segment `k` (from `x[k]` to `x[k + 1]`); outside it, that segment's
    /// cubic extended.
    pub fn at(&self, x: &[i64], k: usize, t: i64) -> f64 {
        let h = self.h[k];
        let u = span(x[k], t) / h;
        let w = 1.0 - u;
        w * self.y[k]
            + u * self.y[k + 1]
            + h * h / 6.0 * ((w * w * w - w) * self.m[k] + (u * u * u - u) * self.m[k + 1])
    }
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{
        at, call, doubles, grid, read, read_doubles, SEC,
    };

    const S: &[(i64, f64)] = &[(0, 1.0), (10, 3.0), (30, 2.0)];

    #[test]
    fn worked_example() {
        let f = InterpolateSplineCubic::new();
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(doubles(&[Some(S)])),
                ColumnarValue::Array(grid(&[Some(&[0, 10, 20, 30])])),
            ],
            1,
        )
        .unwrap();
        assert_eq!(
            read(&out),
            vec![Some(vec![(0, 1.0), (10, 3.0), (20, 3.125), (30, 2.0)])]
        );
        let out = call(
            &f,
            vec![ColumnarValue::Array(doubles(&[Some(S)])), at(20)],
            1,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![Some(3.125)]);
    }

    #[test]
    fn two_samples_are_a_line() {
        let f = InterpolateSplineCubic::new();
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(doubles(&[Some(&[(0, 1.0), (10, 3.0)])])),
                ColumnarValue::Array(grid(&[Some(&[-1, 5, 11])])),
            ],
            1,
        )
        .unwrap();
        assert_eq!(read(&out), vec![Some(vec![(5, 2.0)])]);
    }

    #[test]
    fn reproduces_a_cubic_with_zero_end_curvature_and_is_natural() {
        // Samples of sin on [0, π] at 9 points: the spline is close to it inside, its second
        // derivative is 0 at both ends, and it passes through every sample.
        let n = 9;
        let x: Vec<i64> = (0..n).map(|k| k * SEC).collect();
        let y = |k: usize| (k as f64 * std::f64::consts::PI / 8.0).sin();
        let mut s = Spline::default();
        s.fit(&x, y);
        assert_eq!((s.m[0], s.m[8]), (0.0, 0.0));
        for k in 0..8 {
            assert!((s.at(&x, k, x[k]) - y(k)).abs() < 1e-12);
            assert!((s.at(&x, k, x[k + 1]) - y(k + 1)).abs() < 1e-12);
            let mid = x[k] + SEC / 2;
            let exact = ((k as f64 + 0.5) * std::f64::consts::PI / 8.0).sin();
            assert!((s.at(&x, k, mid) - exact).abs() < 2e-3, "segment {k}");
        }
        // Continuity of the first derivative at an inner knot.
        let d = |k: usize, t: i64| (s.at(&x, k, t + 1000) - s.at(&x, k, t - 1000)) / 2000.0;
        assert!((d(3, x[4]) - d(4, x[4])).abs() < 1e-12);
    }

    #[test]
    fn refitting_for_another_row_forgets_the_last() {
        let mut s = Spline::default();
        s.fit(&[0, 10, 20], |k| [0.0, 5.0, 0.0][k]);
        s.clear();
        assert!(!s.is_fitted());
        s.fit(&[0, 10], |k| [0.0, 1.0][k]);
        assert_eq!(s.at(&[0, 10], 0, 5), 0.5);
    }
}
