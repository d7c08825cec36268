//! The function that raises a query's error when evaluated.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::exec_err;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// `__timestream_fail(message)`: raises `message` (a QueryExecutionException) when evaluated;
/// the error branch of a rewritten scalar subquery ([`crate::dialect`]'s single-row check).
/// Volatile, so that constant folding never evaluates it at planning.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Fail {
    signature: Signature,
}

impl Default for Fail {
    fn default() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Volatile),
        }
    }
}

impl ScalarUDFImpl for Fail {
    fn name(&self) -> &str {
        crate::dialect::SINGLE_ROW_ERROR
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Null)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if args.number_rows == 0 {
            return Ok(ColumnarValue::Scalar(ScalarValue::Null));
        }
        match args.args.first() {
            Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(m)))) => exec_err!("{m}"),
            _ => exec_err!("failed"),
        }
    }
}
