//! `element_at(array(E), index) → E`: the element at the 1-based `index`; a negative index
//! counts from the end (`-1` is the last element), an index beyond the size gives NULL, index 0
//! is an error (`SQL array indices start at 1`) [trino] (timestream-functions.md §8).
//! DataFusion's `element_at` is `map_extract` and fails on arrays.
//!
//! Documented example: `SELECT element_at(ARRAY[6,8,2,9,3], 1)` → `6`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt64Array};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, element_field, list_type, range, type_list};
use crate::functions::aggregate::numeric_type;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ElementAt {
    signature: Signature,
}

impl ElementAt {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// `(array(E), bigint)` for the index functions.
pub(crate) fn coerce_index(name: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [x, i] if list_type(x).is_some() && numeric_type(i) == Some(DataType::Int64) => Ok(vec![
            list_type(x).unwrap_or(DataType::Null),
            DataType::Int64,
        ]),
        other => plan_err!(
            "Unexpected parameters ({}) for function {name}. Expected: {name}(array(E), bigint)",
            type_list(other)
        ),
    }
}

pub(crate) fn element_type(name: &str, arg_types: &[DataType]) -> Result<DataType> {
    match arg_types.first().and_then(element_field) {
        Some(f) => Ok(f.data_type().clone()),
        None => plan_err!("{name} expects an array"),
    }
}

/// Takes, for each row, the element `pick(index, length)` chooses (0-based within the row's
/// elements), or NULL for `None`; NULL array or index give NULL.
pub(crate) fn take_elements(
    args: &[ColumnarValue],
    pick: impl Fn(i64, usize) -> Result<Option<usize>>,
) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let list = as_list(&arrays[0])?;
    let index = arrays[1].as_primitive::<Int64Type>();
    let mut indices = Vec::with_capacity(list.len());
    for row in 0..list.len() {
        if list.is_null(row) || index.is_null(row) {
            indices.push(None);
            continue;
        }
        let (start, end) = range(list, row);
        indices.push(pick(index.value(row), end - start)?.map(|k| (start + k) as u64));
    }
    let values: &ArrayRef = list.values();
    let taken = take(values.as_ref(), &UInt64Array::from(indices), None)?;
    Ok(ColumnarValue::Array(Arc::new(taken)))
}

impl ScalarUDFImpl for ElementAt {
    fn name(&self) -> &str {
        "element_at"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_index("element_at", arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        element_type("element_at", arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        take_elements(&args.args, |i, len| {
            let len = len as i64;
            Ok(match i {
                0 => return exec_err!("SQL array indices start at 1"),
                i if i > 0 && i <= len => Some((i - 1) as usize),
                i if i < 0 && -i <= len => Some((len + i) as usize),
                _ => None,
            })
        })
    }
}
