//! `date_parse(varchar, varchar) → timestamp`: the text parsed with MySQL specifiers
//! ([`super::mysql`]; timestream-functions.md §9.5). Fields the format does not set default
//! to 1970-01-01 00:00:00 [trino]; text that does not match, or leaves characters over, is an
//! error in Joda's words (`Invalid format: "…" is malformed at "…"`).
//! `date_parse('2019-10-20 10:20:20', '%Y-%m-%d %H:%i:%s')` → `2019-10-20 10:20:20.000000000`.

use datafusion::arrow::array::TimestampNanosecondArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{common, mysql};

const EXPECTED: &str = "date_parse(varchar, varchar)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateParse {
    signature: Signature,
}

impl DateParse {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for DateParse {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for DateParse {
    fn name(&self) -> &str {
        "date_parse"
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
                (Some(t), Some(p)) => common::from_datetime(mysql::parse(t, p)?).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<TimestampNanosecondArray>>()?;
        Ok(common::array(out))
    }
}
