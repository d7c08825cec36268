//! Schedule expressions of scheduled queries: `rate(value unit)` and six-field
//! `cron(minutes hours day-of-month month day-of-week year)`, as the AWS developer guide,
//! "Schedule expressions for scheduled queries", describes them. All times are UTC with a
//! precision of one minute; instants are i64 nanoseconds since the Unix epoch.
//!
//! The guide defers the dialect to Amazon EventBridge, so these rules are EventBridge's: a rate of
//! 1 takes the singular unit and larger rates the plural; exactly one of day-of-month and
//! day-of-week is `?`; `L`, `W` and `#` follow EventBridge's cron reference. Where both are silent:
//! - `nW` is the nearest weekday that stays in the month: a Saturday moves to the Friday before
//!   and a Sunday to the Monday after, except that a Saturday 1st moves to Monday the 3rd and a
//!   Sunday last day to the Friday before; a month shorter than `n` days has no match at all.
//! - `L` alone in day-of-week is Saturday (7, the last day of the week), as in Quartz.
//! - `L`, `LW`, `nW`, `nL` and `n#k` stand alone: they do not combine with `,` lists.
//!
//! A rate runs every interval from its creation truncated to the minute; a cron runs at every
//! matching minute and ignores its creation time.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Timelike};

const NS_PER_MINUTE: i64 = 60_000_000_000;

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Rate { every_ns: i64 },
    Cron(Cron),
}

/// The ValidationException message for an expression AWS would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScheduleError(pub String);

/// A cron expression expanded into the set of values each field accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: BTreeSet<u32>,
    hours: BTreeSet<u32>,
    days: DayRule,
    months: BTreeSet<u32>,
    years: BTreeSet<u32>,
}

/// Whichever of day-of-month and day-of-week is not `?`; one enum because exactly one applies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DayRule {
    MonthDays(BTreeSet<u32>),
    LastDay,
    LastWeekday,
    NearestWeekday(u32),
    /// Days of the week, 1 = Sunday.
    WeekDays(BTreeSet<u32>),
    LastOfMonth(u32),
    /// (day of the week, occurrence 1-5).
    Nth(u32, u32),
}

