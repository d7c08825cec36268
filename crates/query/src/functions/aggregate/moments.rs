//! The central-moments aggregates `skewness` and `kurtosis` (timestream-functions.md §10):
//! count, mean and the 2nd to 4th central moment sums, updated one value at a time and merged as
//! Trino does (Terriberry's online update, Pébay's pairwise merge), then finished by each
//! function's formula.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

use super::distinct::{self, maybe_distinct};
use super::sliding::sliding;
use super::{numeric_type, type_list};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Finish {
    /// Fisher's moment coefficient of skewness, `sqrt(n)·m3 / m2^1.5`; fewer than 3 values →
    /// NULL.
    Skewness,
    /// Excess kurtosis, unbiased estimator; fewer than 4 values → NULL.
    Kurtosis,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CentralMoments {
    name: &'static str,
    finish: Finish,
    signature: Signature,
}

impl CentralMoments {
    pub fn new(name: &'static str, finish: Finish) -> Self {
        Self {
            name,
            finish,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for CentralMoments {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if numeric_type(t).is_some() => Ok(vec![DataType::Float64]),
            other => plan_err!(
                "Unexpected parameters ({}) for function {}. Expected: {}(double), {}(bigint)",
                type_list(other),
                self.name,
                self.name,
                self.name
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        if args.is_distinct {
            return Ok(distinct::state_fields(&args));
        }
        let field = |suffix: &str, dt: DataType| {
            Arc::new(Field::new(format_state_name(args.name, suffix), dt, false))
        };
        Ok(vec![
            field("count", DataType::Int64),
            field("m1", DataType::Float64),
            field("m2", DataType::Float64),
            field("m3", DataType::Float64),
            field("m4", DataType::Float64),
        ])
    }

    fn create_sliding_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(sliding(MomentsAccumulator {
            finish: self.finish,
            m: Moments::default(),
        }))
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(maybe_distinct(
            &acc_args,
            MomentsAccumulator {
                finish: self.finish,
                m: Moments::default(),
            },
        ))
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Moments {
    n: i64,
    m1: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        let n1 = self.n as f64;
        let n = n1 + 1.0;
        let delta = x - self.m1;
        let delta_n = delta / n;
        let delta_n2 = delta_n * delta_n;
        let dm2 = delta * delta_n * n1;
        self.n += 1;
        self.m1 += delta_n;
        self.m4 += dm2 * delta_n2 * (n * n - 3.0 * n + 3.0) + 6.0 * delta_n2 * self.m2
            - 4.0 * delta_n * self.m3;
        self.m3 += dm2 * delta_n * (n - 2.0) - 3.0 * delta_n * self.m2;
        self.m2 += dm2;
    }

    fn merge(&mut self, o: Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let delta = o.m1 - self.m1;
        let d2 = delta * delta;
        let m1 = (na * self.m1 + nb * o.m1) / n;
        let m2 = self.m2 + o.m2 + d2 * na * nb / n;
        let m3 = self.m3
            + o.m3
            + d2 * delta * na * nb * (na - nb) / (n * n)
            + 3.0 * delta * (na * o.m2 - nb * self.m2) / n;
        let m4 = self.m4
            + o.m4
            + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
            + 6.0 * d2 * (na * na * o.m2 + nb * nb * self.m2) / (n * n)
            + 4.0 * delta * (na * o.m3 - nb * self.m3) / n;
        *self = Moments {
            n: self.n + o.n,
            m1,
            m2,
            m3,
            m4,
        };
    }
}

#[derive(Debug, Clone)]
struct MomentsAccumulator {
    finish: Finish,
    m: Moments,
}

impl Accumulator for MomentsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Float64Type>().iter().flatten() {
            self.m.add(v);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let n = states[0].as_primitive::<Int64Type>();
        let m = |i: usize| states[i].as_primitive::<Float64Type>();
        let (m1, m2, m3, m4) = (m(1), m(2), m(3), m(4));
        for row in 0..n.len() {
            self.m.merge(Moments {
                n: n.value(row),
                m1: m1.value(row),
                m2: m2.value(row),
                m3: m3.value(row),
                m4: m4.value(row),
            });
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let m = self.m;
        Ok(vec![
            ScalarValue::Int64(Some(m.n)),
            ScalarValue::Float64(Some(m.m1)),
            ScalarValue::Float64(Some(m.m2)),
            ScalarValue::Float64(Some(m.m3)),
            ScalarValue::Float64(Some(m.m4)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let m = self.m;
        let n = m.n as f64;
        Ok(ScalarValue::Float64(match self.finish {
            Finish::Skewness if m.n >= 3 => Some(n.sqrt() * m.m3 / m.m2.powf(1.5)),
            Finish::Kurtosis if m.n >= 4 => Some(
                ((n - 1.0) * n * (n + 1.0)) / ((n - 2.0) * (n - 3.0)) * m.m4 / (m.m2 * m.m2)
                    - 3.0 * ((n - 1.0) * (n - 1.0)) / ((n - 2.0) * (n - 3.0)),
            ),
            _ => None,
        }))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Moments;

    #[test]
    fn merge_equals_sequential() {
        let xs = [1.0, 5.0, 2.5, 9.0, -3.0, 4.0, 7.5];
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.add(x));
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[..3].iter().for_each(|&x| a.add(x));
        xs[3..].iter().for_each(|&x| b.add(x));
        a.merge(b);
        assert_eq!(a.n, all.n);
        for (x, y) in [(a.m2, all.m2), (a.m3, all.m3), (a.m4, all.m4)] {
            assert!((x - y).abs() < 1e-9 * y.abs().max(1.0), "{x} vs {y}");
        }
    }
}
