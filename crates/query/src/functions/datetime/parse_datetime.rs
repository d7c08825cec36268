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

use chrono::NaiveDateTime;

use super::{common, joda};

/// `(varchar, pattern) → timestamp` in one pattern language: `parse_datetime` (Joda) here,
/// `date_parse` (MySQL, [`super::date_parse`]) with the same body.
#[derive(Debug)]
pub struct ParseDatetime {
    name: &'static str,
    expected: &'static str,
    parse: fn(&str, &str) -> Result<NaiveDateTime>,
    signature: Signature,
}

impl ParseDatetime {
    pub fn new() -> Self {
        Self::with(
            "parse_datetime",
            "parse_datetime(varchar, varchar)",
            joda::parse,
        )
    }

    pub fn with(
        name: &'static str,
        expected: &'static str,
        parse: fn(&str, &str) -> Result<NaiveDateTime>,
    ) -> Self {
        Self {
            name,
            expected,
            parse,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

// Equal when named alike: the name fixes the pattern language (function pointers have no
// meaningful equality).
impl PartialEq for ParseDatetime {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ParseDatetime {}

impl std::hash::Hash for ParseDatetime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Default for ParseDatetime {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for ParseDatetime {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [t, f] if common::is_varchar(t) && common::is_varchar(f) => {
                Ok(common::plain_types(args))
            }
            _ => common::wrong_args(self.name(), args, self.expected),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(common::TIMESTAMP)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [text, pattern] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], self.expected);
        };
        let rows = args.number_rows;
        let texts = common::strings(text, rows)?;
        let patterns = common::strings(pattern, rows)?;
        let out = (0..rows)
            .map(|i| match (texts[i].as_deref(), patterns[i].as_deref()) {
                (Some(t), Some(p)) => common::from_datetime((self.parse)(t, p)?).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<TimestampNanosecondArray>>()?;
        Ok(common::array(out))
    }
}
