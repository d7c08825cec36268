//! `array_min(x) → E`: the smallest element; NULL if any element is NULL or the array is empty
//! (timestream-functions.md §8). See `extreme.rs`.
//!
//! Documented example: `SELECT array_min(ARRAY[1,2,3])` → `1`.

use super::extreme::Extreme;

pub fn array_min() -> Extreme {
    Extreme::new("array_min", false)
}
