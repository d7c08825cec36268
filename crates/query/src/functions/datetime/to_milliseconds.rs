//! `to_milliseconds(interval day to second)`, `to_milliseconds(timestamp)` → bigint: the
//! interval's length, or the time since the epoch, in milliseconds, the sub-millisecond part
//! dropped (timestream-functions.md §9.3). A varchar argument is read as a timestamp.
//! `to_milliseconds(INTERVAL '2' DAY + INTERVAL '3' HOUR)` → 183600000;
//! `to_milliseconds(TIMESTAMP '2022-06-17 17:44:43.771000000')` → 1655487883771.

use super::common::NANOS_PER_MILLI;
use super::to_nanoseconds::ToUnits;

/// `to_milliseconds`: [`ToUnits`] of a millisecond.
pub fn to_milliseconds() -> ToUnits {
    ToUnits::with(
        "to_milliseconds",
        "to_milliseconds(interval day to second), to_milliseconds(timestamp)",
        NANOS_PER_MILLI,
    )
}
