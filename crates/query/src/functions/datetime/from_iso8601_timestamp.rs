//! `from_iso8601_timestamp(varchar) → timestamp` (timestream-functions.md §9.3): an ISO 8601
//! date-time, converted to UTC. Forms as Joda's `ISODateTimeFormat.dateTimeParser()` reads
//! them [trino]: a date element (see `from_iso8601_date`: calendar, week or ordinal date),
//! optionally `T` and a time `HH[:mm[:ss[.f…]]]` (1–9 fraction digits, `.` or `,`), optionally
//! an offset `Z`, `±HH`, `±HH:mm` or `±HHmm`; a time alone after `T` is on 1970-01-01. No
//! offset means UTC, a date alone midnight. Other text is an error (`Invalid format: "…"`).
//! Trino answers `timestamp(3) with time zone`; Timestream is UTC-only with nanoseconds.
//!
//! `from_iso8601_timestamp('2022-06-17T08:04:05.000000000+05:00')` →
//! `2022-06-17 03:04:05.000000000`.

use chrono::{NaiveDate, NaiveTime};
use datafusion::arrow::array::TimestampNanosecondArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, NANOS_PER_HOUR, NANOS_PER_MINUTE};
use super::from_iso8601_date::{digits, parse_date_element};

const EXPECTED: &str = "from_iso8601_timestamp(varchar)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromIso8601Timestamp {
    signature: Signature,
}

impl FromIso8601Timestamp {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for FromIso8601Timestamp {
    fn default() -> Self {
        Self::new()
    }
}

/// `HH[:mm[:ss[.f…]]]` at the start of `s`.
fn parse_time(s: &str) -> Option<(NaiveTime, &str)> {
    let (hour, mut rest) = digits(s, 2)?;
    let (mut minute, mut second, mut nanos) = (0, 0, 0);
    if let Some(r) = rest.strip_prefix(':') {
        (minute, rest) = digits(r, 2)?;
        if let Some(r) = rest.strip_prefix(':') {
            (second, rest) = digits(r, 2)?;
            if let Some(r) = rest.strip_prefix(['.', ',']) {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 || n > 9 {
                    return None;
                }
                let (f, r) = digits(r, n)?;
                nanos = f * 10u32.pow(9 - n as u32);
                rest = r;
            }
        }
    }
    Some((
        NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?,
        rest,
    ))
}

/// `Z`, `±HH`, `±HH:mm`, `±HHmm`: the offset east of UTC in ns.
fn parse_offset(s: &str) -> Option<i64> {
    if s == "Z" {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, rest) = digits(&s[1..], 2)?;
    let minutes = match rest {
        "" => 0,
        r => {
            digits(r.strip_prefix(':').unwrap_or(r), 2)
                .filter(|(_, r)| r.is_empty())?
                .0
        }
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (i64::from(hours) * NANOS_PER_HOUR + i64::from(minutes) * NANOS_PER_MINUTE))
}

/// The instant in ns since the epoch.
pub fn parse(text: &str) -> Option<i64> {
    let s = text.trim();
    let (date, rest) = match s.strip_prefix('T') {
        Some(_) => (NaiveDate::from_ymd_opt(1970, 1, 1)?, s),
        None => parse_date_element(s)?,
    };
    let (time, rest) = match rest.strip_prefix('T') {
        Some(r) => parse_time(r)?,
        None => (NaiveTime::MIN, rest),
    };
    let offset = if rest.is_empty() {
        0
    } else {
        parse_offset(rest)?
    };
    date.and_time(time)
        .and_utc()
        .timestamp_nanos_opt()?
        .checked_sub(offset)
}

impl ScalarUDFImpl for FromIso8601Timestamp {
    fn name(&self) -> &str {
        "from_iso8601_timestamp"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        common::one_varchar(self.name(), args, EXPECTED)
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(common::TIMESTAMP)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let out: TimestampNanosecondArray = common::parse_each(x, args.number_rows, parse, |s| {
            format!("Invalid format: \"{s}\"")
        })?;
        Ok(common::array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps() {
        let ts = |s| common::parse_timestamp_text(s);
        assert_eq!(
            parse("2022-06-17T08:04:05.000000000+05:00"),
            ts("2022-06-17 03:04:05")
        );
        assert_eq!(parse("2022-06-17T08:04Z"), ts("2022-06-17 08:04:00"));
        assert_eq!(parse("2022-06-17T08-0130"), ts("2022-06-17 09:30:00"));
        assert_eq!(parse("2022-06-17"), ts("2022-06-17"));
        assert_eq!(parse("2022-06-17T08:04:05,5"), ts("2022-06-17 08:04:05.5"));
        assert_eq!(parse("T10:00"), ts("1970-01-01 10:00:00"));
        assert_eq!(parse("2022-06-17 08:04:05"), None);
        assert_eq!(parse("2022-06-17T25:00"), None);
    }
}
