//! `parse_datetime(varchar, varchar) → timestamp`: the text parsed with a Joda-Time (or
//! java.time) pattern ([`super::joda`]; timestream-functions.md §9.5). A parsed zone or
//! offset is honoured and the result converted to UTC (Trino answers `timestamp with time
//! zone`; Timestream a UTC timestamp). Fields the pattern does not set default to
//! 1970-01-01 00:00:00. Text that does not match is an error in Joda's words.
//! `parse_datetime('2019-12-29 10:10 PST', 'uuuu-LL-dd HH:mm z')` →
//! `2019-12-29 18:10:00.000000000`.

use datafusion::arrow::array::TimestampNanosecondArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{common, joda};

const EXPECTED: &str = "parse_datetime(varchar, varchar)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseDatetime {
    signature: Signature,
}

impl ParseDatetime {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for ParseDatetime {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for ParseDatetime {
    fn name(&self) -> &str {
        "parse_datetime"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t, f] if common::is_varchar(t) && common::is_varchar(f) => {
                Ok(common::plain_types(args))
            }
            _ => common::wrong_args(self.name(), args, EXPECTED),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(common::TIMESTAMP)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [text, pattern] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let rows = args.number_rows;
        let texts = common::strings(text, rows)?;
        let patterns = common::strings(pattern, rows)?;
        let out = (0..rows)
            .map(|i| match (texts[i].as_deref(), patterns[i].as_deref()) {
                (Some(t), Some(p)) => common::from_datetime(joda::parse(t, p)?).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<TimestampNanosecondArray>>()?;
        Ok(common::array(out))
    }
}