/// The bounds and syntax of one cron field: name, values, names for values from `min`, and
/// whether it takes `/` increments (all but day-of-week).
struct Field(&'static str, u32, u32, &'static [&'static str], bool);

const MINUTES: Field = Field("minutes", 0, 59, &[], true);
const HOURS: Field = Field("hours", 0, 23, &[], true);
const DAY_OF_MONTH: Field = Field("day-of-month", 1, 31, &[], true);
const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const MONTH: Field = Field("month", 1, 12, MONTHS, true);
const WEEKDAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAY_OF_WEEK: Field = Field("day-of-week", 1, 7, WEEKDAYS, false);
const YEAR: Field = Field("year", 1970, 2199, &[], true);

impl Schedule {
    /// Surrounding whitespace is forgiven; inside, the syntax is as strict as AWS's, so an
    /// expression accepted here is accepted by the service.
    pub fn parse(expression: &str) -> Result<Schedule, ScheduleError> {
        let invalid =
            |why: String| ScheduleError(format!("Invalid schedule expression {expression}: {why}"));
        let text = expression.trim();
        if let Some(inner) = text.strip_prefix("rate(").and_then(|t| t.strip_suffix(')')) {
            parse_rate(inner).map_err(invalid)
        } else if let Some(inner) = text.strip_prefix("cron(").and_then(|t| t.strip_suffix(')')) {
            parse_cron(inner).map(Schedule::Cron).map_err(invalid)
        } else {
            Err(invalid(
                "expected rate(value unit) or cron(minutes hours day-of-month month day-of-week year)".into(),
            ))
        }
    }

    /// The first invocation time strictly after `after_ns`, for a scheduled query created at
    /// `created_ns`; None when the expression never fires again (e.g. cron years all past, or Feb 30).
    pub fn next_after(&self, created_ns: i64, after_ns: i64) -> Option<i64> {
        match self {
            Schedule::Rate { every_ns } if *every_ns <= 0 => None,
            Schedule::Rate { every_ns } => {
                // i128: `after - anchor` and `k * every` can exceed i64 for far-apart instants.
                let (minute, every) = (i128::from(NS_PER_MINUTE), i128::from(*every_ns));
                let anchor = i128::from(created_ns).div_euclid(minute) * minute;
                let k = (i128::from(after_ns) - anchor).div_euclid(every).max(0) + 1;
                i64::try_from(anchor + k * every).ok()
            }
            Schedule::Cron(cron) => cron.next_after(after_ns),
        }
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(expression: &str) -> Result<Self, Self::Err> {
        Schedule::parse(expression)
    }
}

fn parse_rate(inner: &str) -> Result<Schedule, String> {
    let (value, unit) = inner.split_once(' ').ok_or("expected rate(value unit)")?;
    let unit = unit.trim_start_matches(' ');
    let bad_value = |why: &str| format!("the rate value '{value}' {why}");
    let bad_unit = |why: &str| format!("the rate unit '{unit}' {why}");
    let count = match digits(value) {
        Some(Some(n)) if n > 0 => i64::try_from(n).map_err(|_| bad_value("is too large"))?,
        Some(None) => return Err(bad_value("is too large")),
        _ => return Err(bad_value("is not a positive integer")),
    };
    let (singular, plural, unit_ns) = match unit {
        "minute" | "minutes" => ("minute", "minutes", NS_PER_MINUTE),
        "hour" | "hours" => ("hour", "hours", 60 * NS_PER_MINUTE),
        "day" | "days" => ("day", "days", 24 * 60 * NS_PER_MINUTE),
        _ => return Err(bad_unit("is not minute(s), hour(s) or day(s)")),
    };
    // EventBridge: `rate(1 hour)` and `rate(5 hours)`, never `rate(1 hours)` or `rate(5 hour)`.
    match (count, unit) {
        (1, unit) if unit != singular => {
            Err(bad_unit(&format!("must be '{singular}' for a value of 1")))
        }
        (2.., unit) if unit != plural => {
            Err(bad_unit(&format!("must be '{plural}' for a value above 1")))
        }
        _ => Ok(Schedule::Rate {
            every_ns: count
                .checked_mul(unit_ns)
                .ok_or_else(|| bad_value("is too large"))?,
        }),
    }
}

/// `None` when `text` is not all ASCII digits (`u64::from_str` would take a `+`), `Some(None)`
/// when it overflows.
fn digits(text: &str) -> Option<Option<u64>> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())
}

fn parse_cron(inner: &str) -> Result<Cron, String> {
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let [minutes, hours, dom, month, dow, year] = fields[..] else {
        return Err(format!(
            "expected six fields (minutes hours day-of-month month day-of-week year), found {}",
            fields.len()
        ));
    };
    let days = match (parse_day_of_month(dom)?, parse_day_of_week(dow)?) {
        (Some(rule), None) | (None, Some(rule)) => rule,
        (None, None) => return Err("day-of-month and day-of-week cannot both be '?'".into()),
        (Some(_), Some(_)) => return Err("one of day-of-month and day-of-week must be '?'".into()),
    };
    Ok(Cron {
        minutes: parse_list(&MINUTES, minutes)?,
        hours: parse_list(&HOURS, hours)?,
        days,
        months: parse_list(&MONTH, month)?,
        years: parse_list(&YEAR, year)?,
    })
}

/// `None` for `?`.
fn parse_day_of_month(text: &str) -> Result<Option<DayRule>, String> {
    Ok(Some(match text {
        "?" => return Ok(None),
        "L" => DayRule::LastDay,
        "LW" => DayRule::LastWeekday,
        _ => match text.strip_suffix('W') {
            Some(day) => DayRule::NearestWeekday(
                parse_value(&DAY_OF_MONTH, day)
                    .map_err(|_| bad(&DAY_OF_MONTH, text, "needs a day 1-31 before 'W'"))?,
            ),
            None => DayRule::MonthDays(parse_list(&DAY_OF_MONTH, text)?),
        },
    }))
}

/// `None` for `?`.
fn parse_day_of_week(text: &str) -> Result<Option<DayRule>, String> {
    Ok(Some(if text == "?" {
        return Ok(None);
    } else if text == "L" {
        DayRule::WeekDays(BTreeSet::from([7]))
    } else if let Some(day) = text.strip_suffix('L') {
        let day = parse_value(&DAY_OF_WEEK, day);
        DayRule::LastOfMonth(
            day.map_err(|_| bad(&DAY_OF_WEEK, text, "needs a day of the week before 'L'"))?,
        )
    } else if let Some((day, nth)) = text.split_once('#') {
        let weekday = parse_value(&DAY_OF_WEEK, day)?;
        match digits(nth) {
            Some(Some(nth @ 1..=5)) => DayRule::Nth(weekday, nth as u32),
            _ => return Err(bad(&DAY_OF_WEEK, text, "needs an occurrence 1-5 after '#'")),
        }
    } else {
        DayRule::WeekDays(parse_list(&DAY_OF_WEEK, text)?)
    }))
}

/// Expands `,` lists of values, `a-b` ranges, `*`, and `/` increments into the values they match.
fn parse_list(field: &Field, text: &str) -> Result<BTreeSet<u32>, String> {
    let Field(_, min, max, _, steps) = *field;
    let mut values = BTreeSet::new();
    for part in text.split(',') {
        if part == "?" {
            return Err(bad(
                field,
                part,
                "can only stand alone in day-of-month or day-of-week",
            ));
        }
        let (range, step) = match part.split_once('/') {
            None => (part, 1),
            Some(_) if !steps => return Err(bad(field, part, "cannot take an increment")),
            Some((range, step)) => match digits(step) {
                Some(Some(0)) => return Err(bad(field, part, "has a step of 0")),
                Some(Some(step)) => (range, usize::try_from(step).unwrap_or(usize::MAX)),
                _ => return Err(bad(field, part, "has an invalid step")),
            },
        };
        let (first, last) = if range == "*" {
            (min, max)
        } else if let Some((first, last)) = range.split_once('-') {
            let (first, last) = (parse_value(field, first)?, parse_value(field, last)?);
            if first > last {
                return Err(bad(field, part, "is a reversed range"));
            }
            (first, last)
        } else {
            let value = parse_value(field, range)?;
            // `a/b` runs from a up to the field's maximum, as `*/b` does from its minimum.
            (value, if part.contains('/') { max } else { value })
        };
        values.extend((first..=last).step_by(step));
    }
    Ok(values)
}

/// The one shape of every field error, so users can find the offending part.
fn bad(field: &Field, part: &str, reason: &str) -> String {
    format!("the {} field '{part}' {reason}", field.0)
}

/// One number or (case-insensitive) name within the field's range.
fn parse_value(field: &Field, text: &str) -> Result<u32, String> {
    let Field(_, min, max, names, _) = *field;
    if let Some(index) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Ok(min + index as u32);
    }
    match digits(text) {
        Some(Some(value)) if (u64::from(min)..=u64::from(max)).contains(&value) => Ok(value as u32),
        Some(_) => Err(bad(field, text, &format!("is outside {min}-{max}"))),
        None => Err(bad(field, text, "is not a valid value")),
    }
}

