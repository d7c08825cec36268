//! `min_by(x, y) → same as x`: the `x` of the row with the smallest `y`;
//! `min_by(x, y, n) → array(same as x)`: the `x` of the `n` rows with the smallest `y`,
//! smallest first (timestream-functions.md §10). See `by.rs` for the rules.
//!
//! Documented examples, over `(VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4)) AS t(c1, c2)`:
//! `min_by(t.c1, t.c2)` → `a`; `min_by(t.c1, t.c2, 2)` → `[a, b]`.

use super::by::By;

pub fn min_by() -> By {
    By::new("min_by", false)
}
