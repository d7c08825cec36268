//! `ngrams(x, n) → array(array)` (Trino, not in the guide): the `n`-grams (sub-arrays of `n`
//! consecutive elements) of `x`; an array shorter than `n` gives `[x]`; `n` must be positive
//! (`N must be positive`) [trino] (timestream-functions.md §8). Not in DataFusion.
//!
//! Example [trino]: `ngrams(ARRAY['foo', 'bar', 'baz', 'foo'], 2)` →
//! `[[foo, bar], [bar, baz], [baz, foo]]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, ListArray, UInt64Array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, list_of, list_type, range, type_list};
use crate::functions::aggregate::numeric_type;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Ngrams {
    signature: Signature,
}

impl Ngrams {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Ngrams {
    fn name(&self) -> &str {
        "ngrams"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x, n] if list_type(x).is_some() && numeric_type(n) == Some(DataType::Int64) => {
                Ok(vec![list_type(x).unwrap_or(DataType::Null), DataType::Int64])
            }
            other => plan_err!(
                "Unexpected parameters ({}) for function ngrams. Expected: ngrams(array(T), bigint)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(x) => Ok(list_of(x.clone())),
            None => plan_err!("ngrams takes two arguments"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list(&arrays[0])?;
        let ns = arrays[1].as_primitive::<Int64Type>();
        let mut indices = Vec::new();
        let mut inner_lengths = Vec::new();
        let mut outer_lengths = Vec::with_capacity(list.len());
        let mut nulls = Vec::with_capacity(list.len());
        for row in 0..list.len() {
            if list.is_null(row) || ns.is_null(row) {
                outer_lengths.push(0);
                nulls.push(false);
                continue;
            }
            let n = ns.value(row);
            if n <= 0 {
                return exec_err!("N must be positive");
            }
            let (start, end) = range(list, row);
            let size = end - start;
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if size <= n {
                indices.extend((start..end).map(|j| j as u64));
                inner_lengths.push(size);
                outer_lengths.push(1);
            } else {
                for first in start..=end - n {
                    indices.extend((first..first + n).map(|j| j as u64));
                    inner_lengths.push(n);
                }
                outer_lengths.push(size - n + 1);
            }
            nulls.push(true);
        }
        let values = take(list.values().as_ref(), &UInt64Array::from(indices), None)?;
        let inner_field = match list.data_type() {
            DataType::List(f) => f.clone(),
            _ => return exec_err!("ngrams expects an array"),
        };
        let inner = ListArray::try_new(
            inner_field,
            OffsetBuffer::from_lengths(inner_lengths),
            values,
            None,
        )?;
        let out = ListArray::try_new(
            Arc::new(Field::new_list_field(list.data_type().clone(), true)),
            OffsetBuffer::from_lengths(outer_lengths),
            Arc::new(inner),
            Some(nulls.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
