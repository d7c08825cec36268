//! `approx_distinct(x) → bigint`, `approx_distinct(x, e) → bigint`: the number of distinct
//! non-NULL values, 0 when there are none (timestream-functions.md §10). Timestream estimates
//! it with HyperLogLog, which is exact for small sets; we count exactly, which reproduces AWS on
//! test-sized data [guess]. `e`, the maximum standard error, must be a constant in
//! [0.0115, 0.26] (Presto's range; outside → `Max standard error must be in [0.0115, 0.26]: e`).
//! DataFusion's `approx_distinct` has no second argument, returns UInt64 and is approximate.
//!
//! Documented examples: `SELECT approx_distinct(t.c) FROM (VALUES 1, 2, 3, 4, 8) AS t(c)` → `5`;
//! `approx_distinct(t.c, 0.2)` on the same rows → `5`.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

use super::sliding::sliding;
use super::{constant_arg, list_scalar, list_values, numeric_type, type_list, value_type};
use crate::encode::format_double;

const MIN_ERROR: f64 = 0.0115;
const MAX_ERROR: f64 = 0.26;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ApproxDistinct {
    signature: Signature,
}

impl ApproxDistinct {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for ApproxDistinct {
    fn name(&self) -> &str {
        "approx_distinct"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x] => Ok(vec![value_type(x)]),
            [x, e] if numeric_type(e).is_some() => Ok(vec![value_type(x), DataType::Float64]),
            other => plan_err!(
                "Unexpected parameters ({}) for function approx_distinct. Expected: approx_distinct(T), approx_distinct(T, double)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(Some(0)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let dt = args
            .input_fields
            .first()
            .map_or(DataType::Null, |f| f.data_type().clone());
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "values"),
            DataType::new_list(dt, true),
            true,
        ))])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(self.make(acc_args)?))
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(sliding(self.make(args)?))
    }
}

impl ApproxDistinct {
    fn make(&self, acc_args: AccumulatorArgs) -> Result<DistinctAccumulator> {
        if acc_args.exprs.len() == 2 {
            match constant_arg(&acc_args, 1) {
                Some(ScalarValue::Float64(Some(e))) if (MIN_ERROR..=MAX_ERROR).contains(&e) => {}
                Some(ScalarValue::Float64(Some(e))) => {
                    return exec_err!(
                        "Max standard error must be in [{MIN_ERROR}, {MAX_ERROR}]: {}",
                        format_double(e)
                    )
                }
                _ => {
                    return plan_err!(
                        "approx_distinct: the maximum standard error must be a constant"
                    )
                }
            }
        }
        let dt = acc_args
            .expr_fields
            .first()
            .map_or(DataType::Null, |f| f.data_type().clone());
        Ok(DistinctAccumulator {
            dt,
            values: HashSet::new(),
        })
    }
}

#[derive(Debug, Clone)]
struct DistinctAccumulator {
    dt: DataType,
    values: HashSet<ScalarValue>,
}

impl Accumulator for DistinctAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let array = &values[0];
        for i in 0..array.len() {
            if array.is_valid(i) {
                self.values.insert(ScalarValue::try_from_array(array, i)?);
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for row in 0..states[0].len() {
            self.values.extend(list_values(&states[0], row)?);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let values: Vec<ScalarValue> = self.values.iter().cloned().collect();
        Ok(vec![list_scalar(&values, &self.dt)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(Some(self.values.len() as i64)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.iter().map(|v| v.size()).sum::<usize>()
    }
}
