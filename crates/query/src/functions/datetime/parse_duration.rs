//! `parse_duration(varchar) → interval day to second` (timestream-functions.md §9.4):
//! `'<number><unit>'`, spaces allowed around and between, the number with an optional
//! fraction; units `ns`, `us`, `ms`, `s`, `m` (minutes), `h`, `d` and the long names
//! `nanosecond`, `microsecond`, `millisecond`, `second`, `minute`, `hour`, `day` (the guide's
//! `parse_duration('1day')`). Kept at nanosecond precision (Trino rounds to milliseconds);
//! the fraction is read exactly, not through a double. Other text is a run-time error.
//! `parse_duration('42.8ms')` → `0 00:00:00.042800000`; `parse_duration('1d')` →
//! `1 00:00:00.000000000`.

use datafusion::arrow::array::IntervalMonthDayNanoArray;
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_MICRO, NANOS_PER_MILLI};
use super::common::{NANOS_PER_MINUTE, NANOS_PER_SECOND};

const EXPECTED: &str = "parse_duration(varchar)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseDuration {
    signature: Signature,
}

impl ParseDuration {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for ParseDuration {
    fn default() -> Self {
        Self::new()
    }
}

fn unit_nanos(unit: &str) -> Option<i64> {
    Some(match unit {
        "ns" | "nanosecond" => 1,
        "us" | "microsecond" => NANOS_PER_MICRO,
        "ms" | "millisecond" => NANOS_PER_MILLI,
        "s" | "second" => NANOS_PER_SECOND,
        "m" | "minute" => NANOS_PER_MINUTE,
        "h" | "hour" => NANOS_PER_HOUR,
        "d" | "day" => NANOS_PER_DAY,
        _ => return None,
    })
}

/// The duration in ns, rounded half up to the nanosecond; `None` for bad text or overflow.
pub fn parse(text: &str) -> Option<i64> {
    let t = text.trim();
    let number_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (&t[..number_end], t[number_end..].trim_start());
    let len = i128::from(unit_nanos(unit)?);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || (number.contains('.') && fraction.is_empty()) {
        return None;
    }
    let whole: i128 = whole.parse().ok()?;
    let mut total = whole.checked_mul(len)?;
    if !fraction.is_empty() {
        let digits = fraction.len().min(30) as u32;
        let f: i128 = fraction[..digits as usize].parse().ok()?;
        let scale = 10i128.pow(digits);
        total += (f * len + scale / 2) / scale;
    }
    i64::try_from(total).ok()
}

/// A length in ns as a month-day-nano interval of days and nanoseconds.
pub fn interval(ns: i64) -> IntervalMonthDayNano {
    IntervalMonthDayNano {
        months: 0,
        days: (ns / NANOS_PER_DAY) as i32,
        nanoseconds: ns % NANOS_PER_DAY,
    }
}

impl ScalarUDFImpl for ParseDuration {
    fn name(&self) -> &str {
        "parse_duration"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        common::one_varchar(self.name(), args, EXPECTED)
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(common::DAY_TO_SECOND)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let out: IntervalMonthDayNanoArray = common::parse_each(
            x,
            args.number_rows,
            |s| parse(s).map(interval),
            |s| format!("duration is not a valid data duration string: {s}"),
        )?;
        Ok(common::array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse("42.8ms"), Some(42_800_000));
        assert_eq!(parse("1day"), Some(NANOS_PER_DAY));
        assert_eq!(parse(" 3 m "), Some(3 * NANOS_PER_MINUTE));
        assert_eq!(parse("0.5ns"), Some(1));
        assert_eq!(parse("1.ms"), None);
        assert_eq!(parse("ms"), None);
        assert_eq!(parse("1 week"), None);
        assert_eq!(parse("-1s"), None);
    }
}
