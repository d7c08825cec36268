//! `last_day_of_month(timestamp)`, `last_day_of_month(date)` → date: the last calendar day
//! of the month (leap years honoured) (timestream-functions.md §9.3). A varchar argument is
//! read as a timestamp.
//! `last_day_of_month(TIMESTAMP '2022-07-07 17:44:43.771000000')` → `2022-07-31`.

use chrono::Datelike;
use datafusion::arrow::array::Date32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind};

const EXPECTED: &str = "last_day_of_month(timestamp), last_day_of_month(date)";

fn last_day(d: chrono::NaiveDate) -> i32 {
    let last = common::days_in_month(d.year(), d.month());
    common::from_date(d.with_day(last).unwrap_or(d))
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LastDayOfMonth {
    signature: Signature,
}

impl LastDayOfMonth {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for LastDayOfMonth {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for LastDayOfMonth {
    fn name(&self) -> &str {
        "last_day_of_month"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        common::one_timestamp(self.name(), args, EXPECTED)
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let rows = args.number_rows;
        let out: Date32Array = if kind(&x.data_type()) == Kind::Date {
            common::dates(x, rows)?
                .iter()
                .map(|d| d.map(|d| last_day(common::to_date(d))))
                .collect()
        } else {
            common::timestamps(x, rows)?
                .iter()
                .map(|t| t.map(|t| last_day(common::to_datetime(t).date())))
                .collect()
        };
        Ok(common::array(out))
    }
}
