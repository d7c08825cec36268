//! What the four interpolation functions share (timestream-functions.md §12.3): the edge policy
//! of each in one table ([`Method::policy`]), where a requested time falls among the samples,
//! and the evaluation of both forms over a batch.
//!
//! - Array form `f(timeseries, array(timestamp)[, double]) → timeseries`: one point per
//!   requested time for which the policy gives a value, in ascending time order (requested
//!   times are sorted if they are not; a requested time given twice gives two points; NULL
//!   elements are skipped).
//! - Scalar form `f(timeseries, timestamp[, double]) → double` (`interpolate_locf`: the series'
//!   value type): the value at that time, NULL where the policy gives none.
//! - Any NULL argument gives NULL.
//!
//! The samples of a series are its points that have a value (a NULL value, which
//! `create_time_series` never produces, is skipped), one per time: of points sharing a time
//! (`create_time_series` keeps them in input order) **the last one wins**, as if each sample
//! overwrote the one before. The times are ascending (the type guarantees it; a series that is
//! not is sorted first). AWS documents none of the edges; the table follows the reference's
//! recommended defaults and is the one place to change after a comparison with the service.
//!
//! Cost: a merge of the sorted requested times with the samples, O(samples + requested) per row
//! (the scalar form bisects); the spline's coefficients are solved once per row, only if some
//! requested time falls between two samples.

use std::borrow::Cow;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, UInt32Array};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};

use super::args::{
    batch, double_arg, finish, series_arg, timestamp_arg, timestamp_list, timestamps,
    timestamps_arg, Arg, Series, SeriesBuilder,
};
use super::interpolate_linear::line;
use super::interpolate_spline_cubic::Spline;
use super::{timeseries_type, value_type};
use crate::functions::conversion::args::unexpected;

/// What a requested time gets in one situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fill {
    /// No point (the scalar form: NULL).
    Nothing,
    /// The constant argument (`interpolate_fill`'s third).
    Constant,
    /// The value of the last sample at or before the time (on an exact hit: that sample).
    Previous,
    /// The value of the first sample at or after the time (on an exact hit: that sample).
    /// No function uses it today; kept as an option of the table (a backward fill).
    #[allow(dead_code)]
    Next,
    /// The function's curve: on an exact hit the sample's value, between two samples the line
    /// or spline through them, outside the sampled range the end segment's curve extended
    /// (needs two samples, else nothing).
    Curve,
}

/// What a requested time gets, by where it falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Policy {
    /// Any requested time, when the series has no point.
    pub empty: Fill,
    /// Before the first sample.
    pub before: Fill,
    /// Exactly on a sample's time.
    pub hit: Fill,
    /// Strictly between two samples.
    pub between: Fill,
    /// After the last sample.
    pub after: Fill,
}

/// The four interpolation functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Method {
    Linear,
    SplineCubic,
    Locf,
    Fill,
}

