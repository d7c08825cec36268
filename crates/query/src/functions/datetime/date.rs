//! `date(varchar)`, `date(timestamp)` → date: `CAST(x AS date)` (timestream-functions.md
//! §9.3): a varchar must be `YYYY-MM-DD` (surrounding spaces allowed), a timestamp loses its
//! time of day. Unparsable text is an error (`Value cannot be cast to date: …`).
//! `date(TIMESTAMP '2022-07-07 17:44:43.771000000')` → `2022-07-07`.

use datafusion::arrow::array::Date32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind, NANOS_PER_DAY};

const EXPECTED: &str = "date(varchar), date(timestamp), date(date)";

/// `YYYY-MM-DD` → days since the epoch.
pub fn parse_date(text: &str) -> Option<i32> {
    let t = text.trim();
    let ok = t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-';
    let d = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    ok.then(|| common::from_date(d))
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Date {
    signature: Signature,
}

impl Date {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for Date {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for Date {
    fn name(&self) -> &str {
        "date"
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
        let out: Date32Array = match kind(&x.data_type()) {
            Kind::Varchar => common::strings(x, rows)?
                .iter()
                .map(|s| match s {
                    Some(s) => match parse_date(s) {
                        Some(d) => Ok(Some(d)),
                        None => exec_err!("Value cannot be cast to date: {s}"),
                    },
                    None => Ok(None),
                })
                .collect::<Result<_>>()?,
            Kind::Date => common::dates(x, rows)?,
            _ => common::timestamps(x, rows)?
                .iter()
                .map(|t| t.map(|t| t.div_euclid(NANOS_PER_DAY) as i32))
                .collect(),
        };
        Ok(common::array(out))
    }
}
