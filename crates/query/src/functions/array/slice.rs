//! `slice(x, start, length) → array`: `length` elements from the 1-based `start` (a negative
//! start counts from the end); running past the end just stops, a start beyond the end gives
//! `[]`; start 0 is an error (`SQL array indices start at 1`), so is a negative length (`length
//! must be greater than or equal to 0`) [trino] (timestream-functions.md §8). DataFusion's
//! `array_slice` takes an inclusive end index instead of a length.
//!
//! Documented example: `SELECT slice(ARRAY[6,8,2,9,3], 1, 3)` → `[6, 8, 2]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, ListArray, UInt64Array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, element_field, list_type, range, type_list};
use crate::functions::aggregate::numeric_type;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Slice {
    signature: Signature,
}

impl Slice {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Slice {
    fn name(&self) -> &str {
        "slice"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x, s, l]
                if list_type(x).is_some()
                    && numeric_type(s) == Some(DataType::Int64)
                    && numeric_type(l) == Some(DataType::Int64) =>
            {
                Ok(vec![
                    list_type(x).unwrap_or(DataType::Null),
                    DataType::Int64,
                    DataType::Int64,
                ])
            }
            other => plan_err!(
                "Unexpected parameters ({}) for function slice. Expected: slice(array(E), bigint, bigint)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(x) if element_field(x).is_some() => Ok(x.clone()),
            _ => plan_err!("slice expects an array"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list(&arrays[0])?;
        let starts = arrays[1].as_primitive::<Int64Type>();
        let lengths_in = arrays[2].as_primitive::<Int64Type>();
        let mut indices = Vec::new();
        let mut lengths = Vec::with_capacity(list.len());
        let mut nulls = Vec::with_capacity(list.len());
        for row in 0..list.len() {
            if list.is_null(row) || starts.is_null(row) || lengths_in.is_null(row) {
                lengths.push(0);
                nulls.push(false);
                continue;
            }
            let (start, end) = range(list, row);
            let size = (end - start) as i64;
            let (from, length) = (starts.value(row), lengths_in.value(row));
            if from == 0 {
                return exec_err!("SQL array indices start at 1");
            }
            if length < 0 {
                return exec_err!("length must be greater than or equal to 0");
            }
            let first = if from > 0 { from - 1 } else { size + from };
            let taken = if first < 0 || first >= size {
                0
            } else {
                length.min(size - first)
            };
            indices.extend((0..taken).map(|k| (start as i64 + first + k) as u64));
            lengths.push(taken as usize);
            nulls.push(true);
        }
        let values = take(list.values().as_ref(), &UInt64Array::from(indices), None)?;
        let field = match list.data_type() {
            DataType::List(f) => f.clone(),
            _ => return exec_err!("slice expects an array"),
        };
        let out = ListArray::try_new(
            field,
            OffsetBuffer::from_lengths(lengths),
            values,
            Some(nulls.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
