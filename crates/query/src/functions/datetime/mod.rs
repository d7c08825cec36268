//! Date/time functions (timestream-functions.md §9). One file per function; the extraction
//! functions (`year` … `nanosecond`) share `extraction.rs`, and `common.rs` holds the argument
//! conversions all of them use (the implicit varchar → timestamp coercion among them).
//!
//! `current_date`, `current_time`, `current_timestamp` and `now()` are DataFusion's (folded
//! from the engine clock at planning); `timestamp ± interval` is DataFusion's arithmetic.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod ago;
mod bin;
mod common;
mod current_timezone;
mod date;
mod date_add;
mod date_diff;
mod date_format;
mod date_parse;
mod date_part;
mod date_trunc;
mod extraction;
mod format_datetime;
mod from_iso8601_date;
mod from_iso8601_timestamp;
mod from_milliseconds;
mod from_nanoseconds;
mod from_unixtime;
mod joda;
mod last_day_of_month;
mod mysql;
mod parse_datetime;
mod parse_duration;
mod to_iso8601;
mod to_milliseconds;
mod to_nanoseconds;
mod to_unixtime;

pub use ago::Ago;
pub use bin::Bin;
pub use current_timezone::CurrentTimezone;
pub use date::Date;
pub use date_add::DateAdd;
pub use date_diff::DateDiff;
pub use date_format::date_format;
pub use date_parse::date_parse;
pub use date_part::DatePart;
pub use date_trunc::DateTrunc;
pub use extraction::{Extraction, Field};
pub use format_datetime::FormatDatetime;
pub use from_iso8601_date::FromIso8601Date;
pub use from_iso8601_timestamp::FromIso8601Timestamp;
pub use from_milliseconds::FromMilliseconds;
pub use from_nanoseconds::FromNanoseconds;
pub use from_unixtime::FromUnixtime;
pub use last_day_of_month::LastDayOfMonth;
pub use parse_datetime::ParseDatetime;
pub use parse_duration::ParseDuration;
pub use to_iso8601::ToIso8601;
pub use to_milliseconds::to_milliseconds;
pub use to_nanoseconds::{to_nanoseconds, ToUnits};
pub use to_unixtime::ToUnixtime;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    let mut all = vec![
        Arc::new(ScalarUDF::from(Ago::new())),
        Arc::new(ScalarUDF::from(Bin::new())),
        Arc::new(ScalarUDF::from(CurrentTimezone::new())),
        Arc::new(ScalarUDF::from(Date::new())),
        Arc::new(ScalarUDF::from(DateAdd::new())),
        Arc::new(ScalarUDF::from(DateDiff::new())),
        Arc::new(ScalarUDF::from(date_format())),
        Arc::new(ScalarUDF::from(date_parse())),
        Arc::new(ScalarUDF::from(DatePart::new())),
        Arc::new(ScalarUDF::from(DateTrunc::new())),
        Arc::new(ScalarUDF::from(FormatDatetime::new())),
        Arc::new(ScalarUDF::from(FromIso8601Date::new())),
        Arc::new(ScalarUDF::from(FromIso8601Timestamp::new())),
        Arc::new(ScalarUDF::from(FromMilliseconds::new())),
        Arc::new(ScalarUDF::from(FromNanoseconds::new())),
        Arc::new(ScalarUDF::from(FromUnixtime::new())),
        Arc::new(ScalarUDF::from(LastDayOfMonth::new())),
        Arc::new(ScalarUDF::from(ParseDatetime::new())),
        Arc::new(ScalarUDF::from(ParseDuration::new())),
        Arc::new(ScalarUDF::from(ToIso8601::new())),
        Arc::new(ScalarUDF::from(to_milliseconds())),
        Arc::new(ScalarUDF::from(to_nanoseconds())),
        Arc::new(ScalarUDF::from(ToUnixtime::new())),
    ];
    all.extend(
        Field::ALL
            .iter()
            .map(|f| Arc::new(ScalarUDF::from(Extraction::new(*f)))),
    );
    all
}
