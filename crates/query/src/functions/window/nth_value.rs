//! `nth_value(x, offset) → same as x`: the value at the 1-based `offset` within the frame; an
//! offset beyond the frame or NULL gives NULL; an offset of 0 or below is an error (`Offset must
//! be at least 1`), where DataFusion answers NULL for 0 and counts a negative offset from the
//! frame's end (timestream-functions.md §11).

use datafusion::functions_window::nth_value::nth_value_udwf;

use super::checked_offset::{CheckedOffset, Kind};

pub fn nth_value() -> CheckedOffset {
    CheckedOffset::new(Kind::NthValue, nth_value_udwf(), 1)
}
