//! `array_max(x) → E`: the largest element; NULL if any element is NULL or the array is empty
//! (timestream-functions.md §8). See `extreme.rs`.
//!
//! Documented example: `SELECT array_max(ARRAY[1,2,3])` → `3`.

use super::extreme::Extreme;

pub fn array_max() -> Extreme {
    Extreme::new("array_max", true)
}
