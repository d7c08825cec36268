//! `current_timezone() → varchar`: always `UTC`, Timestream's only zone
//! (timestream-functions.md §9.3). `current_timezone()` → `UTC`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CurrentTimezone {
    signature: Signature,
}

impl CurrentTimezone {
    pub fn new() -> Self {
        Self {
            signature: Signature::nullary(Volatility::Immutable),
        }
    }
}

impl Default for CurrentTimezone {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for CurrentTimezone {
    fn name(&self) -> &str {
        "current_timezone"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some("UTC".into()))))
    }
}
