//! `array_position(x, element) → bigint`: the 1-based position of the first element equal to
//! `element`, **0 when absent**; NULL elements never match; a NULL array or element gives NULL
//! [trino] (timestream-functions.md §8). DataFusion's answers NULL when absent, matches NULL
//! with NULL and returns UInt64.
//!
//! Documented example: `SELECT array_position(ARRAY[3,4,5,9], 5)` → `3`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, range, type_list, unify_element};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArrayPosition {
    signature: Signature,
}

impl ArrayPosition {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ArrayPosition {
    fn name(&self) -> &str {
        "array_position"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x, e] => match unify_element(x, e) {
                Some((x, e)) => Ok(vec![x, e]),
                None => plan_err!(
                    "Unexpected parameters ({}) for function array_position. Expected: array_position(array(T), T)",
                    type_list(arg_types)
                ),
            },
            other => plan_err!(
                "Unexpected parameters ({}) for function array_position. Expected: array_position(array(T), T)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list(&arrays[0])?;
        let needles = &arrays[1];
        let values = list.values();
        let mut out = Vec::with_capacity(list.len());
        for row in 0..list.len() {
            if list.is_null(row) || needles.is_null(row) {
                out.push(None);
                continue;
            }
            let needle = ScalarValue::try_from_array(needles, row)?;
            let (start, end) = range(list, row);
            let mut position = 0;
            for j in start..end {
                if values.is_valid(j) && ScalarValue::try_from_array(values, j)? == needle {
                    position = (j - start + 1) as i64;
                    break;
                }
            }
            out.push(Some(position));
        }
        Ok(ColumnarValue::Array(Arc::new(Int64Array::from(out))))
    }
}
