//! `repeat(element, count) → array`: an array of `count` copies of `element` (any type, NULL
//! included); `count` 0 gives `[]`, a negative count or one above 10 000 is an error [trino]
//! (timestream-functions.md §8). DataFusion's `repeat` is a string function (`repeat('ab', 2)` =
//! `abab`); Timestream has no string `repeat`.
//!
//! Documented example: `SELECT repeat(1, 3)` → `[1, 1, 1]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, ListArray, UInt64Array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{list_of, type_list};
use crate::functions::aggregate::{numeric_type, value_type};

const MAX_COUNT: i64 = 10_000;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Repeat {
    signature: Signature,
}

impl Repeat {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Repeat {
    fn name(&self) -> &str {
        "repeat"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [e, n] if numeric_type(n) == Some(DataType::Int64) => {
                Ok(vec![value_type(e), DataType::Int64])
            }
            other => plan_err!(
                "Unexpected parameters ({}) for function repeat. Expected: repeat(T, bigint)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(e) => Ok(list_of(e.clone())),
            None => plan_err!("repeat takes two arguments"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (elements, counts) = (&arrays[0], arrays[1].as_primitive::<Int64Type>());
        let mut indices = Vec::new();
        let mut lengths = Vec::with_capacity(counts.len());
        let mut nulls = Vec::with_capacity(counts.len());
        for row in 0..counts.len() {
            if counts.is_null(row) {
                lengths.push(0);
                nulls.push(false);
                continue;
            }
            let n = counts.value(row);
            if n < 0 {
                return exec_err!(
                    "count argument of repeat function must be greater than or equal to 0"
                );
            }
            if n > MAX_COUNT {
                return exec_err!(
                    "count argument of repeat function must be less than or equal to {MAX_COUNT}"
                );
            }
            indices.extend(std::iter::repeat_n(row as u64, n as usize));
            lengths.push(n as usize);
            nulls.push(true);
        }
        let values = take(elements.as_ref(), &UInt64Array::from(indices), None)?;
        let field = Arc::new(Field::new_list_field(elements.data_type().clone(), true));
        let list = ListArray::try_new(
            field,
            OffsetBuffer::from_lengths(lengths),
            values,
            Some(nulls.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}
