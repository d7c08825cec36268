//! `from_nanoseconds(bigint) → timestamp`: nanoseconds since the epoch as a timestamp
//! (timestream-functions.md §9.3; DataFusion: `to_timestamp_nanos`, which also takes strings).
//! `from_nanoseconds(300000001)` → `1970-01-01 00:00:00.300000001`.

use datafusion::arrow::array::TimestampNanosecondArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common;

const EXPECTED: &str = "from_nanoseconds(bigint)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromNanoseconds {
    signature: Signature,
}

impl FromNanoseconds {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for FromNanoseconds {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for FromNanoseconds {
    fn name(&self) -> &str {
        "from_nanoseconds"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t] if common::is_integer(t) => Ok(vec![DataType::Int64]),
            _ => common::wrong_args(self.name(), args, EXPECTED),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(common::TIMESTAMP)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let values = common::integers(x, args.number_rows)?;
        let out: TimestampNanosecondArray = values.iter().collect();
        Ok(common::array(out))
    }
}
