//! `date_diff(unit, x1, x2) → bigint`: `x2 − x1` in whole units, truncated toward zero, as
//! Joda's field difference counts them (timestream-functions.md §9.4, [trino]). Units as for
//! `date_add`. Timestamps are compared at millisecond precision, as Trino does. Fixed-length
//! units (`millisecond` … `week`) divide the difference; `month`, `quarter` and `year` count
//! the calendar steps from `x1` that do not pass `x2` (a month-end start counts to the next
//! month-end: Jan 31 → Feb 28 is one month). Negative when `x2 < x1`.
//!
//! Arguments: two timestamps (varchars and dates are converted), two dates (units `day` and
//! up) or two times (units up to `hour`).
//!
//! `date_diff('day', DATE '2020-03-01', DATE '2020-03-02')` → 1;
//! `date_diff('day', TIMESTAMP '2020-03-01 23:00:00', TIMESTAMP '2020-03-02 01:00:00')` → 0.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind, Unit, NANOS_PER_DAY, NANOS_PER_MILLI};

const EXPECTED: &str = "date_diff(varchar, timestamp, timestamp), date_diff(varchar, date, date), date_diff(varchar, time, time)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateDiff {
    signature: Signature,
}

impl DateDiff {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for DateDiff {
    fn default() -> Self {
        Self::new()
    }
}

fn is_leap(year: i32) -> bool {
    NaiveDate::from_ymd_opt(year, 2, 29).is_some()
}

fn month_start(dt: NaiveDateTime) -> NaiveDateTime {
    dt.date()
        .with_day(1)
        .unwrap_or(dt.date())
        .and_time(NaiveTime::MIN)
}

fn year_start(dt: NaiveDateTime) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(dt.year(), 1, 1)
        .unwrap_or(dt.date())
        .and_time(NaiveTime::MIN)
}

/// Joda's `BasicMonthOfYearDateTimeField.getDifferenceAsLong`.
fn month_difference(minuend: NaiveDateTime, subtrahend: NaiveDateTime) -> i64 {
    if minuend < subtrahend {
        return -month_difference(subtrahend, minuend);
    }
    let mut difference = i64::from(minuend.year() - subtrahend.year()) * 12
        + i64::from(minuend.month())
        - i64::from(subtrahend.month());
    let mut subtrahend = subtrahend;
    let last = common::days_in_month(minuend.year(), minuend.month());
    if minuend.day() == last && subtrahend.day() > minuend.day() {
        if let Some(d) = subtrahend.with_day(minuend.day()) {
            subtrahend = d;
        }
    }
    if minuend - month_start(minuend) < subtrahend - month_start(subtrahend) {
        difference -= 1;
    }
    difference
}

/// Joda's `BasicGJChronology.getYearDifference`.
fn year_difference(minuend: NaiveDateTime, subtrahend: NaiveDateTime) -> i64 {
    if minuend < subtrahend {
        return -year_difference(subtrahend, minuend);
    }
    let feb_29 = chrono::TimeDelta::days(31 + 28);
    let day = chrono::TimeDelta::days(1);
    let mut minuend_rem = minuend - year_start(minuend);
    let mut subtrahend_rem = subtrahend - year_start(subtrahend);
    if subtrahend_rem >= feb_29 {
        if is_leap(subtrahend.year()) {
            if !is_leap(minuend.year()) {
                subtrahend_rem -= day;
            }
        } else if minuend_rem >= feb_29 && is_leap(minuend.year()) {
            minuend_rem -= day;
        }
    }
    let mut difference = i64::from(minuend.year() - subtrahend.year());
    if minuend_rem < subtrahend_rem {
        difference -= 1;
    }
    difference
}

/// `end − start` (ns since the epoch) in whole units.
pub fn diff(unit: Unit, start: i64, end: i64) -> i64 {
    if let Some(len) = unit.nanos() {
        return (i128::from(end) - i128::from(start)) as i64 / len;
    }
    let (s, e) = (common::to_datetime(start), common::to_datetime(end));
    match unit {
        Unit::Year => year_difference(e, s),
        other => month_difference(e, s) / other.months().unwrap_or(1),
    }
}

