//! `approx_percentile` in its five forms (timestream-functions.md §10, trap 7):
//!
//! - `approx_percentile(x, percentage) → same as x`
//! - `approx_percentile(x, percentages) → array(same as x)`
//! - `approx_percentile(x, w, percentage) → same as x`
//! - `approx_percentile(x, w, percentage, accuracy) → same as x` (Presto's overload)
//! - `approx_percentile(x, w, percentages) → array(same as x)`
//!
//! The answer is always one of the input values, never an interpolation (DataFusion's
//! `approx_percentile_cont` interpolates: 2.1 where Timestream says 2). Timestream estimates with
//! a digest; we compute exactly: sort the non-NULL values, each counting `w` times (weight 1 by
//! default), and return the first whose cumulative weight reaches `percentage · total` — for
//! unweighted input the value at 1-based rank `max(1, ceil(p·n))`, which reproduces every
//! documented result [guess]. Integer input is bigint, floating input double, as Trino has only
//! those overloads. Percentages must be constants in [0, 1] (`Percentile must be between 0 and
//! 1`), weights positive (`Percentile weight must be > 0`), the accuracy a constant in (0, 1)
//! (`Percentile accuracy must be exclusively between 0 and 1, was a`). No rows → NULL.
//!
//! Documented examples, over `(VALUES 1, 2, 3, 4) AS t(c)`: `approx_percentile(t.c, 0.4)` → `2`;
//! `approx_percentile(t.c, ARRAY[0.1, 0.8, 0.8])` → `[1, 4, 4]`; `approx_percentile(t.c, 1, 0.1)`
//! → `1`; `approx_percentile(t.c, 1, 0.1, 0.1)` → `1`; `approx_percentile(t.c, 1, ARRAY[0.1,
//! 0.8, 0.8])` → `[1, 4, 4]`.

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

use super::distinct::{self, maybe_distinct};
use super::sliding::sliding;
use super::{constant_arg, list_scalar, list_values, numeric_type, type_list, value_type};
use crate::encode::format_double;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ApproxPercentile {
    signature: Signature,
}

impl ApproxPercentile {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

fn expected(types: &[DataType]) -> Result<Vec<DataType>> {
    plan_err!(
        "Unexpected parameters ({}) for function approx_percentile. Expected: approx_percentile(bigint, double), approx_percentile(bigint, array(double)), approx_percentile(bigint, bigint, double), approx_percentile(bigint, bigint, double, double), approx_percentile(bigint, bigint, array(double)), and the same with double for bigint",
        type_list(types)
    )
}

/// The value type of `x`: bigint, double, or any other orderable type unchanged.
fn value_arg(x: &DataType) -> Option<DataType> {
    match numeric_type(x) {
        Some(t) => Some(t),
        None => match value_type(x) {
            t @ (DataType::Timestamp(_, _)
            | DataType::Date32
            | DataType::Time64(_)
            | DataType::Interval(_)
            | DataType::Utf8) => Some(t),
            _ => None,
        },
    }
}

/// `double` or `array(double)`.
fn percentage_arg(p: &DataType) -> Option<DataType> {
    match p {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _)
            if numeric_type(f.data_type()).is_some() =>
        {
            Some(DataType::new_list(DataType::Float64, true))
        }
        t if numeric_type(t).is_some() => Some(DataType::Float64),
        _ => None,
    }
}

impl AggregateUDFImpl for ApproxPercentile {
    fn name(&self) -> &str {
        "approx_percentile"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let coerced = match arg_types {
            [x, p] => value_arg(x).zip(percentage_arg(p)).map(|(x, p)| vec![x, p]),
            [x, w, p] if numeric_type(w).is_some() => value_arg(x)
                .zip(percentage_arg(p))
                .map(|(x, p)| vec![x, DataType::Float64, p]),
            [x, w, p, a]
                if numeric_type(w).is_some()
                    && numeric_type(p).is_some()
                    && numeric_type(a).is_some() =>
            {
                value_arg(x)
                    .map(|x| vec![x, DataType::Float64, DataType::Float64, DataType::Float64])
            }
            _ => None,
        };
        match coerced {
            Some(c) => Ok(c),
            None => expected(arg_types),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let (Some(x), Some(p)) = (arg_types.first(), arg_types.get(arg_types.len().min(3) - 1))
        else {
            return expected(arg_types).map(|_| DataType::Null);
        };
        Ok(match p {
            DataType::List(_) => DataType::new_list(x.clone(), true),
            _ => x.clone(),
        })
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        if args.is_distinct {
            return Ok(distinct::state_fields(&args));
        }
        let dt = args
            .input_fields
            .first()
            .map_or(DataType::Null, |f| f.data_type().clone());
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "values"),
                DataType::new_list(dt, true),
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "weights"),
                DataType::new_list(DataType::Float64, true),
                true,
            )),
        ])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(maybe_distinct(&acc_args, self.make(acc_args.clone())?))
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(sliding(self.make(args)?))
    }
}