impl Method {
    pub(super) const fn name(self) -> &'static str {
        match self {
            Method::Linear => "interpolate_linear",
            Method::SplineCubic => "interpolate_spline_cubic",
            Method::Locf => "interpolate_locf",
            Method::Fill => "interpolate_fill",
        }
    }

    /// **The edge policy** (undocumented by AWS; the reference's recommended defaults):
    ///
    /// | function | empty series | before the first | exact hit | between | after the last |
    /// | --- | --- | --- | --- | --- | --- |
    /// | linear | nothing | nothing | sample | line | nothing |
    /// | spline_cubic | nothing | nothing | sample | spline | nothing |
    /// | locf | nothing | nothing | sample | previous sample | last sample |
    /// | fill | nothing | constant | sample | constant | constant |
    pub(super) const fn policy(self) -> Policy {
        use Fill::{Constant, Curve, Nothing, Previous};
        match self {
            Method::Linear | Method::SplineCubic => Policy {
                empty: Nothing,
                before: Nothing,
                hit: Curve,
                between: Curve,
                after: Nothing,
            },
            Method::Locf => Policy {
                empty: Nothing,
                before: Nothing,
                hit: Previous,
                between: Previous,
                after: Previous,
            },
            Method::Fill => Policy {
                empty: Nothing,
                before: Constant,
                hit: Previous,
                between: Constant,
                after: Constant,
            },
        }
    }

    /// The signatures "Unexpected parameters" lists.
    const fn expected(self) -> &'static str {
        match self {
            Method::Linear => {
                "interpolate_linear(timeseries(double), array(timestamp)), \
                 interpolate_linear(timeseries(double), timestamp)"
            }
            Method::SplineCubic => {
                "interpolate_spline_cubic(timeseries(double), array(timestamp)), \
                 interpolate_spline_cubic(timeseries(double), timestamp)"
            }
            Method::Locf => {
                "interpolate_locf(timeseries(T), array(timestamp)), \
                 interpolate_locf(timeseries(T), timestamp)"
            }
            Method::Fill => {
                "interpolate_fill(timeseries(double), array(timestamp), double), \
                 interpolate_fill(timeseries(double), timestamp, double)"
            }
        }
    }

    /// Whether the series must hold numbers (all but locf, which carries any value).
    const fn numeric(self) -> bool {
        !matches!(self, Method::Locf)
    }

    /// Argument types: the series as it is, the requested time(s) as timestamp(s) (ns), fill's
    /// constant as a double; or Trino's "Unexpected parameters" error.
    pub(super) fn coerce_types(self, args: &[DataType]) -> Result<Vec<DataType>> {
        match self.coerced(args) {
            Some(c) => Ok(c),
            None => unexpected(self.name(), args, self.expected()),
        }
    }

    fn coerced(self, args: &[DataType]) -> Option<Vec<DataType>> {
        let at = |t: &DataType| timestamps_arg(t).or_else(|| timestamp_arg(t));
        match (self, args) {
            (Method::Fill, [s, t, c]) => Some(vec![series_arg(s, true)?, at(t)?, double_arg(c)?]),
            (Method::Fill, _) => None,
            (_, [s, t]) => Some(vec![series_arg(s, self.numeric())?, at(t)?]),
            _ => None,
        }
    }

    /// `timeseries(V)` for the array form, `V` for the scalar form: `V` is double, or the
    /// series' value type for locf.
    pub(super) fn return_type(self, args: &[DataType]) -> Result<DataType> {
        let (Some(series), Some(at)) = (args.first(), args.get(1)) else {
            return unexpected(self.name(), args, self.expected());
        };
        let value = match (self, value_type(series)) {
            (Method::Locf, Some(v)) => v.clone(),
            _ => DataType::Float64,
        };
        Ok(match at {
            DataType::List(_) => timeseries_type(value),
            _ => value,
        })
    }

    pub(super) fn invoke(self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (args, rows, all_scalar) = batch(&args)?;
        let [series, at, rest @ ..] = args.as_slice() else {
            return exec_err!("{} takes two or three arguments", self.name());
        };
        let series_values = Series::new(series)?;
        let array_form = matches!(at.array.data_type(), DataType::List(_));
        let result = if self == Method::Locf {
            let mut index = Index;
            if array_form {
                let built = array_form_rows(self, series, &series_values, at, rows, &mut index)?;
                built.finish(|ix| Ok(take(series_values.values, &UInt32Array::from(ix), None)?))?
            } else {
                let picked = scalar_form_rows(self, series, &series_values, at, rows, &mut index)?;
                take(series_values.values, &UInt32Array::from(picked), None)?
            }
        } else {
            let doubles = series_values.doubles()?;
            let constants = match rest.first() {
                Some(c) => Some((cast(&c.array, &DataType::Float64)?, c)),
                None => None,
            };
            let constant = match &constants {
                Some((values, arg)) => match values.as_primitive_opt::<Float64Type>() {
                    Some(values) => Some((values, *arg)),
                    None => return exec_err!("{}: the constant is not a double", self.name()),
                },
                None => None,
            };
            let mut numeric = Numeric {
                method: self,
                y: doubles.values(),
                constant,
                row_constant: f64::NAN,
                spline: Spline::default(),
            };
            if array_form {
                array_form_rows(self, series, &series_values, at, rows, &mut numeric)?
                    .finish_doubles()?
            } else {
                let picked =
                    scalar_form_rows(self, series, &series_values, at, rows, &mut numeric)?;
                Arc::new(Float64Array::from(picked)) as ArrayRef
            }
        };
        finish(result, all_scalar)
    }
}

