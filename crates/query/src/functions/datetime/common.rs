//! What the date/time functions share: Timestream's type names for error texts, argument
//! validation in Trino's words, the implicit varchar → timestamp coercion (timestream-sql.md
//! §3.3) and conversions of any accepted argument to one canonical array per SQL type
//! (timestamp: i64 ns since the epoch, UTC; date: days since the epoch; time: ns since
//! midnight; interval day to second: ns; interval year to month: months).

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, Date32Array, Int32Array, Int64Array, PrimitiveArray,
    Time64NanosecondArray, TimestampNanosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, DurationNanosecondType, IntervalDayTimeType,
    IntervalMonthDayNanoType, IntervalUnit, IntervalYearMonthType, Time64NanosecondType, TimeUnit,
    TimestampNanosecondType,
};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::ColumnarValue;

pub const NANOS_PER_MICRO: i64 = 1_000;
pub const NANOS_PER_MILLI: i64 = 1_000_000;
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SECOND;
pub const NANOS_PER_HOUR: i64 = 60 * NANOS_PER_MINUTE;
pub const NANOS_PER_DAY: i64 = 24 * NANOS_PER_HOUR;

pub const TIMESTAMP: DataType = DataType::Timestamp(TimeUnit::Nanosecond, None);
pub const TIME: DataType = DataType::Time64(TimeUnit::Nanosecond);
pub const DAY_TO_SECOND: DataType = DataType::Interval(IntervalUnit::MonthDayNano);

/// The SQL type an Arrow type stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Timestamp,
    Date,
    Time,
    DayToSecond,
    YearToMonth,
    Varchar,
    Integer,
    Bigint,
    Double,
    Boolean,
    Unknown,
    Other,
}

pub fn kind(dt: &DataType) -> Kind {
    match dt {
        DataType::Timestamp(_, _) => Kind::Timestamp,
        DataType::Date32 | DataType::Date64 => Kind::Date,
        DataType::Time32(_) | DataType::Time64(_) => Kind::Time,
        DataType::Interval(IntervalUnit::YearMonth) => Kind::YearToMonth,
        DataType::Interval(_) | DataType::Duration(_) => Kind::DayToSecond,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Varchar,
        DataType::Dictionary(_, v) => kind(v),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            Kind::Integer
        }
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => Kind::Bigint,
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => Kind::Double,
        DataType::Boolean => Kind::Boolean,
        DataType::Null => Kind::Unknown,
        _ => Kind::Other,
    }
}

/// The Timestream spelling of an argument's type, as error texts print it.
pub fn type_name(dt: &DataType) -> String {
    match kind(dt) {
        Kind::Timestamp => "timestamp".into(),
        Kind::Date => "date".into(),
        Kind::Time => "time".into(),
        Kind::DayToSecond => "interval day to second".into(),
        Kind::YearToMonth => "interval year to month".into(),
        Kind::Varchar => "varchar".into(),
        Kind::Integer => "integer".into(),
        Kind::Bigint => "bigint".into(),
        Kind::Double => "double".into(),
        Kind::Boolean => "boolean".into(),
        Kind::Unknown => "unknown".into(),
        Kind::Other => dt.to_string().to_lowercase(),
    }
}

/// Trino's text for arguments no signature of the function accepts (a ValidationException).
pub fn wrong_args<T>(name: &str, args: &[DataType], expected: &str) -> Result<T> {
    let got = args.iter().map(type_name).collect::<Vec<_>>().join(", ");
    plan_err!("Unexpected parameters ({got}) for function {name}. Expected: {expected}")
}

/// The argument types DataFusion should cast to before calling us: dictionaries (dimension
/// columns) become their value type, everything else stays as it is.
pub fn plain_types(args: &[DataType]) -> Vec<DataType> {
    args.iter()
        .map(|t| match t {
            DataType::Dictionary(_, v) => v.as_ref().clone(),
            other => other.clone(),
        })
        .collect()
}

/// Whether a type can stand where a timestamp is expected: a timestamp, a date, a varchar
/// (converted by the implicit coercion) or a bare NULL.
pub fn is_timestamp_like(dt: &DataType) -> bool {
    matches!(
        kind(dt),
        Kind::Timestamp | Kind::Date | Kind::Varchar | Kind::Unknown
    )
}

