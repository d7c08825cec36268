//! `ntile(n) → bigint`: splits the ordered partition into `n` buckets numbered 1…n whose sizes
//! differ by at most one, the first `rows mod n` buckets getting the extra row
//! (timestream-functions.md §11). DataFusion's `ntile`, with Trino's error for `n` < 1
//! (`Buckets must be greater than 0`).

use datafusion::functions_window::ntile::ntile_udwf;

use super::checked_offset::{CheckedOffset, Kind};

pub fn ntile() -> CheckedOffset {
    CheckedOffset::new(Kind::Ntile, ntile_udwf(), 1)
}
