//! `from_milliseconds(bigint) → timestamp`: milliseconds since the epoch as a timestamp
//! (timestream-functions.md §9.3). DataFusion has it as `to_timestamp_millis`, which also
//! takes doubles and strings; Timestream takes integers only. A value outside the timestamp
//! range is an error. `from_milliseconds(1)` → `1970-01-01 00:00:00.001000000`.

use datafusion::arrow::array::TimestampNanosecondArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, NANOS_PER_MILLI};

const EXPECTED: &str = "from_milliseconds(bigint)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromMilliseconds {
    signature: Signature,
}

impl FromMilliseconds {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for FromMilliseconds {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for FromMilliseconds {
    fn name(&self) -> &str {
        "from_milliseconds"
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
        let out = common::integers(x, args.number_rows)?
            .iter()
            .map(|v| match v.map(|v| v.checked_mul(NANOS_PER_MILLI)) {
                Some(None) => exec_err!("Timestamp out of range: {} ms", v.unwrap_or(0)),
                Some(ns) => Ok(ns),
                None => Ok(None),
            })
            .collect::<Result<TimestampNanosecondArray>>()?;
        Ok(common::array(out))
    }
}