fn millis_floor(ns: i64) -> i64 {
    ns - ns.rem_euclid(NANOS_PER_MILLI)
}

impl ScalarUDFImpl for DateDiff {
    fn name(&self) -> &str {
        "date_diff"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [u, a, b] if common::is_varchar(u) => {
                let (ka, kb) = (kind(a), kind(b));
                let both_time = ka == Kind::Time && kb == Kind::Time;
                if both_time || (common::is_timestamp_like(a) && common::is_timestamp_like(b)) {
                    let mut types = common::plain_types(args);
                    let dates = matches!(
                        (ka, kb),
                        (Kind::Date, Kind::Date | Kind::Unknown) | (Kind::Unknown, Kind::Date)
                    );
                    if !both_time && !dates {
                        // Mixed date/timestamp/varchar: all timestamps.
                        for t in &mut types[1..] {
                            if kind(t) == Kind::Date {
                                *t = common::TIMESTAMP;
                            }
                        }
                    }
                    return Ok(types);
                }
                common::wrong_args("date_diff", args, EXPECTED)
            }
            _ => common::wrong_args("date_diff", args, EXPECTED),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let [unit, a, b] = args.args.as_slice() else {
            return common::wrong_args("date_diff", &[], EXPECTED);
        };
        let units = common::strings(unit, rows)?;
        let (ka, kb) = (kind(&a.data_type()), kind(&b.data_type()));
        let k = if ka == Kind::Date || kb == Kind::Date {
            Kind::Date
        } else if ka == Kind::Time || kb == Kind::Time {
            Kind::Time
        } else {
            Kind::Timestamp
        };
        // Both sides as ns: dates at midnight, times since midnight, timestamps at ms.
        let ns = |x: &ColumnarValue| -> Result<Vec<Option<i64>>> {
            Ok(match k {
                Kind::Date => common::dates(x, rows)?
                    .iter()
                    .map(|d| d.map(|d| i64::from(d) * NANOS_PER_DAY))
                    .collect(),
                Kind::Time => common::times(x, rows)?.iter().collect(),
                _ => common::timestamps(x, rows)?
                    .iter()
                    .map(|t| t.map(millis_floor))
                    .collect(),
            })
        };
        let (starts, ends) = (ns(a)?, ns(b)?);
        let out = (0..rows)
            .map(|i| match (units[i].as_deref(), starts[i], ends[i]) {
                (Some(u), Some(s), Some(e)) => Ok(Some(diff(common::unit_for(u, k)?, s, e))),
                _ => Ok(None),
            })
            .collect::<Result<Int64Array>>()?;
        Ok(common::array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        common::parse_timestamp_text(s).unwrap()
    }

    #[test]
    fn joda_differences() {
        assert_eq!(diff(Unit::Month, ts("2022-01-31"), ts("2022-02-28")), 1);
        assert_eq!(diff(Unit::Month, ts("2022-01-31"), ts("2022-02-27")), 0);
        assert_eq!(diff(Unit::Month, ts("2022-02-28"), ts("2022-01-31")), -1);
        assert_eq!(diff(Unit::Year, ts("2020-02-29"), ts("2021-02-28")), 1);
        assert_eq!(diff(Unit::Year, ts("2019-03-01"), ts("2020-02-29")), 0);
        assert_eq!(diff(Unit::Quarter, ts("2022-01-15"), ts("2022-07-14")), 1);
        assert_eq!(
            diff(
                Unit::Day,
                ts("2020-03-01 23:00:00"),
                ts("2020-03-02 01:00:00")
            ),
            0
        );
        assert_eq!(
            diff(
                Unit::Hour,
                ts("2020-03-02 01:00:00"),
                ts("2020-03-01 23:30:00")
            ),
            -1
        );
    }
}