pub fn is_integer(dt: &DataType) -> bool {
    matches!(kind(dt), Kind::Integer | Kind::Bigint | Kind::Unknown)
}

pub fn is_varchar(dt: &DataType) -> bool {
    matches!(kind(dt), Kind::Varchar | Kind::Unknown)
}

/// Text of the implicit varchar → timestamp coercion (timestream-sql.md §3.3): `YYYY-MM-DD`,
/// `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM:SS.f` with 1–9 fraction digits.
/// Anything else (a dangling dot too) is `None`.
pub fn parse_timestamp_text(text: &str) -> Option<i64> {
    let s = text.trim().as_bytes();
    let digits = |from: usize, to: usize| -> Option<u32> {
        let part = s.get(from..to)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(0, 4)?).ok()?,
        digits(5, 7)?,
        digits(8, 10)?,
    )?;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    if s.len() == 10 {
        return date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt();
    }
    if s.get(10) != Some(&b' ') || s.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (digits(11, 13)?, digits(14, 16)?);
    let (second, nanos) = match s.len() {
        16 => (0, 0),
        19 if s[16] == b':' => (digits(17, 19)?, 0),
        21..=29 if s[16] == b':' && s[19] == b'.' => {
            let fraction = digits(20, s.len())?;
            (
                digits(17, 19)?,
                fraction * 10u32.pow(u32::try_from(29 - s.len()).ok()?),
            )
        }
        _ => return None,
    };
    date.and_hms_nano_opt(hour, minute, second, nanos)?
        .and_utc()
        .timestamp_nanos_opt()
}

/// A timestamp argument (timestamp of any unit, date, varchar, NULL) as ns since the epoch.
pub fn timestamps(arg: &ColumnarValue, rows: usize) -> Result<TimestampNanosecondArray> {
    let array = arg.to_array(rows)?;
    match kind(array.data_type()) {
        Kind::Varchar => {
            let text = cast(&array, &DataType::Utf8)?;
            text.as_string::<i32>()
                .iter()
                .map(|v| {
                    v.map(|s| match parse_timestamp_text(s) {
                        Some(ns) => Ok(ns),
                        None => exec_err!("Value cannot be cast to timestamp: {s}"),
                    })
                    .transpose()
                })
                .collect()
        }
        Kind::Timestamp | Kind::Date => Ok(cast(&array, &TIMESTAMP)?
            .as_primitive::<TimestampNanosecondType>()
            .clone()),
        Kind::Unknown => Ok(new_null_array(&TIMESTAMP, array.len())
            .as_primitive::<TimestampNanosecondType>()
            .clone()),
        _ => exec_err!("expected a timestamp, got {}", array.data_type()),
    }
}

/// A date argument (date, NULL) as days since the epoch.
pub fn dates(arg: &ColumnarValue, rows: usize) -> Result<Date32Array> {
    let array = arg.to_array(rows)?;
    Ok(cast(&array, &DataType::Date32)?
        .as_primitive::<Date32Type>()
        .clone())
}

/// A time argument (time of any unit, NULL) as ns since midnight.
pub fn times(arg: &ColumnarValue, rows: usize) -> Result<Time64NanosecondArray> {
    let array = arg.to_array(rows)?;
    Ok(cast(&array, &TIME)?
        .as_primitive::<Time64NanosecondType>()
        .clone())
}

/// An `interval day to second` argument as its length in ns (months, which such an interval
/// does not have, are ignored).
pub fn day_to_second(arg: &ColumnarValue, rows: usize) -> Result<Int64Array> {
    let array = arg.to_array(rows)?;
    Ok(match array.data_type() {
        DataType::Interval(IntervalUnit::MonthDayNano) => array
            .as_primitive::<IntervalMonthDayNanoType>()
            .iter()
            .map(|v| v.map(|v| i64::from(v.days) * NANOS_PER_DAY + v.nanoseconds))
            .collect(),
        DataType::Interval(IntervalUnit::DayTime) => array
            .as_primitive::<IntervalDayTimeType>()
            .iter()
            .map(|v| {
                v.map(|v| {
                    i64::from(v.days) * NANOS_PER_DAY + i64::from(v.milliseconds) * NANOS_PER_MILLI
                })
            })
            .collect(),
        DataType::Duration(_) => cast(&array, &DataType::Duration(TimeUnit::Nanosecond))?
            .as_primitive::<DurationNanosecondType>()
            .iter()
            .collect(),
        _ => Int64Array::new_null(array.len()),
    })
}