impl ApproxPercentile {
    fn make(&self, acc_args: AccumulatorArgs) -> Result<PercentileAccumulator> {
        let n = acc_args.exprs.len();
        let p_index = if n == 2 { 1 } else { 2 };
        let percentages = match constant_arg(&acc_args, p_index) {
            Some(ScalarValue::Float64(Some(p))) => Percentages::One(p),
            Some(ScalarValue::List(list)) => {
                let values = list_values(&(list as ArrayRef), 0)?;
                let mut ps = Vec::with_capacity(values.len());
                for v in values {
                    match v {
                        ScalarValue::Float64(Some(p)) => ps.push(p),
                        _ => return exec_err!("Percentile cannot be null"),
                    }
                }
                Percentages::Many(ps)
            }
            Some(v) if v.is_null() => return exec_err!("Percentile cannot be null"),
            _ => return plan_err!("approx_percentile: the percentage must be a constant"),
        };
        let all = match &percentages {
            Percentages::One(p) => std::slice::from_ref(p),
            Percentages::Many(ps) => ps.as_slice(),
        };
        if all.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return exec_err!("Percentile must be between 0 and 1");
        }
        if n == 4 {
            match constant_arg(&acc_args, 3) {
                Some(ScalarValue::Float64(Some(a))) if a > 0.0 && a < 1.0 => {}
                Some(ScalarValue::Float64(Some(a))) => {
                    return exec_err!(
                        "Percentile accuracy must be exclusively between 0 and 1, was {}",
                        format_double(a)
                    )
                }
                _ => return plan_err!("approx_percentile: the accuracy must be a constant"),
            }
        }
        let dt = acc_args
            .expr_fields
            .first()
            .map_or(DataType::Null, |f| f.data_type().clone());
        Ok(PercentileAccumulator {
            dt,
            weighted: n > 2,
            percentages,
            values: Vec::new(),
        })
    }
}

#[derive(Debug, Clone)]
enum Percentages {
    One(f64),
    Many(Vec<f64>),
}

#[derive(Debug, Clone)]
struct PercentileAccumulator {
    dt: DataType,
    weighted: bool,
    percentages: Percentages,
    values: Vec<(ScalarValue, f64)>,
}

impl PercentileAccumulator {
    /// The value at percentage `p` of `self.values`, sorted.
    fn at(&self, p: f64, total: f64) -> ScalarValue {
        // A little slack so that p·total = 2.0000000000000004 still means rank 2.
        let target = p * total - 1e-9 * total.max(1.0);
        let mut cumulative = 0.0;
        for (v, w) in &self.values {
            cumulative += w;
            if cumulative >= target {
                return v.clone();
            }
        }
        self.values
            .last()
            .map_or_else(|| ScalarValue::Null, |(v, _)| v.clone())
    }
}

impl Accumulator for PercentileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let x = &values[0];
        let w = self
            .weighted
            .then(|| values[1].as_primitive::<Float64Type>());
        for i in 0..x.len() {
            if x.is_null(i) {
                continue;
            }
            let weight = match w {
                Some(w) if w.is_null(i) => continue,
                Some(w) => w.value(i),
                None => 1.0,
            };
            if weight <= 0.0 || weight.is_nan() {
                return exec_err!(
                    "Percentile weight must be > 0, was {}",
                    format_double(weight)
                );
            }
            self.values
                .push((ScalarValue::try_from_array(x, i)?, weight));
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for row in 0..states[0].len() {
            let values = list_values(&states[0], row)?;
            let weights = list_values(&states[1], row)?;
            for (v, w) in values.into_iter().zip(weights) {
                let ScalarValue::Float64(Some(w)) = w else {
                    continue;
                };
                self.values.push((v, w));
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (values, weights): (Vec<ScalarValue>, Vec<ScalarValue>) = self
            .values
            .iter()
            .map(|(v, w)| (v.clone(), ScalarValue::Float64(Some(*w))))
            .unzip();
        Ok(vec![
            list_scalar(&values, &self.dt),
            list_scalar(&weights, &DataType::Float64),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.values.is_empty() {
            return match &self.percentages {
                Percentages::One(_) => ScalarValue::try_from(&self.dt),
                Percentages::Many(_) => {
                    ScalarValue::try_from(&DataType::new_list(self.dt.clone(), true))
                }
            };
        }
        self.values
            .sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal));
        let total: f64 = self.values.iter().map(|(_, w)| w).sum();
        Ok(match &self.percentages {
            Percentages::One(p) => self.at(*p, total),
            Percentages::Many(ps) => {
                let values: Vec<ScalarValue> = ps.iter().map(|p| self.at(*p, total)).collect();
                list_scalar(&values, &self.dt)
            }
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.iter().map(|(v, _)| v.size() + 8).sum::<usize>()
    }
}
