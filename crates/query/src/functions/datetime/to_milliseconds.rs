//! `to_milliseconds(interval day to second)`, `to_milliseconds(timestamp)` → bigint: the
//! interval's length, or the time since the epoch, in milliseconds, the sub-millisecond part
//! dropped (timestream-functions.md §9.3). A varchar argument is read as a timestamp.
//! `to_milliseconds(INTERVAL '2' DAY + INTERVAL '3' HOUR)` → 183600000;
//! `to_milliseconds(TIMESTAMP '2022-06-17 17:44:43.771000000')` → 1655487883771.

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind, NANOS_PER_MILLI};

const EXPECTED: &str = "to_milliseconds(interval day to second), to_milliseconds(timestamp)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToMilliseconds {
    signature: Signature,
}

impl ToMilliseconds {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for ToMilliseconds {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for ToMilliseconds {
    fn name(&self) -> &str {
        "to_milliseconds"
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
            common::day_to_second(x, rows)?
                .iter()
                .map(|v| v.map(|v| v / NANOS_PER_MILLI))
                .collect()
        } else {
            common::timestamps(x, rows)?
                .iter()
                .map(|v| v.map(|v| v.div_euclid(NANOS_PER_MILLI)))
                .collect()
        };
        Ok(common::array(out))
    }
}
