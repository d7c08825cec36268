//! `contains(x, element) → boolean` (Trino, not in the guide): TRUE if the array holds an
//! element equal to `element`; otherwise NULL when the array holds a NULL, else FALSE; a NULL
//! array or element gives NULL [trino] (timestream-functions.md §8). DataFusion's `array_has`
//! (which DataFusion does not even call `contains`) answers FALSE instead of NULL.

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

use super::{as_list, range, type_list, unify_element};

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
        match arg_types {
            [x, e] => match unify_element(x, e) {
                Some((x, e)) => Ok(vec![x, e]),
                None => plan_err!(
                    "Unexpected parameters ({}) for function contains. Expected: contains(array(T), T)",
                    type_list(arg_types)
                ),
            },
            other => plan_err!(
                "Unexpected parameters ({}) for function contains. Expected: contains(array(T), T)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
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
            let mut answer = Some(false);
            for j in start..end {
                if values.is_null(j) {
                    answer = None;
                } else if ScalarValue::try_from_array(values, j)? == needle {
                    answer = Some(true);
                    break;
                }
            }
            out.push(answer);
        }
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))))
    }
}