impl Cron {
    /// Walks days, not minutes, and jumps over years and months outside their fields: at most one
    /// step per day up to 2199 (~84k) for an expression that never matches, and only the days of
    /// February for `cron(0 0 30 2 ? *)`.
    fn next_after(&self, after_ns: i64) -> Option<i64> {
        let start_minute = after_ns.div_euclid(NS_PER_MINUTE) + 1;
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?.and_hms_opt(0, 0, 0)?;
        let start = DateTime::from_timestamp(start_minute * 60, 0)?
            .naive_utc()
            .max(epoch);
        let mut date = start.date();
        let mut from_minute = start.hour() * 60 + start.minute();
        loop {
            let year = u32::try_from(date.year()).ok()?;
            let next_year = *self.years.range(year..).next()?;
            if next_year != year {
                date = NaiveDate::from_ymd_opt(i32::try_from(next_year).ok()?, 1, 1)?;
                from_minute = 0;
            }
            let Some(&month) = self.months.range(date.month()..).next() else {
                date = NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)?;
                from_minute = 0;
                continue;
            };
            if month != date.month() {
                date = NaiveDate::from_ymd_opt(date.year(), month, 1)?;
                from_minute = 0;
            }
            if self.days.matches(date) {
                if let Some((hour, minute)) = self.first_time(from_minute) {
                    return date
                        .and_hms_opt(hour, minute, 0)?
                        .and_utc()
                        .timestamp_nanos_opt();
                }
            }
            date = date.succ_opt()?;
            from_minute = 0;
        }
    }

    /// The earliest (hour, minute) of a day at or after `from_minute` minutes past midnight.
    fn first_time(&self, from_minute: u32) -> Option<(u32, u32)> {
        let (from_hour, from_min) = (from_minute / 60, from_minute % 60);
        self.hours.range(from_hour..).find_map(|&hour| {
            let floor = if hour == from_hour { from_min } else { 0 };
            self.minutes
                .range(floor..)
                .next()
                .map(|&minute| (hour, minute))
        })
    }
}