/// Which sample(s) give a requested time its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pick {
    /// The value of sample `k`.
    Sample(usize),
    /// The curve of the segment from sample `k` to sample `k + 1`, at the requested time.
    Segment(usize),
    /// The constant argument.
    Constant,
}

impl Policy {
    /// What requested time `t` takes from samples at `times` (ascending, distinct), `j` being
    /// the number of samples before `t`. None: no point.
    pub(super) fn pick(&self, times: &[i64], j: usize, t: i64) -> Option<Pick> {
        let n = times.len();
        let (fill, previous, next) = if n == 0 {
            (self.empty, None, None)
        } else if j < n && times[j] == t {
            (self.hit, Some(j), Some(j))
        } else if j == 0 {
            (self.before, None, Some(0))
        } else if j >= n {
            (self.after, Some(n - 1), None)
        } else {
            (self.between, Some(j - 1), Some(j))
        };
        match fill {
            Fill::Nothing => None,
            Fill::Constant => Some(Pick::Constant),
            Fill::Previous => previous.map(Pick::Sample),
            Fill::Next => next.map(Pick::Sample),
            Fill::Curve if previous.is_some() && previous == next => previous.map(Pick::Sample),
            Fill::Curve if n >= 2 => Some(Pick::Segment(j.saturating_sub(1).min(n - 2))),
            Fill::Curve => None,
        }
    }
}

/// The samples of one series (see the module's doc): ascending distinct times, and for each the
/// index of its point in the series' values.
pub(super) struct Samples<'a> {
    pub times: Cow<'a, [i64]>,
    /// The point of each sample; None: sample `k` is point `start + k`.
    points: Option<Vec<usize>>,
    start: usize,
}

impl<'a> Samples<'a> {
    /// The samples among points `[start, end)` of `times` whose value is not NULL in `nulls`.
    pub(super) fn new(
        times: &'a [i64],
        nulls: Option<&NullBuffer>,
        (start, end): (usize, usize),
    ) -> Self {
        let row = &times[start..end];
        let valid = |k: usize| nulls.is_none_or(|n| n.is_valid(k));
        let clean = nulls.is_none_or(|n| n.null_count() == 0 || (start..end).all(valid))
            && row.windows(2).all(|w| w[0] < w[1]);
        if clean {
            return Self {
                times: Cow::Borrowed(row),
                points: None,
                start,
            };
        }
        let mut pairs: Vec<(i64, usize)> = (start..end)
            .filter(|&k| valid(k))
            .map(|k| (times[k], k))
            .collect();
        if !pairs.windows(2).all(|w| w[0].0 <= w[1].0) {
            // Stable: points sharing a time keep their order.
            pairs.sort_by_key(|p| p.0);
        }
        let mut kept_times: Vec<i64> = Vec::with_capacity(pairs.len());
        let mut points: Vec<usize> = Vec::with_capacity(pairs.len());
        for (time, point) in pairs {
            match (kept_times.last(), points.last_mut()) {
                // A later point at the same time replaces the earlier one.
                (Some(&last), Some(p)) if last == time => *p = point,
                _ => {
                    kept_times.push(time);
                    points.push(point);
                }
            }
        }
        Self {
            times: Cow::Owned(kept_times),
            points: Some(points),
            start,
        }
    }

    /// The index in the series' values of sample `k`'s point.
    pub(super) fn point(&self, k: usize) -> usize {
        match &self.points {
            Some(points) => points[k],
            None => self.start + k,
        }
    }
}

/// How a function turns a pick into a point's payload.
trait Values {
    type Out;

    /// Prepares row `row` of the batch; false when an argument of the row is NULL.
    fn start_row(&mut self, row: usize) -> bool;

    fn value(&mut self, samples: &Samples, pick: Pick, t: i64) -> Option<Self::Out>;
}

/// linear, spline and fill: a double.
struct Numeric<'a> {
    method: Method,
    /// Every point's value as a double.
    y: &'a [f64],
    /// Fill's constant argument.
    constant: Option<(&'a Float64Array, &'a Arg)>,
    row_constant: f64,
    spline: Spline,
}

