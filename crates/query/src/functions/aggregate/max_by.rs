//! `max_by(x, y) → same as x`: the `x` of the row with the largest `y`;
//! `max_by(x, y, n) → array(same as x)`: the `x` of the `n` rows with the largest `y`, largest
//! first (timestream-functions.md §10). See `by.rs` for the rules.
//!
//! Documented examples, over `(VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4)) AS t(c1, c2)`:
//! `max_by(t.c1, t.c2)` → `d`; `max_by(t.c1, t.c2, 2)` → `[d, c]`.

use super::by::By;

pub fn max_by() -> By {
    By::new("max_by", true)
}