/// An `interval year to month` argument as months.
pub fn year_to_month(arg: &ColumnarValue, rows: usize) -> Result<Int32Array> {
    let array = arg.to_array(rows)?;
    Ok(match array.data_type() {
        DataType::Interval(IntervalUnit::YearMonth) => array
            .as_primitive::<IntervalYearMonthType>()
            .iter()
            .collect(),
        _ => Int32Array::new_null(array.len()),
    })
}

/// Varchar argument values (NULL stays `None`).
pub fn strings(arg: &ColumnarValue, rows: usize) -> Result<Vec<Option<String>>> {
    let array = arg.to_array(rows)?;
    if array.data_type() == &DataType::Null {
        return Ok(vec![None; array.len()]);
    }
    let text = cast(&array, &DataType::Utf8)?;
    Ok(text
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect())
}

/// The one varchar argument of a parsing function, parsed row by row into the result column:
/// NULL stays NULL; text that `parse` rejects is the execution error `invalid(text)`.
pub fn parse_each<T, O: FromIterator<Option<T>>>(
    arg: &ColumnarValue,
    rows: usize,
    parse: impl Fn(&str) -> Option<T>,
    invalid: impl Fn(&str) -> String,
) -> Result<O> {
    strings(arg, rows)?
        .iter()
        .map(|s| match s {
            Some(s) => match parse(s) {
                Some(v) => Ok(Some(v)),
                None => exec_err!("{}", invalid(s)),
            },
            None => Ok(None),
        })
        .collect()
}

/// Argument types of a function of one timestamp (or date, or varchar read as a timestamp), or
/// Trino's "Unexpected parameters" error.
pub fn one_timestamp(name: &str, args: &[DataType], expected: &str) -> Result<Vec<DataType>> {
    match args {
        [t] if is_timestamp_like(t) => Ok(plain_types(args)),
        _ => wrong_args(name, args, expected),
    }
}

/// Argument types of a function of one varchar, or Trino's "Unexpected parameters" error.
pub fn one_varchar(name: &str, args: &[DataType], expected: &str) -> Result<Vec<DataType>> {
    match args {
        [t] if is_varchar(t) => Ok(plain_types(args)),
        _ => wrong_args(name, args, expected),
    }
}

/// Integer argument values as i64.
pub fn integers(arg: &ColumnarValue, rows: usize) -> Result<Int64Array> {
    let array = arg.to_array(rows)?;
    Ok(cast(&array, &DataType::Int64)?
        .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
        .clone())
}

/// Double argument values.
pub fn doubles(arg: &ColumnarValue, rows: usize) -> Result<datafusion::arrow::array::Float64Array> {
    let array = arg.to_array(rows)?;
    Ok(cast(&array, &DataType::Float64)?
        .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
        .clone())
}

/// ns since the epoch → the UTC date-time.
pub fn to_datetime(ns: i64) -> NaiveDateTime {
    DateTime::from_timestamp_nanos(ns).naive_utc()
}

/// UTC date-time → ns since the epoch; outside Timestream's timestamp range it is an error.
pub fn from_datetime(dt: NaiveDateTime) -> Result<i64> {
    match dt.and_utc().timestamp_nanos_opt() {
        Some(ns) => Ok(ns),
        None => exec_err!("Timestamp out of range: {dt}"),
    }
}

/// Days since the epoch → the date.
pub fn to_date(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days.saturating_add(EPOCH_DAYS_FROM_CE))
        .unwrap_or(NaiveDate::MIN)
}

/// The date → days since the epoch.
pub fn from_date(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// `NaiveDate::from_ymd(1970, 1, 1).num_days_from_ce()`.
pub const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Number of days in a month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day())
}

