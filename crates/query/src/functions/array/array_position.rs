//! `array_position(x, element) → bigint`: the 1-based position of the first element equal to
//! `element`, **0 when absent**; NULL elements never match; a NULL array or element gives NULL
//! [trino] (timestream-functions.md §8). DataFusion's answers NULL when absent, matches NULL
//! with NULL and returns UInt64.
//!
//! Documented example: `SELECT array_position(ARRAY[3,4,5,9], 5)` → `3`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{coerce_array_and_element, search_rows};

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
        coerce_array_and_element(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let out = search_rows(&args.args, |needle, values, elements| {
            let first = elements.start;
            for j in elements {
                if values.is_valid(j) && ScalarValue::try_from_array(values, j)? == *needle {
                    return Ok(Some((j - first + 1) as i64));
                }
            }
            Ok(Some(0))
        })?;
        Ok(ColumnarValue::Array(Arc::new(Int64Array::from(out))))
    }
}
