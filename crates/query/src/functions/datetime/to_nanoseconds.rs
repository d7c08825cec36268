//! `to_nanoseconds(interval day to second)`, `to_nanoseconds(timestamp)` → bigint: the
//! interval's length, or the time since the epoch, in nanoseconds (timestream-functions.md
//! §9.3). A varchar argument is read as a timestamp. [`ToUnits`] also serves
//! `to_milliseconds`, which counts whole milliseconds.
//! `to_nanoseconds(INTERVAL '2' DAY + INTERVAL '3' HOUR)` → 183600000000000;
//! `to_nanoseconds(TIMESTAMP '2022-06-17 17:44:43.771000678')` → 1655487883771000678.

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind};

/// An interval or the time since the epoch in whole units of `nanos_per_unit` nanoseconds:
/// intervals truncated toward zero, timestamps floored (a time before the epoch counts the
/// started unit), as Trino does.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToUnits {
    name: &'static str,
    expected: &'static str,
    nanos_per_unit: i64,
    signature: Signature,
}

impl ToUnits {
    pub fn with(name: &'static str, expected: &'static str, nanos_per_unit: i64) -> Self {
        Self {
            name,
            expected,
            nanos_per_unit,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// `to_nanoseconds`.
pub fn to_nanoseconds() -> ToUnits {
    ToUnits::with(
        "to_nanoseconds",
        "to_nanoseconds(interval day to second), to_nanoseconds(timestamp)",
        1,
    )
}

impl ScalarUDFImpl for ToUnits {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t] if common::is_timestamp_like(t) || kind(t) == Kind::DayToSecond => {
                Ok(common::plain_types(args))
            }
            _ => common::wrong_args(self.name(), args, self.expected),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], self.expected);
        };
        let rows = args.number_rows;
        let unit = self.nanos_per_unit;
        let out: Int64Array = if kind(&x.data_type()) == Kind::DayToSecond {
            common::day_to_second(x, rows)?
                .iter()
                .map(|v| v.map(|v| v / unit))
                .collect()
        } else {
            common::timestamps(x, rows)?
                .iter()
                .map(|v| v.map(|v| v.div_euclid(unit)))
                .collect()
        };
        Ok(common::array(out))
    }
}