impl Values for Numeric<'_> {
    type Out = f64;

    fn start_row(&mut self, row: usize) -> bool {
        self.spline.clear();
        match self.constant {
            Some((values, arg)) => {
                let r = arg.row(row);
                if values.is_null(r) {
                    return false;
                }
                self.row_constant = values.value(r);
                true
            }
            None => true,
        }
    }

    fn value(&mut self, s: &Samples, pick: Pick, t: i64) -> Option<f64> {
        let y = self.y;
        Some(match pick {
            Pick::Sample(k) => y[s.point(k)],
            Pick::Constant => self.row_constant,
            Pick::Segment(k) => match self.method {
                Method::Linear => line(
                    s.times[k],
                    y[s.point(k)],
                    s.times[k + 1],
                    y[s.point(k + 1)],
                    t,
                ),
                Method::SplineCubic => {
                    if !self.spline.is_fitted() {
                        self.spline.fit(&s.times, |k| y[s.point(k)]);
                    }
                    self.spline.at(&s.times, k, t)
                }
                // A step function's curve is its previous sample.
                Method::Locf | Method::Fill => y[s.point(k)],
            },
        })
    }
}

/// locf: the index of the sample's point, whatever the value type.
struct Index;

impl Values for Index {
    type Out = u32;

    fn start_row(&mut self, _row: usize) -> bool {
        true
    }

    fn value(&mut self, s: &Samples, pick: Pick, _t: i64) -> Option<u32> {
        match pick {
            // Offsets are i32: a point's index fits.
            Pick::Sample(k) | Pick::Segment(k) => Some(s.point(k) as u32),
            Pick::Constant => None,
        }
    }
}

/// The array form over every row.
fn array_form_rows<V: Values>(
    method: Method,
    series: &Arg,
    points: &Series,
    at: &Arg,
    rows: usize,
    values: &mut V,
) -> Result<SeriesBuilder<V::Out>> {
    let policy = method.policy();
    let (requested, elements) = timestamp_list(&at.array)?;
    let raw = elements.values();
    let nulls = points.values.nulls();
    // At most one point per requested time.
    let most = if at.array.len() == 1 {
        elements.len().saturating_mul(rows)
    } else {
        elements.len()
    };
    let mut out = SeriesBuilder::new(rows, most);
    for i in 0..rows {
        if series.is_null(i) || at.is_null(i) || !values.start_row(i) {
            out.end_row(false)?;
            continue;
        }
        let samples = Samples::new(points.times, nulls, points.range(series.row(i)));
        let offsets = requested.value_offsets();
        let r = at.row(i);
        let (start, end) = (offsets[r] as usize, offsets[r + 1] as usize);
        let wanted = &raw[start..end];
        let wanted: Cow<[i64]> =
            if elements.null_count() == 0 && wanted.windows(2).all(|w| w[0] <= w[1]) {
                Cow::Borrowed(wanted)
            } else {
                let mut sorted: Vec<i64> = (start..end)
                    .filter(|&k| elements.is_valid(k))
                    .map(|k| raw[k])
                    .collect();
                sorted.sort_unstable();
                Cow::Owned(sorted)
            };
        let times = samples.times.as_ref();
        let mut j = 0;
        for &t in wanted.iter() {
            while j < times.len() && times[j] < t {
                j += 1;
            }
            if let Some(pick) = policy.pick(times, j, t) {
                if let Some(v) = values.value(&samples, pick, t) {
                    out.push(t, v);
                }
            }
        }
        out.end_row(true)?;
    }
    Ok(out)
}

