//! `to_nanoseconds(interval day to second)`, `to_nanoseconds(timestamp)` → bigint: the
//! interval's length, or the time since the epoch, in nanoseconds (timestream-functions.md
//! §9.3). A varchar argument is read as a timestamp.
//! `to_nanoseconds(INTERVAL '2' DAY + INTERVAL '3' HOUR)` → 183600000000000;
//! `to_nanoseconds(TIMESTAMP '2022-06-17 17:44:43.771000678')` → 1655487883771000678.

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind};

const EXPECTED: &str = "to_nanoseconds(interval day to second), to_nanoseconds(timestamp)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToNanoseconds {
    signature: Signature,
}

impl ToNanoseconds {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for ToNanoseconds {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for ToNanoseconds {
    fn name(&self) -> &str {
        "to_nanoseconds"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t] if common::is_timestamp_like(t) || kind(t) == Kind::DayToSecond => {
                Ok(common::plain_types(args))
            }
            _ => common::wrong_args(self.name(), args, EXPECTED),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let rows = args.number_rows;
        let out: Int64Array = if kind(&x.data_type()) == Kind::DayToSecond {
            common::day_to_second(x, rows)?.iter().collect()
        } else {
            common::timestamps(x, rows)?.iter().collect()
        };
        Ok(common::array(out))
    }
}