impl DayRule {
    fn matches(&self, date: NaiveDate) -> bool {
        let (day, weekday) = (date.day(), date.weekday().number_from_sunday());
        let last = (29..=31)
            .filter(|&d| date.with_day(d).is_some())
            .max()
            .unwrap_or(28);
        // The weekday (1 = Sunday) of day `d` of the same month.
        let weekday_of = |d: u32| (weekday + 35 + d - day - 1) % 7 + 1;
        match self {
            DayRule::MonthDays(days) => days.contains(&day),
            DayRule::LastDay => day == last,
            DayRule::LastWeekday => match weekday_of(last) {
                7 => day == last - 1,
                1 => day == last - 2,
                _ => day == last,
            },
            DayRule::NearestWeekday(n) if *n > last => false,
            DayRule::NearestWeekday(n) => match weekday_of(*n) {
                7 if *n == 1 => day == 3,
                7 => day == n - 1,
                1 if *n == last => day == n - 2,
                1 => day == n + 1,
                _ => day == *n,
            },
            DayRule::WeekDays(days) => days.contains(&weekday),
            DayRule::LastOfMonth(w) => weekday == *w && day + 7 > last,
            DayRule::Nth(w, nth) => weekday == *w && (day - 1) / 7 + 1 == *nth,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::SecondsFormat;

    /// Rows of `expression | after | expected next or none`.
    fn check(created: &str, table: &str) {
        let ns = |t: &str| {
            DateTime::parse_from_rfc3339(t)
                .unwrap()
                .timestamp_nanos_opt()
                .unwrap()
        };
        for row in table.lines().map(str::trim).filter(|row| !row.is_empty()) {
            let [expression, after, expected] = row.split(" | ").collect::<Vec<_>>()[..] else {
                panic!("malformed row {row}");
            };
            let next = Schedule::parse(expression)
                .unwrap()
                .next_after(ns(created), ns(after));
            let next = next.map(|t| {
                DateTime::from_timestamp_nanos(t).to_rfc3339_opts(SecondsFormat::Secs, true)
            });
            assert_eq!(
                next.as_deref().unwrap_or("none"),
                expected,
                "{expression} after {after}"
            );
        }
    }

    #[test]
    fn rate_runs_every_interval_from_the_creation_minute() {
        check(
            "2026-03-10T12:34:56.789Z",
            "
            rate(1 minute) | 2026-03-10T12:34:56.789Z | 2026-03-10T12:35:00Z
            rate(5 minutes) | 2026-03-10T12:34:56.789Z | 2026-03-10T12:39:00Z
            rate(5 minutes) | 2026-03-10T12:39:00Z | 2026-03-10T12:44:00Z
            rate(5 minutes) | 2026-03-10T12:43:59.999Z | 2026-03-10T12:44:00Z
            rate(5 minutes) | 2020-01-01T00:00:00Z | 2026-03-10T12:39:00Z
            rate(1 hour) | 2026-03-10T12:34:56.789Z | 2026-03-10T13:34:00Z
            rate(1 hour) | 2026-03-10T13:34:00Z | 2026-03-10T14:34:00Z
            rate(2 days) | 2026-03-10T12:34:56.789Z | 2026-03-12T12:34:00Z
            rate(2 days) | 2026-03-13T00:00:00Z | 2026-03-14T12:34:00Z
            rate(1 minute) | 1960-01-01T00:00:00Z | 2026-03-10T12:35:00Z
            ",
        );
    }

    #[test]
    fn cron_finds_the_next_matching_minute() {
        // 2026-01-02 is a Friday, 2026-08-01 and 2026-08-15 Saturdays, 2026-02-15 and 2026-05-31
        // Sundays, 2026-01-31 a Saturday; February 2028 has 29 days.
        check(
            "2026-03-10T12:34:56Z",
            "
            cron(0/15 * * * ? *) | 2026-01-01T10:07:30Z | 2026-01-01T10:15:00Z
            cron(*/15 * * * ? *) | 2026-01-01T10:45:00Z | 2026-01-01T11:00:00Z
            cron(0 9 * * ? *) | 2026-01-01T08:59:59Z | 2026-01-01T09:00:00Z
            cron(0 9 * * ? *) | 2026-01-01T09:00:00Z | 2026-01-02T09:00:00Z
            cron(0 18 ? * MON-FRI *) | 2026-01-02T18:00:00Z | 2026-01-05T18:00:00Z
            cron(0 0 1 * ? *) | 2026-01-31T12:00:00Z | 2026-02-01T00:00:00Z
            cron(0 9 L * ? *) | 2028-02-01T00:00:00Z | 2028-02-29T09:00:00Z
            cron(0 9 L * ? *) | 2027-02-01T00:00:00Z | 2027-02-28T09:00:00Z
            cron(0 9 LW * ? *) | 2026-01-01T00:00:00Z | 2026-01-30T09:00:00Z
            cron(0 9 LW * ? *) | 2026-05-01T00:00:00Z | 2026-05-29T09:00:00Z
            cron(0 9 15W * ? *) | 2026-08-01T00:00:00Z | 2026-08-14T09:00:00Z
            cron(0 9 15W * ? *) | 2026-02-01T00:00:00Z | 2026-02-16T09:00:00Z
            cron(0 9 1W * ? *) | 2026-07-31T00:00:00Z | 2026-08-03T09:00:00Z
            cron(0 9 31W * ? *) | 2026-05-01T00:00:00Z | 2026-05-29T09:00:00Z
            cron(0 9 31W * ? *) | 2026-06-01T00:00:00Z | 2026-07-31T09:00:00Z
            cron(0 0 ? * 6L *) | 2026-01-01T00:00:00Z | 2026-01-30T00:00:00Z
            cron(0 0 ? * L *) | 2026-01-01T00:00:00Z | 2026-01-03T00:00:00Z
            cron(0 0 ? * MON#1 *) | 2026-01-01T00:00:00Z | 2026-01-05T00:00:00Z
            cron(0 0 ? * 2#1 *) | 2026-01-05T00:00:00Z | 2026-02-02T00:00:00Z
            cron(0 10 1 1,4,7,10 ? *) | 2026-01-01T10:00:00Z | 2026-04-01T10:00:00Z
            cron(30 8 1 1 ? 2027) | 2026-06-01T00:00:00Z | 2027-01-01T08:30:00Z
            cron(30 8 1 1 ? 2027) | 2027-01-01T08:30:00Z | none
            cron(0 0 30 2 ? *) | 2026-01-01T00:00:00Z | none
            cron(0 12 1 * ? 2026-2027) | 2025-05-05T00:00:00Z | 2026-01-01T12:00:00Z
            cron(0 12 1 * ? 2026-2027) | 2027-12-01T12:00:00Z | none
            cron(0 0 1 JAN,feb ? *) | 2026-01-01T00:00:00Z | 2026-02-01T00:00:00Z
            cron(0 0 1 JAN,feb ? *) | 2026-02-01T00:00:00Z | 2027-01-01T00:00:00Z
            cron(0 8-18/5 ? * mon-fri *) | 2026-01-02T13:00:00Z | 2026-01-02T18:00:00Z
            cron(0 0 * * ? *) | 1900-01-01T00:00:00Z | 1970-01-01T00:00:00Z
            cron(59 23 31 12 ? 2199) | 2199-12-31T23:59:00Z | none
            ",
        );
    }

    #[test]
    fn extreme_inputs_end_quickly_without_panicking() {
        let started = std::time::Instant::now();
        let never = Schedule::parse("cron(0 0 31 4,6,9,11 ? *)").unwrap();
        assert_eq!(never.next_after(0, i64::MIN), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let rate = Schedule::parse("rate(1 minute)").unwrap();
        assert_eq!(rate.next_after(i64::MIN, i64::MAX), None);
        assert_eq!(rate.next_after(i64::MAX, i64::MIN), None);
        assert_eq!(Schedule::Rate { every_ns: 0 }.next_after(0, 0), None);
        assert_eq!(
            Schedule::parse("cron(* * * * ? *)")
                .unwrap()
                .next_after(0, i64::MAX),
            None
        );
    }

    #[test]
    fn rejects_invalid_expressions() {
        let six = "expected six fields (minutes hours day-of-month month day-of-week year)";
        let shape =
            "expected rate(value unit) or cron(minutes hours day-of-month month day-of-week year)";
        let table = format!(
            "
            cron(0 * * * ?) => {six}, found 5
            cron(0 * * * * ? *) => {six}, found 7
            cron(0 9 * * * *) => one of day-of-month and day-of-week must be '?'
            cron(0 9 ? * ? *) => day-of-month and day-of-week cannot both be '?'
            cron(? 9 * * ? *) => the minutes field '?' can only stand alone in day-of-month or day-of-week
            cron(0 L * * ? *) => the hours field 'L' is not a valid value
            cron(60 * * * ? *) => the minutes field '60' is outside 0-59
            cron(0 0 1 13 ? *) => the month field '13' is outside 1-12
            cron(0 0 ? * 8 *) => the day-of-week field '8' is outside 1-7
            cron(0 0 1 * ? 1969) => the year field '1969' is outside 1970-2199
            cron(5-3 * * * ? *) => the minutes field '5-3' is a reversed range
            cron(0/0 * * * ? *) => the minutes field '0/0' has a step of 0
            cron(0 0 ? * */2 *) => the day-of-week field '*/2' cannot take an increment
            cron(0 0 ? * 2#6 *) => the day-of-week field '2#6' needs an occurrence 1-5 after '#'
            cron(0 0 W * ? *) => the day-of-month field 'W' needs a day 1-31 before 'W'
            cron(0 0 1 JANUARY ? *) => the month field 'JANUARY' is not a valid value
            cron(+5 * * * ? *) => the minutes field '+5' is not a valid value
            rate(0 minutes) => the rate value '0' is not a positive integer
            rate(-1 minutes) => the rate value '-1' is not a positive integer
            rate(1 hours) => the rate unit 'hours' must be 'hour' for a value of 1
            rate(5 hour) => the rate unit 'hour' must be 'hours' for a value above 1
            rate(5 weeks) => the rate unit 'weeks' is not minute(s), hour(s) or day(s)
            rate(99999999999999 days) => the rate value '99999999999999' is too large
            rate(99999999999999999999 days) => the rate value '99999999999999999999' is too large
            rate(5minutes) => expected rate(value unit)
            rate( 5 minutes) => the rate value '' is not a positive integer
            cron(0 0 1 * ? * => {shape}
            every 5 minutes => {shape}
             => {shape}
            "
        );
        for row in table.lines().filter(|row| !row.trim().is_empty()) {
            let (expression, reason) = row.split_once("=>").unwrap();
            let expression = expression.trim();
            let expected = format!(
                "Invalid schedule expression {expression}: {}",
                reason.trim()
            );
            assert_eq!(Schedule::parse(expression), Err(ScheduleError(expected)));
        }
    }

    #[test]
    fn accepts_valid_forms() {
        for expression in [
            "rate(5  minutes)",
            " rate(1 day) ",
            "cron(5/10 * 1-15/7 * ? 2026,2028)",
        ] {
            assert!(
                expression.parse::<Schedule>().is_ok(),
                "{expression} should be valid"
            );
        }
        assert_eq!(
            Schedule::parse("rate(2 hours)"),
            Ok(Schedule::Rate {
                every_ns: 7_200_000_000_000
            })
        );
    }
}
