//! The `max_by`/`min_by` family (timestream-functions.md §10): `f(x, y)` is the `x` of the row
//! with the largest (smallest) `y`; `f(x, y, n)` the `x` of the `n` rows with the largest
//! (smallest) `y`, as an array ordered by `y`. Rows whose `y` is NULL are ignored, `x` may be
//! NULL; of tied rows the first seen wins. `n` must be a positive constant, at most 10 000
//! (Trino's limit). No rows → NULL. Not in DataFusion.

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

use super::distinct::{self, maybe_distinct};
use super::sliding::sliding;
use super::{constant_arg, list_scalar, list_values, numeric_type, type_list, value_type};

const MAX_N: i64 = 10_000;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct By {
    name: &'static str,
    /// `max_by` keeps the largest keys, `min_by` the smallest.
    largest: bool,
    signature: Signature,
}

impl By {
    pub fn new(name: &'static str, largest: bool) -> Self {
        Self {
            name,
            largest,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for By {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x, y] => Ok(vec![value_type(x), value_type(y)]),
            [x, y, n] if numeric_type(n) == Some(DataType::Int64) => {
                Ok(vec![value_type(x), value_type(y), DataType::Int64])
            }
            other => plan_err!(
                "Unexpected parameters ({}) for function {}. Expected: {}(V, K), {}(V, K, bigint)",
                type_list(other),
                self.name,
                self.name,
                self.name
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [x, _] => Ok(x.clone()),
            [x, _, _] => Ok(DataType::new_list(x.clone(), true)),
            other => plan_err!(
                "Unexpected parameters ({}) for function {}",
                type_list(other),
                self.name
            ),
        }
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        if args.is_distinct {
            return Ok(distinct::state_fields(&args));
        }
        let dt = |i: usize| {
            args.input_fields
                .get(i)
                .map_or(DataType::Null, |f| f.data_type().clone())
        };
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "values"),
                DataType::new_list(dt(0), true),
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "keys"),
                DataType::new_list(dt(1), true),
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

impl By {
    /// A fresh accumulator for these arguments.
    pub(super) fn make(&self, acc_args: AccumulatorArgs) -> Result<ByAccumulator> {
        let n = if acc_args.exprs.len() == 3 {
            match constant_arg(&acc_args, 2) {
                Some(ScalarValue::Int64(Some(n))) if n > 0 && n <= MAX_N => Some(n as usize),
                Some(ScalarValue::Int64(Some(n))) if n > MAX_N => {
                    return exec_err!(
                        "third argument of {} must be less than or equal to {MAX_N}; found {n}",
                        self.name
                    )
                }
                Some(ScalarValue::Int64(Some(_))) => {
                    return exec_err!("third argument of {} must be a positive integer", self.name)
                }
                _ => {
                    return plan_err!(
                        "third argument of {} must be a constant positive integer",
                        self.name
                    )
                }
            }
        } else {
            None
        };
        let dt = |i: usize| {
            acc_args
                .expr_fields
                .get(i)
                .map_or(DataType::Null, |f| f.data_type().clone())
        };
        Ok(ByAccumulator {
            largest: self.largest,
            n,
            value_type: dt(0),
            key_type: dt(1),
            best: Vec::new(),
        })
    }
}

#[derive(Debug, Clone)]
pub(super) struct ByAccumulator {
    largest: bool,
    /// `None` for the two-argument form (one value, not an array).
    n: Option<usize>,
    value_type: DataType,
    key_type: DataType,
    /// (key, value), best first.
    best: Vec<(ScalarValue, ScalarValue)>,
}

impl ByAccumulator {
    fn offer(&mut self, key: ScalarValue, value: ScalarValue) {
        let cap = self.n.unwrap_or(1);
        let better = |a: &ScalarValue, b: &ScalarValue| {
            let o = a.partial_cmp(b).unwrap_or(Ordering::Equal);
            if self.largest {
                o == Ordering::Greater
            } else {
                o == Ordering::Less
            }
        };
        // After every entry it does not beat: ties keep the earlier row first.
        let at = self
            .best
            .iter()
            .position(|(k, _)| better(&key, k))
            .unwrap_or(self.best.len());
        if at < cap {
            self.best.insert(at, (key, value));
            self.best.truncate(cap);
        }
    }
}

impl Accumulator for ByAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let (x, y) = (&values[0], &values[1]);
        for i in 0..y.len() {
            if y.is_null(i) {
                continue;
            }
            self.offer(
                ScalarValue::try_from_array(y, i)?,
                ScalarValue::try_from_array(x, i)?,
            );
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for row in 0..states[0].len() {
            let values = list_values(&states[0], row)?;
            let keys = list_values(&states[1], row)?;
            for (k, v) in keys.into_iter().zip(values) {
                self.offer(k, v);
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (keys, values): (Vec<ScalarValue>, Vec<ScalarValue>) =
            self.best.iter().cloned().unzip();
        Ok(vec![
            list_scalar(&values, &self.value_type),
            list_scalar(&keys, &self.key_type),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        match self.n {
            None => match self.best.first() {
                Some((_, v)) => Ok(v.clone()),
                None => ScalarValue::try_from(&self.value_type),
            },
            Some(_) if self.best.is_empty() => {
                ScalarValue::try_from(&DataType::new_list(self.value_type.clone(), true))
            }
            Some(_) => {
                let values: Vec<ScalarValue> = self.best.iter().map(|(_, v)| v.clone()).collect();
                Ok(list_scalar(&values, &self.value_type))
            }
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .best
                .iter()
                .map(|(k, v)| k.size() + v.size())
                .sum::<usize>()
    }
}
