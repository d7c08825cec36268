//! `geometric_mean(x) → double`: `exp(avg(ln(x)))` over the non-NULL inputs; a 0 input gives
//! `0.0`, a negative one `NaN`; no input gives NULL (timestream-functions.md §10, Trino). Not in
//! DataFusion.
//!
//! Documented example: `SELECT geometric_mean(t.c) FROM (VALUES 1, 2, 3, 4) AS t(c)` →
//! `2.213363839400643`.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

use super::distinct::{self, maybe_distinct};
use super::{numeric_type, type_list};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct GeometricMean {
    signature: Signature,
}

impl GeometricMean {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for GeometricMean {
    fn name(&self) -> &str {
        "geometric_mean"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if numeric_type(t).is_some() => Ok(vec![DataType::Float64]),
            other => plan_err!(
                "Unexpected parameters ({}) for function geometric_mean. Expected: geometric_mean(double), geometric_mean(bigint)",
                type_list(other)
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
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "count"),
                DataType::Int64,
                false,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "sum_ln"),
                DataType::Float64,
                false,
            )),
        ])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(maybe_distinct(
            &acc_args,
            GeometricMeanAccumulator {
                count: 0,
                sum_ln: 0.0,
            },
        ))
    }
}

#[derive(Debug, Clone)]
struct GeometricMeanAccumulator {
    count: i64,
    sum_ln: f64,
}

impl Accumulator for GeometricMeanAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Float64Type>().iter().flatten() {
            self.count += 1;
            self.sum_ln += v.ln();
        }
        Ok(())
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Float64Type>().iter().flatten() {
            self.count -= 1;
            self.sum_ln -= v.ln();
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let counts = states[0].as_primitive::<Int64Type>();
        let sums = states[1].as_primitive::<Float64Type>();
        for (c, s) in counts.iter().zip(sums.iter()) {
            self.count += c.unwrap_or(0);
            self.sum_ln += s.unwrap_or(0.0);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![
            ScalarValue::Int64(Some(self.count)),
            ScalarValue::Float64(Some(self.sum_ln)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(
            (self.count > 0).then(|| (self.sum_ln / self.count as f64).exp()),
        ))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}
