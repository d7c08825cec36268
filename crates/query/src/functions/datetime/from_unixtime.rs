//! `from_unixtime(double) → timestamp`: seconds since the epoch, fraction allowed, as a
//! timestamp (timestream-functions.md §9.3). Rounded to the millisecond as Trino does
//! (`Math.round(unixTime * 1000)`). DataFusion's `from_unixtime` takes integers only and answers
//! `Timestamp(s)`; this replaces it. NaN, infinities and values outside the timestamp range
//! are errors. `from_unixtime(1)` → `1970-01-01 00:00:01.000000000`.

use datafusion::arrow::array::TimestampNanosecondArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, Kind, NANOS_PER_MILLI};

const EXPECTED: &str = "from_unixtime(double)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromUnixtime {
    signature: Signature,
}

impl FromUnixtime {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for FromUnixtime {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for FromUnixtime {
    fn name(&self) -> &str {
        "from_unixtime"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t] if common::is_integer(t) || common::kind(t) == Kind::Double => {
                Ok(vec![DataType::Float64])
            }
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
        let out = common::doubles(x, args.number_rows)?
            .iter()
            .map(|v| {
                let Some(v) = v else { return Ok(None) };
                let millis = (v * 1000.0).round();
                // i64::MAX ns is about 9.2e15 ms.
                if !millis.is_finite() || millis.abs() > 9.2e15 {
                    return exec_err!("Timestamp out of range: {v} s");
                }
                match (millis as i64).checked_mul(NANOS_PER_MILLI) {
                    Some(ns) => Ok(Some(ns)),
                    None => exec_err!("Timestamp out of range: {v} s"),
                }
            })
            .collect::<Result<TimestampNanosecondArray>>()?;
        Ok(common::array(out))
    }
}
