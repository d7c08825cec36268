//! `to_iso8601(timestamp)`, `to_iso8601(date)` → varchar (timestream-functions.md §9.3): a date
//! as `YYYY-MM-DD`; a timestamp as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, Timestream's nine
//! fraction digits and the UTC designator [guess: Trino prints the fraction at the value's
//! precision and a zone for zoned values]. A varchar argument is read as a timestamp.
//! `to_iso8601(from_iso8601_date('2022-06-17'))` → `2022-06-17`.

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind};

const EXPECTED: &str = "to_iso8601(timestamp), to_iso8601(date)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToIso8601 {
    signature: Signature,
}

impl ToIso8601 {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for ToIso8601 {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for ToIso8601 {
    fn name(&self) -> &str {
        "to_iso8601"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        common::one_timestamp(self.name(), args, EXPECTED)
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let rows = args.number_rows;
        let out: StringArray = if kind(&x.data_type()) == Kind::Date {
            common::dates(x, rows)?
                .iter()
                .map(|d| d.map(|d| common::to_date(d).format("%Y-%m-%d").to_string()))
                .collect()
        } else {
            common::timestamps(x, rows)?
                .iter()
                .map(|t| {
                    t.map(|t| {
                        common::to_datetime(t)
                            .format("%Y-%m-%dT%H:%M:%S%.9fZ")
                            .to_string()
                    })
                })
                .collect()
        };
        Ok(common::array(out))
    }
}
