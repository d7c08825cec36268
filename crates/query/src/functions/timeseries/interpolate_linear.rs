//! `interpolate_linear` (timestream-functions.md §12.3): fills a requested time with the straight
//! line between its neighbouring samples, `v1 + (v2 − v1) · (t − t1) / (t2 − t1)` on nanosecond
//! times, a double.
//!
//! - `interpolate_linear(timeseries, array(timestamp)) → timeseries(double)`;
//! - `interpolate_linear(timeseries, timestamp) → double`.
//!
//! The series holds numbers (bigint or double; bigint values are read as doubles). A requested
//! time on a sample takes its value; before the first or after the last sample there is no
//! point (the scalar form: NULL) — no extrapolation; an empty series gives an empty series
//! (NULL); of samples sharing a time the last one counts. Edges are AWS's undocumented
//! behaviour, chosen in `interpolation.rs`'s policy table; any NULL argument gives NULL.
//!
//! Guide example: `INTERPOLATE_LINEAR(CREATE_TIME_SERIES(binned_timestamp, avg_cpu_utilization),
//! SEQUENCE(min(binned_timestamp), max(binned_timestamp), 15s))` fills the gaps of a 30 s
//! binned series on a 15 s grid. Worked example: the series (00:00:00, 1.0), (00:00:10, 3.0),
//! (00:00:30, 2.0) on the grid 00, 10, 20, 30 s gives 1.0, 3.0, 2.5, 2.0.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::span;
use super::interpolation::Method;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct InterpolateLinear {
    signature: Signature,
}

impl InterpolateLinear {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for InterpolateLinear {
    fn name(&self) -> &str {
        Method::Linear.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Method::Linear.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Method::Linear.return_type(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Method::Linear.invoke(args)
    }
}

/// The value at `t` of the line through `(t1, v1)` and `(t2, v2)`, `t1 < t2` (ns).
pub(super) fn line(t1: i64, v1: f64, t2: i64, v2: f64, t: i64) -> f64 {
    v1 + (v2 - v1) * span(t1, t) / span(t1, t2)
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{
        at, bigints, call, doubles, grid, read, read_doubles, SEC,
    };

    const S: &[(i64, f64)] = &[(0, 1.0), (10, 3.0), (30, 2.0)];

    #[test]
    fn worked_example() {
        let f = InterpolateLinear::new();
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
            vec![Some(vec![(0, 1.0), (10, 3.0), (20, 2.5), (30, 2.0)])]
        );
    }

    #[test]
    fn every_row_of_a_batch() {
        let f = InterpolateLinear::new();
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(doubles(&[Some(S), None, Some(&[]), Some(&[(5, 7.0)])])),
                ColumnarValue::Array(grid(&[
                    Some(&[-10, 5, 40]),
                    Some(&[0]),
                    Some(&[0]),
                    Some(&[0, 5, 10]),
                ])),
            ],
            4,
        )
        .unwrap();
        assert_eq!(
            read(&out),
            vec![
                Some(vec![(5, 2.0)]),
                None,
                Some(vec![]),
                Some(vec![(5, 7.0)])
            ]
        );
    }

    #[test]
    fn scalar_form_per_row() {
        let f = InterpolateLinear::new();
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(bigints(&[
                    Some(&[(0, 1), (10, 2)]),
                    Some(&[(0, 1), (10, 2)]),
                    None,
                ])),
                at(4),
            ],
            3,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![Some(1.4), Some(1.4), None]);
        let out = call(
            &f,
            vec![ColumnarValue::Array(doubles(&[Some(S)])), at(31)],
            1,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![None]);
    }

    /// The brief's target, kernel only: 1 000 series × 10 000 points over a 10 000-point grid
    /// offset by half a step (every requested time but the last between two samples). Run with
    /// `cargo test --profile bench -p timestream-local-query --lib -- --ignored --nocapture
    /// interpolate_linear::tests::speed`.
    #[test]
    #[ignore]
    fn speed() {
        let (series, points) = (1_000usize, 10_000i64);
        let rows: Vec<Vec<(i64, f64)>> = (0..series)
            .map(|s| {
                (0..points)
                    .map(|t| (2 * t, (s as i64 + t) as f64))
                    .collect()
            })
            .collect();
        let rows: Vec<Option<&[(i64, f64)]>> = rows.iter().map(|r| Some(r.as_slice())).collect();
        let grid_row: Vec<i64> = (0..points).map(|t| 2 * t + 1).collect();
        let grids: Vec<Option<&[i64]>> = vec![Some(grid_row.as_slice()); series];
        let (s, g) = (doubles(&rows), grid(&grids));
        let f = InterpolateLinear::new();
        for form in ["array", "scalar"] {
            let mut best = f64::MAX;
            for _ in 0..3 {
                let args = match form {
                    "array" => vec![
                        ColumnarValue::Array(s.clone()),
                        ColumnarValue::Array(g.clone()),
                    ],
                    _ => vec![ColumnarValue::Array(s.clone()), at(5_000)],
                };
                let started = std::time::Instant::now();
                let out = call(&f, args, series).unwrap();
                best = best.min(started.elapsed().as_secs_f64());
                assert_eq!(out.to_array(series).unwrap().len(), series);
            }
            println!("interpolate_linear, {form} form, {series} × {points}: {best:.3} s");
        }
    }

    #[test]
    fn the_line_is_exact_at_far_apart_times() {
        assert_eq!(line(i64::MIN, 0.0, i64::MAX, 2.0, 0), 1.0);
        assert_eq!(line(0, 1.0, 10 * SEC, 3.0, 5 * SEC), 2.0);
    }
}
