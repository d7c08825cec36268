//! The extraction functions (timestream-functions.md §9.6), one UDF per field, all `→ bigint`:
//! `year`, `quarter`, `month`, `week` (alias `week_of_year`), `day` (`day_of_month`),
//! `day_of_week` (`dow`), `day_of_year` (`doy`), `year_of_week` (`yow`), `hour`, `minute`,
//! `second`, `millisecond`, `nanosecond`. They differ only in the field, so they share this file
//! (and [`Field`] serves `date_part`/`EXTRACT` too).
//!
//! Arguments: a timestamp (or a varchar, by the implicit coercion of timestream-sql.md §3.3:
//! `year('2019-10-12 23:10:34.000000000')` → 2019), a date for the calendar fields, a time for
//! the clock fields, an `interval day to second` for `day`…`nanosecond` (the component of the
//! interval: `hour(interval '1' day + interval '5' hour)` → 5) and an `interval year to
//! month` for `year`/`month`. Weeks are ISO 8601 (Monday first; week 1 holds the first
//! Thursday); `day_of_week` is 1 (Monday) … 7 (Sunday), unlike DataFusion's `dow` (Sunday =
//! 0). `second` drops the fraction; `millisecond` is 0–999 (DataFusion's
//! `date_part('millisecond')` includes the seconds); `nanosecond` is the whole sub-second part
//! 0–999 999 999 (a Timestream addition). NULL in, NULL out.

use chrono::{Datelike, Timelike};
use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind, NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_MILLI};
use super::common::{NANOS_PER_MINUTE, NANOS_PER_SECOND};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    DayOfWeek,
    DayOfYear,
    YearOfWeek,
    Hour,
    Minute,
    Second,
    Millisecond,
    Nanosecond,
}

