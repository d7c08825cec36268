//! The bitwise aggregates `bitwise_and_agg` and `bitwise_or_agg` (timestream-functions.md §10):
//! AND / OR of the non-NULL inputs in two's complement, as bigint; no input → NULL.
//! DataFusion's `bit_and`/`bit_or` compute the same but return the input's type (integer for an
//! integer column), where Timestream answers bigint.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};

use super::distinct::{self, maybe_distinct};
use super::sliding::sliding;
use super::{numeric_type, type_list};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    And,
    Or,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BitwiseAgg {
    name: &'static str,
    op: Op,
    signature: Signature,
}

impl BitwiseAgg {
    pub fn new(name: &'static str, op: Op) -> Self {
        Self {
            name,
            op,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for BitwiseAgg {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if numeric_type(t) == Some(DataType::Int64) => Ok(vec![DataType::Int64]),
            other => plan_err!(
                "Unexpected parameters ({}) for function {}. Expected: {}(bigint)",
                type_list(other),
                self.name,
                self.name
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        if args.is_distinct {
            return Ok(distinct::state_fields(&args));
        }
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "bits"),
            DataType::Int64,
            true,
        ))])
    }

    fn create_sliding_accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(sliding(BitwiseAccumulator {
            op: self.op,
            bits: None,
        }))
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(maybe_distinct(
            &acc_args,
            BitwiseAccumulator {
                op: self.op,
                bits: None,
            },
        ))
    }
}

#[derive(Debug, Clone)]
struct BitwiseAccumulator {
    op: Op,
    bits: Option<i64>,
}

impl BitwiseAccumulator {
    fn add(&mut self, values: &ArrayRef) {
        for v in values.as_primitive::<Int64Type>().iter().flatten() {
            self.bits = Some(match (self.bits, self.op) {
                (None, _) => v,
                (Some(b), Op::And) => b & v,
                (Some(b), Op::Or) => b | v,
            });
        }
    }
}

impl Accumulator for BitwiseAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.add(&values[0]);
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.add(&states[0]);
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Int64(self.bits)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64(self.bits))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}
