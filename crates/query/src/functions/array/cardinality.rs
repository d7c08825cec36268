//! `cardinality(x) → bigint`: the number of top-level elements, NULL elements included
//! (timestream-functions.md §8). DataFusion's `cardinality` counts nested leaf elements
//! (`[[1, 2], [3, 4, 5]]` → 5, Trino 2) and returns UInt64.
//!
//! Documented example: `SELECT cardinality(ARRAY[6,8,2,9,3])` → `5`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, coerce_array};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Cardinality {
    signature: Signature,
}

impl Cardinality {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Cardinality {
    fn name(&self) -> &str {
        "cardinality"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list(&arrays[0])?;
        let lengths: Int64Array = (0..list.len())
            .map(|i| list.is_valid(i).then(|| i64::from(list.value_length(i))))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(lengths)))
    }
}
