//! `bitwise_and_agg(x) → bigint`: AND of all non-NULL inputs (two's complement); no input →
//! NULL (timestream-functions.md §10). See `bitwise.rs`.
//!
//! Documented example: `SELECT bitwise_and_agg(t.c) FROM (VALUES 1, -3) AS t(c)` → `1`.

use super::bitwise::{BitwiseAgg, Op};

pub fn bitwise_and_agg() -> BitwiseAgg {
    BitwiseAgg::new("bitwise_and_agg", Op::And)
}
