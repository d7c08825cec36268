//! `lag(x[, offset[, default_value]]) → same as x`: the value `offset` rows (default 1) before
//! the current row in the partition, `default_value` (default NULL) outside it; offset 0 is the
//! current row, a NULL offset gives NULL, a negative offset is an error (`Offset must be at
//! least 0`) where DataFusion reads it as a `lead` (timestream-functions.md §11).

use datafusion::functions_window::lead_lag::lag_udwf;

use super::checked_offset::{CheckedOffset, Kind};

pub fn lag() -> CheckedOffset {
    CheckedOffset::new(Kind::Lag, lag_udwf(), 0)
}
