//! `from_iso8601_date(varchar) → date` (timestream-functions.md §9.3): an ISO 8601 date in
//! extended form, as Joda's `ISODateTimeFormat.dateElementParser()` reads it [trino]:
//! calendar `2020-05-11` (also `2020-05`, `2020`: the first day), week date `2020-W10` or
//! `2020-W10-3` (→ `2020-03-02`, the Monday, or the given ISO weekday) and ordinal date
//! `2020-123` (→ `2020-05-02`). Anything else is an error
//! (`Invalid format: "…"`, Joda's words). `from_iso8601_date('2022-07-17')` → `2022-07-17`.

use chrono::{NaiveDate, Weekday};
use datafusion::arrow::array::Date32Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common;

const EXPECTED: &str = "from_iso8601_date(varchar)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromIso8601Date {
    signature: Signature,
}

impl FromIso8601Date {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for FromIso8601Date {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads exactly `n` ASCII digits at the start of `s`.
pub fn digits(s: &str, n: usize) -> Option<(u32, &str)> {
    let head = s.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &s[n..]))
}

/// Reads an ISO 8601 date element at the start of `s`: the date and the rest of the text.
pub fn parse_date_element(s: &str) -> Option<(NaiveDate, &str)> {
    let (year, rest) = digits(s, 4)?;
    let year = i32::try_from(year).ok()?;
    let Some(rest) = rest.strip_prefix('-') else {
        return Some((NaiveDate::from_ymd_opt(year, 1, 1)?, rest));
    };
    if let Some(rest) = rest.strip_prefix('W') {
        let (week, rest) = digits(rest, 2)?;
        let (weekday, rest) = match rest.strip_prefix('-') {
            Some(r) => {
                let (d, r) = digits(r, 1)?;
                (d, r)
            }
            None => (1, rest),
        };
        let weekday = match weekday {
            1 => Weekday::Mon,
            2 => Weekday::Tue,
            3 => Weekday::Wed,
            4 => Weekday::Thu,
            5 => Weekday::Fri,
            6 => Weekday::Sat,
            7 => Weekday::Sun,
            _ => return None,
        };
        return Some((NaiveDate::from_isoywd_opt(year, week, weekday)?, rest));
    }
    if let Some((ordinal, after)) = digits(rest, 3) {
        if !after.starts_with(|c: char| c.is_ascii_digit()) {
            return Some((NaiveDate::from_yo_opt(year, ordinal)?, after));
        }
    }
    let (month, rest) = digits(rest, 2)?;
    let Some(rest) = rest.strip_prefix('-') else {
        return Some((NaiveDate::from_ymd_opt(year, month, 1)?, rest));
    };
    let (day, rest) = digits(rest, 2)?;
    Some((NaiveDate::from_ymd_opt(year, month, day)?, rest))
}

pub fn parse(text: &str) -> Option<NaiveDate> {
    match parse_date_element(text.trim())? {
        (d, "") => Some(d),
        _ => None,
    }
}

impl ScalarUDFImpl for FromIso8601Date {
    fn name(&self) -> &str {
        "from_iso8601_date"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        common::one_varchar(self.name(), args, EXPECTED)
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let out: Date32Array = common::parse_each(
            x,
            args.number_rows,
            |s| parse(s).map(common::from_date),
            |s| format!("Invalid format: \"{s}\""),
        )?;
        Ok(common::array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse("2020-05-11"), d(2020, 5, 11));
        assert_eq!(parse("2020-W10"), d(2020, 3, 2));
        assert_eq!(parse("2020-W10-3"), d(2020, 3, 4));
        assert_eq!(parse("2020-123"), d(2020, 5, 2));
        assert_eq!(parse("2020-05"), d(2020, 5, 1));
        assert_eq!(parse("2020"), d(2020, 1, 1));
        assert_eq!(parse("2020-13-01"), None);
        assert_eq!(parse("2020-05-11T"), None);
    }
}
