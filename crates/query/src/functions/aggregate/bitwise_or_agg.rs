//! `bitwise_or_agg(x) → bigint`: OR of all non-NULL inputs (two's complement); no input → NULL
//! (timestream-functions.md §10). See `bitwise.rs`.
//!
//! Documented example: `SELECT bitwise_or_agg(t.c) FROM (VALUES 1, -3) AS t(c)` → `-3`.

use super::bitwise::{BitwiseAgg, Op};

pub fn bitwise_or_agg() -> BitwiseAgg {
    BitwiseAgg::new("bitwise_or_agg", Op::Or)
}
