//! `skewness(x) → double`: Fisher's moment coefficient of skewness of the non-NULL inputs
//! (population moments, `sqrt(n)·m3 / m2^1.5`); fewer than 3 values → NULL (Trino)
//! (timestream-functions.md §10). Not in DataFusion.
//!
//! Documented example: `SELECT skewness(t.c1) FROM (VALUES 1, 2, 3, 4) AS t(c1)` → `0.0`.

use super::moments::{CentralMoments, Finish};

pub fn skewness() -> CentralMoments {
    CentralMoments::new("skewness", Finish::Skewness)
}
