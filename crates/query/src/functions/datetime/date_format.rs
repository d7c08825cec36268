//! `date_format(timestamp, varchar) → varchar`: the timestamp formatted with MySQL specifiers
//! ([`super::mysql`]; timestream-functions.md §9.5, trap 1). DataFusion's `date_format` is an
//! alias of `to_char` with strftime meanings and is replaced by this. A varchar first argument
//! is read as a timestamp.
//! `date_format(TIMESTAMP '2019-10-20 10:20:20', '%Y-%m-%d %H:%i:%s')` → `2019-10-20 10:20:20`.

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{common, mysql};

const EXPECTED: &str = "date_format(timestamp, varchar)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateFormat {
    signature: Signature,
}

impl DateFormat {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for DateFormat {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for DateFormat {
    fn name(&self) -> &str {
        "date_format"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t, f] if common::is_timestamp_like(t) && common::is_varchar(f) => {
                Ok(common::plain_types(args))
            }
            _ => common::wrong_args(self.name(), args, EXPECTED),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x, pattern] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let rows = args.number_rows;
        let stamps = common::timestamps(x, rows)?;
        let patterns = common::strings(pattern, rows)?;
        let out = (0..rows)
            .map(|i| match (common::at(&stamps, i), patterns[i].as_deref()) {
                (Some(t), Some(p)) => mysql::format(common::to_datetime(t), p).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<StringArray>>()?;
        Ok(common::array(out))
    }
}
