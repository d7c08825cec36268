//! `contains(x, element) → boolean` (Trino, not in the guide): TRUE if the array holds an
//! element equal to `element`; otherwise NULL when the array holds a NULL, else FALSE; a NULL
//! array or element gives NULL [trino] (timestream-functions.md §8). DataFusion's `array_has`
//! (which DataFusion does not even call `contains`) answers FALSE instead of NULL.

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

use super::{coerce_array_and_element, search_rows};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Contains {
    signature: Signature,
}

impl Contains {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Contains {
    fn name(&self) -> &str {
        "contains"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array_and_element(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let out = search_rows(&args.args, |needle, values, elements| {
            let mut answer = Some(false);
            for j in elements {
                if values.is_null(j) {
                    answer = None;
                } else if ScalarValue::try_from_array(values, j)? == *needle {
                    return Ok(Some(true));
                }
            }
            Ok(answer)
        })?;
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))))
    }
}
