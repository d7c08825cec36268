//! `format_datetime(timestamp, varchar) → varchar`: the timestamp formatted with a Joda-Time
//! pattern ([`super::joda`]; timestream-functions.md §9.5), in UTC. A varchar first argument is
//! read as a timestamp.
//! `format_datetime(parse_datetime('1968-01-13 12', 'yyyy-MM-dd HH'), 'yyyy-MM-dd HH')` →
//! `1968-01-13 12` (the guide's example, a pre-1970 value).

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use chrono::NaiveDateTime;

use super::{common, joda};

/// `(timestamp, pattern) → varchar` in one pattern language: `format_datetime` (Joda) here,
/// `date_format` (MySQL, [`super::date_format`]) with the same body.
#[derive(Debug)]
pub struct FormatDatetime {
    name: &'static str,
    expected: &'static str,
    format: fn(NaiveDateTime, &str) -> Result<String>,
    signature: Signature,
}

impl FormatDatetime {
    pub fn new() -> Self {
        Self::with(
            "format_datetime",
            "format_datetime(timestamp, varchar)",
            joda::format,
        )
    }

    pub fn with(
        name: &'static str,
        expected: &'static str,
        format: fn(NaiveDateTime, &str) -> Result<String>,
    ) -> Self {
        Self {
            name,
            expected,
            format,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

// Equal when named alike: the name fixes the pattern language (function pointers have no
// meaningful equality).
impl PartialEq for FormatDatetime {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for FormatDatetime {}

impl std::hash::Hash for FormatDatetime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Default for FormatDatetime {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for FormatDatetime {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t, f] if common::is_timestamp_like(t) && common::is_varchar(f) => {
                Ok(common::plain_types(args))
            }
            _ => common::wrong_args(self.name(), args, self.expected),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x, pattern] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], self.expected);
        };
        let rows = args.number_rows;
        let stamps = common::timestamps(x, rows)?;
        let patterns = common::strings(pattern, rows)?;
        let out = (0..rows)
            .map(|i| match (common::at(&stamps, i), patterns[i].as_deref()) {
                (Some(t), Some(p)) => (self.format)(common::to_datetime(t), p).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<StringArray>>()?;
        Ok(common::array(out))
    }
}