/// The scalar form over every row.
fn scalar_form_rows<V: Values>(
    method: Method,
    series: &Arg,
    points: &Series,
    at: &Arg,
    rows: usize,
    values: &mut V,
) -> Result<Vec<Option<V::Out>>> {
    let policy = method.policy();
    let at_times = timestamps(&at.array)?;
    let nulls = points.values.nulls();
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        if series.is_null(i) || at.is_null(i) || !values.start_row(i) {
            out.push(None);
            continue;
        }
        let samples = Samples::new(points.times, nulls, points.range(series.row(i)));
        let t = at_times.value(at.row(i));
        let times = samples.times.as_ref();
        let j = times.partition_point(|&x| x < t);
        out.push(
            policy
                .pick(times, j, t)
                .and_then(|pick| values.value(&samples, pick, t)),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: [i64; 3] = [0, 10, 30];

    fn picks(method: Method, times: &[i64], wanted: &[i64]) -> Vec<Option<Pick>> {
        let policy = method.policy();
        wanted
            .iter()
            .map(|&t| policy.pick(times, times.partition_point(|&x| x < t), t))
            .collect()
    }

    #[test]
    fn linear_and_spline_stay_inside_the_samples() {
        for method in [Method::Linear, Method::SplineCubic] {
            assert_eq!(
                picks(method, &S, &[-5, 0, 5, 10, 20, 30, 35]),
                vec![
                    None,
                    Some(Pick::Sample(0)),
                    Some(Pick::Segment(0)),
                    Some(Pick::Sample(1)),
                    Some(Pick::Segment(1)),
                    Some(Pick::Sample(2)),
                    None
                ]
            );
        }
    }

    #[test]
    fn locf_carries_the_last_sample_forward() {
        assert_eq!(
            picks(Method::Locf, &S, &[-5, 0, 5, 10, 20, 30, 35]),
            vec![
                None,
                Some(Pick::Sample(0)),
                Some(Pick::Sample(0)),
                Some(Pick::Sample(1)),
                Some(Pick::Sample(1)),
                Some(Pick::Sample(2)),
                Some(Pick::Sample(2))
            ]
        );
    }

    #[test]
    fn fill_puts_the_constant_wherever_no_sample_is() {
        assert_eq!(
            picks(Method::Fill, &S, &[-5, 0, 5, 30, 35]),
            vec![
                Some(Pick::Constant),
                Some(Pick::Sample(0)),
                Some(Pick::Constant),
                Some(Pick::Sample(2)),
                Some(Pick::Constant)
            ]
        );
    }

    #[test]
    fn an_empty_series_gives_nothing_and_one_sample_only_its_hit() {
        for method in [
            Method::Linear,
            Method::SplineCubic,
            Method::Locf,
            Method::Fill,
        ] {
            assert_eq!(picks(method, &[], &[0, 5]), vec![None, None]);
        }
        assert_eq!(
            picks(Method::Linear, &[10], &[5, 10, 15]),
            vec![None, Some(Pick::Sample(0)), None]
        );
        let curve = Policy {
            empty: Fill::Nothing,
            before: Fill::Curve,
            hit: Fill::Curve,
            between: Fill::Curve,
            after: Fill::Curve,
        };
        // Extrapolation (not a default) uses the end segments and needs two samples.
        assert_eq!(curve.pick(&[10], 1, 15), None);
        assert_eq!(curve.pick(&S, 0, -5), Some(Pick::Segment(0)));
        assert_eq!(curve.pick(&S, 3, 35), Some(Pick::Segment(1)));
    }

    #[test]
    fn of_points_sharing_a_time_the_last_is_the_sample() {
        let times = [0, 10, 10, 10, 20];
        let s = Samples::new(&times, None, (0, 5));
        assert_eq!(s.times.as_ref(), &[0, 10, 20]);
        assert_eq!((s.point(0), s.point(1), s.point(2)), (0, 3, 4));
    }

    #[test]
    fn points_without_a_value_are_not_samples() {
        let times = [0, 10, 20, 30, 40];
        let nulls = NullBuffer::from(vec![true, true, false, true, true]);
        let s = Samples::new(&times, Some(&nulls), (1, 4));
        assert_eq!(s.times.as_ref(), &[10, 30]);
        assert_eq!((s.point(0), s.point(1)), (1, 3));
        // A range without NULLs is read in place.
        let s = Samples::new(&times, Some(&nulls), (3, 5));
        assert!(matches!(s.times, Cow::Borrowed(_)));
        assert_eq!(s.point(1), 4);
    }

    #[test]
    fn unsorted_points_are_sorted_stably() {
        let times = [20, 0, 10, 0];
        let s = Samples::new(&times, None, (0, 4));
        assert_eq!(s.times.as_ref(), &[0, 10, 20]);
        assert_eq!((s.point(0), s.point(1), s.point(2)), (3, 2, 0));
    }
}