impl Field {
    /// The function's name and aliases.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Field::Year => &["year"],
            Field::Quarter => &["quarter"],
            Field::Month => &["month"],
            Field::Week => &["week", "week_of_year"],
            Field::Day => &["day", "day_of_month"],
            Field::DayOfWeek => &["day_of_week", "dow"],
            Field::DayOfYear => &["day_of_year", "doy"],
            Field::YearOfWeek => &["year_of_week", "yow"],
            Field::Hour => &["hour"],
            Field::Minute => &["minute"],
            Field::Second => &["second"],
            Field::Millisecond => &["millisecond"],
            Field::Nanosecond => &["nanosecond"],
        }
    }

    pub const ALL: [Field; 13] = [
        Field::Year,
        Field::Quarter,
        Field::Month,
        Field::Week,
        Field::Day,
        Field::DayOfWeek,
        Field::DayOfYear,
        Field::YearOfWeek,
        Field::Hour,
        Field::Minute,
        Field::Second,
        Field::Millisecond,
        Field::Nanosecond,
    ];

    fn is_calendar(self) -> bool {
        matches!(
            self,
            Field::Year
                | Field::Quarter
                | Field::Month
                | Field::Week
                | Field::Day
                | Field::DayOfWeek
                | Field::DayOfYear
                | Field::YearOfWeek
        )
    }

    /// The argument types this field can be extracted from.
    fn accepts(self, k: Kind) -> bool {
        match k {
            Kind::Timestamp | Kind::Varchar | Kind::Unknown => true,
            Kind::Date => self.is_calendar(),
            Kind::Time => !self.is_calendar(),
            Kind::DayToSecond => !self.is_calendar() || self == Field::Day,
            Kind::YearToMonth => matches!(self, Field::Year | Field::Month),
            _ => false,
        }
    }

    /// The signatures, for the error text.
    fn expected(self) -> String {
        let name = self.names()[0];
        let mut forms = vec!["timestamp"];
        if self.is_calendar() {
            forms.push("date");
        } else {
            forms.push("time");
        }
        if self.accepts(Kind::DayToSecond) {
            forms.push("interval day to second");
        }
        if self.accepts(Kind::YearToMonth) {
            forms.push("interval year to month");
        }
        forms
            .iter()
            .map(|f| format!("{name}({f})"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Checks the argument type; the error names the function `name`.
    pub fn check(self, name: &str, args: &[DataType]) -> Result<()> {
        match args {
            [t] if self.accepts(kind(t)) => Ok(()),
            _ => common::wrong_args(name, args, &self.expected()),
        }
    }

    fn of_datetime(self, dt: chrono::NaiveDateTime) -> i64 {
        match self {
            Field::Hour => i64::from(dt.hour()),
            Field::Minute => i64::from(dt.minute()),
            Field::Second => i64::from(dt.second()),
            Field::Millisecond => i64::from(dt.nanosecond() / 1_000_000),
            Field::Nanosecond => i64::from(dt.nanosecond()),
            calendar => calendar.of_date(dt.date()),
        }
    }

    fn of_date(self, d: chrono::NaiveDate) -> i64 {
        match self {
            Field::Year => i64::from(d.year()),
            Field::Quarter => i64::from(d.month0() / 3 + 1),
            Field::Month => i64::from(d.month()),
            Field::Week => i64::from(d.iso_week().week()),
            Field::Day => i64::from(d.day()),
            Field::DayOfWeek => i64::from(d.weekday().number_from_monday()),
            Field::DayOfYear => i64::from(d.ordinal()),
            Field::YearOfWeek => i64::from(d.iso_week().year()),
            _ => 0,
        }
    }

    /// The component of a length of time in ns (interval day to second, time of day).
    fn of_nanos(self, t: i64) -> i64 {
        match self {
            Field::Day => t / NANOS_PER_DAY,
            Field::Hour => t % NANOS_PER_DAY / NANOS_PER_HOUR,
            Field::Minute => t % NANOS_PER_HOUR / NANOS_PER_MINUTE,
            Field::Second => t % NANOS_PER_MINUTE / NANOS_PER_SECOND,
            Field::Millisecond => t % NANOS_PER_SECOND / NANOS_PER_MILLI,
            Field::Nanosecond => t % NANOS_PER_SECOND,
            _ => 0,
        }
    }

    fn of_months(self, m: i32) -> i64 {
        match self {
            Field::Year => i64::from(m / 12),
            _ => i64::from(m % 12),
        }
    }

    /// Extracts the field from every value of `arg`.
    pub fn extract(self, arg: &ColumnarValue, rows: usize) -> Result<Int64Array> {
        Ok(match kind(&arg.data_type()) {
            Kind::Date => common::dates(arg, rows)?
                .iter()
                .map(|d| d.map(|d| self.of_date(common::to_date(d))))
                .collect(),
            Kind::Time => common::times(arg, rows)?
                .iter()
                .map(|t| t.map(|t| self.of_nanos(t)))
                .collect(),
            Kind::DayToSecond => common::day_to_second(arg, rows)?
                .iter()
                .map(|t| t.map(|t| self.of_nanos(t)))
                .collect(),
            Kind::YearToMonth => common::year_to_month(arg, rows)?
                .iter()
                .map(|m| m.map(|m| self.of_months(m)))
                .collect(),
            _ => common::timestamps(arg, rows)?
                .iter()
                .map(|ns| ns.map(|ns| self.of_datetime(common::to_datetime(ns))))
                .collect(),
        })
    }
}

/// One extraction function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Extraction {
    field: Field,
    aliases: Vec<String>,
    signature: Signature,
}

impl Extraction {
    pub fn new(field: Field) -> Self {
        Self {
            field,
            aliases: field.names()[1..].iter().map(|s| (*s).to_owned()).collect(),
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Extraction {
    fn name(&self) -> &str {
        self.field.names()[0]
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        self.field.check(self.name(), args)?;
        Ok(common::plain_types(args))
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match args.args.as_slice() {
            [arg] => Ok(common::array(self.field.extract(arg, args.number_rows)?)),
            _ => common::wrong_args(self.name(), &[], &self.field.expected()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_fields() {
        let ns = common::parse_timestamp_text("2019-10-12 23:10:34.000000000").unwrap();
        let dt = common::to_datetime(ns);
        assert_eq!(Field::Year.of_datetime(dt), 2019);
        assert_eq!(Field::Quarter.of_datetime(dt), 4);
        assert_eq!(Field::Week.of_datetime(dt), 41);
        assert_eq!(Field::DayOfWeek.of_datetime(dt), 6);
        assert_eq!(Field::DayOfYear.of_datetime(dt), 285);
        let d = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        assert_eq!(Field::YearOfWeek.of_date(d), 2020);
        assert_eq!(Field::Hour.of_nanos(NANOS_PER_DAY + 5 * NANOS_PER_HOUR), 5);
    }
}