/// Adds months to a date, clamping the day to the last day of the resulting month (Joda).
pub fn add_months(date: NaiveDate, months: i64) -> Result<NaiveDate> {
    let total = i64::from(date.year()) * 12 + i64::from(date.month0()) + months;
    let year = i32::try_from(total.div_euclid(12));
    let month = total.rem_euclid(12) as u32 + 1;
    let Ok(year) = year else {
        return exec_err!("Date out of range");
    };
    let day = date.day().min(days_in_month(year, month));
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => Ok(d),
        None => exec_err!("Date out of range"),
    }
}

/// The units of `date_trunc`, `date_add` and `date_diff` (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    pub fn parse(text: &str) -> Option<Unit> {
        Some(match text.to_ascii_lowercase().as_str() {
            "millisecond" => Unit::Millisecond,
            "second" => Unit::Second,
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            "quarter" => Unit::Quarter,
            "year" => Unit::Year,
            _ => return None,
        })
    }

    /// Length in ns of the units of fixed length (all up to `week`).
    pub fn nanos(self) -> Option<i64> {
        Some(match self {
            Unit::Millisecond => NANOS_PER_MILLI,
            Unit::Second => NANOS_PER_SECOND,
            Unit::Minute => NANOS_PER_MINUTE,
            Unit::Hour => NANOS_PER_HOUR,
            Unit::Day => NANOS_PER_DAY,
            Unit::Week => 7 * NANOS_PER_DAY,
            _ => return None,
        })
    }

    /// Months in the calendar units.
    pub fn months(self) -> Option<i64> {
        match self {
            Unit::Month => Some(1),
            Unit::Quarter => Some(3),
            Unit::Year => Some(12),
            _ => None,
        }
    }
}

/// The unit text of a timestamp/date/time function, checked against the argument's kind
/// (dates take `day` and up, times up to `hour`), with Trino's error texts.
pub fn unit_for(text: &str, k: Kind) -> Result<Unit> {
    let unit = Unit::parse(text);
    match (unit, k) {
        (Some(u), Kind::Date) if u >= Unit::Day => Ok(u),
        (_, Kind::Date) => exec_err!("'{text}' is not a valid DATE field"),
        (Some(u), Kind::Time) if u <= Unit::Hour => Ok(u),
        (_, Kind::Time) => exec_err!("'{text}' is not a valid Time field"),
        (Some(u), _) => Ok(u),
        (None, _) => exec_err!("'{text}' is not a valid Timestamp field"),
    }
}

/// Value `i` of a primitive array, `None` when NULL.
pub fn at<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, i: usize) -> Option<T::Native> {
    (i < a.len() && a.is_valid(i)).then(|| a.value(i))
}

pub fn array(a: impl Array + 'static) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(a) as ArrayRef)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_text_shapes() {
        assert_eq!(parse_timestamp_text("1970-01-01"), Some(0));
        assert_eq!(
            parse_timestamp_text("1970-01-01 00:00:01.5"),
            Some(1_500_000_000)
        );
        assert_eq!(
            parse_timestamp_text("1970-01-01 00:00:00.000000001"),
            Some(1)
        );
        assert_eq!(
            parse_timestamp_text("1970-01-01 00:01"),
            Some(60_000_000_000)
        );
        assert_eq!(parse_timestamp_text("2024-12-31 00:11:22."), None);
        assert_eq!(parse_timestamp_text("2024-02-30"), None);
        assert_eq!(parse_timestamp_text("2024-1-3"), None);
        assert_eq!(parse_timestamp_text("x"), None);
    }

    #[test]
    fn month_arithmetic_clamps() {
        let d = NaiveDate::from_ymd_opt(2022, 1, 31).unwrap();
        assert_eq!(
            add_months(d, 1).unwrap(),
            NaiveDate::from_ymd_opt(2022, 2, 28).unwrap()
        );
        assert_eq!(
            add_months(d, -2).unwrap(),
            NaiveDate::from_ymd_opt(2021, 11, 30).unwrap()
        );
        assert_eq!(from_date(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        assert_eq!(to_date(1), NaiveDate::from_ymd_opt(1970, 1, 2).unwrap());
    }
}
